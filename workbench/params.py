"""The schema of params files, validated before anything runs.

A params file is YAML with shared sections (``data``, ``areas``, ``period``,
``seed``, ``sampler``) and a list of ``notebooks``, each with its own
``parameters``. Unknown keys are rejected everywhere. Every error names the
file, the line, the key, what was expected and what to do.

Relative paths in ``data.path`` are resolved against the folder of the params
file, so a scheduled job gives the same result from any working directory.

The same schema validates a notebook's ``parameters`` cell when it runs on its
own (JupyterLab, or ``papermill notebooks/X.ipynb out.ipynb -f params/X.yaml``):
see :func:`notebook_config`.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from workbench.errors import ParamsError

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

#: Folder holding the source notebooks (``notebooks/`` at the repository root).
NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"



def _forecasters(value: Any) -> Any:
    """``models:``: forecaster keys that are registered (:mod:`workbench.models.forecasters`), each once."""
    if value is None or not isinstance(value, list):
        return value
    from workbench.models.forecasters import registry

    known = registry()
    unknown = [v for v in value if v not in known]
    if unknown:
        raise ValueError(f"unknown forecaster(s) {unknown}; known: {sorted(known)}")
    if not value or len(set(value)) != len(value):
        raise ValueError(f"models must name at least one forecaster, each once; got {value}")
    return value


MODELS_DESCRIPTION = ("forecasters to run, by key (negbin, prophet, ets, seasonal_naive); the first gives the "
                      "headline; null = the default set less those prophet / ets turn off")


class Strict(BaseModel):
    """Base for every params section: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


def _month(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if not MONTH_RE.match(text):
        raise ValueError(f"expected a month as 'YYYY-MM' (e.g. '2025-12'), got {value!r}")
    return text


# --------------------------------------------------------------------------- data


class DemoOptions(Strict):
    """Options of the embedded synthetic demo panel (:mod:`workbench.data.demo`)."""

    start: str = Field("2015-04", description="first month of the synthetic panel")
    end: str = Field("2025-12", description="last month; a fixed month, never 'today'")
    lsoa_fraction: float = Field(
        1.0, gt=0, le=1, description="share of each area's LSOAs to generate (1 = Essex-sized)"
    )

    _check_months = field_validator("start", "end", mode="before")(_month)

    @model_validator(mode="after")
    def _ordered(self) -> "DemoOptions":
        if self.start > self.end:
            raise ValueError(f"data.demo.start ({self.start}) is after data.demo.end ({self.end})")
        return self


#: Data sources, with the words every table and figure built on them carries.
SOURCE_LABELS = {
    "demo": "synthetic demo data",
    "tidy_csv": "analyst-supplied data",
    "policeuk": "data.police.uk street-level data",
    "policeuk_counts": "data.police.uk street-level data (monthly LSOA counts)",
    "homeoffice_quarterly": "Home Office police recorded crime",
    "ons_table": "ONS police recorded crime tables",
}


class DataSection(Strict):
    """Where the panel comes from.

    ``demo`` generates the synthetic Essex-like panel from ``seed``;
    ``tidy_csv`` reads a CSV with columns period, area, category, count;
    ``policeuk`` reads data.police.uk street files (a download folder or zip);
    ``policeuk_counts`` their monthly LSOA counts (month, force, lsoa_code, lsoa_name, crime_type, count);
    ``homeoffice_quarterly`` the Home Office quarterly force x offence group table;
    ``ons_table`` ONS Table P1 (force areas) or C2 (community safety partnerships).
    """

    source: Literal["demo", "tidy_csv", "policeuk", "policeuk_counts", "homeoffice_quarterly", "ons_table"] = "demo"
    path: str | None = Field(None, description="input file or folder (not used by 'demo')")
    force: str = Field("essex", description="force slug that a tidy CSV belongs to")
    forces: list[str] | None = Field(None, description="force slugs to keep (police.uk, Home Office, ONS); null keeps all")
    cache: bool = Field(True, description="keep parsed panels in a parquet cache keyed by the input files' hashes")
    demo: DemoOptions = Field(default_factory=DemoOptions)

    @model_validator(mode="after")
    def _path_matches_source(self) -> "DataSection":
        if self.source == "demo" and self.path is not None:
            raise ValueError("data.path is not used with source 'demo'; remove it or choose another source")
        if self.source != "demo" and self.path is None:
            raise ValueError(f"data.source '{self.source}' needs data.path: the file or folder to read")
        if self.forces is not None and not self.forces:
            raise ValueError("data.forces is an empty list; use null for every force")
        return self

    @property
    def label(self) -> str:
        """Words every table and figure built on this data carries."""
        return SOURCE_LABELS[self.source]


class PeriodSection(Strict):
    """Analysis window (inclusive months); ``null`` means from the first / to the last month in the data."""

    start: str | None = None
    end: str | None = None

    _check_months = field_validator("start", "end", mode="before")(_month)

    @model_validator(mode="after")
    def _ordered(self) -> "PeriodSection":
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"period.start ({self.start}) is after period.end ({self.end})")
        return self


