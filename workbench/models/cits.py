"""Comparative interrupted time series with a Negative Binomial likelihood (PyMC).

For unit u (a treated hotspot, a unit of the spillover ring around them, or
a control) and month t::

    log mu[u, t] = level[u] + trend[u] * tau[t] + month[t]
                 + treated[u] * post[t] * dose[u] * (effect + sd_hotspot * z[u])
                 + ring[u] * post[t] * spillover
    y[u, t] ~ NegativeBinomial(mu[u, t], alpha)

* ``month[t]`` is shared by every unit: seasonality and anything else that
  moves the whole force area (the "comparative" part: controls carry it).
* ``trend[u] = sd_trend * w[u]``: each unit's own linear trend (annual
  log-rate change) about the controls' common trend (which the month effects
  carry; ``w`` averages zero over the controls), partially pooled, so a
  hotspot that was already falling does not pass for an effect (the
  "interrupted time series" part). The groups share the controls' trend on
  average (parallel trends, as in difference-in-differences): the pre-trend
  check (``with_effects=False``, pre-period only) adds a group trend for the
  hotspots and the ring to test that.
* ``effect`` is the pooled log rate ratio of the hotspots after the start,
  with hotspot-level deviations partially pooled (``sd_hotspot``, when there is more than one treated
  unit); ``dose``
  scales each hotspot's effect by its relative dosage (1 without dosage).
* ``spillover`` is the log rate ratio of the ring: above zero means crime
  moved next door (displacement), below zero that the benefit spread
  (diffusion).

The priors of ``effect`` and ``spillover`` come from params with their
source; everything else is weakly informative. :func:`expected` gives the
posterior expected counts with and without the effect, and :func:`effect` those
of a group of units under the effect contract (:mod:`workbench.models.effects`), from
which an evaluation reports crimes averted and the effect as a % change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.models import convergence
from workbench.models.effects import Effect, negbin_draws
from workbench.models.likelihood import count_table, negbin_sum
from workbench.models.sampling import sample_reused


#: Prior sd of the hotspots' (and the ring's) trend about the controls' in the pre-trend check (annual log-rate
#: change): wide, so the check can see a difference.
PRE_TREND_SD = 0.2


@dataclass(frozen=True)
class Prior:
    """Normal prior of a log rate ratio."""

    mean: float
    sd: float


@dataclass
class Design:
    """The counts and the roles of the units: y (U, T) for units x months (months need not be consecutive)."""

    y: np.ndarray
    tau: np.ndarray  # (T,) years from the start month
    post: np.ndarray  # (T,) bool: month at or after the start (and before any end)
    treated: np.ndarray  # (U,) bool
    ring: np.ndarray  # (U,) bool
    dose: np.ndarray  # (U,) relative dosage of treated units (1 elsewhere)
    use: np.ndarray | None = None  # (T,) bool: the months the fit reads (None: all); the others are left out

    def __post_init__(self) -> None:
        U, T = self.y.shape
        if self.use is not None and (len(self.use) != T or not self.use.any()):
            raise ValueError("the design's months in use do not match its counts")
        if not self.treated.any():
            raise ValueError("the design has no treated units")
        if (~self.treated & ~self.ring).sum() < 2:
            raise ValueError("the design needs at least two control units")
        if len(self.tau) != T or len(self.post) != T or len(self.treated) != U or len(self.ring) != U:
            raise ValueError("design arrays do not match the counts' shape")

    @property
    def used(self) -> np.ndarray:
        """(T,) bool: the months the fit reads."""
        return np.ones(self.y.shape[1], bool) if self.use is None else self.use.astype(bool)

    @property
    def tau_c(self) -> np.ndarray:
        """Years from the start, centred on the months in use (the model's time axis)."""
        return self.tau - self.tau[self.used].mean()


@dataclass
class Fit:
    design: Design
    idata: object
    effect_prior: Prior

    def draws(self, name: str) -> np.ndarray:
        v = self.idata["posterior"][name].values
        return v.reshape((-1, *v.shape[2:]))


def _data(d: Design, effect_prior: Prior, spillover_prior: Prior, with_effects: bool) -> dict:
    """The values of the model's data containers for one fit (the graph itself depends only on the shapes)."""
    treated = d.treated.astype(float)
    ring = d.ring.astype(float)
    use = d.used
    post = (d.post & use).astype(float) if with_effects else np.zeros(len(d.post))
    return {
        "y": d.y.astype(float), "use": use.astype(float), "tau": d.tau_c, "post": post, "treated": treated,
        "ring": ring, "control": 1.0 - treated - ring, "center": np.log(np.maximum(d.y[:, use].mean(axis=1), 0.1)),
        "hot_idx": np.nonzero(d.treated)[0].astype("int64"), "dose_hot": d.dose[d.treated].astype(float),
        "effect_mean": np.asarray(effect_prior.mean, float), "effect_sd": np.asarray(effect_prior.sd, float),
        "spill_mean": np.asarray(spillover_prior.mean, float), "spill_sd": np.asarray(spillover_prior.sd, float),
        "pretrend": np.asarray(0.0 if with_effects else 1.0), **count_table(d.y[:, use]),
    }


def _build(U: int, T: int, n_hot: int, has_ring: bool, data: dict, centred: bool = False):
    """The model's graph for ``U`` units, ``T`` months and ``n_hot`` hotspots; every number in it is data.

    The fits with either prior, the placebo-in-time fits and the pre-trend check all share it (the checks read
    the pre-period through ``use``), so a kernel compiles it once per shape. The pre-trend terms (``trend_hot``, ``trend_ring``) are switched on by
    ``pretrend``; the effect terms by ``post`` (all zero in the pre-trend check). A term switched off leaves its
    parameters at their priors, which changes nothing else in the posterior. ``centred`` samples the units' trends
    themselves rather than their standardised deviations: better where every unit's counts are large (see
    :data:`CENTRED_MEAN_COUNT`), worse where they are small.
    """
    import pymc as pm
    import pytensor.tensor as pt

    with pm.Model(coords={"unit": np.arange(U), "month": np.arange(T), "hotspot": np.arange(n_hot)}) as model:
        x = {k: pm.Data(k, v) for k, v in data.items()}
        level = pm.Normal("level", x["center"], 1.0, dims="unit")
        # Month effects summing to zero over the months in use (a ZeroSumNormal when every month is in use); a
        # month left out keeps its prior and touches nothing.
        raw = pm.Normal("month_raw", 0.0, 0.5, dims="month")
        month = pm.Deterministic("month_effect", raw - (raw * x["use"]).sum() / x["use"].sum(), dims="month")
        sd_trend = pm.HalfNormal("sd_trend", 0.1)
        if centred:
            # Large counts (forces) pin each unit's trend down: sampled as trends, not as their scaled innovations.
            w = pm.Deterministic("w", pm.Normal("trend_unit", 0.0, sd_trend, dims="unit") / sd_trend, dims="unit")
        else:
            w = pm.Normal("w", 0.0, 1.0, dims="unit")
        # The month effects carry the controls' common trend; units deviate from it (controls by zero on average).
        w_ctrl_mean = (w * x["control"]).sum() / x["control"].sum()
        trend = sd_trend * (w - w_ctrl_mean)
        # The pre-trend check: do the hotspots (and the ring) trend apart from the controls before the start?
        trend = trend + x["pretrend"] * pm.Normal("trend_hot", 0.0, PRE_TREND_SD) * x["treated"]
        if has_ring:
            trend = trend + x["pretrend"] * pm.Normal("trend_ring", 0.0, PRE_TREND_SD) * x["ring"]
        log_mu = level[:, None] + trend[:, None] * x["tau"][None, :] + month[None, :]
        effect = pm.Deterministic("effect", x["effect_mean"] + x["effect_sd"] * pm.Normal("effect_z", 0.0, 1.0))
        if n_hot > 1:
            sd_hot = pm.HalfNormal("sd_hotspot", 0.1)
            z = pm.Normal("z", 0.0, 1.0, dims="hotspot")
            per_hot = pm.Deterministic("hotspot_effect", (effect + sd_hot * z) * x["dose_hot"], dims="hotspot")
        else:
            # One treated unit (a force, as in the VVU evaluation): its deviation from the pooled effect is not
            # identified by anything, and sampling its scale would be a funnel; the unit's effect is the effect.
            per_hot = pm.Deterministic("hotspot_effect", effect * x["dose_hot"], dims="hotspot")
        unit_effect = pt.set_subtensor(pt.zeros(U)[x["hot_idx"]], per_hot)
        log_mu = log_mu + unit_effect[:, None] * x["post"][None, :]
        if has_ring:
            spill = pm.Deterministic("spillover", x["spill_mean"] + x["spill_sd"] * pm.Normal("spillover_z", 0.0, 1.0))
            log_mu = log_mu + spill * x["ring"][:, None] * x["post"][None, :]
        alpha = pm.LogNormal("alpha", np.log(10.0), 1.5)
        pm.Potential("y_loglik", negbin_sum(x["y"], log_mu, alpha, x["nb_values"], x["nb_counts"], x["nb_const"],
                                            weight=x["use"][None, :]))
    return model


#: A mean count per unit and period from which the units' trends are sampled centred (forces by quarter are in the
#: hundreds and thousands; LSOAs by month in ones and tens).
CENTRED_MEAN_COUNT = 200.0


def fit(design: Design, effect_prior: Prior, spillover_prior: Prior, sampler, seed: int,
        with_effects: bool = True, label: str = "the interrupted time series") -> Fit:
    """Sample the model. ``with_effects=False`` leaves out the effect and spillover terms (the pre-trend check)."""
    d = design
    U, T = d.y.shape
    if with_effects and not (d.post.any() and (~d.post).any()):
        raise ValueError("the design needs months both before and after the start")
    data = _data(d, effect_prior, spillover_prior, with_effects)
    n_hot, has_ring = int(d.treated.sum()), bool(d.ring.any())
    centred = bool(d.y[:, d.used].mean() >= CENTRED_MEAN_COUNT)
    idata = sample_reused(("cits", U, T, n_hot, has_ring, PRE_TREND_SD, centred),
                          lambda: _build(U, T, n_hot, has_ring, data, centred), data, sampler, seed, label)
    return Fit(design, idata, effect_prior)


def expected(fitted: Fit, rows: np.ndarray, with_effect: bool) -> np.ndarray:
    """Posterior draws of the expected counts of units ``rows`` in every month: (D, len(rows), T).

    ``with_effect=False`` gives the counterfactual: the same units without the
    effect and spillover terms.
    """
    d = fitted.design
    tau = d.tau_c
    treated = d.treated.astype(float)[rows]
    ring = d.ring.astype(float)[rows]
    w = fitted.draws("w")
    control = ~d.treated & ~d.ring
    w = w - w[:, control].mean(axis=1, keepdims=True)
    trend = fitted.draws("sd_trend")[:, None] * w[:, rows]
    log_mu = fitted.draws("level")[:, rows, None] + trend[:, :, None] * tau[None, None, :] + fitted.draws("month_effect")[:, None, :]
    if with_effect:
        hot_idx = np.nonzero(d.treated)[0]
        unit = np.zeros((log_mu.shape[0], d.y.shape[0]))
        unit[:, hot_idx] = fitted.draws("hotspot_effect")
        if d.ring.any():
            unit[:, d.ring] = fitted.draws("spillover")[:, None]
        log_mu = log_mu + unit[:, rows, None] * d.post[None, None, :]
    return np.exp(log_mu)


def effect(fitted: Fit, rows: np.ndarray, seed: int = 0) -> Effect:
    """The effect contract's counts of units ``rows`` summed: observed, E[y | intervention], E[y | no intervention]
    and its predictive draws (Negative Binomial noise, seeded by ``seed``)."""
    e1, e0 = expected(fitted, rows, True), expected(fitted, rows, False)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(29,)))
    noisy = negbin_draws(rng, e0, fitted.draws("alpha")).sum(axis=1)
    return Effect(fitted.design.y[rows].sum(axis=0), e0.sum(axis=1), noisy, fitted.design.post, e1.sum(axis=1))


