"""The forecaster contract: a model added in one file and registered runs through goal tracking and the backtest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench import findings
from workbench.data import demo
from workbench.errors import ParamsError
from workbench.evaluations import backtest as bt
from workbench.evaluations import goal as G
from workbench.models import forecasters, model_key
from workbench.models.series import SeriesSet, series_matrix
from workbench.params import BacktestParams, GoalTrackingParams


class RecentMean(forecasters.Forecaster):
    """A model that is not in the package: each series' mean by month of year over its last two years, with
    Negative Binomial noise whose dispersion is matched to those two years."""

    name = "Recent mean"

    def __init__(self, samples: int = 300):
        self.samples = samples

    def fit(self, series: SeriesSet, sampler, seed: int) -> "FittedRecentMean":
        return FittedRecentMean(series, seed, self.samples)


class FittedRecentMean(forecasters.FittedForecaster):
    def __init__(self, series: SeriesSet, seed: int, samples: int):
        self.series, self.seed, self.samples = series, seed, samples
        m = series.per_year
        recent = series.y[:, -2 * m:]
        self.by_season = np.nanmean(recent.reshape(len(recent), 2, m), axis=1)  # (S, m), by position in the year
        var, mean = np.nanvar(recent, axis=1), np.maximum(np.nanmean(recent, axis=1), 1e-9)
        self.alpha = np.where(var > mean, mean**2 / np.maximum(var - mean, 1e-9), 1e6)  # NB2: var = mu + mu^2 / alpha

    def forecast(self, until: pd.Timestamp) -> forecasters.Forecast:
        future = self.series.future(until)
        rng = np.random.default_rng(self.seed)
        mu = self.by_season[:, np.arange(len(future)) % self.series.per_year]  # (S, H)
        lam = rng.gamma(self.alpha[None, :, None], np.maximum(mu, 1e-9)[None] / self.alpha[None, :, None],
                        (self.samples, *mu.shape))
        return forecasters.Forecast.of(RecentMean.name, self.series, future, rng.poisson(lam))


@pytest.fixture
def recent_mean():
    """The fixture model, registered for the test only."""
    forecasters.register("recent_mean")(RecentMean)
    yield "recent_mean"
    forecasters._REGISTRY.pop("recent_mean", None)


@pytest.fixture(scope="module")
def panel():
    return demo.generate(7, "2017-04", "2025-12", 0.1)


def test_a_forecast_is_labelled_draws_by_series_and_period(panel, recent_mean):
    data = series_matrix(panel, ("category",))
    fc = forecasters.build(recent_mean).fit(data, None, 3).forecast(pd.Timestamp("2026-12-01"))
    assert fc.draws.dims == ("draw", "series", "period") and fc.values.shape == (300, len(data.keys), 12)
    assert list(fc.draws["category"].values) == list(data.keys["category"]) and fc.periods[0] == pd.Timestamp("2026-01-01")
    naive = forecasters.build("seasonal_naive", samples=50).fit(data, None, 3)
    assert naive.forecast(pd.Timestamp("2026-06-01")).values.shape == (50, len(data.keys), 6)
    assert naive.diagnostics().ok and naive.notes == ""
    with pytest.raises(KeyError, match="unknown forecaster 'nope'; known: .*negbin.*seasonal_naive"):
        forecasters.build("nope")


def test_params_name_models_by_key_and_an_unknown_key_is_named(recent_mean):
    assert GoalTrackingParams(models=[recent_mean, "ets"]).models == [recent_mean, "ets"]
    assert G.model_keys(GoalTrackingParams()) == ["negbin", "prophet", "ets"]  # the default: as before
    assert G.model_keys(GoalTrackingParams(prophet=False)) == ["negbin", "ets"]  # the old flags keep working
    assert bt.model_keys(BacktestParams(ets=False)) == ["negbin", "prophet", "seasonal_naive"]
    with pytest.raises(ValueError, match=r"unknown forecaster\(s\) \['prohpet'\]; known: \[.*'prophet'"):
        BacktestParams(models=["prohpet"])
    from workbench.params import notebook_config

    with pytest.raises(ParamsError, match="models"):
        notebook_config("90-backtest", data={"source": "demo"}, models=["negbin", "negbin"])


def test_a_new_forecaster_runs_through_goal_tracking(panel, recent_mean):
    p = GoalTrackingParams(series_by="category", models=[recent_mean, "seasonal_naive"])
    said = []
    run = G.run_models(panel, p, None, 5, say=said.append)
    assert list(run.forecasts) == ["Recent mean", "Seasonal naive"]
    assert said[0] == f"Fitting Recent mean to each of the {len(run.data.keys)} series ..."
    crime, hm = G.crime_tracked(run, p)
    summaries = {m: t.summary() for m, t in crime.items()}
    assert 0 <= summaries["Recent mean"]["p_goal_met"] <= 1
    assert summaries["Recent mean"]["forecast_target_median"] > 0
    asb = {m: run.tracked(m, "ASB", G.select(run.data, [p.asb_category])).summary() for m in run.forecasts}
    figures = G.results_figures(summaries, asb, run)
    assert figures["p_goal_met"] == summaries["Recent mean"]["p_goal_met"]  # the first model is the headline
    assert set(figures["by_model"]) == {model_key("Recent mean"), "seasonal_naive"}
    assert figures["diagnostics"] == {"ok": True}
    text = G.GoalResult(summaries, asb, run).summary("demo").paragraph
    assert "Recent mean and Seasonal naive" in text
    found = findings.goal(summaries, run, figures, panel, "demo")
    assert "P(goal met)" in found["answer"] and "Seasonal naive: P(goal met)" in found["answer"]
    assert G.comparison(summaries).columns.tolist() == ["Recent mean", "Seasonal naive"]


def test_a_new_forecaster_runs_through_the_backtest(panel, recent_mean):
    data = series_matrix(panel, ("category",))
    said = []
    res = bt.run(data, ["2023-04", "2024-04"], [6, 12], None, None, 5, say=said.append,
                 models=[recent_mean, "seasonal_naive"])
    assert set(res.scores["model"]) == {"Recent mean", "Seasonal naive"}
    assert set(res.wall_times().index) == {"Recent mean", "Seasonal naive"}
    t = res.table().xs(12, level="horizon")
    assert (t["MASE"] > 0).all() and t["80% coverage"].between(0, 1).all()
    assert set(res.figures()["h12"]) == {"recent_mean", "seasonal_naive"}
    assert "Recent mean" in res.summary("demo").paragraph
    assert findings.backtest(res, "months", panel, "demo")["checks"]


def test_the_notebooks_run_the_models_a_params_file_names(tmp_path, write_params, ci_params):
    """``models:`` in a params file: the goal and backtest notebooks run just those, headline first."""
    import json

    from workbench.cli import main

    ci_params["notebooks"] = [e for e in ci_params["notebooks"] if e["name"] in ("10-goal-tracking", "90-backtest")]
    for e in ci_params["notebooks"]:
        e["parameters"]["models"] = ["seasonal_naive", "ets"]
    assert main(["run", str(write_params(ci_params)), "--out", str(tmp_path / "out")]) == 0
    results = next((tmp_path / "out" / "ci").glob("2*")) / "results"
    goal = json.loads((results / "10-goal-tracking.json").read_text())["figures"]
    assert set(goal["by_model"]) == {"seasonal_naive", "ets"}
    assert goal["p_goal_met"] == goal["by_model"]["seasonal_naive"]["p_goal_met"] and goal["diagnostics"] == {"ok": True}
    backtest = json.loads((results / "90-backtest.json").read_text())["figures"]
    assert set(backtest["h12"]) == {"seasonal_naive", "ets"}
