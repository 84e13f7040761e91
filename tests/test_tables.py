"""Presentation tables: labels, formats by kind, intervals, disclosure control by default and its opt-out."""

import numpy as np
import pandas as pd
import pytest

from workbench import report, tables as T
from workbench.params import DisclosureSection

MINUS = "\u2212"


def test_labels_replace_machine_keys():
    assert T.label_for("p_goal_met") == "P(goal met)"
    assert T.label_for("required_annual_reduction_now") == "Annual fall needed from now"
    assert T.label_for("some_new_key_pct") == "Some new key %"  # unknown keys still lose their underscores
    assert T.label_for("latest", {"latest": "Latest value"}) == "Latest value"


def test_formats_by_kind():
    assert T.formatter("count")(148285.5) == "148,286"
    assert T.formatter("count")(2608.347335) == "2,608"
    assert T.formatter("share")(0.212) == "21.2%"
    assert T.formatter("share")(0.007) == "0.7%"
    assert T.formatter("change")(-6.2) == f"{MINUS}6.2%"
    assert T.formatter("change")(3.0) == "+3.0%"
    assert T.formatter("schange")(0.002) == "+0.2%"
    assert T.formatter("pct")(38.8) == "38.8%"
    assert T.formatter("prob")(0.927) == "93%"
    assert T.formatter("prob")(0.0) == "<1%" and T.formatter("prob")(1.0) == ">99%"
    assert T.formatter("money")(3866259.0) == "£3,866,259"
    assert T.formatter("money")(-12) == f"{MINUS}£12"
    assert T.formatter("ratio")(23.528) == "23.5×"
    assert T.formatter("bool")(True) == "✔ yes" and T.formatter("bool")(False) == "✘ no"
    assert T.formatter("number")(1161286.84) == "1,161,286.8"
    assert T.formatter("count")(np.nan) == "n/a"
    with pytest.raises(ValueError, match="unknown table kind"):
        T.formatter("percentage")


def test_interval_is_one_cell():
    assert T.interval(-19.12, -22.41, -15.58) == f"{MINUS}19.1% ({MINUS}22.4% to {MINUS}15.6%)"
    assert T.interval(139749.5, 134480.9, 144895.3, "estimate") == "139,750 (134,481 to 144,895)"


def test_figure_triples_are_combined_by_row_and_by_column():
    figs = pd.DataFrame({"value": pd.Series({"effect_pct_median": -20.5, "effect_pct_lo": -24.0, "effect_pct_hi": -16.9,
                                              "p_reduction": 0.999, "n_hotspots": 20}, dtype=object)})
    _, _, shown = T.prepared(figs, by="rows")
    assert list(shown.index) == ["Effect (90% interval)", "P(reduction)", "Hotspots"]
    assert shown.iloc[0, 0] == f"{MINUS}20.5% ({MINUS}24.0% to {MINUS}16.9%)"
    assert shown.iloc[1, 0] == ">99%"
    wide = pd.DataFrame({"BCR (median)": [23.53], "BCR (lo)": [-2.57], "BCR (hi)": [54.18], "P(BCR >= 1)": [0.93]})
    _, _, shown = T.prepared(wide)
    assert list(shown.columns) == ["Benefit-cost ratio (90% interval)", "P(ratio ≥ 1×)"]
    assert shown.iloc[0, 0] == f"23.5× ({MINUS}2.6× to 54.2×)"


def test_goal_table_by_model_is_read_by_rows():
    g = pd.DataFrame({"Bayesian NegBin": [0.0, 134246.0, 0.216], "Prophet": [0.004, 134246.0, 0.216]},
                     index=["p_goal_met", "baseline_total", "required_annual_reduction_now"])
    _, _, shown = T.prepared(g)
    assert shown.loc["P(goal met)", "Prophet"] == "<1%"
    assert shown.loc["Baseline year total", "Bayesian NegBin"] == "134,246"
    assert shown.loc["Annual fall needed from now", "Prophet"] == "21.6%"


