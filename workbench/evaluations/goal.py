"""Are we on track for the goal? Baseline, target path and forecast against it.

The logic behind ``notebooks/10-goal-tracking.ipynb``.

* **Financial years** run April to March; ``FY 2023`` means 2023/24.
* **Baseline** = the measure's recorded total in the baseline year (it must
  be fully covered by the data -- no year is estimated from part of it).
* **Target** = baseline x (1 - reduction) in the target year; the **target
  path** is the constant-rate path between them (the same percentage fall each
  year).
* A **forecast** is a set of draws of every series in every future period.
  A year's total in a draw is its recorded periods plus that draw's forecast
  periods, so P(goal met) = share of draws whose target-year total is at or
  below the target.
* **Required annual reduction now**: the constant annual fall that takes the
  latest 12 months recorded to the target in the time left. **Forecast annual
  change**: the annual rate the median forecast implies over the same span.
* **Drivers**: the gap (forecast minus target) split exactly into parts: each
  area's or category's median forecast for the target year minus its share of
  the target (its baseline x (1 - reduction)).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.data.panel import format_periods
from workbench.dates import fy_label, fy_periods  # noqa: F401  (G.fy_label in the notebook)
from workbench.errors import DataError, ParamDataError
from workbench.evaluations.result import Result, Summary
from workbench.models import BAYES, ETS, PROPHET, model_key  # noqa: F401  (the models' display names)
from workbench.models.series import SeriesSet, active_series, describe_series
from workbench.tables import prob
from workbench.yardstick import HI_Q, INTERVAL, LO_Q, interval, likelihood_words



@dataclass(frozen=True)
class Goal:
    baseline_year: int = 2023
    target_year: int = 2027
    reduction: float = 0.40

    def __post_init__(self) -> None:
        if self.target_year <= self.baseline_year:
            raise ValueError(f"goal target year {self.target_year} must be after the baseline year {self.baseline_year}")
        if not 0 < self.reduction < 1:
            raise ValueError(f"goal reduction must be between 0 and 1, got {self.reduction}")

    @property
    def years(self) -> int:
        return self.target_year - self.baseline_year

    @property
    def annual_rate(self) -> float:
        """The constant annual fall that meets the goal exactly."""
        return 1 - (1 - self.reduction) ** (1 / self.years)

    def describe(self) -> str:
        return (f"{self.reduction:.0%} fewer in FY {fy_label(self.target_year)} than in FY {fy_label(self.baseline_year)} "
                f"(about {self.annual_rate:.1%} a year)")


def select(data: SeriesSet, categories: list[str] | None = None, exclude: list[str] | None = None) -> np.ndarray:
    """Rows of ``data`` whose category is in ``categories`` (all if None) and not in ``exclude``."""
    cats = data.keys["category"].astype(str)
    keep = np.ones(len(cats), dtype=bool)
    if categories is not None:
        unknown = sorted(set(categories) - set(cats))
        if unknown:
            raise ParamDataError("categories", f"goal categories not in the data: {unknown}; the data have "
                                 f"{sorted(set(cats))}. Fix: name the data's categories, or null for all but ASB")
        keep &= cats.isin(categories).to_numpy()
    if exclude:
        keep &= ~cats.isin(exclude).to_numpy()
    if not keep.any():
        raise ParamDataError("categories", "the goal measure selects no series (every category chosen is "
                             "asb_category). Fix: name other categories")
    return keep


def _month_after(periods: pd.DatetimeIndex, step: int) -> pd.Timestamp:
    """The last month of the last period (a quarter starting 2024-01 ends 2024-03)."""
    return periods[-1] + pd.DateOffset(months=step - 1)


def _covered_years(data) -> list[int]:
    """Financial years whose every period the data cover."""
    have = set(data.periods[data.covered])
    years = range(data.periods[0].year - 1, data.periods[-1].year + 1)
    return [y for y in years if all(p in have for p in fy_periods(y, data.step))]


def check_years(goal: Goal, data) -> None:
    """Stop, before any fit, when the data cannot give the goal's figures.

    ``data`` is a :class:`SeriesSet` or :class:`~workbench.models.series.SeriesLayout`. The baseline year must be
    recorded in full (never estimated from part of it), the data must not run past the target year, the recorded
    part of the target year and the latest 12 months must be complete.
    """
    have = set(data.periods[data.covered])
    last = _month_after(data.periods, data.step)
    span = f"the data run {data.periods[0]:%Y-%m} to {last:%Y-%m}"
    base = fy_periods(goal.baseline_year, data.step)
    missing = base[[p not in have for p in base]]
    if len(missing):
        years = _covered_years(data)
        choice = (f"baseline_year {years[-1]} (FY {fy_label(years[-1])}, the last year the data cover in full) or "
                  "another year they cover" if years else "data that cover a whole financial year")
        base_end = _month_after(base, data.step)
        raise ParamDataError("baseline_year", (
            f"{goal.baseline_year} is FY {fy_label(goal.baseline_year)}, {base[0]:%Y-%m} to {base_end:%Y-%m}, but "
            f"{span}: {format_periods(missing, data.step)} not recorded. The baseline is the year's recorded total, "
            f"never estimated. Fix: {choice}, or data that cover all of FY {fy_label(goal.baseline_year)} (to "
            f"{base_end:%Y-%m})"))
    end = fy_periods(goal.target_year, data.step)[-1]
    if data.periods[-1] > end:
        raise ParamDataError("target_year", (
            f"{goal.target_year} is FY {fy_label(goal.target_year)}, which ends {_month_after(pd.DatetimeIndex([end]), data.step):%Y-%m}, "
            f"but {span}: nothing is left to forecast. Fix: a later target_year, or period.end at the end of the "
            "target year or before"))
    target = fy_periods(goal.target_year, data.step)
    gaps = target[(target <= data.periods[-1]) & [p not in have for p in target]]
    if len(gaps):
        raise ParamDataError("target_year", (
            f"FY {fy_label(goal.target_year)} has periods inside the data that the data do not cover "
            f"({format_periods(gaps, data.step)}), so its total cannot be counted. Fix: complete the data"))
    latest = data.periods[-data.per_year:]
    if len(data.periods) < data.per_year or not all(p in have for p in latest):
        raise DataError(
            f"the goal figures start from the latest 12 months, but {span} and "
            f"{format_periods(latest[[p not in have for p in latest]], data.step) or 'fewer than 12 months'} of them "
            "are not recorded. Fix: period.end at a month with 12 recorded months before it, or complete the data.")


def check(p, run, panel: pd.DataFrame) -> None:
    """Every check of ``10-goal-tracking``'s parameters ``p`` against the run's panel, without fitting anything."""
    from workbench.models.series import layout

    check_series(Goal(p.baseline_year, p.target_year, p.reduction), p, layout(panel, series_by(p)))


def check_series(goal: Goal, p, data) -> None:
    """The checks of :func:`check` on the series (a :class:`SeriesSet` or its layout); :func:`run_models` makes
    them too, so a notebook run on its own stops as early, with the same words."""
    from workbench.models import negbin

    check_years(goal, data)
    rows = select(data, p.categories, exclude=[p.asb_category] if p.asb_category else None)
    if p.measure == "harm":
        harm_rows(data, rows, p.harm_scheme, p.harm_unweighted)
    if "negbin" in model_keys(p):
        negbin.check_config(p.model.settings(), data.keys)


def series_by(p) -> tuple[str, ...]:
    """The columns the goal's series are cut by (``series_by`` in the parameters)."""
    return ("area", "category") if p.series_by == "area_category" else ("category",)


