"""The forecaster's damped trend and per-series random-walk level on simulated series with a known wander."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from workbench.models import negbin
from workbench.models.sampling import Sampler
from workbench.models.series import SeriesSet
from workbench.params import ForecastModelParams

SD = 0.06  # the simulated level's innovation sd a quarter


def fit_recovering(data: SeriesSet, cfg: negbin.ModelConfig, var: str, truth: float):
    """Fit ``cfg`` to ``data`` and check that the 95% interval of the step scale ``var`` covers ``truth``."""
    fitted = negbin.fit(data, cfg, Sampler(draws=300, tune=300, chains=2, cores=2, backend="jax"), seed=5)
    sd = fitted.draws(var).ravel()
    assert np.quantile(sd, 0.025) < truth < np.quantile(sd, 0.975)
    assert negbin.diagnostics(fitted).divergences == 0
    return fitted


def kurtosis(z: np.ndarray) -> np.ndarray:
    """Sample kurtosis of each column of draws (3 for a Normal)."""
    z = z - z.mean(axis=0)
    return (z**4).mean(axis=0) / (z**2).mean(axis=0) ** 2


def starts_where_it_got_to(draws: np.ndarray, mu: np.ndarray) -> bool:
    """The forecast's first period is near each series' true last mean: it starts from where the walk had got to."""
    return bool(np.abs(np.log(np.median(draws[:, :, 0], axis=0)) - np.log(mu[:, -1])).max() < 0.15)


def together(draws: np.ndarray, group: np.ndarray) -> tuple[float, float]:
    """Mean correlation of log counts at the last forecast period between series of one group, and of different ones."""
    corr = np.corrcoef(np.log1p(draws[:, :, -1]).T)
    pairs = [(i, j) for i in range(len(group)) for j in range(i)]
    same = [corr[i, j] for i, j in pairs if group[i] == group[j]]
    other = [corr[i, j] for i, j in pairs if group[i] != group[j]]
    return float(np.mean(same)), float(np.mean(other)) if other else float("nan")


def shared_walk_panel(rng: np.random.Generator, walk: np.ndarray, by: str = "category"):
    """6 areas x 2 categories, quarterly: the series of each group share its log-level path ``walk`` (G, T), from zero.

    ``by`` is the grouping: "category" (G = 2), "area" (G = 6) or "shared" (G = 1). Returns the data, the true means
    and each series' group.
    """
    periods = pd.date_range("2012-04-01", periods=walk.shape[1], freq="QS-APR")
    keys = pd.DataFrame({"area": [a for a in "ABCDEF" for _ in range(2)], "category": ["Burglary", "Robbery"] * 6})
    group = {"category": (keys["category"] == "Robbery").to_numpy().astype(int),
             "area": np.repeat(np.arange(6), 2), "shared": np.zeros(len(keys), dtype=int)}[by]
    mu = np.exp(np.log(np.linspace(300, 900, len(keys)))[:, None] + walk[group] - walk[group, :1])
    return SeriesSet(periods, "Q", keys, rng.poisson(mu).astype(float)), mu, group


def test_damped_years():
    ahead = np.array([0.0, 0.5, 1.0, 2.0, 10.0])
    assert np.array_equal(negbin.damped_years(ahead, 1.0), ahead)
    d = negbin.damped_years(ahead, 0.5)
    assert d[0] == 0.0 and np.all(np.diff(d) > 0) and np.all(d <= ahead)
    assert d[2] == pytest.approx(0.5 / np.log(2))  # integral of 0.5 ** u over the first year
    assert d[-1] < 1 / np.log(2)  # the trend's total reach is bounded: 1 / -log(phi)


@pytest.fixture(scope="module")
def wandering():
    """4 areas x 2 categories, quarterly for 8 years: flat trends, seasonality, and a random-walk log level per series."""
    rng = np.random.default_rng(3)
    periods = pd.date_range("2012-04-01", periods=32, freq="QS-APR")
    keys = pd.DataFrame({"area": [a for a in "ABCD" for _ in range(2)], "category": ["Burglary", "Robbery"] * 4})
    x = np.cumsum(SD * rng.standard_normal((len(keys), len(periods))), axis=1)
    season = 0.1 * np.sin(2 * np.pi * np.arange(len(periods)) / 4)
    mu = np.exp(np.log(np.linspace(200, 800, len(keys)))[:, None] + season[None, :] + x)
    data = SeriesSet(periods, "Q", keys, rng.poisson(mu).astype(float))
    cfg = negbin.ModelConfig(series_level_walk=True, trend_damping=0.8)
    fitted = negbin.fit(data, cfg, Sampler(draws=300, tune=300, chains=2, cores=2, backend="jax"), seed=5)
    return data, fitted


def test_level_process_is_recovered(wandering):
    _, fitted = wandering
    sd = fitted.draws("level_sd").ravel()
    assert np.quantile(sd, 0.025) < SD < np.quantile(sd, 0.975)
    assert negbin.diagnostics(fitted).divergences == 0


def test_forecast_intervals_widen_with_horizon(wandering):
    data, fitted = wandering
    periods, draws = fitted.forecast(pd.Timestamp("2022-01-01"), seed=2, max_draws=400)
    assert len(periods) == 8 and draws.shape == (400, len(data.keys), 8)
    lo, hi = np.quantile(np.log1p(draws), [0.1, 0.9], axis=0)
    width = (hi - lo).mean(axis=0)  # mean width of the 80% interval of log counts, by quarter ahead
    assert width[-1] > 1.2 * width[0]
    # The forecast starts from where each series' level has wandered to, not from its trend.
    last = np.log(data.y[:, -4:].mean(axis=1))
    first_year = np.log(np.median(draws[:, :, :4], axis=0).mean(axis=1))
    assert np.abs(first_year - last).max() < 0.15


def test_spread_growth_widens_forecasts_with_the_horizon_about_the_same_median(wandering):
    data, fitted = wandering
    end = pd.Timestamp("2022-01-01")
    _, own = fitted.forecast(end, seed=2, max_draws=600)
    wide = replace(fitted, config=replace(fitted.config, spread_growth=0.5))
    _, widened = wide.forecast(end, seed=2, max_draws=600)

    def width(draws):
        lo, hi = np.quantile(np.log1p(draws), [0.1, 0.9], axis=0)
        return (hi - lo).mean(axis=0)  # by quarter ahead

    ratio = width(widened) / width(own)
    assert ratio[0] < 1.15 and ratio[-1] > 1.3 and ratio[-1] > ratio[0]  # 2 years on the log means' spread doubles
    med_own, med_wide = np.median(own, axis=0), np.median(widened, axis=0)
    assert np.abs(np.log1p(med_wide) - np.log1p(med_own)).mean() < 0.05


def test_a_jumping_level_is_recovered_with_student_t_steps():
    """Levels that mostly creep but now and then jump: Student-t steps (4 degrees of freedom, scale 0.04)."""
    rng = np.random.default_rng(11)
    scale = 0.04
    periods = pd.date_range("2012-04-01", periods=32, freq="QS-APR")
    keys = pd.DataFrame({"area": [a for a in "ABCD" for _ in range(2)], "category": ["Burglary", "Robbery"] * 4})
    x = np.cumsum(scale * rng.standard_t(4, (len(keys), len(periods))), axis=1)
    mu = np.exp(np.log(np.linspace(300, 900, len(keys)))[:, None] + x - x[:, :1])
    data = SeriesSet(periods, "Q", keys, rng.poisson(mu).astype(float))
    cfg = negbin.ModelConfig(series_level_walk=True, level_walk_df=4, fourier_order=0)
    fitted = fit_recovering(data, cfg, "level_sd", scale)
    # Forecast steps are Student-t too: the log-count spread a year on has heavier tails than a Normal's.
    _, draws = fitted.forecast(pd.Timestamp("2021-01-01"), seed=2, max_draws=600)
    assert np.median(kurtosis(np.log1p(draws[:, :, -1]))) > 3.2


def test_student_t_steps_without_the_walk_are_an_error_naming_the_fix():
    with pytest.raises(ValueError, match="series_level_walk is false.*set series_level_walk: true"):
        ForecastModelParams(level_walk_df=4)
    assert ForecastModelParams(series_level_walk=True, level_walk_df=4).level_walk_df == 4


@pytest.mark.parametrize("by, df, scale, seed", [
    ("category", None, 0.05, 7),  # every area's series of a category share one walk; areas add only noise
    ("area", 3, 0.05, 23),        # both categories of an area share one walk, with Student-t steps
    ("shared", None, 0.04, 29),   # all twelve series share one walk
])
def test_a_shared_wander_is_recovered_and_moves_its_series_together(by, df, scale, seed):
    """The series of each group share one random-walk level (per quarter: Normal sd, or t scale with df)."""
    rng = np.random.default_rng(seed)
    n_groups = {"category": 2, "area": 6, "shared": 1}[by]
    steps = rng.standard_normal((n_groups, 32)) if df is None else rng.standard_t(df, (n_groups, 32))
    data, mu, group = shared_walk_panel(rng, np.cumsum(scale * steps, axis=1), by=by)
    cfg = negbin.ModelConfig(fourier_order=0, **{f"{by}_level_walk": True, f"{by}_walk_df": df})
    fitted = fit_recovering(data, cfg, f"{by}_walk_sd", scale)
    # The forecast starts from where each series had got to.
    _, draws = fitted.forecast(pd.Timestamp("2021-01-01"), seed=2, max_draws=600)
    assert starts_where_it_got_to(draws, mu)
    # Two years on, series of one group move together; series of different groups do not.
    same, other = together(draws, group)
    assert same > 0.3
    if n_groups > 1:
        assert abs(other) < 0.1


def test_a_jumping_category_is_recovered_with_student_t_steps():
    """Every area's series of a category share a level that mostly creeps but now and then jumps (t, 4 df)."""
    rng = np.random.default_rng(19)
    scale = 0.04
    data, _, ci = shared_walk_panel(rng, np.cumsum(scale * rng.standard_t(4, (2, 32)), axis=1))
    cfg = negbin.ModelConfig(category_level_walk=True, category_walk_df=4, fourier_order=0)
    fitted = fit_recovering(data, cfg, "category_walk_sd", scale)
    # Forecast steps are Student-t too: a category's total two years on has heavier tails than a Normal's.
    _, draws = fitted.forecast(pd.Timestamp("2021-01-01"), seed=2, max_draws=600)
    totals = np.log(np.stack([draws[:, ci == c, -1].sum(axis=1) for c in (0, 1)], axis=1))
    assert kurtosis(totals).min() > 3.2