class SamplerSection(Strict):
    """MCMC settings passed to PyMC. ``nutpie`` is the default NUTS implementation."""

    draws: int = Field(1000, ge=10)
    tune: int = Field(1000, ge=10)
    chains: int = Field(4, ge=1, le=16)
    cores: int = Field(2, ge=1)
    target_accept: float = Field(0.9, gt=0.5, lt=1)
    nuts_sampler: Literal["nutpie", "pymc"] = "nutpie"
    adaptation: Literal["diag", "low_rank"] = Field(
        "diag", description="nutpie's mass-matrix adaptation; low_rank helps correlated posteriors")


class DisclosureSection(Strict):
    """Disclosure control of the publication HTML: small counts suppressed, as UK official statistics do.

    The analyst's HTML and the executed notebook keep every value.
    """

    threshold: int = Field(5, ge=0, le=1000, description="counts from 1 to threshold - 1 are suppressed in publication tables; 0 = none")
    symbol: str = Field("[c]", min_length=1, max_length=12, description="shown in place of a suppressed count ([c] = confidential)")


class MatrixSection(Strict):
    """One params file, many runs: each value of ``over`` becomes a run of its own (its own folder and manifest)."""

    over: Literal["data.forces", "areas"] = Field(..., description="what each run keeps: one force, or one area")
    values: list[str] = Field(..., min_length=1, description="one run per value, e.g. force slugs or CSP names")

    @field_validator("values")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        seen = set()
        for v in value:
            if not NAME_RE.match(member_name(v)):
                raise ValueError(f"matrix value {v!r} gives no usable folder name")
            if member_name(v) in seen:
                raise ValueError(f"matrix value {v!r} is listed twice")
            seen.add(member_name(v))
        return value


def member_name(value: str) -> str:
    """The folder name of a matrix member: ``"Southend-on-Sea"`` → ``southend-on-sea``, ``"Castle Point"`` → ``castle-point``."""
    return re.sub(r"[^a-z0-9._-]+", "-", value.strip().lower()).strip("-")


# --------------------------------------------------------------------------- notebooks


class OverviewParams(Strict):
    """Parameters of ``00-data-overview``."""

    top_n: int = Field(10, ge=1, le=200, description="how many top areas to list")
    recent_months: int = Field(12, ge=1, le=60, description="length of the 'latest' window for totals")


class ShockParams(Strict):
    """A known break in the series (COVID-19 months, a recording change): its own effect per category."""

    name: str = Field(..., description="short name, e.g. covid")
    start: str = Field(..., description="first month, YYYY-MM")
    end: str = Field(..., description="last month, YYYY-MM")

    _check_months = field_validator("start", "end", mode="before")(_month)

    @model_validator(mode="after")
    def _ordered(self) -> "ShockParams":
        if self.start > self.end:
            raise ValueError(f"shock '{self.name}': start ({self.start}) is after end ({self.end})")
        return self


DEFAULT_SHOCKS = [{"name": "covid", "start": "2020-04", "end": "2021-03"}]


