"""Settings of the pooled Negative Binomial forecaster (:mod:`workbench.models.negbin`), shared by goal tracking and the backtest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator, model_validator

from workbench.params.base import Strict, _month

if TYPE_CHECKING:
    from workbench.models.negbin import ModelConfig


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

    def settings(self) -> ModelConfig:
        """These settings as the plain :class:`workbench.models.negbin.ModelConfig` the model takes (all but
        ``forecast_draws`` and ``preset``)."""
        from dataclasses import fields

        from workbench.models.negbin import ModelConfig, Shock

        same = {f.name: getattr(self, f.name) for f in fields(ModelConfig) if f.name != "shocks"}
        return ModelConfig(**same, shocks=[Shock(s.name, s.start, s.end) for s in self.shocks])


def forecaster_settings(model: ForecastModelParams | None = None, prophet_samples: int = 1000,
                        ets_samples: int = 1000) -> dict[str, dict]:
    """Each built-in forecaster's settings, as plain values, from a notebook's ``model:`` section and sample counts
    (the keyword arguments of :func:`workbench.models.forecasters.build`)."""
    from workbench.models.negbin import ModelConfig

    config = model.settings() if model is not None else ModelConfig(shocks=[])
    draws = model.forecast_draws if model is not None else 1000
    return {"negbin": {"config": config, "draws": draws},
            "prophet": {"samples": prophet_samples, "shocks": config.shocks},
            "ets": {"samples": ets_samples}, "seasonal_naive": {}}

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


class ForecastersParams(Strict):
    """The forecasters a goal-tracking or backtest run fits side by side, and the series they fit."""

    series_by: Literal["area_category", "category"] = Field("area_category", description="series the models fit")
    model: ForecastModelParams = Field(default_factory=ForecastModelParams)
    models: list[str] | None = Field(None, description=MODELS_DESCRIPTION)
    prophet: bool = Field(True, description="also run Prophet per series")
    prophet_samples: int = Field(1000, ge=10, le=10000, description="Prophet predictive samples per series")
    ets: bool = Field(True, description="also run automatic exponential smoothing (ETS) per series")
    ets_samples: int = Field(1000, ge=10, le=10000, description="ETS simulated forecasts per series")

    _check_models = field_validator("models", mode="before")(_forecasters)
