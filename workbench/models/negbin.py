"""The pooled Bayesian count forecaster (PyMC, Negative Binomial, log link).

For series s = (area a, category c) and period t::

    log mu[s, t] = level[s]
                 + sum_k (slope_cat[c, k] + slope_area[a, k]) * d_k(t)   # a trend that bends at changepoints
                 + season_cat[c] . fourier(t)                          # yearly seasonality
                 + sum_j shock_cat[c, j] * in_shock_j(t)               # known breaks (COVID, recording changes)
                 + walk[s, t]                                          # optional: the series' own wandering level
                 + walk_cat[c, t]                                      # optional: the category's, shared by its series
                 + walk_area[a, t]                                     # optional: the area's, shared by its series
                 + walk_shared[t]                                      # optional: one shared by every series
    y[s, t] ~ NegativeBinomial(mu[s, t], alpha_cat[c])

The trend is piecewise linear in time: the history is cut into segments at
changepoints spaced ``changepoint_every_years`` apart (the last at least a
year before the data end), ``d_k(t)`` is the time in years that period t has
spent in segment k (centred over the history), and ``slope_cat[c, k]`` is the
annual log-rate change of category c in segment k. Successive segment slopes
differ by a Normal(0, ``changepoint_scale``) step: a small scale keeps the
trend straight unless the data insist it bends.

**Partial pooling.** Areas deviate from their category's slopes by
``slope_area[a, k]``, zero-sum over areas, shrunk towards the category's
slopes with a prior scale of ``area_slope_scale`` (annual log-rate change; a
fixed scale rather than a learnt one, because a learnt scale near zero gives
the sampler a funnel it mixes badly in). With ``series_slope_scale`` > 0 each
series also bends on its own about its area and category (``slope_series``).
Seasonality, shocks and dispersion are shared within a category (with
``series_dispersion`` each series has its own dispersion, partially pooled
about its category's); every series keeps its own level. One model covers
every area x category series.

**Wandering level** (``series_level_walk``). Recorded counts drift away
from any smooth trend -- recording practice, local operations, a force's
reorganisation -- and the drift persists. With this option each series' log
level also follows a random walk from zero, ``walk[s, t] = walk[s, t-1] +
level_sd[c] * e[s, t]`` with ``e ~ Normal(0, 1)`` (non-centred), whose
innovation sd is learnt per category (HalfNormal(0.1) prior, per period).
With ``level_walk_df`` the innovations are Student-t with those degrees of
freedom instead: a series' level mostly creeps but now and then jumps (a
recording change, a reorganisation), and forecasts allow for such jumps.
The trend then describes where a category and area are heading; the walk
where each series has got to.

**Category-wide wandering level** (``category_level_walk``). Some shifts hit
every series of a category at once -- a national change in how an offence is
recorded. With this option each category also has a random-walk log level
from zero (Normal steps, innovation sd learnt per category, HalfNormal(0.05)
prior), shared by all its series; with ``category_walk_df`` its steps are
Student-t, so a category can jump everywhere at once now and then. The
model keeps only the part of that walk that the level, trend, seasonality
and shocks cannot describe (its residual after least squares on their
design), so walk and trend do not trade off;
forecasts carry it on from where it had got to, so a category's
series move together and the uncertainty of the total is not diluted by
averaging over independent series walks.

**Area-wide and shared wandering levels** (``area_level_walk``,
``shared_level_walk``). Other shifts hit every category of one area at once
(a force changes how it records crime, or reorganises), or every series
everywhere (a national change in recording standards). These walks are built
as the category walk is -- from zero, innovation sd learnt per area (or once
for the shared walk), HalfNormal(0.05) prior, Student-t steps with
``area_walk_df`` / ``shared_walk_df`` -- and carried on in forecasts the same
way. The shared walk is projected off the whole design, as the category walk
is; an area's walk only off its mean, because an area's trend is held close
to its category's (``area_slope_scale``) and could not take up the drift. Two
walks that group the series alike (an area walk on a panel of one category,
say) are one walk written twice, and the fit stops saying which to turn off.

**Forecasts** are posterior predictive draws: for each posterior draw the
trend carries on with the last segment's slope, bends again in the future at
the historical changepoint rate with the draw's own historical step size (as
Prophet does with its changepoints), and counts are drawn from the Negative
Binomial. With ``trend_damping`` phi < 1 the slope fades after the data end --
``phi ** a`` of it is left ``a`` years ahead, so the trend moves the forecast
by at most ``1 / -log(phi)`` years' worth of the last slope (a damped trend;
future bends fade the same way). With the wandering level, each series
starts from where its walk had got to and keeps walking with the draw's
innovation sd, so intervals widen with the horizon as the history's wander
says. With ``spread_growth`` g > 0 the draws' log means are spread further
about their median, by a factor 1 + g * (years ahead): an empirical widening,
chosen by backtest, for shifts no history showed (as weather forecasters
widen an ensemble's spread by its past errors); the model's own intervals are
those with g = 0. Totals over areas, categories and periods are sums of the
same draws, so their uncertainty is right.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from workbench.errors import ParamDataError
from workbench.models import BAYES, Diagnostics, convergence
from workbench.models.forecasters import FittedForecaster, Forecast, Forecaster, register
from workbench.models.likelihood import small_dot
from workbench.models.sampling import Sampler, sample
from workbench.models.series import SeriesSet


@dataclass
class Shock:
    """A known break: periods from ``start`` to ``end`` (inclusive ``YYYY-MM``) get their own effect per category."""

    name: str
    start: str
    end: str


@dataclass
class ModelConfig:
    changepoint_every_years: float = 2.0
    changepoint_scale: float = 0.05
    area_slope_scale: float = 0.03
    series_slope_scale: float = 0.0
    history_years: float | None = None
    series_dispersion: bool = False
    series_level_walk: bool = False
    level_walk_df: float | None = None
    category_level_walk: bool = False
    category_walk_df: float | None = None
    area_level_walk: bool = False
    area_walk_df: float | None = None
    shared_level_walk: bool = False
    shared_walk_df: float | None = None
    trend_damping: float = 1.0
    spread_growth: float = 0.0
    fourier_order: int = 3
    shocks: list[Shock] = field(default_factory=list)


def fourier(periods: pd.DatetimeIndex, per_year: int, order: int) -> np.ndarray:
    """Yearly Fourier terms by month (or quarter) of year; columns that are identically zero are dropped."""
    phase = 2 * np.pi * ((periods.month.to_numpy() - 1) // (12 // per_year)) / per_year
    cols = []
    for k in range(1, min(order, per_year // 2) + 1):
        for f in (np.sin, np.cos):
            col = f(k * phase)
            if np.abs(col).max() > 1e-9:
                cols.append(col)
    return np.column_stack(cols) if cols else np.zeros((len(periods), 0))


def shock_matrix(periods: pd.DatetimeIndex, shocks: list[Shock]) -> np.ndarray:
    out = np.zeros((len(periods), len(shocks)))
    for j, s in enumerate(shocks):
        out[:, j] = (periods >= pd.Timestamp(f"{s.start}-01")) & (periods <= pd.Timestamp(f"{s.end}-01"))
    return out


def segment_edges(span_years: float, every_years: float) -> np.ndarray:
    """Start (years from the first period) of each trend segment: 0, then evenly spaced changepoints.

    Changepoints stop a year before the end of the history, so the last slope
    is always estimated from at least a year of data.
    """
    usable = span_years - 1.0
    n_cp = max(0, int(np.floor(usable / every_years))) if usable > 0 else 0
    cps = np.linspace(0.0, usable, n_cp + 2)[1:-1] if n_cp > 0 else np.zeros(0)
    return np.concatenate([[0.0], cps])


def segment_durations(tau: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Years spent in each segment by time ``tau``: shape (len(tau), len(edges)); the last segment is open-ended."""
    widths = np.append(np.diff(edges), np.inf)
    return np.clip(tau[:, None] - edges[None, :], 0.0, widths[None, :])


