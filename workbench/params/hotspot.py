"""Parameters of ``20-hotspot-policing`` (:mod:`workbench.evaluations.hotspot`); the priors are rows of ``params/reference/priors.csv``."""

from __future__ import annotations


from pydantic import Field, field_validator, model_validator

from workbench.params.base import EffectPrior, Strict, _month, reference_default


class HotspotPoint(Strict):
    """A hotspot given as a point and a radius: every area whose centroid lies within it."""

    lat: float = Field(..., ge=-90, le=90)
    lon: float = Field(..., ge=-180, le=180)
    radius_m: float = Field(..., gt=0, le=10000)


class HotspotParams(Strict):
    """Parameters of ``20-hotspot-policing``: the hotspots, the start, the design and the priors."""

    hotspots: list[str | HotspotPoint] | None = Field(
        None, description="LSOA codes or names, or points with a radius; null = the demo's hotspots (demo data only)")
    start: str = Field("2023-06", description="first month of the patrols")
    end: str | None = Field(None, description="last month of the patrols (null = still running)")
    dosage: dict[str, float] | None = Field(None, description="relative dosage per hotspot (code or name); null = equal")
    categories: list[str] = Field(["Anti-social behaviour", "Violence and sexual offences"], min_length=1,
                                  description="outcome categories, summed")
    pre_months: int = Field(24, ge=6, le=120, description="months before the start in the window")
    post_months: int | None = Field(None, ge=3, le=120, description="months from the start in the window (null = to the end)")
    n_controls: int = Field(200, ge=5, le=5000, description="control areas matched on pre-period level and trend")
    ring_m: float = Field(800.0, gt=0, le=10000, description="spillover ring: areas with a centroid this close to a hotspot")
    buffer_m: float = Field(1500.0, gt=0, le=20000, description="controls are at least this far from every hotspot")
    centroids: str | None = Field(None, description="CSV of area_code, lat, lon, or a folder of street files; null = demo geography")
    boundaries: str | None = Field(None, description="GeoJSON of LSOA polygons (lon/lat, e.g. ONS LSOA 2021 boundaries): "
                                                     "maps of the outcome and the per-hotspot effect; null = centroids only")
    effect_prior: EffectPrior = Field(default_factory=reference_default(EffectPrior, "prior", "hotspot_effect"))
    sceptical_prior: EffectPrior = Field(default_factory=reference_default(EffectPrior, "prior", "hotspot_sceptical"))
    spillover_prior: EffectPrior = Field(default_factory=reference_default(EffectPrior, "prior", "hotspot_spillover"))
    placebo_offsets: list[int] = Field([12, 6], description="placebo-in-time starts, months before the real start")
    placebo_sets: int = Field(999, ge=19, le=100000, description="random placebo hotspot sets for placebo-in-space")
    candidate_months: int = Field(12, ge=1, le=60, description="baseline window for proposing hotspots, months before start")
    top_n: int = Field(20, ge=1, le=500, description="candidate hotspots listed")

    _check_months = field_validator("start", "end", mode="before")(_month)

    @model_validator(mode="after")
    def _consistent(self) -> "HotspotParams":
        if self.end and self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        if self.buffer_m < self.ring_m:
            raise ValueError(f"buffer_m ({self.buffer_m}) must be at least ring_m ({self.ring_m}): controls lie beyond the ring")
        for k in self.placebo_offsets:
            if not 3 <= k <= self.pre_months - 6:
                raise ValueError(f"placebo_offsets: {k} must be 3 to pre_months - 6 ({self.pre_months - 6}) months, so the "
                                 "placebo has at least 6 months before it and 3 after it inside the real pre-period")
        return self

