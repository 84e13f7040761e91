"""Backtest scoring: CRPS, MASE and coverage against hand-worked values; bad origins are named."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.evaluations import backtest as bt
from workbench.models.series import SeriesSet
from workbench.params import ForecastModelParams, SamplerSection


def test_crps_of_a_point_forecast_is_the_absolute_error():
    draws = np.full((50, 3), 10.0)
    assert np.allclose(bt.crps(draws, np.array([10.0, 12.0, 7.0])), [0.0, 2.0, 3.0])


def test_crps_of_a_standard_normal_sample():
    # Closed form at y = 0 for N(0, 1): 2 phi(0) - 1/sqrt(pi) = 0.2337
    draws = np.random.default_rng(1).normal(0, 1, (20000, 1))
    assert bt.crps(draws, np.array([0.0]))[0] == pytest.approx(0.2337, abs=0.005)


def _series(y, start="2020-04-01", keys: list[tuple[str, str]] | None = None):
    """Monthly series from ``start``; ``keys`` (area, category) per row, or all ("A", "c")."""
    y = np.asarray(y, dtype=float)
    periods = pd.date_range(start, periods=y.shape[1], freq="MS")
    return SeriesSet(periods, "M", pd.DataFrame(keys or [("A", "c")] * len(y), columns=["area", "category"]), y)


def test_mase_scale_and_scores_by_hand():
    train = _series([np.r_[np.full(12, 10.0), np.full(12, 12.0)]])  # seasonal differences all 2
    assert bt.mase_scale(train)[0] == 2.0
    draws = np.full((100, 1, 4), 12.0)
    rows = bt.score(draws, np.array([[12.0, 14.0, 12.0, 8.0]]), bt.mase_scale(train), [2, 4])
    assert rows[0]["mase"] == pytest.approx(1 / 2)  # errors 0, 2 -> mean 1, scaled by 2
    assert rows[1]["mase"] == pytest.approx(6 / 4 / 2)
    assert rows[1]["cover80"] == pytest.approx(0.5) and rows[1]["points"] == 4


def test_seasonal_naive_repeats_last_year():
    y = np.r_[np.arange(12.0), np.arange(12.0) + 100]
    draws = bt.seasonal_naive(_series([y]), 14, 200, seed=1)
    med = np.median(draws, axis=0)[0]
    assert np.allclose(med[:12], np.arange(12.0) + 100, atol=15) and med[12] == pytest.approx(100, abs=25)


def _panel(rows: dict[tuple[str, str], np.ndarray]) -> SeriesSet:
    return _series(list(rows.values()), "2016-04-01", keys=list(rows))


def test_series_silent_for_a_year_are_left_out_and_named():
    rng = np.random.default_rng(3)
    live = lambda: rng.poisson(40, 60)  # noqa: E731
    stopped = np.r_[rng.poisson(30, 47), np.zeros(13)]  # no crime recorded in the last 13 months
    gone_one_month = np.r_[rng.poisson(30, 59), 0.0]  # only the last month empty: still recorded
    data = _panel({("A", "fraud"): stopped, ("B", "fraud"): stopped, ("A", "theft"): live(), ("B", "theft"): live(),
                   ("C", "theft"): gone_one_month, ("C", "fraud"): np.zeros(60), ("C", "drugs"): stopped})
    keep, dropped = bt.active_series(data)
    assert keep.tolist() == [False, False, True, True, True, False, False]
    assert dropped.tolist() == [True, True, False, False, False, False, True]  # never recorded is not "stopped"
    gone = data.keys[dropped]
    assert bt.describe_series(gone, data.keys) == "drugs in C; fraud in A; fraud in B"  # C never had fraud
    every = pd.DataFrame({"area": ["A", "B", "A", "B", "C"], "category": ["fraud", "fraud", "theft", "theft", "drugs"]})
    assert bt.describe_series(gone, every) == "drugs in C; fraud in all 2 areas"  # fraud gone wherever it was
    many = pd.DataFrame({"area": list("ABCDEFGH"), "category": ["x"] * 8})
    assert bt.describe_series(many, pd.concat([many, pd.DataFrame({"area": ["Z"], "category": ["x"]})]),
                              shown=3).endswith("x in C; and 5 more")


def test_backtest_fits_and_scores_only_series_still_recorded():
    rng = np.random.default_rng(4)
    t = np.arange(72)
    season = 1 + 0.2 * np.sin(2 * np.pi * t / 12)
    rows = {(a, "theft"): rng.poisson(50 * season) for a in "ABC"}
    rows[("A", "fraud")] = np.r_[rng.poisson(20, 40), np.zeros(32)]  # stopped being recorded two years before
    data = _panel(rows)
    said = []
    model = ForecastModelParams(forecast_draws=100, fourier_order=1, shocks=[], spread_growth=0.5)
    res = bt.run(data, ["2020-10"], [6], model,
                 SamplerSection(draws=100, tune=150, chains=1, cores=1), 7, prophet=False, say=said.append)
    assert any("1 series with no recorded crime in the year before it" in s and "fraud in A" in s for s in said)
    assert res.left_out[["origin", "area", "category"]].values.tolist() == [["2020-10", "A", "fraud"]]
    assert set(res.scores["series"]) == {3}  # the three theft series, for both models
    assert res.figures()["series_left_out"] == {"2020-10": 1}
    # Where the intervals missed: one category left, and its counts add up to the pooled coverage.
    cats = res.by_category()
    assert cats.index.get_level_values("category").unique().tolist() == ["theft"]
    pooled = res.table().xs(6, level="horizon")
    for model in pooled.index:
        row = cats.loc[("theft", model)]
        assert row["80% coverage"] == pytest.approx(pooled.loc[model, "80% coverage"])
        assert row["95% coverage"] + row["above 95%"] + row["below 95%"] == pytest.approx(1.0)
        assert row["forecasts"] == 18
    assert set(res.figures()["by_category_h6"]) == {"bayesian_negbin", "bayesian_negbin_unwidened", "ets",
                                                    "seasonal_naive"}
    # The widened forecasts are scored beside the same fit's own: same medians of the log means, wider intervals.
    # Their predictive medians, from 100 count draws each, differ by Monte Carlo noise (up to about 7% in MASE
    # over 18 forecasts, either way, across seeds).
    t = res.table().xs(6, level="horizon")
    assert t.loc[bt.BAYES, "MASE"] == pytest.approx(t.loc[bt.UNWIDENED, "MASE"], rel=0.1)
    # Each is drawn afresh from 100 posterior draws, so Monte Carlo noise may move one of the 18 outcomes across a bound.
    assert t.loc[bt.BAYES, "80% coverage"] >= t.loc[bt.UNWIDENED, "80% coverage"] - 1 / 18 - 1e-9
    assert t.loc[bt.BAYES, "95% coverage"] >= t.loc[bt.UNWIDENED, "95% coverage"] - 1 / 18 - 1e-9
    assert set(res.wall_times().index) == {bt.BAYES, bt.ETS, bt.NAIVE}  # the unwidened forecast is not timed


def test_ets_is_scored_beside_the_others_on_the_same_series_and_origins():
    rng = np.random.default_rng(6)
    t = np.arange(84)
    trend = lambda a: np.exp(a + 0.012 * t) * (1 + 0.25 * np.sin(2 * np.pi * t / 12))  # noqa: E731
    rows = {("A", "theft"): rng.poisson(60 * trend(0)), ("B", "theft"): rng.poisson(40 * trend(0.1)),
            ("A", "drugs"): rng.poisson(0.4, 84), ("B", "drugs"): np.r_[np.zeros(60), rng.poisson(3, 24)]}
    said = []
    res = bt.run(_panel(rows), ["2021-10", "2022-04"], [6, 12], ForecastModelParams(shocks=[]), None, 3,
                 prophet=False, say=said.append, ets_samples=400, bayes=False)
    assert set(res.scores["model"]) == {bt.ETS, bt.NAIVE}
    assert set(res.wall_times().index) == {bt.ETS, bt.NAIVE} and (res.seconds["seconds"] > 0).all()
    ets_rows, naive_rows = (res.scores[res.scores["model"] == m].reset_index(drop=True) for m in (bt.ETS, bt.NAIVE))
    assert ets_rows[["origin", "horizon", "series", "points"]].equals(naive_rows[["origin", "horizon", "series", "points"]])
    assert set(res.figures()["h12"]) == {"ets", "seasonal_naive"}
    # Growing seasonal series: ETS carries the trend on, where last year's values fall behind.
    theft = bt.score(*_ets_and_actual(_panel(rows), "2022-04", 12), [12])[0]
    assert theft["mase"] < 1.0
    # The sparse series are forecast with additive forms only, and the run says so.
    assert any("simpler ETS search" in s and "drugs in A (zeros in its history" in s for s in said)


def _ets_and_actual(data: SeriesSet, origin: str, h: int):
    """ETS draws, outcomes and MASE scale of the theft series from ``origin``."""
    from workbench.models import ets

    i = data.periods.get_loc(pd.Timestamp(f"{origin}-01"))
    train = data.truncate(data.periods[i - 1]).subset(np.array([0, 1]))
    fc = ets.forecast(train, data.periods[i + h - 1], seed=3, samples=400)
    return fc.draws, data.y[[0, 1], i:i + h], bt.mase_scale(train)


def test_misses_are_counted_by_category_and_side():
    draws = np.broadcast_to(np.arange(1.0, 1001.0)[:, None, None], (1000, 3, 2))  # 95% interval ~26..975, 80% ~101..900
    actual = np.array([[500.0, 950.0], [990.0, 5.0], [300.0, 2000.0]])
    out = bt.misses(draws, actual, pd.Series(["theft", "drugs", "theft"]), 2).set_index("category")
    assert out.loc["theft"].tolist() == [2, 3, 1, 0, 4]  # inside80, inside95, above95, below95, points
    assert out.loc["drugs"].tolist() == [0, 0, 1, 1, 2]
    assert bt.misses(draws, actual, pd.Series(["theft", "drugs", "theft"]), 1).set_index("category").loc[
        "theft", "points"] == 2  # only the first period


def test_bad_origin_is_named():
    data = _series([np.full(48, 5.0)])
    with pytest.raises(ValueError, match="origin 2030-01 is not a period of the data"):
        bt.run(data, ["2030-01"], [6], None, None, 1)
    with pytest.raises(ValueError, match="runs past the data's end"):
        bt.run(data, ["2023-12"], [6], None, None, 1)
    with pytest.raises(ValueError, match="under three years of history"):
        bt.run(data, ["2021-04"], [6], None, None, 1)


def test_pooled_table_weights_origins_and_counts_forecasts():
    scores = pd.DataFrame([
        {"model": "Bayesian NegBin", "origin": "2017-04", "series": 10, "horizon": 4, "mase": 1.0, "crps": 0.5,
         "cover80": 0.9, "cover90": 1.0, "cover95": 1.0, "points": 40},
        {"model": "Bayesian NegBin", "origin": "2019-04", "series": 30, "horizon": 4, "mase": 2.0, "crps": 1.0,
         "cover80": 0.7, "cover90": 0.8, "cover95": 0.9, "points": 120},
    ])
    res = bt.BacktestResult(scores, pd.DataFrame({"model": ["Bayesian NegBin"], "origin": ["2017-04"], "seconds": [1.0]}))
    row = res.table().loc[(4, "Bayesian NegBin")]
    assert row["MASE"] == pytest.approx(1.75) and row["95% coverage"] == pytest.approx(0.925)
    assert row["90% coverage"] == pytest.approx(0.85)
    assert res.table()["forecasts"].dtype.kind == "i" and row["forecasts"] == 160
    (entry,) = res.figures()["h4"].values()
    assert entry["MASE"] == 1.75 and entry["forecasts"] == 160 and isinstance(entry["forecasts"], int)


def test_coverage_plot_places_every_model_and_origin():
    import matplotlib
    matplotlib.use("Agg")
    from workbench import plots

    idx = pd.MultiIndex.from_product([[4, 8], ["2017-04", "2019-04"], ["Bayesian NegBin", "Prophet"]],
                                     names=["horizon", "origin", "model"])
    by_origin = pd.DataFrame({"cover80": np.linspace(0.1, 0.8, 8), "cover95": np.linspace(0.2, 0.9, 8)}, index=idx)
    fig = plots.coverage(by_origin, "Coverage", "test data", unit="quarters")
    ax80, ax95 = fig.axes
    labels = [t.get_text() for t in ax80.get_yticklabels()]
    assert labels == ["from 2019-04, first 8 quarters", "from 2017-04, first 8 quarters",
                      "from 2019-04, first 4 quarters", "from 2017-04, first 4 quarters"]
    bayes = next(line for line in ax95.get_lines() if line.get_label() == "Bayesian NegBin")
    assert np.allclose(bayes.get_xdata(), by_origin.xs("Bayesian NegBin", level="model")["cover95"].to_numpy()[::-1])
    assert [line.get_xdata()[0] for line in ax80.get_lines() if line.get_linestyle() == "--"] == [0.80]
    matplotlib.pyplot.close(fig)


def test_coverage_plot_by_category_labels_each_category():
    import matplotlib
    matplotlib.use("Agg")
    from workbench import plots

    idx = pd.MultiIndex.from_product([["Robbery", "Theft offences"], ["Bayesian NegBin", "Seasonal naive"]],
                                     names=["category", "model"])
    cats = pd.DataFrame({"80% coverage": [0.5, 0.6, 0.7, 0.8], "95% coverage": [0.9, 0.8, 0.7, 0.6]}, index=idx)
    fig = plots.coverage(cats, "Coverage by category", "test data", row_label=str)
    ax80, ax95 = fig.axes
    assert [t.get_text() for t in ax80.get_yticklabels()] == ["Theft offences", "Robbery"]
    naive = next(line for line in ax95.get_lines() if line.get_label() == "Seasonal naive")
    assert np.allclose(naive.get_xdata(), [0.6, 0.8])
    matplotlib.pyplot.close(fig)


def test_miss_parts_finds_the_level_a_shift_lives_at():
    rng = np.random.default_rng(2)
    keys = pd.DataFrame({"area": [a for a in "ABCDEF" for _ in range(4)], "category": list("wxyz") * 6})
    draws = rng.poisson(100.0, (400, len(keys), 8)).astype(float)
    typical = np.median(draws, axis=0)
    everywhere = bt.miss_parts(draws, typical * 1.25, keys, slice(4, 8))  # every series 25% up: shared
    assert everywhere.loc["shared by all (mean)", "outcome"] > everywhere.loc["shared by all (mean)", "model 95%"]
    assert everywhere.loc["per area (variance)", "outcome"] < everywhere.loc["per area (variance)", "model 95%"]
    one_area = typical.copy()
    one_area[keys["area"] == "C"] *= 1.25  # one force's series up: per area
    parts = bt.miss_parts(draws, one_area, keys, slice(4, 8))
    assert parts.loc["per area (variance)", "outcome"] > parts.loc["per area (variance)", "model 95%"]
    assert parts.loc["per category (variance)", "outcome"] < parts.loc["per category (variance)", "model 95%"]
    # The model's own draws are standardised: their mean square is about 1.
    assert 0.8 < parts.loc["all (mean square)", "model median"] < 1.2