@dataclass
class Fitted:
    """A fitted model: the data, the design, the posterior (DataTree) and what forecasting needs."""

    data: SeriesSet
    config: ModelConfig
    idata: object
    origin: pd.Timestamp
    edges: np.ndarray
    dur_mean: np.ndarray
    area_idx: np.ndarray
    cat_idx: np.ndarray
    areas: list[str]
    categories: list[str]
    seconds: float = 0.0

    def tau(self, periods: pd.DatetimeIndex) -> np.ndarray:
        return ((periods - self.origin).days / 365.25).to_numpy()

    def draws(self, name: str, pick: np.ndarray | None = None) -> np.ndarray:
        """Posterior draws of one variable with chains and draws flattened into the first axis."""
        v = self.idata["posterior"][name].values
        v = v.reshape((-1, *v.shape[2:]))
        return v if pick is None else v[pick]

    @property
    def n_draws(self) -> int:
        post = self.idata["posterior"]
        return post.sizes["chain"] * post.sizes["draw"]

    def current_slope(self) -> np.ndarray:
        """Posterior draws of each category's slope in the last segment (annual log-rate change): (D, C)."""
        return self.draws("slope_cat")[:, :, -1]

    def mean_slope(self) -> np.ndarray:
        """Posterior draws of each category's slope averaged over the whole history: (D, C)."""
        span = self.tau(self.data.periods[-1:])[0]
        weights = segment_durations(np.array([span]), self.edges)[0]
        return self.draws("slope_cat") @ (weights / weights.sum())

    def forecast(self, end: pd.Timestamp, seed: int, max_draws: int = 1000) -> tuple[pd.DatetimeIndex, np.ndarray]:
        """Posterior predictive draws of the counts after the data up to ``end``: (periods, draws[D, S, H])."""
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(41,)))
        future = self.data.future(end)
        pick = np.sort(rng.choice(self.n_draws, size=min(max_draws, self.n_draws), replace=False))
        tau_f = self.tau(future)
        last = self.tau(self.data.periods[-1:])[0]
        # The trend's clock after the data end: the calendar, or with damping the years of trend felt.
        clock = damped_years(tau_f - last, self.config.trend_damping) if self.config.trend_damping < 1 else None
        dur = segment_durations(tau_f if clock is None else last + clock, self.edges) - self.dur_mean  # (H, K)
        slope = self.draws("slope_cat", pick)[:, self.cat_idx, :] + self.draws("slope_area", pick)[:, self.area_idx, :]
        if self.config.series_slope_scale > 0:
            slope = slope + self.draws("slope_series", pick)
        log_mu = self.draws("level", pick)[:, :, None] + np.einsum("dsk,hk->dsh", slope, dur)
        F = fourier(future, self.data.per_year, self.config.fourier_order)
        if F.shape[1]:
            log_mu = log_mu + np.einsum("dsf,hf->dsh", self.draws("season_cat", pick)[:, self.cat_idx, :], F)
        if self.config.shocks:
            X = shock_matrix(future, self.config.shocks)
            log_mu = log_mu + np.einsum("dsj,hj->dsh", self.draws("shock_cat", pick)[:, self.cat_idx, :], X)
        H = log_mu.shape[2]
        if H and len(self.edges) > 1:
            # Future bends: changepoints at the historical rate (in calendar time), felt on the damped clock.
            rate = (len(self.edges) - 1) / max(last, 1e-9)
            # Category bends, then (with series slopes) each series' own, with steps of its historical size.
            ahead = tau_f - last
            log_mu = log_mu + future_bends(rng, self.draws("slope_cat", pick), rate, ahead, clock)[:, self.cat_idx, :]
            if self.config.series_slope_scale > 0:
                log_mu = log_mu + future_bends(rng, self.draws("slope_series", pick), rate, ahead, clock)
        if H and self.config.series_level_walk:
            # Each series' level keeps wandering from where it had got to, with the draw's innovation sd.
            sd = self.draws("level_sd", pick)[:, self.cat_idx]  # (D, S)
            steps = sd[:, :, None] * innovations(rng, self.config.level_walk_df, log_mu.shape)
            log_mu = log_mu + self.draws("level_walk_last", pick)[:, :, None] + np.cumsum(steps, axis=2)
        for group, idx in walk_groups(self.area_idx, self.cat_idx).items():
            if group == "series" or not getattr(self.config, f"{group}_level_walk"):
                continue
            # A group's shared level keeps wandering too: one path per category (area, or one for all), felt by all
            # its series, with the draw's innovation sd.
            sd = self.draws(f"{group}_walk_sd", pick)  # (D, G)
            steps = sd[:, :, None] * innovations(rng, getattr(self.config, f"{group}_walk_df"), (*sd.shape, H))
            path = self.draws(f"{group}_walk_last", pick)[:, :, None] + np.cumsum(steps, axis=2)
            log_mu = log_mu + path[:, idx, :]
        if H and self.config.spread_growth > 0:
            # Widen the spread of the log means about their median by a share per year ahead: shifts the history
            # never showed (a national change in recording, a pandemic), at the rate past backtests found them.
            med = np.median(log_mu, axis=0)
            log_mu = med + (log_mu - med) * (1.0 + self.config.spread_growth * (tau_f - last))
        if self.config.series_dispersion:
            alpha = self.draws("alpha_series", pick)[:, :, None]
        else:
            alpha = self.draws("alpha", pick)[:, self.cat_idx][:, :, None]
        mu = np.exp(np.clip(log_mu, -20, 20))
        y = rng.poisson(rng.gamma(alpha, mu / alpha))
        return future, y


