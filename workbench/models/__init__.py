"""Forecasting models: the pooled Bayesian count model, and Prophet and automatic ETS per series."""

#: Display names of the models, used as keys of every forecast and score table.
BAYES = "Bayesian NegBin"
PROPHET = "Prophet"
ETS = "ETS"


def model_key(name: str) -> str:
    """A model's name as a results-JSON key: ``"Bayesian NegBin"`` -> ``"bayesian_negbin"``."""
    return name.lower().replace(" ", "_")


def exact_numerics() -> None:
    """Compile models without floating-point reassociation (numba ``fastmath`` off).

    With it on, a model compiled afresh and the same model loaded from the
    compile cache can round differently, and a sampler's path (so a run's
    figures) then depends on the state of the cache; with it off the same
    seed gives the same posterior every time.
    """
    import pytensor

    pytensor.config.numba__fastmath = False


def sampler_kwargs(sampler) -> dict:
    """Extra keyword arguments of ``pm.sample`` from the params ``sampler:`` section (nutpie's mass-matrix adaptation)."""
    if sampler.nuts_sampler == "nutpie" and sampler.adaptation != "diag":
        return {"nuts": {"adaptation": sampler.adaptation}}
    return {}


def convergence(idata, names: tuple[str, ...]) -> tuple[float, float, int]:
    """(max r-hat, min bulk ESS, divergences) over the posterior variables in ``names`` that the model has."""
    import warnings

    import arviz as az
    import numpy as np

    post = idata["posterior"]
    present = [v for v in names if v in post]
    ds = (post.to_dataset() if hasattr(post, "to_dataset") else post)[present]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # constant variables (e.g. a single area's zero deviation) give NaN
        rhat = az.rhat(ds)
        ess = az.ess(ds, method="bulk")
    max_rhat = max(float(np.nanmax(rhat[v].values)) for v in present if np.isfinite(rhat[v].values).any())
    min_ess = min(float(np.nanmin(ess[v].values)) for v in present if np.isfinite(ess[v].values).any())
    return max_rhat, min_ess, int(idata["sample_stats"]["diverging"].values.sum())
