"""Did the hotspot patrols work? The logic behind ``notebooks/20-hotspot-policing.ipynb``.

**Units** are LSOAs. The outcome is the monthly count of the outcome
categories (ASB and violence by default), summed.

**Roles.** The *hotspots* are named by the analyst (codes, names, or points
with a radius). The *ring* is every other LSOA whose centroid lies within
``ring_m`` of a hotspot's: its own effect tells displacement (crime moves
next door: up) from diffusion (the benefit spreads: down). *Controls* are
LSOAs at least ``buffer_m`` from every hotspot, matched to the hotspots on
pre-period level and trend (nearest neighbours on standardised log level and
log-linear trend, without replacement).

**Design.** A comparative interrupted time series with a Negative Binomial
likelihood (:mod:`workbench.models.cits`), fitted twice: with the
evidence-based prior on the effect and with a sceptical prior centred on no
effect (prior sensitivity).

**Figures.** The effect is the % change of the hotspots' expected count after
the start against the counterfactual without the patrols (summed over hotspots
and months, so busy hotspots weigh more); crimes averted = counterfactual minus
fitted expected counts; harm averted = crimes averted split over the outcome
categories by their pre-period shares, times each category's harm weight (ASB
has no official weight and is left out of harm).

**Checks.** Placebo in time: the model refitted on the pre-period only with a
fake start ``k`` months before the real one; its interval should contain zero.
Placebo in space: randomisation inference -- the difference-in-differences of
the hotspots against the controls, ranked among the same statistic for many
random sets of control LSOAs posing as hotspots; ``placebo_p`` is the share of
placebo sets with at least as large a reduction. Pre-trend: the model without
effects on the pre-period only; the hotspots' trend relative to the controls'
should be near zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench import yardstick
from workbench.data.geography import distance_m
from workbench.errors import DataError, ParamDataError
from workbench.evaluations.result import Result, Summary
from workbench.models import cits
from workbench.models.sampling import check_sampler
from workbench.params import sampler_settings
from workbench.yardstick import INTERVAL, PLACEBO_P_MAX, PRE_TREND_TOLERANCE

MIN_PRE, MIN_POST = 6, 3  # covered months the window needs before the start and from it (also for a placebo start)


# ----------------------------------------------------------------------------- outcome matrix


@dataclass
class Outcome:
    """Monthly counts of the outcome categories by LSOA: y (U, T) and per category (C, U, T)."""

    codes: np.ndarray
    names: np.ndarray
    months: pd.DatetimeIndex  # the months the panel covers (gaps are left out, never filled)
    categories: list[str]
    by_category: np.ndarray

    @property
    def y(self) -> np.ndarray:
        return self.by_category.sum(axis=0)


def outcome(panel: pd.DataFrame, categories: list[str]) -> Outcome:
    """The LSOA x month counts of ``categories`` (LSOA rows only; months the panel does not cover are left out)."""
    if (panel["frequency"].astype(str) != "M").any():
        raise DataError("the hotspot evaluation needs monthly LSOA data (data.police.uk street files or the demo)")
    lsoa = panel[panel["area_level"].astype(str) == "lsoa"]
    if lsoa.empty:
        raise DataError("the data have no LSOA-level rows; the hotspot evaluation needs counts by LSOA "
                        "(data.source policeuk, policeuk_counts or demo)")
    present = set(map(str, lsoa["category"].unique()))
    unknown = [c for c in categories if c not in present]
    if unknown:
        raise ParamDataError("categories", f"hotspot categories {unknown} are not in the data. Categories present: "
                             f"{sorted(present)}. Fix: 'categories' in the notebook's parameters.")
    months = pd.DatetimeIndex(sorted(lsoa["period"].unique()))
    # An LSOA keeps its code when the names are renumbered (2011 vs 2021 vintages): use each code's latest name.
    areas = (lsoa.sort_values("period")[["area_code", "area_name"]].astype(str)
             .drop_duplicates("area_code", keep="last").sort_values("area_code"))
    codes = areas["area_code"].to_numpy()
    sel = lsoa[lsoa["category"].isin(categories)]
    cube = np.zeros((len(categories), len(codes), len(months)))
    ci = sel["category"].astype(str).map({c: i for i, c in enumerate(categories)}).to_numpy()
    ui = pd.Index(codes).get_indexer(sel["area_code"].astype(str))
    ti = months.get_indexer(sel["period"])
    np.add.at(cube, (ci, ui, ti), sel["count"].to_numpy())
    return Outcome(codes, areas["area_name"].to_numpy(), months, list(categories), cube)


# ----------------------------------------------------------------------------- hotspots and candidates


def resolve_hotspots(spec: list, out: Outcome, centroids: pd.DataFrame) -> np.ndarray:
    """Indices (into ``out.codes``) of the hotspots named by code, by name or by a point and radius."""
    by_code = {c: i for i, c in enumerate(out.codes)}
    by_name = {n: i for i, n in enumerate(out.names)}
    picked: list[int] = []
    for k, item in enumerate(spec):
        if isinstance(item, str):
            i = by_code.get(item, by_name.get(item))
            if i is None:
                sample = ", ".join(f"{c} ({n})" for c, n in list(zip(out.codes, out.names))[:5])
                raise ParamDataError(("hotspots", k), f"'{item}' is not an LSOA code or name in the data (e.g. {sample}). "
                                     "Fix: check the spelling, or give a point with a radius.")
            picked.append(i)
        else:
            pos = centroids.set_index("area_code").reindex(out.codes)
            d = distance_m(item.lat, item.lon, pos["lat"].to_numpy(), pos["lon"].to_numpy())
            inside = np.nonzero(np.nan_to_num(d, nan=np.inf) <= item.radius_m)[0]
            if len(inside) == 0:
                raise ParamDataError(("hotspots", k), f"no LSOA centroid within {item.radius_m:.0f} m of ({item.lat}, "
                                     f"{item.lon}). Fix: a larger radius, or check the coordinates (latitude, longitude in degrees).")
            picked.extend(inside.tolist())
    return np.array(sorted(set(picked)))  # an LSOA named twice (or inside two circles) is one hotspot


def candidates(out: Outcome, months: pd.DatetimeIndex, top_n: int, weights: dict[str, float] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Candidate hotspots: the top LSOAs by count (or harm, with ``weights``) over ``months``; and the concentration curve.

    Returns the top table (rank, code, name, value, share, cumulative share) and
    the curve (share of LSOAs vs share of the measure, LSOAs in falling order).
    """
    cols = out.months.isin(months)
    if not cols.any():
        raise ParamDataError("candidate_months", f"no data in the candidate window {months[0]:%Y-%m} to "
                             f"{months[-1]:%Y-%m} (the data cover {covered_text(out.months)}). Fix: a longer "
                             "candidate_months, or another start")
    if weights is None:
        value = out.by_category[:, :, cols].sum(axis=(0, 2))
    else:
        w = np.array([weights.get(c, 0.0) for c in out.categories])
        value = np.einsum("c,cut->u", w, out.by_category[:, :, cols])
    order = np.argsort(-value, kind="stable")
    total = value.sum()
    share = value[order] / total if total > 0 else np.zeros(len(order))
    top = pd.DataFrame({
        "rank": np.arange(1, min(top_n, len(order)) + 1),
        "area_code": out.codes[order][:top_n],
        "area_name": out.names[order][:top_n],
        "value": value[order][:top_n],
        "share": share[:top_n],
        "cumulative share": np.cumsum(share)[:top_n],
    })
    curve = pd.DataFrame({"share of areas": np.arange(1, len(order) + 1) / len(order), "share of total": np.cumsum(share)})
    return top, curve