def damped_years(ahead: np.ndarray, phi: float) -> np.ndarray:
    """Years of trend felt ``ahead`` years after the data end when the slope keeps a share ``phi`` of itself a year.

    The integral of ``phi ** u`` from 0 to ``ahead``: the slope a years on is
    ``phi ** a`` times the last one (``phi = 1``: no damping, the clock runs as the calendar).
    """
    ahead = np.asarray(ahead, dtype=float)
    if phi >= 1.0:
        return ahead
    return (1.0 - phi ** ahead) / -np.log(phi)


def future_bends(rng: np.random.Generator, slopes: np.ndarray, rate: float, ahead: np.ndarray,
                 clock: np.ndarray | None = None) -> np.ndarray:
    """Log-rate changes from future changepoints: (D, N, H) for segment slopes (D, N, K) and ``ahead`` years (H,).

    Changepoints arrive at ``rate`` a year (Poisson, uniform in time); each
    step is Normal with the root mean square of the draw's historical steps.
    With ``clock`` (the damped years of trend at each of ``ahead``; None =
    the calendar) a bend's effect runs on it, so damping fades new slopes as
    it does the last one.
    """
    D, N, _ = slopes.shape
    scale = np.sqrt(np.mean(np.diff(slopes, axis=2) ** 2, axis=(1, 2)))  # (D,)
    out = np.zeros((D, N, len(ahead)))
    for d in range(D):
        n_new = rng.poisson(rate * ahead[-1])
        if n_new == 0:
            continue
        at = rng.uniform(0, ahead[-1], n_new)
        delta = rng.normal(0, scale[d], (N, n_new))
        if clock is None:
            out[d] = delta @ np.maximum(0.0, ahead[None, :] - at[:, None])
        else:
            at_clock = np.interp(at, np.r_[0.0, ahead], np.r_[0.0, clock])
            out[d] = delta @ np.maximum(0.0, clock[None, :] - at_clock[:, None])
    return out


