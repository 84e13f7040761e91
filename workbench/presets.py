"""Named forecaster settings with the record of where each was validated (``params/reference/forecaster-presets.yaml``).

A params file names a preset with ``model: {preset: NAME}``; keys given beside it override the preset's.
:func:`validation` says whether a run's resolved settings are a validated preset on the kind of data it was
validated on, so every goal and backtest run states ``validated: true`` or ``false`` and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from workbench.errors import DataError

PRESETS_FILE = Path(__file__).resolve().parents[1] / "params" / "reference" / "forecaster-presets.yaml"
#: Keys of the model section that change Monte Carlo error only, not the model: ignored when matching a preset.
NOT_MODEL_KEYS = ("preset", "forecast_draws")


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    model: dict[str, Any]
    validated: dict[str, Any] = field(default_factory=dict)

    @property
    def has_validation(self) -> bool:
        return bool(self.validated.get("backtest"))


@lru_cache(maxsize=4)
def _read(path: str) -> dict[str, Preset]:
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: forecaster presets not found. Fix: restore it from the repository.")
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise DataError(f"{p}: not valid YAML ({exc}). Fix the file.") from exc
    presets = raw.get("presets")
    if not isinstance(presets, dict) or not presets:
        raise DataError(f"{p}: expected a 'presets:' mapping of names to settings. Fix the file.")
    out = {}
    for name, body in presets.items():
        if not isinstance(body, dict) or not isinstance(body.get("model"), dict):
            raise DataError(f"{p}: preset '{name}' has no 'model:' mapping. Fix the file.")
        rec = body.get("validated") or {}
        for key in ("source", "verified"):
            if key not in rec:
                raise DataError(f"{p}: preset '{name}' lacks validated.{key}. Every validation record carries a "
                                "source and a verified flag.")
        out[str(name)] = Preset(str(name), str(body.get("description", "")).strip(), dict(body["model"]), dict(rec))
    return out


def presets(path: str | Path | None = None) -> dict[str, Preset]:
    """Every preset in the file, by name."""
    return _read(str(path or PRESETS_FILE))


def preset(name: str) -> Preset:
    """One preset; an unknown name is a ``ValueError`` listing the known ones (a params error at load time)."""
    known = presets()
    if name not in known:
        raise ValueError(f"unknown forecaster preset '{name}'; expected one of: {', '.join(sorted(known))} "
                         f"(defined in {PRESETS_FILE.relative_to(PRESETS_FILE.parents[2])})")
    return known[name]


def resolve(section: dict[str, Any]) -> dict[str, Any]:
    """A params ``model:`` mapping with its preset's settings filled in under the keys it gives itself."""
    name = section.get("preset")
    if not name:
        return section
    return {**preset(name).model, **section}


def _settings(model) -> dict[str, Any]:
    """A model section (params object or mapping) as plain, comparable settings."""
    from workbench.params import ForecastModelParams

    if not isinstance(model, ForecastModelParams):
        model = ForecastModelParams.model_validate(resolve(dict(model)))
    dump = model.model_dump(mode="json")
    return {k: v for k, v in dump.items() if k not in NOT_MODEL_KEYS}


def _coverage(scores: dict) -> str:
    """ " (its 80% / 95% intervals covered 81% / 94% at h8)" from a record's scores, at its longest horizon."""
    if not scores:
        return ""
    h = max(scores, key=lambda k: int(str(k).lstrip("h") or 0))
    s = scores[h]
    if "cover80" not in s or "cover95" not in s:
        return ""
    return f" (its 80% / 95% intervals covered {s['cover80']:.0%} / {s['cover95']:.0%} at {h})"


def validation(model, series_by: str, data_source: str) -> dict[str, Any]:
    """Whether these settings, on this kind of data, are a validated preset: a dict for the results JSON.

    Keys: ``validated`` (bool), ``preset`` (the matching preset's name or null), ``reason`` (one sentence),
    and, when validated, ``backtest``, ``command`` and ``scores`` from the preset's record.
    """
    mine = _settings(model)
    named = getattr(model, "preset", None)
    matches = [p for p in presets().values() if _settings(p.model) == mine]
    if not matches:
        why = (f"the settings differ from preset '{named}' where the params override it" if named else
               "the settings match no preset in params/reference/forecaster-presets.yaml")
        return {"validated": False, "preset": None, "reason": why + "; treat the intervals as unchecked"}
    fits = [p for p in matches if data_source in p.validated.get("data_sources", [])
            and series_by in p.validated.get("series_by", [])]
    best = next((p for p in fits if p.has_validation), None)
    if best is not None:
        rec = best.validated
        return {"validated": True, "preset": best.name,
                "reason": f"preset '{best.name}', validated by {rec['backtest']}" + _coverage(rec.get("scores") or {}),
                "backtest": rec["backtest"], "command": rec.get("command"), "scores": rec.get("scores")}
    p = (fits or matches)[0]
    if not p.has_validation:
        why = f"preset '{p.name}' has not been validated yet ({p.validated.get('note', 'no backtest')})"
    else:
        kinds = ", ".join(p.validated.get("data_sources", []))
        by = ", ".join(p.validated.get("series_by", []))
        why = (f"preset '{p.name}' was validated on {kinds} data with series by {by}, not on {data_source} data "
               f"with series by {series_by}")
    return {"validated": False, "preset": p.name, "reason": why + "; treat the intervals as unchecked"}