def test_student_t_category_steps_without_the_category_walk_are_an_error_naming_the_fix():
    with pytest.raises(ValueError, match="category_level_walk is false.*set category_level_walk: true"):
        ForecastModelParams(category_walk_df=4)
    assert ForecastModelParams(category_level_walk=True, category_walk_df=4).category_walk_df == 4


def test_residual_projection_removes_the_design_and_keeps_the_rest():
    t = np.arange(20.0)
    basis = np.column_stack([np.ones(20), t, 2 * t])  # a collinear column is dropped, not an error
    P = negbin.residual_projection(basis)
    assert np.allclose(P @ basis, 0.0)
    assert np.allclose(P @ P, P) and np.allclose(P, P.T)
    wiggle = np.sin(t)
    resid = P @ wiggle
    assert np.allclose(resid, wiggle - np.polyval(np.polyfit(t, wiggle, 1), t))


def test_the_models_products_in_the_graph_are_the_matrix_products():
    """The models write their design products as sums (``small_dot``) and a walk's residual through its basis
    (``residual``): the same numbers as ``a @ b`` and ``paths @ residual_projection``."""
    from workbench.models.likelihood import small_dot

    rng = np.random.default_rng(3)
    a, b, batch = rng.normal(size=(4, 6)), rng.normal(size=(6, 9)), rng.normal(size=(2, 4, 6))
    assert np.allclose(small_dot(a, b), a @ b)
    assert np.allclose(small_dot(batch, b), batch @ b)
    t = np.arange(30.0)
    basis = np.column_stack([np.ones(30), t, np.sin(t)])
    paths = rng.normal(size=(5, 30))
    assert np.allclose(negbin.residual(paths, negbin.residual_basis(basis)), paths @ negbin.residual_projection(basis))
    import pytensor.tensor as pt

    sym = pt.matrix("p")
    assert np.allclose(negbin.residual(sym, negbin.residual_basis(basis)).eval({sym: paths}),
                       paths @ negbin.residual_projection(basis))