@dataclass
class Tracked:
    """One measure under one model: the recorded series, the forecast draws and the goal figures."""

    goal: Goal
    model: str
    measure: str
    data: SeriesSet  # the measure's series only
    future: pd.DatetimeIndex
    draws: np.ndarray  # (D, S, H)
    unit: str = ""  # e.g. " CCHI days" for a harm measure; counts have none

    # ---- totals
    def year_totals(self, year: int) -> np.ndarray:
        """Draws of the measure's total in financial year ``year`` (recorded periods + forecast periods)."""
        want = fy_periods(year, self.data.step)
        hist = want[want.isin(self.data.periods)]
        fut = want[want.isin(self.future)]
        missing = want[~want.isin(self.data.periods) & ~want.isin(self.future)]
        if len(missing):
            raise ValueError(
                f"FY {fy_label(year)} is not covered: no data or forecast for {', '.join(f'{m:%Y-%m}' for m in missing[:4])}"
            )
        recorded = self.data.y[:, self.data.periods.isin(hist)]
        if np.isnan(recorded).any():
            raise ValueError(f"FY {fy_label(year)} has periods the data do not cover; its total cannot be counted")
        part = self.draws[:, :, self.future.isin(fut)].sum(axis=(1, 2)) if len(fut) else np.zeros(len(self.draws))
        return recorded.sum() + part

    def by_group_totals(self, year: int, column: str) -> pd.DataFrame:
        """Draws of the target-year total per area or category: DataFrame (groups x draws)."""
        want = fy_periods(year, self.data.step)
        rec = np.nan_to_num(self.data.y[:, self.data.periods.isin(want)]).sum(axis=1)
        fut = self.draws[:, :, self.future.isin(want)].sum(axis=2)  # (D, S)
        per_series = rec[None, :] + fut
        frame = pd.DataFrame(per_series.T, index=self.data.keys[column].astype(str).to_numpy())
        return frame.groupby(level=0).sum()

    @property
    def baseline_total(self) -> float:
        want = fy_periods(self.goal.baseline_year, self.data.step)
        missing = want[~want.isin(self.data.periods)]
        vals = self.data.y[:, self.data.periods.isin(want)]
        if len(missing) or np.isnan(vals).any():
            gaps = missing if len(missing) else want[np.isnan(vals).any(axis=0)]
            raise ValueError(
                f"the baseline year FY {fy_label(self.goal.baseline_year)} is not fully in the data "
                f"(missing {', '.join(f'{m:%Y-%m}' for m in gaps[:6])}); choose a baseline year the data cover "
                "(goal.baseline_year in the params file)"
            )
        return float(vals.sum())

    @property
    def target_total(self) -> float:
        return self.baseline_total * (1 - self.goal.reduction)

    def latest_12m(self) -> tuple[float, pd.Timestamp]:
        """Total of the last 12 months recorded and the month that window ends."""
        per_year = self.data.per_year
        covered = ~np.isnan(self.data.y).all(axis=0)
        last = np.nonzero(covered)[0][-1]
        window = slice(last - per_year + 1, last + 1)
        vals = self.data.y[:, window]
        if last - per_year + 1 < 0 or np.isnan(vals).any():
            raise ValueError("the data do not have a complete latest 12 months")
        return float(vals.sum()), self.data.periods[last] + pd.DateOffset(months=self.data.step - 1)

    def weighted(self, weights: np.ndarray, measure: str, unit: str) -> "Tracked":
        """The same series and draws, each series times its weight (e.g. harm per offence): a harm measure."""
        w = np.asarray(weights, dtype=float)
        data = SeriesSet(self.data.periods, self.data.frequency, self.data.keys, self.data.y * w[:, None])
        return Tracked(self.goal, self.model, measure, data, self.future, self.draws * w[None, :, None], unit)

    def summary(self) -> dict:
        target_draws = self.year_totals(self.goal.target_year)
        lo, med, hi = interval(target_draws)
        latest, latest_end = self.latest_12m()
        target_end = pd.Timestamp(f"{self.goal.target_year + 1}-03-01")
        years_left = (target_end.year - latest_end.year) + (target_end.month - latest_end.month) / 12
        if years_left <= 0:
            required = forecast_rate = float("nan")
        else:
            required = 1 - (self.target_total / latest) ** (1 / years_left)
            forecast_rate = (med / latest) ** (1 / years_left) - 1
        shortfall = np.maximum(target_draws - self.target_total, 0.0)
        return {
            "model": self.model,
            "measure": self.measure,
            "unit": self.unit.strip(),
            "baseline_year": fy_label(self.goal.baseline_year),
            "target_year": fy_label(self.goal.target_year),
            "reduction": self.goal.reduction,
            "baseline_total": round(self.baseline_total, 1),
            "target_total": round(self.target_total, 1),
            "forecast_target_median": round(float(med), 1),
            "forecast_target_lo": round(float(lo), 1),
            "forecast_target_hi": round(float(hi), 1),
            "interval": INTERVAL,
            "p_goal_met": round(float(np.mean(target_draws <= self.target_total)), 3),
            "expected_shortfall": round(float(shortfall.mean()), 1),
            "latest_12m_total": round(latest, 1),
            "latest_12m_end": f"{latest_end:%Y-%m}",
            "years_left": round(years_left, 2),
            "required_annual_reduction_now": round(float(required), 4),
            "forecast_annual_change": round(float(forecast_rate), 4),
        }

    def drivers(self, column: str) -> pd.DataFrame:
        """Each area's (or category's) part of the gap between the median forecast and the target."""
        want = fy_periods(self.goal.baseline_year, self.data.step)
        base = pd.Series(self.data.y[:, self.data.periods.isin(want)].sum(axis=1),
                         index=self.data.keys[column].astype(str).to_numpy()).groupby(level=0).sum()
        draws = self.by_group_totals(self.goal.target_year, column)
        med = draws.median(axis=1)
        share_target = base * (1 - self.goal.reduction)
        out = pd.DataFrame({
            "baseline": base.round(0),
            "target": share_target.round(0),
            "forecast_median": med.round(0),
            "change_pct": (100 * (med / base - 1)).round(1),
            "gap": (med - share_target).round(0),
            "p_own_goal_met": (draws.le(share_target, axis=0).mean(axis=1)).round(3),
        })
        out.index.name = column
        return out.sort_values("gap", ascending=False)

    def rolling_12m(self) -> pd.DataFrame:
        """12-month rolling totals: recorded, then forecast median and 50%/90% bands, by period end."""
        per_year = self.data.per_year
        hist_tot = self.data.y.sum(axis=0)  # NaN where not covered
        fut_tot = self.draws.sum(axis=1)  # (D, H)
        D = fut_tot.shape[0]
        series = np.concatenate([np.broadcast_to(hist_tot, (D, len(hist_tot))), fut_tot], axis=1)
        periods = self.data.periods.append(self.future)
        roll = np.full_like(series, np.nan)
        csum = np.cumsum(series, axis=1)
        roll[:, per_year - 1:] = csum[:, per_year - 1:] - np.concatenate([np.zeros((D, 1)), csum[:, :-per_year]], axis=1)
        qs = np.full((5, roll.shape[1]), np.nan)
        ok = np.isfinite(roll).all(axis=0)
        qs[:, ok] = np.quantile(roll[:, ok], [LO_Q, 0.25, 0.5, 0.75, HI_Q], axis=0)
        ends = periods + pd.DateOffset(months=self.data.step - 1)
        frame = pd.DataFrame(qs.T, index=ends, columns=["q05", "q25", "q50", "q75", "q95"])
        frame["forecast"] = periods.isin(self.future)
        return frame

    def target_path(self) -> pd.Series:
        """The constant-rate target path: 12-month totals at the end of each financial year, baseline to target."""
        years = np.arange(self.goal.baseline_year, self.goal.target_year + 1)
        values = self.baseline_total * (1 - self.goal.annual_rate) ** (years - self.goal.baseline_year)
        return pd.Series(values, index=pd.DatetimeIndex([pd.Timestamp(f"{y + 1}-03-01") for y in years]), name="target path")


