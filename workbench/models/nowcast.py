"""One latent monthly series per offence group, seen through several sources (PyMC, Negative Binomial, log link).

For offence group g and month t (from the analysis start to the latest month any source covers)::

    log mu[g, t] = level[g] + slope[g] * tau(t) + season[g] . fourier(t) + shock[g] . in_shock(t) + walk[g, t]

``mu`` is the monthly count on the *reference definition*: police recorded crime as the Home Office counts it
(for ASB: data.police.uk street-level ASB, the only ASB series that runs to now). ``walk`` is a random walk on
knots every ``walk_every_months`` months (linear between them; innovation sd learnt per group,
HalfNormal(``walk_sd``) per knot step), from zero, keeping only the part the level, trend, seasonality and shocks
cannot describe (as the pooled forecaster's category walk, :mod:`workbench.models.negbin`).

Every observation i is a count of one group over a window of consecutive months ``[a_i, b_i)``::

    y_i ~ NegativeBinomial(ratio_i * sum_{t in [a_i, b_i)} mu[g_i, t], alpha[source_i])

(a source with fewer than ``FEW_OBSERVATIONS`` observations cannot learn its own noise -- ONS P7, one a year, cannot
tell it from its ratio's drift -- so its alpha has a tighter prior; see ``FEW_ALPHA``);

* a source of the reference definition has ``ratio = 1`` (Home Office quarters: 3 months; ONS rolling 12-month
  editions: 12 months, each edition one observation of a 12-month sum, never 12 months);
* any other source (street-level counts for crime; ONS P7 incidents for ASB) has its own ratio per group,
  ``log ratio[s, g, t]`` = a centre with a Normal(0, ``ratio_sd``) prior plus a yearly random walk with steps of sd
  ``ratio_drift_sd`` (linear between yearly knots), read at the window's middle month. The ratio is learnt where
  the source's months overlap a reference source's (directly or through the latent path).

A month no source covers is simply unobserved: the latent path runs through it and the interval widens there.
With no observation shorter than a quarter, the seasonality keeps only its yearly pair (quarterly sums cannot tell
the six-month pair's sine from its cosine). **Forecasts** carry each draw on from where it had got to: the slope (damped by ``trend_damping`` a year), the
seasonality, and the walk with the draw's own innovation sd; nowcast and forecast are the same draws.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.models import Diagnostics, convergence
from workbench.models.likelihood import small_dot
from workbench.models.negbin import Shock, damped_years, fourier, residual_projection, shock_matrix
from workbench.models.sampling import sample


#: Fewer observations than this and a source's dispersion alpha keeps a tighter prior: LogNormal(log ``FEW_ALPHA``,
#: ``FEW_SD``), a coefficient of variation of about 2-5% (Essex's P7 incidents, fitted with the wide prior, gave
#: about 3%); every other source has LogNormal(log 300, 1.5).
FEW_OBSERVATIONS = 12
FEW_ALPHA = 1000.0
FEW_SD = 0.5


@dataclass
class NowcastConfig:
    walk_every_months: int = 3
    walk_sd: float = 0.05
    ratio_sd: float = 0.2
    ratio_drift_sd: float = 0.05
    trend_damping: float = 0.8
    fourier_order: int = 2
    shocks: list[Shock] = field(default_factory=lambda: [Shock("covid", "2020-04", "2021-03")])
    forecast_draws: int = 1000


def interp_matrix(n: int, every: int) -> np.ndarray:
    """(K, n): linear interpolation from knots every ``every`` steps (the first at 0, the last at or after n-1)."""
    k = int(np.ceil((n - 1) / every)) + 1 if n > 1 else 1
    pos = np.arange(n) / every
    W = np.zeros((k, n))
    lo = np.minimum(np.floor(pos).astype(int), k - 1)
    hi = np.minimum(lo + 1, k - 1)
    frac = pos - lo
    W[lo, np.arange(n)] += 1 - frac
    W[hi, np.arange(n)] += frac
    return W


@dataclass
class Design:
    """The time grid, groups and observations a fit works on."""

    months: pd.DatetimeIndex
    groups: list[str]
    obs: pd.DataFrame  # source, group, start, months, count (force level, one measure)
    reference: tuple[str, ...]  # kinds with ratio 1

    @property
    def ratio_sources(self) -> list[str]:
        o = self.obs
        return sorted(o.loc[~o["kind"].isin(self.reference), "source"].unique())

    @property
    def sources(self) -> list[str]:
        return sorted(self.obs["source"].unique())


def design(obs: pd.DataFrame, groups: list[str], start: str, last: pd.Timestamp, reference: tuple[str, ...]) -> Design:
    """The grid from ``start`` to ``last``, with the observations whose windows lie in it."""
    months = pd.date_range(f"{start}-01", last, freq="MS")
    end = obs["start"] + pd.to_timedelta(0, "D")
    ends = pd.DatetimeIndex([s + pd.DateOffset(months=int(m) - 1) for s, m in zip(end, obs["months"])])
    keep = (obs["start"] >= months[0]).to_numpy() & (ends <= months[-1]) & obs["group"].isin(groups).to_numpy()
    return Design(months, list(groups), obs[keep].reset_index(drop=True), reference)


@dataclass
class NowcastFit:
    design: Design
    config: NowcastConfig
    idata: object
    seconds: float = 0.0

    def draws(self, name: str) -> np.ndarray:
        v = self.idata["posterior"][name].values
        return v.reshape((-1, *v.shape[2:]))

    @property
    def n_draws(self) -> int:
        post = self.idata["posterior"]
        return post.sizes["chain"] * post.sizes["draw"]

    def pick(self, seed: int) -> np.ndarray:
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(43,)))
        n = min(self.config.forecast_draws, self.n_draws)
        return np.sort(rng.choice(self.n_draws, size=n, replace=False))

    def path(self, end: pd.Timestamp, seed: int) -> tuple[pd.DatetimeIndex, np.ndarray]:
        """Draws of the latent monthly means from the start to ``end``: (months, draws[D, G, T + H]).

        Months after the grid are forecast: each draw's slope (damped), seasonality and shocks carry on, and its
        walk keeps wandering from where it had got to with the draw's own innovation sd.
        """
        d, c = self.design, self.config
        pick = self.pick(seed)
        hist = self.draws("log_mu")[pick]  # (D, G, T)
        future = pd.date_range(d.months[-1] + pd.DateOffset(months=1), end, freq="MS")
        if not len(future):
            return d.months, np.exp(hist)
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(44,)))
        T = len(d.months)
        tau_last = (T - 1 - T / 2) / 12
        ahead = (np.arange(1, len(future) + 1)) / 12
        clock = damped_years(ahead, c.trend_damping) if c.trend_damping < 1 else ahead
        slope = self.draws("slope")[pick]  # (D, G)
        F = fourier(future, 12, c.fourier_order)
        log_mu = (self.draws("level")[pick][:, :, None] + slope[:, :, None] * (tau_last + clock)[None, None, :])
        if F.shape[1]:
            log_mu = log_mu + np.einsum("dgf,hf->dgh", self.draws("season")[pick], F)
        used = [s for s in c.shocks if s.name in list(self.idata["posterior"].coords.get("shock", []))]
        if used:
            X = shock_matrix(future, used)
            log_mu = log_mu + np.einsum("dgj,hj->dgh", self.draws("shock_effect")[pick], X)
        sd = self.draws("walk_sd")[pick] / np.sqrt(c.walk_every_months)  # per month
        steps = sd[:, :, None] * rng.standard_normal((*sd.shape, len(future)))
        log_mu = log_mu + self.draws("walk_last")[pick][:, :, None] + np.cumsum(steps, axis=2)
        return d.months.append(future), np.exp(np.concatenate([hist, np.clip(log_mu, -20, 20)], axis=2))

    def ratio(self, source: str, seed: int) -> np.ndarray:
        """Draws of a source's ratio per group and month: (D, G, T); ones for a reference source."""
        d = self.design
        pick = self.pick(seed)
        if source not in d.ratio_sources:
            return np.ones((len(pick), len(d.groups), len(d.months)))
        s = d.ratio_sources.index(source)
        return np.exp(self.draws("log_ratio")[pick][:, s])


