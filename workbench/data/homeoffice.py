"""Home Office and ONS police recorded crime tables into the canonical panel.

Two tidy forms are read (those in ``../shared/data/real/ons_homeoffice/``):

* **Home Office quarterly** -- police recorded crime by police force area x
  offence group x financial quarter (columns ``financial_year``,
  ``financial_quarter``, ``quarter_start_month``, ``force_name``, ``force``,
  ``offence_group``, ``count``). Frequency ``"Q"``, period = first month of
  the quarter (Q1 = April).
* **ONS tables** -- "Crime in England and Wales" Table P1 (police force areas,
  rolling 12 months) and Table C2 (community safety partnerships). Frequency
  ``"Y"``: a 12-month total whose period is the window's *first* month
  ("12 months to 2025-06" -> 2024-07). Each edition is a snapshot, not a
  regular series, so coverage lists editions and never calls one missing.

**Offence groups.** The ONS tables nest groups (violence against the person
holds homicide, violence with injury, ...; theft offences hold burglary,
shoplifting, ...) and add a total. A panel must not double count, so only the
*detailed, non-overlapping* groups of :data:`ONS_DETAILED` are kept, and they
are checked against each area's published total ("Total recorded crime
(excluding fraud)"): a difference is reported as a warning naming the area.
Labels that changed between editions are harmonised (:data:`ONS_LABELS`).
P1 keeps police force areas (regions and countries are sums of them); C2 keeps
CSP rows (force totals are sums of them; "Unassigned" rows are kept as areas).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workbench.data.panel import fail_at, finalise_panel, read_csv_table, whole_counts
from workbench.errors import DataError

SOURCE_HO = "homeoffice"
SOURCE_ONS = "ons"
HO_COLUMNS = ("financial_year", "financial_quarter", "quarter_start_month", "force_name", "force", "offence_group", "count")
P1_COLUMNS = ("period", "area_code", "area_name", "area_type", "force", "offence_group", "count")
C2_COLUMNS = ("period", "force", "csp_code", "csp_name", "row_type", "offence_group", "count")

ONS_TOTAL = "Total recorded crime (excluding fraud)"
#: Labels that differ between ONS editions, mapped to one name.
ONS_LABELS = {
    "Miscellaneous crimes": "Miscellaneous crimes against society",
    "Death or serious injury caused by illegal driving": "Death or serious injury - unlawful driving",
    "All other theft offences": "Other theft offences",
}
#: Non-overlapping ONS offence groups that add up to the total (excluding fraud).
ONS_DETAILED = (
    "Homicide", "Death or serious injury - unlawful driving", "Violence with injury", "Violence without injury",
    "Stalking and harassment", "Sexual offences", "Robbery", "Residential burglary", "Non-residential burglary",
    "Vehicle offences", "Theft from the person", "Bicycle theft", "Shoplifting", "Other theft offences",
    "Criminal damage and arson", "Drug offences", "Possession of weapons offences", "Public order offences",
    "Miscellaneous crimes against society",
)


def read_ho_quarterly(path: str | Path, warnings: list[str] | None = None,
                      forces: list[str] | None = None) -> pd.DataFrame:
    """Home Office police recorded crime by force x offence group x quarter (see the module notes).

    The table is a sum over offence codes, so several rows for the same force,
    quarter and offence group are parts of one group: they are added up, and a
    warning says where (the derived national table has such rows for City of
    London theft offences). With ``forces`` (slugs), warnings are about those forces only.
    """
    path = Path(path)
    raw = read_csv_table(path, HO_COLUMNS, "Home Office quarterly table")
    period = pd.to_datetime(raw["quarter_start_month"].str.strip(), format="%Y-%m", errors="coerce")
    fail_at(path, raw, period.isna(), "quarter_start_month", "a month as YYYY-MM")
    # The quarter must agree with the financial year: Q1 = Apr, Q2 = Jul, Q3 = Oct, Q4 = Jan of the next year.
    fy_start = pd.to_numeric(raw["financial_year"].str[:4], errors="coerce")
    q = pd.to_numeric(raw["financial_quarter"], errors="coerce")
    expect_year = fy_start + (q == 4)
    expect_month = q.map({1: 4, 2: 7, 3: 10, 4: 1})
    wrong = (period.dt.year != expect_year) | (period.dt.month != expect_month)
    fail_at(path, raw, wrong, "quarter_start_month", "the first month of financial_year's quarter (Q1 = April)")
    fail_at(path, raw, raw["force"].str.strip() == "", "force", "a force slug such as 'essex'")
    panel = pd.DataFrame(
        {
            "period": period,
            "frequency": "Q",
            "force": raw["force"].str.strip(),
            "area_level": "force",
            "area_code": "",
            "area_name": raw["force_name"].str.strip(),
            "category": raw["offence_group"].str.strip(),
            "count": whole_counts(path, raw),
            "source": SOURCE_HO,
        }
    )
    key = ["period", "frequency", "force", "area_level", "area_code", "area_name", "category", "source"]
    dup = panel.duplicated(key[:-1], keep=False)
    told = dup & (panel["force"].isin(forces) if forces is not None else True)
    if told.any():
        first = int(np.argmax(told.to_numpy()))
        message = (
            f"{path.name}: {int(told.sum())} rows share a force, quarter and offence group with another row and were "
            f"added together (first at line {first + 2}: {panel['area_name'].iloc[first]}, "
            f"{panel['period'].iloc[first]:%Y-%m}, {panel['category'].iloc[first]})."
        )
        if warnings is not None:
            warnings.append(message)
    if dup.any():
        panel = panel.groupby(key, sort=False, observed=True, as_index=False)["count"].sum()
    return finalise_panel(panel)


def _window_start(path: Path, raw: pd.DataFrame) -> pd.Series:
    end = pd.to_datetime(raw["period"].str.strip().str.removeprefix("12 months to "), format="%Y-%m", errors="coerce")
    fail_at(path, raw, end.isna(), "period", "'12 months to YYYY-MM'")
    return end - pd.DateOffset(months=11)


def read_ons_table(path: str | Path, warnings: list[str] | None = None,
                   forces: list[str] | None = None) -> pd.DataFrame:
    """ONS Table P1 (force areas) or C2 (CSPs), recognised by their columns (see the module notes).

    With ``forces`` (slugs), warnings are about those forces' areas only.
    """
    path = Path(path)
    head = pd.read_csv(path, nrows=0).columns if path.is_file() and path.stat().st_size else []
    if "csp_code" in head:
        raw = read_csv_table(path, C2_COLUMNS, "ONS Table C2")
        raw = raw[raw["row_type"].str.strip() == "csp"]
        level, code, name = "csp", raw["csp_code"], raw["csp_name"]
    else:
        raw = read_csv_table(path, P1_COLUMNS, "ONS Table P1")
        raw = raw[raw["area_type"].str.strip() == "pfa"]
        level, code, name = "force", raw["area_code"], raw["area_name"]
    raw = _without_unavailable(path, raw, name, warnings, forces)
    code, name = code.loc[raw.index], name.loc[raw.index]
    lines = raw.index.to_numpy() + 2
    start = _window_start(path, raw)
    group = raw["offence_group"].str.strip().replace(ONS_LABELS)
    panel = pd.DataFrame(
        {
            "period": start,
            "frequency": "Y",
            "force": raw["force"].str.strip(),
            "area_level": level,
            "area_code": code.str.strip(),
            "area_name": name.str.strip(),
            "category": group,
            "count": whole_counts(path, raw),
            "source": SOURCE_ONS,
        }
    )
    _check_totals(path, panel if forces is None else panel[panel["force"].isin(forces)], warnings)
    panel = panel[panel["category"].isin(ONS_DETAILED)]
    dup = panel.duplicated(["period", "force", "area_level", "area_name", "category"])
    if dup.any():
        i = int(lines[np.argmax(dup.to_numpy())] if len(lines) else 0)
        raise DataError(f"{path} line {i}: the same period, area and offence group appear on an earlier line. Fix: remove it.")
    return finalise_panel(panel)


def _without_unavailable(path: Path, raw: pd.DataFrame, name: pd.Series, warnings: list[str] | None,
                         forces: list[str] | None = None) -> pd.DataFrame:
    """Leave out area-periods with unavailable (empty) counts -- an empty cell is not a zero -- and say which
    (of ``forces``' areas, when given)."""
    empty = raw["count"].str.strip() == ""
    if not empty.any():
        return raw
    groups = pd.Series(list(zip(raw["period"], name, strict=True)), index=raw.index)
    gone = set(groups[empty])
    mine = empty & (raw["force"].str.strip().isin(forces) if forces is not None else True)
    told = set(groups[mine])
    if warnings is not None and told:
        shown = "; ".join(f"{area} ({period})" for period, area in sorted(told)[:6])
        warnings.append(
            f"{path.name}: {len(told)} area-period(s) have unavailable counts in the published table and are left out "
            f"(not filled in): {shown}{' …' if len(told) > 6 else ''}."
        )
    return raw[~groups.isin(gone)]


def _check_totals(path: Path, panel: pd.DataFrame, warnings: list[str] | None) -> None:
    keys = ["period", "area_name"]
    total = panel[panel["category"] == ONS_TOTAL].groupby(keys)["count"].sum()
    parts = panel[panel["category"].isin(ONS_DETAILED)].groupby(keys)["count"].sum()
    both = pd.concat({"total": total, "parts": parts}, axis=1).dropna()
    off = both[both["total"] != both["parts"]]
    if len(off) and warnings is not None:
        (period, area), row = next(iter(off.iterrows()))
        warnings.append(
            f"{path.name}: for {len(off)} area-period(s) the detailed offence groups do not add up to the published "
            f"total (e.g. {area}, 12 months from {period:%Y-%m}: {int(row['parts']):,} vs {int(row['total']):,})."
        )


P7_COLUMNS = ("edition_year_ending", "financial_year", "area_name", "force", "asb_incidents")
#: Category name of the ONS Table P7 series: incidents of anti-social behaviour recorded by the police (not crimes).
P7_CATEGORY = "Anti-social behaviour incidents"


def read_ons_p7(path: str | Path) -> pd.DataFrame:
    """ONS Table P7, anti-social behaviour incidents by police force area and financial year, in panel form.

    Frequency ``"Y"``, period = April of the financial year ("2016/17" -> 2016-04), category
    :data:`P7_CATEGORY`, one area per force (police force areas only: rows with a force slug). Where two
    editions hold the same year the later edition is kept. Empty cells (unavailable) are left out, never zero.
    """
    path = Path(path)
    raw = read_csv_table(path, P7_COLUMNS, "ONS Table P7 (ASB incidents)")
    raw = raw[(raw["force"].str.strip() != "") & (raw["asb_incidents"].str.strip() != "")]
    fy = raw["financial_year"].str.strip()
    start = pd.to_numeric(fy.str[:4], errors="coerce")
    fail_at(path, raw, start.isna() | ~fy.str.match(r"^\d{4}/\d{2}$"), "financial_year", "a financial year such as 2016/17")
    value = pd.to_numeric(raw["asb_incidents"].str.strip(), errors="coerce")
    fail_at(path, raw, value.isna() | (value < 0) | (value % 1 != 0), "asb_incidents", "a whole number >= 0")
    panel = pd.DataFrame({
        "period": pd.to_datetime(start.astype(int).astype(str) + "-04", format="%Y-%m"),
        "frequency": "Y",
        "force": raw["force"].str.strip(),
        "area_level": "force",
        "area_code": "",
        "area_name": raw["area_name"].str.strip(),
        "category": P7_CATEGORY,
        "count": value.astype("int64"),
        "source": SOURCE_ONS,
        "edition": raw["edition_year_ending"].str.strip(),
    }).sort_values("edition")
    panel = panel.drop_duplicates(["period", "force"], keep="last").drop(columns="edition")
    return finalise_panel(panel)
