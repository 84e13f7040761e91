"""Parameters of ``15-where-we-stand`` (:mod:`workbench.evaluations.nowcast`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from workbench.params.base import Strict, _month
from workbench.params.forecast import DEFAULT_SHOCKS, ShockParams


class SourceSpec(Strict):
    """One source of ``15-where-we-stand``: a file and its kind (see :mod:`workbench.data.multisource`)."""

    kind: Literal["homeoffice_quarterly", "ons_p1", "ons_c2", "ons_p7", "policeuk_counts", "policeuk_force_monthly"]
    path: str = Field(..., description="the file (relative paths resolve against the params file's folder)")
    name: str | None = Field(None, description="name in tables and results (default: the kind)")


class NowcastModelParams(Strict):
    """Settings of the measurement model (:mod:`workbench.models.nowcast`)."""

    walk_every_months: int = Field(6, ge=1, le=24, description="months between the knots of the latent random walk")
    walk_sd: float = Field(0.05, gt=0, le=1, description="HalfNormal scale of the walk's step sd per knot")
    ratio_sd: float = Field(0.2, gt=0, le=2, description="prior sd of a source's log ratio to the reference definition")
    ratio_drift_sd: float = Field(0.05, ge=0, le=1, description="sd of a year's drift in a source's log ratio")
    trend_damping: float = Field(0.8, gt=0, le=1, description="share of the slope kept per year ahead in forecasts")
    fourier_order: int = Field(2, ge=0, le=6, description="yearly Fourier terms (pairs)")
    shocks: list[ShockParams] = Field(default_factory=lambda: [ShockParams(**s) for s in DEFAULT_SHOCKS])
    forecast_draws: int = Field(1000, ge=10, le=10000, description="posterior draws kept for the figures")


class NowcastParams(Strict):
    """Parameters of ``15-where-we-stand``: the sources, the goal and the measurement model."""

    sources: list[SourceSpec] = Field(default_factory=list, description="files and kinds; empty = a simulated panel with known truth")
    force: str = Field("essex", description="force slug (a matrix over data.forces sets it per run)")
    start: str = Field("2014-04", description="first month of the latent path; observations before it are not used")
    baseline_year: int = Field(2023, ge=2000, le=2100, description="financial year of the baseline (2023 = 2023/24)")
    target_year: int = Field(2027, ge=2000, le=2100, description="financial year of the target")
    reduction: float = Field(0.40, gt=0, lt=1, description="fall from baseline to target, as a fraction")
    asb: bool = Field(True, description="also nowcast ASB (street-level definition, with ONS P7 incidents)")
    asb_change_from: int = Field(2016, ge=2000, le=2100, description="financial year ASB's change is read against")
    compare_homeoffice_only: bool = Field(True, description="also fit crime on the Home Office table alone")
    simulate_groups: int = Field(2, ge=1, le=4, description="offence groups of the simulated panel (no sources)")
    model: NowcastModelParams = Field(default_factory=NowcastModelParams)

    _check_start = field_validator("start", mode="before")(_month)

    @model_validator(mode="after")
    def _years(self) -> "NowcastParams":
        if self.target_year <= self.baseline_year:
            raise ValueError(f"target_year ({self.target_year}) must be after baseline_year ({self.baseline_year})")
        return self
