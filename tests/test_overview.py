"""The overview evaluation: windows, totals, seasonality and concentration on hand-checkable panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.data import demo
from workbench.data.panel import finalise_panel
from workbench.evaluations import overview as ov


def _panel(records):
    df = pd.DataFrame(records, columns=["period", "area_name", "category", "count"])
    df["frequency"], df["force"], df["area_level"], df["area_code"], df["source"] = "M", "essex", "lsoa", "", "t"
    return finalise_panel(df)


@pytest.fixture
def two_years():
    rows = []
    for i, month in enumerate(pd.date_range("2024-01-01", "2025-12-01", freq="MS")):
        year2 = month.year == 2025
        rows.append((month, "Basildon 001A", "Burglary", 10 if year2 else 8))
        rows.append((month, "Basildon 001B", "Burglary", 2))
        rows.append((month, "Thurrock 001A", "Anti-social behaviour", 5 if year2 else 10))
    return _panel(rows)


def test_windows(two_years):
    w = ov.windows(two_years, 12)
    assert w.latest == (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-01"))
    assert w.previous == (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-01"))
    assert w.comparable and w.describe() == "Jan 2025–Dec 2025 against Jan 2024–Dec 2024"


def test_category_totals_by_hand(two_years):
    t = ov.category_totals(two_years, 12)
    crime = t.loc[ov.ALL_CRIME]
    assert (crime["latest"], crime["previous"]) == (144, 120)
    assert crime["change_pct"] == pytest.approx(20.0)
    assert t.loc[ov.ASB, "change_pct"] == pytest.approx(-50.0)
    assert t.loc[ov.ASB, "share_pct"] == pytest.approx(100 * 60 / 204)


def test_area_totals_by_district(two_years):
    a = ov.area_totals(two_years, 12)
    assert a.loc["Basildon", "crime_latest"] == 144 and a.loc["Thurrock", "asb_latest"] == 60
    assert a.loc["Thurrock", "crime_latest"] == 0


def test_change_is_withheld_when_a_window_has_missing_months(two_years):
    gap = two_years[two_years["period"] != pd.Timestamp("2024-06-01")]
    t = ov.category_totals(gap, 12)
    assert np.isnan(t.loc[ov.ALL_CRIME, "change_pct"])
    figures = ov.headline(gap, 12)
    assert figures["crime_change_pct"] is None and figures["months_missing"] == 1
    text = ov.OverviewResult(gap, 12, known=figures).summary("synthetic demo data").paragraph
    assert "no comparison" in text and "1 month(s)" in text and "synthetic demo data" in text


def test_top_areas_and_concentration(two_years):
    top = ov.top_areas(two_years, n=1, recent_months=12)
    assert top.index[0] == "Basildon 001A" and top["share_pct"].iloc[0] == pytest.approx(100 * 120 / 144)
    conc = ov.concentration(two_years, 12, shares=(0.5, 1.0))
    assert conc["share_of_crime_pct"].tolist() == pytest.approx([100 * 120 / 144, 100.0])


def test_seasonal_profile_recovers_the_demo_season():
    p = demo.generate(4, "2016-01", "2025-12", 1.0)
    prof = ov.seasonal_profile(p)
    truth = np.asarray(demo.SEASONAL_ASB) / np.mean(demo.SEASONAL_ASB)
    assert prof[ov.ASB].to_numpy() == pytest.approx(truth, abs=0.04)
    assert prof.index[0] == "Jan" and prof[ov.ALL_CRIME].mean() == pytest.approx(1.0)


def test_seasonal_profile_needs_two_years(two_years):
    assert ov.seasonal_profile(two_years[two_years["period"] >= pd.Timestamp("2025-01-01")]) is None


def test_headline_figures(two_years):
    f = ov.headline(two_years, 12)
    assert f["crime_latest_12m"] == 144 and f["asb_latest_12m"] == 60 and f["top_category"] == "Burglary"
    assert f["n_areas"] == 2 and f["n_lsoas"] == 3 and f["months_missing"] == 0


def _quarterly(counts):
    rows = [(q, "Essex", "Robbery", c) for q, c in zip(pd.date_range("2022-04-01", periods=len(counts), freq="3MS"), counts)]
    df = pd.DataFrame(rows, columns=["period", "area_name", "category", "count"])
    df["frequency"], df["force"], df["area_level"], df["area_code"], df["source"] = "Q", "essex", "force", "", "t"
    return finalise_panel(df)


def test_quarterly_windows_hold_whole_quarters():
    p = _quarterly([10, 10, 10, 10, 9, 9, 9, 9])
    w = ov.windows(p, 12)
    assert w.latest == (pd.Timestamp("2023-04-01"), pd.Timestamp("2024-01-01")) and w.comparable
    assert w.describe() == "Apr 2023–Mar 2024 against Apr 2022–Mar 2023"
    assert ov.category_totals(p, 12).loc[ov.ALL_CRIME, "change_pct"] == pytest.approx(-10.0)
    assert ov.seasonal_profile(p) is None and ov.period_word(p) == "quarter"


def test_a_missing_quarter_is_found_with_the_quarterly_step():
    p = _quarterly([10] * 8)
    gap = p[p["period"] != pd.Timestamp("2022-10-01")]
    w = ov.windows(gap, 12)
    assert w.previous_missing == "2022-10" and not w.comparable


def test_mixed_frequencies_are_refused():
    a = _quarterly([1, 2])
    b = a.assign(frequency="M", source="u")
    with pytest.raises(ValueError, match="mixes frequencies"):
        ov.windows(finalise_panel(pd.concat([a, b])), 12)
