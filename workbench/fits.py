"""Saved fits: every Bayesian fit of a run, kept as netCDF in its run folder and reopened without refitting.

When a notebook runs under ``workbench run`` (``results_dir`` set), :func:`workbench.params.notebook_config` turns
saving on, and every posterior the shared sampler draws (:func:`workbench.models.sampling.sample`: the pooled
Negative Binomial of goal tracking and the backtest, the interrupted time series and the synthetic control of the
hotspot and VVU evaluations, their placebo and pre-trend refits) is written as it is drawn to::

    <run folder>/fits/<notebook>/<fit>.nc      e.g. fits/10-goal-tracking/pooled-forecaster.nc

The file is the ``xarray.DataTree`` PyMC returns (posterior, sample_stats, ...), written with h5netcdf. Its root
attributes say what produced it: ``workbench_params`` (the run's params as resolved, JSON), ``workbench_inputs``
(path, size and sha256 of every input file, JSON, as in ``run.json``), ``workbench_seed``, ``workbench_label``,
``workbench_notebook``, ``workbench_git_commit`` (and ``workbench_git_dirty``) and ``workbench_version``. In JupyterLab::

    from workbench.fits import open_fit, fit_info, list_fits
    list_fits("outputs/demo/latest")                       # ['10-goal-tracking/pooled-forecaster', ...]
    post = open_fit("outputs/demo/latest", "pooled-forecaster")
    fit_info(post)["params"]["seed"]

A notebook opened on its own (``results_dir`` None) saves nothing.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from workbench.errors import DataError

FITS_DIR = "fits"
ENGINE = "h5netcdf"
ATTR_PREFIX = "workbench_"


@dataclass
class _Saving:
    """Where the fits of the notebook now running go, and what each file's attributes carry."""

    folder: Path
    attrs: dict[str, str]
    names: set[str] = field(default_factory=set)


_current: _Saving | None = None


def use(cfg) -> Path | None:
    """Save every later fit of this kernel for the notebook of ``cfg`` (a :class:`~workbench.params.NotebookConfig`).

    Called by :func:`~workbench.params.notebook_config`. With ``cfg.results_dir`` None saving is off. Returns the
    folder the fits go to.
    """
    global _current
    if cfg.results_dir is None:
        _current = None
        return None
    folder = (Path(cfg.results_dir).resolve().parent / FITS_DIR / cfg.name)
    _current = _Saving(folder, provenance(cfg))
    return folder


def stop() -> None:
    """Save no more fits in this kernel."""
    global _current
    _current = None


def provenance(cfg) -> dict[str, str]:
    """The attributes every saved fit of ``cfg``'s notebook carries: params as resolved, input hashes, code state."""
    from workbench import __version__
    from workbench.data import input_files
    from workbench.runner import git_state, sha256

    git = git_state()
    inputs = [{"path": str(p), "bytes": p.stat().st_size, "sha256": sha256(p)} for p in input_files(cfg.run)]
    return {
        "notebook": cfg.name,
        "run_name": cfg.run.run_name,
        "params": json.dumps(cfg.run.model_dump(mode="json"), sort_keys=True),
        "inputs": json.dumps(inputs),
        "git_commit": str(git["commit"]),
        "git_dirty": str(git["dirty"]),
        "version": str(__version__),
    }


def fit_name(label: str) -> str:
    """A file name from a sampler label: ``"the fit with the evidence prior"`` → ``fit-with-the-evidence-prior``."""
    text = re.sub(r"^the\s+", "", label.strip().lower())
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "fit"


def record(idata, label: str, seed: int):
    """Save ``idata`` (a fit just drawn) when saving is on; return it unchanged either way."""
    if _current is None:
        return idata
    name = fit_name(label)
    n = 1
    while (f"{name}-{n}" if n > 1 else name) in _current.names:
        n += 1
    name = f"{name}-{n}" if n > 1 else name
    _current.names.add(name)
    save(idata, _current.folder / f"{name}.nc", {**_current.attrs, "fit": name, "label": label, "seed": str(seed)})
    return idata


def save(idata, path: Path, attrs: dict[str, str]) -> Path:
    """Write a DataTree to ``path`` (netCDF, h5netcdf) with ``attrs`` (prefixed ``workbench_``) on its root."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tree = idata.copy()
    tree.attrs = {**tree.attrs, **{ATTR_PREFIX + k: v for k, v in attrs.items()},
                  ATTR_PREFIX + "saved_utc": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tree.to_netcdf(tmp, engine=ENGINE)
    os.replace(tmp, path)
    return path


def list_fits(run_dir: str | Path) -> list[str]:
    """The saved fits of a run folder, as ``<notebook>/<fit>`` names, sorted."""
    root = Path(run_dir) / FITS_DIR
    return sorted(p.relative_to(root).with_suffix("").as_posix() for p in root.glob("*/*.nc"))


def fit_path(run_dir: str | Path, name: str) -> Path:
    """The file of fit ``name`` (``<notebook>/<fit>``, or ``<fit>`` when only one notebook saved it)."""
    saved = list_fits(run_dir)
    hits = [s for s in saved if s == name or s.split("/", 1)[1] == name]
    if len(hits) != 1:
        listed = ", ".join(saved) or "none (it was run before fits were saved, or by a notebook opened on its own)"
        why = "is saved by several notebooks" if hits else "is not saved there"
        raise DataError(f"{run_dir}: fit '{name}' {why}. Saved fits: {listed}. Fix: give one of these names.")
    return Path(run_dir) / FITS_DIR / f"{hits[0]}.nc"


def open_fit(run_dir: str | Path, name: str):
    """Reopen a saved fit as an ``xarray.DataTree``, loaded into memory (the file is closed again).

    Parameters
    ----------
    run_dir
        A run folder (``outputs/<run-name>/<stamp>`` or ``.../latest``).
    name
        ``<notebook>/<fit>`` as :func:`list_fits` gives, or just ``<fit>`` when it is unique.
    """
    import xarray as xr

    path = fit_path(run_dir, name)
    with xr.open_datatree(path, engine=ENGINE) as tree:
        return tree.load()


def fit_info(tree) -> dict[str, Any]:
    """What produced a saved fit: its attributes with ``params`` and ``inputs`` decoded from JSON."""
    out = {k.removeprefix(ATTR_PREFIX): v for k, v in tree.attrs.items() if k.startswith(ATTR_PREFIX)}
    for key in ("params", "inputs"):
        if key in out:
            out[key] = json.loads(out[key])
    return out
