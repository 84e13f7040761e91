"""The embedded demo panel: deterministic, Essex-like, with the documented truths really in it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.data import demo
from workbench.data.geography import ESSEX_CSPS, district_of
from workbench.data.panel import PANEL_COLUMNS, coverage


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return demo.generate(7, "2015-04", "2025-12", lsoa_fraction=0.25)


def test_same_seed_same_panel_other_seed_other_panel():
    a = demo.generate(11, "2024-01", "2025-12", 0.1)
    b = demo.generate(11, "2024-01", "2025-12", 0.1)
    c = demo.generate(12, "2024-01", "2025-12", 0.1)
    pd.testing.assert_frame_equal(a, b)
    assert not a["count"].equals(c["count"]) or len(a) != len(c)


def test_shape_areas_categories_and_months(panel):
    assert tuple(panel.columns) == PANEL_COLUMNS
    assert set(district_of(panel["area_name"])) == set(ESSEX_CSPS) and len(ESSEX_CSPS) == 14
    assert set(panel["category"]) == set(demo.CATEGORIES) and len(demo.CATEGORIES) == 14
    cov = coverage(panel)
    assert cov.loc[0, "first"] == "2015-04" and cov.loc[0, "last"] == "2025-12"
    assert cov.loc[0, "periods_missing"] == 0
    assert (panel["count"] > 0).all(), "zero cells are omitted, as in data.police.uk aggregates"
    assert panel["area_code"].astype(str).str.startswith("E019").all()


def test_end_month_is_a_parameter_not_today():
    p = demo.generate(3, "2020-01", "2020-06", 0.05)
    assert p["period"].max() == pd.Timestamp("2020-06-01") and p["period"].min() == pd.Timestamp("2020-01-01")


def test_2025_totals_match_calibration_figures():
    # At full size the 2025 totals are the real Essex totals, up to Negative Binomial noise.
    p = demo.generate(20240401, "2025-01", "2025-12", 1.0)
    totals = p.groupby("category", observed=True)["count"].sum()
    for cat, real in demo.CATEGORY_TOTALS_2025.items():
        assert totals[cat] == pytest.approx(real, rel=0.05), cat
    lsoas = p.groupby(district_of(p["area_name"]), observed=True)["area_name"].nunique()
    for area, (_, n_lsoa) in demo.AREAS.items():
        assert lsoas[area] == pytest.approx(n_lsoa, abs=1), area


def test_expected_counts_carry_each_truth():
    months, lsoas, mu = demo.expected_counts(5, "2015-04", "2025-12", 0.25)
    cats = list(demo.CATEGORIES)
    by_month = pd.DataFrame(mu.sum(axis=1), index=months, columns=cats)
    t = demo.truth()
    # Trend: same calendar month five years apart, away from COVID-19 and the interventions.
    burg = by_month["Burglary"]
    ratio = burg[pd.Timestamp("2024-03-01")] / burg[pd.Timestamp("2019-03-01")]
    years = (pd.Timestamp("2024-03-01") - pd.Timestamp("2019-03-01")).days / 365.25
    assert ratio == pytest.approx((1 + t.category_trends["Burglary"]) ** years, rel=1e-9)
    # COVID-19: April 2020 at full strength against the trend-and-season path.
    shop = by_month["Shoplifting"]
    expected_apr = shop[pd.Timestamp("2019-04-01")] * (1 + t.category_trends["Shoplifting"]) ** (366 / 365.25)
    assert shop[pd.Timestamp("2020-04-01")] / expected_apr == pytest.approx(t.covid_rate_ratio["Shoplifting"], rel=1e-6)
    # VVU: violence steps down by the rate ratio at the start month (trend of one month removed).
    rob = by_month["Robbery"]
    step = rob[pd.Timestamp("2019-10-01")] / rob[pd.Timestamp("2019-09-01")]
    season = demo.SEASONAL_CRIME[9] / demo.SEASONAL_CRIME[8]
    monthly_trend = (1 + t.category_trends["Robbery"]) ** (30 / 365.25)
    assert step == pytest.approx(t.vvu_rate_ratio * season * monthly_trend, rel=1e-3)
    # Hotspots: their share of ASB falls by the rate ratio from the start month.
    hot = lsoas["area_name"].isin(t.hotspot_lsoas).to_numpy()
    asb = cats.index("Anti-social behaviour")
    share = mu[:, hot, asb].sum(axis=1) / mu[:, :, asb].sum(axis=1)
    before = share[months.get_loc(pd.Timestamp("2023-05-01"))]
    after = share[months.get_loc(pd.Timestamp("2023-06-01"))]
    rr = t.hotspot_rate_ratio
    assert after == pytest.approx(before * rr / (1 - before + before * rr), rel=1e-6)
    # Untreated categories in hotspots are untouched.
    burg_j = cats.index("Burglary")
    share_b = mu[:, hot, burg_j].sum(axis=1) / mu[:, :, burg_j].sum(axis=1)
    assert np.ptp(share_b) < 1e-12


def test_hotspots_are_twenty_named_lsoas_present_in_the_panel(panel):
    hs = demo.hotspot_lsoas()
    assert len(hs) == 20 == len(set(hs))
    assert set(hs) <= set(panel["area_name"].astype(str))


def test_observed_hotspot_effect_is_visible_in_the_counts():
    # A crude before/after against other LSOAs recovers roughly the injected 20% cut.
    p = demo.generate(99, "2022-06", "2024-05", 1.0)
    p = p[p["category"].isin(demo.HOTSPOT_CATEGORIES)]
    hot = p["area_name"].isin(demo.hotspot_lsoas())
    post = p["period"] >= pd.Timestamp(f"{demo.HOTSPOT_START}-01")
    s = p.groupby([hot, post])["count"].sum()
    did = (s[(True, True)] / s[(True, False)]) / (s[(False, True)] / s[(False, False)])
    assert did == pytest.approx(demo.HOTSPOT_RATE_RATIO, abs=0.05)


def test_covid_shock_is_visible_in_asb():
    p = demo.generate(1, "2019-04", "2021-03", 0.1)
    asb = p[p["category"] == "Anti-social behaviour"].groupby("period")["count"].sum()
    assert asb[pd.Timestamp("2020-05-01")] > 1.3 * asb[pd.Timestamp("2019-05-01")]
