"""Bayesian synthetic control for counts (PyMC), and the classical estimate used for placebos.

One treated unit (a force) and J donor units, T periods (quarters), a start
period ``T0``. Each donor's series is put on one scale by dividing by its mean
before the start (``x[j, t]``); the treated unit's counterfactual is a
non-negative mix of the donors that sums to one::

    w ~ Dirichlet(c, ..., c)                        (c = 0.2 by default: few donors)
    log mu[t] = log m + a + log(sum_j w[j] x[j, t]) + eta[t]
    eta[t] = rho * eta[t-1] + sigma * e[t]          (AR(1) discrepancy)
    y[t] ~ NegativeBinomial(mu[t], alpha)           for t < T0

``m`` is the treated unit's mean before the start and ``a`` a small level
shift. A concentration ``c`` below 1 favours mixes of few donors, as the
classical estimate finds; with ``c = 1`` (flat) the discrepancy absorbs the
misfit and the weights spread towards the average donor, which biases the
counterfactual (measured in ``benchmarks/bench_vvu.py``). The model is fitted on the pre-period only, so the post-period never
informs the weights; ``eta`` carries the persistent part of the misfit and is
carried forward after the start (its uncertainty grows with the horizon), so a
treated unit that drifted away from its synthetic twin before the start gets a
wider interval after it. Under the effect contract (:mod:`workbench.models.effects`)
the effect is the observed total against the expected counterfactual total
(``expected_cf``); the posterior predictive draws (``counterfactual``, with the
Negative Binomial noise) are kept for checks against recorded counts.

:func:`classical_weights` solves the same mix by least squares on the simplex
(Abadie, Diamond & Hainmueller 2010); it is fast and deterministic, and is used
for placebo-in-space over the donors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.models import convergence
from workbench.models.effects import Effect, negbin_draws
from workbench.models.likelihood import small_dot
from workbench.models.sampling import sample_reused


@dataclass
class SynthData:
    """Counts of the treated unit ``y`` (T,) and donors ``X`` (J, T); periods before ``t0`` are the pre-period."""

    y: np.ndarray
    X: np.ndarray
    t0: int
    donors: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.y = np.asarray(self.y, dtype=float)
        self.X = np.asarray(self.X, dtype=float)
        J, T = self.X.shape
        if len(self.y) != T:
            raise ValueError(f"the treated series has {len(self.y)} periods, the donors {T}")
        if J < 2:
            raise ValueError(f"synthetic control needs at least two donors, got {J}")
        if not 4 <= self.t0 <= T - 1:
            raise ValueError(f"the start must leave at least 4 periods before it and 1 after it (t0={self.t0}, T={T})")
        if (self.X[:, : self.t0].mean(axis=1) <= 0).any():
            bad = [self.donors[j] if self.donors else str(j) for j in np.nonzero(self.X[:, : self.t0].mean(axis=1) <= 0)[0]]
            raise ValueError(f"donor(s) {', '.join(bad)} have no counts before the start")

    @property
    def scale(self) -> float:
        return float(self.y[: self.t0].mean())

    @property
    def x(self) -> np.ndarray:
        """Donors on one scale: each divided by its pre-period mean."""
        return self.X / self.X[:, : self.t0].mean(axis=1, keepdims=True)


@dataclass
class SynthFit:
    data: SynthData
    idata: object
    weights: np.ndarray  # (D, J) posterior draws
    counterfactual: np.ndarray  # (D, T) posterior predictive counts without the intervention
    expected_cf: np.ndarray  # (D, T) expected counts without the intervention

    def effect(self, post: np.ndarray | None = None) -> Effect:
        """The effect contract's counts: observed, E[y | no intervention] and its predictive draws."""
        return Effect(self.data.y, self.expected_cf, self.counterfactual, self.post_mask() if post is None else post)

    def effect_pct(self, post: np.ndarray | None = None) -> np.ndarray:
        """Draws of the % change of the observed total against the expected counterfactual total over ``post``."""
        return self.effect(post).pct()

    def averted(self, post: np.ndarray | None = None) -> np.ndarray:
        """Draws of the expected counterfactual minus observed, summed over ``post`` (positive = fewer than expected)."""
        return self.effect(post).averted()

    def post_mask(self) -> np.ndarray:
        m = np.zeros(len(self.data.y), bool)
        m[self.data.t0:] = True
        return m

    def pre_fit(self) -> dict:
        """How well the synthetic twin follows the treated unit before the start (posterior mean expected counts)."""
        d = self.data
        fitted = self.expected_cf[:, : d.t0].mean(axis=0)
        err = d.y[: d.t0] - fitted
        return {"rmspe": float(np.sqrt(np.mean(err**2))), "mape_pct": float(100 * np.mean(np.abs(err) / d.y[: d.t0]))}

    def diagnostics(self) -> tuple[float, float, int]:
        return convergence(self.idata, ("w", "a", "alpha", "rho", "sigma_eta"))


