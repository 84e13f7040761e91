"""Geography helpers: which community safety partnership an LSOA belongs to.

LSOA names carry their local authority district as a prefix ("Basildon 001A").
In the Essex force area each district is also a community safety partnership
(CSP): the 12 Essex districts, Southend-on-Sea and Thurrock.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.errors import DataError

#: The 14 CSPs / local authorities of the Essex police force area.
ESSEX_CSPS = (
    "Basildon", "Braintree", "Brentwood", "Castle Point", "Chelmsford", "Colchester", "Epping Forest",
    "Harlow", "Maldon", "Rochford", "Southend-on-Sea", "Tendring", "Thurrock", "Uttlesford",
)

_LSOA_SUFFIX = re.compile(r"\s+\d{3}[A-Z]$")


def district_from_lsoa_name(name: str) -> str:
    """``"Castle Point 012C"`` → ``"Castle Point"``; a name without the suffix is returned as it is."""
    return _LSOA_SUFFIX.sub("", str(name)).strip()


def district_of(area_name: pd.Series) -> pd.Series:
    """The local authority district (= CSP) of each row's area, from its LSOA name.

    Works on the categories of ``area_name``: one regex per distinct name, not per row.
    Names that are not LSOA names are returned as they are.
    """
    names = area_name.astype("category")
    mapping = {n: district_from_lsoa_name(n) for n in names.cat.categories}
    return names.map(mapping).astype("category")


# ----------------------------------------------------------------------------- LSOA vintages

#: First month of data.police.uk files that use 2021-census LSOAs (files from 2023 on; earlier files use 2011 LSOAs).
LSOA_2021_FROM = "2023-01"


def lsoa_vintage_report(panel: pd.DataFrame, boundary: str = LSOA_2021_FROM) -> dict[str, int]:
    """How many LSOA codes appear only before ``boundary``, only after it, or on both sides.

    LSOAs were redrawn after the 2021 census: most kept their code, some were
    split (new codes), merged or changed (old codes retired). data.police.uk
    files up to 2022 use 2011 LSOAs, later files 2021 LSOAs. An LSOA-level series
    across the change is only comparable for codes present on both sides;
    aggregate to community safety partnership / local authority (by the name
    prefix, :func:`district_of`) to compare across it -- local authority
    boundaries in Essex did not change. This report tells how much of a panel is
    affected.
    """
    lsoa = panel[panel["area_level"] == "lsoa"]
    cut = pd.Timestamp(f"{boundary}-01")
    before = set(lsoa.loc[lsoa["period"] < cut, "area_code"].astype(str))
    after = set(lsoa.loc[lsoa["period"] >= cut, "area_code"].astype(str))
    return {"only_before": len(before - after), "only_after": len(after - before), "both": len(before & after)}


# ----------------------------------------------------------------------------- LSOA centroids

CENTROID_COLUMNS = ("area_code", "lat", "lon")


def read_centroids(path: str | Path) -> pd.DataFrame:
    """LSOA centroids for spatial analyses: ``area_code``, ``lat``, ``lon`` (WGS84 degrees).

    ``path`` is either a CSV with those columns (for example the ONS LSOA
    population-weighted centroids, with the columns renamed) or a folder of
    data.police.uk street files, whose crime locations are averaged per LSOA
    (an approximation: the published points are snapped to nearby map points,
    and an LSOA with no crime in those files gets no centroid -- the caller
    says how many). Errors name the file, line and column.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file or folder. Fix: point 'centroids' at a CSV of area_code, lat, lon "
                        "or at a folder of data.police.uk street files.")
    if path.is_dir():
        return _centroids_from_street_files(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{path}: not a readable CSV ({exc}). Fix: a UTF-8 CSV with columns area_code, lat, lon.") from None
    raw.columns = [c.strip().lower() for c in raw.columns]
    missing = [c for c in CENTROID_COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(f"{path} line 1: missing column(s) {', '.join(missing)}; expected area_code, lat, lon "
                        f"(found {', '.join(raw.columns)}). Fix: rename the columns.")
    out = pd.DataFrame({"area_code": raw["area_code"].str.strip()})
    for col, lo, hi in (("lat", -90, 90), ("lon", -180, 180)):
        v = pd.to_numeric(raw[col], errors="coerce")
        bad = v.isna() | (v < lo) | (v > hi)
        if bad.any():
            i = int(np.argmax(bad.to_numpy()))
            raise DataError(f"{path} line {i + 2}, column {col}: '{raw[col].iloc[i]}' is not a {col} in degrees "
                            f"({lo} to {hi}). Fix: the value, or convert from eastings/northings first.")
        out[col] = v.to_numpy()
    dup = out["area_code"].duplicated()
    if dup.any():
        i = int(np.argmax(dup.to_numpy()))
        raise DataError(f"{path} line {i + 2}: area_code {out['area_code'].iloc[i]} appears twice. Fix: one row per area.")
    return out


def _centroids_from_street_files(root: Path) -> pd.DataFrame:
    import pyarrow.csv as pacsv

    files = sorted(root.rglob("*-street.csv"))
    if not files:
        raise DataError(f"{root}: no *-street.csv files to take LSOA centroids from. Fix: a folder of data.police.uk "
                        "street files, or a CSV of area_code, lat, lon.")
    cols = ["LSOA code", "Longitude", "Latitude"]
    parts = []
    for f in files:
        try:
            t = pacsv.read_csv(f, convert_options=pacsv.ConvertOptions(
                include_columns=cols, column_types={"LSOA code": "string", "Longitude": "float64", "Latitude": "float64"}))
        except Exception as exc:  # noqa: BLE001 - reported with the file name
            raise DataError(f"{f}: cannot read LSOA code, Longitude and Latitude ({exc}). Fix: an unmodified street file.") from None
        parts.append(t.to_pandas())
    pts = pd.concat(parts, ignore_index=True).dropna()
    pts = pts[pts["LSOA code"] != ""]
    g = pts.groupby("LSOA code")
    return pd.DataFrame({"area_code": g.size().index.astype(str), "lat": g["Latitude"].mean().to_numpy(),
                         "lon": g["Longitude"].mean().to_numpy()})


def distance_m(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance in metres (haversine), broadcasting over the inputs."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlmb = p2 - p1, np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * 6_371_000.0 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
