"""Parameters of ``50-claims`` (:mod:`workbench.evaluations.claims`)."""

from __future__ import annotations


from pydantic import Field

from workbench.params.base import Strict


class ClaimsParams(Strict):
    """Parameters of ``50-claims``: the claims file, the sources to read them against and how verdicts are given."""

    claims_path: str | None = Field(None, description="claims CSV (params/reference/claims-essex.csv layout); null = "
                                    "the synthetic demo claims, computed from the demo panel (demo data only)")
    force: str = Field("essex", description="force slug whose figures the sources give")
    homeoffice_path: str | None = Field(None, description="Home Office quarterly police recorded crime (tidy CSV)")
    ons_p1_path: str | None = Field(None, description="ONS Table P1, rolling 12 months by force area (tidy CSV)")
    ons_c2_path: str | None = Field(None, description="ONS Table C2, by community safety partnership (tidy CSV)")
    ons_p7_path: str | None = Field(None, description="ONS Table P7, ASB incidents by force area and financial year (tidy CSV)")
    policeuk_path: str | None = Field(None, description="data.police.uk monthly LSOA counts (policeuk_monthly_counts.csv layout)")
    interval: float = Field(0.95, gt=0.5, lt=1, description="level of the interval for each change")
    stands_out_sigmas: float = Field(2.0, gt=0, le=10, description="a change this many times normal variation stands out")
    close_pp: float = Field(1.0, ge=0, le=20, description="'close': within this many percentage points beyond the claim's rounding")
    count_tolerance: float = Field(0.0025, ge=0, le=0.1, description="counts agree within this share of the earlier total (revisions)")
    default_year_sd: float = Field(0.10, gt=0, le=2, description="year-to-year sd of log changes assumed where no source has 3 past changes")