def dispersion_prior(n_obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sd of each source's log alpha, from its number of observations (see ``FEW_OBSERVATIONS``)."""
    few = np.asarray(n_obs) < FEW_OBSERVATIONS
    return np.where(few, np.log(FEW_ALPHA), np.log(300.0)), np.where(few, FEW_SD, 1.5)


def identified_fourier_order(d: Design, order: int) -> int:
    """The yearly Fourier order the observations identify: at most 1 when no window is shorter than a quarter.

    Summed over quarters, the six-month pair (order 2) gives one alternating pattern for both its sine and its
    cosine, so a fit on quarterly or annual sums alone (the Home Office table) could not tell them apart.
    """
    return min(order, 1) if len(d.obs) and int(d.obs["months"].min()) >= 3 else order


def fit(d: Design, config: NowcastConfig, sampler, seed: int, label: str = "the nowcast") -> NowcastFit:
    """Fit the measurement model to the observations of ``d`` (see the module notes)."""
    import pymc as pm
    import pytensor.tensor as pt

    started = time.perf_counter()
    T, G = len(d.months), len(d.groups)
    tau = (np.arange(T) - T / 2) / 12
    order = identified_fourier_order(d, config.fourier_order)
    F = fourier(d.months, 12, order)
    X = shock_matrix(d.months, config.shocks)
    used = X.any(axis=0)
    X, shocks = X[:, used], [s for s, u in zip(config.shocks, used) if u]
    n_fourier = F.shape[1]
    W = interp_matrix(T, config.walk_every_months)
    P = residual_projection(np.column_stack([np.ones(T), tau, F, X]))
    Wr = interp_matrix(T, 12)
    o = d.obs
    gi = o["group"].map({g: i for i, g in enumerate(d.groups)}).to_numpy()
    a = ((o["start"].dt.year - d.months[0].year) * 12 + o["start"].dt.month - d.months[0].month).to_numpy()
    b = a + o["months"].to_numpy().astype(int)
    mid = (a + b - 1) // 2
    si = o["source"].map({s: i for i, s in enumerate(d.sources)}).to_numpy()
    rs = d.ratio_sources
    n_ratio = len(rs)
    ri = o["source"].map({s: i for i, s in enumerate(rs)}).fillna(-1).astype(int).to_numpy()
    y = o["count"].to_numpy().astype("int64")
    # Each group's level starts from its mean monthly count on the reference definition (all sources if none).
    ref = o[o["kind"].isin(d.reference)] if o["kind"].isin(d.reference).any() else o
    per = ref.groupby("group")["count"].sum() / ref.groupby("group")["months"].sum()
    center = np.log(np.maximum(per.reindex(d.groups).fillna(per.mean() if len(per) else 1.0).to_numpy(), 0.5))
    coords = {"group": d.groups, "fourier": np.arange(F.shape[1]), "shock": [s.name for s in shocks],
              "knot": np.arange(W.shape[0] - 1), "month": np.arange(T), "source": d.sources, "ratio_source": rs,
              "year_knot": np.arange(Wr.shape[0]), "year_step": np.arange(Wr.shape[0] - 1)}
    with pm.Model(coords=coords):
        level = pm.Normal("level", center, 1.0, dims="group")
        slope = pm.Normal("slope", 0.0, 0.3, dims="group")
        log_mu = level[:, None] + slope[:, None] * tau[None, :]
        if n_fourier:
            season = pm.Normal("season", 0.0, 0.3, dims=("group", "fourier"))
            log_mu = log_mu + small_dot(season, F.T)
        if shocks:
            shock = pm.Normal("shock_effect", 0.0, 0.5, dims=("group", "shock"))
            log_mu = log_mu + small_dot(shock, X.T)
        walk_sd = pm.HalfNormal("walk_sd", config.walk_sd, dims="group")
        z = pm.Normal("walk_z", 0.0, 1.0, dims=("group", "knot"))
        knots = walk_sd[:, None] * pt.concatenate([pt.zeros((G, 1)), pt.cumsum(z, axis=1)], axis=1)
        walk = small_dot(knots, W @ P)  # the knots' path, less what the level, trend, seasons and shocks describe
        pm.Deterministic("walk_last", walk[:, -1], dims="group")
        log_mu = pm.Deterministic("log_mu", log_mu + walk, dims=("group", "month"))
        csum = pt.concatenate([pt.zeros((G, 1)), pt.cumsum(pt.exp(log_mu), axis=1)], axis=1)
        # Window sums by flat (1-D) indexing, which compiles far quicker than indexing on two axes.
        flat = csum.flatten()
        expected = flat[gi * (T + 1) + b] - flat[gi * (T + 1) + a]
        if rs:
            r0 = pm.Normal("ratio_centre", 0.0, config.ratio_sd, dims=("ratio_source", "group"))
            rz = pm.Normal("ratio_z", 0.0, 1.0, dims=("ratio_source", "group", "year_step"))
            steps = pt.concatenate([pt.zeros((n_ratio, G, 1)), pt.cumsum(rz, axis=2)], axis=2)
            steps = steps - steps.mean(axis=2, keepdims=True)
            lr_knots = r0[:, :, None] + config.ratio_drift_sd * steps
            lr = pm.Deterministic("log_ratio", small_dot(lr_knots, Wr), dims=("ratio_source", "group", "month"))
            # Reference observations read a row of zeros (ratio 1) appended after the learnt ones.
            padded = pt.concatenate([lr, pt.zeros((1, G, T))], axis=0).flatten()
            expected = expected * pt.exp(padded[(np.where(ri >= 0, ri, n_ratio) * G + gi) * T + mid])
        # A source with few observations cannot learn its own noise (ONS P7, one a year, each read through its own
        # year's ratio, cannot tell it from the ratio's drift): its dispersion keeps a tighter prior.
        alpha = pm.LogNormal("alpha", *dispersion_prior(np.bincount(si, minlength=len(d.sources))), dims="source")
        pm.NegativeBinomial("y", mu=expected, alpha=alpha[si], observed=y)
        idata = sample(sampler, seed, label)
    config = NowcastConfig(**{**config.__dict__, "shocks": shocks, "fourier_order": order})
    return NowcastFit(d, config, idata, seconds=time.perf_counter() - started)


def diagnostics(f: NowcastFit) -> Diagnostics:
    names = ("level", "slope", "season", "shock_effect", "walk_sd", "walk_z", "ratio_centre", "ratio_z", "alpha")
    return Diagnostics(*convergence(f.idata, names))
