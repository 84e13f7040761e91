"""Harm weights and harm-weighted series, the indicators CSV, the scorecard and disclosure control."""

from __future__ import annotations

import nbformat
import numpy as np
import pandas as pd
import pytest

from workbench.data import demo
from workbench.data.indicators import gaps, parse, read_indicators
from workbench.data.panel import finalise_panel
from workbench.errors import DataError
from workbench.evaluations import harm as H
from workbench.evaluations import scorecard as S
from workbench.evaluations import spc
from workbench.params import DisclosureSection, ScorecardParams, notebook_config
from workbench.reference import harm_weights
from workbench.report import PUBLICATION_KEY, suppressed

# ----------------------------------------------------------------------------- harm weights


def test_every_harm_weight_row_has_a_source_and_unknown_weights_stay_empty():
    cchi = harm_weights("cchi")
    assert cchi.weight("Robbery") == 365 and cchi.weight("Violence against the person") == pytest.approx(105.9)
    assert not cchi.has("Anti-social behaviour") and not cchi.has("Sexual offences") and not cchi.has("Fraud offences")
    css = harm_weights("css")
    assert css.unit == "points" and css.weight("Robbery") == 746
    with pytest.raises(DataError, match="'css' harm weight of 'Burglary' is empty"):
        css.weight("Burglary")


def test_the_mix_weighted_home_office_group_weights_follow_from_the_subgroup_medians():
    # Violence against the person: CCHI subgroup medians weighted by the E&W mix, ONS Table C2 YE June 2025
    vap = (511 * 5475 + 2049 * 365 + 510991 * 365 + 809379 * 10 + 605163 * 10) / 1928093
    assert harm_weights("cchi").weight("Violence against the person") == pytest.approx(vap, abs=0.05)


def panel(rows, level="lsoa"):
    """A small monthly panel: rows of (period, area_name, category, count)."""
    frame = pd.DataFrame(rows, columns=["period", "area_name", "category", "count"])
    frame["period"] = pd.to_datetime(frame["period"] + "-01")
    return finalise_panel(frame.assign(frequency="M", force="essex", area_level=level, area_code="", source="test"))


def test_harm_is_count_times_weight_and_asb_stays_out():
    p = panel([("2025-01", "Basildon 001A", "Robbery", 2), ("2025-01", "Basildon 001A", "Shoplifting", 10),
               ("2025-01", "Harlow 002B", "Anti-social behaviour", 50), ("2025-02", "Harlow 002B", "Robbery", 1)])
    hm = H.measure(p["category"].unique())
    assert hm.left_out == ("Anti-social behaviour",)
    t = H.by_period(p, hm)
    assert t.loc["2025-01-01", "harm"] == 2 * 365 + 10 * 1 and t.loc["2025-01-01", "crimes"] == 12
    assert t.loc["2025-02-01", "harm"] == 365
    by = H.by_area(p, hm)
    assert list(by.index) == ["Basildon", "Harlow"]  # CSPs from the LSOA names
    assert by.loc["Basildon", "harm"] == 740 and by.loc["Basildon", "share_of_harm_pct"] == pytest.approx(100 * 740 / 1105)
    assert by.loc["Harlow", "harm_per_crime"] == 365
    m = H.monthly_by_area(p, hm)
    assert m.loc["2025-01-01", "Basildon"] == 740 and m.loc["2025-02-01", "Harlow"] == 365
    assert m.loc["2025-02-01", "Basildon"] == 0 and m.loc["2025-01-01", "Harlow"] == 0  # ASB carries no harm


def test_a_category_without_a_weight_is_an_error_naming_it_and_the_fix():
    cats = ["Violence against the person", "Sexual offences", "Robbery"]
    with pytest.raises(DataError, match="harm weight of 'Sexual offences' is empty.*harm_unweighted"):
        H.measure(cats)
    hm = H.measure(cats, unweighted=["Sexual offences"])
    assert hm.left_out == ("Sexual offences",) and set(hm.weights) == {"Violence against the person", "Robbery"}
    with pytest.raises(DataError, match="harm_unweighted: Burglary is not a category of the data"):
        H.measure(cats, unweighted=["Burglary"])


def test_count_and_harm_can_move_in_opposite_directions():
    # fewer shoplifting offences, one more robbery: fewer crimes, more harm
    p = panel([("2025-01", "Basildon 001A", "Shoplifting", 30), ("2025-01", "Basildon 001A", "Robbery", 1),
               ("2025-02", "Basildon 001A", "Shoplifting", 20), ("2025-02", "Basildon 001A", "Robbery", 2)])
    t = H.by_period(p, H.measure(p["category"].unique()), H.cost_measure(p["category"].unique()))
    assert t["crimes"].diff().iloc[-1] < 0 and t["harm"].diff().iloc[-1] > 0
    assert t.loc["2025-02-01", "cost_gbp"] == 2 * 11320  # shoplifting has no unit cost; robbery has


