"""Rolling-origin backtests: would the forecasts have been right, and honest about their uncertainty?

For each origin the models see only the periods before it and forecast the
next ``max(horizons)`` periods; every forecast is scored against what was
then recorded. Scores, per series and horizon window (the first h periods):

* **MASE** -- mean absolute error of the median forecast, scaled by the
  series' in-sample mean absolute seasonal difference (1 = as good as a
  seasonal naive forecast was in-sample).
* **CRPS** -- continuous ranked probability score of the forecast draws, scaled
  the same way (rewards sharp *and* calibrated forecasts).
* **Coverage** -- share of recorded values inside the central 80% and 95%
  forecast intervals.

Where the intervals miss is told by category over the longest horizon
(:meth:`BacktestResult.by_category`): coverage, and the shares of outcomes
above and below the 95% interval. Misses on one side in one category, in
every area at once, are a shift no series' own history foretold (a change
in how an offence is recorded, say).

Models: the pooled Bayesian NegBin, Prophet (its defaults, per series), automatic
exponential smoothing (ETS per series, its form chosen by AICc: :mod:`workbench.models.ets`) and a
seasonal naive forecast (the same period a year earlier, with the spread of
in-sample seasonal differences widening with each year ahead). When the
model's ``spread_growth`` widens its forecasts, the same fit is also scored
with its own spread ("Bayesian NegBin unwidened"), so the widening's effect
is on show.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.data.panel import format_periods
from workbench.errors import ParamDataError
from workbench.evaluations.result import Result, Summary
from workbench.models import BAYES, ETS, PROPHET, model_key  # noqa: F401  (the models' display names)
from workbench.models import forecasters
from workbench.models.naive import NAIVE, seasonal_naive  # noqa: F401
from workbench.models.negbin import UNWIDENED  # noqa: F401  (scored beside the widened fit when spread_growth > 0)
from workbench.models.series import SeriesSet, active_series, describe_series  # noqa: F401
from workbench.params import forecaster_settings, sampler_settings
from workbench.yardstick import HI_Q, LO_Q

#: The models a params file that names none backtests (less those its ``prophet`` / ``ets`` flags turn off).
DEFAULT_MODELS = ("negbin", "ets", "prophet", "seasonal_naive")
LEFT_OUT_COLUMNS = ["origin", "area", "category"]
MISS_COUNTS = ["inside80", "inside95", "above95", "below95", "points"]
COVERAGE_TOLERANCE = 0.05  # a backtest's coverage within this of nominal passes


def mase_scale(train: SeriesSet) -> np.ndarray:
    """In-sample mean absolute seasonal difference per series (at least 1, so empty series do not divide by zero)."""
    m = train.per_year
    return np.maximum(np.nanmean(np.abs(train.y[:, m:] - train.y[:, :-m]), axis=1), 1.0)


def crps(draws: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """CRPS of sample forecasts: draws (D, ...) against actual (...), by the sorted-sample formula."""
    x = np.sort(draws, axis=0)
    d = x.shape[0]
    term1 = np.mean(np.abs(x - actual[None]), axis=0)
    weights = (2 * np.arange(1, d + 1) - d - 1)[:, None]
    flat = x.reshape(d, -1)
    term2 = (weights * flat).sum(axis=0) / (d * d)
    return term1 - term2.reshape(actual.shape)


def interval_bounds(draws: np.ndarray) -> np.ndarray:
    """The 80%, 95% and 90% central intervals of sample forecasts: (6, ...) = 10%, 90%, 2.5%, 97.5%, 5% and 95%
    quantiles."""
    return np.quantile(draws, [0.1, 0.9, 0.025, 0.975, LO_Q, HI_Q], axis=0)


def score(draws: np.ndarray, actual: np.ndarray, scale: np.ndarray, horizons: list[int]) -> list[dict]:
    """Scores for the first h periods, for each h in ``horizons``. draws (D, S, H), actual (S, H), scale (S,)."""
    med = np.median(draws, axis=0)
    c = crps(draws, actual)
    q = interval_bounds(draws)
    rows = []
    for h in horizons:
        a, sl = actual[:, :h], slice(0, h)
        rows.append({
            "horizon": h,
            "mase": float(np.mean(np.abs(med[:, sl] - a).mean(axis=1) / scale)),
            "crps": float(np.mean(c[:, sl].mean(axis=1) / scale)),
            "cover80": float(np.mean((a >= q[0][:, sl]) & (a <= q[1][:, sl]))),
            "cover95": float(np.mean((a >= q[2][:, sl]) & (a <= q[3][:, sl]))),
            "cover90": float(np.mean((a >= q[4][:, sl]) & (a <= q[5][:, sl]))),
            "points": int(a.size),
        })
    return rows


def misses(draws: np.ndarray, actual: np.ndarray, categories: pd.Series, h: int) -> pd.DataFrame:
    """Per category over the first h periods: outcomes inside the 80% and 95% intervals, above and below the 95%
    interval, and all outcomes (counts; columns ``MISS_COUNTS``). draws (D, S, H), actual (S, H)."""
    a = actual[:, :h]
    q = interval_bounds(draws[:, :, :h])
    flags = pd.DataFrame({
        "inside80": ((a >= q[0]) & (a <= q[1])).sum(axis=1), "inside95": ((a >= q[2]) & (a <= q[3])).sum(axis=1),
        "above95": (a > q[3]).sum(axis=1), "below95": (a < q[2]).sum(axis=1), "points": np.full(len(a), h),
    })
    return flags.groupby(categories.to_numpy()).sum().rename_axis("category").reset_index()


def miss_parts(draws: np.ndarray, actual: np.ndarray, keys: pd.DataFrame, window: slice, n_sim: int = 300,
               seed: int = 0) -> pd.DataFrame:
    """Which level the misses live at: the outcome's standardised error split into shared, category, area and rest.

    For every series the total over ``window`` (periods ahead) is put on the log scale and standardised by the
    forecast's median and sd: z = (log1p(outcome) - median) / sd. z is split additively into a part shared by all
    series (its mean), a part per category and one per area (their means about it) and the rest. The same split
    of ``n_sim`` of the forecast's own draws, standing in for the outcome, says how big each part should be if the
    forecast were right: a part far outside that range is a kind of shift the model does not allow for.
    Returns one row per part: the outcome's figure, and the model's median and 90% range.
    """
    Q = np.log1p(draws[:, :, window].sum(axis=2))
    q = np.log1p(actual[:, window].sum(axis=1))
    med, sd = np.median(Q, axis=0), Q.std(axis=0) + 1e-9
    cat, area = keys["category"].to_numpy(), keys["area"].to_numpy()

    def parts(z: np.ndarray) -> list[float]:
        df = pd.DataFrame({"z": z, "c": cat, "a": area})
        shared = df["z"].mean()
        c = df.groupby("c")["z"].transform("mean") - shared
        a = df.groupby("a")["z"].transform("mean") - shared
        rest = df["z"] - shared - c - a
        return [shared, c.groupby(df["c"]).first().var(), a.groupby(df["a"]).first().var(), rest.var(),
                float(np.mean(z**2))]

    rng = np.random.default_rng(seed)
    sims = np.array([parts((Q[d] - med) / sd) for d in rng.choice(len(Q), min(n_sim, len(Q)), replace=False)])
    names = ["shared by all (mean)", "per category (variance)", "per area (variance)", "rest (variance)",
             "all (mean square)"]
    return pd.DataFrame({"part": names, "outcome": parts((q - med) / sd), "model median": np.median(sims, axis=0),
                         "model 5%": np.quantile(sims, LO_Q, axis=0), "model 95%": np.quantile(sims, HI_Q, axis=0)}
                        ).set_index("part")


@dataclass
class BacktestResult(Result):
    scores: pd.DataFrame  # one row per model x origin x horizon
    seconds: pd.DataFrame  # one row per model x origin
    # Series not forecast at an origin (no recorded crime in the year before it): origin, area, category.
    left_out: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LEFT_OUT_COLUMNS))
    # Outcome counts by model, origin and category over the longest horizon: columns model, origin, category and
    # MISS_COUNTS.
    missed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["model", "origin", "category", *MISS_COUNTS]))
    word: str = "periods"  # what a period of the data is called ("months", "quarters")

    def table(self) -> pd.DataFrame:
        """Scores pooled over origins, one row per model and horizon."""
        agg = self.scores.groupby(["horizon", "model"], sort=True).apply(
            lambda g: pd.Series({
                "MASE": np.average(g["mase"], weights=g["series"]),
                "CRPS (scaled)": np.average(g["crps"], weights=g["series"]),
                "80% coverage": np.average(g["cover80"], weights=g["points"]),
                "90% coverage": np.average(g["cover90"], weights=g["points"]),
                "95% coverage": np.average(g["cover95"], weights=g["points"]),
                "forecasts": int(g["points"].sum()),
            }), include_groups=False,
        )
        return agg.astype({"forecasts": int})

    def by_origin(self) -> pd.DataFrame:
        """Scores per horizon, origin and model (MASE, scaled CRPS, 80% and 95% coverage)."""
        cols = ["mase", "crps", "cover80", "cover95"]
        return self.scores.set_index(["horizon", "origin", "model"])[cols].sort_index()

    def by_category(self) -> pd.DataFrame:
        """Over the longest horizon, pooled over origins, per category and model: 80% and 95% coverage, the shares
        of outcomes above and below the 95% interval, and the number of forecasts."""
        n = self.missed.groupby(["category", "model"], sort=True)[MISS_COUNTS].sum()
        out = n[["inside80", "inside95", "above95", "below95"]].div(n["points"], axis=0)
        out.columns = ["80% coverage", "95% coverage", "above 95%", "below 95%"]
        return out.assign(forecasts=n["points"].astype(int))

    def wall_times(self) -> pd.Series:
        return self.seconds.groupby("model")["seconds"].sum().rename("seconds (all origins)")

    def figures(self) -> dict:
        """The results JSON: per horizon (``h12``, ...) and model, MASE, scaled CRPS and coverage; and per origin
        the number of series left out (``series_left_out``); over the longest horizon, per model and category,
        coverage and misses above and below the 95% interval (``by_category_hN``)."""
        table = self.table()
        out = {
            f"h{h}": {model_key(m): {k: int(v) if k == "forecasts" else round(float(v), 4) for k, v in row.items()}
                      for m, row in table.xs(h, level="horizon").to_dict("index").items()}
            for h in sorted(self.scores["horizon"].unique())
        }
        counts = self.left_out.groupby("origin").size()
        out["series_left_out"] = {o: int(counts.get(o, 0)) for o in self.scores["origin"].unique()}
        if len(self.missed):
            out[f"by_category_h{int(self.scores['horizon'].max())}"] = {
                model_key(m): {c: {k: int(v) if k == "forecasts" else round(float(v), 4) for k, v in row.items()}
                               for c, row in g.droplevel("model").to_dict("index").items()}
                for m, g in self.by_category().groupby(level="model")
            }
        return out

    def checks(self, tolerance: float = COVERAGE_TOLERANCE) -> pd.DataFrame:
        """Per model over the longest horizon: are the 80% and 95% intervals' coverage within ``tolerance`` of nominal?"""
        t = self.table().xs(int(self.scores["horizon"].max()), level="horizon")
        return pd.DataFrame([{
            "check": f"{m}: 80% and 95% coverage within {100 * tolerance:.0f} points of nominal",
            "value": f"{r['80% coverage']:.0%} and {r['95% coverage']:.0%}",
            "passed": bool(abs(r["80% coverage"] - 0.80) <= tolerance and abs(r["95% coverage"] - 0.95) <= tolerance),
        } for m, r in t.iterrows()])

    def summary(self, label: str) -> Summary:
        """The scores by horizon and model, and one paragraph on the longest horizon: the most accurate model and
        each model's coverage."""
        table = self.table()
        h = int(self.scores["horizon"].max())
        t = table.xs(h, level="horizon")
        per_model = " ".join(
            f"{m}: MASE {r['MASE']:.2f}, 80% interval covered {r['80% coverage']:.0%}, 95% covered {r['95% coverage']:.0%}."
            for m, r in t.iterrows()
        )
        return Summary(table, f"Over the first {h} {self.word} after each origin the most accurate median forecast "
                              f"came from **{t['MASE'].idxmin()}**. {per_model} ({label})")


