"""The pinned dependency lists agree, and the tool chain finds a suitable Python."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib

import yaml
from packaging.requirements import Requirement

from conftest import REPO


def _pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    pins = {}
    for text in reqs:
        req = Requirement(text)
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", f"pyproject.toml: '{text}' is not pinned with =="
        pins[req.name.lower()] = specs[0].version
    return pins


def _conda_pins() -> dict[str, str]:
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if not isinstance(dep, str):
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*==\s*(\S+)", dep)
        if m:
            pins[m.group(1).lower()] = m.group(2)
    return pins


def test_environment_yml_carries_the_same_pins_as_pyproject():
    py, conda = _pyproject_pins(), _conda_pins()
    assert py, "no pins read from pyproject.toml"
    missing = sorted(set(py) - set(conda))
    extra = sorted(set(conda) - set(py))
    differ = {k: (py[k], conda[k]) for k in set(py) & set(conda) if py[k] != conda[k]}
    assert not missing, f"environment.yml lacks {missing}"
    assert not extra, f"environment.yml pins {extra}, which pyproject.toml does not list"
    assert not differ, f"pins differ (pyproject, environment.yml): {differ}"


def test_environment_yml_python_matches_requires_python():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.12"
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pythons = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python")]
    assert pythons and ">=3.12" in pythons[0]


def test_lock_file_agrees_with_pins():
    lock = {}
    for line in (REPO / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            lock[re.sub(r"[-_.]+", "-", name.strip().lower())] = version.strip()
    for name, version in _pyproject_pins().items():
        key = re.sub(r"[-_.]+", "-", name)
        assert lock.get(key) == version, f"requirements.lock has {name}=={lock.get(key)}, pyproject.toml {version}"


def test_find_python_picks_312_or_newer():
    out = subprocess.run(["bash", str(REPO / "scripts" / "find-python.sh")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    version = subprocess.run([out.stdout.strip(), "-c", "import sys; print(sys.version_info[:2] >= (3, 12))"],
                             capture_output=True, text=True)
    assert version.stdout.strip() == "True"


def test_find_python_fails_clearly_when_none(tmp_path):
    # A PATH with only an old python3 and no pyenv: the script must explain, not pick it.
    fake = tmp_path / "bin"
    fake.mkdir()
    old = fake / "python3"
    old.write_text("#!/bin/sh\nexit 1\n")
    old.chmod(0o755)
    for tool in ("ls", "cat"):
        (fake / tool).symlink_to(shutil.which(tool))
    env = {"PATH": str(fake), "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path / "nopyenv")}
    out = subprocess.run([shutil.which("bash"), str(REPO / "scripts" / "find-python.sh")], capture_output=True, text=True, env=env)
    assert out.returncode == 1
    assert "no Python >= 3.12 found" in out.stderr and "make PYTHON=" in out.stderr


def test_find_python_rejects_a_bad_PYTHON(tmp_path):
    env = {"PATH": str(tmp_path), "PYTHON": "/nonexistent/python", "HOME": str(tmp_path)}
    out = subprocess.run([shutil.which("bash"), str(REPO / "scripts" / "find-python.sh")], capture_output=True, text=True, env=env)
    assert out.returncode == 1 and "PYTHON=/nonexistent/python" in out.stderr


def test_ci_calls_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    assert "make report" in readme and "make test" in readme
    assert "make test" in (REPO / ".ci" / "run").read_text()
