"""Runs on Dask: matrix runs and notebooks on a LocalCluster, failures kept apart, per-series fits mapped."""

from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import REPO, write_raising_notebooks
import workbench.params.run as wparams
from workbench import runner
from workbench.cli import main
from workbench.distributed import NOTEBOOK_RESOURCE, SCHEDULER_ENV, cluster
from workbench.errors import DataError, ParamsError
from workbench.params import NOTEBOOK_PARAMS, OverviewParams, load_params

CI = REPO / "params" / "ci.yaml"
AREAS = ["Basildon", "Colchester", "Harlow"]


@pytest.fixture(scope="module")
def local_cluster():
    """Two worker processes on loopback, each offering one notebook slot and a second thread for series."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=2, processes=True, host="127.0.0.1", dashboard_address=":0",
                      resources={NOTEBOOK_RESOURCE: 1}, silence_logs=logging.ERROR) as c:
        yield c


def write_params(tmp_path, notebooks, matrix=None, name="mx"):
    p = yaml.safe_load(CI.read_text())
    p["run_name"] = name
    if matrix:
        p["matrix"] = matrix
    p["notebooks"] = notebooks
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(p, sort_keys=False))
    return path


def test_a_matrix_runs_on_a_local_cluster_with_a_manifest_per_member(local_cluster, tmp_path):
    path = write_params(tmp_path, [{"name": "00-data-overview"}], {"over": "areas", "values": AREAS})
    out = tmp_path / "outputs"
    res = runner.run(path, out_dir=out, scheduler=local_cluster.scheduler_address)
    assert res.status == "ok" and list(res.members) == ["basildon", "colchester", "harlow"]
    totals = set()
    for member, area in zip(res.members, AREAS):
        one = res.members[member]
        manifest = json.loads((one.folder / "run.json").read_text())
        assert manifest["status"] == "ok" and manifest["matrix_member"] == member
        assert manifest["params"]["areas"] == [area] and manifest["params"]["matrix"] is None
        assert one.folder.parent == out / "mx" / member
        fig = json.loads((one.folder / "results" / "00-data-overview.json").read_text())["figures"]
        totals.add(fig["crime_latest_12m"])
    assert len(totals) == 3  # each member saw only its own area
    index = json.loads(res.folder.read_text())
    assert index["status"] == "ok" and set(index["members"]) == set(res.members)
    assert not list((out / "mx").glob("*/.incomplete-*"))


def test_the_same_matrix_in_one_process_gives_the_same_results(local_cluster, tmp_path):
    path = write_params(tmp_path, [{"name": "00-data-overview"}], {"over": "areas", "values": AREAS[:2]})
    a = runner.run(path, out_dir=tmp_path / "a", scheduler=local_cluster.scheduler_address)
    b = runner.run(path, out_dir=tmp_path / "b")
    for m in a.members:
        ra = (a.members[m].folder / "results" / "00-data-overview.json").read_text()
        assert ra == (b.members[m].folder / "results" / "00-data-overview.json").read_text()


@pytest.fixture
def raising(tmp_path, monkeypatch, local_cluster):
    """A notebook that raises, known to this process and to the cluster's workers."""
    from distributed import Client

    nbdir = write_raising_notebooks(tmp_path)
    monkeypatch.setattr(wparams, "NOTEBOOKS_DIR", nbdir)
    monkeypatch.setattr(runner, "NOTEBOOKS_DIR", nbdir)
    monkeypatch.setitem(NOTEBOOK_PARAMS, "99-raises", OverviewParams)

    def point(folder):
        import workbench.runner as r

        old, r.NOTEBOOKS_DIR = r.NOTEBOOKS_DIR, folder
        return str(old)

    with Client(local_cluster) as client:
        old = client.run(point, nbdir)
        yield
        client.run(point, next(iter(old.values())))