def test_two_walks_of_one_series_each_are_an_error_naming_the_fix():
    periods = pd.date_range("2012-04-01", periods=16, freq="QS-APR")
    keys = pd.DataFrame({"area": ["A", "A"], "category": ["Burglary", "Robbery"]})
    data = SeriesSet(periods, "Q", keys, np.full((2, 16), 50.0))
    cfg = negbin.ModelConfig(category_level_walk=True, series_level_walk=True)
    with pytest.raises(ValueError, match="series_level_walk and model.category_level_walk are the same walk.*"
                                         "set one of them to false"):
        negbin.fit(data, cfg, Sampler(draws=10, tune=10, chains=1, cores=1, backend="jax"), seed=1)


@pytest.mark.parametrize("areas, cats, walks, clash", [
    ("AA", "BR", ("area_level_walk", "shared_level_walk"), "area_level_walk and model.shared_level_walk"),
    ("AB", "BB", ("category_level_walk", "shared_level_walk"), "category_level_walk and model.shared_level_walk"),
    ("AB", "BR", ("category_level_walk", "area_level_walk"), "category_level_walk and model.area_level_walk"),
    ("AABB", "BRBR", ("series_level_walk", "category_level_walk", "area_level_walk", "shared_level_walk"), None),
])
def test_walks_that_group_the_series_alike_are_named(areas, cats, walks, clash):
    cfg = negbin.ModelConfig(**{w: True for w in walks})
    area_idx = np.array([ord(a) for a in areas]); cat_idx = np.array([ord(c) for c in cats])
    if clash is None:
        negbin.same_walk(cfg, area_idx, cat_idx)  # four walks over four different groupings: all allowed
    else:
        with pytest.raises(ValueError, match=f"{clash} are the same walk here"):
            negbin.same_walk(cfg, area_idx, cat_idx)
