"""Automatic exponential smoothing (ETS) per series, with simulated forecasts on the same footing as the other models.

Every series gets the ETS form with the lowest AICc among statsmodels' ``ETSModel`` forms (Hyndman et al. 2008,
*Forecasting with Exponential Smoothing*):

* error additive or multiplicative;
* trend none, additive or additive damped (damping between 0.8 and 0.98, statsmodels' default bounds);
* season none, additive or multiplicative, of length 12 for monthly data and 4 for quarterly.

Additive error with a multiplicative season is left out (its forecast variance can be infinite; R's ``ets`` and
other automatic ETS leave it out too), and so is every multiplicative form for a series with a zero in its history.
The forms are compared with their initial states set by the heuristic of Hyndman et al. (the first years' averages
and seasonal ratios) and the smoothing parameters estimated by maximum likelihood; the chosen form is then refitted
with its initial states optimised as well (optimising them in every form's fit would take about five times as long,
for a MASE about 1% lower on 60 Home Office series). Forecast draws are simulated from the chosen form
(``ETSResults.simulate``, Normal errors with the residual variance over its degrees of freedom, as R's ``ets``
takes it, seeded per series from the run's seed) and floored at zero, as counts are. Draws of different series are
independent.

A series that cannot take the full search says so in :attr:`ETSForecast.notes` and gets a simpler form:

* history all zero: the forecast is zero;
* too short for a seasonal start (under two years, or under ``10 + per_year`` periods): non-seasonal forms only;
* under 10 periods: simple exponential smoothing with an estimated initial level;
* under 4 periods, or no form that fits: the last value carried on, with the spread of the period-to-period
  changes growing with the square root of the horizon.
"""

from __future__ import annotations

import time
import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.models import ETS
from workbench.models.forecasters import Deferred, Forecaster, register
from workbench.models.series import SeriesSet

#: The forms searched: (error, trend, damped, season), in the order they are fitted.
FORMS: tuple[tuple[str, str | None, bool, str | None], ...] = tuple(
    (error, trend, damped, season)
    for error in ("add", "mul")
    for trend, damped in ((None, False), ("add", False), ("add", True))
    for season in (None, "add", "mul")
    if not (error == "add" and season == "mul")
)
MIN_ESTIMATED = 4  # fewer periods than this: the last value carried on
MIN_HEURISTIC = 10  # statsmodels' heuristic start needs 10 periods (and 10 + per_year, two years, for a season)
_SEED_TAG = 61  # spawn key of ETS's random streams, apart from the other models'


def form_name(error: str, trend: str | None, damped: bool, season: str | None) -> str:
    """The usual short name of an ETS form: ``ETS(M,Ad,A)`` for multiplicative error, damped trend, additive season."""
    letter = {None: "N", "add": "A", "mul": "M"}
    return f"ETS({letter[error]},{letter[trend]}{'d' if damped else ''},{letter[season]})"


@dataclass
class SeriesFit:
    """One series' forecast: draws (samples, H), the form used and, when it is not the full search's, why."""

    draws: np.ndarray
    form: str
    note: str = ""


