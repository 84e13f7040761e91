"""Params files are validated before anything runs; every error names file, line, key and the fix."""

from __future__ import annotations

import pytest

from conftest import REPO
from workbench.errors import ParamsError
from workbench.params import NOTEBOOK_PARAMS, RunParams, load_params, notebook_config


@pytest.mark.parametrize("name", ["demo.yaml", "ci.yaml"])
def test_shipped_params_files_validate(name):
    params = load_params(REPO / "params" / name)
    assert isinstance(params, RunParams)
    assert [e.name for e in params.notebooks]
    assert params.data.source == "demo" and params.data.demo.end == "2025-12"


@pytest.mark.parametrize("path", sorted((REPO / "params").glob("*.yaml")), ids=lambda p: p.name)
def test_every_params_file_validates(path):
    try:
        params = load_params(path)
    except ParamsError as exc:
        if "does not exist" in str(exc) and "data.path" in str(exc):
            pytest.skip(f"{path.name}: its data are not on this machine ({exc})")
        raise
    assert params.run_name == path.stem


def test_run_name_defaults_to_file_stem(write_params, ci_params):
    del ci_params["run_name"]
    params = load_params(write_params(ci_params, "my-run.yaml"))
    assert params.run_name == "my-run"


def test_notebook_parameters_get_defaults(write_params, ci_params):
    ci_params["notebooks"] = [{"name": "00-data-overview"}]
    params = load_params(write_params(ci_params))
    assert params.notebook("00-data-overview").parameters == {"top_n": 10, "recent_months": 12}


def test_missing_file():
    with pytest.raises(ParamsError, match=r"params file 'nope.yaml' not found.*Fix:"):
        load_params("nope.yaml")


def test_not_yaml(write_params):
    path = write_params("run_name: x\nseed: [1, 2\n")
    with pytest.raises(ParamsError, match=rf"{path} line \d+: not valid YAML"):
        load_params(path)


def test_not_a_mapping(write_params):
    with pytest.raises(ParamsError, match="expected a mapping"):
        load_params(write_params("- a\n- b\n"))


def test_unknown_top_level_key_names_file_line_and_allowed_keys(write_params, ci_params):
    ci_params["sede"] = 3
    path = write_params(ci_params)
    line = path.read_text().splitlines().index("sede: 3") + 1
    with pytest.raises(ParamsError) as err:
        load_params(path)
    msg = str(err.value)
    assert f"{path} line {line}: unknown key 'sede'" in msg
    assert "expected one of:" in msg and "seed" in msg and "Fix:" in msg


def test_unknown_nested_key(write_params, ci_params):
    ci_params["sampler"]["draw"] = 100
    with pytest.raises(ParamsError, match=r"unknown key 'sampler.draw'; expected one of: adaptation, backend, chains, cores, draws"):
        load_params(write_params(ci_params))


def test_unknown_notebook_parameter(write_params, ci_params):
    ci_params["notebooks"][0]["parameters"]["topn"] = 3
    with pytest.raises(ParamsError, match=r"notebooks\[0\]\.parameters\.topn"):
        load_params(write_params(ci_params))


def test_wrong_type_names_key_and_value(write_params, ci_params):
    ci_params["seed"] = "forty-two"
    path = write_params(ci_params)
    with pytest.raises(ParamsError) as err:
        load_params(path)
    msg = str(err.value)
    assert f"{path} line 2: key 'seed'" in msg and "integer" in msg and "'forty-two'" in msg


def test_out_of_range(write_params, ci_params):
    ci_params["sampler"]["target_accept"] = 1.5
    with pytest.raises(ParamsError, match=r"key 'sampler.target_accept': Input should be less than 1"):
        load_params(write_params(ci_params))


def test_bad_month(write_params, ci_params):
    ci_params["period"]["start"] = "2020-13"
    with pytest.raises(ParamsError, match=r"key 'period.start': expected a month as 'YYYY-MM'"):
        load_params(write_params(ci_params))


def test_period_order(write_params, ci_params):
    ci_params["period"] = {"start": "2024-01", "end": "2023-01"}
    with pytest.raises(ParamsError, match=r"period.start \(2024-01\) is after period.end \(2023-01\)"):
        load_params(write_params(ci_params))


def test_unknown_notebook(write_params, ci_params):
    ci_params["notebooks"] = [{"name": "99-nothing"}]
    with pytest.raises(ParamsError, match=r"unknown notebook '99-nothing'; known notebooks: 00-data-overview"):
        load_params(write_params(ci_params))


