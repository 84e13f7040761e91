"""Every check that params and data allow, made before anything is fitted: exit code 2, one message naming the
params file's line, the key, the value and the fix, and nothing written under the output folder.

The checks fit nothing, so each case takes the time of loading the CI demo panel.
"""

from __future__ import annotations

import time

import pandas as pd
import pytest

from workbench.checks import CHECKS, check_notebooks
from workbench.cli import main
from workbench.data import load_panel
from workbench.errors import ParamDataError
from workbench.evaluations import goal as G
from workbench.models.series import SeriesLayout, layout
from workbench.params import NOTEBOOK_PARAMS, SamplerSection, load_params
from workbench.runner import check_members


def entry(params: dict, name: str) -> dict:
    """The ``parameters`` of notebook ``name`` in a params dict (made if absent)."""
    e = next(e for e in params["notebooks"] if e["name"] == name)
    return e.setdefault("parameters", {})


def line_of(path, text: str, after: str | None = None) -> int:
    """1-based line of the first line of ``path`` holding ``text`` (after the first line holding ``after``)."""
    lines = path.read_text().splitlines()
    start = next(i for i, s in enumerate(lines) if after in s) if after else 0
    return next(i for i, s in enumerate(lines) if i >= start and text in s) + 1


def run_bad(capsys, path, out, *extra) -> str:
    """``workbench run`` on a bad params file: exit code 2, one error, no traceback, nothing under ``out``."""
    t0 = time.perf_counter()
    code = main(["run", str(path), "--out", str(out), *extra])
    seconds = time.perf_counter() - t0
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("error: ") and "Traceback" not in err and "Fix" in err, err
    assert not out.exists() or not any(out.rglob("*")), "nothing may be written on bad input"
    assert seconds < 120, f"a check took {seconds:.0f} s: checks must not fit anything"
    return err


# ----------------------------------------------------------------------------- 10-goal-tracking


def test_baseline_year_the_data_do_not_cover_fails_at_once(tmp_path, write_params, ci_params, capsys):
    """Demo data ending 2022-12 with the default baseline FY 2023/24: stopped before any fit, naming the
    baseline's months, the data's last month and the fix."""
    ci_params["data"]["demo"]["end"] = "2022-12"
    path = write_params(ci_params)
    err = run_bad(capsys, path, tmp_path / "out")
    line = line_of(path, "parameters:", after="name: 10-goal-tracking")
    assert f"{path} line {line}: key 'notebooks[10-goal-tracking].baseline_year' (not set in the file: its default)" in err
    assert "2023 is FY 2023/24, 2023-04 to 2024-03" in err and "the data run 2017-04 to 2022-12" in err
    assert "Fix: baseline_year 2021 (FY 2021/22, the last year the data cover in full)" in err
    code = main(["check", str(path)])
    assert code == 2 and "baseline_year" in capsys.readouterr().err


def test_target_year_the_data_run_past(tmp_path, write_params, ci_params, capsys):
    entry(ci_params, "10-goal-tracking").update(baseline_year=2020, target_year=2024)
    path = write_params(ci_params)
    err = run_bad(capsys, path, tmp_path / "out")
    assert f"line {line_of(path, 'target_year: 2024')}: key 'notebooks[10-goal-tracking].target_year': 2024" in err
    assert "FY 2024/25, which ends 2025-03, but the data run 2017-04 to 2025-12: nothing is left to forecast" in err


def test_goal_category_not_in_the_data(tmp_path, write_params, ci_params, capsys):
    entry(ci_params, "10-goal-tracking")["categories"] = ["Burglary", "Burgalry"]
    err = run_bad(capsys, write_params(ci_params), tmp_path / "out")
    assert "key 'notebooks[10-goal-tracking].categories': goal categories not in the data: ['Burgalry']" in err


def test_goal_notebook_stops_on_the_same_check_before_fitting():
    """The notebook's own path (run_models) makes the same check first: no fit starts on data that cannot answer."""
    run = load_params_ci(end="2022-12")
    panel = load_panel(run)
    p = NOTEBOOK_PARAMS["10-goal-tracking"].model_validate(run.notebook("10-goal-tracking").parameters)
    t0 = time.perf_counter()
    with pytest.raises(ParamDataError, match=r"baseline_year: 2023 is FY 2023/24.*2022-12") as exc:
        G.run_models(panel, p, SamplerSection(draws=10, tune=10, chains=1), 1, say=lambda s: None)
    assert exc.value.key == ("baseline_year",) and time.perf_counter() - t0 < 60