class ForecastModelParams(Strict):
    """Settings of the pooled Negative Binomial forecaster (:mod:`workbench.models.negbin`)."""

    changepoint_every_years: float = Field(2.0, gt=0.2, le=20, description="spacing of trend changepoints")
    changepoint_scale: float = Field(0.05, gt=0, le=1, description="prior sd of a change in annual log-slope")
    area_slope_scale: float = Field(0.03, gt=0, le=1, description="prior sd of an area's slope about its category's")
    series_slope_scale: float = Field(0.0, ge=0, le=1, description="prior sd of a series' own slope about its area and category's (0 = none)")
    series_dispersion: bool = Field(False, description="a dispersion per series (partially pooled) rather than per category")
    series_level_walk: bool = Field(False, description="each series' log level wanders about its trend as a random walk (innovation sd learnt per category), and keeps wandering in forecasts")
    level_walk_df: float | None = Field(None, gt=1, le=100, description="with series_level_walk: Student-t degrees of freedom of the walk's steps, so a level can jump now and then (null = Normal steps)")
    category_level_walk: bool = Field(False, description="each category's log level wanders as a random walk shared by all its series (innovation sd learnt per category), and keeps wandering in forecasts")
    category_walk_df: float | None = Field(None, gt=1, le=100, description="with category_level_walk: Student-t degrees of freedom of that walk's steps, so a category can jump everywhere at once now and then (null = Normal steps)")
    area_level_walk: bool = Field(False, description="each area's log level wanders as a random walk shared by all its series (innovation sd learnt per area), and keeps wandering in forecasts")
    area_walk_df: float | None = Field(None, gt=1, le=100, description="with area_level_walk: Student-t degrees of freedom of that walk's steps, so an area can jump in every category at once now and then (null = Normal steps)")
    shared_level_walk: bool = Field(False, description="the log level of every series wanders as one random walk (a national or force-wide shift; innovation sd learnt), and keeps wandering in forecasts")
    shared_walk_df: float | None = Field(None, gt=1, le=100, description="with shared_level_walk: Student-t degrees of freedom of that walk's steps, so every series can jump at once now and then (null = Normal steps)")
    trend_damping: float = Field(1.0, gt=0, le=1, description="share of the trend's slope kept per year ahead in forecasts (1 = the last slope carries on undamped)")
    spread_growth: float = Field(0.0, ge=0, le=2, description="widen forecasts' spread of log means about their median by this share per year ahead, for shifts the history never showed (0 = the model's own spread; choose it by backtest on origins the test does not use)")
    history_years: float | None = Field(None, gt=2, le=100, description="fit only the last N years of history (null = all)")
    fourier_order: int = Field(3, ge=0, le=6, description="yearly Fourier terms (pairs)")
    shocks: list[ShockParams] = Field(default_factory=lambda: [ShockParams(**s) for s in DEFAULT_SHOCKS])
    forecast_draws: int = Field(1000, ge=10, le=10000, description="posterior predictive draws kept")
    preset: str | None = Field(None, description="a named, validated set of these settings (params/reference/forecaster-presets.yaml); keys given beside it override it")

    @model_validator(mode="before")
    @classmethod
    def _preset(cls, value: Any) -> Any:
        if isinstance(value, dict) and value.get("preset"):
            from workbench.presets import resolve

            return resolve(value)
        return value

    @model_validator(mode="after")
    def _walk(self) -> "ForecastModelParams":
        for df_key, walk_key in (("level_walk_df", "series_level_walk"), ("category_walk_df", "category_level_walk"),
                                  ("area_walk_df", "area_level_walk"), ("shared_walk_df", "shared_level_walk")):
            if getattr(self, df_key) is not None and not getattr(self, walk_key):
                raise ValueError(f"{df_key} shapes the steps of the random walk that {walk_key} turns on, but "
                                 f"{walk_key} is false: set {walk_key}: true, or remove {df_key}")
        return self


