"""Parameters of ``10-goal-tracking`` (:mod:`workbench.evaluations.goal`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from workbench.params.forecast import ForecastersParams


class GoalTrackingParams(ForecastersParams):
    """Parameters of ``10-goal-tracking``: the goal, the measures and (from :class:`ForecastersParams`) the models."""

    baseline_year: int = Field(2023, ge=2000, le=2100, description="financial year of the baseline (2023 = 2023/24)")
    target_year: int = Field(2027, ge=2000, le=2100, description="financial year of the target (2027 = 2027/28)")
    reduction: float = Field(0.40, gt=0, lt=1, description="fall from baseline to target, as a fraction")
    categories: list[str] | None = Field(None, description="categories in the crime measure; null = all but ASB")
    measure: Literal["count", "harm"] = Field("count", description="the crime measure: count, or harm (count x harm weight)")
    harm_scheme: Literal["cchi", "css"] = Field("cchi", description="harm weights when measure is harm")
    harm_unweighted: list[str] = Field(default_factory=list, description="categories with no harm weight: left out of the harm measure")
    asb_category: str | None = Field("Anti-social behaviour", description="tracked separately; null to skip")
    top_n: int = Field(8, ge=1, le=100, description="rows in the driver tables")

    @model_validator(mode="after")
    def _years(self) -> "GoalTrackingParams":
        if self.target_year <= self.baseline_year:
            raise ValueError(f"target_year ({self.target_year}) must be after baseline_year ({self.baseline_year})")
        return self