def track(goal: Goal, model: str, measure: str, data: SeriesSet, future: pd.DatetimeIndex, draws: np.ndarray,
          rows: np.ndarray) -> Tracked:
    """Restrict the data and forecast draws to the measure's series and wrap them for the goal figures."""
    last = future[-1] if len(future) else data.periods[-1]
    if last + pd.DateOffset(months=data.step - 1) < pd.Timestamp(f"{goal.target_year + 1}-03-01"):
        raise ValueError(f"the forecast ends {last:%Y-%m}, before the end of the target year FY {fy_label(goal.target_year)}")
    return Tracked(goal, model, measure, data.subset(np.nonzero(rows)[0]), future, draws[:, rows, :])


def harm_rows(data: SeriesSet, rows: np.ndarray, scheme: str, unweighted: list[str]):
    """The crime rows that enter a harm measure, their weights and the harm measure (ASB and ``unweighted`` out)."""
    from workbench.evaluations import harm as H

    cats = data.keys["category"].astype(str).to_numpy()
    hm = H.measure(cats[rows], scheme, unweighted)
    keep = rows & np.isin(cats, list(hm.weights))
    return keep, np.array([hm.weights[c] for c in cats[keep]]), hm


def plain_summary(s: dict, label: str) -> str:
    """One paragraph a board paper can quote."""
    unit = f" {s['unit']}" if s.get("unit") else ""
    change = s["forecast_annual_change"]
    direction = f"a fall of {-change:.1%}" if change < 0 else f"a rise of {change:.1%}"
    return (
        f"{s['measure']} ({s['model']}): the goal is {s['reduction']:.0%} below the {s['baseline_total']:,.0f}{unit} "
        f"recorded in FY {s['baseline_year']}, i.e. at most {s['target_total']:,.0f}{unit} in FY {s['target_year']}. "
        f"The forecast for FY {s['target_year']} is {s['forecast_target_median']:,.0f} "
        f"({s['interval']:.0%} interval {s['forecast_target_lo']:,.0f} to {s['forecast_target_hi']:,.0f}), so meeting "
        f"the goal is {likelihood_words(s['p_goal_met'])} (probability {prob(s['p_goal_met'])}). From the latest 12 months ({s['latest_12m_total']:,.0f} to "
        f"{s['latest_12m_end']}) meeting it needs a fall of {s['required_annual_reduction_now']:.1%} a year; the "
        f"forecast implies {direction} a year. Expected shortfall: {s['expected_shortfall']:,.0f}. ({label})"
    )