def check_origins(data, origins: list[str], horizons: list[int]) -> dict[str, int]:
    """Each origin's index into ``data.periods`` (a :class:`SeriesSet` or its layout), checked: a period of the data
    with three years of history before it and ``max(horizons)`` recorded periods from it, every one covered."""
    H = max(horizons)
    word = "months" if data.step == 1 else "quarters"
    span = f"the data run {data.periods[0]:%Y-%m} to {data.periods[-1]:%Y-%m}"
    need = 3 * data.per_year
    last_ok = data.periods[-H] if len(data.periods) >= H else None
    choices = (f"origins from {data.periods[need]:%Y-%m} to {last_ok:%Y-%m}"
               if last_ok is not None and need < len(data.periods) - H + 1 else "longer data, or shorter horizons")
    starts = {}
    for j, origin in enumerate(origins):
        o = pd.Timestamp(f"{origin}-01")
        if o not in data.periods:
            raise ParamDataError(("origins", j), f"backtest origin {origin} is not a period of the data ({span}). "
                                 f"Fix: {choices}")
        i = data.periods.get_loc(o)
        if i < need:
            raise ParamDataError(("origins", j), f"backtest origin {origin} leaves under three years of history to fit "
                                 f"({i} {word}; {span}). Fix: {choices}")
        if i + H > len(data.periods):
            raise ParamDataError(("origins", j), f"backtest origin {origin} + {H} periods runs past the data's end "
                                 f"{data.periods[-1]:%Y-%m}, so the forecasts have no outcomes to be scored against. "
                                 f"Fix: {choices}")
        gaps = data.periods[: i + H][~data.covered[: i + H]]
        if len(gaps):
            raise ParamDataError(("origins", j), f"backtest origin {origin}: the data have uncovered periods in the "
                                 f"window ({format_periods(gaps, data.step)}); choose other origins. Fix: origins "
                                 "whose history and outcomes the data cover")
        starts[origin] = i
    return starts


