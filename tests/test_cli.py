"""Bad input at the command line: one clear message, exit code 2, nothing written under the output folder."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO
from workbench.cli import main


def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(
    "case, expected",
    [
        ("missing", "params file"),
        ("unknown_key", "unknown key 'colour'"),
        ("wrong_type", "key 'seed'"),
        ("unknown_notebook", "unknown notebook '42-nothing'"),
        ("missing_data", "key 'data.path'"),
        ("bad_data", "column 'count'"),
        ("empty_period", "holds no data"),
        ("unknown_area", "areas: Atlantis not found"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(case, expected, tmp_path, write_params, ci_params, capsys):
    out = tmp_path / "outputs"
    if case == "missing":
        path = tmp_path / "absent.yaml"
    else:
        if case == "unknown_key":
            ci_params["colour"] = "blue"
        elif case == "wrong_type":
            ci_params["seed"] = "x"
        elif case == "unknown_notebook":
            ci_params["notebooks"].append({"name": "42-nothing"})
        elif case == "missing_data":
            ci_params["data"] = {"source": "tidy_csv", "path": "gone.csv"}
        elif case == "bad_data":
            (tmp_path / "bad.csv").write_text("period,area,category,count\n2025-01,A,Burglary,3\n2025-02,A,Burglary,lots\n")
            ci_params["data"] = {"source": "tidy_csv", "path": "bad.csv"}
        elif case == "empty_period":
            ci_params["period"] = {"start": "2030-01", "end": None}
        elif case == "unknown_area":
            ci_params["areas"] = ["Atlantis"]
        path = write_params(ci_params)
    before = path.read_bytes() if path.exists() else None
    code, stdout, stderr = _run(capsys, "run", str(path), "--out", str(out))
    assert code == 2
    assert stderr.startswith("error: ") and expected in stderr
    assert "Traceback" not in stderr
    assert not out.exists() or not any(out.rglob("*")), "nothing may be written on bad input"
    if before is not None:
        assert path.read_bytes() == before, "the params file must not change"


def test_bad_data_error_names_file_line_and_column(tmp_path, write_params, ci_params, capsys):
    (tmp_path / "bad.csv").write_text("period,area,category,count\n2025-01,A,Burglary,3\n2025-02,A,Burglary,-4\n")
    ci_params["data"] = {"source": "tidy_csv", "path": "bad.csv"}
    code, _, err = _run(capsys, "check", str(write_params(ci_params)))
    assert code == 2
    assert f"{tmp_path / 'bad.csv'} line 3, column 'count': expected a whole number >= 0, got '-4'" in err


def test_only_must_name_a_listed_notebook(tmp_path, capsys):
    code, _, err = _run(capsys, "run", str(REPO / "params" / "ci.yaml"), "--only", "10-goal", "--out", str(tmp_path / "o"))
    assert code == 2 and "--only 10-goal: not a notebook of" in err
    assert not (tmp_path / "o").exists()


def test_check_prints_coverage(capsys):
    code, out, _ = _run(capsys, "check", str(REPO / "params" / "ci.yaml"))
    assert code == 0 and "ok — run 'ci'" in out and "2017-04" in out


def test_notebooks_lists_parameters(capsys):
    code, out, _ = _run(capsys, "notebooks")
    assert code == 0 and "00-data-overview: top_n=10, recent_months=12" in out


def test_console_script_is_installed(tmp_path):
    exe = REPO / ".venv" / "bin" / "workbench"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "workbench.cli"]
    out = subprocess.run([*cmd, "run", str(tmp_path / "nope.yaml")], capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr.startswith("error: params file") and "Traceback" not in out.stderr
