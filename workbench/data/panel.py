"""The one tidy panel every notebook consumes, and the checks at its boundary.

A panel is a long table with one row per (period, area, category):

============  ==========================================================
column        meaning
============  ==========================================================
period        first day of the month (or quarter), ``datetime64``
frequency     ``"M"`` monthly, ``"Q"`` quarterly, or ``"Y"`` a 12-month total
              starting at ``period`` (ONS rolling-year editions)
force         data.police.uk force slug, e.g. ``"essex"``
area_level    ``"lsoa"``, ``"csp"``, ``"force"``, ...
area_code     ONS code where there is one (may be empty)
area_name     area name; LSOA names start with their local authority
category      crime category (data.police.uk category or offence group)
count         non-negative integer count
source        where the row came from (``"demo"``, ``"tidy_csv"``, ...)
============  ==========================================================

**Zeros.** As in data.police.uk aggregates, a (period, area, category) cell
with no crimes may be absent. Within a period that the panel covers, an absent
cell is a zero; a period the panel does not cover at all is *missing* and is
reported by :func:`coverage`, never filled in.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workbench.errors import DataError

PANEL_COLUMNS = (
    "period",
    "frequency",
    "force",
    "area_level",
    "area_code",
    "area_name",
    "category",
    "count",
    "source",
)
KEY = ("period", "force", "area_level", "area_code", "area_name", "category", "source")
#: Canonical row order: by period, area and category, then the rest of the key.
SORT_ORDER = ("period", "area_code", "area_name", "category", "force", "area_level", "source")
#: Months between consecutive periods of each frequency.
STEP_MONTHS = {"M": 1, "Q": 3, "Y": 12}
_CATEGORICAL = ("frequency", "force", "area_level", "area_code", "area_name", "category", "source")


def finalise_panel(panel: pd.DataFrame) -> pd.DataFrame:
    """Put a panel in canonical form (column order, dtypes, sort order) and check it."""
    out = panel.loc[:, list(PANEL_COLUMNS)].copy()
    out["period"] = pd.to_datetime(out["period"]).astype("datetime64[ns]")
    for col in _CATEGORICAL:
        values = out[col]
        if isinstance(values.dtype, pd.CategoricalDtype) and values.cat.categories.dtype == "str" and not values.isna().any():
            continue
            if not values.cat.categories.is_monotonic_increasing:
                out[col] = values.cat.reorder_categories(sorted(values.cat.categories))
            continue
        out[col] = pd.Categorical(values.astype(object).where(values.notna(), "").astype(str))
    out["count"] = out["count"].astype("int64")
    # Categories are sorted, so sorting category codes sorts the values; the order ends with every key column,
    # which puts any duplicate cells next to each other for validate_panel.
    order = np.lexsort([_sort_key(out, c) for c in reversed(SORT_ORDER)])
    out = out.take(order).reset_index(drop=True)
    validate_panel(out, sorted_by_key=True)
    return out


def _sort_key(panel: pd.DataFrame, col: str) -> np.ndarray:
    values = panel[col]
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy()
    return values.to_numpy().view("i8") if col == "period" else values.to_numpy()


def _first_duplicate(panel: pd.DataFrame, sorted_by_key: bool) -> int | None:
    """Position of a row whose key cell appeared before, or None."""
    if len(panel) < 2:
        return None
    keys = [_sort_key(panel, c) for c in KEY]
    order = np.arange(len(panel)) if sorted_by_key else np.lexsort(keys[::-1])
    same = np.ones(len(panel) - 1, dtype=bool)
    for k in keys:
        ks = k[order]
        same &= ks[1:] == ks[:-1]
    hit = np.flatnonzero(same)
    return None if not len(hit) else int(order[hit[0] + 1])


def validate_panel(panel: pd.DataFrame, source: str = "panel", sorted_by_key: bool = False) -> None:
    """Check the panel schema; raise :class:`DataError` naming what is wrong.

    ``sorted_by_key`` says the rows are already in :data:`SORT_ORDER`, which
    makes the duplicate check a single pass.
    """
    missing = [c for c in PANEL_COLUMNS if c not in panel.columns]
    if missing:
        raise DataError(f"{source}: missing column(s) {', '.join(missing)}; a panel has {', '.join(PANEL_COLUMNS)}.")
    if not pd.api.types.is_datetime64_any_dtype(panel["period"]):
        raise DataError(f"{source}: column 'period' must be datetimes, got {panel['period'].dtype}.")
    if len(panel) and (panel["period"].dt.day != 1).any():
        raise DataError(f"{source}: column 'period' must hold the first day of each month or quarter.")
    if not pd.api.types.is_integer_dtype(panel["count"]):
        raise DataError(f"{source}: column 'count' must be integers, got {panel['count'].dtype}.")
    if len(panel) and (panel["count"] < 0).any():
        row = int(np.argmax(panel["count"].to_numpy() < 0))
        raise DataError(f"{source}: negative count at row {row}; counts must be >= 0.")
    bad_freq = set(panel["frequency"].astype(str).unique()) - set(STEP_MONTHS)
    if bad_freq:
        raise DataError(f"{source}: column 'frequency' must be 'M', 'Q' or 'Y', got {sorted(bad_freq)}.")
    dup = _first_duplicate(panel, sorted_by_key)
    if dup is not None:
        row = panel.iloc[dup]
        raise DataError(
            f"{source}: the same cell appears twice ({row['period']:%Y-%m}, {row['area_name']}, {row['category']}); "
            "each (period, area, category, source) must appear once."
        )


# ----------------------------------------------------------------------------- coverage


def expected_periods(start: pd.Timestamp, end: pd.Timestamp, frequency: str = "M") -> pd.DatetimeIndex:
    """Every period from ``start`` to ``end`` inclusive, stepping by the frequency."""
    return pd.date_range(start, end, freq=f"{STEP_MONTHS[frequency]}MS")


def coverage(panel: pd.DataFrame, start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Periods present and missing per source and force.

    The expected range runs from ``start`` (default: the first period in the
    panel) to ``end`` (default: the last). A period is present when the source
    has at least one row in it. ONS 12-month editions (``"Y"``) are snapshots,
    not a regular series: they are listed, and none is called missing.
    """
    rows = []
    for (source, force, freq), part in panel.groupby(["source", "force", "frequency"], observed=True):
        periods = pd.DatetimeIndex(part["period"].unique()).sort_values()
        lo = pd.Timestamp(f"{start}-01") if start else periods[0]
        hi = pd.Timestamp(f"{end}-01") if end else periods[-1]
        expected = periods if freq == "Y" else expected_periods(lo, hi, freq)
        missing = expected.difference(periods)
        rows.append(
            {
                "source": source,
                "force": force,
                "frequency": freq,
                "first": periods[0].strftime("%Y-%m"),
                "last": periods[-1].strftime("%Y-%m"),
                "periods_expected": len(expected),
                "periods_present": len(expected.intersection(periods)),
                "periods_missing": len(missing),
                "missing": format_periods(missing, STEP_MONTHS[freq]),
            }
        )
    return pd.DataFrame(rows)


