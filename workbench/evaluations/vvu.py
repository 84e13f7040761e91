"""Did violence prevention work, and was it worth the money? Effect on serious violence and the benefit-cost ratio.

The outcome is a set of offence groups summed, by force and quarter. One force
is treated from a start month; donor forces are those without a programme of
their own (the params list of excluded forces carries its source). Two designs:

* **Bayesian synthetic control** (:mod:`workbench.models.synth`): the treated
  force's counterfactual is a Dirichlet-weighted mix of the donors, fitted on
  the quarters before the start. This is the headline design.
* **Comparative interrupted time series** (:mod:`workbench.models.cits`): the
  treated force against all donors with shared quarter effects and own trends.

Checks: placebo in space (every donor posing as treated, classical synthetic
control, ranked by post/pre prediction error), placebo in time (fake starts
before the real one, fitted on the pre-period only), and the pre-period fit.

Benefits and costs are in :mod:`workbench.evaluations.costbenefit`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.dates import financial_year, fy_label, quarter_of
from workbench.errors import DataError, ParamDataError
from workbench.evaluations import costbenefit as CB
from workbench.evaluations.result import Result, Summary
from workbench.models import cits, converged, synth
from workbench.models.sampling import check_sampler
from workbench.params import sampler_settings
from workbench.yardstick import HI_Q, INTERVAL, LO_Q, PLACEBO_P_MAX, PRE_FIT_MAPE_MAX, interval
from workbench.yardstick import likelihood_words  # noqa: F401  (vvu.likelihood_words: one yardstick for every summary)


@dataclass
class ForceSeries:
    """The outcome by force x quarter (``y``) and by force x quarter x category (``by_cat``)."""

    forces: list[str]
    names: dict[str, str]
    periods: pd.DatetimeIndex
    categories: list[str]
    by_cat: np.ndarray  # (F, T, G); NaN where a force has no row for a quarter and category

    @property
    def y(self) -> np.ndarray:
        return self.by_cat.sum(axis=2)


def outcome(panel: pd.DataFrame, categories: list[str]) -> ForceSeries:
    """The outcome categories of a quarterly force-level panel, as arrays."""
    freq = set(panel["frequency"].astype(str))
    if freq != {"Q"} or set(panel["area_level"].astype(str)) != {"force"}:
        raise DataError(
            f"30-vvu-return needs quarterly force-level counts (frequency Q, area level force); this panel has frequency "
            f"{sorted(freq)} and area level {sorted(set(panel['area_level'].astype(str)))}. Fix: use data.source "
            "homeoffice_quarterly (or demo).")
    present = sorted(set(panel["category"].astype(str)))
    missing = [c for c in categories if c not in present]
    if missing:
        raise ParamDataError("categories", f"{', '.join(missing)} not in the data. Categories present: "
                             f"{', '.join(present)}. Fix: name the data's offence groups.")
    sub = panel.loc[panel["category"].isin(categories)]
    cube = sub.pivot_table(index=["force", "period"], columns="category", values="count", aggfunc="sum", observed=True)
    forces = sorted(set(sub["force"].astype(str)))
    periods = pd.DatetimeIndex(sorted(sub["period"].unique()))
    full = pd.MultiIndex.from_product([forces, periods], names=["force", "period"])
    cube = cube.reindex(full)[categories]
    arr = cube.to_numpy(dtype=float).reshape(len(forces), len(periods), len(categories))
    names = dict(zip(sub["force"].astype(str), sub["area_name"].astype(str)))
    return ForceSeries(forces, names, periods, list(categories), arr)


@dataclass
class Window:
    """The quarters analysed, the treated force and its donors."""

    periods: pd.DatetimeIndex
    t0: int  # index of the first treated quarter
    treated: str
    donors: list[str]
    y: np.ndarray  # (T,) treated outcome
    X: np.ndarray  # (J, T) donors' outcome
    by_cat: np.ndarray  # (T, G) treated outcome by category
    notes: list[str] = field(default_factory=list)


def window(s: ForceSeries, p) -> Window:
    """Cut the pre- and post-period, choose the donors and check that every series is complete."""
    notes: list[str] = []
    if p.treated not in s.forces:
        raise ParamDataError("treated", f"'{p.treated}' is not a force in the data. Forces present: "
                             f"{', '.join(s.forces)}. Fix: one of those force slugs (or data.forces that keep it).")
    start = quarter_of(p.start)
    last = s.periods[-1] + pd.DateOffset(months=2)
    if start <= s.periods[0] or start > s.periods[-1]:
        side = "after the data's last month" if start > s.periods[-1] else "at or before the data's first quarter"
        raise ParamDataError("start", (
            f"{p.start}{'' if f'{start:%Y-%m}' == p.start else f' (its quarter from {start:%Y-%m})'} is {side}: the data run {s.periods[0]:%Y-%m} to {last:%Y-%m}; the "
            "start must fall inside them with quarters before it. Fix: change 'start'."))
    t_start = int(s.periods.get_loc(start))
    if t_start < p.pre_quarters:
        raise ParamDataError("pre_quarters", f"{p.pre_quarters} quarters before {p.start} are asked for, the data "
                             f"hold {t_start}. Fix: lower 'pre_quarters' or use longer data.")
    last = len(s.periods) - 1 if not p.end else int(s.periods.searchsorted(quarter_of(p.end), side="right")) - 1
    keep = slice(t_start - p.pre_quarters, last + 1)
    periods = s.periods[keep]
    expected = pd.date_range(periods[0], periods[-1], freq="3MS")
    if len(expected) != len(periods):
        gaps = sorted(set(expected) - set(periods))
        raise DataError(f"the data skip quarter(s) {', '.join(f'{g:%Y-%m}' for g in gaps[:5])} inside the window. "
                        "Fix: supply complete quarterly data.")
    ti = s.forces.index(p.treated)
    cube = s.by_cat[:, keep, :]
    if np.isnan(cube[ti]).any():
        q = periods[np.isnan(cube[ti]).any(axis=1)]
        raise ParamDataError("treated", f"the treated force '{p.treated}' has no counts for "
                             f"{', '.join(f'{x:%Y-%m}' for x in q[:5])} in the window. Fix: supply them; they are never "
                             "filled in.")
    if p.donors:
        unknown = [d for d in p.donors if d not in s.forces]
        if unknown:
            raise ParamDataError("donors", f"{', '.join(unknown)} not in the data. Forces present: "
                                 f"{', '.join(s.forces)}. Fix: name forces of the data.")
        pool = [d for d in p.donors if d != p.treated]
    else:
        excluded = set(p.exclude.forces)
        pool = [f for f in s.forces if f not in excluded and f != p.treated]
        left_out = sorted(excluded & set(s.forces) - {p.treated})
        if left_out:
            notes.append(f"{len(left_out)} forces are not donors (own programmes: {p.exclude.source}"
                         f"{'' if p.exclude.verified else ', unverified'}).")
    donors = []
    for d in pool:
        j = s.forces.index(d)
        if np.isnan(cube[j]).any():
            notes.append(f"donor '{d}' left out: no counts for some quarters of the window.")
        elif cube[j, : p.pre_quarters].sum() <= 0:
            notes.append(f"donor '{d}' left out: no counts before the start.")
        else:
            donors.append(d)
    if len(donors) < 2:
        raise ParamDataError("donors" if p.donors else ("exclude", "forces"), (
            f"only {len(donors)} usable donor force(s) in the data ({len(s.forces)} force(s)). Fix: widen 'donors' or "
            "shorten 'exclude.forces', or data with more forces."))
    X = np.stack([cube[s.forces.index(d)].sum(axis=1) for d in donors])
    return Window(periods, p.pre_quarters, p.treated, donors, cube[ti].sum(axis=1), X, cube[ti], notes)


# ----------------------------------------------------------------------------- the result


@dataclass
class VVUResult(Result):
    window: Window
    sc: synth.SynthFit
    cits_effect_pct: np.ndarray
    cits_averted_q: np.ndarray  # (D, T) expected averted per quarter under the CITS design
    cits_diagnostics: tuple[float, float, int]
    placebo_table: pd.DataFrame
    placebo_p: float
    placebo_time: dict[int, np.ndarray]
    valuation: CB.Valuation
    costs: CB.Costs
    unvalued: list[str]
    benefit_years: list[int]
    claimed_ratio: float
    sensitivity_ranges: dict[str, tuple[float, float]]
    names: dict[str, str]
    categories: list[str]
    seconds: float = 0.0

    # --- effect
    @property
    def post(self) -> np.ndarray:
        return self.sc.post_mask()

    def effect_row(self, draws: np.ndarray) -> dict[str, float]:
        lo, med, hi = interval(draws)
        return {"effect_pct_median": float(med), "effect_pct_lo": float(lo), "effect_pct_hi": float(hi),
                "p_reduction": float(np.mean(draws < 0))}

    # --- money
    @property
    def fy(self) -> np.ndarray:
        """The financial year of each quarter of the window."""
        return np.array([financial_year(p) for p in self.window.periods])

    def averted_by_year(self, averted_q: np.ndarray) -> np.ndarray:
        return np.stack([averted_q[:, self.fy == y].sum(axis=1) for y in self.benefit_years], axis=1)

    def observed_by_year(self) -> np.ndarray:
        return np.stack([self.window.by_cat[self.fy == y].sum(axis=0) for y in self.benefit_years])

    def averted_cube(self, averted_q: np.ndarray) -> np.ndarray:
        return CB.split_by_category(self.averted_by_year(averted_q), self.observed_by_year())

    def sc_averted_q(self) -> np.ndarray:
        """Draws (D, T) of E[y | no programme] minus the recorded count, per quarter after the start (the effect contract)."""
        return self.sc.effect().averted_by_period()

    def bcr(self, averted_q: np.ndarray) -> np.ndarray:
        b = CB.benefits(self.averted_cube(averted_q), self.categories, self.benefit_years, self.costs.base_year, self.valuation)
        return b / self.costs.present_value(self.valuation.rate)

    def breakeven(self, ratio: float) -> float:
        return CB.breakeven_effect_pct(ratio, self.costs.present_value(self.valuation.rate), self.observed_by_year(),
                                       self.categories, self.benefit_years, self.costs.base_year, self.valuation)

    def tornado(self) -> pd.DataFrame:
        return CB.tornado(self.averted_cube(self.sc_averted_q()), self.categories, self.benefit_years,
                          self.costs, self.valuation, self.sensitivity_ranges)

    # --- tables
    def weights(self, top: int = 10) -> pd.DataFrame:
        w = self.sc.weights
        t = pd.DataFrame({"force": [self.names.get(d, d) for d in self.window.donors],
                          "weight (median)": np.median(w, axis=0), "weight (lo)": np.quantile(w, LO_Q, axis=0),
                          "weight (hi)": np.quantile(w, HI_Q, axis=0)})
        return t.sort_values("weight (median)", ascending=False).head(top).set_index("force")

    def designs(self) -> pd.DataFrame:
        rows = []
        for name, eff, av in (("synthetic control", self.sc.effect_pct(), self.sc_averted_q()),
                              ("interrupted time series", self.cits_effect_pct, self.cits_averted_q)):
            r = self.effect_row(eff)
            ratio = self.bcr(av)
            b = CB.ratio_summary(ratio)
            rows.append({"design": name, "effect % (median)": r["effect_pct_median"], "effect % (lo)": r["effect_pct_lo"],
                         "effect % (hi)": r["effect_pct_hi"], "P(reduction)": r["p_reduction"],
                         "offences averted (median)": float(np.median(av[:, self.post].sum(axis=1))),
                         "BCR (median)": b["bcr_median"], "BCR (lo)": b["bcr_lo"], "BCR (hi)": b["bcr_hi"],
                         "P(BCR >= 1)": b["p_bcr_ge_1"], f"P(BCR >= {self.claimed_ratio:g})": float(np.mean(ratio >= self.claimed_ratio))})
        return pd.DataFrame(rows).set_index("design")

    def checks(self) -> pd.DataFrame:
        rows = []
        fit = self.sc.pre_fit()
        rows.append({"check": "pre-period fit", "value": f"mean absolute error {fit['mape_pct']:.1f}% a quarter",
                     "passed": fit["mape_pct"] <= PRE_FIT_MAPE_MAX,
                     "reading": "the synthetic force tracks the treated force before the start" if fit["mape_pct"] <= PRE_FIT_MAPE_MAX
                     else "the synthetic force tracks the treated force poorly before the start: treat the effect with caution"})
        rows.append({"check": "placebo in space", "value": f"p = {self.placebo_p:.3f} ({len(self.placebo_table)} forces)",
                     "passed": self.placebo_p <= PLACEBO_P_MAX,
                     "reading": "the treated force's post-start departure stands out among the donors" if self.placebo_p <= PLACEBO_P_MAX
                     else "donors posing as treated depart as much: the change does not stand out"})
        for k, d in self.placebo_time.items():
            lo, med, hi = interval(d)
            ok = lo <= 0 <= hi
            rows.append({"check": f"placebo in time ({k} quarters earlier)", "value": f"{med:+.1f}% ({lo:+.1f} to {hi:+.1f})",
                         "passed": bool(ok), "reading": "no effect where there should be none" if ok
                         else "an 'effect' before the start: the design picks up something else"})
        # Both designs on one basis (the effect contract): recorded counts against E[y | no programme].
        eff_sc = np.median(self.sc.effect_pct())
        lo, _, hi = interval(self.cits_effect_pct)
        agree = lo <= eff_sc <= hi
        rows.append({"check": "designs agree", "value": f"synthetic control {eff_sc:+.1f}%, time series {lo:+.1f} to {hi:+.1f}",
                     "passed": bool(agree), "reading": "the two designs tell the same story" if agree
                     else "the designs disagree: the effect depends on the design"})
        rhat, ess, div = self.sc.diagnostics()
        ok = converged(rhat, ess, div)
        rows.append({"check": "sampler (synthetic control)", "value": f"r-hat {rhat:.3f}, ESS {ess:.0f}, {div} divergences",
                     "passed": ok, "reading": "converged" if ok else "poor convergence: raise sampler.draws / tune"})
        return pd.DataFrame(rows)

    def figures(self) -> dict:
        eff = self.effect_row(self.sc.effect_pct())
        av = self.sc.averted()
        bcr = self.bcr(self.sc_averted_q())
        money = CB.ratio_summary(bcr)
        cits_row = self.effect_row(self.cits_effect_pct)
        cits_money = CB.ratio_summary(self.bcr(self.cits_averted_q))
        rhat, ess, div = self.sc.diagnostics()
        return {
            **{k: round(v, 2) for k, v in eff.items()},
            "offences_averted_median": round(float(np.median(av)), 1),
            "offences_averted_lo": round(float(np.quantile(av, LO_Q)), 1),
            "offences_averted_hi": round(float(np.quantile(av, HI_Q)), 1),
            **{k: round(v, 3) for k, v in money.items()},
            "claimed_ratio": self.claimed_ratio,
            "p_bcr_ge_claimed": round(float(np.mean(bcr >= self.claimed_ratio)), 3),
            "breakeven_effect_pct_1x": round(self.breakeven(1.0), 2),
            "breakeven_effect_pct_3_5x": round(self.breakeven(3.5), 2),
            "cost_present_value_gbp": round(self.costs.present_value(self.valuation.rate)),
            "cost_total_gbp": round(self.costs.total()),
            "benefit_years": [fy_label(y) for y in self.benefit_years],
            "unvalued_categories": list(self.unvalued),
            "placebo_p": round(self.placebo_p, 3),
            "pre_fit_mape_pct": round(self.sc.pre_fit()["mape_pct"], 2),
            "checks": {r["check"]: bool(r["passed"]) for _, r in self.checks().iterrows()},
            "interrupted_time_series": {**{k: round(v, 2) for k, v in cits_row.items()},
                                        **{k: round(v, 3) for k, v in cits_money.items()}},
            "diagnostics": {"rhat_max": round(rhat, 3), "ess_bulk_min": round(ess), "divergences": div},
            "donors": len(self.window.donors),
        }

    def summary(self, label: str) -> Summary:
        """The two designs side by side, and the paragraph of :func:`_summary_text`."""
        return Summary(self.designs(), _summary_text(self, label))


def money(p) -> tuple[CB.Costs, CB.Valuation]:
    """The spend and the valuation of offences that params give; a category with no unit cost is an error here."""
    costs = CB.Costs(spend={k: dict(v) for k, v in p.costs.spend.items()}, extra=dict(p.costs.extra_policing))
    unit = CB.unit_costs(p.categories, p.unvalued, p.unit_costs)
    return costs, CB.Valuation(unit, p.price_uplift.value, p.attribution.value, p.discount_rate.value)


def benefit_years(p, w: Window, costs: CB.Costs) -> list[int]:
    """The financial years whose averted offences are valued, each with all 4 quarters after the start in the data."""
    years = sorted(p.benefit_years or costs.years)
    fy = np.array([financial_year(x) for x in w.periods])
    post_fy = fy[w.t0:]
    for y in years:
        n = int((post_fy == y).sum())
        if n != 4:
            raise ParamDataError("benefit_years" if p.benefit_years else ("costs", "spend"), (
                f"benefit year {fy_label(y)}: {n} of its 4 quarters are in the data after the start "
                f"({w.periods[w.t0]:%Y-%m} to {w.periods[-1]:%Y-%m}), so its averted offences cannot be counted. "
                "Fix: set 'benefit_years' to whole years after the start, or use data that cover them."))
    return years


def prepare(panel: pd.DataFrame, p):
    """The outcome, window, costs, valuation and benefit years: every check on the parameters against the data,
    and nothing fitted (:func:`check` stops here)."""
    s = outcome(panel, p.categories)
    w = window(s, p)
    costs, valuation = money(p)
    return s, w, costs, valuation, benefit_years(p, w, costs)


def check(p, run, panel: pd.DataFrame) -> None:
    """Every check of ``30-vvu-return``'s parameters ``p`` against the run's data, without fitting anything.

    ``panel`` is the run's panel; on demo data the evaluation reads the synthetic force panel instead (:func:`load`).
    """
    prepare(load(run) if run.data.source == "demo" else panel, p)


def run(panel: pd.DataFrame, p, sampler, seed: int, say=print) -> VVUResult:
    """The whole evaluation; ``say`` reports progress."""
    t_begin = time.perf_counter()
    sampler = sampler_settings(sampler)
    s, w, costs, valuation, years = prepare(panel, p)
    say(f"{len(w.donors)} donor forces, {w.t0} quarters before the start and {len(w.periods) - w.t0} after; "
        "fitting the synthetic control ...")
    data = synth.SynthData(w.y, w.X, w.t0, tuple(w.donors))
    sc = synth.fit(data, synth.main_sampler(sampler), seed, p.concentration)
    say("fitting the interrupted time series ...")
    T = len(w.periods)
    tau = (np.arange(T) - w.t0) / 4.0
    U = 1 + len(w.donors)
    treated = np.zeros(U, bool)
    treated[0] = True
    design = cits.Design(y=np.vstack([w.y[None], w.X]).round().astype("int64"), tau=tau, post=np.arange(T) >= w.t0,
                         treated=treated, ring=np.zeros(U, bool), dose=np.ones(U))
    prior = cits.Prior(p.effect_prior.mean, p.effect_prior.sd)
    cf = cits.fit(design, prior, cits.Prior(0.0, 0.1), sampler, seed + 1)
    # The effect contract: the treated force's recorded counts against E[y | no programme], as the synthetic control's.
    ce = cits.effect(cf, np.array([0]), seed + 1)
    cits_eff, cits_av = ce.pct("observed"), ce.averted_by_period("observed")
    say("placebo in space (each donor as if treated) and in time ...")
    table, pval = synth.placebo_in_space(w.y, w.X, w.t0, tuple(w.donors), w.treated)
    table["unit"] = table["unit"].map(lambda u: s.names.get(u, u))
    ptime = {}
    for k in p.placebo_offsets:
        d0 = synth.SynthData(w.y[: w.t0], w.X[:, : w.t0], w.t0 - k, tuple(w.donors))
        ptime[k] = synth.fit(d0, check_sampler(sampler), seed + 10 + k, p.concentration,
                             label=f"the placebo fit {k} quarters earlier", span=w.t0).effect_pct()
    res = VVUResult(w, sc, cits_eff, cits_av, cits.diagnostics(cf), table, pval, ptime, valuation, costs,
                    list(p.unvalued), years, p.claimed_ratio.value, dict(p.sensitivity), s.names, list(p.categories))
    res.seconds = time.perf_counter() - t_begin
    return res


# ----------------------------------------------------------------------------- words


def _summary_text(res: VVUResult, label: str) -> str:
    f = res.figures()
    unit_table = CB.unit_cost_table(res.valuation.costs, res.unvalued)
    treated = res.names.get(res.window.treated, res.window.treated)
    start = res.window.periods[res.window.t0]
    years = ", ".join(f["benefit_years"])
    claim = res.claimed_ratio
    lines = [
        f"**Effect.** After the start ({start:%Y-%m}), {' + '.join(res.categories)} in {treated} were "
        f"{abs(f['effect_pct_median']):.1f}% {'lower' if f['effect_pct_median'] < 0 else 'higher'} than its synthetic "
        f"control of {f['donors']} donor forces predicted ({INTERVAL:.0%} interval {f['effect_pct_lo']:+.1f}% to "
        f"{f['effect_pct_hi']:+.1f}%; P(reduction) {f['p_reduction']:.2f}): about {f['offences_averted_median']:,.0f} "
        f"offences averted ({f['offences_averted_lo']:,.0f} to {f['offences_averted_hi']:,.0f}). The interrupted time "
        f"series gives {f['interrupted_time_series']['effect_pct_median']:+.1f}% "
        f"({f['interrupted_time_series']['effect_pct_lo']:+.1f}% to {f['interrupted_time_series']['effect_pct_hi']:+.1f}%).",
        f"**Return.** Against £{f['cost_present_value_gbp']:,.0f} of spend (present value; £{f['cost_total_gbp']:,.0f} "
        f"cash) and the offences averted in {years}, the benefit-cost ratio is {f['bcr_median']:.2f} "
        f"({f['bcr_lo']:.2f} to {f['bcr_hi']:.2f}). A return of at least 1× is {likelihood_words(f['p_bcr_ge_1'])} "
        f"(P = {f['p_bcr_ge_1']:.2f}); the claimed {claim:g}× is {likelihood_words(f['p_bcr_ge_claimed'])} "
        f"(P = {f['p_bcr_ge_claimed']:.2f}).",
        f"**Break-even.** To return 1× the programme needed a {abs(f['breakeven_effect_pct_1x']):.1f}% reduction in the "
        f"valued offences over {years}; to return 3.5×, {abs(f['breakeven_effect_pct_3_5x']):.1f}%.",
    ]
    width = f["effect_pct_hi"] - f["effect_pct_lo"]
    if abs(f["breakeven_effect_pct_3_5x"]) < width / 4:
        lines.append(f"The break-even effects are small next to the uncertainty of the effect ({width:.1f} points wide), "
                     f"so whether the return reached {claim:g}× turns mostly on whether violence fell at all "
                     f"(P(reduction) {f['p_reduction']:.2f}).")
    failed = [r for _, r in res.checks().iterrows() if not r["passed"]]
    stands_out = f["checks"].get("placebo in space", False)
    p_claim = f["p_bcr_ge_claimed"]
    if p_claim >= 0.8 and stands_out:
        verdict = f"the data support a return of at least {claim:g}×, on the assumptions below."
    elif p_claim >= 0.55:
        verdict = (f"the ratio points towards a return of {claim:g}× or more, but "
                   + ("the effect does not stand out from what the comparison forces did, so the claim is plausible, "
                      "not shown." if not stands_out else "with too much uncertainty to call it shown."))
    elif p_claim <= 0.2:
        verdict = f"the data do not support a return of {claim:g}×."
    else:
        verdict = f"the data neither support nor rule out a return of {claim:g}×."
    lines.append(f"**Verdict on the claim.** On these figures {verdict}")
    if failed:
        lines.append("**Checks that failed:** " + "; ".join(f"{r['check']}: {r['reading']} ({r['value']})" for r in failed) + ".")
    else:
        lines.append("**Checks.** Every check passed (pre-period fit, placebo in space and in time, the two designs agree).")
    unvalued = ", ".join(res.unvalued) or "none"
    valued = "; ".join(f"{c}: valued as {r['valued as']}" + (f" ({r['note']})" if r["note"] else "")
                       for c, r in unit_table.iterrows() if not str(r["valued as"]).startswith("not valued"))
    v = res.valuation
    lines.append(
        f"**Assumptions.** Donors had no programme of their own; every offence group moved by the same proportion; "
        f"{v.attribution:.0%} of the effect is credited to the programme; unit costs (Heeks et al. 2018, 2015/16 prices, "
        f"uplift ×{v.uplift:g}) — {valued}; counted but not valued: {unvalued}; discounting at {v.rate:.1%} a year to "
        f"{fy_label(res.costs.base_year)}. The tornado chart shows how far each of these "
        f"moves the ratio. Data: {label}.")
    return "\n\n".join(lines)


# ----------------------------------------------------------------------------- data in

#: The synthetic force panel's quarters on the demo source (the span of the Home Office table's recent years).
DEMO_START, DEMO_END = "2012-04", "2024-01"


def load(run) -> pd.DataFrame:
    """The force x offence group x quarter panel of a run: the synthetic force panel for ``demo``, else the run's data."""
    from workbench.data import demo, load_panel

    if run.data.source == "demo":
        panel = demo.force_quarterly(run.seed, DEMO_START, DEMO_END)
        panel.attrs.update(notes=[f"Synthetic force panel: Essex and {demo.N_DEMO_FORCES} demo comparison forces, "
                                  f"{DEMO_START} to {DEMO_END}, with an injected {100 * (demo.VVU_RATE_RATIO - 1):+.0f}% "
                                  f"effect on the VVU offence groups from {demo.VVU_START}."], warnings=[], cached=False)
        return panel
    return load_panel(run)