def test_concentration_ranks_lsoas_by_harm_and_leaves_out_no_location_rows():
    rows = [("2025-01", f"Basildon {i:03d}A", "Shoplifting", 10) for i in range(19)]
    rows += [("2025-01", "Basildon 100A", "Robbery", 1)]
    p = pd.concat([panel(rows), panel([("2025-01", "(no location)", "Robbery", 5)], level="force")])
    c = H.concentration(finalise_panel(p), H.measure(["Shoplifting", "Robbery"]))
    top5 = c.loc[c["top_share_of_areas_pct"] == 5.0].iloc[0]  # 1 of 20 LSOAs
    assert top5["areas"] == 1 and top5["share_of_harm_pct"] == pytest.approx(100 * 365 / (365 + 190))
    assert top5["share_of_crimes_pct"] == pytest.approx(100 / 191)


# ----------------------------------------------------------------------------- indicators


def write(tmp_path, text):
    f = tmp_path / "indicators.csv"
    f.write_text(text)
    return f


def test_indicators_csv_reads_and_reports_gaps(tmp_path):
    f = write(tmp_path, "indicator,period,value,target,good_direction,unit\n"
                        "Confidence,2025-01,70.5,75,up,%\nConfidence,2025-02,71,,up,%\nConfidence,2025-04,72,75,up,%\n"
                        "KSI,2025-01,60,,down,count\n")
    t = read_indicators(f)
    assert list(dict.fromkeys(t["indicator"])) == ["Confidence", "KSI"]  # file order kept
    assert np.isnan(t["target"].iloc[1]) and t["good_direction"].iloc[0] == "up"
    assert gaps(t) == {"Confidence": ["2025-03"]}


@pytest.mark.parametrize("text, message", [
    ("indicator,period,value\nA,2025-13,1\n", r"line 2, column 'period': expected a month as YYYY-MM"),
    ("indicator,period,value\nA,2025-01,1\nA,2025-02,\n", r"line 3, column 'value': expected a number"),
    ("indicator,period,value\nA,2025-01,1\nA,2025-01,2\n", r"line 3: indicator 'A' has a second row for 2025-01"),
    ("indicator,period,value,good_direction\nA,2025-01,1,higher\n", r"column 'good_direction': expected up, down or empty"),
    ("indicator,period,value,good_direction\nA,2025-01,1,up\nA,2025-02,1,down\n", r"line 3, column 'good_direction'.*one good_direction"),
    ("indicator,period,value,count\nA,2025-01,1.5,true\n", r"marked as a count but has '1.5'"),
    ("indicator,period,value,target\nA,2025-01,1,ten\n", r"column 'target': expected a number or empty"),
    ("indicator,month,value\nA,2025-01,1\n", r"line 1: missing column\(s\) period"),
])
def test_bad_indicators_name_the_file_line_and_fix(tmp_path, text, message):
    with pytest.raises(DataError, match=message):
        read_indicators(write(tmp_path, text))


def test_demo_indicators_are_a_valid_indicators_file_with_the_plan_names():
    t = parse(demo.indicators(7), "demo")
    assert set(t["indicator"]) == set(demo.DEMO_INDICATORS)
    assert t.groupby("indicator").size().eq(57).all()
    assert parse(demo.indicators(7), "demo").equals(t)  # same seed, same values


# ----------------------------------------------------------------------------- scorecard


@pytest.fixture(scope="module")
def demo_card():
    cfg = notebook_config("40-scorecard", run_name="t", seed=20240401,
                          data={"source": "demo", "demo": {"start": "2021-04", "lsoa_fraction": 0.1}},
                          breaks={"999 calls answered within 10 seconds": ["2023-04"]})
    from workbench.data import load_panel

    p = load_panel(cfg.run)
    ind, _ = S.load_indicators(cfg.nb, cfg.run)
    hm = H.measure(p["category"].unique())
    return cfg, p, S.build(p, ind, hm, cfg.nb), hm


def test_the_demo_scorecard_reads_each_built_in_behaviour(demo_card):
    _, _, items, _ = demo_card
    status = {it.name: it.reading.status for it in items}
    assert status["Public confidence in policing"] == spc.IMPROVING  # +4 points from 2024-04
    assert status["101 calls: mean answer time"] == spc.DETERIORATING  # rising from 2025-04
    assert status["Domestic abuse: repeat victims"] == spc.AGAINST_TARGET  # stable, limits above the target
    assert status["999 calls answered within 10 seconds"] == spc.NO_CHANGE  # stable since the named break
    nine = next(it for it in items if it.name == "999 calls answered within 10 seconds")
    assert nine.chart["phase"].max() == 1 and nine.reading.assurance == spc.HIT_AND_MISS
    assert [it.name for it in items[:3]] == ["All crime (excl. ASB)", "Anti-social behaviour", "Crime harm (CCHI days)"]


def test_the_demo_break_is_what_keeps_the_999_indicator_steady(demo_card):
    cfg, p, _, hm = demo_card
    ind, _ = S.load_indicators(cfg.nb, cfg.run)
    without = S.build(p, ind, hm, cfg.nb.model_copy(update={"breaks": {}}))
    nine = next(it for it in without if it.name == "999 calls answered within 10 seconds")
    assert nine.reading.status == spc.IMPROVING  # one phase: the step reads as a run above the mean