def innovations(rng: np.random.Generator, df: float | None, shape: tuple[int, ...]) -> np.ndarray:
    """Unit-scale random-walk innovations: Normal, or Student-t with ``df`` degrees of freedom."""
    return rng.standard_normal(shape) if df is None else rng.standard_t(df, shape)


def walk_innovations(name: str, df: float | None, dims: tuple[str, str]):
    """The non-centred innovations of a random walk (PyMC): Normal(0, 1), or Student-t(df) at unit scale."""
    import pymc as pm

    if df is None:
        return pm.Normal(name, 0.0, 1.0, dims=dims)
    return pm.StudentT(name, nu=df, mu=0.0, sigma=1.0, dims=dims)


def walk_from_zero(sd, z):
    """A random walk per row that starts at zero: (N, T) from step sds (N,) and innovations z (N, T - 1) (PyTensor)."""
    import pytensor.tensor as pt

    return sd[:, None] * pt.concatenate([pt.zeros((z.shape[0], 1)), pt.cumsum(z, axis=1)], axis=1)


def residual_basis(basis: np.ndarray) -> np.ndarray:
    """(T, r): an orthonormal basis of the column space of ``basis`` (T, p), collinear columns dropped."""
    u, sv, _ = np.linalg.svd(basis, full_matrices=False)
    return u[:, sv > sv.max() * 1e-10]