def diagnostics(fitted: Fit) -> tuple[float, float, int]:
    """(max r-hat, min bulk ESS, divergences) over the scalar parameters, hotspot effects, levels and months."""
    return convergence(fitted.idata, ("effect", "spillover", "sd_hotspot", "trend_hot", "trend_ring", "sd_trend",
                                      "alpha", "hotspot_effect", "level", "month_effect"))


# ----------------------------------------------------------------------------- simulation with known truth


@dataclass
class Truth:
    effect: float  # pooled log rate ratio of the hotspots
    spillover: float  # log rate ratio of the ring
    effect_pct: float  # the count-weighted % change of the hotspots' expected count (what an evaluation reports)


def simulate(rng: np.random.Generator, effect: float, spillover: float, n_hot: int = 20, n_ring: int = 60,
             n_ctrl: int = 200, pre: int = 24, post: int = 12, hot_level: float = 20.0, alpha: float = 8.0,
             hot_sd: float = 0.05, trend_sd: float = 0.05) -> tuple[Design, Truth]:
    """A panel like a hotspot evaluation's, with known effects: seasonality, a common trend, unit trends, NB noise."""
    U, T = n_hot + n_ring + n_ctrl, pre + post
    months = np.arange(T)
    tau = (months - pre) / 12.0
    season = 0.12 * np.sin(2 * np.pi * months / 12 + rng.uniform(0, 2 * np.pi)) + rng.normal(0, 0.04, T)
    common = rng.normal(-0.03, 0.03) * tau
    treated = np.zeros(U, bool)
    treated[:n_hot] = True
    ring = np.zeros(U, bool)
    ring[n_hot:n_hot + n_ring] = True
    level = np.empty(U)
    level[:n_hot] = np.log(hot_level) + rng.normal(0, 0.3, n_hot)
    level[n_hot:n_hot + n_ring] = np.log(hot_level / 3) + rng.normal(0, 0.5, n_ring)
    level[n_hot + n_ring:] = np.log(hot_level * 0.8) + rng.normal(0, 0.4, n_ctrl)
    unit_trend = rng.normal(0, trend_sd, U)
    log_mu0 = level[:, None] + season[None, :] + common[None, :] + unit_trend[:, None] * tau[None, :]
    is_post = months >= pre
    step = np.zeros(U)
    step[:n_hot] = effect + rng.normal(0, hot_sd, n_hot)
    step[ring] = spillover
    log_mu1 = log_mu0 + step[:, None] * is_post[None, :]
    mu = np.exp(log_mu1)
    y = rng.poisson(rng.gamma(alpha, mu / alpha))
    cf, fit_ = np.exp(log_mu0[:n_hot][:, is_post]).sum(), mu[:n_hot][:, is_post].sum()
    design = Design(y=y, tau=tau, post=is_post, treated=treated, ring=ring, dose=np.ones(U))
    return design, Truth(effect, spillover, float(100 * (fit_ / cf - 1)))