class GoalTrackingParams(Strict):
    """Parameters of ``10-goal-tracking``: the goal, the measures and the models."""

    baseline_year: int = Field(2023, ge=2000, le=2100, description="financial year of the baseline (2023 = 2023/24)")
    target_year: int = Field(2027, ge=2000, le=2100, description="financial year of the target (2027 = 2027/28)")
    reduction: float = Field(0.40, gt=0, lt=1, description="fall from baseline to target, as a fraction")
    categories: list[str] | None = Field(None, description="categories in the crime measure; null = all but ASB")
    measure: Literal["count", "harm"] = Field("count", description="the crime measure: count, or harm (count x harm weight)")
    harm_scheme: Literal["cchi", "css"] = Field("cchi", description="harm weights when measure is harm")
    harm_unweighted: list[str] = Field(default_factory=list, description="categories with no harm weight: left out of the harm measure")
    asb_category: str | None = Field("Anti-social behaviour", description="tracked separately; null to skip")
    series_by: Literal["area_category", "category"] = Field("area_category", description="series the models fit")
    model: ForecastModelParams = Field(default_factory=ForecastModelParams)
    models: list[str] | None = Field(None, description=MODELS_DESCRIPTION)
    prophet: bool = Field(True, description="also forecast with Prophet per series")
    prophet_samples: int = Field(1000, ge=10, le=10000, description="Prophet predictive samples per series")
    ets: bool = Field(True, description="also forecast with automatic exponential smoothing (ETS) per series")
    ets_samples: int = Field(1000, ge=10, le=10000, description="ETS simulated forecasts per series")
    top_n: int = Field(8, ge=1, le=100, description="rows in the driver tables")

    _check_models = field_validator("models", mode="before")(_forecasters)

    @model_validator(mode="after")
    def _years(self) -> "GoalTrackingParams":
        if self.target_year <= self.baseline_year:
            raise ValueError(f"target_year ({self.target_year}) must be after baseline_year ({self.baseline_year})")
        return self


class EffectPrior(Strict):
    """A Normal prior on a log rate ratio, with where it comes from."""

    mean: float = Field(..., ge=-3, le=3, description="prior mean of the log rate ratio (log(0.84) = -0.174)")
    sd: float = Field(..., gt=0, le=3, description="prior sd of the log rate ratio")
    source: str = Field(..., min_length=1, description="where the prior comes from")
    verified: bool = Field(..., description="whether the source was checked at first hand")


class HotspotPoint(Strict):
    """A hotspot given as a point and a radius: every area whose centroid lies within it."""

    lat: float = Field(..., ge=-90, le=90)
    lon: float = Field(..., ge=-180, le=180)
    radius_m: float = Field(..., gt=0, le=10000)


EVIDENCE_PRIOR = {
    "mean": -0.174, "sd": 0.10,
    "source": "Braga & Weisburd (2022), J. Quant. Criminology 38:1-22: about a 16% reduction as a relative incidence "
              "rate ratio (53 studies); sd 0.10 keeps 8% and zero within reach (../shared/reference/evidence.md 1a)",
    "verified": True,
}
SCEPTICAL_PRIOR = {
    "mean": 0.0, "sd": 0.10,
    "source": "sceptical prior: no effect expected, the same width as the evidence prior",
    "verified": True,
}
SPILLOVER_PRIOR = {
    "mean": -0.05, "sd": 0.15,
    "source": "Braga et al. (2019), J. Exp. Criminology 15:289-311: meta-analyses favour a small diffusion of benefits "
              "over displacement (no pooled size published); centred slightly below zero, wide enough for either",
    "verified": False,
}


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
    effect_prior: EffectPrior = Field(default_factory=lambda: EffectPrior(**EVIDENCE_PRIOR))
    sceptical_prior: EffectPrior = Field(default_factory=lambda: EffectPrior(**SCEPTICAL_PRIOR))
    spillover_prior: EffectPrior = Field(default_factory=lambda: EffectPrior(**SPILLOVER_PRIOR))
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


class Figure(Strict):
    """One figure used in an evaluation, with where it comes from."""

    value: float = Field(..., description="the figure")
    source: str = Field(..., min_length=1, description="where it comes from")
    verified: bool = Field(..., description="whether the source was checked at first hand")


class CostsSection(Strict):
    """Programme spend: GBP by tier and financial year (2021 = 2021/22), plus optional extra policing spend."""

    spend: dict[str, dict[int, float]] = Field(..., min_length=1, description="tier -> {financial year: GBP}")
    extra_policing: dict[int, float] = Field(default_factory=dict, description="financial year -> GBP (optional)")
    source: str = Field(..., min_length=1)
    verified: bool