# ----------------------------------------------------------------------------- running the models


#: The models a params file that names none tracks (less those its ``prophet`` / ``ets`` flags turn off). The first
#: model listed gives the headline figures.
DEFAULT_MODELS = ("negbin", "prophet", "ets")


def model_keys(params) -> list[str]:
    """The forecaster keys a goal notebook runs: ``params.models``, or the default set less those flags turn off."""
    from workbench.models.forecasters import keys_from_flags

    models = getattr(params, "models", None)
    return list(models) if models is not None else keys_from_flags(DEFAULT_MODELS, params.prophet, params.ets)


@dataclass
class GoalRun:
    """Everything the goal notebook shows: the series, each model's forecast draws, timings and diagnostics.

    ``forecasts`` and ``fitted`` are by model name, in the order the models ran; the first is the headline model,
    and ``diagnostics`` are its fit's.
    """

    goal: Goal
    data: SeriesSet
    future: pd.DatetimeIndex
    forecasts: dict[str, np.ndarray]  # model name -> draws (D, S, H), or a Forecast
    seconds: dict[str, float]
    fitted: dict | None  # model name -> fitted forecaster (workbench.models.forecasters)
    diagnostics: object  # the headline model's diagnostics: .ok, .message(), .figures()
    #: Whether the forecaster's settings are a validated preset on this kind of data (:func:`workbench.presets.validation`).
    validation: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the per-series models had to simplify, in words

    def tracked(self, model: str, measure: str, rows: np.ndarray) -> Tracked:
        draws = self.forecasts[model]
        return track(self.goal, model, measure, self.data, self.future, getattr(draws, "values", draws), rows)


