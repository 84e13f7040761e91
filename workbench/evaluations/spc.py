"""Statistical process control: XmR charts with the signal rules UK public-sector performance teams use.

An XmR (individuals and moving range) chart puts each point against the
process **mean** and the **natural process limits** ``mean ± 2.66 × mR̄``,
where ``mR̄`` is the mean absolute difference between consecutive points
(2.66 = 3 / 1.128 turns the mean moving range into three standard deviations).
Limits are recalculated from each named **break** (a new phase: a recording
change, a new call system, ...). Points before a break never shape the limits
after it, and a moving range never spans a break.

**Signal rules** (as in NHS England's *Making Data Count*, which UK police
performance teams also follow), each tested within a phase:

* **beyond limits** -- a single point above the upper or below the lower limit;
* **run** -- ``run_length`` (default 7) or more consecutive points on the same
  side of the mean (a point exactly on the mean breaks a run);
* **trend** -- ``trend_length`` (default 6) or more consecutive points each
  higher (or each lower) than the one before (a tie breaks a trend);
* **two of three** -- two out of three consecutive points beyond two sigma
  (``mean ± 2 × mR̄ / 1.128``) on the same side.

**Status of an indicator.** As in *Making Data Count*, the variation icon
reads the latest point: if it belongs to a signal, the signal's direction
against the indicator's good direction makes the indicator *improving* or
*deteriorating* (or *special cause* when no direction is better); otherwise
the variation is common cause. **Assurance** compares the latest phase's
limits with the latest target: a target outside the limits on the good side
will not be met without a change in the process (*consistently fails
target*); one outside on the other side is *consistently met*; inside the
limits it is *hit and miss*. An indicator with common-cause variation that
consistently fails its target is classed *against target*; otherwise *no
significant change*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: 3 / d2 with d2 = 1.128 for moving ranges of two points.
E2 = 2.66
D2 = 1.128

IMPROVING = "improving"
DETERIORATING = "deteriorating"
NO_CHANGE = "no significant change"
AGAINST_TARGET = "against target"
SPECIAL = "special cause (no better direction)"
STATUSES = (IMPROVING, DETERIORATING, AGAINST_TARGET, NO_CHANGE, SPECIAL)

MEETS = "consistently meets target"
FAILS = "consistently fails target"
HIT_AND_MISS = "hit and miss"
NO_TARGET = "no target"

RULES = ("beyond", "run", "trend", "two_of_three")


@dataclass(frozen=True)
class Rules:
    """Signal-rule settings; ``min_points`` is the fewest points per phase for firm limits."""

    run_length: int = 7
    trend_length: int = 6
    two_of_three: bool = True
    min_points: int = 15

    def __post_init__(self) -> None:
        if self.run_length < 2 or self.trend_length < 2:
            raise ValueError("run_length and trend_length must be at least 2")


def phases(periods: pd.DatetimeIndex, breaks: list[pd.Timestamp] | None) -> np.ndarray:
    """Phase number of each period: 0 until the first break, +1 from each break on."""
    cuts = sorted(pd.Timestamp(b) for b in (breaks or []))
    return np.searchsorted(np.array(cuts, dtype="datetime64[ns]"), periods.to_numpy(), side="right")


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, end exclusive) of every maximal run of True in ``flags``."""
    out, start = [], None
    for i, f in enumerate(flags):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append((start, i))
            start = None
    if start is not None:
        out.append((start, len(flags)))
    return out


def _phase_signals(x: np.ndarray, mean: float, sigma: float, ucl: float, lcl: float, rules: Rules) -> dict[str, np.ndarray]:
    """Per rule, the direction of each point's signal: +1 high/up, -1 low/down, 0 none."""
    n = len(x)
    out = {r: np.zeros(n, dtype=int) for r in RULES}
    out["beyond"][x > ucl] = 1
    out["beyond"][x < lcl] = -1
    for side in (1, -1):
        for s, e in _runs(side * (x - mean) > 0):
            if e - s >= rules.run_length:
                out["run"][s:e] = side
        # A trend of k points is k - 1 consecutive steps in one direction.
        steps = side * np.diff(x) > 0
        for s, e in _runs(steps):
            if e - s + 1 >= rules.trend_length:
                out["trend"][s:e + 1] = side
        if rules.two_of_three and n >= 3:
            near = side * (x - mean) > 2 * sigma
            for i in range(n - 2):
                if near[i:i + 3].sum() >= 2:
                    idx = np.arange(i, i + 3)[near[i:i + 3]]
                    out["two_of_three"][idx] = side
    return out


