"""Prophet per series, with predictive samples on the same footing as the Bayesian model.

Prophet is fitted to each series separately (its defaults, yearly seasonality
only, because the data are monthly or quarterly; known shocks enter as extra
regressors that are off in the future). Its forecasts are Prophet's own
predictive samples (``predictive_samples``): trend changes simulated from its
changepoints plus Gaussian noise, on the count scale. Samples of different
series are independent, so totals over series understate any common
movement -- a property of per-series Prophet, shown as it is.
"""

from __future__ import annotations

import logging
import threading
import time
import warnings

import numpy as np
import pandas as pd

from workbench.models import PROPHET
from workbench.models.negbin import Shock, shock_matrix
from workbench.models.forecasters import Deferred, Forecaster, register
from workbench.models.series import SeriesSet


def _quiet() -> None:
    """Silence Prophet's and cmdstanpy's import and fit chatter (timestamps and optional-package notices)."""
    for name in ("prophet", "cmdstanpy", "prophet.plot"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
        logging.getLogger(name).propagate = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import cmdstanpy
        import prophet  # noqa: F401

    cmdstanpy.disable_logging()


_GLOBAL_RNG = threading.Lock()


def fit_one(task: tuple) -> np.ndarray:
    """Prophet's predictive samples for one series: (samples, H). ``task`` is what :func:`forecast` builds."""
    _quiet()
    from prophet import Prophet

    hist, values, all_periods, regressors, samples, seed = task
    frame = pd.DataFrame({"ds": hist, "y": values})
    fut = pd.DataFrame({"ds": all_periods})
    model = Prophet(yearly_seasonality=True, weekly_seasonality=False, daily_seasonality=False, uncertainty_samples=samples)
    for name, column in regressors.items():
        model.add_regressor(name, standardize=False)
        frame[name] = column[: len(hist)]
        fut[name] = column
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(frame)
        # Prophet draws from NumPy's global generator: series sampled in threads of one worker must take turns,
        # or their draws would interleave and depend on timing.
        with _GLOBAL_RNG:
            np.random.seed(seed)
            draws = model.predictive_samples(fut)["yhat"]  # (len(all_periods), samples)
    return draws[len(hist):, :].T


def forecast(
    data: SeriesSet, end: pd.Timestamp, seed: int, samples: int = 1000, shocks: list[Shock] | None = None,
    progress=None,
) -> tuple[pd.DatetimeIndex, np.ndarray, float]:
    """Predictive samples of every series after the data up to ``end``: (periods, draws[D, S, H], seconds).

    Series are fitted one after another, or over the run's Dask cluster when it has one
    (:func:`workbench.distributed.map_series`); each series has its own seed, so both give the same draws.
    """
    from workbench.distributed import map_series

    shocks = shocks or []
    started = time.perf_counter()
    future = data.future(end)
    covered = ~np.isnan(data.y).all(axis=0)
    hist = data.periods[covered]
    X_hist = shock_matrix(hist, shocks)
    used = [j for j in range(len(shocks)) if X_hist[:, j].any()]
    all_periods = hist.append(future)
    X_all = shock_matrix(all_periods, shocks)[:, used]
    regressors = {f"shock_{shocks[j].name}": X_all[:, k] for k, j in enumerate(used)}
    tasks = [(hist, data.y[s, covered], all_periods, regressors, samples, (seed + 7919 * s) % 2**32)
             for s in range(len(data.keys))]
    out = np.zeros((samples, len(data.keys), len(future)))
    if progress is None:
        from workbench.progress import Steps

        progress = Steps("Prophet, series fitted")
    for s, draws in enumerate(map_series(fit_one, tasks, progress)):
        out[:, s, :] = draws
    return future, out, time.perf_counter() - started


@register("prophet")
class ProphetPerSeries(Forecaster):
    """Prophet per series under the forecaster contract (:mod:`workbench.models.forecasters`)."""

    name = PROPHET

    def __init__(self, samples: int = 1000, shocks: list[Shock] | None = None):
        self.samples, self.shocks = samples, list(shocks or [])

    def fit(self, series: SeriesSet, sampler, seed: int) -> Deferred:
        def draw(data: SeriesSet, until: pd.Timestamp, seed: int):
            future, draws, _ = forecast(data, until, seed, self.samples, self.shocks)
            return future, draws, ""

        return Deferred(self, series, seed, draw)
