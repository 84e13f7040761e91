"""The run index: headline figures in words, the comparison with the previous run, keeping the last N runs."""

from __future__ import annotations

import json
import re

import pytest
import yaml

import workbench.runner as runner
from conftest import REPO
from workbench.cli import main
from workbench.errors import WorkbenchError
from workbench.run_index import (
    INDEX_NAME, RunRecord, compare, format_change, format_value, headline_figures, previous_run, prune, write_index,
)

M = "\u2212"


@pytest.mark.parametrize("value, kind, text", [
    (139274, "count", "139,274"),
    (139749.5, "count", "139,750"),
    (-5.36, "pct", f"{M}5.4%"),
    (3.0, "pct", "+3.0%"),
    (0.0, "pct", "0.0%"),
    (33.2, "pct_plain", "33.2%"),
    (0.96, "prob", "96%"),
    (0.216, "share_plain", "21.6%"),
    (0.002, "share", "+0.2%"),
    (23.5284, "ratio", "23.53"),
    (0.005, "p", "0.005"),
    (865364020, "gbp", "£865.4m"),
    (4000, "gbp", "£4,000"),
    ("2025-12", "month", "Dec 2025"),
    (True, "bool", "passed"),
    (False, "yesno", "no"),
    (None, "count", "–"),
])
def test_format_value(value, kind, text):
    assert format_value(value, kind) == text


def test_format_value_unknown_kind():
    with pytest.raises(ValueError, match="unknown figure kind"):
        format_value(1.0, "furlongs")


def test_format_change():
    assert format_change(3.0, -1.5, "pct") == f"{M}4.5 points"
    assert format_change(0.25, 0.5, "prob") == "+25.0 points"
    assert format_change(1000, 1100, "count") == "+100 (+10.0%)"


def test_headlines_labelled_with_intervals():
    figures = {"effect_pct_median": -20.512, "effect_pct_lo": -23.987, "effect_pct_hi": -16.873, "p_reduction": 1.0,
               "crimes_averted_median": 20515.406, "crimes_averted_lo": 16333.033, "crimes_averted_hi": 24999.729,
               "placebo_p": 0.005, "n_hotspots": 20}
    shown = {f.label: f.text for f in headline_figures("20-hotspot-policing", figures)}
    assert shown["Effect on crime in the hotspots"] == f"{M}20.5% ({M}24.0% to {M}16.9%)"
    assert shown["Crimes averted"] == "20,515 (16,333 to 25,000)"
    assert shown["Chance that crime fell"] == "100%" and shown["Hotspots"] == "20"
    assert "Change in the surrounding ring" not in shown, "a figure the notebook did not write is left out"


def test_headline_labels_name_the_years():
    figures = {"p_goal_met": 0.0, "target_year": "2027/28", "baseline_year": "2023/24", "target_total": 80000,
               "diagnostics": {"ok": True}}
    shown = {f.label: f.text for f in headline_figures("10-goal-tracking", figures)}
    assert shown == {"Chance of meeting the goal in 2027/28": "0%", "Goal for 2027/28": "80,000", "Sampler checks": "passed"}


def test_backtest_headlines_use_the_longest_horizon():
    figures = {"h6": {"prophet": {"MASE": 0.5, "95% coverage": 0.9}},
               "h12": {"bayesian_negbin": {"MASE": 0.81234, "95% coverage": 0.875}}, "series_left_out": {}}
    shown = {f.label: f.text for f in headline_figures("90-backtest", figures)}
    assert shown == {"Bayesian NegBin: accuracy (MASE), 12 months ahead": "0.81",
                     "Bayesian NegBin: 95% interval coverage, 12 months ahead": "88%"}


def test_unknown_notebook_shows_its_single_values():
    shown = {f.label: f.text for f in headline_figures("55-new", {"n_areas": 1234, "rate_pct": 2.5, "table": {"a": 1}})}
    assert shown == {"Number of areas": "1,234", "Rate %": "+2.5%"}


# ----------------------------------------------------------------------------- previous run, comparison, prune


