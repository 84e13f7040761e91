"""Parameters of ``00-data-overview`` (:mod:`workbench.evaluations.overview`)."""

from __future__ import annotations


from pydantic import Field

from workbench.params.base import Strict


class OverviewParams(Strict):
    """Parameters of ``00-data-overview``."""

    top_n: int = Field(10, ge=1, le=200, description="how many top areas to list")
    recent_months: int = Field(12, ge=1, le=60, description="length of the 'latest' window for totals")

