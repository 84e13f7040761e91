"""The effect contract (``docs/contracts.md``): what every effect model gives, and the one rule effects follow.

An effect model (the synthetic control, the interrupted time series) gives, for the treated units summed, over the
periods of the window:

* ``expected_without`` -- draws of E[y | no intervention], the counterfactual's expected counts;
* ``expected_with`` -- draws of E[y | intervention], where the design models it (the time series does; the
  synthetic control, fitted on the pre-period only, does not: None);
* ``predictive_without`` -- draws of y | no intervention: the counterfactual with its observation noise
  (Negative Binomial), for checking a fit against recorded counts, never for an effect.

**The rule.** An effect is the recorded count (``basis="observed"``) or the expected count under the intervention
(``basis="expected"``) against E[y | no intervention], over the periods after the start. Its interval is the
posterior's uncertainty about that expectation; observation noise is not in it. Two designs are compared on the
same basis.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Effect:
    """An effect model's counts over the window, as draws (D, T); ``observed`` (T,), ``post`` (T,) bool."""

    observed: np.ndarray
    expected_without: np.ndarray
    predictive_without: np.ndarray
    post: np.ndarray
    expected_with: np.ndarray | None = None

    def against(self, basis: str = "observed") -> np.ndarray:
        """What is set against E[y | no intervention]: the recorded counts, or E[y | intervention] (D, T)."""
        if basis == "observed":
            return np.broadcast_to(np.asarray(self.observed, float), self.expected_without.shape)
        if basis == "expected" and self.expected_with is not None:
            return self.expected_with
        raise ValueError(f"basis '{basis}': 'observed', or 'expected' for a design that models the intervention")

    def pct(self, basis: str = "observed") -> np.ndarray:
        """Draws of the % change over the post-period: 100 * (total / E[total | no intervention] - 1)."""
        num = self.against(basis)[:, self.post].sum(axis=1)
        return 100.0 * (num / self.expected_without[:, self.post].sum(axis=1) - 1.0)

    def averted_by_period(self, basis: str = "observed") -> np.ndarray:
        """Draws (D, T) of E[y | no intervention] minus the count set against it; zero before the start."""
        out = self.expected_without - self.against(basis)
        return np.where(self.post[None, :], out, 0.0)

    def averted(self, basis: str = "observed") -> np.ndarray:
        """Draws of the offences averted over the post-period (positive = fewer than without the intervention)."""
        return self.averted_by_period(basis).sum(axis=1)


def negbin_draws(rng: np.random.Generator, mu: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Negative Binomial draws about expected counts ``mu`` (D, ...) with dispersion ``alpha`` per draw (D,)."""
    a = np.asarray(alpha, float).reshape((-1,) + (1,) * (mu.ndim - 1))
    return rng.poisson(rng.gamma(a, mu / a)).astype(float)