#: Police force areas with Home Office Violence Reduction Unit (and Grip) funding: not donors.
VRU_FORCES = {
    "forces": ["metropolitan", "city-of-london", "west-midlands", "greater-manchester", "merseyside", "west-yorkshire",
               "south-yorkshire", "northumbria", "thames-valley", "lancashire", "essex", "avon-and-somerset", "kent",
               "nottinghamshire", "leicestershire", "bedfordshire", "sussex", "hampshire", "south-wales", "cleveland",
               "humberside"],
    "source": "Home Office written answer by Chris Philp, 27 June 2023 (Knives: Crime): VRU and Grip funding in 20 "
              "police force areas (18 until 2022, Cleveland and Humberside from 2022), London being the Metropolitan and "
              "City of London forces",
    "verified": False,
}
VVU_COSTS = {
    "spend": {f"Tier {k}": {2021: 333_333.0, 2022: 333_333.0, 2023: 333_334.0} for k in (1, 2, 3, 4)},
    "extra_policing": {},
    "source": "Police and Crime Plan 2024-2028: about GBP 4m of VVU prevention projects 2021-24 in four tiers; the split "
              "by tier and year is not published, so an even split is assumed",
    "verified": False,
}
VVU_PRIOR = {
    "mean": 0.0, "sd": 0.10,
    "source": "national VRU evaluations (YE March 2022-2024): no significant effect on the primary violence outcomes "
              "(../shared/reference/evidence.md 2); a sceptical prior centred on no effect",
    "verified": True,
}


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
    exclude: DonorExclusion = Field(default_factory=lambda: DonorExclusion(**VRU_FORCES),
                                    description="forces that are not donors (their own programmes would contaminate)")
    donors: list[str] | None = Field(None, description="donor force slugs; null = every force not excluded")
    concentration: float = Field(0.2, gt=0, le=10, description="Dirichlet concentration of the donor weights "
                                 "(below 1 favours few donors; 1 is flat and pulls the mix towards the average donor)")
    effect_prior: EffectPrior = Field(default_factory=lambda: EffectPrior(**VVU_PRIOR),
                                      description="prior of the log rate ratio in the interrupted time series")
    placebo_offsets: list[int] = Field([8, 4], description="placebo-in-time starts, quarters before the real start")
    costs: CostsSection = Field(default_factory=lambda: CostsSection(**VVU_COSTS))
    benefit_years: list[int] | None = Field(None, description="financial years whose averted offences are valued; null = the years with spend")
    discount_rate: Figure = Field(default_factory=lambda: Figure(
        value=0.035, source="HM Treasury Green Book: 3.5% social time preference rate", verified=True))
    attribution: Figure = Field(default_factory=lambda: Figure(
        value=1.0, source="all of the effect credited to the VVU, as the claim reads; lower it for other work", verified=False))
    price_uplift: Figure = Field(default_factory=lambda: Figure(
        value=1.0, source="no uplift: benefits stay in 2015/16 prices (understates them against later costs)", verified=True))
    unit_costs: dict[str, dict[str, Any]] = Field(default_factory=dict,
                                                  description="category -> {value, price_year, source, verified}: overrides")
    unvalued: list[str] = Field(["Possession of weapons offences"],
                                description="categories counted but not valued (no unit cost is known)")
    claimed_ratio: Figure = Field(default_factory=lambda: Figure(
        value=3.5, source="Police and Crime Plan 2024-2028, as cited; the method is not published (evidence.md 2)",
        verified=False))
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


class BacktestParams(Strict):
    """Parameters of ``90-backtest``: rolling origins, horizons (in periods of the data) and the models."""

    origins: list[str] = Field(["2021-04", "2022-04", "2023-04"], min_length=1, description="first forecast periods")
    horizons: list[int] = Field([12, 24], min_length=1, description="score windows, in periods (months or quarters)")
    series_by: Literal["area_category", "category"] = Field("area_category", description="series the models fit")
    model: ForecastModelParams = Field(default_factory=ForecastModelParams)
    models: list[str] | None = Field(None, description=MODELS_DESCRIPTION)
    prophet: bool = Field(True, description="also backtest Prophet per series")
    prophet_samples: int = Field(1000, ge=10, le=10000, description="Prophet predictive samples per series")
    ets: bool = Field(True, description="also backtest automatic exponential smoothing (ETS) per series")
    ets_samples: int = Field(1000, ge=10, le=10000, description="ETS simulated forecasts per series")

    _check_models = field_validator("models", mode="before")(_forecasters)

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