def residual_projection(basis: np.ndarray) -> np.ndarray:
    """The (T, T) matrix that takes a path over T periods to its residual after least squares on ``basis`` (T, p)."""
    u = residual_basis(basis)
    return np.eye(basis.shape[0]) - u @ u.T


def residual(paths, u: np.ndarray):
    """Paths (N, T) less their least-squares fit on the orthonormal basis ``u`` (T, r) (PyTensor): ``paths`` times
    :func:`residual_projection`, computed through the r columns rather than a (T, T) product."""
    return paths - small_dot(small_dot(paths, u), u.T)


WALKS = ("series", "category", "area", "shared")  # the random-walk levels; each is turned on by ``{walk}_level_walk``


def walk_groups(area_idx: np.ndarray, cat_idx: np.ndarray) -> dict[str, np.ndarray]:
    """The group of every series under each walk: its own, its category's, its area's, or one for all."""
    return {"series": np.arange(len(cat_idx)), "category": cat_idx, "area": area_idx, "shared": np.zeros_like(cat_idx)}


def same_walk(config: ModelConfig, area_idx: np.ndarray, cat_idx: np.ndarray) -> None:
    """Stop when two of the walks turned on group the series alike (e.g. a category walk with one area per category).

    Two walks over the same groups of series are one walk written twice:
    the data cannot tell their shares apart and the sampler wanders between them.
    """
    groups = walk_groups(area_idx, cat_idx)
    on = [w for w in WALKS if getattr(config, f"{w}_level_walk")]
    for i, first in enumerate(on):
        for second in on[i + 1:]:
            pairs = len(set(zip(groups[first], groups[second])))
            if pairs == len(set(groups[first])) == len(set(groups[second])):
                raise ParamDataError(("model", f"{second}_level_walk"), (
                    f"model.{first}_level_walk and model.{second}_level_walk are the same walk here: this panel's series fall "
                    f"into the same groups for both ({pairs} of them; e.g. one area, or one category, or "
                    f"series_by other than area_category): set one of them to false"))


def group_index(keys: pd.DataFrame) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """The areas and categories of the series ``keys`` (sorted), and each series' index into them."""
    areas = sorted(keys["area"].unique())
    categories = sorted(keys["category"].unique())
    ai = keys["area"].map({a: i for i, a in enumerate(areas)}).to_numpy()
    ci = keys["category"].map({c: i for i, c in enumerate(categories)}).to_numpy()
    return areas, categories, ai, ci


def check_config(config: ModelConfig, keys: pd.DataFrame) -> None:
    """What :func:`fit` would stop on about the settings, given the series ``keys``, found before anything is built."""
    same_walk(config, *group_index(keys)[2:])