def format_periods(periods: pd.DatetimeIndex, step_months: int = 1) -> str:
    """Compact text for a set of periods, e.g. ``"2019-03…2019-09, 2020-01"``; empty when none."""
    if len(periods) == 0:
        return ""
    index = sorted({p.year * 12 + p.month - 1 for p in periods})
    runs, run = [], [index[0]]
    for i in index[1:]:
        if i - run[-1] == step_months:
            run.append(i)
        else:
            runs.append(run)
            run = [i]
    runs.append(run)
    text = lambda i: f"{i // 12}-{i % 12 + 1:02d}"  # noqa: E731
    return ", ".join(text(r[0]) if len(r) == 1 else f"{text(r[0])}…{text(r[-1])}" for r in runs)


# ----------------------------------------------------------------------------- tidy CSV

TIDY_REQUIRED = ("period", "area", "category", "count")


def read_tidy_csv(path: str | Path, force: str) -> pd.DataFrame:
    """Read a tidy CSV with columns period, area, category, count.

    ``period`` is ``YYYY-MM`` (monthly). Optional columns ``area_code`` and
    ``area_level`` (default ``"area"``) are kept. Errors name the file, the line
    (1-based, header = line 1) and the column.
    """
    path = Path(path)
    raw = read_csv_table(path, TIDY_REQUIRED, "tidy CSV", lower_case=True)
    period = pd.to_datetime(raw["period"].str.strip(), format="%Y-%m", errors="coerce")
    fail_at(path, raw, period.isna(), "period", "a month as YYYY-MM")
    count = whole_counts(path, raw)
    panel = pd.DataFrame(
        {
            "period": period,
            "frequency": "M",
            "force": force,
            "area_level": raw["area_level"] if "area_level" in raw else "area",
            "area_code": raw["area_code"] if "area_code" in raw else "",
            "area_name": raw["area"].str.strip(),
            "category": raw["category"].str.strip(),
            "count": count,
            "source": "tidy_csv",
        }
    )
    dup = panel.duplicated(list(KEY), keep="first")
    if dup.any():
        i = int(np.argmax(dup.to_numpy()))
        raise DataError(
            f"{path} line {i + 2}: the same period, area and category appear on an earlier line. "
            "Fix: sum or remove the duplicate rows."
        )
    return finalise_panel(panel)