#: Each notebook's own parameters. A notebook listed in a params file must be here.
NOTEBOOK_PARAMS: dict[str, type[Strict]] = {
    "00-data-overview": OverviewParams,
    "10-goal-tracking": GoalTrackingParams,
    "20-hotspot-policing": HotspotParams,
    "30-vvu-return": VVUParams,
    "40-scorecard": ScorecardParams,
    "50-claims": ClaimsParams,
    "90-backtest": BacktestParams,
}

#: Notebook parameters that are paths: resolved against the params file's folder like ``data.path``.
PATH_PARAMS: dict[str, tuple[str, ...]] = {
    "20-hotspot-policing": ("centroids", "boundaries"), "40-scorecard": ("indicators_path", "boundaries"),
    "50-claims": ("claims_path", "homeoffice_path", "ons_p1_path", "ons_c2_path", "ons_p7_path", "policeuk_path"),
}
#: Input files checked when the params file is loaded (notebook -> parameter -> "module:function" that reads it and
#: raises a WorkbenchError naming the line and column), so a malformed file stops the run before anything runs.
FILE_CHECKS: dict[str, dict[str, str]] = {"50-claims": {"claims_path": "workbench.evaluations.claims:read_claims"}}

#: Names of the shared sections that the runner passes to every notebook.
SHARED_KEYS = ("run_name", "seed", "data", "areas", "period", "sampler", "disclosure")
#: Parameters every notebook declares besides the shared ones and its own.
RUNTIME_KEYS = ("results_dir", "notebooks")


class NotebookEntry(Strict):
    """One notebook of a run. Its ``parameters`` are checked against its own model by :func:`validate_run`."""

    name: str
    parameters: dict[str, Any] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in NOTEBOOK_PARAMS:
            known = ", ".join(sorted(NOTEBOOK_PARAMS))
            raise ValueError(f"unknown notebook '{value}'; known notebooks: {known}")
        return value