def _build(J: int, span: int, data: dict):
    """The model's graph for ``J`` donors over ``span`` pre-periods; the periods in use (``use``) are data.

    A placebo in time reads only the periods before its fake start: the periods after it are left out of the
    likelihood (their discrepancy follows the AR(1) from its prior), so every fit of a window shares one graph.
    """
    import pymc as pm
    import pytensor.tensor as pt

    with pm.Model(coords={"donor": list(range(J)), "pre": np.arange(span)}) as model:
        v = {k: pm.Data(k, val) for k, val in data.items()}
        w = pm.Dirichlet("w", a=v["concentration"] * pt.ones(J), dims="donor")
        a = pm.Normal("a", 0.0, 0.2)
        rho = pm.Beta("rho", 3.0, 2.0)
        sigma = pm.HalfNormal("sigma_eta", 0.05)
        e = pm.Normal("e", 0.0, 1.0, dims="pre")
        # AR(1) discrepancy, non-centred: eta = L e with L[t, s] = sigma rho^(t-s) (s <= t), the first value
        # from the stationary distribution.
        lag = np.subtract.outer(np.arange(span), np.arange(span)).astype(float)
        L = pt.switch(lag >= 0, rho ** pt.maximum(lag, 0.0), 0.0)
        L = pt.set_subtensor(L[:, 0], L[:, 0] / pt.sqrt(1 - rho**2))
        eta = pm.Deterministic("eta", sigma * small_dot(e, L.T), dims="pre")
        synth = small_dot(w, v["x"])
        alpha = pm.LogNormal("alpha", np.log(200.0), 2.0)
        mu = pt.exp(v["log_m"] + a + pt.log(synth) + eta)
        logp = pm.logp(pm.NegativeBinomial.dist(mu=mu, alpha=alpha), v["y"])
        pm.Potential("y_loglik", (v["use"] * logp).sum())
    return model


#: The synthetic control's main fit draws this many times the sampler's draws: its weights and the discrepancy's scale
#: mix slowly (bulk ESS about an eighth of the draws on the demo), and with numba the extra draws take seconds.
DRAWS_FACTOR = 2


def main_sampler(sampler):
    """The sampler of a synthetic control whose figures are reported: :data:`DRAWS_FACTOR` times the draws (the
    placebo refits behind the checks keep :func:`workbench.models.sampling.check_sampler`'s)."""
    from dataclasses import replace

    return replace(sampler, draws=sampler.draws * DRAWS_FACTOR)


def fit(data: SynthData, sampler, seed: int, concentration: float = 0.2, label: str = "the synthetic control",
        span: int | None = None) -> SynthFit:
    """Sample the weights and the discrepancy on the pre-period; predict the counterfactual for every period.

    ``span`` (at least ``data.t0``) sets how many periods the model's graph covers: fits with the same number of
    donors and span share one compiled model (a placebo in time passes the real start's pre-period).
    """
    J, T = data.X.shape
    t0 = data.t0
    span = t0 if span is None else span
    if not t0 <= span <= T:
        raise ValueError(f"span {span} must cover the pre-period ({t0}) and not pass the series' end ({T})")
    x = data.x
    values = {"x": x[:, :span], "y": np.round(data.y[:span]).astype("int64"), "use": (np.arange(span) < t0).astype(float),
              "log_m": np.asarray(np.log(max(data.scale, 0.5))), "concentration": np.asarray(float(concentration))}
    idata = sample_reused(("synth", J, span), lambda: _build(J, span, values), values, sampler, seed, label,
                          target_accept=max(sampler.target_accept, 0.95))
    log_m = float(values["log_m"])
    post = idata["posterior"]

    def draws(name):
        v = post[name].values
        return v.reshape((-1, *v.shape[2:]))

    W, A, R, S, E, AL = (draws(n) for n in ("w", "a", "rho", "sigma_eta", "eta", "alpha"))
    E = E[:, :t0]  # the periods the fit read
    D = W.shape[0]
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(7,)))
    # Carry the discrepancy forward: eta[t0 + h] = rho^(h+1) eta[t0 - 1] + AR noise.
    eta_all = np.empty((D, T))
    eta_all[:, :t0] = E
    prev = E[:, -1]
    for t in range(t0, T):
        prev = R * prev + S * rng.standard_normal(D)
        eta_all[:, t] = prev
    mu = np.exp(log_m + A[:, None] + np.log(W @ x) + eta_all)
    return SynthFit(data, idata, W, negbin_draws(rng, mu, AL), mu)


# ----------------------------------------------------------------------------- classical estimate (placebos)


def classical_weights(y_pre: np.ndarray, x_pre: np.ndarray) -> np.ndarray:
    """Non-negative weights summing to one that best reproduce ``y_pre`` (both on the pre-mean scale) from ``x_pre``."""
    from scipy.optimize import nnls

    J = x_pre.shape[0]
    # Least squares on the simplex: a heavily weighted row of ones makes the weights sum to one.
    big = 1e3 * max(1.0, float(np.abs(x_pre).max()))
    A = np.vstack([x_pre.T, big * np.ones((1, J))])
    b = np.concatenate([y_pre, [big]])
    w, _ = nnls(A, b, maxiter=50 * J)
    return w / w.sum()