def crime_tracked(run: GoalRun, params) -> tuple[dict[str, Tracked], object | None]:
    """The crime measure of a goal notebook per model: counts, or harm-weighted with ``params.measure == "harm"``.

    Returns the tracked measure per model and the harm measure (None for counts).
    """
    rows = select(run.data, params.categories, exclude=[params.asb_category] if params.asb_category else None)
    name = "All crime (excl. ASB)" if params.categories is None else "Selected crime"
    if params.measure != "harm":
        return {m: run.tracked(m, name, rows) for m in run.forecasts}, None
    keep, weights, hm = harm_rows(run.data, rows, params.harm_scheme, params.harm_unweighted)
    return {m: run.tracked(m, name, keep).weighted(weights, f"Crime harm ({hm.scheme.upper()})", hm.unit)
            for m in run.forecasts}, hm


def run_models(panel: pd.DataFrame, params, sampler, seed: int, say=print) -> GoalRun:
    """Fit every model of ``params.models`` (:func:`model_keys`) and forecast to the end of the target year."""
    import time

    from workbench.models import forecasters
    from workbench.models.series import series_matrix
    from workbench.params import forecaster_settings, sampler_settings
    from workbench.presets import validation

    goal = Goal(params.baseline_year, params.target_year, params.reduction)
    data = series_matrix(panel, series_by(params))
    check_series(goal, params, data)  # as before a run: nothing is fitted on data that cannot answer
    keep, _ = active_series(data)  # the backtest's rule: a series silent for the last year is no longer recorded
    dormant = describe_series(data.keys[~keep], data.keys) if keep.any() and not keep.all() else ""
    data = data.subset(np.nonzero(keep)[0]) if dormant else data
    end = fy_periods(goal.target_year, data.step)[-1]
    made = forecaster_settings(params.model, params.prophet_samples, params.ets_samples)
    sampler = sampler_settings(sampler)
    forecasts, seconds, fitted = {}, {}, {}
    for key in model_keys(params):
        model = forecasters.build(key, **made.get(key, {}))
        say(model.announce(data))
        started = time.perf_counter()
        fitted[model.name] = model.fit(data, sampler, seed)
        forecasts[model.name] = fitted[model.name].forecast(end)
        seconds[model.name] = time.perf_counter() - started
    future = next(iter(forecasts.values())).periods
    notes = ([f"Left out of the fits and forecast as zero: {dormant} (no crime recorded in the last year of the data: "
              "no longer recorded there)."] if dormant else [])
    notes += [f.notes for f in fitted.values() if f.notes]
    sources = ",".join(sorted(str(x) for x in pd.unique(panel["source"]))) if "source" in panel else "unknown"
    checked = validation(params.model, params.series_by, sources)
    headline = next(iter(fitted.values())).diagnostics()  # the headline model's sampler diagnostics
    return GoalRun(goal, data, future, forecasts, seconds, fitted, headline, validation=checked, notes=notes)


