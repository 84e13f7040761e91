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

Models: the pooled Bayesian NegBin, Prophet (its defaults, per series) and a
seasonal naive forecast (the same period a year earlier, with the spread of
in-sample seasonal differences widening with each year ahead).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.models import BAYES, PROPHET, model_key
from workbench.models.series import SeriesSet

NAIVE = "Seasonal naive"
LEFT_OUT_COLUMNS = ["origin", "area", "category"]


def seasonal_naive(train: SeriesSet, horizon: int, samples: int, seed: int) -> np.ndarray:
    """Draws (samples, S, horizon): last year's value plus Normal noise with the seasonal differences' spread."""
    m = train.per_year
    y = train.y
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(53,)))
    diffs = y[:, m:] - y[:, :-m]
    sd = np.nanstd(diffs, axis=1)
    out = np.empty((samples, y.shape[0], horizon))
    for h in range(horizon):
        k = h // m + 1
        point = y[:, y.shape[1] - m + (h % m)]
        out[:, :, h] = point[None, :] + rng.normal(0, 1, (samples, y.shape[0])) * (sd * np.sqrt(k))[None, :]
    return np.maximum(out, 0.0)


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


def score(draws: np.ndarray, actual: np.ndarray, scale: np.ndarray, horizons: list[int]) -> list[dict]:
    """Scores for the first h periods, for each h in ``horizons``. draws (D, S, H), actual (S, H), scale (S,)."""
    med = np.median(draws, axis=0)
    c = crps(draws, actual)
    q = np.quantile(draws, [0.1, 0.9, 0.025, 0.975], axis=0)
    rows = []
    for h in horizons:
        a, sl = actual[:, :h], slice(0, h)
        rows.append({
            "horizon": h,
            "mase": float(np.mean(np.abs(med[:, sl] - a).mean(axis=1) / scale)),
            "crps": float(np.mean(c[:, sl].mean(axis=1) / scale)),
            "cover80": float(np.mean((a >= q[0][:, sl]) & (a <= q[1][:, sl]))),
            "cover95": float(np.mean((a >= q[2][:, sl]) & (a <= q[3][:, sl]))),
            "points": int(a.size),
        })
    return rows


@dataclass
class BacktestResult:
    scores: pd.DataFrame  # one row per model x origin x horizon
    seconds: pd.DataFrame  # one row per model x origin
    # Series not forecast at an origin (no recorded crime in the year before it): origin, area, category.
    left_out: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LEFT_OUT_COLUMNS))

    def table(self) -> pd.DataFrame:
        """Scores pooled over origins, one row per model and horizon."""
        agg = self.scores.groupby(["horizon", "model"], sort=True).apply(
            lambda g: pd.Series({
                "MASE": np.average(g["mase"], weights=g["series"]),
                "CRPS (scaled)": np.average(g["crps"], weights=g["series"]),
                "80% coverage": np.average(g["cover80"], weights=g["points"]),
                "95% coverage": np.average(g["cover95"], weights=g["points"]),
                "forecasts": int(g["points"].sum()),
            }), include_groups=False,
        )
        return agg.astype({"forecasts": int})

    def by_origin(self) -> pd.DataFrame:
        """Scores per horizon, origin and model (MASE, scaled CRPS, 80% and 95% coverage)."""
        cols = ["mase", "crps", "cover80", "cover95"]
        return self.scores.set_index(["horizon", "origin", "model"])[cols].sort_index()

    def wall_times(self) -> pd.Series:
        return self.seconds.groupby("model")["seconds"].sum().rename("seconds (all origins)")

    def figures(self) -> dict:
        """The results JSON: per horizon (``h12``, ...) and model, MASE, scaled CRPS and coverage; and per origin
        the number of series left out (``series_left_out``)."""
        table = self.table()
        out = {
            f"h{h}": {model_key(m): {k: int(v) if k == "forecasts" else round(float(v), 4) for k, v in row.items()}
                      for m, row in table.xs(h, level="horizon").to_dict("index").items()}
            for h in sorted(self.scores["horizon"].unique())
        }
        counts = self.left_out.groupby("origin").size()
        out["series_left_out"] = {o: int(counts.get(o, 0)) for o in self.scores["origin"].unique()}
        return out

    def summary_text(self, word: str, label: str) -> str:
        """One paragraph on the longest horizon: the most accurate model and each model's coverage."""
        h = int(self.scores["horizon"].max())
        t = self.table().xs(h, level="horizon")
        per_model = " ".join(
            f"{m}: MASE {r['MASE']:.2f}, 80% interval covered {r['80% coverage']:.0%}, 95% covered {r['95% coverage']:.0%}."
            for m, r in t.iterrows()
        )
        return (f"Over the first {h} {word} after each origin the most accurate median forecast came from "
                f"**{t['MASE'].idxmin()}**. {per_model} ({label})")


