"""End to end: params file → Papermill → run folder, through the runner and through Papermill's own CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import nbformat
import pytest
import yaml

import workbench.params.run as wparams
import workbench.runner as runner
from conftest import REPO, write_raising_notebooks
from workbench.cli import main
from workbench.params import NOTEBOOK_PARAMS, OverviewParams, load_params

pytestmark = pytest.mark.notebooks
CI = REPO / "params" / "ci.yaml"


#: The second run of the CI params repeats the cheapest notebook only: nbval re-executes every golden notebook
#: (made from the same params file by `make golden`) and compares its figures, so each notebook's reproducibility
#: is checked there without a third execution here.
AGAIN = "00-data-overview"


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    first = runner.run(CI, out_dir=out)
    second = runner.run(CI, out_dir=out, only=AGAIN)
    return out, first, second


def test_every_ci_notebook_runs_ok(two_runs):
    _, first, _ = two_runs
    assert first.status == "ok", [(n.name, n.error) for n in first.notebooks]
    assert [n.name for n in first.notebooks] == [e.name for e in load_params(CI).notebooks]


def test_run_folder_contents(two_runs):
    out, first, _ = two_runs
    folder = first.folder
    assert folder.parent == out / "ci" and folder.name.endswith("Z")
    manifest = json.loads((folder / "run.json").read_text())
    assert manifest["status"] == "ok" and manifest["seed"] == 20240401
    assert manifest["params"]["notebooks"][0]["parameters"]["top_n"] == 5
    assert len(manifest["params_sha256"]) == 64 and manifest["inputs"] == []
    assert manifest["packages"]["pymc"].startswith("6.") and manifest["packages"]["arviz"].startswith("1.")
    assert "commit" in manifest["git"]
    for nb in manifest["notebooks"]:
        name = nb["name"]
        assert nb["status"] == "ok" and nb["duration_s"] > 0
        for key in ("executed", "html", "publication_html", "results"):
            assert (folder / nb[key]).is_file(), key
        assert manifest["results"][name] == f"results/{name}.json"
        html = (folder / nb["html"]).read_text()
        pub = (folder / nb["publication_html"]).read_text()
        assert "notebook_config" in html and "notebook_config" not in pub, "publication HTML has no code"
        assert "synthetic demo data" in pub
    assert not [p for p in (out / "ci").iterdir() if p.name.startswith(".")], "no temporary folder is left"
    assert (out / "ci" / "latest").resolve() == two_runs[2].folder.resolve()


def test_every_bayesian_fit_is_saved_and_reopens(two_runs):
    """Goal tracking and the backtest (pooled NegBin), the hotspot and VVU designs (CITS, synthetic control) leave
    their posteriors in the run folder, with the params and input hashes of the run, linked from its index."""
    from workbench.fits import fit_info, list_fits, open_fit

    _, first, _ = two_runs
    saved = list_fits(first.folder)
    manifest = json.loads((first.folder / "run.json").read_text())
    assert manifest["fits"] == saved
    for name in ("10-goal-tracking/pooled-forecaster", "90-backtest/pooled-forecaster",
                 "20-hotspot-policing/fit-with-the-evidence-prior", "30-vvu-return/synthetic-control",
                 "30-vvu-return/interrupted-time-series"):
        assert name in saved, saved
    assert not [n for n in saved if n.startswith(("00-", "40-", "50-"))], "only Bayesian notebooks save fits"
    tree = open_fit(first.folder, "10-goal-tracking/pooled-forecaster")
    info = fit_info(tree)
    entry = next(e for e in manifest["params"]["notebooks"] if e["name"] == "10-goal-tracking")
    assert info["params"]["notebooks"] == [entry] and info["inputs"] == manifest["inputs"]
    assert {k: v for k, v in info["params"].items() if k != "notebooks"} == {
        k: v for k, v in manifest["params"].items() if k in info["params"] and k != "notebooks"}
    assert tree["posterior"].sizes["draw"] == manifest["params"]["sampler"]["draws"]
    assert "fits/30-vvu-return/synthetic-control.nc" in (first.folder / "index.html").read_text()


def test_workbench_run_gives_the_notebook_its_params_mapping(two_runs):
    """The runner injects one mapping: the params file's top_n reaches the notebook."""
    _, _, second = two_runs
    executed = nbformat.read(second.folder / f"{AGAIN}.ipynb", as_version=4)
    injected = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert injected.source.startswith("# Parameters\nparams = {") and '"top_n": 5' in injected.source
    shown = "".join(o.get("data", {}).get(kind, "") for c in executed.cells for o in c.get("outputs", [])
                    for kind in ("text/markdown", "text/html", "text/plain"))
    assert "Top 5 areas" in shown


def test_overview_results(two_runs):
    _, first, _ = two_runs
    doc = json.loads((first.folder / "results" / "00-data-overview.json").read_text())
    f = doc["figures"]
    assert doc["data_label"] == "synthetic demo data" and doc["seed"] == 20240401
    assert (f["first_month"], f["last_month"], f["months_missing"]) == ("2017-04", "2025-12", 0)
    assert f["n_areas"] == 14 and f["n_categories"] == 14 and f["crime_latest_12m"] > 10_000


