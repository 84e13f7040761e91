"""Geography helpers: which community safety partnership an LSOA belongs to.

LSOA names carry their local authority district as a prefix ("Basildon 001A").
In the Essex force area each district is also a community safety partnership
(CSP): the 12 Essex districts, Southend-on-Sea and Thurrock.
"""

from __future__ import annotations

import re

import pandas as pd

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