# ----------------------------------------------------------------------------- design


@dataclass
class Roles:
    """Who is who, with the reasons for any LSOA left out."""

    hotspots: np.ndarray
    ring: np.ndarray
    controls: np.ndarray
    buffer: np.ndarray  # in the buffer: neither ring nor control
    no_centroid: np.ndarray  # no centroid: cannot be placed, so not a ring unit or control
    distance: np.ndarray  # (U,) metres to the nearest hotspot (NaN without a centroid)
    notes: list[str] = field(default_factory=list)


def window(out: Outcome, start: pd.Timestamp, end: pd.Timestamp | None, pre_months: int, post_months: int | None) -> np.ndarray:
    """Columns of ``out`` in the analysis window (covered months only)."""
    lo = start - pd.DateOffset(months=pre_months)
    hi = end if end is not None else out.months[-1]
    if post_months is not None:
        hi = min(hi, start + pd.DateOffset(months=post_months - 1))
    cols = (out.months >= lo) & (out.months <= hi)
    pre, post = (cols & (out.months < start)).sum(), (cols & (out.months >= start)).sum()
    last = out.months[-1]
    if start > last:
        raise ParamDataError("start", (
            f"{start:%Y-%m} is after the data's last month {last:%Y-%m}: only 0 month(s) of data from the start, and "
            f"the evaluation needs at least {MIN_POST}. Fix: a start of {last - pd.DateOffset(months=MIN_POST - 1):%Y-%m} "
            "or earlier, or data that run past the start"))
    if pre < MIN_PRE:
        raise ParamDataError("start", (
            f"only {pre} month(s) of data before the start {start:%Y-%m} in the window of pre_months = {pre_months} "
            f"(the data cover {covered_text(out.months)}); at least {MIN_PRE} are needed. Fix: a later start, a longer "
            "pre_months, or more data"))
    if post < MIN_POST:
        raise ParamDataError("start", (
            f"only {post} month(s) of data from the start {start:%Y-%m} (the data cover {covered_text(out.months)}, to "
            f"{last:%Y-%m}); at least {MIN_POST} are needed. Fix: an earlier start, or wait for more data"))
    return np.nonzero(cols)[0]