def xmr(values: pd.Series, breaks: list[str] | None = None, rules: Rules = Rules()) -> pd.DataFrame:
    """The XmR chart of ``values`` (indexed by period, in order; NaN = no value that period).

    Returns one row per period with ``value``, ``phase``, ``mean``, ``ucl``,
    ``lcl``, ``sigma``, ``moving_range``, a column per rule (+1, -1 or 0) and
    ``signal`` (+1 / -1 where any rule fires; when rules disagree, beyond limits
    wins, then run, trend and two of three). Periods with no value
    are kept, with NaN, and skipped by the moving ranges; they never get a value.
    """
    if not values.index.is_monotonic_increasing or values.index.has_duplicates:
        raise ValueError("SPC values must be indexed by period, in order, each period once")
    periods = pd.DatetimeIndex(values.index)
    x_all = values.to_numpy(dtype=float)
    ph = phases(periods, [pd.Timestamp(b) for b in (breaks or [])])
    frame = pd.DataFrame({"value": x_all, "phase": ph}, index=periods)
    for col in ("mean", "ucl", "lcl", "sigma", "moving_range"):
        frame[col] = np.nan
    for r in RULES:
        frame[r] = 0
    for p in np.unique(ph):
        rows = np.nonzero((ph == p) & ~np.isnan(x_all))[0]
        if len(rows) < 2:
            raise ValueError(f"phase starting {periods[np.nonzero(ph == p)[0][0]]:%Y-%m} has {len(rows)} value(s); "
                             "an XmR chart needs at least 2 per phase. Fix: drop or move the break.")
        x = x_all[rows]
        mr = np.abs(np.diff(x))
        mean, mr_bar = float(x.mean()), float(mr.mean())
        sigma = mr_bar / D2
        ucl, lcl = mean + E2 * mr_bar, mean - E2 * mr_bar
        in_phase = ph == p
        frame.loc[in_phase, ["mean", "ucl", "lcl", "sigma"]] = [mean, ucl, lcl, sigma]
        frame.iloc[rows[1:], frame.columns.get_loc("moving_range")] = mr
        sig = _phase_signals(x, mean, sigma, ucl, lcl, rules)
        for r in RULES:
            frame.iloc[rows, frame.columns.get_loc(r)] = sig[r]
    sig = np.zeros(len(frame), dtype=int)
    for r in ("two_of_three", "trend", "run", "beyond"):  # later rules win; beyond limits wins over all
        v = frame[r].to_numpy()
        sig = np.where(v != 0, v, sig)
    frame["signal"] = sig
    return frame


def direction_word(sign: int, good: str | None) -> str:
    """+1/-1 signal against the good direction (``up``, ``down`` or None)."""
    if sign == 0:
        return NO_CHANGE
    if good not in ("up", "down"):
        return SPECIAL
    return IMPROVING if (sign > 0) == (good == "up") else DETERIORATING


def assurance(chart: pd.DataFrame, target: float | None, good: str | None) -> str:
    """Whether the latest phase's process will meet ``target`` (see the module docstring)."""
    if target is None or (isinstance(target, float) and np.isnan(target)) or good not in ("up", "down"):
        return NO_TARGET
    last = chart.dropna(subset=["value"]).iloc[-1]
    ucl, lcl = last["ucl"], last["lcl"]
    if good == "down":
        return MEETS if ucl <= target else FAILS if lcl > target else HIT_AND_MISS
    return MEETS if lcl >= target else FAILS if ucl < target else HIT_AND_MISS


@dataclass
class Reading:
    """One indicator read from its chart."""

    variation: str  # improving / deteriorating / special cause / no significant change (common cause)
    assurance: str
    status: str
    rules_latest: tuple[str, ...]  # the rules the latest point fires
    signals: int  # points with a signal in the latest phase
    provisional: bool  # fewer than rules.min_points in the latest phase


def read(chart: pd.DataFrame, good: str | None, target: float | None, rules: Rules = Rules()) -> Reading:
    """The status of an indicator from its XmR chart (the latest point, and the target)."""
    valued = chart.dropna(subset=["value"])
    last = valued.iloc[-1]
    variation = direction_word(int(last["signal"]), good)
    assure = assurance(chart, target, good)
    if variation in (IMPROVING, DETERIORATING, SPECIAL):
        status = variation
    elif assure == FAILS:
        status = AGAINST_TARGET
    else:
        status = NO_CHANGE
    latest_phase = valued[valued["phase"] == last["phase"]]
    fired = tuple(r for r in RULES if last[r] != 0)
    return Reading(variation, assure, status, fired, int((latest_phase["signal"] != 0).sum()),
                   len(latest_phase) < rules.min_points)
