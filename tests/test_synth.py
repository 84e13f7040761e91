"""Synthetic control: the classical weights and placebo statistic by hand, and the Bayesian model on simulated data."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.models import synth
from workbench.models.sampling import Sampler


def test_classical_weights_recover_an_exact_mix():
    rng = np.random.default_rng(3)
    X = rng.uniform(0.5, 1.5, (6, 20))
    w_true = np.array([0.6, 0.0, 0.4, 0.0, 0.0, 0.0])
    y = w_true @ X
    w = synth.classical_weights(y, X)
    np.testing.assert_allclose(w, w_true, atol=1e-6)
    assert w.min() >= 0 and w.sum() == pytest.approx(1.0)


def test_classical_effect_and_placebo_p_by_hand():
    rng = np.random.default_rng(4)
    T, t0 = 16, 10
    X = 100 * np.exp(rng.normal(0, 0.05, (5, T)))
    y = 200 * (0.5 * X[0] / X[0, :t0].mean() + 0.5 * X[1] / X[1, :t0].mean())
    y[t0:] *= 0.8  # a 20% fall after the start
    r = synth.classical(y, X, t0)
    assert r.effect_pct == pytest.approx(-20.0, abs=0.5)
    assert r.rmspe_pre == pytest.approx(0.0, abs=1e-6)
    table, p = synth.placebo_in_space(y, X, t0, tuple("abcde"), "treated")
    assert len(table) == 6 and table["treated"].sum() == 1
    # The treated unit fits perfectly before and moves after: the largest ratio of the six.
    assert p == pytest.approx(1 / 6)


def test_data_checks():
    with pytest.raises(ValueError, match="at least two donors"):
        synth.SynthData(y=np.ones(10), X=np.ones((1, 10)), t0=6)
    with pytest.raises(ValueError, match="periods"):
        synth.SynthData(y=np.ones(9), X=np.ones((3, 10)), t0=6)
    with pytest.raises(ValueError, match="no counts before the start"):
        synth.SynthData(y=np.ones(10), X=np.vstack([np.ones(10), np.zeros(10)]), t0=6, donors=("a", "b"))


def test_bayesian_synthetic_control_recovers_a_known_effect():
    rng = np.random.default_rng(np.random.SeedSequence(20240401, spawn_key=(2,)))
    data, truth = synth.simulate(rng, np.log(0.8))
    fit = synth.fit(data, Sampler(draws=300, tune=300, chains=2, cores=2, backend="jax"), 11)
    lo, med, hi = np.percentile(fit.effect_pct(), [5, 50, 95])
    assert lo <= truth.effect_pct <= hi, (lo, med, hi, truth.effect_pct)
    assert hi < 0  # a 20% fall is found
    assert fit.weights.shape[1] == 39 and np.allclose(fit.weights.sum(axis=1), 1.0)
    assert fit.pre_fit()["mape_pct"] < 10
    assert np.median(fit.averted()) > 0


def test_small_calibration_run():
    """The benchmark's calibration on three simulated 40-unit panels (0, -10% and -20%): most intervals cover the
    truth and the point estimates are close (a flat Dirichlet prior, which pulls the mix towards the average donor,
    fails this). ``benchmarks/bench_vvu.py`` runs the full calibration."""
    import sys

    from conftest import REPO

    sys.path.insert(0, str(REPO / "benchmarks"))
    import bench_vvu

    res = bench_vvu.recovery(3, 200, say=lambda s: None)
    assert res["coverage"] >= 2 / 3, res["by_case"]
    assert res["mean_abs_error"] < 0.05, res["by_case"]
