"""Where do we stand today? The goal read on the official definition, from every source, to the latest month.

The logic behind ``notebooks/15-where-we-stand.ipynb``. One measurement model per measure
(:mod:`workbench.models.nowcast`): crime on the Home Office definition, ASB on the street-level definition.

* **Crime baseline**: the Home Office recorded total of the baseline year (every quarter held, never estimated;
  :func:`workbench.data.multisource.check_baseline` stops the run first otherwise). **ASB baseline**: no source
  holds an official ASB total after 2018/19, so it is the model's estimate of the baseline year on the street
  definition, with its draws: target, target path and P(goal met) are read draw by draw.
* **Target path**: the constant-rate path of goal tracking (:class:`workbench.evaluations.goal.Goal`), read at
  the latest month: baseline x (1 - annual rate) ** (years since the baseline year ended).
* **Nowcast**: draws of the latent 12-month total to the latest month any source covers.
* **P(goal met)**: the share of draws whose target-year total is at or below the target, from the same draws.
* **Required annual reduction now**: the constant annual fall from the nowcast's median to the target in the
  time left.
* **By CSP** (a simpler version, stated): each CSP's share of the force in the latest source that gives CSPs
  (street counts over the latest 12 months; else ONS Table C2), with Dirichlet draws, times the force's draws;
  its target path is the force's times its share in the baseline year's months (the same share if none).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.data import multisource as MS
from workbench.evaluations.goal import Goal, fy_label, fy_periods
from workbench.evaluations.result import Result, Summary
from workbench.models import nowcast as N
from workbench.models import Diagnostics
from workbench.models.negbin import Shock
from workbench.params import sampler_settings
from workbench.tables import prob
from workbench.yardstick import HI_Q, INTERVAL, LO_Q, likelihood_words

Q = (LO_Q, 0.5, HI_Q)
#: How each fit of :meth:`NowcastResult.fits` is named to a reader.
FIT_LABELS = {"crime": "crime, every source", "crime_homeoffice_only": "crime, Home Office table only", "asb": "ASB"}
GOAL_KEYS = ("nowcast_latest_12m_median", "nowcast_latest_12m_lo", "nowcast_latest_12m_hi", "latest_month",
             "target_path_at_latest", "gap_to_path", "p_goal_met", "required_annual_reduction_now")


def config(p) -> N.NowcastConfig:
    m = p.model
    return N.NowcastConfig(m.walk_every_months, m.walk_sd, m.ratio_sd, m.ratio_drift_sd, m.trend_damping,
                           m.fourier_order, [Shock(s.name, s.start, s.end) for s in m.shocks], m.forecast_draws)


def force_of(p, run) -> str:
    """The force a run reads: a matrix member's (``data.forces``: one force), else the notebook's ``force``."""
    forces = run.data.forces
    return forces[0] if forces and len(forces) == 1 else p.force


def load(p, run, seed: int) -> MS.Sources:
    """The run's sources: the files of ``sources:``, or (none listed) a simulated panel with known truth."""
    if not p.sources:
        return MS.simulate(seed, groups=p.simulate_groups)
    return MS.load(p.sources, force_of(p, run), p.start, run.data.cache)


def check(p, run, panel) -> None:
    """Before any fit: every source reads as its kind, no two of one kind share months, the baseline is covered."""
    from workbench.errors import ParamDataError

    if p.sources:
        sources = MS.load(p.sources, force_of(p, run), p.start, run.data.cache)
        MS.check_baseline(sources, p.baseline_year)
    if pd.Timestamp(f"{p.start}-01") > fy_periods(p.baseline_year, 1)[0]:
        raise ParamDataError("start", f"{p.start} is after the start of the baseline year FY {fy_label(p.baseline_year)}. "
                             "Fix: an earlier start")


def months_between(a: pd.Timestamp, b: pd.Timestamp) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