def _counts():
    return pd.DataFrame({"latest": [139274, 3, 0], "change_pct": [3.0, -5.4, 1.0], "named hotspot": [True, False, True]},
                        index=pd.Index(["All crime", "Robbery", "Bicycle theft"], name="category"))


def test_suppression_applies_to_every_count_column_by_default():
    out = T.render(_counts(), "Counts", disclosure=DisclosureSection())
    assert out["n"] == 1
    assert "[c]" in out["pub_text"] and "[c]" not in out["text"]  # the analyst's copy keeps every value
    assert "disclosure control; 1 cell" in out["pub_html"]
    pub = out["pub_text"].splitlines()
    assert any(line.startswith("Robbery") and "[c]" in line for line in pub)
    assert any(line.startswith("Bicycle theft") and " 0 " in line for line in pub)  # zeros are shown
    assert "✔ yes" in out["text"] and "Latest window" in out["text"]


def test_suppression_opt_out_and_threshold_zero():
    assert T.render(_counts(), "Counts", disclosure=DisclosureSection(), suppress=False)["n"] == 0
    assert T.render(_counts(), "Counts", disclosure=DisclosureSection(threshold=0))["n"] == 0


def test_row_kinds_make_some_rows_counts():
    card = pd.DataFrame({"unit": ["count", "%"], "latest": [3.0, 76.14]}, index=["Drug deaths", "Confidence"])
    out = T.render(card, "Card", disclosure=DisclosureSection(), row_kinds={"Drug deaths": "count", "Confidence": "number"},
                   labels={"latest": "Latest value"})
    assert out["n"] == 1 and "76.1" in out["pub_text"] and "Latest value" in out["text"]


def test_show_table_uses_the_run_disclosure_by_default():
    T.use_disclosure(DisclosureSection(threshold=10, symbol="*"))
    try:
        out = T.render(_counts(), "Counts", disclosure=T.default_disclosure())
        assert out["n"] == 1 and "*" in out["pub_text"]
    finally:
        T.use_disclosure(DisclosureSection())


def test_html_is_deterministic_and_captioned():
    a = T.render(_counts(), "Counts — synthetic demo data")["html"]
    b = T.render(_counts(), "Counts — synthetic demo data")["html"]
    assert a == b
    assert "<caption>Counts — synthetic demo data</caption>" in a
    assert "change_pct" not in a and "Change" in a


def test_key_findings_box_says_question_answer_checks_data_and_settings():
    html = report.key_findings_html("Are we on track?", "Not on track: P(goal met) <1%.",
                                    [("sampler converged", True), ("placebo", False)], "synthetic demo data: 2017-04 to 2025-12",
                                    report.validated_text({}))
    for text in ("Key findings", "Are we on track?", "Not on track", "1 of 2 passed", "✔ sampler converged",
                 "✘ placebo", "synthetic demo data", "not recorded"):
        assert text in html
    assert report.validated_text({"validated": True}) == "✔ yes"
    no = report.validated_text({"validated": False, "settings": {"reason": "the settings match no preset"}})
    assert no == "✘ no: the settings match no preset"
    assert "none recorded" in report.key_findings_html("Q", "A", None, "d")
    plain = report.key_findings_plain("Q", "P(goal met) <b><1%</b>, <i>>99%</i> elsewhere", None, "d")
    assert "Answer: P(goal met) <1%, >99% elsewhere" in plain and "<b>" not in plain


def test_count_axes_have_thousands_separators():
    import matplotlib

    matplotlib.use("Agg")
    from workbench import plots

    assert plots.thousands(12500) == "12,500" and plots.thousands(-1500) == f"{MINUS}1,500"
    assert plots.thousands(0.5) == "0.5" and plots.thousands(40) == "40"
    wide = pd.DataFrame({"crimes": [11000.0, 12500.0, 9000.0]}, index=pd.date_range("2025-01-01", periods=3, freq="MS"))
    fig = plots.lines(wide, "Crimes", "test data")
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert any("," in t for t in ticks), ticks
