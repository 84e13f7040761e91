"""Parameters of ``40-scorecard`` (:mod:`workbench.evaluations.scorecard`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from workbench.params.base import Strict, _month


class ScorecardParams(Strict):
    """Parameters of ``40-scorecard``: the indicators, SPC settings and the harm measure."""

    indicators: Literal["auto", "demo", "csv", "none"] = Field(
        "auto", description="indicators besides crime: auto = the demo's with demo data, none otherwise; csv = indicators_path")
    indicators_path: str | None = Field(None, description="indicators CSV (indicator, period, value[, target, good_direction, unit, count])")
    breaks: dict[str, list[str]] = Field(default_factory=dict, description="indicator -> months (YYYY-MM) where SPC limits are recalculated")
    spc_window_months: int = Field(36, ge=6, le=600, description="months of crime data in the crime, ASB and harm charts")
    run_length: int = Field(7, ge=2, le=30, description="SPC run rule: points in a row on one side of the mean")
    trend_length: int = Field(6, ge=2, le=30, description="SPC trend rule: points in a row each higher (or lower)")
    min_points: int = Field(15, ge=2, le=100, description="fewer points than this in a phase: limits are provisional")
    harm_scheme: Literal["cchi", "css"] = Field("cchi", description="harm weights: Cambridge Crime Harm Index or ONS Crime Severity Score")
    harm_unweighted: list[str] = Field(default_factory=list, description="categories with no harm weight: counted, left out of harm")
    baseline_year: int = Field(2023, ge=2000, le=2100, description="financial year harm is compared with (2023 = 2023/24)")
    recent_months: int = Field(12, ge=1, le=60, description="window of the area and category tables")
    top_n: int = Field(10, ge=1, le=100, description="rows in the area tables")
    boundaries: str | None = Field(None, description="GeoJSON of CSP / district polygons (lon/lat, e.g. ONS LAD boundaries): "
                                                     "a map of harm by area; null = no map")

    @field_validator("breaks")
    @classmethod
    def _break_months(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return {k: [_month(m) for m in v] for k, v in value.items()}

    @model_validator(mode="after")
    def _csv_path(self) -> "ScorecardParams":
        if self.indicators == "csv" and not self.indicators_path:
            raise ValueError("indicators is 'csv' but indicators_path is not set; give the CSV's path")
        if self.indicators_path and self.indicators != "csv":
            raise ValueError(f"indicators_path is set but indicators is '{self.indicators}'; set indicators: csv")
        return self