def _layout(months: list[str]) -> SeriesLayout:
    periods = pd.date_range(months[0], months[-1], freq="MS")
    keys = pd.DataFrame({"area": ["A"], "category": ["Burglary"]})
    return SeriesLayout(periods, "M", keys, periods.isin(pd.DatetimeIndex(months)))


def test_goal_year_checks_by_hand():
    full = [f"{m:%Y-%m-%d}" for m in pd.date_range("2022-04-01", "2025-06-01", freq="MS")]
    G.check_years(G.Goal(2023, 2027), _layout(full))  # FY 2023/24 recorded, data end inside FY 2025/26
    gap = [m for m in full if not m.startswith("2023-07")]
    with pytest.raises(ParamDataError, match=r"2023-07 not recorded.*Fix: baseline_year 2024") as exc:
        G.check_years(G.Goal(2023, 2027), _layout(gap))
    assert exc.value.key == ("baseline_year",)
    late_gap = [m for m in full if not m.startswith("2025-01")]
    with pytest.raises(Exception, match=r"latest 12 months.*2025-01 of them are not recorded"):
        G.check_years(G.Goal(2023, 2027), _layout(late_gap))
    with pytest.raises(ParamDataError, match="nothing is left to forecast"):
        G.check_years(G.Goal(2022, 2023), _layout(full))


# ----------------------------------------------------------------------------- 20-hotspot-policing


def test_hotspot_code_not_in_the_data(tmp_path, write_params, ci_params, capsys):
    entry(ci_params, "20-hotspot-policing")["hotspots"] = ["E01900000", "E01999999"]
    path = write_params(ci_params)
    err = run_bad(capsys, path, tmp_path / "out")
    assert (f"line {line_of(path, 'E01999999')}: key 'notebooks[20-hotspot-policing].hotspots[1]': 'E01999999' is not "
            "an LSOA code or name in the data") in err


def test_hotspot_name_not_in_the_data(tmp_path, write_params, ci_params, capsys):
    entry(ci_params, "20-hotspot-policing")["hotspots"] = ["Basildon 999Z"]
    err = run_bad(capsys, write_params(ci_params), tmp_path / "out")
    assert "hotspots[0]': 'Basildon 999Z' is not an LSOA code or name in the data" in err


def test_hotspot_start_after_the_data_end_names_both_months(tmp_path, write_params, ci_params, capsys):
    entry(ci_params, "20-hotspot-policing")["start"] = "2026-03"
    path = write_params(ci_params)
    err = run_bad(capsys, path, tmp_path / "out")
    assert (f"line {line_of(path, 'start:', after='20-hotspot-policing')}: key 'notebooks[20-hotspot-policing].start': "
            "2026-03 is after the data's last month 2025-12") in err
    assert "Fix: a start of 2025-10 or earlier" in err


def test_hotspot_start_with_too_little_data_before_it(tmp_path, write_params, ci_params, capsys):
    """The window needs 6 covered months before the start (not all of pre_months: real downloads have gaps)."""
    entry(ci_params, "20-hotspot-policing").update(start="2017-08", placebo_offsets=[3])
    err = run_bad(capsys, write_params(ci_params), tmp_path / "out")
    assert "key 'notebooks[20-hotspot-policing].start': only 4 month(s) of data before the start 2017-08" in err
    assert "at least 6 are needed" in err


def test_hotspot_placebo_start_before_the_data(tmp_path, write_params, ci_params, capsys):
    """A placebo-in-time start once failed only after the two main fits."""
    e = entry(ci_params, "20-hotspot-policing")
    e.update(start="2018-01")  # 9 months before it; the default offsets 12 and 6
    e.pop("placebo_offsets", None)
    err = run_bad(capsys, write_params(ci_params), tmp_path / "out")
    assert "key 'notebooks[20-hotspot-policing].placebo_offsets[0]' (not set in the file: its default): a fake start " \
           "12 months before 2018-01 leaves 0 month(s) before" in err


def test_hotspot_category_not_in_the_data(tmp_path, write_params, ci_params, capsys):
    entry(ci_params, "20-hotspot-policing")["categories"] = ["Anti-social behaviour", "Burglaries"]
    err = run_bad(capsys, write_params(ci_params), tmp_path / "out")
    assert "key 'notebooks[20-hotspot-policing].categories': hotspot categories ['Burglaries'] are not in the data" in err


# ----------------------------------------------------------------------------- 30-vvu-return


def test_vvu_treated_force_not_in_the_data(tmp_path, write_params, ci_params, capsys):
    entry(ci_params, "30-vvu-return")["treated"] = "gotham"
    path = write_params(ci_params)
    err = run_bad(capsys, path, tmp_path / "out")
    assert f"line {line_of(path, 'treated: gotham')}: key 'notebooks[30-vvu-return].treated': 'gotham' is not a force" in err
    assert "essex" in err


