"""Source notebooks are clean and their parameters cells match the params schema; golden notebooks are current."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import nbformat
import papermill as pm
import pytest

from conftest import REPO
from workbench.params import CELL_KEYS, NOTEBOOK_PARAMS, RUNTIME_KEYS, SHARED_KEYS, load_params

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
GOLDEN = REPO / "tests" / "golden"


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_source_notebooks_carry_no_outputs(path):
    nb = json.loads(path.read_text())
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_is_one_mapping(path):
    """The cell declares one params mapping and the results folder: every default is in the schema, so a new
    parameter is one edit there."""
    declared = pm.inspect_notebook(str(path))
    assert set(declared) == set(CELL_KEYS), f"{path.name}: parameters cell declares {sorted(declared)}, not {CELL_KEYS}"
    assert ast.literal_eval(declared["params"]["default"]) == {}
    assert ast.literal_eval(declared["results_dir"]["default"]) is None
    code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    assert f'notebook_config("{path.stem}", params, results_dir, globals())' in code
    assert path.stem in NOTEBOOK_PARAMS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_cell_reuses_a_name_the_params_are_read_from(path):
    """``notebook_config`` reads a params file's top-level keys from the notebook's globals (``papermill -f``): no
    cell may assign those names, or re-running the first cells in JupyterLab would read a stale value."""
    reserved = {*SHARED_KEYS, *RUNTIME_KEYS, *CELL_KEYS}
    for i, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        stored = {n.id for n in ast.walk(ast.parse(cell.source)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        assert not stored & reserved, f"{path.name} cell {i} assigns {sorted(stored & reserved)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_golden_notebook_is_current(path):
    ci = load_params(REPO / "params" / "ci.yaml")
    if path.stem not in [e.name for e in ci.notebooks]:
        pytest.fail(f"{path.stem} is not in params/ci.yaml, so CI never runs it")
    golden = GOLDEN / path.name
    assert golden.exists(), f"no golden copy of {path.name}; run `make golden`"
    src = nbformat.read(path, as_version=4)
    gold = nbformat.read(golden, as_version=4)
    gold_cells = [c for c in gold.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    assert [c.source for c in gold_cells] == [c.source for c in src.cells], (
        f"tests/golden/{path.name} was made from an older {path.name}; run `make golden` and review the diff"
    )
    injected = [c for c in gold.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "results_dir = None" in injected[0].source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_golden_notebooks_carry_no_warnings(path):
    """A warning in stderr carries paths and line numbers that move: fix its cause rather than store it."""
    gold = nbformat.read(GOLDEN / path.name, as_version=4)
    stderr = [i for i, c in enumerate(gold.cells) for o in c.get("outputs", []) if o.get("name") == "stderr"]
    assert not stderr, f"tests/golden/{path.name}: cells {stderr} write to stderr"


def test_golden_check_fails_when_a_reported_number_moves(tmp_path):
    """nbval must catch a changed figure: tamper with one printed number in a copy of a golden notebook."""
    golden = GOLDEN / NOTEBOOKS[0].name
    nb = nbformat.read(golden, as_version=4)
    tampered = False
    row = "All crime (excl. ASB)"
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/plain", "")
            lines = text.splitlines()
            hits = [k for k, line in enumerate(lines) if line.startswith(row)]
            if hits and not tampered:
                # Change the first digit of the first figure on that line (the latest 12 months' count).
                i = hits[0]
                head, value = lines[i][: len(row)], lines[i][len(row):]
                j = next(k for k, ch in enumerate(value) if ch.isdigit())
                new = ("9" if value[j] != "9" else "1")
                lines[i] = head + value[:j] + new + value[j + 1:]
                new = lines[i].split()[len(row.split())]
                out["data"]["text/plain"] = "\n".join(lines)
                tampered = True
    assert tampered, f"the golden notebook no longer shows a row '{row}'"
    copy = tmp_path / golden.name
    nbformat.write(nb, copy)
    res = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", str(GOLDEN / "sanitize.cfg"), str(copy)],
        capture_output=True, text=True, cwd=tmp_path, timeout=600,
    )
    assert res.returncode == 1, res.stdout[-2000:]
    assert "1 failed" in res.stdout and "Cell outputs differ" in res.stdout
    assert new in res.stdout, "the diff shows the moved number"