def check(p, run, panel: pd.DataFrame) -> None:
    """Every check of ``90-backtest``'s parameters ``p`` against the run's panel, without fitting anything."""
    from workbench.models import negbin
    from workbench.models.series import layout

    data = layout(panel, ("area", "category") if p.series_by == "area_category" else ("category",))
    check_origins(data, p.origins, p.horizons)
    if "negbin" in model_keys(p):
        negbin.check_config(p.model.settings(), data.keys)


def model_keys(p) -> list[str]:
    """The forecaster keys a backtest notebook runs: ``p.models``, or the default set less those flags turn off."""
    return list(p.models) if p.models is not None else forecasters.keys_from_flags(DEFAULT_MODELS, p.prophet, p.ets)


def run(data: SeriesSet, origins: list[str], horizons: list[int], model_params, sampler, seed: int,
        prophet: bool = True, prophet_samples: int = 1000, say=print, ets: bool = True, ets_samples: int = 1000,
        bayes: bool = True, models: list[str] | None = None) -> BacktestResult:
    """Rolling-origin backtest of every model on ``data``.

    ``model_params`` is the notebook's ``model:`` section and ``sampler`` the run's ``sampler:`` (None when no model
    samples). ``models`` are forecaster keys (:func:`workbench.models.forecasters.registry`); without them, the
    default set less those the ``prophet``, ``ets`` and ``bayes`` flags turn off (``bayes=False``: the per-series
    models alone).
    """
    H = max(horizons)
    rows, times, left_out, missed = [], [], [], []
    starts = check_origins(data, origins, horizons)  # every origin before fitting anything
    keys = list(models) if models is not None else forecasters.keys_from_flags(DEFAULT_MODELS, prophet, ets, bayes)
    made = forecaster_settings(model_params, prophet_samples, ets_samples)
    sampler = sampler_settings(sampler)
    if "negbin" in keys:
        from workbench.models import negbin

        negbin.check_config(made["negbin"]["config"], data.keys)
    chosen = [forecasters.build(k, **made.get(k, {})) for k in keys]
    for origin, i in starts.items():
        train = data.truncate(data.periods[i - 1])
        actual = data.y[:, i:i + H]
        keep, dropped = active_series(train)
        if dropped.any():
            gone = train.keys[dropped]
            left_out.append(gone.assign(origin=origin)[LEFT_OUT_COLUMNS])
            say(f"Origin {origin}: {int(dropped.sum())} series with no recorded crime in the year before it are not "
                f"forecast or scored (no longer recorded there): {describe_series(gone, train.keys)}.")
        train, actual = train.subset(np.nonzero(keep)[0]), actual[keep]
        scale = mase_scale(train)
        end = data.periods[i + H - 1]
        say(f"Origin {origin}: {len(train.keys)} series, {len(train.periods)} periods of history, {H} ahead")
        forecasts = {}
        for model in chosen:
            t0 = time.perf_counter()
            fitted = model.fit(train, sampler, seed)
            forecasts[model.name] = fitted.forecast(end).values
            times.append({"model": model.name, "origin": origin, "seconds": time.perf_counter() - t0})
            forecasts.update({name: fc.values for name, fc in fitted.companions(end).items()})
            if note := fitted.notes:
                say(f"Origin {origin}: {note}")
        for name, draws in forecasts.items():
            for r in score(draws, actual, scale, horizons):
                rows.append({"model": name, "origin": origin, "series": len(train.keys), **r})
            missed.append(misses(draws, actual, train.keys["category"], H).assign(model=name, origin=origin))
    return BacktestResult(pd.DataFrame(rows), pd.DataFrame(times),
                          pd.concat(left_out, ignore_index=True) if left_out else pd.DataFrame(columns=LEFT_OUT_COLUMNS),
                          pd.concat(missed, ignore_index=True), "months" if data.step == 1 else "quarters")