def fail_at(path: Path, raw: pd.DataFrame, bad: pd.Series, column: str, expected: str) -> None:
    """Raise for the first row where ``bad`` holds, naming the file line (from ``raw``'s index) and the column."""
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise DataError(
            f"{path} line {raw.index[i] + 2}, column '{column}': expected {expected}, got {raw[column].iloc[i]!r}. "
            "Fix the value in the file."
        )


def read_csv_table(path: Path, required: tuple[str, ...], what: str, lower_case: bool = False) -> pd.DataFrame:
    """A CSV read as text with ``required`` columns and at least one row; every failure names the file and the fix.

    ``lower_case`` strips and lower-cases the header first (for hand-made files).
    """
    if path.is_dir():
        raise DataError(f"{path}: is a folder; expected the {what} CSV file. Fix: point data.path at the file.")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text (byte {exc.start}). Fix: re-save the file as UTF-8.") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty; expected the {what} with columns {', '.join(required)}.") from None
    except pd.errors.ParserError as exc:
        raise DataError(f"{path}: not a well-formed CSV ({str(exc).strip()}). Fix the file.") from None
    if lower_case:
        raw.columns = [c.strip().lower() for c in raw.columns]
    missing = [c for c in required if c not in raw.columns]
    if missing:
        raise DataError(
            f"{path} line 1: missing column(s) {', '.join(missing)} of the {what} "
            f"(found: {', '.join(raw.columns)}). Fix: use the tidy table's column names."
        )
    if raw.empty:
        raise DataError(f"{path}: header only, no rows. Fix: export the data rows too.")
    return raw


#: The largest count a cell may hold: more crimes than England and Wales record in a century, and small enough
#: that sums over any panel stay exact (int64, and float64 in the models). Larger values are typing slips.
MAX_COUNT = 1_000_000_000


def whole_counts(path: Path, raw: pd.DataFrame) -> pd.Series:
    """The ``count`` column as whole numbers from 0 to :data:`MAX_COUNT`; anything else is an error naming its line.

    Values are checked before they become ``int64``, so a huge count is reported as too large, never wrapped round.
    """
    text = raw["count"].str.strip()
    count = pd.to_numeric(text, errors="coerce").astype(float)
    bad = count.isna() | (count < 0) | (count % 1 != 0)
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise DataError(
            f"{path} line {raw.index[i] + 2}, column 'count': expected a whole number >= 0, got {raw['count'].iloc[i]!r}. "
            "Fix the value in the file (suppressed cells are not counts)."
        )
    huge = count > MAX_COUNT
    if huge.any():
        i = int(np.argmax(huge.to_numpy()))
        raise DataError(
            f"{path} line {raw.index[i] + 2}, column 'count': {raw['count'].iloc[i]!r} is too large for a count "
            f"(at most {MAX_COUNT:,}). Fix the value in the file."
        )
    return count.astype("int64")
