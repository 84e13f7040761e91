"""Reference tables in ``params/reference/``: figures with a ``source`` and a ``verified`` flag on every row.

A figure that is not known is left empty in its table; asking for it raises
an error naming the table, the row and what to do -- it is never taken as zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.errors import DataError

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "params" / "reference"
HARM_WEIGHTS = REFERENCE_DIR / "harm_weights.csv"
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