def test_scorecard_figures_and_harm_against_the_baseline(demo_card):
    cfg, p, items, hm = demo_card
    hs = S.harm_summary(p, hm, 2023)
    f = S.figures(items, hs)
    assert set(f["indicators"]) == {it.name for it in items}
    t = hs.periods
    base = t.loc["2023-04-01":"2024-03-01", "harm"].sum()
    latest = t.loc["2025-01-01":"2025-12-01", "harm"].sum()
    assert f["harm_total_latest_12m"] == pytest.approx(latest, rel=1e-6)
    assert f["harm_change_pct_vs_baseline"] == pytest.approx(100 * (latest / base - 1), abs=0.01)
    # a baseline the data do not cover gives no change, and says why
    hs_old = S.harm_summary(p, hm, 2015)
    assert hs_old.figures()["harm_change_pct_vs_baseline"] is None and "not fully in the data" in hs_old.note


def test_breaks_must_name_an_indicator(demo_card):
    cfg, p, _, hm = demo_card
    ind, _ = S.load_indicators(cfg.nb, cfg.run)
    with pytest.raises(DataError, match="breaks: no indicator called '999 calls'"):
        S.build(p, ind, hm, cfg.nb.model_copy(update={"breaks": {"999 calls": ["2023-04"]}}))


def test_scorecard_params_check_the_indicators_choice():
    with pytest.raises(ValueError, match="indicators_path is not set"):
        ScorecardParams(indicators="csv")
    with pytest.raises(ValueError, match="expected a month"):
        ScorecardParams(breaks={"A": ["2023-4"]})


# ----------------------------------------------------------------------------- disclosure control


def test_small_counts_are_suppressed_zeros_and_large_counts_kept():
    df = pd.DataFrame({"crimes": [0, 1, 4, 5, 120], "rate": [0.0, 1.0, 2.0, 3.0, 4.0]}, index=list("abcde"))
    out, n = suppressed(df, ["crimes"], 5, "[c]")
    assert out["crimes"].tolist() == [0, "[c]", "[c]", 5, 120] and n == 2
    assert out["rate"].tolist() == df["rate"].tolist()  # not a count column: untouched
    out, n = suppressed(df, {"crimes": ["b"]}, 5, "[c]")
    assert out["crimes"].tolist() == [0, "[c]", 4, 5, 120] and n == 1


def test_publication_html_suppresses_what_the_analyst_html_keeps(tmp_path):
    from IPython.core.interactiveshell import InteractiveShell

    from workbench import report
    from workbench.runner import export_html

    shell = InteractiveShell.instance()
    captured = []
    shell.display_pub.publish = lambda data, metadata=None, **kw: captured.append((data, metadata or {}))
    df = pd.DataFrame({"crimes": [3, 250]}, index=["Maldon", "Basildon"])
    report.show_table(df, "Crimes", "test data", counts=["crimes"], disclosure=DisclosureSection(threshold=5))
    data, meta = captured[-1]
    assert ">3<" in data["text/html"] and PUBLICATION_KEY in meta
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("table")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=meta)]
    nb.cells = [cell]
    src = tmp_path / "t.ipynb"
    nbformat.write(nb, src)
    export_html(src, tmp_path / "t.html", tmp_path / "t.pub.html")
    analyst, pub = (tmp_path / "t.html").read_text(), (tmp_path / "t.pub.html").read_text()
    assert ">3<" in analyst and "[c]" not in analyst
    assert "[c]" in pub and ">3<" not in pub and ">250<" in pub
    assert nbformat.read(src, as_version=4).cells[0].outputs[0].data["text/plain"] == data["text/plain"]  # input unchanged
    # threshold 0 turns suppression off
    captured.clear()
    report.show_table(df, "Crimes", "test data", counts=["crimes"], disclosure=DisclosureSection(threshold=0))
    assert PUBLICATION_KEY not in captured[-1][1]


# ----------------------------------------------------------------------------- real data


def test_essex_2025_harm_by_csp_matches_the_counts_file(shared_real):
    from workbench.data.policeuk import read_counts_csv

    p = read_counts_csv(shared_real / "policeuk_monthly_counts.csv", ["essex"])
    p = p.loc[p["period"] >= "2025-01-01"]
    hm = H.measure(p["category"].unique())
    by = H.by_area(p, hm)
    from workbench.data.geography import ESSEX_CSPS

    # data.police.uk places a few Essex crimes in LSOAs over the border; the 14 CSPs hold nearly all the harm
    assert set(ESSEX_CSPS) <= set(by.index)
    assert by.loc[list(ESSEX_CSPS), "harm"].sum() > 0.98 * by["harm"].sum()
    raw = pd.read_csv(shared_real / "policeuk_monthly_counts.csv", dtype={"count": int}, keep_default_na=False)
    raw = raw.loc[(raw["force"] == "essex") & (raw["month"] >= "2025-01") & (raw["crime_type"] != "Anti-social behaviour")]
    expected = (raw["count"] * raw["crime_type"].map(hm.weights)).sum()
    assert by["harm"].sum() == pytest.approx(expected)
    assert by["crimes"].sum() == raw["count"].sum()