@dataclass
class MeasureFit:
    """One measure's fit on a set of sources, its draws to the end of the target year and the goal figures."""

    measure: str
    label: str  # which sources
    fit: N.NowcastFit
    months: pd.DatetimeIndex
    draws: np.ndarray  # (D, G, M) latent monthly means
    latest: pd.Timestamp
    diagnostics: Diagnostics

    def total(self, first: pd.Timestamp, last: pd.Timestamp) -> np.ndarray:
        sel = (self.months >= first) & (self.months <= last)
        return self.draws[:, :, sel].sum(axis=(1, 2))

    def fy_total(self, year: int) -> np.ndarray:
        want = fy_periods(year, 1)
        return self.total(want[0], want[-1])

    def latest_12m(self) -> np.ndarray:
        return self.total(self.latest - pd.DateOffset(months=11), self.latest)


def fit_measure(sources: MS.Sources, measure: str, p, sampler, seed: int, kinds: tuple[str, ...] | None = None,
                label: str = "every source", latest: pd.Timestamp | None = None) -> MeasureFit:
    """Fit one measure (``crime`` or ``asb``) on the force-level observations of ``sources`` (only ``kinds``)."""
    obs = sources.of(measure)
    if kinds is not None:
        obs = obs[obs["kind"].isin(kinds)].reset_index(drop=True)
    reference = MS.OFFICIAL if measure == MS.CRIME else MS.ASB_REFERENCE
    latest = latest or sources.latest_month
    ends = [s + pd.DateOffset(months=int(m) - 1) for s, m in zip(obs["start"], obs["months"])]
    d = N.design(obs, sorted(obs["group"].unique()), p.start, max(ends), reference)
    f = N.fit(d, config(p), sampler_settings(sampler), seed, label=f"the {measure} nowcast ({label})")
    months, draws = f.path(pd.Timestamp(f"{p.target_year + 1}-03-01"), seed)
    return MeasureFit(measure, label, f, months, draws, latest, N.diagnostics(f))


def official_baseline(sources: MS.Sources, year: int) -> float:
    """The crime baseline: the Home Office recorded total of FY ``year`` (or an ONS edition for exactly that year)."""
    o = sources.of(MS.CRIME)
    want = fy_periods(year, 1)
    ho = o[(o["kind"] == "homeoffice_quarterly") & o["start"].between(want[0], want[-1])]
    if ho.drop_duplicates("start").shape[0] == 4:
        return float(ho["count"].sum())
    ons = o[o["kind"].isin(MS.OFFICIAL) & (o["months"] == 12) & (o["start"] == want[0])]
    return float(ons.groupby("source")["count"].sum().iloc[0])


def goal_figures(mf: MeasureFit, goal: Goal, baseline: float | np.ndarray) -> dict:
    """The goal figures of one fit; ``baseline`` a recorded total (crime) or draws of an estimated one (ASB)."""
    base = np.broadcast_to(np.asarray(baseline, dtype=float), (mf.draws.shape[0],))
    now = mf.latest_12m()
    lo, med, hi = np.quantile(now, Q)
    base_end = pd.Timestamp(f"{goal.baseline_year + 1}-03-01")
    years_on = months_between(base_end, mf.latest) / 12
    path = base * (1 - goal.annual_rate) ** years_on
    target = base * (1 - goal.reduction)
    fy = mf.fy_total(goal.target_year)
    years_left = months_between(mf.latest, pd.Timestamp(f"{goal.target_year + 1}-03-01")) / 12
    required = 1 - (np.median(target) / med) ** (1 / years_left) if years_left > 0 else float("nan")
    flo, fmed, fhi = np.quantile(fy, Q)
    out = {
        "nowcast_latest_12m_median": round(float(med)), "nowcast_latest_12m_lo": round(float(lo)),
        "nowcast_latest_12m_hi": round(float(hi)), "latest_month": f"{mf.latest:%Y-%m}",
        "target_path_at_latest": round(float(np.median(path))), "gap_to_path": round(float(np.median(now - path))),
        "p_goal_met": round(float(np.mean(fy <= target)), 3),
        "required_annual_reduction_now": round(float(required), 4),
        "baseline_total": round(float(np.median(base))), "target_total": round(float(np.median(target))),
        "forecast_target_median": round(float(fmed)), "forecast_target_lo": round(float(flo)),
        "forecast_target_hi": round(float(fhi)), "baseline_year": fy_label(goal.baseline_year),
        "target_year": fy_label(goal.target_year), "reduction": goal.reduction, "interval": INTERVAL,
    }
    if base.std() > 0:
        blo, bhi = np.quantile(base, [Q[0], Q[2]])
        out.update(baseline_lo=round(float(blo)), baseline_hi=round(float(bhi)), baseline_estimated=True)
    return out


