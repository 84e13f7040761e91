"""Data in: every source becomes the one tidy panel of :mod:`workbench.data.panel`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.data import demo
from workbench.data.geography import district_of
from workbench.data.panel import coverage, read_tidy_csv, validate_panel
from workbench.errors import DataError
from workbench.params import RunParams

__all__ = ["load_panel", "input_files", "coverage", "validate_panel"]


def load_panel(run: RunParams) -> pd.DataFrame:
    """Load the panel a run's ``data`` section names, restricted to its ``period`` and ``areas``.

    ``period`` bounds are inclusive months. ``areas`` are matched against the
    area name and, for LSOAs, the district / CSP the LSOA belongs to.
    """
    data = run.data
    if data.source == "demo":
        o = data.demo
        panel = demo.generate(run.seed, o.start, o.end, o.lsoa_fraction)
    elif data.source == "tidy_csv":
        panel = read_tidy_csv(data.path, data.force)
    else:  # pragma: no cover - the schema allows nothing else
        raise DataError(f"data.source '{data.source}' has no loader")
    return restrict(panel, run)


def restrict(panel: pd.DataFrame, run: RunParams) -> pd.DataFrame:
    """Keep the run's period and areas; an area or window with no rows is an error, not an empty report."""
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
