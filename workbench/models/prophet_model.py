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
import time
import warnings

import numpy as np
import pandas as pd

from workbench.models.negbin import Shock, shock_matrix
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


def forecast(
    data: SeriesSet, end: pd.Timestamp, seed: int, samples: int = 1000, shocks: list[Shock] | None = None,
    progress=None,
) -> tuple[pd.DatetimeIndex, np.ndarray, float]:
    """Predictive samples of every series after the data up to ``end``: (periods, draws[D, S, H], seconds)."""
    _quiet()
    from prophet import Prophet

    shocks = shocks or []
    started = time.perf_counter()
    future = data.future(end)
    covered = ~np.isnan(data.y).all(axis=0)
    hist = data.periods[covered]
    X_hist = shock_matrix(hist, shocks)
    used = [j for j in range(len(shocks)) if X_hist[:, j].any()]
    all_periods = hist.append(future)
    X_all = shock_matrix(all_periods, shocks)[:, used]
    out = np.zeros((samples, len(data.keys), len(future)))
    for s in range(len(data.keys)):
        frame = pd.DataFrame({"ds": hist, "y": data.y[s, covered]})
        fut = pd.DataFrame({"ds": all_periods})
        model = Prophet(
            yearly_seasonality=True, weekly_seasonality=False, daily_seasonality=False, uncertainty_samples=samples
        )
        for k, j in enumerate(used):
            name = f"shock_{shocks[j].name}"
            model.add_regressor(name, standardize=False)
            frame[name] = X_all[: len(hist), k]
            fut[name] = X_all[:, k]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(frame)
            np.random.seed((seed + 7919 * s) % 2**32)
            draws = model.predictive_samples(fut)["yhat"]  # (len(all_periods), samples)
        out[:, s, :] = draws[len(hist):, :].T
        if progress is not None:
            progress(s + 1, len(data.keys))
    return future, out, time.perf_counter() - started
