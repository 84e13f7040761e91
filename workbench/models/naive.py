"""The seasonal naive forecast: the same period a year earlier, with the spread of the seasonal differences."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.models.forecasters import Deferred, Forecaster, register
from workbench.models.series import SeriesSet

NAIVE = "Seasonal naive"


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


@register("seasonal_naive")
class SeasonalNaive(Forecaster):
    """:func:`seasonal_naive` under the forecaster contract (:mod:`workbench.models.forecasters`)."""

    name = NAIVE

    def __init__(self, samples: int = 1000):
        self.samples = samples

    def fit(self, series: SeriesSet, sampler, seed: int) -> Deferred:
        def draw(data: SeriesSet, until: pd.Timestamp, seed: int):
            future = data.future(until)
            return future, seasonal_naive(data, len(future), self.samples, seed), ""

        return Deferred(self, series, seed, draw)
