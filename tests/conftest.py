"""Shared fixtures: repository paths, the real data folder (optional) and params-file helpers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
#: Real public data beside the repository (see its PROVENANCE.md); tests needing it skip when absent.
SHARED_REAL = Path(os.environ.get("WORKBENCH_SHARED_DATA", REPO.parent / "shared" / "data" / "real"))


@pytest.fixture(autouse=True, scope="session")
def _private_panel_cache(tmp_path_factory):
    """Tests never read or write the user's panel cache."""
    old = os.environ.get("WORKBENCH_CACHE")
    os.environ["WORKBENCH_CACHE"] = str(tmp_path_factory.mktemp("panel-cache"))
    yield
    if old is None:
        os.environ.pop("WORKBENCH_CACHE", None)
    else:
        os.environ["WORKBENCH_CACHE"] = old


@pytest.fixture
def shared_real() -> Path:
    if not SHARED_REAL.is_dir():
        pytest.skip(f"real data folder {SHARED_REAL} is absent")
    return SHARED_REAL


@pytest.fixture
def ci_params() -> dict:
    return yaml.safe_load((REPO / "params" / "ci.yaml").read_text())


@pytest.fixture
def write_params(tmp_path):
    """Write a params dict (or raw text) to a YAML file under tmp_path and return its path."""

    def write(content, name: str = "run.yaml") -> Path:
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False))
        return path

    return write


BAD = REPO / "tests" / "data" / "bad"


@pytest.fixture
def params_for(write_params, ci_params):
    """A params file reading ``path`` with data source ``source`` (everything else as in params/ci.yaml)."""

    def make(source: str, path, **data) -> Path:
        ci_params["data"] = {"source": source, "path": str(path), **data}
        return write_params(ci_params)

    return make


def write_raising_notebooks(folder: Path) -> Path:
    """A notebooks folder holding the real overview notebook and ``99-raises``, which raises after its parameters."""
    import nbformat

    nbdir = folder / "notebooks"
    nbdir.mkdir()
    src = nbformat.read(REPO / "notebooks" / "00-data-overview.ipynb", as_version=4)
    nbformat.write(src, nbdir / "00-data-overview.ipynb")
    at = next(i for i, c in enumerate(src.cells) if "parameters" in c.metadata.get("tags", []))
    src.cells.insert(at + 1, nbformat.v4.new_code_cell('raise RuntimeError("boom: a deliberate failure")'))
    nbformat.write(src, nbdir / "99-raises.ipynb")
    return nbdir