def change_since(mf: MeasureFit, year: int) -> dict:
    """The latest 12 months against FY ``year``, in per cent, with its interval (draw by draw)."""
    change = 100 * (mf.latest_12m() / mf.fy_total(year) - 1)
    lo, med, hi = np.quantile(change, Q)
    return {"median": round(float(med), 1), "lo": round(float(lo), 1), "hi": round(float(hi), 1),
            "since": f"FY {fy_label(year)}"}


def source_table(sources: MS.Sources, mf: MeasureFit, seed: int) -> pd.DataFrame:
    """Per source of a measure: months covered, observations used, and its learnt ratio at its latest month."""
    rows = []
    d = mf.fit.design
    mu = mf.draws[:, :, : len(d.months)]
    for name in sorted(sources.of(mf.measure)["source"].unique()):
        months = sources.months(name, mf.measure)
        used = int((d.obs["source"] == name).sum())
        row = {"source": name, "kind": sources.kinds.get(name, name), "first": f"{months[0]:%Y-%m}",
               "last": f"{months[-1]:%Y-%m}", "months_covered": len(months), "observations": used,
               "not_used_before_start": int(sources.before_start.get(name, 0))}
        if name in d.ratio_sources:
            t = min(d.months.get_loc(months[-1]), len(d.months) - 1)
            r = mf.fit.ratio(name, seed)[:, :, t]
            groups = d.obs.loc[d.obs["source"] == name, "group"].unique()
            gi = [d.groups.index(g) for g in groups]
            whole = (r[:, gi] * mu[:, gi, t]).sum(axis=1) / mu[:, gi, t].sum(axis=1)
            lo, med, hi = np.quantile(whole, Q)
            row.update(ratio_median=round(float(med), 3), ratio_lo=round(float(lo), 3), ratio_hi=round(float(hi), 3),
                       ratio_at=f"{d.months[t]:%Y-%m}")
        else:
            row.update(ratio_median=1.0, ratio_lo=1.0, ratio_hi=1.0, ratio_at="fixed (reference definition)")
        rows.append(row)
    return pd.DataFrame(rows).set_index("source")


def csp_table(sources: MS.Sources, mf: MeasureFit, figures: dict, goal: Goal, seed: int,
              known: tuple[str, ...] | None = None) -> pd.DataFrame | None:
    """Per CSP (a simpler version): the force's draws times the CSP's share; None when no source gives CSPs."""
    o = sources.obs[(sources.obs["level"] == "csp") & (sources.obs["measure"] == mf.measure)]
    if o.empty:
        return None
    c2 = o[o["kind"] == "ons_c2"]
    monthly = o[o["months"] == 1]
    latest = monthly["start"].max() if len(monthly) else None
    if latest is not None:
        recent = monthly[monthly["start"] > latest - pd.DateOffset(months=12)]
        base_m = fy_periods(goal.baseline_year, 1)
        base = monthly[monthly["start"].isin(base_m)]
        share_from = f"street counts, 12 months to {latest:%Y-%m}"
    else:
        recent, base, share_from = c2, c2.iloc[0:0], "ONS Table C2"
    counts = recent.groupby("area")["count"].sum()
    if known:
        counts = counts[counts.index.isin(known)]
    counts = counts[counts >= 0.005 * counts.sum()] if not known else counts
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(45,)))
    shares = rng.dirichlet(counts.to_numpy() + 0.5, size=mf.draws.shape[0])  # (D, C)
    base_counts = base.groupby("area")["count"].sum().reindex(counts.index).fillna(0)
    base_share = base_counts / base_counts.sum() if base_counts.sum() > 0 else counts / counts.sum()
    now = mf.latest_12m()[:, None] * shares
    path = figures["target_path_at_latest"] * base_share.to_numpy()
    ons = c2.groupby("area")["count"].sum().reindex(counts.index) if len(c2) else None
    out = pd.DataFrame({
        "share_pct": (100 * counts / counts.sum()).round(1),
        "nowcast_latest_12m_median": np.median(now, axis=0).round(0),
        "nowcast_latest_12m_lo": np.quantile(now, Q[0], axis=0).round(0),
        "nowcast_latest_12m_hi": np.quantile(now, Q[2], axis=0).round(0),
        "target_path_at_latest": np.round(path, 0),
        "p_below_path": (now <= path[None, :]).mean(axis=0).round(3),
    }, index=counts.index)
    if ons is not None:
        out["ons_c2_12m"] = ons
    out.index.name = "area"
    out.attrs["share_from"] = share_from
    return out.sort_values("nowcast_latest_12m_median", ascending=False)


