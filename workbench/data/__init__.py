"""Data in: every source becomes the one tidy panel of :mod:`workbench.data.panel`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.data import demo, homeoffice, policeuk
from workbench.data.cache import cached_panel
from workbench.data.geography import district_of
from workbench.data.panel import coverage, read_tidy_csv, validate_panel
from workbench.errors import DataError
from workbench.params import RunParams

__all__ = ["load_panel", "input_files", "coverage", "validate_panel"]


def load_panel(run: RunParams) -> pd.DataFrame:
    """Load the panel a run's ``data`` section names, restricted to its ``period`` and ``areas``.

    ``period`` bounds are inclusive months. ``areas`` are matched against the
    area name and, for LSOAs, the district / CSP the LSOA belongs to. What the
    loader noticed (duplicate files resolved, unavailable cells left out) is in
    ``panel.attrs["notes"]`` and ``panel.attrs["warnings"]``; whether the
    panel came from the parquet cache is in ``panel.attrs["cached"]``.
    """
    data = run.data
    if data.source == "demo":
        o = data.demo
        panel, notes, warnings, cached = demo.generate(run.seed, o.start, o.end, o.lsoa_fraction), [], [], False
    else:
        root = Path(data.path)
        options = {"forces": data.forces, "force": data.force if data.source == "tidy_csv" else None}

        def build(notes: list[str], warnings: list[str]) -> pd.DataFrame:
            return _read_source(data.source, root, data, notes, warnings)

        panel, notes, warnings, cached = cached_panel(data.source, root, input_files(run), options, build, data.cache)
        panel = _keep_forces(panel, data.forces, root)
    out = restrict(panel, run)
    out.attrs.update(notes=list(notes), warnings=list(warnings), cached=cached)
    return out


def _read_source(source: str, root: Path, data, notes: list[str], warnings: list[str]) -> pd.DataFrame:
    if source == "tidy_csv":
        return read_tidy_csv(root, data.force)
    if source == "policeuk":
        report = policeuk.LoadReport(notes, warnings)
        return policeuk.read_street(root, data.forces, report)
    if source == "policeuk_counts":
        return policeuk.read_counts_csv(root, data.forces)
    if source == "homeoffice_quarterly":
        return homeoffice.read_ho_quarterly(root, warnings, list(data.forces or []) or None)
    if source == "ons_table":
        return homeoffice.read_ons_table(root, warnings, list(data.forces or []) or None)
    raise DataError(f"data.source '{source}' has no loader")  # pragma: no cover - the schema allows nothing else


def _keep_forces(panel: pd.DataFrame, forces: list[str] | None, root: Path) -> pd.DataFrame:
    if not forces:
        return panel
    present = set(panel["force"].astype(str))
    unknown = [f for f in forces if f not in present]
    if unknown:
        raise DataError(
            f"data.forces: {', '.join(unknown)} not found in {root}. Forces present: {', '.join(sorted(present)[:50])}."
        )
    out = panel.loc[panel["force"].isin(forces)].reset_index(drop=True)
    for col in out.select_dtypes("category"):
        out[col] = out[col].cat.remove_unused_categories()
    return out


def restrict(panel: pd.DataFrame, run: RunParams) -> pd.DataFrame:
    """Keep the run's period and areas; an area or window with no rows is an error, not an empty report."""
    if panel.empty:
        raise DataError(f"{run.data.path or run.data.source}: no rows to analyse. Fix: check data.path and data.forces.")
    keep = pd.Series(True, index=panel.index)
    if run.period.start:
        keep &= panel["period"] >= pd.Timestamp(f"{run.period.start}-01")
    if run.period.end:
        keep &= panel["period"] <= pd.Timestamp(f"{run.period.end}-01")
    if not keep.any():
        raise DataError(
            f"period {run.period.start or '…'} to {run.period.end or '…'} holds no data "
            f"(the data runs {panel['period'].min():%Y-%m} to {panel['period'].max():%Y-%m}). Fix: change 'period'."
        )
    if run.areas:
        names = panel["area_name"]
        district = district_of(names)
        known = set(names.astype(str)) | set(district.astype(str))
        unknown = [a for a in run.areas if a not in known]
        if unknown:
            sample = ", ".join(sorted(set(district.astype(str)))[:20])
            raise DataError(f"areas: {', '.join(unknown)} not found in the data. Known areas include: {sample}.")
        keep &= names.isin(run.areas).to_numpy() | district.isin(run.areas).to_numpy()
    if keep.all():
        return panel
    out = panel.loc[keep].reset_index(drop=True)
    for col in out.select_dtypes("category"):
        out[col] = out[col].cat.remove_unused_categories()
    return out


def input_files(run: RunParams) -> list[Path]:
    """The files a run reads (hashed into its manifest); none for the generated demo data."""
    if run.data.path is None:
        return []
    root = Path(run.data.path)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