def test_hotspot_results_recover_the_demo_effect(two_runs):
    """The CI run of 20-hotspot-policing on the demo panel: the injected -20% is inside the interval, no spillover."""
    from workbench.data import demo

    _, first, _ = two_runs
    fig = json.loads((first.folder / "results" / "20-hotspot-policing.json").read_text())["figures"]
    truth = 100 * (demo.HOTSPOT_RATE_RATIO - 1)
    assert fig["effect_pct_lo"] <= truth <= fig["effect_pct_hi"], fig
    assert fig["spillover_pct_lo"] <= 0 <= fig["spillover_pct_hi"], fig
    assert fig["p_reduction"] > 0.95 and fig["placebo_p"] < 0.05
    assert fig["checks"] == {"pre_trend_ok": True, "placebo_time_ok": True, "placebo_space_ok": True}


def test_vvu_results_recover_the_demo_effect(two_runs):
    """The CI run of 30-vvu-return on the demo force panel: the injected -7% is inside the interval; every figure
    the issue names is there, and the break-even effects are ordered."""
    from workbench.data import demo

    _, first, _ = two_runs
    fig = json.loads((first.folder / "results" / "30-vvu-return.json").read_text())["figures"]
    truth = 100 * (demo.VVU_RATE_RATIO - 1)
    assert fig["effect_pct_lo"] <= truth <= fig["effect_pct_hi"], fig
    assert fig["effect_pct_median"] < 0 and fig["offences_averted_median"] > 0
    for key in ("bcr_median", "bcr_lo", "bcr_hi", "p_bcr_ge_1", "p_bcr_ge_3_5"):
        assert key in fig
    assert fig["bcr_lo"] <= fig["bcr_median"] <= fig["bcr_hi"] and 0 <= fig["p_bcr_ge_3_5"] <= fig["p_bcr_ge_1"] <= 1
    assert fig["breakeven_effect_pct_3_5x"] < fig["breakeven_effect_pct_1x"] < 0
    assert fig["unvalued_categories"] == ["Possession of weapons offences"] and fig["cost_total_gbp"] == 4_000_000
    it = fig["interrupted_time_series"]
    assert it["effect_pct_lo"] <= truth <= it["effect_pct_hi"], it


def test_scorecard_results_and_publication_suppression(two_runs):
    """The CI run of 40-scorecard: every indicator has a status, the harm figures the issue names are there, and
    small counts appear in the analyst's HTML but not in the publication HTML."""
    from workbench.data import demo
    from workbench.evaluations import spc

    _, first, _ = two_runs
    fig = json.loads((first.folder / "results" / "40-scorecard.json").read_text())["figures"]
    assert set(demo.DEMO_INDICATORS) <= set(fig["indicators"]) and set(fig["indicators"].values()) <= set(spc.STATUSES)
    assert fig["indicators"]["Domestic abuse: repeat victims"] == spc.AGAINST_TARGET
    assert fig["harm_total_latest_12m"] > 0 and fig["harm_change_pct_vs_baseline"] is not None
    pub = (first.folder / "40-scorecard.publication.html").read_text()
    analyst = (first.folder / "40-scorecard.html").read_text()
    assert "suppressed (disclosure control" in pub and "suppressed (disclosure control" not in analyst


def test_claims_results_get_every_demo_verdict_right(two_runs):
    """The CI run of 50-claims: every synthetic claim on the demo panel gets both of its known verdicts."""
    from workbench.evaluations.claims import DEMO_CLAIMS

    _, first, _ = two_runs
    fig = json.loads((first.folder / "results" / "50-claims.json").read_text())["figures"]
    for cid, *_, verdict, stands_out in DEMO_CLAIMS:
        assert (fig["claims"][cid]["verdict"], fig["claims"][cid]["stands_out"]) == (verdict, stands_out), cid
    assert "2013-01" in fig["claims"]["D9"]["missing"]


def test_same_params_twice_give_identical_results(two_runs):
    _, first, second = two_runs
    assert first.folder != second.folder
    again = sorted((second.folder / "results").iterdir())
    assert [p.name for p in again] == [f"{AGAIN}.json"]
    for path in again:
        assert path.read_bytes() == (first.folder / "results" / path.name).read_bytes(), path.name


@pytest.fixture
def raising_notebook(tmp_path, monkeypatch):
    """A second notebook that raises right after its parameters cell, beside the real overview notebook."""
    nbdir = write_raising_notebooks(tmp_path)
    monkeypatch.setattr(wparams, "NOTEBOOKS_DIR", nbdir)
    monkeypatch.setattr(runner, "NOTEBOOKS_DIR", nbdir)
    monkeypatch.setitem(NOTEBOOK_PARAMS, "99-raises", OverviewParams)
    params = yaml.safe_load(CI.read_text())
    params["notebooks"] = [{"name": "99-raises"}, next(e for e in params["notebooks"] if e["name"] == "00-data-overview")]
    path = tmp_path / "fails.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    return path