@dataclass
class NowcastResult(Result):
    """Where we stand: every fit of the notebook (crime on every source, and on the Home Office table only; ASB), with
    the results JSON and the tables :func:`run` made from them."""

    goal: Goal
    sources: MS.Sources
    crime: MeasureFit
    crime_ho_only: MeasureFit | None
    asb: MeasureFit | None
    known: dict = field(default_factory=dict)  # the results JSON (:func:`figures`: it needs the params)
    tables: dict = field(default_factory=dict)

    def fits(self) -> dict[str, MeasureFit]:
        """Every fit made, by the name the diagnostics use."""
        named = {"crime": self.crime, "crime_homeoffice_only": self.crime_ho_only, "asb": self.asb}
        return {k: v for k, v in named.items() if v is not None}

    def labelled_fits(self) -> dict[str, MeasureFit]:
        """Every fit made, by the name a reader sees (:data:`FIT_LABELS`)."""
        return {FIT_LABELS.get(k, k): v for k, v in self.fits().items()}

    def figures(self) -> dict:
        return self.known

    def checks(self) -> pd.DataFrame:
        return pd.DataFrame([{"check": f"sampler converged ({k})", "value": v.diagnostics.message(),
                              "passed": bool(v.diagnostics.ok)} for k, v in self.labelled_fits().items()])

    def summary(self, label: str) -> Summary:
        """The goal figures side by side, and the paragraph of :func:`_summary_text`."""
        return Summary(goal_table(self.known), _summary_text(self.known, label))


def run(sources: MS.Sources, p, sampler, seed: int, say=print) -> NowcastResult:
    """Every fit of the notebook: crime on every source (and on the Home Office table only), ASB on every source."""
    goal = Goal(p.baseline_year, p.target_year, p.reduction)
    MS.check_baseline(sources, p.baseline_year)
    say(f"Fitting the crime nowcast to {len(sources.of(MS.CRIME))} observations from "
        f"{sources.of(MS.CRIME)['source'].nunique()} sources ...")
    crime = fit_measure(sources, MS.CRIME, p, sampler, seed)
    ho = None
    if p.compare_homeoffice_only and sources.of(MS.CRIME)["kind"].eq("homeoffice_quarterly").any():
        say("Fitting it again to the Home Office table only ...")
        ho = fit_measure(sources, MS.CRIME, p, sampler, seed, kinds=("homeoffice_quarterly",),
                         label="Home Office table only", latest=crime.latest)
    asb = None
    if p.asb and len(sources.of(MS.ASB_MEASURE)):
        say(f"Fitting the ASB nowcast to {len(sources.of(MS.ASB_MEASURE))} observations ...")
        asb = fit_measure(sources, MS.ASB_MEASURE, p, sampler, seed)
    res = NowcastResult(goal, sources, crime, ho, asb)
    res.known = figures(res, p, seed)
    return res