def _fake_run(root, stamp, run_name="monthly", figures=None, inputs=None, params_sha="p" * 64, commit="c" * 40):
    folder = root / stamp
    (folder / "results").mkdir(parents=True)
    nb = "00-data-overview"
    (folder / "results" / f"{nb}.json").write_text(json.dumps({"figures": figures or {}}))
    (folder / "run.json").write_text(json.dumps({
        "run_name": run_name, "status": "ok", "started_utc": "2026-01-01T00:00:00+00:00", "seed": 1,
        "params_sha256": params_sha, "params": {"data": {"source": "tidy_csv", "path": "x.csv"}},
        "inputs": inputs or [], "git": {"commit": commit, "dirty": False},
        "notebooks": [{"name": nb, "status": "ok", "duration_s": 1.0, "results": f"results/{nb}.json"}],
        "results": {nb: f"results/{nb}.json"},
    }))
    return folder


def test_previous_run_skips_unfinished_other_names_and_later(tmp_path):
    a = _fake_run(tmp_path, "20260101T000000Z")
    _fake_run(tmp_path, "20260201T000000Z", run_name="other")
    (tmp_path / ".incomplete-20260215T000000Z-99").mkdir()
    b = _fake_run(tmp_path, "20260301T000000Z")
    _fake_run(tmp_path, "20260301T000000Z-2")
    (tmp_path / "latest").symlink_to(b.name)
    assert previous_run(tmp_path, "monthly", "20260301T000000Z") == a
    assert previous_run(tmp_path, "monthly", "20260301T000000Z-2") == b
    assert previous_run(tmp_path, "monthly", "20260101T000000Z") is None


def test_compare_names_what_changed(tmp_path):
    inp = [{"path": "/d/x.csv", "bytes": 1, "sha256": "a" * 64}]
    a = _fake_run(tmp_path, "20260101T000000Z", figures={"crime_latest_12m": 1000, "crime_change_pct": 2.0,
                                                          "top_category": "Drugs"}, inputs=inp)
    b = _fake_run(tmp_path, "20260201T000000Z", figures={"crime_latest_12m": 1100, "crime_change_pct": 2.0,
                                                          "top_category": "Drugs"},
                  inputs=[{**inp[0], "sha256": "b" * 64}], commit="d" * 40)
    c = compare(RunRecord.read(a), RunRecord.read(b))
    assert c.data_changed and "x.csv" in c.data_detail and not c.params_changed and c.code_changed
    assert [(m.label, m.before, m.after, m.change) for m in c.moved] == [
        ("Recorded crime, latest 12 months", "1,000", "1,100", "+100 (+10.0%)")]
    assert c.unchanged == 2
    page = write_index(b).read_text()
    assert "What moved since the last run" in page and "data changed" in page and "params unchanged" in page
    assert "code changed" in page and "+100 (+10.0%)" in page


def test_matrix_index_lists_the_members(tmp_path):
    from workbench.run_index import write_matrix_index

    for force, n in (("essex", 1200), ("kent", 980)):
        _fake_run(tmp_path / "m" / force, "20260101T000000Z", figures={"crime_latest_12m": n})
    matrix = tmp_path / "m" / "matrix-20260101T000000Z.json"
    matrix.write_text(json.dumps({"run_name": "m", "status": "ok", "over": "data.forces",
                                  "members": {f: {"status": "ok", "folder": f"{f}/20260101T000000Z"}
                                              for f in ("essex", "kent")}}))
    page = write_matrix_index(matrix)
    assert page == tmp_path / "m" / "matrix-20260101T000000Z.html"
    text = page.read_text()
    assert '<a href="essex/20260101T000000Z/index.html">essex</a>' in text
    assert "Recorded crime, latest 12 months: 1,200" in text and "980" in text