class RunParams(Strict):
    """A whole params file."""

    run_name: str = Field(..., description="folder name under outputs/")
    seed: int = Field(..., ge=0, lt=2**32)
    data: DataSection = Field(default_factory=DataSection)
    areas: list[str] | None = Field(None, description="area names to keep; null keeps every area")
    period: PeriodSection = Field(default_factory=PeriodSection)
    sampler: SamplerSection = Field(default_factory=SamplerSection)
    disclosure: DisclosureSection = Field(default_factory=DisclosureSection)
    matrix: MatrixSection | None = Field(None, description="one run per force or area (see MatrixSection)")
    notebooks: list[NotebookEntry] = Field(..., min_length=1)
    # Where the params came from (set by load_params), so later checks can name the file and line.
    _source: str | None = PrivateAttr(None)
    _yaml: Any = PrivateAttr(None)

    @field_validator("run_name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not NAME_RE.match(value):
            raise ValueError(f"run_name must be letters, digits, '.', '_' or '-', got {value!r}")
        return value

    @field_validator("areas")
    @classmethod
    def _non_empty(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not value:
            raise ValueError("areas is an empty list; use null for every area")
        return value

    def shared(self) -> dict[str, Any]:
        """The shared sections as plain values, as passed to every notebook."""
        return self.model_dump(mode="json", include=set(SHARED_KEYS))

    def members(self) -> list[tuple[str | None, "RunParams"]]:
        """The runs this file stands for: itself (name None), or one per matrix value with that value kept."""
        if self.matrix is None:
            return [(None, self)]
        out = []
        for v in self.matrix.values:
            if self.matrix.over == "data.forces":
                member = self.model_copy(update={"data": self.data.model_copy(update={"forces": [v]}), "matrix": None})
            else:
                member = self.model_copy(update={"areas": [v], "matrix": None})
            out.append((member_name(v), member))
        return out

    def where(self, loc: tuple[Any, ...] = ()) -> tuple[str, bool]:
        """``"FILE line N"`` of the key at ``loc`` (or of its nearest parent in the file), and whether the file sets
        that key itself (False: its default applies)."""
        source = self._source or "params"
        if self._yaml is None:
            return source, False
        line, found = _yaml_find(self._yaml, loc)
        return (f"{source} line {line}" if line else source), found

    def notebook(self, name: str) -> NotebookEntry:
        for entry in self.notebooks:
            if entry.name == name:
                return entry
        listed = ", ".join(e.name for e in self.notebooks)
        raise ParamsError(f"notebook '{name}' is not listed in this params file (listed: {listed})")


# --------------------------------------------------------------------------- loading


def _yaml_line(root: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the YAML node at ``loc`` (or of its nearest parent)."""
    return _yaml_find(root, loc)[0]


def _yaml_find(root: yaml.Node | None, loc: tuple[Any, ...]) -> tuple[int | None, bool]:
    """1-based line of the YAML node at ``loc`` (or of its nearest parent), and whether ``loc`` itself was found."""
    node, line = root, (root.start_mark.line + 1 if root is not None else None)
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    node, line = value, key.start_mark.line + 1
                    break
            else:
                return line, False
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line, False
    return line, True


def _key(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validate_run(raw: dict[str, Any]) -> tuple[RunParams | None, list[dict[str, Any]]]:
    """Validate a whole params mapping, each notebook's ``parameters`` against its own model.

    Returns the validated params (``None`` if anything is wrong) and every error
    found, in pydantic's error form with locations from the top of the file.
    """
    errors: list[dict[str, Any]] = []
    try:
        run: RunParams | None = RunParams.model_validate(raw)
    except ValidationError as exc:
        run, errors = None, list(exc.errors())
    entries = raw.get("notebooks") if isinstance(raw, dict) else None
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, dict) or entry.get("name") not in NOTEBOOK_PARAMS:
            continue
        model = NOTEBOOK_PARAMS[entry["name"]]
        values = entry.get("parameters") or {}
        if not isinstance(values, dict):
            continue  # reported by RunParams
        try:
            checked = model.model_validate(values).model_dump(mode="json")
        except ValidationError as exc:
            for err in exc.errors():
                errors.append({**err, "loc": ("notebooks", i, "parameters", *err["loc"]), "allowed": sorted(model.model_fields)})
            continue
        if run is not None:
            run.notebooks[i].parameters = checked
    return (run if not errors else None), errors


def format_errors(errors: list[dict[str, Any]], source: str, root: yaml.Node | None = None) -> str:
    """Turn pydantic errors into lines naming file, line, key, what was expected and the fix."""
    lines = []
    for err in errors:
        loc = tuple(p for p in err["loc"] if p not in ("function-after", "function-before"))
        key = _key(loc) or "(top level)"
        where = source
        line = _yaml_line(root, loc) if root is not None else None
        if line:
            where += f" line {line}"
        kind = err["type"]
        msg = err["msg"].removeprefix("Value error, ")
        if kind == "extra_forbidden":
            allowed = err.get("allowed") or _allowed_keys(loc[:-1])
            hint = f"expected one of: {', '.join(allowed)}. Fix: remove or rename it." if allowed else "Fix: remove it."
            lines.append(f"{where}: unknown key '{key}'; {hint}")
        elif kind == "missing":
            lines.append(f"{where}: missing key '{key}'. Fix: add it (see params/demo.yaml for an example).")
        else:
            got = err.get("input")
            got_text = "" if isinstance(got, (dict, list)) or got is None else f" (got {got!r})"
            lines.append(f"{where}: key '{key}': {msg}{got_text}.")
    return "\n".join(lines)


def _allowed_keys(parent: tuple[Any, ...]) -> list[str]:
    model: Any = RunParams
    for part in parent:
        if isinstance(part, int):
            continue
        if model is NotebookEntry and part == "parameters":
            return []
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        ann = field.annotation
        args = getattr(ann, "__args__", ())
        model = next((a for a in (ann, *args) if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if model is None:
            return []
    return sorted(getattr(model, "model_fields", {}))


def load_params(path: str | Path) -> RunParams:
    """Read and validate a params file.

    Raises
    ------
    ParamsError
        If the file is missing, is not YAML, or does not match the schema. The
        message names the file, line and key.
    """
    path = Path(path)
    if not path.is_file():
        hint = " (it is a folder)" if path.is_dir() else ""
        raise ParamsError(
            f"params file '{path}' not found{hint}. Fix: give the path of a YAML params file, e.g. params/demo.yaml."
        )
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        root = yaml.compose(text)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ParamsError(f"{path}{line}: not valid YAML ({problem}). Fix the syntax there.") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ParamsError(f"{path}: expected a mapping of keys (run_name, seed, data, notebooks, ...), got {type(raw).__name__}.")
    raw.setdefault("run_name", path.stem)
    params, errors = validate_run(raw)
    if errors:
        raise ParamsError(format_errors(errors, str(path), root))
    if params.data.path is not None:
        resolved = (path.parent / params.data.path).resolve()
        if not resolved.exists():
            line = _yaml_line(root, ("data", "path"))
            raise ParamsError(
                f"{path} line {line}: key 'data.path': '{params.data.path}' does not exist "
                f"(resolved against the params file's folder to {resolved}). Fix: point it at the data file or folder."
            )
        params.data.path = str(resolved)
    for k, entry in enumerate(params.notebooks):
        for key in PATH_PARAMS.get(entry.name, ()):
            value = entry.parameters.get(key)
            if value is None:
                continue
            resolved = (path.parent / str(value)).resolve()
            if not resolved.exists():
                line = _yaml_line(root, ("notebooks", k, "parameters", key))
                raise ParamsError(
                    f"{path} line {line}: key 'notebooks[{entry.name}].{key}': '{value}' does not exist (resolved "
                    f"against the params file's folder to {resolved}). Fix: point it at the file or folder."
                )
            entry.parameters[key] = str(resolved)
        for key, reader in FILE_CHECKS.get(entry.name, {}).items():
            if entry.parameters.get(key) is not None:
                module, func = reader.split(":")
                getattr(importlib.import_module(module), func)(entry.parameters[key])
        nb = NOTEBOOKS_DIR / f"{entry.name}.ipynb"
        if not nb.is_file():
            raise ParamsError(f"{path}: notebook '{entry.name}' has no file {nb}. Fix: check the name.")
    params._source, params._yaml = str(path), root
    return params


# --------------------------------------------------------------------------- inside a notebook


@dataclass(frozen=True)
class NotebookConfig:
    """What a notebook works from: the validated shared sections and its own parameters."""

    name: str
    run: RunParams
    nb: Strict
    results_dir: str | None

    @property
    def seed(self) -> int:
        return self.run.seed

    @property
    def data(self) -> DataSection:
        return self.run.data

    @property
    def label(self) -> str:
        return self.run.data.label

    @property
    def disclosure(self) -> DisclosureSection:
        return self.run.disclosure


def notebook_config(name: str, *, results_dir: str | None = None, notebooks: list | None = None, **values: Any) -> NotebookConfig:
    """Validate a notebook's parameters cell against the params schema.

    Parameters
    ----------
    name
        The notebook's name (file stem), e.g. ``"00-data-overview"``.
    results_dir
        Folder for the notebook's results JSON; ``None`` writes nothing.
    notebooks
        The ``notebooks`` list of a whole params file, present when the file was
        passed straight to Papermill (``-f``); this notebook's entry, if any, sets
        its own parameters (its values win over the cell's defaults).
    **values
        The shared sections (``run_name``, ``seed``, ``data``, ``areas``,
        ``period``, ``sampler``, ``disclosure``) and the notebook's own parameters.
    """
    model = NOTEBOOK_PARAMS.get(name)
    if model is None:
        raise ParamsError(f"unknown notebook '{name}'; known notebooks: {', '.join(sorted(NOTEBOOK_PARAMS))}")
    shared = {k: values.pop(k) for k in SHARED_KEYS if k in values}
    own = dict(values)
    for entry in notebooks or []:
        if isinstance(entry, dict) and entry.get("name") == name:
            own.update(entry.get("parameters") or {})
    source = f"notebook '{name}' parameters"
    run, errors = validate_run({**shared, "notebooks": [{"name": name, "parameters": own}]})
    if errors:
        raise ParamsError(format_errors(errors, source))
    if run.data.path is not None and not Path(run.data.path).exists():
        raise ParamsError(f"{source}: key 'data.path': '{run.data.path}' does not exist. Fix: point it at the data.")
    nb = model.model_validate(run.notebooks[0].parameters)
    from workbench.tables import use_disclosure

    use_disclosure(run.disclosure)  # every table the notebook shows: small counts suppressed in publication
    return NotebookConfig(name=name, run=run, nb=nb, results_dir=results_dir)
