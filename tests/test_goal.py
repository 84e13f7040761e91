"""Goal tracking: the arithmetic against hand-worked figures, bad goals, and the forecasters on known truths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.data import demo
from workbench.evaluations import goal as G
from workbench.models import negbin
from workbench.models.sampling import Sampler
from workbench.models.series import SeriesSet, series_matrix
from workbench.params import GoalTrackingParams


def _set(periods, y, areas=("A", "B"), cats=("Burglary", "Burglary")):
    keys = pd.DataFrame({"area": list(areas), "category": list(cats)})
    return SeriesSet(pd.DatetimeIndex(periods), "M", keys, np.asarray(y, dtype=float))


@pytest.fixture
def flat():
    """Two series of 10 a month from April 2023 to March 2025; 3 forecast draws of constant months to March 2028."""
    hist = pd.date_range("2023-04-01", "2025-03-01", freq="MS")
    data = _set(hist, np.full((2, len(hist)), 10.0))
    future = pd.date_range("2025-04-01", "2028-03-01", freq="MS")
    draws = np.stack([np.full((2, len(future)), v) for v in (4.0, 5.0, 8.0)])  # per month per series
    return data, future, draws


def test_goal_figures_by_hand(flat):
    data, future, draws = flat
    goal = G.Goal(2023, 2027, 0.40)
    t = G.track(goal, "m", "crime", data, future, draws, np.array([True, True]))
    s = t.summary()
    assert s["baseline_total"] == 240.0  # 2 series x 12 months x 10
    assert s["target_total"] == 144.0
    # Target-year totals per draw: 2 x 12 x (4, 5, 8) = 96, 120, 192 -> two of three at or below 144.
    assert s["forecast_target_median"] == 120.0
    assert s["p_goal_met"] == pytest.approx(2 / 3, abs=1e-3)
    assert s["expected_shortfall"] == pytest.approx((192 - 144) / 3, abs=0.1)
    # Latest 12 months (Apr 2024 - Mar 2025) = 240; 3 years to March 2028.
    assert s["latest_12m_total"] == 240.0 and s["years_left"] == 3.0
    assert s["required_annual_reduction_now"] == pytest.approx(1 - 0.6 ** (1 / 3), abs=1e-4)
    assert s["forecast_annual_change"] == pytest.approx(0.5 ** (1 / 3) - 1, abs=1e-4)
    assert goal.annual_rate == pytest.approx(1 - 0.6**0.25)


def test_goal_on_harm_weights_each_series_and_its_draws():
    """Burglary (221.6 days) and robbery (365 days): harm moves the other way from the count."""
    hist = pd.date_range("2023-04-01", "2025-03-01", freq="MS")
    data = _set(hist, np.full((2, len(hist)), 10.0), cats=("Burglary", "Robbery"))
    future = pd.date_range("2025-04-01", "2028-03-01", freq="MS")
    # per draw: burglary falls to none, robbery rises to 11 a month
    draws = np.stack([np.stack([np.full(len(future), 0.0), np.full(len(future), 11.0)])] * 2)
    rows = np.array([True, True])
    keep, w, hm = G.harm_rows(data, rows, "cchi", [])
    assert keep.all() and w.tolist() == [221.6, 365.0]
    count = G.track(G.Goal(2023, 2027, 0.4), "m", "crime", data, future, draws, rows).summary()
    harm = G.track(G.Goal(2023, 2027, 0.4), "m", "crime", data, future, draws, keep).weighted(w, "harm", hm.unit).summary()
    assert count["forecast_target_median"] == 12 * 11 and count["p_goal_met"] == 1.0  # 132 <= 0.6 x 240
    assert harm["baseline_total"] == pytest.approx(12 * 10 * (221.6 + 365))
    assert harm["forecast_target_median"] == pytest.approx(12 * 11 * 365)
    assert harm["p_goal_met"] == 0.0 and harm["unit"] == "days"  # 48,180 > 0.6 x 70,392
    assert "days" in G.plain_summary(harm, "test")
    # The paragraph gives a probability as the key findings and tables do: never "0%", and 2.5% is "3%" everywhere.
    assert "(probability <1%)" in G.plain_summary(harm, "test")
    assert "(probability 3%)" in G.plain_summary({**harm, "p_goal_met": 0.025}, "test")


def test_the_goal_notebook_measure_is_counts_or_harm_and_asb_stays_out():
    hist = pd.date_range("2023-04-01", "2025-03-01", freq="MS")
    data = _set(hist, np.full((3, len(hist)), 10.0), areas=("A", "A", "A"),
                cats=("Burglary", "Robbery", "Anti-social behaviour"))
    future = pd.date_range("2025-04-01", "2028-03-01", freq="MS")
    draws = np.stack([np.full((3, len(future)), 5.0)] * 2)
    run = G.GoalRun(G.Goal(2023, 2027, 0.4), data, future, {"m": draws}, {}, None, None)
    count, hm = G.crime_tracked(run, GoalTrackingParams())
    assert hm is None and count["m"].summary()["baseline_total"] == 240.0  # ASB out
    harm, hm = G.crime_tracked(run, GoalTrackingParams(measure="harm"))
    s = harm["m"].summary()
    assert hm.scheme == "cchi" and s["unit"] == "days"
    assert s["baseline_total"] == pytest.approx(120 * (221.6 + 365)) and s["measure"].startswith("Crime harm")


def test_goal_on_harm_names_a_category_without_a_weight():
    hist = pd.date_range("2023-04-01", "2025-03-01", freq="MS")
    data = _set(hist, np.full((2, len(hist)), 10.0), cats=("Sexual offences", "Robbery"))
    with pytest.raises(Exception, match="'Sexual offences' is empty.*harm_unweighted"):
        G.harm_rows(data, np.array([True, True]), "cchi", [])
    keep, w, _ = G.harm_rows(data, np.array([True, True]), "cchi", ["Sexual offences"])
    assert keep.tolist() == [False, True] and w.tolist() == [365.0]


def test_summary_names_a_widened_spread_among_the_assumptions(flat):
    from types import SimpleNamespace

    from workbench.models import BAYES

    data, future, draws = flat
    s = G.track(G.Goal(2023, 2027, 0.40), BAYES, "crime", data, future, draws, np.array([True, True])).summary()
    ok = SimpleNamespace(ok=True)

    def summary(growth):
        run = SimpleNamespace(fitted={BAYES: SimpleNamespace(spread_growth=growth)}, diagnostics=ok)
        return G.GoalResult({BAYES: s}, {}, run).summary("test data").paragraph

    assert "spread" not in summary(0.0)
    assert "widened beyond the model's own by 30% of their spread for each year ahead" in summary(0.3)


def test_summary_says_whether_the_settings_are_validated(flat):
    from types import SimpleNamespace

    from workbench.models import BAYES
    from workbench.params import ForecastModelParams
    from workbench.presets import validation

    data, future, draws = flat
    s = G.track(G.Goal(2023, 2027, 0.40), BAYES, "crime", data, future, draws, np.array([True, True])).summary()

    def summary(v):
        run = SimpleNamespace(fitted={}, diagnostics=SimpleNamespace(ok=True), validation=v)
        return G.GoalResult({BAYES: s}, {}, run).summary("test data").paragraph

    ok = summary(validation(ForecastModelParams(preset="demo"), "area_category", "demo"))
    assert "Settings: validated" in ok and "params/backtest-demo.yaml" in ok
    own = summary(validation(ForecastModelParams(changepoint_scale=0.5), "area_category", "policeuk"))
    assert "**Settings: not validated**" in own and "match no preset" in own


def test_summary_sets_each_per_series_model_beside_the_pooled_one(flat):
    from types import SimpleNamespace

    from workbench.models import BAYES, ETS, PROPHET

    data, future, draws = flat
    rows = np.array([True, True])
    s = {m: G.track(G.Goal(2023, 2027, 0.40), m, "crime", data, future, d, rows).summary()
         for m, d in ((BAYES, draws), (ETS, draws), (PROPHET, draws * 2))}
    run = SimpleNamespace(fitted={}, diagnostics=SimpleNamespace(ok=True))
    text = G.GoalResult(s, {}, run).summary("test data").paragraph
    assert "Bayesian NegBin and ETS agree on the chance of meeting the crime goal" in text
    assert "Bayesian NegBin and Prophet disagree" in text
    assert "ETS (ETS)" not in text and "crime (ETS): the goal is" in text


def test_target_path_is_constant_rate(flat):
    data, future, draws = flat
    t = G.track(G.Goal(2023, 2027, 0.40), "m", "crime", data, future, draws, np.array([True, True]))
    path = t.target_path()
    assert list(path.index.year) == [2024, 2025, 2026, 2027, 2028]
    ratios = path.to_numpy()[1:] / path.to_numpy()[:-1]
    assert np.allclose(ratios, 0.6**0.25) and path.iloc[-1] == pytest.approx(144.0)


def test_drivers_sum_to_the_gap(flat):
    data, future, draws = flat
    draws = draws.copy()
    draws[:, 1, :] *= 2  # area B forecast twice area A
    t = G.track(G.Goal(2023, 2027, 0.40), "m", "crime", data, future, draws, np.array([True, True]))
    d = t.drivers("area")
    assert list(d.index) == ["B", "A"]  # the larger gap first
    assert d.loc["A", "forecast_median"] == 60.0 and d.loc["B", "forecast_median"] == 120.0
    assert d["gap"].sum() == pytest.approx(180.0 - 144.0)


def test_rolling_totals_join_history_and_forecast(flat):
    data, future, draws = flat
    roll = G.track(G.Goal(), "m", "crime", data, future, draws, np.array([True, True])).rolling_12m()
    assert roll["q50"].iloc[:11].isna().all() and roll["q50"].iloc[11] == 240.0
    assert roll.loc[pd.Timestamp("2028-03-01"), "q50"] == 120.0


def test_baseline_year_outside_the_data_is_a_clear_error(flat):
    data, future, draws = flat
    t = G.track(G.Goal(2022, 2027, 0.4), "m", "crime", data, future, draws, np.array([True, True]))
    with pytest.raises(ValueError, match=r"baseline year FY 2022/23 is not fully in the data \(missing 2022-04.*goal.baseline_year"):
        t.summary()


def test_forecast_short_of_the_target_year_is_an_error(flat):
    data, future, draws = flat
    with pytest.raises(ValueError, match="before the end of the target year FY 2028/29"):
        G.track(G.Goal(2023, 2028, 0.4), "m", "crime", data, future, draws, np.array([True, True]))


def test_unknown_goal_categories_are_named(flat):
    data, _, _ = flat
    with pytest.raises(ValueError, match=r"not in the data: \['Burgalry'\]"):
        G.select(data, ["Burgalry"])
    with pytest.raises(ValueError, match="selects no series"):
        G.select(data, None, exclude=["Burglary"])


def test_goal_params_reject_a_target_before_the_baseline():
    with pytest.raises(ValueError, match=r"target_year \(2022\) must be after baseline_year \(2023\)"):
        GoalTrackingParams(target_year=2022)
    with pytest.raises(ValueError, match="after end"):
        GoalTrackingParams(model={"shocks": [{"name": "x", "start": "2021-03", "end": "2020-04"}]})


def test_quarterly_financial_years():
    assert list(G.fy_periods(2023, 3).strftime("%Y-%m")) == ["2023-04", "2023-07", "2023-10", "2024-01"]


# ----------------------------------------------------------------------------- the models on known truths


@pytest.fixture(scope="module")
def demo_fit():
    """The pooled model on the demo panel by category (small sampler settings; the truths are in demo.py)."""
    panel = demo.generate(7, "2015-04", "2025-12", 0.1)
    data = series_matrix(panel, ("category",))
    cfg = negbin.ModelConfig(shocks=[negbin.Shock("covid", "2020-04", "2021-03")])
    fitted = negbin.fit(data, cfg, Sampler(draws=300, tune=300, chains=2, cores=2, backend="jax"), seed=11)
    return data, fitted


def test_posterior_covers_the_true_trends(demo_fit):
    """Each category's fitted trend (averaged over the history) covers the demo's true annual change.

    The three serious-violence categories carry the injected VVU step (-7% from October 2019), which a trend
    model reads as a bend; they are left out of the check.
    """
    _, fitted = demo_fit
    slopes = fitted.mean_slope()
    checked, missed = 0, []
    for i, cat in enumerate(fitted.categories):
        if cat in demo.VVU_CATEGORIES:
            continue
        truth = np.log1p(demo.CATEGORY_TRENDS[cat])
        lo, hi = np.quantile(slopes[:, i], [0.025, 0.975])
        checked += 1
        if not lo <= truth <= hi:
            missed.append((cat, round(truth, 3), round(lo, 3), round(hi, 3)))
    assert checked == 11
    assert len(missed) <= 1, f"95% intervals missed the true trend for {missed}"


def test_forecast_draws_are_reproducible_and_sum_over_series(demo_fit):
    data, fitted = demo_fit
    end = pd.Timestamp("2028-03-01")
    periods, a = fitted.forecast(end, seed=3, max_draws=200)
    _, b = fitted.forecast(end, seed=3, max_draws=200)
    assert periods[0] == pd.Timestamp("2026-01-01") and periods[-1] == end
    assert a.shape == (200, len(data.keys), len(periods)) and np.array_equal(a, b)
    # The forecast first year sits near the last recorded year (no category moves more than about 15% a year).
    last_year = data.y[:, -12:].sum()
    assert 0.8 < np.median(a[:, :, :12].sum(axis=(1, 2))) / last_year < 1.2


def test_diagnostics_report_and_warn(demo_fit):
    _, fitted = demo_fit
    d = negbin.diagnostics(fitted)
    assert d.max_rhat < 1.1 and d.divergences == 0
    bad = negbin.Diagnostics(1.2, 30.0, 5, 400, 2)
    assert not bad.ok and "WARNING - poor convergence" in bad.message() and "divergent" in bad.message()


def test_prophet_forecast_is_seeded():
    from workbench.models import prophet_model

    periods = pd.date_range("2019-04-01", "2025-03-01", freq="MS")
    rng = np.random.default_rng(0)
    y = rng.poisson(100 * (1 + 0.1 * np.sin(2 * np.pi * periods.month / 12)), (2, len(periods)))
    data = _set(periods, y)
    p1, a, _ = prophet_model.forecast(data, pd.Timestamp("2026-03-01"), seed=5, samples=50)
    _, b, _ = prophet_model.forecast(data, pd.Timestamp("2026-03-01"), seed=5, samples=50)
    assert a.shape == (50, 2, 12) and np.array_equal(a, b)
    assert 80 < np.median(a) < 120


def test_a_series_no_longer_recorded_is_left_out_by_the_backtests_rule_and_named(monkeypatch):
    """Essex's police-recorded fraud is zero since it moved to Action Fraud: it adds nothing, so it is not fitted."""
    periods = pd.date_range("2015-04-01", "2024-01-01", freq="3MS")
    y = np.vstack([np.full(len(periods), 900.0), np.where(periods < "2018-04-01", 50.0, 0.0), np.full(len(periods), 40.0)])
    y[2, -3:] = 0.0  # a series with a few empty quarters is kept
    keys = pd.DataFrame({"area": ["Essex"] * 3, "category": ["Theft offences", "Fraud offences", "Robbery"]})
    data = SeriesSet(periods, "Q", keys, y)
    keep, _ = G.active_series(data)
    assert keep.tolist() == [True, False, True]
    assert G.describe_series(keys[~keep], keys) == "Fraud offences in Essex"