@pytest.mark.parametrize("start, words", [("2026-01", "2026-01 is after the data's last month: the data run 2012-04 to 2024-03"),
                                          ("2012-05", "at or before the data's first quarter")])
def test_vvu_start_outside_the_data(tmp_path, write_params, ci_params, capsys, start, words):
    entry(ci_params, "30-vvu-return")["start"] = start
    err = run_bad(capsys, write_params(ci_params), tmp_path / "out")
    assert "key 'notebooks[30-vvu-return].start': " + (start if start == "2026-01" else "2012-05 (its quarter from 2012-04)") in err
    assert words in err


# ----------------------------------------------------------------------------- 40-scorecard and 90-backtest


def test_scorecard_break_outside_its_chart(tmp_path, write_params, ci_params, capsys):
    entry(ci_params, "40-scorecard")["breaks"] = {"999 calls answered within 10 seconds": ["2023-04", "2030-01"]}
    err = run_bad(capsys, write_params(ci_params), tmp_path / "out")
    assert ("key 'notebooks[40-scorecard].breaks['999 calls answered within 10 seconds'][1]': 2030-01 is outside the "
            "chart of '999 calls answered within 10 seconds' (2021-04 to 2025-12)") in err


@pytest.mark.parametrize("origin, words", [
    ("2019-04", "backtest origin 2019-04 leaves under three years of history to fit (24 months"),
    ("2025-06", "backtest origin 2025-06 + 12 periods runs past the data's end 2025-12, so the forecasts have no outcomes"),
    ("2031-01", "backtest origin 2031-01 is not a period of the data"),
])
def test_backtest_origin_without_history_or_outcomes(tmp_path, write_params, ci_params, capsys, origin, words):
    entry(ci_params, "90-backtest")["origins"] = ["2023-04", origin]
    err = run_bad(capsys, write_params(ci_params), tmp_path / "out")
    assert f"key 'notebooks[90-backtest].origins[1]': {words}" in err and "Fix: origins from 2020-04 to 2025-01" in err


# ----------------------------------------------------------------------------- the run as a whole


def test_out_pointing_at_a_file(tmp_path, capsys, write_params, ci_params):
    path = write_params(ci_params)
    target = tmp_path / "report.txt"
    target.write_text("keep me")
    err = run_bad(capsys, path, target)  # run_bad's "nothing written" holds trivially for a file; check it is unchanged
    assert f"--out {target}: is a file, not a folder. Fix: give a folder" in err
    assert target.read_text() == "keep me"
    err = run_bad(capsys, path, target / "sub")
    assert f"--out {target / 'sub'}: lies under {target}, which is a file, not a folder" in err


def test_every_matrix_member_is_checked_before_anything_runs(tmp_path, write_params, ci_params, capsys):
    """A matrix over areas with a hotspot in one area only: the other member stops the run, and nothing is written,
    not even the folder of the member that would have passed."""
    ci_params["matrix"] = {"over": "areas", "values": ["Basildon", "Harlow"]}
    ci_params["notebooks"] = [{"name": "20-hotspot-policing",
                               "parameters": {"hotspots": ["Basildon 001A"], "ring_m": 650, "buffer_m": 650}}]
    err = run_bad(capsys, write_params(ci_params), tmp_path / "out")
    assert "matrix member 'harlow': " in err and "hotspots[0]': 'Basildon 001A' is not an LSOA code or name" in err


def test_only_the_notebooks_that_will_run_are_checked(write_params, ci_params):
    entry(ci_params, "20-hotspot-policing")["hotspots"] = ["E01999999"]
    params = load_params(write_params(ci_params))
    assert len(check_members(params, ["00-data-overview", "40-scorecard"])) == 1
    with pytest.raises(Exception, match="E01999999"):
        check_members(params)


def test_the_shipped_params_pass_their_checks():
    """The CI run's own parameters pass every check (so the checks do not refuse good input), in a few seconds."""
    run = load_params_ci()
    t0 = time.perf_counter()
    assert check_notebooks(run, load_panel(run)) == [e.name for e in run.notebooks if e.name in CHECKS]
    assert time.perf_counter() - t0 < 60
    assert set(layout(load_panel(run)).keys["category"]) >= {"Burglary"}


def load_params_ci(**demo):
    from conftest import REPO

    run = load_params(REPO / "params" / "ci.yaml")
    if demo:
        run = run.model_copy(update={"data": run.data.model_copy(update={"demo": run.data.demo.model_copy(update=demo)})})
    return run
