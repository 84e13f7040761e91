"""The one home of what every evaluation measures its figures by: the interval, the words for a probability and
the thresholds of the design checks. (The convergence rule is :func:`workbench.models.converged`.)"""

from __future__ import annotations

import numpy as np

#: The central interval every figure reports as ``*_lo`` / ``*_hi``.
INTERVAL = 0.90
#: Its lower and upper quantiles (5% and 95%).
LO_Q, HI_Q = round((1 - INTERVAL) / 2, 10), round((1 + INTERVAL) / 2, 10)

#: Placebo in space: the treated unit stands out when at most this share of placebos departs as much.
PLACEBO_P_MAX = 0.10
#: Pre-period fit of a synthetic control: the twin tracks the treated unit at or under this mean absolute % error.
PRE_FIT_MAPE_MAX = 5.0
#: Pre-trend: a difference in annual log-rate this small is negligible even when its interval excludes zero.
PRE_TREND_TOLERANCE = 0.05

#: The words for a probability (the Professional Head of Intelligence Assessment's probability yardstick): the
#: first band whose lower edge the probability reaches.
YARDSTICK = ((0.95, "almost certain"), (0.80, "highly likely"), (0.55, "likely"), (0.45, "a realistic possibility"),
             (0.20, "unlikely"), (0.05, "highly unlikely"), (0.0, "remote"))


def interval(draws, axis=None) -> tuple:
    """(lo, median, hi) of ``draws`` over the central :data:`INTERVAL`."""
    lo, med, hi = np.quantile(draws, [LO_Q, 0.5, HI_Q], axis=axis)
    return lo, med, hi


def likelihood_words(prob: float) -> str:
    """A probability in the words of the yardstick (:data:`YARDSTICK`): 0.7 is "likely"."""
    return next(words for cut, words in YARDSTICK if prob >= cut)