def _candidates(y: np.ndarray, per_year: int) -> tuple[list[tuple], str, str]:
    """The forms to try on ``y``, the initialisation and a note on what was left out and why ('' for none)."""
    n = len(y)
    notes = []
    forms = list(FORMS)
    if (y <= 0).any():
        forms = [f for f in forms if f[0] == "add" and f[3] != "mul"]
        notes.append("zeros in its history: additive forms only")
    if n < max(2 * per_year, MIN_HEURISTIC + 2 * (per_year // 2)):
        forms = [f for f in forms if f[3] is None]
        notes.append(f"{n} periods, too few for a seasonal start: no season")
    if n < MIN_HEURISTIC:
        return [("add", None, False, None)], "estimated", f"{n} periods: simple exponential smoothing only"
    return forms, "heuristic", "; ".join(notes)


def _fit_form(y: np.ndarray, form: tuple, per_year: int, init: str, scored: bool = True):
    """(AICc, model, params) of one form fitted by maximum likelihood; None when the fit fails or is degenerate
    (with ``scored=False`` the AICc is not asked for: a refit of a form already chosen)."""
    from statsmodels.tools.eval_measures import aicc
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    error, trend, damped, season = form
    try:
        model = ETSModel(y, error=error, trend=trend, damped_trend=damped, seasonal=season,
                         seasonal_periods=per_year if season else None, initialization_method=init)
        params = model.fit(disp=False, return_params=True)
        llf = model.loglike(params)
    except (ValueError, RuntimeError, OverflowError, ZeroDivisionError, FloatingPointError, np.linalg.LinAlgError):
        return None
    if not np.isfinite(llf):
        return None
    if not scored:
        return 0.0, model, params
    k = model.k_params + 1  # the free parameters and the error variance, as statsmodels counts them
    score = aicc(llf, len(y), k) if len(y) - k - 1 > 0 else np.inf
    return (score, model, params) if np.isfinite(score) else None


def _variance_factor(n: int, form: tuple, per_year: int) -> float:
    """n / (n - p): the error variance over the residuals' degrees of freedom, p the smoothing parameters and initial
    states (as R's ``ets`` estimates it; statsmodels' ``scale`` is the mean square residual)."""
    _, trend, damped, season = form
    p = 1 + 2 * (trend is not None) + bool(damped) + (1 + per_year) * (season is not None) + 1
    return n / max(n - p, 1)


def _carry_on(y: np.ndarray, horizon: int, samples: int, rng: np.random.Generator) -> np.ndarray:
    """The last value carried on, with the spread of the period-to-period changes growing with sqrt(horizon)."""
    sd = float(np.std(np.diff(y))) if len(y) > 2 else 0.0
    steps = np.sqrt(np.arange(1, horizon + 1))
    return np.maximum(y[-1] + rng.normal(0, 1, (samples, horizon)) * sd * steps[None, :], 0.0)


def fit_one(task: tuple) -> SeriesFit:
    """ETS forecast draws of one series; ``task`` = (y, per_year, horizon, samples, seed), as :func:`forecast` builds."""
    from threadpoolctl import threadpool_limits

    y, per_year, horizon, samples, seed = task
    y = np.asarray(y, dtype=float)
    rng = np.random.default_rng(seed)
    if not (y != 0).any():
        return SeriesFit(np.zeros((samples, horizon)), "zero", "history all zero: forecast zero")
    if len(y) < MIN_ESTIMATED:
        return SeriesFit(_carry_on(y, horizon, samples, rng), "last value", f"{len(y)} periods: last value carried on")
    forms, init, note = _candidates(y, per_year)
    # Small fits run faster on one BLAS thread than on several competing for the cores.
    with threadpool_limits(1), warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        fits = _ranked(y, forms, per_year, init)
        if fits and init == "heuristic":  # the chosen form again, its initial states optimised as well
            refit = _fit_form(y, fits[0][3], per_year, "estimated", scored=False)
            if refit is not None:
                fits.insert(0, (*refit, fits[0][3]))
        for _, model, params, form in fits:
            try:
                res = model.smooth(params)
                sd = np.sqrt(res.scale * _variance_factor(len(y), form, per_year))
                errors = rng.normal(0, sd, (horizon, samples))
                sim = res.simulate(horizon, anchor="end", repetitions=samples, random_errors=errors)
            except (ValueError, RuntimeError, OverflowError, np.linalg.LinAlgError):
                continue
            sim = np.asarray(sim, dtype=float).reshape(horizon, samples).T
            if np.isfinite(sim).all():
                return SeriesFit(np.maximum(sim, 0.0), form_name(*form), note)
    why = "no ETS form fitted: last value carried on"
    return SeriesFit(_carry_on(y, horizon, samples, rng), "last value", f"{note}; {why}" if note else why)


def _ranked(y: np.ndarray, forms: list[tuple], per_year: int, init: str) -> list[tuple]:
    """The forms that fitted, best AICc first: (aicc, model, params, form)."""
    out = []
    for form in forms:
        r = _fit_form(y, form, per_year, init)
        if r is not None:
            out.append((*r, form))
    return sorted(out, key=lambda f: f[0])


@dataclass
class ETSForecast:
    """ETS forecasts of every series: draws (D, S, H) over ``future``, the form per series and any fallback notes."""

    future: pd.DatetimeIndex
    draws: np.ndarray
    forms: list[str]
    notes: list[str]
    seconds: float
    since: pd.Timestamp | None = None  # first period fitted, when the data have an uncovered period before it

    def form_counts(self) -> pd.Series:
        """How many series took each form, most used first."""
        return pd.Series(Counter(self.forms), name="series").sort_values(ascending=False, kind="stable")

    def fallback_text(self, keys: pd.DataFrame, shown: int = 4) -> str:
        """The series that did not take the full search, in words ('' when none)."""
        hit = [(i, n) for i, n in enumerate(self.notes) if n]
        since = (f"ETS fitted from {self.since:%Y-%m}, after the last period the data do not cover. "
                 if self.since is not None else "")
        if not hit:
            return since.strip()
        named = "; ".join(f"{keys['category'].iloc[i]} in {keys['area'].iloc[i]} ({n})" for i, n in hit[:shown])
        more = f"; and {len(hit) - shown} more" if len(hit) > shown else ""
        return f"{since}{len(hit)} series took a simpler ETS search: {named}{more}."


def forecast(data: SeriesSet, end: pd.Timestamp, seed: int, samples: int = 1000, progress=None) -> ETSForecast:
    """ETS forecast draws of every series after the data, up to ``end``.

    Each series is fitted to its periods after the last one the data do not cover (a season cannot span a gap),
    one after another or over the run's Dask cluster (:func:`workbench.distributed.map_series`); each series has its
    own seed, so both give the same draws.
    """
    from workbench.distributed import map_series

    started = time.perf_counter()
    future = data.future(end)
    covered = ~np.isnan(data.y).all(axis=0)
    gaps = np.nonzero(~covered)[0]
    first = gaps[-1] + 1 if len(gaps) else 0
    y = data.y[:, first:]
    tasks = [(y[s], data.per_year, len(future), samples, np.random.SeedSequence(seed, spawn_key=(_SEED_TAG, s)))
             for s in range(len(data.keys))]
    fits = map_series(fit_one, tasks, progress) if len(future) else []
    draws = np.zeros((samples, len(data.keys), len(future)))
    for s, f in enumerate(fits):
        draws[:, s, :] = f.draws
    forms = [f.form for f in fits] or ["none"] * len(data.keys)
    notes = [f.note for f in fits] or [""] * len(data.keys)
    since = data.periods[first] if first else None
    return ETSForecast(future, draws, forms, notes, time.perf_counter() - started, since)


@register("ets")
class AutoETS(Forecaster):
    """Automatic ETS per series under the forecaster contract (:mod:`workbench.models.forecasters`)."""

    name = ETS

    def __init__(self, samples: int = 1000):
        self.samples = samples

    def announce(self, series: SeriesSet) -> str:
        return f"Fitting automatic exponential smoothing (ETS) to each of the {len(series.keys)} series ..."

    def fit(self, series: SeriesSet, sampler, seed: int) -> Deferred:
        def draw(data: SeriesSet, until: pd.Timestamp, seed: int):
            fc = forecast(data, until, seed, self.samples)
            return fc.future, fc.draws, fc.fallback_text(data.keys)

        return Deferred(self, series, seed, draw)
