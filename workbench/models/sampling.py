"""The one sampling set-up every Bayesian model uses: seeding, exact numerics, nutpie or PyMC, progress.

``sample(sampler, seed, label)`` samples the model in the current ``pm.Model`` context with a :class:`Sampler`:
the params file's ``sampler:`` settings as plain values (``SamplerSection.settings()`` makes one). With nutpie (the
default) the model is compiled by the ``sampler.backend``: numba (the default) takes from half a minute to a minute
and a half per model the first time on a fresh machine, keeps its compiled functions on disk for every later kernel
(a model then compiles in about 10 s), and samples 5 to 15 times faster than JAX; JAX compiles in seconds and suits
small fits, such as CI's, where compiling is most of the work. :func:`sample_reused` compiles a graph once per kernel and gives it new data (numba; with JAX each fit compiles afresh). Sampling reports
progress through a callback: under ``workbench run`` progress goes to the terminal, in JupyterLab nutpie's own bar
shows in the notebook, and executed notebooks never carry it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace

from workbench import fits, progress


@dataclass(frozen=True)
class Sampler:
    """The MCMC settings every Bayesian model samples with (the fields, and defaults, of the params ``sampler:``)."""

    draws: int = 1000
    tune: int = 1000
    chains: int = 4
    cores: int = 2
    target_accept: float = 0.9
    nuts_sampler: str = "nutpie"  # or "pymc"
    adaptation: str = "diag"  # nutpie's mass-matrix adaptation, or "low_rank"
    backend: str = "numba"  # how nutpie compiles a model, or "jax"


def exact_numerics() -> None:
    """Compile models without floating-point reassociation (numba ``fastmath`` off).

    With it on, a model compiled afresh and the same model loaded from the compile cache can round
    differently, and a sampler's path (so a run's figures) then depends on the state of the cache; with it
    off the same seed gives the same posterior every time.
    """
    import pytensor

    pytensor.config.numba__fastmath = False


def sampler_kwargs(sampler: Sampler) -> dict:
    """Extra NUTS options of the sampler settings (nutpie's mass-matrix adaptation)."""
    if sampler.nuts_sampler == "nutpie" and sampler.adaptation != "diag":
        return {"adaptation": sampler.adaptation}
    return {}


def _quiet() -> None:
    for name in ("pymc", "pymc.sampling.mcmc", "pymc.stats.convergence"):
        logging.getLogger(name).setLevel(logging.ERROR)


def sample(sampler: Sampler, seed: int, label: str, target_accept: float | None = None):
    """Sample the model in the current ``pm.Model`` context; an ``xarray.DataTree`` as ``pm.sample`` returns.

    Parameters
    ----------
    sampler
        The sampler settings (draws, tune, chains, cores, target_accept, nuts_sampler, adaptation, backend).
    seed
        The random seed: the same seed gives the same draws.
    label
        What is being fitted, as the progress line names it ("the pooled forecaster", "placebo fit" ...).
    target_accept
        Overrides ``sampler.target_accept`` (models with awkward geometry ask for more).
    """
    import pymc as pm

    exact_numerics()
    _quiet()
    model = pm.modelcontext(None)
    accept = sampler.target_accept if target_accept is None else target_accept
    if sampler.nuts_sampler != "nutpie":
        return fits.record(pm.sample(
            draws=sampler.draws, tune=sampler.tune, chains=sampler.chains, cores=sampler.cores,
            target_accept=accept, nuts_sampler="pymc", random_seed=seed, progressbar=progress.interactive(),
            compute_convergence_checks=False,
        ), label, seed)
    return _nutpie(_compile(model, label, sampler.backend), model, sampler, seed, label, accept)


def jax_cache() -> None:
    """Keep JAX's compiled functions on disk across kernels (``~/.cache/workbench/jax``), as numba's and PyTensor's
    are: a later run loads each model's executable instead of compiling it again. ``JAX_COMPILATION_CACHE_DIR``
    chooses another folder; the cache holds XLA's own executables, so a model gives the same draws from it.
    """
    import os

    import jax

    if jax.config.jax_compilation_cache_dir is None:
        jax.config.update("jax_compilation_cache_dir", os.path.join(os.path.expanduser("~"), ".cache", "workbench", "jax"))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)