def figures(res: NowcastResult, p, seed: int) -> dict:
    """The results JSON (the keys of the issue), with each source's ratio and each source set's answer."""
    base = official_baseline(res.sources, p.baseline_year)
    crime = goal_figures(res.crime, res.goal, base)
    out = {k: crime[k] for k in GOAL_KEYS}
    out.update({k: crime[k] for k in crime if k not in GOAL_KEYS})
    src = source_table(res.sources, res.crime, seed)
    out["sources"] = {n: {"months": int(r["months_covered"]), "first": r["first"], "last": r["last"],
                          "ratio_median": r["ratio_median"], "ratio_lo": r["ratio_lo"], "ratio_hi": r["ratio_hi"]}
                      for n, r in src.iterrows()}
    out["by_sources"] = {"all_sources": {k: crime[k] for k in GOAL_KEYS}}
    if res.crime_ho_only is not None:
        ho = goal_figures(res.crime_ho_only, res.goal, base)
        out["by_sources"]["homeoffice_only"] = {k: ho[k] for k in GOAL_KEYS}
    out["diagnostics"] = {k: v.diagnostics.figures() for k, v in res.fits().items()}
    res.tables["crime_sources"] = src
    if res.asb is not None:
        asb_base = res.asb.fy_total(p.baseline_year)
        a = goal_figures(res.asb, res.goal, asb_base)
        out["asb"] = a
        ch = change_since(res.asb, p.asb_change_from)
        out["asb_change_since_fy2016_pct"] = ch["median"]
        out["asb_change_since_fy2016_lo"] = ch["lo"]
        out["asb_change_since_fy2016_hi"] = ch["hi"]
        out["asb_change_since"] = ch["since"]
        asrc = source_table(res.sources, res.asb, seed)
        res.tables["asb_sources"] = asrc
        out["asb"]["sources"] = {n: {"months": int(r["months_covered"]), "ratio_median": r["ratio_median"],
                                     "ratio_lo": r["ratio_lo"], "ratio_hi": r["ratio_hi"]} for n, r in asrc.iterrows()}
    else:
        out["asb"] = None
        out["asb_change_since_fy2016_pct"] = None
    known = _known_csps(res.sources)
    csp = csp_table(res.sources, res.crime, crime, res.goal, seed, known)
    if csp is not None:
        res.tables["crime_csp"] = csp
        out["by_csp"] = {a: {k: r[k] for k in ("nowcast_latest_12m_median", "nowcast_latest_12m_lo",
                                               "nowcast_latest_12m_hi", "target_path_at_latest", "p_below_path")}
                         for a, r in csp.iterrows()}
    out["converged"] = all(v["ok"] for v in out["diagnostics"].values())
    return out


def _known_csps(sources: MS.Sources) -> tuple[str, ...] | None:
    """The CSPs of the force: ONS Table C2's where held, Essex's 14 for Essex, else None (shares of 0.5% or more)."""
    from workbench.data.geography import ESSEX_CSPS

    c2 = sources.obs[(sources.obs["kind"] == "ons_c2") & (sources.obs["level"] == "csp")]
    if len(c2):
        return tuple(sorted(a for a in c2["area"].unique() if not a.lower().startswith("unassigned")))
    return ESSEX_CSPS if sources.force == "essex" else None


def observations_chart_data(res: NowcastResult, mf: MeasureFit) -> dict:
    """What the chart draws: each source's observations as monthly rates, the latent path's bands, the target path."""
    o = res.sources.of(mf.measure)
    per = o.groupby(["source", "start", "months"], as_index=False)["count"].sum()
    per["mid"] = [s + pd.DateOffset(days=int(15 * m)) for s, m in zip(per["start"], per["months"])]
    per["monthly"] = per["count"] / per["months"]
    total = mf.draws.sum(axis=1)
    # The fan's bands: the central INTERVAL (q05/q95 at 90%) and the central half.
    bands = pd.DataFrame(np.quantile(total, [LO_Q, 0.25, 0.5, 0.75, HI_Q], axis=0).T, index=mf.months,
                         columns=["q05", "q25", "q50", "q75", "q95"])
    return {"obs": per, "bands": bands}


