"""Forecasting models: the pooled Bayesian count model and Prophet per series."""

#: Display names of the models, used as keys of every forecast and score table.
BAYES = "Bayesian NegBin"
PROPHET = "Prophet"


def model_key(name: str) -> str:
    """A model's name as a results-JSON key: ``"Bayesian NegBin"`` -> ``"bayesian_negbin"``."""
    return name.lower().replace(" ", "_")


def sampler_kwargs(sampler) -> dict:
    """Extra keyword arguments of ``pm.sample`` from the params ``sampler:`` section (nutpie's mass-matrix adaptation)."""
    if sampler.nuts_sampler == "nutpie" and sampler.adaptation != "diag":
        return {"nuts": {"adaptation": sampler.adaptation}}
    return {}
