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