def covered_text(months: pd.DatetimeIndex) -> str:
    """The covered months as ranges, e.g. ``2024-01…2024-04, 2025-01…2025-12``."""
    from workbench.data.panel import format_periods

    return format_periods(months)


def log_trend(y: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Least-squares slope of log(y + 0.5) on time, per row."""
    ly = np.log(y + 0.5)
    tc = tau - tau.mean()
    return (ly - ly.mean(axis=1, keepdims=True)) @ tc / max((tc**2).sum(), 1e-12)


def assign_roles(out: Outcome, hot: np.ndarray, centroids: pd.DataFrame, cols: np.ndarray, start: pd.Timestamp,
                 ring_m: float, buffer_m: float, n_controls: int) -> Roles:
    """Ring, buffer and matched controls around the hotspots ``hot`` (indices into ``out.codes``)."""
    pos = centroids.drop_duplicates("area_code").set_index("area_code").reindex(out.codes)
    lat, lon = pos["lat"].to_numpy(), pos["lon"].to_numpy()
    has = ~np.isnan(lat)
    missing_hot = [out.codes[i] for i in hot if not has[i]]
    if missing_hot:
        raise ParamDataError("hotspots", f"hotspots without a centroid: {missing_hot[:10]}. Fix: add them to the "
                             "centroids file.")
    d = distance_m(lat[:, None], lon[:, None], lat[hot][None, :], lon[hot][None, :])
    dist = np.nanmin(np.where(np.isnan(d), np.inf, d), axis=1)
    dist[~has] = np.nan
    is_hot = np.zeros(len(out.codes), bool)
    is_hot[hot] = True
    active = out.y[:, cols].sum(axis=1) > 0
    quiet = [out.codes[i] for i in hot if not active[i]]
    if quiet:
        raise ParamDataError("hotspots", f"hotspots with no recorded outcome in the window: {quiet[:10]} (an LSOA code "
                             "of another vintage?). Fix: check the codes against the data's months.")
    ring = has & active & ~is_hot & (dist <= ring_m)
    buffer = has & active & ~is_hot & ~ring & (dist < buffer_m)
    pool = np.nonzero(has & active & ~is_hot & ~ring & ~buffer)[0]
    notes = []
    if (~has & active).any():
        notes.append(f"{int((~has & active).sum())} LSOA(s) have no centroid and are neither ring units nor controls.")
    if (~active).any():
        notes.append(f"{int((~active).sum())} LSOA(s) have no recorded outcome in the window (e.g. codes of another "
                     "LSOA vintage) and are left out.")
    if len(pool) < 2:
        raise ParamDataError("buffer_m", f"only {len(pool)} LSOA(s) lie beyond buffer_m = {buffer_m:.0f} m of every "
                             "hotspot: too few controls. Fix: a smaller buffer_m, or data covering a wider area.")
    # Match on the pre-period's log level and log-linear trend, standardised over the hotspots and the pool.
    pre = cols[out.months[cols] < start]
    tau = ((out.months[pre] - start).days / 365.25).to_numpy()
    y = out.y[:, pre]
    feats = np.column_stack([np.log(y.mean(axis=1) + 0.5), log_trend(y, tau)])
    both = np.concatenate([hot, pool])
    sd = feats[both].std(axis=0)
    sd[sd < 1e-9] = 1.0  # a feature that does not vary (e.g. no trend anywhere) does not count
    z = feats / sd
    want = min(n_controls, len(pool))
    if want < n_controls:
        notes.append(f"{len(pool)} LSOA(s) are eligible as controls, fewer than n_controls = {n_controls}: all are used.")
    chosen: list[int] = []
    free = np.ones(len(pool), bool)
    per_hot = int(np.ceil(want / len(hot)))
    dz = np.linalg.norm(z[hot][:, None, :] - z[pool][None, :, :], axis=2)  # (H, P)
    for _ in range(per_hot):  # round robin: each hotspot takes its nearest free LSOA in turn
        for h in np.argsort(feats[hot, 0])[::-1]:
            if len(chosen) >= want:
                break
            cand = np.where(free, dz[h], np.inf)
            j = int(np.argmin(cand))
            if np.isfinite(cand[j]):
                chosen.append(pool[j])
                free[j] = False
    return Roles(np.sort(hot), np.nonzero(ring)[0], np.sort(np.array(chosen)), np.nonzero(buffer)[0],
                 np.nonzero(~has)[0], dist, notes)


def build_design(out: Outcome, roles: Roles, cols: np.ndarray, start: pd.Timestamp, dose: np.ndarray | None = None) -> cits.Design:
    """The model's design over the window ``cols``: units ordered hotspots, ring, controls."""
    units = np.concatenate([roles.hotspots, roles.ring, roles.controls])
    months = out.months[cols]
    treated = np.zeros(len(units), bool)
    treated[: len(roles.hotspots)] = True
    ring = np.zeros(len(units), bool)
    ring[len(roles.hotspots): len(roles.hotspots) + len(roles.ring)] = True
    full_dose = np.ones(len(units))
    if dose is not None:
        full_dose[: len(roles.hotspots)] = dose
    return cits.Design(
        y=out.y[np.ix_(units, cols)], tau=((months - start).days / 365.25).to_numpy(), post=np.asarray(months >= start),
        treated=treated, ring=ring, dose=full_dose,
    )


def dosage(spec: dict[str, float] | None, out: Outcome, hot: np.ndarray) -> np.ndarray | None:
    """Relative dosage of each hotspot (mean 1), from a mapping of code or name to dose."""
    if not spec:
        return None
    known = {**{c: i for i, c in enumerate(out.codes)}, **{n: i for i, n in enumerate(out.names)}}
    dose = np.full(len(hot), np.nan)
    pos = {h: k for k, h in enumerate(hot)}
    for key, v in spec.items():
        i = known.get(key)
        if i is None or i not in pos:
            raise ParamDataError(("dosage", key), f"'{key}' is not one of the hotspots. Fix: key dosage by the hotspots' "
                                 "codes or names.")
        if v < 0:
            raise ParamDataError(("dosage", key), f"a negative dose {v}. Fix: a dose of 0 or more.")
        dose[pos[i]] = v
    if np.isnan(dose).any():
        missing = [out.codes[h] for h, v in zip(hot, dose) if np.isnan(v)]
        raise ParamDataError("dosage", f"no dose for hotspot(s) {missing[:10]}. Fix: give every hotspot a dose, or none.")
    if dose.mean() == 0:
        raise ParamDataError("dosage", "every dose is zero. Fix: give the hotspots' relative doses, or none.")
    return dose / dose.mean()


# ----------------------------------------------------------------------------- figures


def interval(x: np.ndarray) -> tuple[float, float, float]:
    lo, med, hi = yardstick.interval(x)
    return float(med), float(lo), float(hi)


@dataclass
class EffectSummary:
    """The counterfactual figures of one fit, as posterior draws."""

    effect_pct: np.ndarray
    averted: np.ndarray
    spillover_pct: np.ndarray | None
    ring_change: np.ndarray | None
    hotspot_rr: np.ndarray  # (D, H) rate ratio per hotspot
    diagnostics: tuple[float, float, int]
    monthly_fit: np.ndarray  # (D, T) expected monthly total of the hotspots, as fitted
    monthly_cf: np.ndarray  # (D, T) the same without the patrols

    def diagnostics_ok(self) -> bool:
        from workbench.models import converged

        return converged(*self.diagnostics)

    def row(self) -> dict:
        med, lo, hi = interval(self.effect_pct)
        a = interval(self.averted)
        out = {"effect_pct_median": med, "effect_pct_lo": lo, "effect_pct_hi": hi,
               "p_reduction": float(np.mean(self.effect_pct < 0)),
               "crimes_averted_median": a[0], "crimes_averted_lo": a[1], "crimes_averted_hi": a[2]}
        if self.spillover_pct is not None:
            s = interval(self.spillover_pct)
            out.update(spillover_pct_median=s[0], spillover_pct_lo=s[1], spillover_pct_hi=s[2],
                       p_displacement=float(np.mean(self.spillover_pct > 0)))
        return out


def summarise(fit: cits.Fit) -> EffectSummary:
    d = fit.design
    hot = np.nonzero(d.treated)[0]
    eff = cits.effect(fit, hot)  # the effect contract: the patrols' expected counts against E[y | no patrols]
    spill = ring_change = None
    if d.ring.any():
        spill = 100 * (np.exp(fit.draws("spillover")) - 1)
        r = np.nonzero(d.ring)[0]
        ring_change = (cits.expected(fit, r, True)[:, :, d.post].sum(axis=(1, 2))
                       - cits.expected(fit, r, False)[:, :, d.post].sum(axis=(1, 2)))
    return EffectSummary(eff.pct("expected"), eff.averted("expected"), spill, ring_change,
                         np.exp(fit.draws("hotspot_effect")), cits.diagnostics(fit), eff.expected_with, eff.expected_without)


def did_statistic(y: np.ndarray, post: np.ndarray, treated: np.ndarray, control: np.ndarray) -> float:
    """Log ratio of post/pre totals, treated minus control (a difference-in-differences on the log scale)."""
    def lr(rows):
        s = y[rows]
        return np.log(s[:, post].sum() + 0.5) - np.log(s[:, ~post].sum() + 0.5)
    return float(lr(treated) - lr(control))


def placebo_in_space(design: cits.Design, n_sets: int, seed: int) -> tuple[float, np.ndarray, float]:
    """Randomisation inference: (actual statistic, placebo statistics, one-sided p for a reduction)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(71,)))
    hot = np.nonzero(design.treated)[0]
    ctrl = np.nonzero(~design.treated & ~design.ring)[0]
    actual = did_statistic(design.y, design.post, hot, ctrl)
    k = len(hot)
    if len(ctrl) < k + 2:
        k = max(1, len(ctrl) // 2)  # fewer controls than hotspots: placebo sets of half the controls
    stats = np.empty(n_sets)
    for i in range(n_sets):
        perm = rng.permutation(ctrl)
        stats[i] = did_statistic(design.y, design.post, perm[:k], perm[k:])
    p = (1 + np.sum(stats <= actual)) / (1 + n_sets)
    return actual, stats, float(p)


def placebo_design(design: cits.Design, tau_start: float) -> cits.Design:
    """The pre-period only, with a fake start at ``tau_start`` years (negative: before the real start)."""
    pre = ~design.post
    return cits.Design(y=design.y, tau=design.tau - tau_start, post=pre & (design.tau >= tau_start),
                       treated=design.treated, ring=design.ring, dose=design.dose, use=pre)


def pre_design(design: cits.Design) -> cits.Design:
    """The pre-period only (for the pre-trend check, fitted without effect terms)."""
    pre = ~design.post
    return cits.Design(y=design.y, tau=design.tau, post=np.zeros(len(pre), bool),
                       treated=design.treated, ring=design.ring, dose=design.dose, use=pre)


def harm_split(out: Outcome, roles: Roles, cols: np.ndarray, start: pd.Timestamp) -> pd.Series:
    """Share of each outcome category in the hotspots' pre-period counts."""
    pre = cols[out.months[cols] < start]
    tot = out.by_category[:, roles.hotspots][:, :, pre].sum(axis=(1, 2)) if len(pre) else np.zeros(len(out.categories))
    s = tot.sum()
    return pd.Series(tot / s if s > 0 else tot, index=out.categories)


# ----------------------------------------------------------------------------- the whole evaluation


@dataclass
class HotspotResult(Result):
    out: Outcome
    roles: Roles
    design: cits.Design
    start: pd.Timestamp
    months: pd.DatetimeIndex
    fits: dict[str, EffectSummary]  # "evidence prior", "sceptical prior"
    priors: dict[str, object]
    placebo_time: pd.DataFrame
    placebo_space: tuple[float, np.ndarray, float]
    pre_trend: tuple[float, float, float]  # annual % difference of the hotspots' trend: median, lo, hi
    shares: pd.Series
    harm: dict
    notes: list[str]
    seconds: float

    @property
    def main(self) -> EffectSummary:
        return self.fits["evidence prior"]

    def pre_trend_ok(self) -> bool:
        med, lo, hi = self.pre_trend
        tol = 100 * (np.exp(PRE_TREND_TOLERANCE) - 1)
        return lo <= 0 <= hi or abs(med) < tol

    def placebo_time_ok(self) -> bool:
        return bool(self.placebo_time["contains zero"].all()) if len(self.placebo_time) else True

    def placebo_space_ok(self) -> bool:
        return self.placebo_space[2] <= PLACEBO_P_MAX

    def sensitivity(self) -> pd.DataFrame:
        rows = {}
        for name, s in self.fits.items():
            p = self.priors[name]
            r = s.row()
            rows[name] = {"prior": f"log RR ~ Normal({p.mean:+.3f}, {p.sd:.2f})",
                          "effect_pct_median": r["effect_pct_median"], "effect_pct_lo": r["effect_pct_lo"],
                          "effect_pct_hi": r["effect_pct_hi"], "p_reduction": r["p_reduction"],
                          "crimes_averted_median": r["crimes_averted_median"], "crimes_averted_lo": r["crimes_averted_lo"],
                          "crimes_averted_hi": r["crimes_averted_hi"]}
        return pd.DataFrame(rows).T.infer_objects()

    def map_groups(self) -> dict[str, list[str]]:
        """The LSOA codes of the hotspots, the ring and the controls (for :func:`workbench.maps.design_map`)."""
        c = self.out.codes
        return {"hotspots": list(c[self.roles.hotspots]), "ring": list(c[self.roles.ring]),
                "controls": list(c[self.roles.controls])}

    def outcome_by_lsoa(self) -> pd.Series:
        """The outcome per LSOA per month before the start (the mean over the window's pre-period months)."""
        pre = (self.months < self.start)
        cols = np.nonzero(self.out.months.isin(self.months[pre]))[0]
        return pd.Series(self.out.y[:, cols].mean(axis=1), index=self.out.codes)

    def per_hotspot(self) -> pd.DataFrame:
        rr = self.main.hotspot_rr
        lo, med, hi = yardstick.interval(rr, axis=0)
        h = self.roles.hotspots
        return pd.DataFrame({"area_code": self.out.codes[h], "area_name": self.out.names[h],
                             "effect % (median)": 100 * (med - 1), "lo %": 100 * (lo - 1), "hi %": 100 * (hi - 1),
                             "pre-period monthly mean": self.design.y[: len(h)][:, ~self.design.post].mean(axis=1)})

    def groups(self) -> pd.DataFrame:
        """Hotspots, ring and controls before the start: number of LSOAs, monthly mean and log-linear trend."""
        d = self.design
        rows = {}
        for name, r in (("hotspots", d.treated), ("ring", d.ring), ("controls", ~d.treated & ~d.ring)):
            y = d.y[r][:, ~d.post]
            rows[name] = {"LSOAs": int(r.sum()), "pre-period monthly mean": float(y.mean()) if r.any() else np.nan,
                          "pre-period trend (% a year)": 100 * (np.exp(log_trend(y, d.tau[~d.post]).mean()) - 1) if r.any() else np.nan}
        return pd.DataFrame(rows).T.astype({"LSOAs": int})

    def checks(self) -> pd.DataFrame:
        med, lo, hi = self.pre_trend
        actual, stats, p = self.placebo_space
        rows = [{"check": "pre-trend (hotspots vs controls, % a year)", "result": f"{med:+.1f} ({lo:+.1f} to {hi:+.1f})",
                 "passed": self.pre_trend_ok()}]
        for _, r in self.placebo_time.iterrows():
            rows.append({"check": f"placebo in time: fake start {r['fake start']}",
                         "result": f"{r['effect % (median)']:+.1f}% ({r['lo %']:+.1f} to {r['hi %']:+.1f})",
                         "passed": bool(r["contains zero"])})
        rows.append({"check": f"placebo in space: {len(stats)} random control sets",
                     "result": f"placebo p = {p:.3f} (actual DiD {100 * (np.exp(actual) - 1):+.1f}%)",
                     "passed": self.placebo_space_ok()})
        return pd.DataFrame(rows)

    def figures(self) -> dict:
        m = self.main.row()
        fig = {k: round(v, 4) for k, v in m.items()}
        fig["placebo_p"] = round(self.placebo_space[2], 4)
        fig["harm_averted_median"] = self.harm.get("median")
        fig["n_hotspots"] = int(len(self.roles.hotspots))
        fig["n_ring"] = int(len(self.roles.ring))
        fig["n_controls"] = int(len(self.roles.controls))
        fig["sceptical_prior"] = {k: round(v, 4) for k, v in self.fits["sceptical prior"].row().items()}
        fig["checks"] = {"pre_trend_ok": self.pre_trend_ok(), "placebo_time_ok": self.placebo_time_ok(),
                         "placebo_space_ok": self.placebo_space_ok()}
        fig["diagnostics"] = {n: {"max_rhat": round(s.diagnostics[0], 3), "min_ess_bulk": round(s.diagnostics[1]),
                                  "divergences": s.diagnostics[2]} for n, s in self.fits.items()}
        return fig

    def summary(self, label: str) -> Summary:
        """The effect under each prior, and the paragraph of :func:`_summary_text`."""
        return Summary(self.sensitivity(), _summary_text(self, label))


def placebo_starts(design: cits.Design, start: pd.Timestamp, offsets: list[int]) -> list[tuple[int, pd.Timestamp, cits.Design]]:
    """(offset, fake start, design) of each placebo in time; each needs 6 covered months before it and 3 after."""
    out = []
    for j, k in enumerate(offsets):
        fake = start - pd.DateOffset(months=k)
        pdz = placebo_design(design, float((fake - start).days / 365.25))
        before = (~pdz.post & pdz.used).sum()
        if pdz.post.sum() < MIN_POST or before < MIN_PRE:
            raise ParamDataError(("placebo_offsets", j), (
                f"a fake start {k} months before {start:%Y-%m} leaves {before} month(s) before and "
                f"{pdz.post.sum()} after it in the covered pre-period; at least {MIN_PRE} and {MIN_POST} are needed. "
                "Fix: other offsets or a longer pre_months."))
        out.append((k, fake, pdz))
    return out


def prepare(panel: pd.DataFrame, p, centroids: pd.DataFrame, hotspots: list):
    """The outcome, start, roles, window columns, design and placebo designs of the evaluation: every check on the
    parameters against the data, and nothing fitted (:func:`check` stops here)."""
    out = outcome(panel, p.categories)
    start = pd.Timestamp(f"{p.start}-01")
    end = pd.Timestamp(f"{p.end}-01") if p.end else None
    hot = resolve_hotspots(hotspots, out, centroids)
    cols = window(out, start, end, p.pre_months, p.post_months)
    roles = assign_roles(out, hot, centroids, cols, start, p.ring_m, p.buffer_m, p.n_controls)
    design = build_design(out, roles, cols, start, dosage(p.dosage, out, hot))
    return out, start, roles, cols, design, placebo_starts(design, start, p.placebo_offsets)


def candidate_months(p) -> pd.DatetimeIndex:
    """The window for proposing hotspots: the ``candidate_months`` months before the start."""
    cstart = pd.Timestamp(f"{p.start}-01")
    return pd.date_range(cstart - pd.DateOffset(months=p.candidate_months), cstart - pd.DateOffset(months=1), freq="MS")


def check(p, run, panel: pd.DataFrame) -> None:
    """Every check of ``20-hotspot-policing``'s parameters ``p`` against the run's panel, without fitting anything."""
    hotspots, centroids = inputs(p, run)
    out = prepare(panel, p, centroids, hotspots)[0]
    candidates(out, candidate_months(p), p.top_n)


def run(panel: pd.DataFrame, p, centroids: pd.DataFrame, hotspots: list, sampler, seed: int,
        weights=None, say=print) -> HotspotResult:
    """The whole evaluation: roles, two fits (evidence and sceptical priors), placebo and pre-trend checks."""
    import time

    t0 = time.perf_counter()
    sampler = sampler_settings(sampler)
    out, start, roles, cols, design, placebos = prepare(panel, p, centroids, hotspots)
    months = out.months[cols]
    say(f"{len(roles.hotspots)} hotspots, {len(roles.ring)} ring LSOAs, {len(roles.controls)} matched controls; "
        f"{(~design.post).sum()} months before and {design.post.sum()} from {start:%Y-%m}.")
    priors = {"evidence prior": cits.Prior(p.effect_prior.mean, p.effect_prior.sd),
              "sceptical prior": cits.Prior(p.sceptical_prior.mean, p.sceptical_prior.sd)}
    spill_prior = cits.Prior(p.spillover_prior.mean, p.spillover_prior.sd)
    fits = {}
    for i, (name, prior) in enumerate(priors.items()):
        say(f"Fitting with the {name} ...")
        fits[name] = summarise(cits.fit(design, prior, spill_prior, sampler, seed + i, label=f"the fit with the {name}"))
    rows = []
    for k, fake, pdz in placebos:
        say(f"Placebo in time: fake start {fake:%Y-%m} ...")
        s = summarise(cits.fit(pdz, priors["sceptical prior"], spill_prior, check_sampler(sampler), seed + 10 + k,
                               label=f"the placebo fit {k} months earlier"))
        med, lo, hi = interval(s.effect_pct)
        rows.append({"fake start": f"{fake:%Y-%m}", "effect % (median)": med, "lo %": lo, "hi %": hi,
                     "contains zero": bool(lo <= 0 <= hi)})
    say("Pre-trend check: the pre-period without effect terms ...")
    pre = cits.fit(pre_design(design), priors["sceptical prior"], spill_prior, check_sampler(sampler), seed + 7,
                   with_effects=False, label="the pre-trend fit")
    pre_trend = interval(100 * (np.exp(pre.draws("trend_hot")) - 1))
    space = placebo_in_space(design, p.placebo_sets, seed)
    shares = harm_split(out, roles, cols, start)
    harm = {}
    if weights is not None:
        weighted = [c for c in out.categories if weights.has(c)]
        w = sum(shares[c] * weights.weight(c) for c in weighted)
        draws = fits["evidence prior"].averted * w
        med, lo, hi = interval(draws)
        harm = {"median": round(med, 1), "lo": round(lo, 1), "hi": round(hi, 1), "unit": weights.unit,
                "scheme": weights.scheme, "categories": weighted,
                "left_out": [c for c in out.categories if not weights.has(c)],
                "share_left_out": round(float(sum(shares[c] for c in out.categories if not weights.has(c))), 4),
                "verified": all(weights.verified[c] for c in weighted)}
    return HotspotResult(out, roles, design, start, months, fits, priors, pd.DataFrame(rows), space, pre_trend,
                         shares, harm, list(roles.notes), time.perf_counter() - t0)


def _reading(row: dict) -> str:
    if row["effect_pct_hi"] < 0:
        return "a reduction"
    if row["effect_pct_lo"] > 0:
        return "an increase"
    return "no clear effect"


def _prior_verdict(evidence: dict, sceptical: dict) -> str:
    a, b = _reading(evidence), _reading(sceptical)
    if a == b:
        return f"Under either prior the {INTERVAL:.0%} interval shows {a}: the conclusion does not hinge on the prior."
    return (f"The evidence prior shows {a}, the sceptical prior {b}: the conclusion **depends on the prior**, so the "
            "data alone are not decisive.")


def _summary_text(res: HotspotResult, label: str) -> str:
    """A plain-English paragraph: the effect, what it means in crimes and harm, spillover and the checks."""
    r = res.main.row()
    sc = res.fits["sceptical prior"].row()
    n = len(res.roles.hotspots)
    direction = "fewer" if r["effect_pct_median"] < 0 else "more"
    text = [
        f"Over {res.design.post.sum()} months from {res.start:%B %Y}, the {n} hotspots recorded an estimated "
        f"**{abs(r['effect_pct_median']):.0f}% {direction}** {' and '.join(c.lower() for c in res.out.categories)} "
        f"than they would have without the patrols ({INTERVAL:.0%} interval {r['effect_pct_lo']:+.0f}% to "
        f"{r['effect_pct_hi']:+.0f}%; P(reduction) = {r['p_reduction']:.2f}), about "
        f"**{r['crimes_averted_median']:,.0f}** incidents averted ({r['crimes_averted_lo']:,.0f} to {r['crimes_averted_hi']:,.0f}).",
        f"With a sceptical prior centred on no effect the estimate is {sc['effect_pct_median']:+.0f}% "
        f"({sc['effect_pct_lo']:+.0f}% to {sc['effect_pct_hi']:+.0f}%). " + _prior_verdict(r, sc),
    ]
    if res.harm:
        text.append(f"In harm, about {res.harm['median']:,.0f} {res.harm['unit']} of {res.harm['scheme'].upper()} harm averted "
                    f"({res.harm['lo']:,.0f} to {res.harm['hi']:,.0f}; {', '.join(res.harm['left_out']) or 'nothing'} left out "
                    "for want of an official weight" + ("" if res.harm["verified"] else "; the weights are not verified") + ").")
    if "spillover_pct_median" in r:
        s = r["spillover_pct_median"]
        kind = ("crime moving next door (displacement)" if r["spillover_pct_lo"] > 0 else
                "the benefit spreading next door (diffusion)" if r["spillover_pct_hi"] < 0 else
                "neither displacement nor diffusion clearly")
        text.append(f"In the {len(res.roles.ring)} neighbouring LSOAs the change was {s:+.1f}% ({r['spillover_pct_lo']:+.1f}% "
                    f"to {r['spillover_pct_hi']:+.1f}%): {kind}.")
    design_failed = res.checks().iloc[:-1].query("not passed")["check"].tolist()
    if design_failed:
        text.append("**Checks that failed:** " + "; ".join(design_failed) + ". The design's assumptions may not hold: "
                    "treat the effect with caution.")
    else:
        text.append("The pre-trend and placebo-in-time checks passed.")
    p = res.placebo_space[2]
    if res.placebo_space_ok():
        text.append(f"The hotspots' change stands out among random sets of control LSOAs (placebo p = {p:.3f}).")
    else:
        text.append(f"**The hotspots' change does not stand out** among random sets of control LSOAs (placebo p = {p:.2f}): "
                    "it could be chance.")
    text.append(f"({label})")
    return " ".join(text)


def inputs(p, run) -> tuple[list, pd.DataFrame]:
    """The hotspots and the centroids a run uses: the demo's own when the data are the demo and none are named."""
    from workbench.data import demo
    from workbench.data.geography import read_centroids

    data_source = run.data.source
    if p.hotspots is None:
        if data_source != "demo":
            raise ParamDataError("hotspots", "none named. Fix: list the hotspots' LSOA codes or names (or points with "
                                 "a radius in metres) under the notebook's parameters; the candidate table below the data "
                                 "helps choose.")
        hotspots = list(demo.hotspot_lsoas())
    else:
        hotspots = list(p.hotspots)
    if p.centroids is None:
        if data_source != "demo":
            raise ParamDataError("centroids", "none given. The ring and the buffer need LSOA positions. Fix: set "
                                 "'centroids' to a CSV of area_code, lat, lon (e.g. ONS LSOA population-weighted "
                                 "centroids) or a folder of data.police.uk street files.")
        return hotspots, demo.lsoa_centroids(run.data.demo.lsoa_fraction)
    return hotspots, read_centroids(p.centroids)