def test_a_failing_notebook_fails_the_run_but_not_the_others(raising_notebook, tmp_path, capsys):
    out = tmp_path / "outputs"
    code = main(["run", str(raising_notebook), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and "failed notebook(s): 99-raises" in err
    (folder,) = [p for p in (out / "ci").iterdir() if not p.is_symlink()]
    manifest = json.loads((folder / "run.json").read_text())
    status = {n["name"]: n for n in manifest["notebooks"]}
    assert manifest["status"] == "failed"
    assert status["99-raises"]["status"] == "failed" and "boom: a deliberate failure" in status["99-raises"]["error"]
    assert status["00-data-overview"]["status"] == "ok", "the other notebooks still run"
    executed = nbformat.read(folder / "99-raises.ipynb", as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors and errors[0]["evalue"] == "boom: a deliberate failure"
    assert "boom: a deliberate failure" in (folder / "99-raises.html").read_text()
    index = (folder / "index.html").read_text()
    assert '<span class="badge failed">failed</span>' in index and "boom: a deliberate failure" in index


@pytest.fixture
def counted_papermill(monkeypatch):
    """Papermill's own execute_notebook, counted; ``fail_starts`` of the first calls die as a kernel that lost its port."""
    import papermill

    real, calls = papermill.execute_notebook, {"n": 0, "fail_starts": 0}

    def counted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] <= calls["fail_starts"]:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real(*args, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", counted)
    monkeypatch.setattr(runner.time, "sleep", lambda s: None)
    return calls


def test_a_kernel_that_dies_at_start_is_started_again(counted_papermill, tmp_path):
    counted_papermill["fail_starts"] = 2
    params = load_params(CI)
    res = runner.execute_unit("00-data-overview", tmp_path, runner.notebook_parameters(params, "00-data-overview", "results"))
    assert res.status == "ok" and counted_papermill["n"] == 3
    counted_papermill.update(n=0, fail_starts=3)
    res = runner.execute_unit("00-data-overview", tmp_path / "x", {})
    assert res.status == "failed" and "kernel_info" in res.error and counted_papermill["n"] == 3


def test_an_error_in_a_cell_is_not_retried(counted_papermill, raising_notebook, tmp_path):
    params = load_params(raising_notebook)
    res = runner.execute_unit("99-raises", tmp_path, runner.notebook_parameters(params, "99-raises", "results"))
    assert res.status == "failed" and "boom" in res.error and counted_papermill["n"] == 1


def test_papermill_cli_runs_a_notebook_with_a_params_file(tmp_path):
    env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    res = subprocess.run(
        [sys.executable, "-m", "papermill", str(REPO / "notebooks" / "00-data-overview.ipynb"), str(tmp_path / "out.ipynb"),
         "-f", str(CI), "-p", "results_dir", str(tmp_path / "results"), "--cwd", str(tmp_path), "--no-progress-bar"],
        capture_output=True, text=True, env=env, timeout=900,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    doc = json.loads((tmp_path / "results" / "00-data-overview.json").read_text())
    assert doc["run_name"] == "ci" and doc["figures"]["first_month"] == "2017-04"
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    shown = "".join(o.get("data", {}).get(kind, "") for c in executed.cells for o in c.get("outputs", [])
                    for kind in ("text/markdown", "text/html", "text/plain"))
    assert "Top 5 areas" in shown, "the params file's top_n reached the notebook"


def test_notebook_runs_top_to_bottom_with_its_defaults(tmp_path):
    """What an analyst gets opening the notebook in JupyterLab and running all cells."""
    import papermill as pm

    pm.execute_notebook(
        str(REPO / "notebooks" / "00-data-overview.ipynb"), str(tmp_path / "out.ipynb"),
        cwd=str(tmp_path), progress_bar=False, kernel_name="python3",
    )
    assert not (tmp_path / "results").exists(), "with results_dir None nothing is written"


def test_the_demo_preset_90pct_intervals_cover_about_90pct(two_runs):
    """The small rolling-origin check on the demo panel (params/ci.yaml's 90-backtest): the validated preset's 90%
    intervals cover about 90% of the outcomes at every horizon (336 forecasts at 12 months, so a few points either way)."""
    _, first, _ = two_runs
    doc = json.loads((first.folder / "results" / "90-backtest.json").read_text())
    fig = doc["figures"]
    horizons = [k for k in fig if k.startswith("h") and k[1:].isdigit()]
    assert horizons
    for h in horizons:
        cover = fig[h]["bayesian_negbin"]["90% coverage"]
        assert 0.82 <= cover <= 0.97, (h, cover)
    goal = json.loads((first.folder / "results" / "10-goal-tracking.json").read_text())["figures"]
    assert goal["validated"] is True and goal["settings"]["preset"] == "demo"