def _summary_text(f: dict, label: str) -> str:
    """The plain-English paragraph, with the assumptions named."""
    parts = [
        f"Recorded crime (Home Office definition, excluding fraud) in the 12 months to {f['latest_month']} is estimated "
        f"at {f['nowcast_latest_12m_median']:,} ({INTERVAL:.0%} interval {f['nowcast_latest_12m_lo']:,} to "
        f"{f['nowcast_latest_12m_hi']:,}). The target path stands at {f['target_path_at_latest']:,} there, a gap of "
        f"{f['gap_to_path']:+,}. Meeting the goal ({f['target_total']:,} in FY {f['target_year']}, {f['reduction']:.0%} "
        f"below the {f['baseline_total']:,} of FY {f['baseline_year']}) is {likelihood_words(f['p_goal_met'])} "
        f"(P = {prob(f['p_goal_met'])}); "
        f"it needs a fall of {f['required_annual_reduction_now']:.1%} a year from now."]
    ho = f.get("by_sources", {}).get("homeoffice_only")
    if ho:
        parts.append(f"On the Home Office table alone (which ends earlier) the same 12 months would be "
                     f"{ho['nowcast_latest_12m_median']:,} ({ho['nowcast_latest_12m_lo']:,} to "
                     f"{ho['nowcast_latest_12m_hi']:,}) and P(goal met) {prob(ho['p_goal_met'])}: the other sources "
                     "narrow the answer by the months they add.")
    a = f.get("asb")
    if a:
        parts.append(
            f"ASB (street-level definition) in the 12 months to {a['latest_month']}: {a['nowcast_latest_12m_median']:,} "
            f"({a['nowcast_latest_12m_lo']:,} to {a['nowcast_latest_12m_hi']:,}); meeting its goal is "
            f"{likelihood_words(a['p_goal_met'])} "
            f"(P = {prob(a['p_goal_met'])}). Against {f['asb_change_since']} ASB is {f['asb_change_since_fy2016_pct']:+.0f}% "
            f"({f['asb_change_since_fy2016_lo']:+.0f}% to {f['asb_change_since_fy2016_hi']:+.0f}%).")
    parts.append(
        "Assumptions: the Home Office table is the official definition (ratio 1) and ONS 12-month editions count the "
        "same; street-level counts and ONS ASB incidents differ from it by a ratio per offence group that may drift "
        "slowly; months no source covers are unobserved, never filled in; the latent path carries on with its damped "
        "trend, seasonality and random walk; a recording change inside a gap cannot be told from a real change (ASB's "
        "fall between 2019 and 2024 is largely one); the ASB baseline is estimated, as no source holds an official "
        f"ASB total for that year. ({label})")
    return "\n\n".join(parts)


def target_path(goal: Goal, baseline: float) -> pd.Series:
    """The constant-rate target path as a 12-month total at each month from the baseline year's end to the target's."""
    end0 = pd.Timestamp(f"{goal.baseline_year + 1}-03-01")
    months = pd.date_range(end0, f"{goal.target_year + 1}-03-01", freq="MS")
    years = np.array([months_between(end0, m) for m in months]) / 12
    return pd.Series(baseline * (1 - goal.annual_rate) ** years, index=months, name="target path")


def goal_table(f: dict) -> pd.DataFrame:
    """The goal figures for crime and ASB side by side (and crime on the Home Office table only)."""
    keys = ["nowcast_latest_12m_median", "nowcast_latest_12m_lo", "nowcast_latest_12m_hi", "target_path_at_latest",
            "gap_to_path", "baseline_total", "target_total", "forecast_target_median", "forecast_target_lo",
            "forecast_target_hi", "p_goal_met", "required_annual_reduction_now"]
    cols = {"Crime, every source": {k: f.get(k) for k in keys}}
    ho = f.get("by_sources", {}).get("homeoffice_only")
    if ho:
        cols["Crime, Home Office only"] = {k: ho.get(k) for k in keys}
    if f.get("asb"):
        cols["ASB, every source"] = {k: f["asb"].get(k) for k in keys}
    out = pd.DataFrame(cols).astype(float)
    out.index.name = f"latest month {f['latest_month']}"
    return out