def _compile(model, label: str, backend: str):
    import nutpie

    progress.emit("compile", label=label)
    if backend == "jax":
        jax_cache()
        return nutpie.compile_pymc_model(model, backend="jax", gradient_backend="jax")
    return nutpie.compile_pymc_model(model, backend="numba")


def _data_names(compiled) -> set[str]:
    """The data containers a compiled numba model reads."""
    return {var.name for var in compiled.shared_var_keys}


def _nutpie(compiled, model, sampler: Sampler, seed: int, label: str, accept: float):
    """Draw from a compiled model with progress, attach the model's data, and record the fit."""
    import nutpie
    from pymc.backends.arviz import patch_nutpie_idata

    started = time.time()
    idata = nutpie.sample(
        compiled, draws=sampler.draws, tune=sampler.tune, chains=sampler.chains, cores=sampler.cores, seed=seed,
        target_accept=accept, save_warmup=False, progress_bar=progress.interactive(),
        progress_callback=progress.SamplerProgress(label), **sampler_kwargs(sampler),
    )
    patch_nutpie_idata(idata, model, sampling_time=time.time() - started)
    return fits.record(idata, label, seed)  # saved under the run folder when a run is being written


#: Compiled models kept in this kernel, by the graph's key (most recent last).
_COMPILED: dict = {}
_KEEP = 8


def sample_reused(key, build, data: dict, sampler: Sampler, seed: int, label: str, target_accept: float | None = None):
    """Sample a model whose graph is built once per kernel and then given new data: no compiling again.

    Parameters
    ----------
    key
        A hashable key of everything fixed in the graph (its shapes and structure): two calls with the same
        key must build the same graph.
    build
        ``build()`` returns the ``pm.Model``; its data containers (``pm.Data``) are named as ``data``'s keys.
    data
        The values of the data containers for this fit.
    sampler, seed, label, target_accept
        As :func:`sample`.
    """
    import pymc as pm

    exact_numerics()
    _quiet()
    key = (key, sampler.backend)
    entry = _COMPILED.pop(key, None)
    if entry is None:
        entry = {"model": build(), "compiled": None}
    _COMPILED[key] = entry
    while len(_COMPILED) > _KEEP:
        _COMPILED.pop(next(iter(_COMPILED)))
    model = entry["model"]
    with model:
        pm.set_data(data)
    if sampler.nuts_sampler != "nutpie" or sampler.backend == "jax":
        # nutpie's JAX functions fold the data into the log density when they are compiled (new data reach only the
        # deterministics), so with JAX each fit compiles afresh, in seconds, with its own data in place.
        with model:
            return sample(sampler, seed, label, target_accept)  # records the fit itself
    accept = sampler.target_accept if target_accept is None else target_accept
    if entry["compiled"] is None:
        entry["compiled"] = _compile(model, label, sampler.backend)
    # A data container the graph does not read (a ring's flags when there is no ring) is not in the compiled model.
    used = _data_names(entry["compiled"])
    compiled = entry["compiled"].with_data(**{k: v for k, v in data.items() if k in used})
    return _nutpie(compiled, model, sampler, seed, label, accept)


def check_sampler(sampler: Sampler) -> Sampler:
    """The sampler of the refits behind a check (placebo in time, pre-trend): at most two chains of at most
    :data:`CHECK_DRAWS` draws each.

    A check reads one interval (does the placebo effect's 90% interval hold zero?), which 2 x 500 draws give to a
    Monte Carlo error far below its width; on two cores two chains run side by side, so the refit takes one round of
    sampling instead of two. The main fits, whose figures are reported, keep every chain, every draw and the
    convergence rule.
    """
    return replace(sampler, chains=min(2, sampler.chains), draws=min(CHECK_DRAWS, sampler.draws))


#: The most draws per chain a check's refit takes (:func:`check_sampler`).
CHECK_DRAWS = 500
