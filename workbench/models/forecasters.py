"""The forecaster contract and its registry: how goal tracking and the backtest see every forecasting model.

A *forecaster* is built from plain settings and has a display ``name`` and one method::

    fitted = forecaster.fit(series, sampler, seed)   # series: a SeriesSet; sampler: a sampling.Sampler
    fc = fitted.forecast(until)                      # a Forecast up to and including the period ``until``
    fitted.diagnostics()                             # .ok, .message(), .figures(): the sampler's convergence
    fitted.notes                                     # what the model had to simplify, in words ('' for nothing)

A :class:`Forecast` holds the draws as an ``xarray.DataArray`` with dims ``(draw, series, period)``; the series
carry their ``area`` and ``category`` as coordinates. Models whose fits are cheap per series (Prophet, ETS, the
seasonal naive) may do their work when :meth:`FittedForecaster.forecast` is called; the result is the same.

A new model is one file: a class with ``name``, ``fit`` and a fitted class with ``forecast`` (and, if it samples,
``diagnostics``), decorated with :func:`register`. Params files name models by their key (``models: [negbin,
ets]``); :func:`build` makes one from its key and its settings.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from workbench.models.series import SeriesSet

#: The modules that register the built-in forecasters (imported when the registry is first read).
BUILTIN = ("workbench.models.negbin", "workbench.models.prophet_model", "workbench.models.ets", "workbench.models.naive")

_REGISTRY: dict[str, Callable[..., "Forecaster"]] = {}


def register(key: str) -> Callable:
    """Class decorator: make a forecaster known by ``key`` (the name params files use in ``models:``)."""

    def add(cls):
        _REGISTRY[key] = cls
        cls.key = key
        return cls

    return add


def registry() -> dict[str, Callable[..., "Forecaster"]]:
    """Every registered forecaster by key (the built-in ones, and any registered since)."""
    for module in BUILTIN:
        importlib.import_module(module)
    return dict(_REGISTRY)


def build(key: str, **settings) -> "Forecaster":
    """The forecaster registered as ``key``, made with its ``settings`` (plain values: no schema objects)."""
    known = registry()
    if key not in known:
        raise KeyError(f"unknown forecaster '{key}'; known: {', '.join(sorted(known))}")
    return known[key](**settings)


@dataclass
class Forecast:
    """One model's forecast: draws (draw, series, period) as an ``xarray.DataArray``, and how long it took."""

    model: str
    draws: object  # xarray.DataArray, dims (draw, series, period)
    seconds: float = 0.0

    @classmethod
    def of(cls, model: str, series: SeriesSet, periods: pd.DatetimeIndex, draws: np.ndarray,
           seconds: float = 0.0) -> "Forecast":
        """Label the draws (D, S, H) of ``series`` over ``periods``."""
        import xarray as xr

        draws = np.asarray(draws)
        if draws.shape[1:] != (len(series.keys), len(periods)):
            raise ValueError(f"{model}: draws of shape {draws.shape} for {len(series.keys)} series x "
                             f"{len(periods)} periods")
        coords = {"draw": np.arange(draws.shape[0]), "series": np.arange(draws.shape[1]), "period": periods,
                  "area": ("series", series.keys["area"].astype(str).to_numpy()),
                  "category": ("series", series.keys["category"].astype(str).to_numpy())}
        return cls(model, xr.DataArray(draws, dims=("draw", "series", "period"), coords=coords, name=model), seconds)

    @property
    def periods(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(self.draws["period"].values)

    @property
    def values(self) -> np.ndarray:
        """The draws as a plain array (D, S, H)."""
        return self.draws.values


@dataclass
class NoSampler:
    """The diagnostics of a model that draws no posterior: nothing to converge; ``notes`` says what it simplified."""

    notes: str = ""
    ok: bool = True

    def message(self) -> str:
        return "No sampler: nothing to check for convergence."

    def figures(self) -> dict:
        return {"ok": True}


class FittedForecaster:
    """What :meth:`Forecaster.fit` returns; subclasses give :meth:`forecast` (and :meth:`diagnostics` if sampled)."""

    def forecast(self, until: pd.Timestamp) -> Forecast:  # pragma: no cover - the contract
        raise NotImplementedError

    notes = ""  # what the model had to simplify (after :meth:`forecast`), in words

    def diagnostics(self):
        return NoSampler(self.notes)

    def companions(self, until: pd.Timestamp) -> dict[str, Forecast]:
        """Other forecasts of the same fit worth scoring beside it (by name); none by default."""
        return {}


class Forecaster:
    """A forecasting model: a display ``name`` and :meth:`fit`. ``key`` is set by :func:`register`."""

    name = "forecaster"
    key = ""

    def announce(self, series: SeriesSet) -> str:
        """The progress line said before fitting ``series``."""
        return f"Fitting {self.name} to each of the {len(series.keys)} series ..."

    def fit(self, series: SeriesSet, sampler, seed: int) -> FittedForecaster:  # pragma: no cover - the contract
        raise NotImplementedError


class Deferred(FittedForecaster):
    """A per-series model's fit, done when a forecast is asked for: ``draw(series, until, seed)`` gives
    (periods, draws[D, S, H], notes) and the fitted object keeps the notes."""

    def __init__(self, model: Forecaster, series: SeriesSet, seed: int, draw: Callable):
        self.model, self.series, self.seed, self._draw = model, series, seed, draw
        self.notes = ""

    def forecast(self, until: pd.Timestamp) -> Forecast:
        import time

        started = time.perf_counter()
        periods, draws, self.notes = self._draw(self.series, until, self.seed)
        return Forecast.of(self.model.name, self.series, periods, draws, time.perf_counter() - started)


def keys_from_flags(default: tuple[str, ...], prophet: bool = True, ets: bool = True, bayes: bool = True) -> list[str]:
    """The models of a params file that names none: ``default`` less those its ``prophet`` / ``ets`` flags turn off."""
    off = {k for k, on in (("prophet", prophet), ("ets", ets), ("negbin", bayes)) if not on}
    return [k for k in default if k not in off]