def fit(data: SeriesSet, config: ModelConfig, sampler: Sampler, seed: int,
        label: str = "the pooled forecaster") -> Fitted:
    """Fit the pooled Negative Binomial model to every series of ``data``."""
    import time

    import pymc as pm
    import pytensor.tensor as pt

    started = time.perf_counter()
    areas, categories, ai, ci = group_index(data.keys)
    # Periods the panel does not cover are NaN for every series: leave those columns out.
    covered = ~np.isnan(data.y).all(axis=0)
    if np.isnan(data.y[:, covered]).any():
        raise ValueError("a series has missing periods where others do not; the panel should be complete")
    same_walk(config, ai, ci)
    if config.history_years is not None:
        recent = data.periods > data.periods[-1] - pd.DateOffset(months=round(12 * config.history_years))
        covered = covered & recent
    periods = data.periods[covered]
    y = data.y[:, covered].astype("int64")
    origin = periods[0]
    tau = ((periods - origin).days / 365.25).to_numpy()
    edges = segment_edges(tau[-1], config.changepoint_every_years)
    dur = segment_durations(tau, edges)
    dur_mean = dur.mean(axis=0)
    dur = dur - dur_mean
    F = fourier(periods, data.per_year, config.fourier_order)
    # A shock with no month in the history cannot be estimated: leave it out of the model and its forecasts.
    X = shock_matrix(periods, config.shocks)
    used = X.any(axis=0)
    X = X[:, used]
    config = replace(config, shocks=[s for s, u in zip(config.shocks, used) if u])
    center = np.log(np.maximum(y.mean(axis=1), 0.5))
    coords = {
        "series": np.arange(len(data.keys)), "area": areas, "category": categories, "segment": np.arange(len(edges)),
        "fourier": np.arange(F.shape[1]), "shock": [s.name for s in config.shocks], "period": np.arange(len(periods)),
        "step": np.arange(1, len(periods)), "shared": ["all series"],
    }
    with pm.Model(coords=coords):
        level = pm.Normal("level", center, 1.0, dims="series")
        slope_cat = pm.Normal("slope_cat", 0.0, 0.3, dims=("category", "segment"))
        if len(edges) > 1:
            steps = slope_cat[:, 1:] - slope_cat[:, :-1]
            pm.Potential("bend_prior", pm.logp(pm.Normal.dist(0.0, config.changepoint_scale), steps).sum())
        slope = slope_cat[ci]
        if len(areas) > 1:
            slope_area = pm.ZeroSumNormal(
                "slope_area", sigma=config.area_slope_scale, dims=("area", "segment"), n_zerosum_axes=1
            )
            slope = slope + slope_area[ai]
        else:
            pm.Deterministic("slope_area", pt.zeros((1, len(edges))), dims=("area", "segment"))
        if config.series_slope_scale > 0:
            slope = slope + pm.Normal("slope_series", 0.0, config.series_slope_scale, dims=("series", "segment"))
        log_mu = level[:, None] + small_dot(slope, dur.T)
        if F.shape[1]:
            season_cat = pm.Normal("season_cat", 0.0, 0.3, dims=("category", "fourier"))
            log_mu = log_mu + small_dot(season_cat[ci], F.T)
        if X.shape[1]:
            shock_cat = pm.Normal("shock_cat", 0.0, 0.5, dims=("category", "shock"))
            log_mu = log_mu + small_dot(shock_cat[ci], X.T)
        if config.series_level_walk:
            # x[s, 0] = 0, x[s, t] = x[s, t-1] + level_sd[c] e[s, t], non-centred: the innovations e are the free
            # variables. The walk starts at zero so that it and the series' level do not trade off.
            level_sd = pm.HalfNormal("level_sd", 0.1, dims="category")
            level_z = walk_innovations("level_z", config.level_walk_df, ("series", "step"))
            walk = walk_from_zero(level_sd[ci], level_z)
            pm.Deterministic("level_walk_last", walk[:, -1], dims="series")
            log_mu = log_mu + walk
        # Shared random-walk levels from zero: a category's (a shift in how it is recorded everywhere at once), an
        # area's (a force's own recording or reorganisation moves all its categories), one for all series (a
        # national shift). Non-centred; innovation sd learnt per group. Only the part of each walk that the group's
        # own terms cannot describe is kept (its residual after least squares on their design): without this a
        # walk's tilt and the slopes trade off, and the sampler crawls along that ridge. A category's or all series'
        # level, trend, seasonality and shocks are free to take the rest; an area's trend is held close to its
        # category's (area_slope_scale), so an area's walk gives up only its mean, and keeps its drift.
        full = residual_basis(np.column_stack([np.ones(len(periods)), dur, F, X]))
        mean_only = residual_basis(np.ones((len(periods), 1)))
        for group, idx in walk_groups(ai, ci).items():
            if group != "series" and getattr(config, f"{group}_level_walk"):
                project = mean_only if group == "area" else full
                sd = pm.HalfNormal(f"{group}_walk_sd", 0.05, dims=group)
                z = walk_innovations(f"{group}_walk_z", getattr(config, f"{group}_walk_df"), (group, "step"))
                walk = residual(walk_from_zero(sd, z), project)
                pm.Deterministic(f"{group}_walk_last", walk[:, -1], dims=group)
                log_mu = log_mu + walk[idx]
        alpha = pm.LogNormal("alpha", np.log(30.0), 1.5, dims="category")
        if config.series_dispersion:
            alpha_sd = pm.HalfNormal("alpha_sd", 0.5)
            alpha_z = pm.Normal("alpha_z", 0.0, 1.0, dims="series")
            alpha_s = pm.Deterministic("alpha_series", alpha[ci] * pt.exp(alpha_sd * alpha_z), dims="series")
        else:
            alpha_s = alpha[ci]
        pm.NegativeBinomial("y", mu=pt.exp(log_mu), alpha=alpha_s[:, None], observed=y)
        idata = sample(sampler, seed, label)
    return Fitted(data, config, idata, origin, edges, dur_mean, ai, ci, areas, categories,
                  seconds=time.perf_counter() - started)


