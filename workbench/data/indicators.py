"""Performance indicators that are not crime counts: a tidy CSV, checked at the boundary.

One row per indicator and period:

===============  ===========================================================
column           meaning
===============  ===========================================================
indicator        the indicator's name, as the scorecard shows it
period           ``YYYY-MM`` (the first month of a quarter for quarterly data)
value            a number (a percentage, minutes, a count, ...)
target           optional: the value to meet that period (empty = none)
good_direction   optional: ``up``, ``down`` or empty (neither is better);
                 one value per indicator
unit             optional: e.g. ``%``, ``minutes``, ``count``; one per indicator
count            optional: ``true`` when the values are counts of people or
                 events (small ones are suppressed in publication tables)
===============  ===========================================================

A period with no row is shown as a gap and skipped by the SPC moving ranges;
it is never filled in.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workbench.data.panel import fail_at, read_csv_table
from workbench.errors import DataError

REQUIRED = ("indicator", "period", "value")
DIRECTIONS = ("up", "down", "")


def read_indicators(path: str | Path) -> pd.DataFrame:
    """The indicators CSV as a tidy frame: indicator, period (Timestamp), value, target, good_direction, unit, count."""
    path = Path(path)
    return parse(read_csv_table(path, REQUIRED, "indicators CSV", lower_case=True), path)


def parse(raw: pd.DataFrame, path: Path | str) -> pd.DataFrame:
    """Check and type an indicators table read as text (errors name ``path`` and the file line)."""
    for col in ("target", "good_direction", "unit", "count"):
        if col not in raw:
            raw[col] = ""
    name = raw["indicator"].str.strip()
    fail_at(path, raw, name == "", "indicator", "an indicator name")
    period = pd.to_datetime(raw["period"].str.strip(), format="%Y-%m", errors="coerce")
    fail_at(path, raw, period.isna(), "period", "a month as YYYY-MM")
    value = pd.to_numeric(raw["value"].str.strip(), errors="coerce")
    fail_at(path, raw, value.isna() | ~np.isfinite(value), "value", "a number (no blanks: leave the row out instead)")
    tgt_text = raw["target"].str.strip()
    target = pd.to_numeric(tgt_text, errors="coerce")
    fail_at(path, raw, (tgt_text != "") & target.isna(), "target", "a number or empty")
    good = raw["good_direction"].str.strip().str.lower()
    fail_at(path, raw, ~good.isin(DIRECTIONS), "good_direction", "up, down or empty")
    is_count = raw["count"].str.strip().str.lower()
    fail_at(path, raw, ~is_count.isin(["true", "false", ""]), "count", "true, false or empty")
    out = pd.DataFrame({"indicator": name, "period": period, "value": value, "target": target,
                        "good_direction": good.replace("", None), "unit": raw["unit"].str.strip(),
                        "count": is_count == "true"})
    dup = out.duplicated(["indicator", "period"])
    if dup.any():
        i = int(np.argmax(dup.to_numpy()))
        raise DataError(f"{path} line {i + 2}: indicator '{out['indicator'].iloc[i]}' has a second row for "
                        f"{out['period'].iloc[i]:%Y-%m}. Fix: keep one value per indicator and period.")
    for col in ("good_direction", "unit", "count"):
        firsts = out.groupby("indicator", sort=False)[col].transform("first")
        differs = ~((out[col] == firsts) | (out[col].isna() & firsts.isna()))
        if differs.any():
            i = int(np.argmax(differs.to_numpy()))
            raise DataError(f"{path} line {i + 2}, column '{col}': indicator '{out['indicator'].iloc[i]}' has "
                            f"{out[col].iloc[i]!r} here but {firsts.iloc[i]!r} on its first line. Fix: one {col} per indicator.")
    bad_count = out["count"] & ((out["value"] < 0) | (out["value"] % 1 != 0))
    if bad_count.any():
        i = int(np.argmax(bad_count.to_numpy()))
        raise DataError(f"{path} line {i + 2}, column 'value': indicator '{out['indicator'].iloc[i]}' is marked as a "
                        f"count but has {raw['value'].iloc[i]!r}. Fix: a whole number >= 0, or set count to false.")
    order = out["indicator"].map({n: i for i, n in enumerate(dict.fromkeys(out["indicator"]))})
    return out.assign(_order=order).sort_values(["_order", "period"], kind="stable").drop(columns="_order").reset_index(drop=True)


def gaps(indicators: pd.DataFrame) -> dict[str, list[str]]:
    """Months with no value between each indicator's first and last (monthly indicators only)."""
    out = {}
    for name, g in indicators.groupby("indicator", sort=False):
        p = pd.DatetimeIndex(g["period"])
        steps = np.diff(p.year * 12 + p.month)
        if len(steps) == 0 or steps.min() != 1:
            continue  # quarterly or irregular: no monthly gaps to report
        full = pd.date_range(p[0], p[-1], freq="MS")
        missing = full[~full.isin(p)]
        if len(missing):
            out[name] = [f"{m:%Y-%m}" for m in missing]
    return out
