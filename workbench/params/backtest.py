"""Parameters of ``90-backtest`` (:mod:`workbench.evaluations.backtest`)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from workbench.params.base import _month
from workbench.params.forecast import ForecastersParams


class BacktestParams(ForecastersParams):
    """Parameters of ``90-backtest``: rolling origins, horizons (in periods of the data) and (from
    :class:`ForecastersParams`) the models."""

    origins: list[str] = Field(["2021-04", "2022-04", "2023-04"], min_length=1, description="first forecast periods")
    horizons: list[int] = Field([12, 24], min_length=1, description="score windows, in periods (months or quarters)")

    @field_validator("origins", mode="before")
    @classmethod
    def _months(cls, value: Any) -> Any:
        return [_month(v) for v in value] if isinstance(value, list) else value

    @field_validator("horizons")
    @classmethod
    def _positive(cls, value: list[int]) -> list[int]:
        if any(h < 1 for h in value):
            raise ValueError(f"horizons must be positive numbers of periods, got {value}")
        return sorted(set(value))

