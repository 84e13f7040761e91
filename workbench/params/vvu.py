"""Parameters of ``30-vvu-return`` (:mod:`workbench.evaluations.vvu`, :mod:`workbench.evaluations.costbenefit`).

The donor exclusions, the spend, the prior and the cost-benefit figures default to rows of ``params/reference/``
(``vru_forces.csv``, ``vvu_costs.csv``, ``priors.csv``, ``vvu_assumptions.csv``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from workbench.params.base import EffectPrior, Figure, Strict, _month, reference_default


class CostsSection(Strict):
    """Programme spend: GBP by tier and financial year (2021 = 2021/22), plus optional extra policing spend."""

    spend: dict[str, dict[int, float]] = Field(..., min_length=1, description="tier -> {financial year: GBP}")
    extra_policing: dict[int, float] = Field(default_factory=dict, description="financial year -> GBP (optional)")
    source: str = Field(..., min_length=1)
    verified: bool


class DonorExclusion(Strict):
    forces: list[str] = Field(..., description="force slugs left out of the donor pool")
    source: str = Field(..., min_length=1)
    verified: bool


class VVUParams(Strict):
    """Parameters of ``30-vvu-return``: the treated force, the start, donors, costs and how benefits are valued."""

    treated: str = Field("essex", description="force slug of the treated force")
    start: str = Field("2019-10", description="first month of the programme (the quarter containing it is the first treated)")
    end: str | None = Field(None, description="last month counted (null = the end of the data)")
    categories: list[str] = Field(["Violence against the person", "Possession of weapons offences", "Robbery"],
                                  min_length=1, description="outcome offence groups, summed")
    pre_quarters: int = Field(24, ge=8, le=80, description="quarters before the start that the models fit")
    exclude: DonorExclusion = Field(default_factory=reference_default(DonorExclusion, "vru_forces"),
                                    description="forces that are not donors (their own programmes would contaminate)")
    donors: list[str] | None = Field(None, description="donor force slugs; null = every force not excluded")
    concentration: float = Field(0.2, gt=0, le=10, description="Dirichlet concentration of the donor weights "
                                 "(below 1 favours few donors; 1 is flat and pulls the mix towards the average donor)")
    effect_prior: EffectPrior = Field(default_factory=reference_default(EffectPrior, "prior", "vvu_effect"),
                                      description="prior of the log rate ratio in the interrupted time series")
    placebo_offsets: list[int] = Field([8, 4], description="placebo-in-time starts, quarters before the real start")
    costs: CostsSection = Field(default_factory=reference_default(CostsSection, "vvu_costs"))
    benefit_years: list[int] | None = Field(None, description="financial years whose averted offences are valued; null = the years with spend")
    discount_rate: Figure = Field(default_factory=reference_default(Figure, "vvu_assumption", "discount_rate"))
    attribution: Figure = Field(default_factory=reference_default(Figure, "vvu_assumption", "attribution"))
    price_uplift: Figure = Field(default_factory=reference_default(Figure, "vvu_assumption", "price_uplift"))
    unit_costs: dict[str, dict[str, Any]] = Field(default_factory=dict,
                                                  description="category -> {value, price_year, source, verified}: overrides")
    unvalued: list[str] = Field(["Possession of weapons offences"],
                                description="categories counted but not valued (no unit cost is known)")
    claimed_ratio: Figure = Field(default_factory=reference_default(Figure, "vvu_assumption", "claimed_ratio"))
    sensitivity: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: {"unit_cost_scale": (0.5, 1.5), "attribution": (0.25, 1.0),
                                 "discount_rate": (0.015, 0.06), "uplift": (1.0, 1.35)},
        description="low and high values for the tornado chart")

    _check_months = field_validator("start", "end", mode="before")(_month)

    @model_validator(mode="after")
    def _consistent(self) -> "VVUParams":
        if self.end and self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        for k in self.placebo_offsets:
            if not 2 <= k <= self.pre_quarters - 6:
                raise ValueError(f"placebo_offsets: {k} must be 2 to pre_quarters - 6 ({self.pre_quarters - 6}) quarters")
        for c in [*self.unvalued, *self.unit_costs]:
            if c not in self.categories:
                raise ValueError(f"'{c}' (in unvalued / unit_costs) is not one of the categories {self.categories}")
        for k, (lo, hi) in self.sensitivity.items():
            if k not in ("unit_cost_scale", "attribution", "discount_rate", "uplift"):
                raise ValueError(f"sensitivity: unknown input '{k}' (unit_cost_scale, attribution, discount_rate, uplift)")
            if lo > hi:
                raise ValueError(f"sensitivity['{k}']: low {lo} is above high {hi}")
        if not 0 < self.attribution.value <= 1:
            raise ValueError(f"attribution.value {self.attribution.value} must be in (0, 1]")
        if not 0 <= self.discount_rate.value < 1:
            raise ValueError(f"discount_rate.value {self.discount_rate.value} must be from 0 to 1 (0.035 = 3.5%)")
        if self.price_uplift.value <= 0:
            raise ValueError(f"price_uplift.value {self.price_uplift.value} must be positive")
        return self