def test_prune_keeps_the_newest(tmp_path):
    runs = [_fake_run(tmp_path, f"2026010{i}T000000Z") for i in range(1, 6)]
    (tmp_path / ".incomplete-20260109T000000Z-1").mkdir()
    (tmp_path / "notes").mkdir()
    (tmp_path / "latest").symlink_to(runs[-1].name)
    assert main(["prune", str(tmp_path), "--keep", "2"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".incomplete-20260109T000000Z-1", "20260104T000000Z", "20260105T000000Z", "latest", "notes"]
    assert prune(tmp_path, 2) == []


def test_prune_bad_input(tmp_path, capsys):
    with pytest.raises(WorkbenchError, match="--keep 0: expected 1 or more"):
        prune(tmp_path, 0)
    _fake_run(tmp_path / "a", "20260101T000000Z")
    assert main(["prune", str(tmp_path), "--keep", "1"]) == 2
    err = capsys.readouterr().err
    assert "holds no run folders" in err and "matrix members (a)" in err


# ----------------------------------------------------------------------------- two real runs on different data


def _tidy_csv(path, scale_last_year: float = 1.0):
    """The CI demo panel as a tidy CSV of district counts; the last 12 months' counts scaled by ``scale_last_year``."""
    from workbench.data import load_panel
    from workbench.data.geography import district_of
    from workbench.params import load_params

    panel = load_panel(load_params(REPO / "params" / "ci.yaml"))
    panel = panel.assign(area=district_of(panel["area_name"]).astype(str))
    tidy = panel.groupby(["period", "area", "category"], observed=True)["count"].sum().reset_index()
    last = tidy["period"] > tidy["period"].max() - __import__("pandas").DateOffset(months=12)
    tidy.loc[last, "count"] = (tidy.loc[last, "count"] * scale_last_year).round().astype(int)
    tidy["period"] = tidy["period"].dt.strftime("%Y-%m")
    tidy.to_csv(path, index=False)


@pytest.mark.notebooks
def test_second_run_says_what_moved_and_that_the_data_changed(tmp_path, ci_params, capsys):
    data = tmp_path / "counts.csv"
    ci_params.update(run_name="monthly", data={"source": "tidy_csv", "path": str(data)},
                     notebooks=[n for n in ci_params["notebooks"] if n["name"] == "00-data-overview"])
    params = tmp_path / "monthly.yaml"
    params.write_text(yaml.safe_dump(ci_params, sort_keys=False))
    out = tmp_path / "outputs"

    _tidy_csv(data)
    first = runner.run(params, out_dir=out)
    assert first.status == "ok", [(n.name, n.error) for n in first.notebooks]
    page = (first.folder / INDEX_NAME).read_text()
    assert "This is the first run of this name" in page
    assert '<a href="00-data-overview.publication.html">Report</a>' in page
    assert "Recorded crime, latest 12 months" in page

    _tidy_csv(data, scale_last_year=1.1)
    assert main(["run", str(params), "--out", str(out)]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    second = sorted(p for p in (out / "monthly").iterdir() if not p.is_symlink())[-1]
    assert printed[-1] == f"index: {second / INDEX_NAME}", "the index path is printed last"
    page = (second / INDEX_NAME).read_text()
    assert "What moved since the last run" in page
    assert "data changed" in page and "counts.csv" in page
    assert "params unchanged" in page
    assert re.search(r"code (unchanged|may have changed)", page), "same commit: the code did not change, or may have"
    moved = re.search(r"<th>Change</th></tr></thead><tbody>(.*?)</tbody>", page, re.S).group(1)
    assert "Recorded crime, latest 12 months" in moved and "Change on the 12 months before" in moved
    first_fig = json.loads((first.folder / "results" / "00-data-overview.json").read_text())["figures"]
    second_fig = json.loads((second / "results" / "00-data-overview.json").read_text())["figures"]
    before, after = first_fig["crime_latest_12m"], second_fig["crime_latest_12m"]
    assert after != before
    assert f"{before:,}" in moved and f"{after:,}" in moved and f"{after - before:+,}" in moved
    assert "Largest crime category" not in moved, "a figure that did not move is not listed"


def test_monthly_examples_use_real_commands():
    import subprocess

    script = REPO / "docs" / "examples" / "monthly-report.sh"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    text = script.read_text()
    for command in ("workbench fetch policeuk", "workbench run", "--pdf", "workbench prune"):
        assert command in text
    flow = yaml.safe_load((REPO / "docs" / "examples" / "monthly-report.yml").read_text())
    steps = flow["jobs"]["report"]["steps"]
    assert any("monthly-report.sh" in s.get("run", "") for s in steps)
    assert flow[True]["schedule"][0]["cron"] == "0 6 15 * *"  # YAML reads the key `on` as True