def diagnostics(fitted: Fitted) -> Diagnostics:
    """r-hat, bulk ESS and divergences over the model's free parameters."""
    names = ("level", "slope_cat", "slope_area", "slope_series", "season_cat", "shock_cat", "alpha", "alpha_sd", "level_sd",
             "category_walk_sd", "area_walk_sd",
             "shared_walk_sd")
    max_rhat, min_ess, div = convergence(fitted.idata, names)
    return Diagnostics(max_rhat, min_ess, div, fitted.n_draws, int(fitted.idata["posterior"].sizes["chain"]))


# ----------------------------------------------------------------------------- the forecaster contract

#: The same fit scored with the model's own spread beside its widened one (``spread_growth`` > 0).
UNWIDENED = f"{BAYES} unwidened"


@register("negbin")
class NegBin(Forecaster):
    """The pooled model under the forecaster contract (:mod:`workbench.models.forecasters`)."""

    name = BAYES

    def __init__(self, config: ModelConfig | None = None, draws: int = 1000):
        self.config = config if config is not None else ModelConfig()
        self.draws = draws

    def announce(self, series: SeriesSet) -> str:
        return (f"Fitting the pooled Negative Binomial model to {len(series.keys)} series x {len(series.periods)} "
                "periods ...")

    def fit(self, series: SeriesSet, sampler, seed: int) -> "FittedNegBin":
        return FittedNegBin(fit(series, self.config, sampler, seed), seed, self.draws)


class FittedNegBin(FittedForecaster):
    """A pooled fit: posterior predictive forecasts, sampler diagnostics and, when widened, its own-spread forecast."""

    def __init__(self, fitted: Fitted, seed: int, draws: int):
        self.fitted, self.seed, self.draws = fitted, seed, draws

    @property
    def spread_growth(self) -> float:
        return self.fitted.config.spread_growth

    def forecast(self, until: pd.Timestamp, name: str = BAYES) -> Forecast:
        periods, y = self.fitted.forecast(until, self.seed, max_draws=self.draws)
        return Forecast.of(name, self.fitted.data, periods, y, self.fitted.seconds)

    def diagnostics(self) -> Diagnostics:
        return diagnostics(self.fitted)

    def companions(self, until: pd.Timestamp) -> dict[str, Forecast]:
        if self.spread_growth <= 0:
            return {}
        own = replace(self.fitted, config=replace(self.fitted.config, spread_growth=0.0))
        return {UNWIDENED: FittedNegBin(own, self.seed, self.draws).forecast(until, UNWIDENED)}
