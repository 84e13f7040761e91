"""Panels as a matrix of count series: the common input of every forecaster.

A *series* is one (area, category) pair (or one category, or one area, at the
level asked for); its counts over the periods of the panel form a row of
``y``. Within periods the panel covers, a missing cell is a zero (the panel's
convention); a period the panel does not cover at all is ``NaN`` for every
series -- the models skip it, nothing is filled in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.data.geography import district_of
from workbench.data.panel import STEP_MONTHS, expected_periods


@dataclass
class SeriesSet:
    """Counts of S series over T periods (``NaN`` where the period is not covered)."""

    periods: pd.DatetimeIndex
    frequency: str
    keys: pd.DataFrame  # one row per series: columns "area" and "category"
    y: np.ndarray  # (S, T) float, NaN = not covered

    @property
    def step(self) -> int:
        return STEP_MONTHS[self.frequency]

    @property
    def per_year(self) -> int:
        return 12 // self.step

    @property
    def covered(self) -> np.ndarray:
        """(T,) whether the panel covers each period (a period it does not cover is NaN for every series)."""
        return ~np.isnan(self.y).all(axis=0)

    def future(self, end: pd.Timestamp) -> pd.DatetimeIndex:
        """Periods after the last observed one, up to and including ``end``."""
        start = self.periods[-1] + pd.DateOffset(months=self.step)
        return expected_periods(start, end, self.frequency) if start <= end else pd.DatetimeIndex([])

    def subset(self, rows: np.ndarray) -> "SeriesSet":
        return SeriesSet(self.periods, self.frequency, self.keys.iloc[rows].reset_index(drop=True), self.y[rows])

    def truncate(self, last: pd.Timestamp) -> "SeriesSet":
        keep = self.periods <= last
        return SeriesSet(self.periods[keep], self.frequency, self.keys, self.y[:, keep])


@dataclass
class SeriesLayout:
    """The shape of the series a panel gives, without their counts: what the checks before a fit need."""

    periods: pd.DatetimeIndex
    frequency: str
    keys: pd.DataFrame  # one row per series: columns "area" and "category", sorted
    covered: np.ndarray  # (T,) whether the panel covers each period

    step = SeriesSet.step
    per_year = SeriesSet.per_year


def _frequency(panel: pd.DataFrame) -> str:
    freqs = sorted(set(map(str, panel["frequency"].unique())))  # the distinct values, not every row
    if len(freqs) != 1:
        raise ValueError(f"the panel mixes frequencies {freqs}; forecast one source at a time")
    if freqs[0] == "Y":
        raise ValueError("12-month ONS editions are snapshots, not a series; forecast monthly or quarterly data")
    return freqs[0]


def _columns(panel: pd.DataFrame, by: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    area = district_of(panel["area_name"]).astype(str).to_numpy() if "area" in by else np.full(len(panel), "all areas")
    cat = panel["category"].astype(str).to_numpy() if "category" in by else np.full(len(panel), "all categories")
    return area, cat


def layout(panel: pd.DataFrame, by: tuple[str, ...] = ("area", "category")) -> SeriesLayout:
    """The periods, series and covered periods :func:`series_matrix` gives ``panel``, at a fraction of its cost."""
    freq = _frequency(panel)
    present = pd.DatetimeIndex(sorted(panel["period"].unique()))
    periods = expected_periods(present[0], present[-1], freq)
    area = district_of(panel["area_name"]) if "area" in by else pd.Series("all areas", index=panel.index)
    cat = panel["category"] if "category" in by else pd.Series("all categories", index=panel.index)
    keys = pd.DataFrame({"area": area.astype("category"), "category": cat.astype("category")}).drop_duplicates()
    keys = keys.astype(str).sort_values(["area", "category"]).reset_index(drop=True)
    return SeriesLayout(periods, freq, keys, np.asarray(periods.isin(present)))


def series_matrix(panel: pd.DataFrame, by: tuple[str, ...] = ("area", "category")) -> SeriesSet:
    """The panel as series by ``area`` (district / CSP / force name) and/or ``category``."""
    freq = _frequency(panel)
    area, cat = _columns(panel, by)
    present = pd.DatetimeIndex(sorted(panel["period"].unique()))
    periods = expected_periods(present[0], present[-1], freq)
    frame = pd.DataFrame({"area": area, "category": cat, "period": panel["period"].to_numpy(), "count": panel["count"].to_numpy()})
    wide = frame.groupby(["area", "category", "period"])["count"].sum().unstack("period", fill_value=0)
    wide = wide.reindex(columns=periods, fill_value=0).astype(float)
    wide.loc[:, ~periods.isin(present)] = np.nan
    keys = wide.index.to_frame(index=False)
    return SeriesSet(periods, freq, keys, wide.to_numpy())


def active_series(train: SeriesSet) -> tuple[np.ndarray, np.ndarray]:
    """Which series to forecast and score from the end of ``train``: (keep, dropped) boolean masks over ``train``'s series.

    A series is kept when it recorded crime in the year to its last period (an origin). One with no history at all cannot be
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
