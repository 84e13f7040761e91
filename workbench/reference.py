"""Reference tables in ``params/reference/``: figures with a ``source`` and a ``verified`` flag on every row.

A figure that is not known is left empty in its table; asking for it raises
an error naming the table, the row and what to do -- it is never taken as zero.

The tables: ``harm_weights.csv`` (harm weights by scheme and category), ``unit_costs.csv`` and
``unit_cost_map.csv`` (Home Office unit costs of crime), ``priors.csv`` (the literature priors of the effect
models), ``vru_forces.csv`` (forces with Violence Reduction Unit funding: not donors), ``vvu_costs.csv`` (the VVU
spend assumed by tier and financial year) and ``vvu_assumptions.csv`` (discount rate, attribution, price uplift and
the claimed ratio of the VVU cost-benefit).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.errors import DataError

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "params" / "reference"
HARM_WEIGHTS = REFERENCE_DIR / "harm_weights.csv"
PRIORS = REFERENCE_DIR / "priors.csv"
VRU_FORCES = REFERENCE_DIR / "vru_forces.csv"
VVU_COSTS = REFERENCE_DIR / "vvu_costs.csv"
VVU_ASSUMPTIONS = REFERENCE_DIR / "vvu_assumptions.csv"
REQUIRED = ("source", "verified")


def read_table(path: str | Path, required: tuple[str, ...]) -> pd.DataFrame:
    """A reference CSV with ``required`` columns plus ``source`` and ``verified`` (true/false)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: reference table not found. Fix: restore it from the repository or point to your own.")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in (*required, *REQUIRED) if c not in raw.columns]
    if missing:
        raise DataError(f"{path} line 1: missing column(s) {', '.join(missing)}. Every reference row carries a "
                        "source and a verified flag.")
    bad = ~raw["verified"].str.lower().isin(["true", "false"])
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise DataError(f"{path} line {i + 2}, column verified: '{raw['verified'].iloc[i]}' is not true or false.")
    empty_source = raw["source"].str.strip() == ""
    if empty_source.any():
        i = int(np.argmax(empty_source.to_numpy()))
        raise DataError(f"{path} line {i + 2}: no source. Fix: say where the figure comes from.")
    raw["verified"] = raw["verified"].str.lower() == "true"
    return raw


@dataclass(frozen=True)
class HarmWeights:
    """Harm weights of one scheme by category; ``None`` where no weight is known."""

    scheme: str
    weights: dict[str, float | None]
    verified: dict[str, bool]
    unit: str
    path: Path

    def weight(self, category: str) -> float:
        """The weight of ``category``; an unknown or empty one is an error, never zero."""
        if category not in self.weights:
            raise DataError(f"{self.path}: no '{self.scheme}' harm weight row for category '{category}'. "
                            f"Fix: add a row with its weight, source and verified flag.")
        w = self.weights[category]
        if w is None:
            raise DataError(f"{self.path}: the '{self.scheme}' harm weight of '{category}' is empty (not known). "
                            f"Fix: fill it in with its source, or leave the category out of harm measures.")
        return w

    def has(self, category: str) -> bool:
        return self.weights.get(category) is not None

    @property
    def all_verified(self) -> bool:
        return all(self.verified[c] for c, w in self.weights.items() if w is not None)


def harm_weights(scheme: str = "cchi", path: str | Path | None = None) -> HarmWeights:
    """The harm weights of ``scheme`` (``cchi`` = Cambridge Crime Harm Index, in days) from the reference table."""
    path = Path(path) if path else HARM_WEIGHTS
    t = read_table(path, ("scheme", "category", "weight", "unit"))
    rows = t[t["scheme"] == scheme]
    if rows.empty:
        raise DataError(f"{path}: no rows for harm scheme '{scheme}'. Schemes present: {sorted(set(t['scheme']))}.")
    weights: dict[str, float | None] = {}
    for i, r in rows.iterrows():
        if r["weight"].strip() == "":
            weights[r["category"]] = None
            continue
        try:
            v = float(r["weight"])
        except ValueError:
            raise DataError(f"{path} line {i + 2}, column weight: '{r['weight']}' is not a number.") from None
        if v < 0:
            raise DataError(f"{path} line {i + 2}, column weight: {v} is negative.")
        weights[r["category"]] = v
    return HarmWeights(scheme, weights, dict(zip(rows["category"], rows["verified"])), rows["unit"].iloc[0], path)


# ----------------------------------------------------------------------------- priors, VRU forces, VVU costs


