"""Shared fixtures: repository paths, the real data folder (optional) and params-file helpers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
#: Real public data beside the repository (see its PROVENANCE.md); tests needing it skip when absent.
SHARED_REAL = Path(os.environ.get("WORKBENCH_SHARED_DATA", REPO.parent / "shared" / "data" / "real"))


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