# ----------------------------------------------------------------------------- reporting

HEADLINE_KEYS = (
    "p_goal_met", "baseline_total", "target_total", "forecast_target_median", "forecast_target_lo",
    "forecast_target_hi", "required_annual_reduction_now", "forecast_annual_change",
)
TABLE_KEYS = HEADLINE_KEYS[:6] + ("expected_shortfall", "latest_12m_total") + HEADLINE_KEYS[6:]


def comparison(summaries: dict[str, dict]) -> pd.DataFrame:
    """The goal figures side by side, one column per model."""
    frame = pd.DataFrame({m: {k: s[k] for k in TABLE_KEYS} for m, s in summaries.items()})
    frame.index.name = f"FY {next(iter(summaries.values()))['target_year']}"
    return frame.astype(float)


def results_figures(crime: dict[str, dict], asb: dict[str, dict], run: GoalRun) -> dict:
    """The results JSON: the headline model's all-crime figures at the top (the first model run, by default the
    Bayesian one), every model's figures below."""
    main = next(iter(crime.values()))
    return {
        **{k: main[k] for k in HEADLINE_KEYS},
        "measure": main["measure"],
        "unit": main["unit"],
        "baseline_year": main["baseline_year"],
        "target_year": main["target_year"],
        "reduction": main["reduction"],
        "interval": main["interval"],
        "expected_shortfall": main["expected_shortfall"],
        "by_model": {model_key(m): {k: s[k] for k in HEADLINE_KEYS + ("expected_shortfall",)} for m, s in crime.items()},
        "asb": {model_key(m): {k: s[k] for k in HEADLINE_KEYS + ("expected_shortfall",)} for m, s in asb.items()},
        "validated": run.validation.get("validated"),
        "settings": run.validation,
        "diagnostics": run.diagnostics.figures(),
        "series": len(run.data.keys),
    }


