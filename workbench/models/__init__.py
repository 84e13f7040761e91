"""The models: forecasters (the pooled Bayesian count model, Prophet, automatic ETS and the seasonal naive, each under
the contract of :mod:`workbench.models.forecasters`) and effect models (the synthetic control and the interrupted time
series, under :mod:`workbench.models.effects`); see ``docs/contracts.md``."""

from dataclasses import dataclass

#: Display names of the models, used as keys of every forecast and score table.
BAYES = "Bayesian NegBin"
PROPHET = "Prophet"
ETS = "ETS"


def model_key(name: str) -> str:
    """A model's name as a results-JSON key: ``"Bayesian NegBin"`` -> ``"bayesian_negbin"``."""
    return name.lower().replace(" ", "_")


from workbench.models.sampling import exact_numerics, sample, sampler_kwargs  # noqa: E402,F401  (one home)


#: The one convergence rule every Bayesian fit is held to: r-hat at most RHAT_MAX, bulk ESS at least ESS_MIN over
#: the checked parameters, and no divergent transitions.
RHAT_MAX = 1.01
ESS_MIN = 400


def converged(max_rhat: float, min_ess: float, divergences: int) -> bool:
    """Whether a fit meets the convergence rule (:data:`RHAT_MAX`, :data:`ESS_MIN`, no divergences)."""
    return max_rhat <= RHAT_MAX and min_ess >= ESS_MIN and divergences == 0


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


@dataclass(frozen=True)
class Diagnostics:
    """A fit's convergence: max r-hat and min bulk ESS over its checked parameters, and its divergences.

    ``chains`` and ``n_draws`` (all chains) are given where the message is to name the run's size (the pooled
    forecaster); a fit that gives them has its message list each part of the rule it failed, one that does not (the
    nowcast) has it state the rule.
    """

    max_rhat: float
    min_ess_bulk: float
    divergences: int
    n_draws: int | None = None
    chains: int | None = None

    @property
    def ok(self) -> bool:
        return converged(self.max_rhat, self.min_ess_bulk, self.divergences)

    def figures(self) -> dict:
        return {"max_rhat": round(self.max_rhat, 3), "min_ess_bulk": round(self.min_ess_bulk),
                "divergences": self.divergences, "ok": self.ok}

    def message(self) -> str:
        """Either "Sampler diagnostics fine: ..." or a warning that the figures are provisional, with what to do."""
        size = "" if self.chains is None else f" ({self.chains} chains x {self.n_draws // max(self.chains, 1)} draws)"
        text = (f"r-hat max {self.max_rhat:.3f}, bulk ESS min {self.min_ess_bulk:.0f}{size}, "
                f"{self.divergences} divergences")
        if self.ok:
            return f"Sampler diagnostics fine: {text}."
        if self.chains is None:
            return (f"WARNING - poor convergence (the rule: r-hat at most {RHAT_MAX}, bulk ESS at least {ESS_MIN}, no "
                    f"divergences): {text}. Treat these figures as provisional: raise sampler.draws / sampler.tune and "
                    "run again.")
        problems = []
        if self.max_rhat > RHAT_MAX:
            problems.append(f"r-hat above {RHAT_MAX} (chains disagree)")
        if self.min_ess_bulk < ESS_MIN:
            problems.append(f"bulk ESS below {ESS_MIN} (too few effective draws)")
        if self.divergences:
            problems.append("divergent transitions (the sampler could not explore part of the posterior)")
        return (f"WARNING - poor convergence: {'; '.join(problems)}. {text}. Treat these figures as provisional: "
                "raise sampler.draws / sampler.tune (and target_accept if there are divergences) and run again.")
