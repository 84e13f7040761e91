"""Key findings: the overview's box says the totals, the coverage and the checks from a hand-checkable panel."""

from __future__ import annotations

import pandas as pd

from workbench.data.panel import finalise_panel
from workbench.evaluations import overview as ov
from workbench import findings, report


def _panel(skip: str | None = None):
    rows = []
    for month in pd.date_range("2024-01-01", "2025-12-01", freq="MS"):
        if skip and month == pd.Timestamp(skip):
            continue
        rows.append((month, "Basildon 001A", "Burglary", 1500 if month.year == 2025 else 1000))
        rows.append((month, "Thurrock 001A", "Anti-social behaviour", 5))
    df = pd.DataFrame(rows, columns=["period", "area_name", "category", "count"])
    df["frequency"], df["force"], df["area_level"], df["area_code"], df["source"] = "M", "essex", "lsoa", "", "t"
    return finalise_panel(df)


def test_overview_findings_state_totals_coverage_and_checks():
    panel = _panel()
    f = findings.overview(ov.headline(panel, 12), panel, "test data")
    assert "<b>18,000</b>" in f["answer"] and "+50.0%" in f["answer"] and "Jan 2025–Dec 2025" in f["answer"]
    assert f["data"].startswith("test data: 2024-01 to 2025-12, 24 of 24 months, none missing")
    assert f["checks"] == [("no missing months", True), ("loading raised no warnings", True)]
    assert f["validated"] == "not recorded"
    html = report.key_findings_html(**f)
    assert "2 of 2 passed" in html and "What do the data hold" in html


def test_a_missing_month_fails_the_check_and_is_named():
    panel = _panel(skip="2024-06-01")
    f = findings.overview(ov.headline(panel, 12), panel, "test data")
    assert ("no missing months", False) in f["checks"]
    assert "23 of 24 months, 1 missing (2024-06)" in f["data"]