def validation_sentence(v: dict) -> str:
    """One sentence on whether the forecaster's settings were validated, for the summary."""
    if not v:
        return "Settings: not checked against the validated presets."
    if v.get("validated"):
        return f"Settings: validated -- {v['reason']}."
    return f"**Settings: not validated** -- {v['reason']}."


def _summary_text(crime: dict[str, dict], asb: dict[str, dict], run: GoalRun, label: str) -> str:
    """The plain-English summary: each model's verdict on crime and ASB, and the assumptions behind it."""
    parts = [plain_summary(s, label) for s in crime.values()]
    parts += [plain_summary(s, label) for s in asb.values()]
    first, b = next(iter(crime.items()))
    for name, other in list(crime.items())[1:]:
        agree = abs(b["p_goal_met"] - other["p_goal_met"]) < 0.2
        parts.append(
            f"{first} and {name} {'agree' if agree else 'disagree'} on the chance of meeting the crime goal "
            f"({prob(b['p_goal_met'])} against {prob(other['p_goal_met'])}); their medians for the target year differ by "
            f"{abs(b['forecast_target_median'] - other['forecast_target_median']):,.0f}."
        )
    if not run.diagnostics.ok:
        parts.append(run.diagnostics.message())
    parts.append(validation_sentence(getattr(run, "validation", {})))
    parts.append(
        "Assumptions: the recorded-crime trend carries on as in recent years (bending only at the historical rate), "
        "no future intervention or recording change is known, the named shocks are over, and the target year is a "
        "financial year (April to March)."
    )
    growth = getattr((run.fitted or {}).get(BAYES), "spread_growth", 0.0)
    if growth > 0:
        parts[-1] += (f" The Bayesian intervals are widened beyond the model's own by {growth:.0%} of their spread for "
                      "each year ahead (model.spread_growth), for shifts the history never showed.")
    return "\n\n".join(parts)


@dataclass
class GoalResult(Result):
    """The goal figures of every model (``crime`` and ``asb``: :meth:`Tracked.summary` by model) and their run."""

    crime: dict[str, dict]
    asb: dict[str, dict]
    run: GoalRun

    def figures(self) -> dict:
        return results_figures(self.crime, self.asb, self.run)

    def checks(self) -> pd.DataFrame:
        ok = bool(self.run.diagnostics.ok)
        return pd.DataFrame([{"check": "sampler converged (r-hat, ESS, divergences)",
                              "value": "converged" if ok else "poor convergence", "passed": ok}])

    def summary(self, label: str) -> Summary:
        """The goal figures side by side, and the paragraph of :func:`_summary_text`."""
        return Summary(comparison(self.crime), _summary_text(self.crime, self.asb, self.run, label))