@dataclass
class ClassicalResult:
    weights: np.ndarray
    effect_pct: float
    rmspe_pre: float
    rmspe_post: float

    @property
    def ratio(self) -> float:
        """Post/pre root mean squared prediction error (the Abadie et al. placebo statistic)."""
        return self.rmspe_post / max(self.rmspe_pre, 1e-12)


def classical(y: np.ndarray, X: np.ndarray, t0: int) -> ClassicalResult:
    """The classical synthetic control of ``y`` from donors ``X`` (J, T), on the pre-mean scale."""
    y = np.asarray(y, float)
    X = np.asarray(X, float)
    ys = y / y[:t0].mean()
    xs = X / X[:, :t0].mean(axis=1, keepdims=True)
    w = classical_weights(ys[:t0], xs[:, :t0])
    synth = w @ xs
    err = ys - synth
    return ClassicalResult(
        weights=w, effect_pct=float(100 * (ys[t0:].sum() / synth[t0:].sum() - 1)),
        rmspe_pre=float(np.sqrt(np.mean(err[:t0] ** 2))), rmspe_post=float(np.sqrt(np.mean(err[t0:] ** 2))),
    )


def placebo_in_space(y: np.ndarray, X: np.ndarray, t0: int, names: tuple[str, ...], treated_name: str):
    """The classical estimate for the treated unit and for every donor posing as treated (the others as its donors).

    Returns a table (one row per unit: effect %, pre and post RMSPE, their ratio)
    and ``p``: the share of units whose post/pre RMSPE ratio is at least the
    treated unit's (the treated unit counts itself, so ``p >= 1 / (J + 1)``).
    """
    import pandas as pd

    rows = []
    units = [(treated_name, np.asarray(y, float), np.asarray(X, float))]
    for j in range(X.shape[0]):
        units.append((names[j], X[j], np.delete(X, j, axis=0)))
    for name, yy, XX in units:
        r = classical(yy, XX, t0)
        rows.append({"unit": name, "treated": name == treated_name, "effect_pct": r.effect_pct,
                     "rmspe_pre": r.rmspe_pre, "rmspe_post": r.rmspe_post, "ratio": r.ratio})
    table = pd.DataFrame(rows)
    own = table.loc[table["treated"], "ratio"].iloc[0]
    p = float((table["ratio"] >= own - 1e-12).mean())
    return table, p


# ----------------------------------------------------------------------------- simulation with known truth


@dataclass
class SynthTruth:
    effect: float  # log rate ratio of the treated unit after the start
    effect_pct: float


def simulate(rng: np.random.Generator, effect: float, n_units: int = 40, pre: int = 24, post: int = 12,
             n_factors: int = 3, ar: float = 0.6, idio_sd: float = 0.02, alpha: float = 400.0,
             n_active: int = 5) -> tuple[SynthData, SynthTruth]:
    """A panel of ``n_units`` quarterly series (one treated, the rest donors) with a known effect.

    Donors follow a factor model (trends, seasonality and shocks with unit
    loadings) with AR(1) idiosyncratic deviations and Negative Binomial noise.
    The treated unit's expected series is a mix of ``n_active`` donors' expected
    series (so a synthetic control exists) with its own AR(1) deviation, times
    ``exp(effect)`` after the start.
    """
    J, T = n_units - 1, pre + post
    t = np.arange(T)
    f = np.empty((n_factors, T))
    f[0] = (t - pre) / 4.0 * 0.05  # a linear trend, 5% a year at loading 1
    f[1] = 0.06 * np.sin(2 * np.pi * t / 4 + rng.uniform(0, 2 * np.pi))  # seasonality
    for k in range(2, n_factors):
        f[k] = np.cumsum(rng.normal(0, 0.02, T))  # shared random walks
    load = rng.normal(0, 1, (J, n_factors))
    load[:, 1] = 1 + 0.3 * rng.normal(0, 1, J)

    def ar1(n):
        out = np.empty((n, T))
        out[:, 0] = rng.normal(0, idio_sd / np.sqrt(1 - ar**2), n)
        for s in range(1, T):
            out[:, s] = ar * out[:, s - 1] + rng.normal(0, idio_sd, n)
        return out

    base = np.exp(load @ f)  # (J, T) donors' common-factor paths (mean about 1)
    sizes = np.exp(rng.uniform(np.log(800), np.log(20000), J + 1))
    mu_donors = sizes[1:, None] * base * np.exp(ar1(J))
    active = rng.choice(J, n_active, replace=False)
    w = np.zeros(J)
    w[active] = rng.dirichlet(np.ones(n_active))
    base_norm = base / base[:, :pre].mean(axis=1, keepdims=True)
    mu0 = sizes[0] * (w @ base_norm) * np.exp(ar1(1)[0])
    step = np.where(t >= pre, effect, 0.0)
    mu1 = mu0 * np.exp(step)

    def nb(mu):
        return rng.poisson(rng.gamma(alpha, mu / alpha))

    data = SynthData(y=nb(mu1), X=nb(mu_donors), t0=pre, donors=tuple(f"donor {j + 1:02d}" for j in range(J)))
    return data, SynthTruth(effect, float(100 * (np.exp(effect) - 1)))
