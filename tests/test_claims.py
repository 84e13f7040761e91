"""Published claims read against the data: periods, sources, verdicts, normal variation and bad claims files."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from conftest import REPO
from workbench.cli import main
from workbench.data import demo
from workbench.errors import ClaimsError
from workbench.evaluations import claims as C

CLAIMS_ESSEX = REPO / "params" / "reference" / "claims-essex.csv"


def _source(kind: str, months: int, starts: list[str], counts: dict[str, list[int]], area: str = "Essex") -> C.Source:
    rows = [{"area": area, "category": cat, "start": pd.Timestamp(f"{s}-01"), "count": n, "months": months}
            for cat, ns in counts.items() for s, n in zip(starts, ns, strict=True)]
    return C.Source(kind, pd.DataFrame(rows), months)


def _claim(**over) -> dict:
    row = {"id": "X1", "claim": "crime down", "source_document": "a leaflet", "measure": "all_crime_excl_fraud",
           "area": "Essex", "source_kind": "recorded_crime", "period_before": "FY 2021/22", "period_after": "FY 2022/23",
           "claimed_change_pct": "-6", "claimed_change_count": "", "qualifier": "exact", "count_qualifier": "",
           "measure_exact": "true", "source": "test", "verified": "false", "note": ""}
    row.update(over)
    return row


def _write(path, rows: list[dict]) -> str:
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return str(path)


# ----------------------------------------------------------------------------- periods


@pytest.mark.parametrize("text, start, end", [
    ("calendar 2023", "2023-01", "2023-12"), ("2023", "2023-01", "2023-12"), ("CY2019", "2019-01", "2019-12"),
    ("FY 2023/24", "2023-04", "2024-03"), ("fy1999/00", "1999-04", "2000-03"),
    ("12 months to 2024-04", "2023-05", "2024-04"), ("12 months to 2020-12", "2020-01", "2020-12"),
])
def test_periods_are_twelve_months_with_their_boundaries(text, start, end):
    p = C.parse_period(text)
    assert (f"{p.start:%Y-%m}", f"{p.end:%Y-%m}") == (start, end)


@pytest.mark.parametrize("text", ["FY 2023/25", "last year", "12 months to 2024-13", "2023-24", ""])
def test_bad_periods_are_refused(text):
    with pytest.raises(ValueError, match="period|financial year"):
        C.parse_period(text)


def test_alternative_readings_pair_in_order():
    pairs = C.period_pairs("calendar 2022 | FY 2022/23", "calendar 2023 | FY 2023/24")
    assert [(b.label, a.label) for b, a in pairs] == [("calendar 2022", "calendar 2023"), ("FY 2022/23", "FY 2023/24")]
    single = C.period_pairs("calendar 2016", "calendar 2023 | FY 2023/24")
    assert [b.label for b, _ in single] == ["calendar 2016", "calendar 2016"]
    with pytest.raises(ValueError, match="must come before"):
        C.period_pairs("calendar 2023", "calendar 2022")


# ----------------------------------------------------------------------------- agreement and verdicts


@pytest.mark.parametrize("claimed, got, qualifier, ok", [
    (-6, -5.6, "exact", True), (-6, -6.49, "exact", True), (-6, -5.4, "exact", False), (-8.3, -8.34, "exact", True),
    (-8.3, -8.36, "exact", False), (-20, -24, "exact", False), (-6, 6.0, "exact", False),
    (-40, -45, "more than", True), (-40, -39.5, "more than", False), (-6, -5.2, "nearly", True),
    (-6, -6.4, "nearly", True), (-6, -6.7, "nearly", False), (-6, -7.0, "about", True), (0, 0.3, "exact", True),
])
def test_agreement_follows_the_claims_wording(claimed, got, qualifier, ok):
    assert C.agreement(claimed, got, qualifier)[0] is ok


def test_count_rounding_follows_its_zeros_and_revisions():
    assert C.agreement(-9000, -9400, "more than", percent=False)[0]
    assert not C.agreement(-9470, -9300, "exact", percent=False)[0]
    assert C.agreement(-9470, -9300, "exact", slack=200, percent=False)[0]


def _verdict(pct=None, count=None, got_pct=-6.0, got_count=-1000.0, same_kind=True, exact=True):
    claim = {"pct": pct, "count": count, "qualifier": "exact", "count_qualifier": "exact"}
    return C.verdict(claim, got_pct, got_count, 100_000, same_kind, exact, close_pp=1.0, count_tolerance=0.0025)[0]


def test_verdict_vocabulary():
    assert _verdict(pct=-6, got_pct=-6.2) == C.REPRODUCED
    assert _verdict(pct=-6, got_pct=-7.2) == C.CLOSE
    assert _verdict(pct=-6, got_pct=-2.0) == C.NOT_REPRODUCED
    assert _verdict(pct=-6, got_pct=-6.2, same_kind=False) == C.CLOSE, "another kind of source: close by definition"
    assert _verdict(pct=-6, got_pct=-6.2, exact=False) == C.CLOSE, "a broader measure: close by definition"
    assert _verdict(count=-1100, got_count=-1000) == C.REPRODUCED, "within 0.25% of the earlier total"
    assert _verdict(count=-2000, got_count=-1000) == C.CLOSE
    assert _verdict(pct=-6, count=-5000, got_pct=-6.0, got_count=-1000) == C.NOT_REPRODUCED, "both must agree"


# ----------------------------------------------------------------------------- sources and windows


def test_monthly_window_names_the_missing_months():
    months = [f"2023-{m:02d}" for m in range(1, 13) if m not in (3, 4)]
    src = _source("policeuk_counts", 1, months, {"Burglary": [10] * len(months)})
    t = C.window_total(src, "Essex", ("Burglary",), C.parse_period("calendar 2023"))
    assert t.value is None and t.missing == ("2023-03", "2023-04") and "2023-03…2023-04" in t.reason
    assert C.window_total(src, "Essex", ("Burglary",), C.parse_period("12 months to 2023-12")).missing == t.missing
    assert "no figures for Basildon" in C.window_total(src, "Basildon", ("Burglary",), C.parse_period("2023")).reason


def test_quarterly_windows_must_align_with_quarters():
    starts = [f"{y}-{m:02d}" for y in (2021, 2022, 2023) for m in (1, 4, 7, 10)]
    src = _source("homeoffice_quarterly", 3, starts, {"Robbery": list(range(1, 13))})
    assert C.window_total(src, "Essex", ("Robbery",), C.parse_period("FY 2022/23")).value == 6 + 7 + 8 + 9
    assert C.window_total(src, "Essex", ("Robbery",), C.parse_period("calendar 2022")).value == 5 + 6 + 7 + 8
    off = C.window_total(src, "Essex", ("Robbery",), C.parse_period("12 months to 2023-04"))
    assert off.value is None and "quarter boundaries" in off.reason


def test_twelve_month_editions_test_only_their_own_windows():
    src = _source("ons_p1", 12, ["2018-01", "2019-01"], {"Robbery": [100, 90]})
    assert C.window_total(src, "Essex", ("Robbery",), C.parse_period("calendar 2019")).value == 90
    t = C.window_total(src, "Essex", ("Robbery",), C.parse_period("FY 2019/20"))
    assert t.value is None and t.missing == ("12 months to 2020-03",) and "2018-12, 2019-12" in t.reason


def test_past_changes_leave_out_the_claims_own_years():
    starts = [f"{y}-{m:02d}" for y in range(2010, 2021) for m in (1, 4, 7, 10)]
    counts = [int(1000 * 1.1 ** (i // 4)) for i in range(len(starts))]
    src = _source("homeoffice_quarterly", 3, starts, {"Robbery": counts})
    every = C.past_changes(src, "Essex", ("Robbery",), 12, ())
    assert len(every) == 10 and np.allclose(every, np.log(1.1), atol=0.01)
    claim = (C.parse_period("calendar 2015"), C.parse_period("calendar 2016"))
    assert len(C.past_changes(src, "Essex", ("Robbery",), 12, claim)) == 7  # 14->15, 15->16, 16->17 left out


def _steady(noise_sd: float, jump: float) -> C.Source:
    rng = np.random.default_rng(1)
    starts = [f"{y}-{m:02d}" for y in range(2005, 2025) for m in (1, 4, 7, 10)]
    level = np.exp(np.repeat(rng.normal(0, noise_sd, 20).cumsum(), 4)) * 5000
    level[-4:] *= 1 + jump
    return _source("homeoffice_quarterly", 3, starts, {"Robbery": level.round().astype(int).tolist()})


def test_a_large_fall_stands_out_and_a_small_one_does_not():
    row = pd.Series(_claim(measure="robbery", period_before="calendar 2023", period_after="calendar 2024",
                           claimed_change_pct="-30"))
    big = C.evaluate_claim(row, {"homeoffice_quarterly": _steady(0.03, -0.30)})[0]
    assert big["stands_out"] == C.STANDS_OUT and big["p_fall"] > 0.99 and big["fall_sigmas"] > 2
    assert big["lo_pct"] < big["change_pct"] < big["hi_pct"] < 0
    small = C.evaluate_claim(row, {"homeoffice_quarterly": _steady(0.10, -0.05)})[0]
    assert small["stands_out"] == C.WITHIN and small["lo_pct"] < 0 < small["hi_pct"] and 0.5 < small["p_fall"] < 0.99


def test_too_short_a_history_uses_the_assumed_spread_and_says_so():
    src = _source("homeoffice_quarterly", 3, [f"{y}-{m:02d}" for y in (2022, 2023) for m in (1, 4, 7, 10)],
                  {"Robbery": [100] * 4 + [90] * 4})
    row = pd.Series(_claim(measure="robbery", period_before="calendar 2022", period_after="calendar 2023"))
    r = C.evaluate_claim(row, {"homeoffice_quarterly": src}, C.Settings(default_year_sd=0.2))[0]
    assert r["year_sd"] == 0.2 and r["past_changes"] == 0 and "assumed" in r["year_sd_from"]


# ----------------------------------------------------------------------------- claims files


def test_a_period_outside_the_data_is_not_testable_and_the_others_still_run(tmp_path):
    starts = [f"{y}-{m:02d}" for y in range(2015, 2024) for m in (1, 4, 7, 10)]
    src = _source("homeoffice_quarterly", 3, starts, {"Robbery": [100] * len(starts)})
    path = _write(tmp_path / "c.csv", [
        _claim(id="A", measure="robbery", period_before="calendar 2023", period_after="calendar 2024"),
        _claim(id="B", measure="robbery", period_before="calendar 2021", period_after="calendar 2022", claimed_change_pct="0"),
    ])
    out = C.evaluate(C.read_claims(path), {"homeoffice_quarterly": src})
    a, b = out.set_index("id").loc["A"], out.set_index("id").loc["B"]
    assert a["verdict"] == C.NOT_TESTABLE and a["missing"] == "2024-01, 2024-02, 2024-03, 2024-04, 2024-05, 2024-06, " \
        "2024-07, 2024-08, 2024-09, 2024-10, 2024-11, 2024-12"
    assert "lacks 2024-01…2024-12 of calendar 2024" in a["sentence"]
    assert b["verdict"] == C.REPRODUCED and b["change_pct"] == 0


@pytest.mark.parametrize("column, value, message", [
    ("measure", "burglery", "unknown measure 'burglery'"),
    ("period_before", "FY 2022/24", "a financial year runs into the next year"),
    ("period_after", "next year", "'next year' is not a period"),
    ("claimed_change_pct", "about six", "expected a number such as -6"),
    ("claimed_change_count", "lots", "expected a number"),
    ("source_kind", "rumour", "unknown source kind"),
    ("verified", "yes", "expected true or false"),
])
def test_a_malformed_claims_file_names_file_line_and_column(tmp_path, column, value, message):
    path = _write(tmp_path / "bad.csv", [_claim(id="A"), _claim(id="B", **{column: value})])
    with pytest.raises(ClaimsError) as exc:
        C.read_claims(path)
    assert f"{path} line 3, column '{column}'" in str(exc.value) and message in str(exc.value)


def test_a_malformed_claims_file_stops_the_run_with_exit_2(tmp_path, write_params, ci_params, capsys):
    bad = _write(tmp_path / "bad.csv", [_claim(id="A", claimed_change_pct="six")])
    ci_params["notebooks"] = [{"name": "50-claims", "parameters": {"claims_path": "bad.csv"}}]
    out = tmp_path / "outputs"
    code = main(["run", str(write_params(ci_params)), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and f"{bad} line 2, column 'claimed_change_pct'" in err and "Traceback" not in err
    assert not out.exists() or not any(out.rglob("*"))


def test_the_essex_claims_file_is_well_formed_and_sourced():
    claims = C.read_claims(CLAIMS_ESSEX)
    assert len(claims) >= 25 and claims["source"].str.len().gt(0).all() and claims["verified"].isin(["true", "false"]).all()
    issue_quotes = ["9,470 fewer crimes", "by 38%", "70% lower than it was in 2016", "down by over 40%",
                    "8.3% decrease in knife-enabled crime", "12.4% decrease in domestic abuse",
                    "Southend down more than 49%, 1,705 fewer", "borough down 9.2%"]
    for quote in issue_quotes:
        assert claims["claim"].str.contains(quote, regex=False).any(), quote
    untestable = claims[claims["measure"].map(lambda m: C.MEASURES[m].untestable is not None)]
    assert {"knife_enabled_crime", "domestic_abuse"} <= set(untestable["measure"])


# ----------------------------------------------------------------------------- the demo claims


@pytest.mark.parametrize("start, fraction", [("2017-04", 0.1), ("2015-04", 0.3)])
def test_every_demo_claim_gets_both_verdicts_right(start, fraction):
    src = C.from_panel("demo", demo.generate(20240401, start, "2025-12", fraction), "Essex")
    claims = C.demo_claims(src)
    check = C.demo_check(C.evaluate(claims, {"demo": src}), claims)
    assert check["right"].all(), check[~check["right"]]
    assert set(check["expected"]) == set(C.VERDICTS), "the demo covers every verdict"
    assert {C.STANDS_OUT, C.WITHIN} <= set(check["expected "])


# ----------------------------------------------------------------------------- real data


def test_essex_claims_on_the_real_data(shared_real):
    oh = shared_real / "ons_homeoffice"
    sources = C.load_sources({
        "homeoffice_quarterly": oh / "ho_prc_pfa_quarterly_offence_group_fy2002_03_to_2023_24_DERIVED_dm2hill.csv",
        "ons_p1": oh / "ons_pfa_p1_recorded_crime_by_offence_group_rolling12m.csv",
        "ons_p7": oh / "ons_pfa_p7_asb_incidents_annual_fy2007_08_to_2018_19.csv",
        "policeuk_counts": shared_real / "policeuk_monthly_counts.csv",
    })
    readings = C.evaluate(C.read_claims(CLAIMS_ESSEX), sources)
    head = C.headline(readings)
    # ONS Table P1, 12 months to December 2018 and 2019 (151,103 and 168,643): a rise, not the claimed 0.5% fall
    p1 = readings[(readings["id"] == "E10") & (readings["source_key"] == "ons_p1")].iloc[0]
    assert (p1["before"], p1["after"]) == (151_103, 168_643) and p1["verdict"] == C.NOT_REPRODUCED
    assert head.loc["E16", "verdict"] == C.REPRODUCED and head.loc["E16", "source_key"] == "homeoffice_quarterly"
    e02 = readings[(readings["id"] == "E02") & (readings["source_key"] == "homeoffice_quarterly")].set_index("reading")["verdict"]
    assert e02["FY 2022/23 -> FY 2023/24"] == C.REPRODUCED and e02["calendar 2022 -> calendar 2023"] == C.CLOSE
    assert head.loc["E24", "verdict"] == C.NOT_TESTABLE and "domestic abuse" in head.loc["E24", "why"]
    e03 = readings[readings["id"] == "E03"]
    assert (e03["verdict"] == C.NOT_TESTABLE).all() and e03["missing"].str.contains("2023-").any()


def test_the_headline_is_the_best_supported_reading_and_names_the_others():
    starts = [f"{y}-{m:02d}" for y in range(2015, 2024) for m in (1, 4, 7, 10)]
    counts = [100] * (len(starts) - 8) + [100, 100, 100, 100, 94, 94, 94, 94]  # calendar 2023 down 6%; FY 2022/23 to 23/24 less
    src = _source("homeoffice_quarterly", 3, starts, {"Robbery": counts})
    row = _claim(measure="robbery", period_before="FY 2021/22 | calendar 2022", period_after="FY 2022/23 | calendar 2023")
    readings = C.evaluate(pd.DataFrame([row]), {"homeoffice_quarterly": src})
    head = C.headline(readings).loc["X1"]
    assert head["reading"] == "calendar 2022 -> calendar 2023" and head["verdict"] == C.REPRODUCED
    assert "not reproduced (FY 2021/22 -> FY 2022/23" in head["readings_summary"]
    rows = C.chart_rows(readings)
    assert len(rows) == 2 and (rows["verdict"] != C.NOT_TESTABLE).all()


def test_ons_p7_reader_keeps_force_rows_and_the_later_edition(tmp_path):
    from workbench.data.homeoffice import P7_CATEGORY, read_ons_p7

    path = tmp_path / "p7.csv"
    path.write_text("edition_year_ending,financial_year,period_label,area_name,force,asb_incidents,asb_per_1000_population\n"
                    "2018-03,2016/17,x,Essex,essex,52000,1\n2018-03,2017/18,x,Essex,essex,49000,1\n"
                    "2019-03,2017/18,x,Essex,essex,49329,1\n2019-03,2018/19,x,EAST,,500000,1\n"
                    "2019-03,2018/19,x,Kent,kent,,\n")
    panel = read_ons_p7(path)
    assert list(panel["count"]) == [52000, 49329] and set(panel["category"]) == {P7_CATEGORY}
    assert [f"{p:%Y-%m}" for p in panel["period"]] == ["2016-04", "2017-04"] and set(panel["frequency"]) == {"Y"}
    path.write_text(path.read_text().replace("49329", "lots"))
    with pytest.raises(Exception, match="line 4, column 'asb_incidents'"):
        read_ons_p7(path)