def test_a_failing_notebook_on_a_worker_loses_nothing_else(raising, local_cluster, tmp_path):
    path = write_params(tmp_path, [{"name": "99-raises"}, {"name": "00-data-overview"}],
                        {"over": "areas", "values": AREAS[:2]})
    res = runner.run(path, out_dir=tmp_path / "out", scheduler=local_cluster.scheduler_address)
    assert res.status == "failed" and res.exit_code == 1
    for one in res.members.values():
        manifest = json.loads((one.folder / "run.json").read_text())
        by = {n["name"]: n for n in manifest["notebooks"]}
        assert by["99-raises"]["status"] == "failed" and "boom" in by["99-raises"]["error"]
        assert by["00-data-overview"]["status"] == "ok" and (one.folder / "00-data-overview.html").exists()
        assert (one.folder / "99-raises.ipynb").exists()  # the executed notebook with its error
    index = json.loads(res.folder.read_text())
    assert all(m["failed"] == ["99-raises"] for m in index["members"].values())


def test_parallel_runs_the_notebooks_of_one_run_into_one_folder(tmp_path, capsys):
    path = write_params(tmp_path, [{"name": "00-data-overview"}, {"name": "40-scorecard"}], name="par")
    code = main(["run", str(path), "--out", str(tmp_path / "out"), "--parallel", "2"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "on 2 Dask worker(s) (local)" in err
    (folder,) = [p for p in (tmp_path / "out" / "par").iterdir() if not p.is_symlink()]
    manifest = json.loads((folder / "run.json").read_text())
    assert [n["name"] for n in manifest["notebooks"]] == ["00-data-overview", "40-scorecard"]
    assert set(manifest["results"]) == {"00-data-overview", "40-scorecard"}


def test_prophet_per_series_on_the_cluster_gives_the_same_draws(local_cluster, monkeypatch):
    """Six series over two workers of two threads each: fits run side by side and must not share random draws."""
    from workbench import distributed
    from workbench.models import prophet_model
    from workbench.models.series import SeriesSet

    rng = np.random.default_rng(3)
    periods = pd.date_range("2019-04-01", periods=36, freq="MS")
    season = 1 + 0.2 * np.sin(2 * np.pi * np.arange(36) / 12)
    y = rng.poisson(np.outer([40, 80, 120, 60, 90, 30], season)).astype(float)
    data = SeriesSet(periods, "M", pd.DataFrame({"area": list("abcdef"), "category": ["x"] * 6}), y)
    end = pd.Timestamp("2022-12-01")
    _, serial, _ = prophet_model.forecast(data, end, 5, samples=50)
    monkeypatch.setenv(SCHEDULER_ENV, local_cluster.scheduler_address)
    seen = []
    _, mapped, _ = prophet_model.forecast(data, end, 5, samples=50, progress=lambda k, n: seen.append((k, n)))
    assert distributed.series_client() is not None
    np.testing.assert_array_equal(serial, mapped)
    assert seen[-1] == (6, 6)


def test_bad_matrix_and_scheduler_settings_are_clear_errors(tmp_path, local_cluster):
    path = write_params(tmp_path, [{"name": "00-data-overview"}], {"over": "areas", "values": ["Basildon", "basildon"]})
    with pytest.raises(ParamsError, match="listed twice"):
        load_params(path)
    path = write_params(tmp_path, [{"name": "00-data-overview"}], {"over": "areas", "values": ["Basildon", "Nowhere"]})
    with pytest.raises(DataError, match="matrix member 'nowhere': areas: Nowhere not found"):
        runner.run(path, out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()  # nothing written
    with pytest.raises(ParamsError, match="give one"):
        with cluster(2, local_cluster.scheduler_address):
            pass


def test_a_scheduler_whose_workers_cannot_take_notebooks_is_refused():
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as lc:
        with pytest.raises(ParamsError, match="none with the 'notebook' resource.*--resources notebook=1"):
            with cluster(None, lc.scheduler_address):
                pass
