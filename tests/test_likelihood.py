"""The grouped Negative Binomial log-likelihood, and models compiled once and given new data."""

import numpy as np
import pytest

from workbench.models import cits, likelihood, sampling


def test_grouped_negbin_equals_the_negative_binomial_log_pmf():
    import pytensor.tensor as pt
    from scipy.stats import nbinom

    rng = np.random.default_rng(3)
    y = rng.poisson(rng.gamma(2.0, 4.0, (30, 12)))
    log_mu = np.log(rng.gamma(2.0, 4.0, (30, 12)))
    weight = (rng.random(12) > 0.3).astype(float)
    for alpha in (0.7, 5.0, 80.0):
        for w in (np.ones(12), weight):
            keep = w.astype(bool)
            table = likelihood.count_table(y[:, keep])
            got = likelihood.negbin_sum(pt.as_tensor(y.astype(float)), pt.as_tensor(log_mu), pt.as_tensor(np.asarray(alpha, dtype="float64")),
                                        pt.as_tensor(table["nb_values"]), pt.as_tensor(table["nb_counts"]),
                                        pt.as_tensor(table["nb_const"]), weight=w[None, :]).eval()
            mu = np.exp(log_mu[:, keep])
            want = nbinom.logpmf(y[:, keep], alpha, alpha / (alpha + mu)).sum()
            assert float(got) == pytest.approx(float(want), rel=1e-10)


def test_count_table_refuses_negative_counts():
    with pytest.raises(ValueError, match="non-negative"):
        likelihood.count_table(np.array([1, -1]))


def _design(seed: int) -> cits.Design:
    design, _ = cits.simulate(np.random.default_rng(seed), -0.2, 0.0, n_hot=4, n_ring=6, n_ctrl=12, pre=12, post=6)
    return design


@pytest.mark.parametrize("backend", ["jax", pytest.param("numba", marks=pytest.mark.slow)])  # numba: a minute of compiling
def test_a_reused_compiled_model_fits_the_new_data_exactly_as_a_fresh_compile(backend):
    """A model sampled again with new data gives what a fresh compile on those data gives: never the old data's posterior."""
    sampler = sampling.Sampler(draws=60, tune=60, chains=1, cores=1, backend=backend)
    prior, spill = cits.Prior(0.0, 0.2), cits.Prior(0.0, 0.1)
    sampling._COMPILED.clear()
    first = cits.fit(_design(2), prior, spill, sampler, 5).draws("effect")
    assert len(sampling._COMPILED) == 1
    reused = cits.fit(_design(1), cits.Prior(-0.1, 0.1), spill, sampler, 5).draws("effect")  # the same graph
    assert len(sampling._COMPILED) == 1
    sampling._COMPILED.clear()
    fresh = cits.fit(_design(1), cits.Prior(-0.1, 0.1), spill, sampler, 5).draws("effect")
    np.testing.assert_array_equal(fresh, reused)
    assert not np.array_equal(first, reused)


_FIT_IN_A_NEW_KERNEL = """
import sys
import numpy as np
from workbench.models import cits, sampling
design, _ = cits.simulate(np.random.default_rng(3), -0.2, 0.0, n_hot=4, n_ring=6, n_ctrl=12, pre=12, post=6)
fit = cits.fit(design, cits.Prior(0.0, 0.2), cits.Prior(0.0, 0.1), sampling.Sampler(draws=40, tune=40, chains=1, cores=1, backend="jax"), 7)
np.save(sys.argv[1], fit.draws("effect"))
"""


def test_a_jax_fit_loaded_from_the_compilation_cache_gives_the_same_draws(tmp_path):
    """JAX's executables are kept on disk across kernels; a later run that loads them draws exactly what a compile did."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "JAX_COMPILATION_CACHE_DIR": str(tmp_path / "jax")}
    for name in ("compiled", "loaded"):
        subprocess.run([sys.executable, "-c", _FIT_IN_A_NEW_KERNEL, str(tmp_path / f"{name}.npy")], env=env, check=True,
                       capture_output=True)
        if name == "compiled":
            entries = list((tmp_path / "jax").iterdir())
            assert entries, "the first kernel left nothing in the compilation cache"
    assert len(list((tmp_path / "jax").iterdir())) == len(entries)  # the second kernel compiled nothing new
    np.testing.assert_array_equal(np.load(tmp_path / "compiled.npy"), np.load(tmp_path / "loaded.npy"))