def test_missing_required_key(write_params, ci_params):
    del ci_params["seed"]
    with pytest.raises(ParamsError, match=r"missing key 'seed'. Fix: add it"):
        load_params(write_params(ci_params))


def test_empty_notebook_list(write_params, ci_params):
    ci_params["notebooks"] = []
    with pytest.raises(ParamsError, match=r"key 'notebooks'"):
        load_params(write_params(ci_params))


def test_missing_data_path_names_key_and_resolution(write_params, ci_params, tmp_path):
    ci_params["data"] = {"source": "tidy_csv", "path": "no-such.csv"}
    path = write_params(ci_params)
    with pytest.raises(ParamsError) as err:
        load_params(path)
    msg = str(err.value)
    assert "key 'data.path': 'no-such.csv' does not exist" in msg and str(tmp_path / "no-such.csv") in msg


def test_data_path_is_resolved_against_params_folder(write_params, ci_params, tmp_path):
    (tmp_path / "counts.csv").write_text("period,area,category,count\n2025-01,A,Burglary,3\n")
    ci_params["data"] = {"source": "tidy_csv", "path": "counts.csv"}
    params = load_params(write_params(ci_params))
    assert params.data.path == str(tmp_path / "counts.csv")


def test_demo_source_rejects_a_path(write_params, ci_params):
    ci_params["data"]["path"] = "x.csv"
    with pytest.raises(ParamsError, match="data.path is not used with source 'demo'"):
        load_params(write_params(ci_params))


def test_bad_run_name(write_params, ci_params):
    ci_params["run_name"] = "../escape"
    with pytest.raises(ParamsError, match="run_name must be letters, digits"):
        load_params(write_params(ci_params))


def test_several_errors_are_all_reported(write_params, ci_params):
    ci_params["seed"] = -1
    ci_params["sampler"]["chains"] = 0
    with pytest.raises(ParamsError) as err:
        load_params(write_params(ci_params))
    assert "'seed'" in str(err.value) and "'sampler.chains'" in str(err.value)


# ----------------------------------------------------------------------------- notebook_config


def test_notebook_config_takes_the_papermill_file_entry(ci_params):
    """``papermill -f params/ci.yaml``: the file's top-level keys land in the notebook's globals."""
    scope = {k: ci_params[k] for k in ("run_name", "seed", "data", "areas", "period", "sampler")}
    scope |= {"notebooks": ci_params["notebooks"], "top_n": 99, "plt": object()}  # other names are not read
    cfg = notebook_config("00-data-overview", {}, None, scope)
    assert cfg.nb.top_n == 5  # the params file's entry for this notebook
    assert cfg.label == "synthetic demo data" and cfg.seed == ci_params["seed"] and cfg.run.run_name == "ci"


def test_notebook_config_takes_the_runner_mapping(ci_params):
    """``workbench run``: one mapping of shared sections and own parameters; it wins over the globals."""
    params = {"run_name": "x", "seed": 7, "data": ci_params["data"], "top_n": 3}
    cfg = notebook_config("00-data-overview", params, "results", {"seed": 1, "notebooks": ci_params["notebooks"]})
    assert (cfg.nb.top_n, cfg.nb.recent_months, cfg.seed, cfg.results_dir) == (3, 12, 7, "results")


def test_notebook_config_defaults_come_from_the_schema():
    cfg = notebook_config("00-data-overview")
    assert cfg.nb == NOTEBOOK_PARAMS["00-data-overview"]() and cfg.run.run_name == "interactive"
    assert cfg.run.sampler.draws == 1000 and cfg.data.source == "demo"


def test_notebook_config_takes_a_params_file(write_params, ci_params):
    cfg = notebook_config("00-data-overview", str(write_params(ci_params)))
    assert cfg.nb.top_n == 5 and cfg.run.run_name == ci_params["run_name"]


def test_notebook_config_rejects_a_params_value_that_is_not_a_mapping():
    with pytest.raises(ParamsError, match="'params' must be a mapping"):
        notebook_config("00-data-overview", [1, 2])


def test_notebook_config_rejects_bad_values():
    with pytest.raises(ParamsError, match=r"notebook '00-data-overview' parameters: key 'notebooks\[0\].parameters.top_n'"):
        notebook_config("00-data-overview", run_name="x", seed=1, top_n=0)


def test_every_notebook_has_a_parameter_model():
    notebooks = sorted(p.stem for p in (REPO / "notebooks").glob("*.ipynb"))
    assert notebooks == sorted(NOTEBOOK_PARAMS)
