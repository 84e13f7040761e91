"""Forecaster presets: named settings with their validation record; every run says whether it used one."""

from __future__ import annotations

import pytest
import yaml

from conftest import REPO
from workbench import presets as P
from workbench.errors import ParamsError
from workbench.params import ForecastModelParams, GoalTrackingParams, load_params


def test_every_preset_validates_as_model_settings_and_carries_a_record():
    for name, p in P.presets().items():
        model = ForecastModelParams.model_validate(p.model)
        assert model.preset is None, name
        assert {"source", "verified", "data_sources", "series_by"} <= set(p.validated), name
        if p.has_validation:
            assert (REPO / p.validated["backtest"]).is_file(), f"{name}: its backtest params file is missing"
            assert p.validated["scores"] and p.validated["command"], name


def test_the_defaults_are_the_demo_preset_and_validated_on_demo_data_only():
    assert P.validation(ForecastModelParams(), "area_category", "demo")["validated"] is True
    other = P.validation(ForecastModelParams(), "area_category", "policeuk")
    assert other["validated"] is False and other["preset"] == "demo" and "policeuk" in other["reason"]


def test_a_preset_fills_in_its_settings_and_keys_beside_it_override():
    m = ForecastModelParams(preset="homeoffice-forces")
    assert m.series_level_walk and m.spread_growth == 0.3 and m.preset == "homeoffice-forces"
    assert P.validation(m, "area_category", "homeoffice")["validated"] is True
    changed = ForecastModelParams(preset="homeoffice-forces", trend_damping=0.5)
    assert changed.trend_damping == 0.5
    v = P.validation(changed, "area_category", "homeoffice")
    assert v["validated"] is False and "override" in v["reason"]


def test_forecast_draws_do_not_change_the_model():
    m = ForecastModelParams(preset="homeoffice-forces", forecast_draws=200)
    assert P.validation(m, "area_category", "homeoffice")["validated"] is True


def test_an_unknown_preset_is_a_params_error_naming_the_line(write_params, ci_params):
    goal = next(e for e in ci_params["notebooks"] if e["name"] == "10-goal-tracking")
    goal["parameters"]["model"] = {"preset": "fastest"}
    path = write_params(ci_params)
    with pytest.raises(ParamsError) as err:
        load_params(path)
    text = str(err.value)
    assert "line" in text and "fastest" in text and "homeoffice-forces" in text


@pytest.mark.parametrize("name", ["demo.yaml", "backtest-demo.yaml", "backtest-homeoffice.yaml", "essex-homeoffice.yaml",
                                  "matrix-homeoffice.yaml"])
def test_the_shipped_runs_name_a_preset(name):
    raw = yaml.safe_load((REPO / "params" / name).read_text())
    for entry in raw["notebooks"]:
        if entry["name"] in ("10-goal-tracking", "90-backtest"):
            assert entry["parameters"]["model"].get("preset"), f"{name}: {entry['name']} names no preset"


def test_the_goal_notebook_parameters_accept_a_preset():
    p = GoalTrackingParams(model={"preset": "single-force"}, series_by="category")
    assert p.model.series_level_walk and p.model.trend_damping == 0.9