def run(data: SeriesSet, origins: list[str], horizons: list[int], model_params, sampler, seed: int,
        prophet: bool = True, prophet_samples: int = 1000, say=print) -> BacktestResult:
    """Rolling-origin backtest of every model on ``data``."""
    from workbench.models import negbin, prophet_model

    H = max(horizons)
    rows, times, left_out = [], [], []
    starts = {}
    for origin in origins:  # check every origin before fitting anything
        o = pd.Timestamp(f"{origin}-01")
        if o not in data.periods:
            raise ValueError(f"backtest origin {origin} is not a period of the data ({data.periods[0]:%Y-%m} to {data.periods[-1]:%Y-%m})")
        i = data.periods.get_loc(o)
        if i < 3 * data.per_year:
            raise ValueError(f"backtest origin {origin} leaves under three years of history to fit")
        if i + H > len(data.periods):
            raise ValueError(f"backtest origin {origin} + {H} periods runs past the data's end {data.periods[-1]:%Y-%m}")
        starts[origin] = i
    cfg = negbin.ModelConfig.from_params(model_params)
    for origin, i in starts.items():
        train = data.truncate(data.periods[i - 1])
        actual = data.y[:, i:i + H]
        if np.isnan(actual).any() or np.isnan(train.y).any():
            raise ValueError(f"backtest origin {origin}: the data have uncovered periods in the window; choose other origins")
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
        t0 = time.perf_counter()
        fitted = negbin.fit(train, cfg, sampler, seed)
        forecasts[BAYES] = fitted.forecast(end, seed, max_draws=model_params.forecast_draws)[1]
        times.append({"model": BAYES, "origin": origin, "seconds": time.perf_counter() - t0})
        if prophet:
            _, draws, secs = prophet_model.forecast(train, end, seed, prophet_samples, cfg.shocks)
            forecasts[PROPHET] = draws
            times.append({"model": PROPHET, "origin": origin, "seconds": secs})
        t0 = time.perf_counter()
        forecasts[NAIVE] = seasonal_naive(train, H, 1000, seed)
        times.append({"model": NAIVE, "origin": origin, "seconds": time.perf_counter() - t0})
        for name, draws in forecasts.items():
            for r in score(draws, actual, scale, horizons):
                rows.append({"model": name, "origin": origin, "series": len(train.keys), **r})
    return BacktestResult(pd.DataFrame(rows), pd.DataFrame(times),
                          pd.concat(left_out, ignore_index=True) if left_out else pd.DataFrame(columns=LEFT_OUT_COLUMNS))


def active_series(train: SeriesSet) -> tuple[np.ndarray, np.ndarray]:
    """Which series to forecast and score at an origin: (keep, dropped) boolean masks over ``train``'s series.

    A series is kept when it recorded crime in the year before the origin. One with no history at all cannot be
    scored; one that fell silent for a whole year has stopped being recorded (police-recorded fraud after Action
    Fraud took it over in 2013): any forecast near zero would be right, flattering whichever model scored it,
    so it is dropped and the caller says so.
    """
    ever = train.y.sum(axis=1) > 0
    keep = train.y[:, -train.per_year:].sum(axis=1) > 0
    return keep, ever & ~keep


def describe_series(gone: pd.DataFrame, every: pd.DataFrame, shown: int = 6) -> str:
    """Dropped series in words: a category dropped in every area is named once ("Fraud offences in all 43 areas")."""
    areas_per_cat = every.groupby("category")["area"].nunique()
    parts = []
    for cat, g in gone.groupby("category", sort=True):
        if len(g) == areas_per_cat[cat] and len(g) > 1:
            parts.append(f"{cat} in all {len(g)} areas")
        else:
            parts.extend(f"{cat} in {a}" for a in g["area"])
    return "; ".join(parts[:shown]) + (f"; and {len(parts) - shown} more" if len(parts) > shown else "")
