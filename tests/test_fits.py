"""Saved fits: a Bayesian fit drawn in a run is written as netCDF with the params and input hashes, and reopens
without refitting."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from workbench import fits
from workbench.errors import DataError
from workbench.models.sampling import Sampler, sample
from workbench.params import notebook_config

SAMPLER = Sampler(draws=60, tune=60, chains=1, cores=1, backend="jax")


def _poisson_fit(seed: int, label: str = "the test fit"):
    """A real (small) PyMC fit with a count likelihood, drawn by the shared sampler."""
    import pymc as pm

    with pm.Model():
        rate = pm.Exponential("rate", 0.1)
        pm.Poisson("y", mu=rate, observed=np.array([3, 5, 4, 6, 2, 5]))
        return sample(SAMPLER, seed, label)


@pytest.fixture
def tidy_csv(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text("period,area,category,count\n2024-01,Basildon,Burglary,12\n2024-02,Basildon,Burglary,9\n")
    return path


@pytest.fixture
def saving(tmp_path, tidy_csv):
    cfg = notebook_config("00-data-overview", {"run_name": "fits-test", "seed": 11, "top_n": 4,
                                               "data": {"source": "tidy_csv", "path": str(tidy_csv)}},
                          str(tmp_path / "run" / "results"))
    yield cfg
    fits.stop()


def test_a_fit_is_saved_with_its_params_and_input_hashes_and_reopens(saving, tmp_path, tidy_csv):
    drawn = _poisson_fit(5)
    run_dir = tmp_path / "run"
    assert fits.list_fits(run_dir) == ["00-data-overview/test-fit"]
    tree = fits.open_fit(run_dir, "test-fit")
    np.testing.assert_array_equal(tree["posterior"]["rate"].values, drawn["posterior"]["rate"].values)
    info = fits.fit_info(tree)
    assert info["params"]["run_name"] == "fits-test" and info["params"]["seed"] == 11
    assert info["params"]["notebooks"][0]["parameters"]["top_n"] == 4  # the notebook's own, resolved
    assert info["inputs"] == [{"path": str(tidy_csv), "bytes": tidy_csv.stat().st_size,
                               "sha256": hashlib.sha256(tidy_csv.read_bytes()).hexdigest()}]
    assert (info["seed"], info["label"], info["notebook"]) == ("5", "the test fit", "00-data-overview")


def test_two_fits_with_one_label_get_two_files(saving, tmp_path):
    _poisson_fit(1, "the placebo fit")
    _poisson_fit(2, "the placebo fit")
    assert fits.list_fits(tmp_path / "run") == ["00-data-overview/placebo-fit", "00-data-overview/placebo-fit-2"]
    assert fits.fit_info(fits.open_fit(tmp_path / "run", "placebo-fit-2"))["seed"] == "2"


def test_an_unknown_fit_names_the_saved_ones(saving, tmp_path):
    _poisson_fit(1)
    with pytest.raises(DataError, match=r"fit 'pooled-forecaster' is not saved there. Saved fits: 00-data-overview/test-fit"):
        fits.open_fit(tmp_path / "run", "pooled-forecaster")


def test_a_notebook_on_its_own_saves_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    notebook_config("00-data-overview")  # results_dir None, as in JupyterLab
    _poisson_fit(1)
    assert not any(tmp_path.rglob("*.nc"))
    with pytest.raises(DataError, match="Saved fits: none"):
        fits.open_fit(tmp_path, "test-fit")


def test_fit_names_come_from_the_sampler_labels():
    assert fits.fit_name("the fit with the evidence prior") == "fit-with-the-evidence-prior"
    assert fits.fit_name("the placebo fit 6 months earlier") == "placebo-fit-6-months-earlier"