@functools.lru_cache(maxsize=32)
def _cached(path: str, stamp: tuple[int, int], required: tuple[str, ...], key: str | None) -> pd.DataFrame:
    t = read_table(path, required)
    empty = [(i, c) for c in required for i, v in enumerate(t[c]) if v.strip() == ""]
    if empty:
        i, c = empty[0]
        raise DataError(f"{path} line {i + 2}, column {c}: empty. Fix: fill it in with its source, or remove the row.")
    if key is not None and t[key].duplicated().any():
        i = int(np.argmax(t[key].duplicated().to_numpy()))
        raise DataError(f"{path} line {i + 2}: '{t[key].iloc[i]}' is listed twice. Fix: keep one row.")
    return t


def _rows(path: str | Path, required: tuple[str, ...], key: str | None = None) -> pd.DataFrame:
    """A reference table whose ``required`` columns are all filled in (read again only when the file changes)."""
    path = Path(path)
    stat = path.stat() if path.is_file() else None
    return _cached(str(path), (stat.st_mtime_ns, stat.st_size) if stat else (0, 0), required, key).copy()


def _number(path: str | Path, t: pd.DataFrame, i: int, column: str) -> float:
    try:
        return float(t[column].iloc[i])
    except ValueError:
        raise DataError(f"{path} line {i + 2}, column {column}: '{t[column].iloc[i]}' is not a number.") from None


def _row(path: str | Path, t: pd.DataFrame, key: str, name: str) -> int:
    hits = np.flatnonzero((t[key] == name).to_numpy())
    if not len(hits):
        raise DataError(f"{path}: no row with {key} '{name}' (rows: {', '.join(t[key])}). Fix: add it with its "
                        "source and verified flag, or restore the file from the repository.")
    return int(hits[0])


def _source(t: pd.DataFrame) -> str:
    return "; ".join(dict.fromkeys(t["source"]))


def prior(name: str, path: str | Path | None = None) -> dict[str, Any]:
    """A literature prior of ``priors.csv``: ``{"mean", "sd", "source", "verified"}`` of a log rate ratio.

    Raises
    ------
    DataError
        If the table is missing, the row is absent, or its mean or sd is empty or not a number.
    """
    path = path or PRIORS
    t = _rows(path, ("name", "mean", "sd"), key="name")
    i = _row(path, t, "name", name)
    sd = _number(path, t, i, "sd")
    if sd <= 0:
        raise DataError(f"{path} line {i + 2}, column sd: {sd} must be positive.")
    return {"mean": _number(path, t, i, "mean"), "sd": sd, "source": t["source"].iloc[i],
            "verified": bool(t["verified"].iloc[i])}


def vru_forces(path: str | Path | None = None) -> dict[str, Any]:
    """The forces with VRU funding (``vru_forces.csv``): ``{"forces", "source", "verified"}``, verified only if every
    row is."""
    path = path or VRU_FORCES
    t = _rows(path, ("force",), key="force")
    if t.empty:
        raise DataError(f"{path}: no forces listed. Fix: restore the file, or give notebook parameter exclude.")
    return {"forces": list(t["force"]), "source": _source(t), "verified": bool(t["verified"].all())}


def vvu_costs(path: str | Path | None = None) -> dict[str, Any]:
    """The VVU spend assumed (``vvu_costs.csv``): ``{"spend": {tier: {financial year: GBP}}, "extra_policing": {},
    "source", "verified"}``."""
    path = path or VVU_COSTS
    t = _rows(path, ("tier", "financial_year", "gbp"))
    if t.empty:
        raise DataError(f"{path}: no spend rows. Fix: restore the file, or give notebook parameter costs.")
    spend: dict[str, dict[int, float]] = {}
    for i in range(len(t)):
        year = _number(path, t, i, "financial_year")
        if year != int(year):
            raise DataError(f"{path} line {i + 2}, column financial_year: '{t['financial_year'].iloc[i]}' is not a year "
                            "(2021 = 2021/22).")
        tier = spend.setdefault(t["tier"].iloc[i], {})
        if int(year) in tier:
            raise DataError(f"{path} line {i + 2}: {t['tier'].iloc[i]} {int(year)} is listed twice. Fix: keep one row.")
        tier[int(year)] = _number(path, t, i, "gbp")
    return {"spend": spend, "extra_policing": {}, "source": _source(t), "verified": bool(t["verified"].all())}


def vvu_assumption(name: str, path: str | Path | None = None) -> dict[str, Any]:
    """A figure of the VVU cost-benefit (``vvu_assumptions.csv``): ``{"value", "source", "verified"}``."""
    path = path or VVU_ASSUMPTIONS
    t = _rows(path, ("name", "value"), key="name")
    i = _row(path, t, "name", name)
    return {"value": _number(path, t, i, "value"), "source": t["source"].iloc[i], "verified": bool(t["verified"].iloc[i])}

