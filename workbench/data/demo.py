"""Embedded demo data: a synthetic, Essex-like monthly panel with known truths.

:func:`generate` builds, deterministically from a seed, monthly counts at LSOA
level for the 14 community safety partnership (CSP) areas of the Essex force
area and the 14 data.police.uk categories (ASB included), in the canonical
panel form of :mod:`workbench.data.panel`. Nothing in it is real: every table
and figure built on it must say :data:`DEMO_LABEL`.

What is calibrated to real data (figures stored below, not the data itself):
annual counts by category and by area, the number of LSOAs per area, the
seasonal profile of crime and of ASB, and how unevenly crime falls across LSOAs
-- all from the data.police.uk Essex street-level files for January-December
2025 (Open Government Licence v3.0).

The known truths, which later evaluations must recover (:func:`truth`):

* **Trend** -- each category changes at a constant annual rate
  (:data:`CATEGORY_TRENDS`), anchored so that expected 2025 totals match the
  calibration figures.
* **COVID-19** -- a multiplicative shock per category in the months of
  :data:`COVID_MONTHS` (April 2020 - March 2021), full strength in lockdowns.
* **Hotspot patrols** -- from :data:`HOTSPOT_START` the expected count of the
  categories in :data:`HOTSPOT_CATEGORIES` in the LSOAs of
  :func:`hotspot_lsoas` is multiplied by :data:`HOTSPOT_RATE_RATIO`
  (the start month is in the post period). No spillover is injected.
* **Violence & Vulnerability Unit** -- from :data:`VVU_START` the expected
  count of :data:`VVU_CATEGORIES` is multiplied by :data:`VVU_RATE_RATIO`
  in every area.

Counts are Negative Binomial draws around those expectations. As in
data.police.uk aggregates, cells with a count of zero are not listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.data.panel import PANEL_COLUMNS, finalise_panel

DEMO_LABEL = "synthetic demo data"
SOURCE = "demo"
FORCE = "essex"

#: Where the calibration figures come from.
CALIBRATION_SOURCE = (
    "data.police.uk street-level crime, Essex Police, January-December 2025, aggregated by LSOA "
    "(Open Government Licence v3.0); see ../shared/data/real/PROVENANCE.md"
)

#: Counts in Essex, Jan-Dec 2025, by data.police.uk category (all locations).
CATEGORY_TOTALS_2025: dict[str, int] = {
    "Anti-social behaviour": 14541,
    "Bicycle theft": 1169,
    "Burglary": 5292,
    "Criminal damage and arson": 12694,
    "Drugs": 6479,
    "Other crime": 3521,
    "Other theft": 10273,
    "Possession of weapons": 1678,
    "Public order": 10903,
    "Robbery": 1379,
    "Shoplifting": 14019,
    "Theft from the person": 1034,
    "Vehicle crime": 10519,
    "Violence and sexual offences": 64716,
}
CATEGORIES: tuple[str, ...] = tuple(CATEGORY_TOTALS_2025)

#: Counts in 2025 and number of LSOAs with any crime, by CSP / local authority.
AREAS: dict[str, tuple[int, int]] = {
    "Basildon": (18833, 112),
    "Braintree": (9820, 88),
    "Brentwood": (5684, 48),
    "Castle Point": (5429, 57),
    "Chelmsford": (14497, 113),
    "Colchester": (17716, 117),
    "Epping Forest": (9911, 78),
    "Harlow": (10031, 58),
    "Maldon": (3276, 41),
    "Rochford": (4340, 53),
    "Southend-on-Sea": (19887, 108),
    "Tendring": (13638, 89),
    "Thurrock": (17216, 100),
    "Uttlesford": (5644, 49),
}

#: Month-of-year index (January first, mean 1) of 2025 counts.
SEASONAL_CRIME = (0.935, 0.864, 1.014, 0.998, 1.029, 1.039, 1.113, 1.059, 0.972, 1.015, 0.989, 0.972)
SEASONAL_ASB = (0.782, 0.772, 0.994, 1.028, 1.176, 1.174, 1.316, 1.175, 0.955, 0.944, 0.885, 0.799)

#: Spread of LSOA totals within an area: sd of log counts is about 0.6-0.9 in 2025;
#: the top 10% of LSOAs hold about 35% of crime.
LSOA_LOG_SD = 0.75
LSOA_CATEGORY_LOG_SD = 0.3
AREA_CATEGORY_LOG_SD = 0.15
#: Negative Binomial shape (variance = mu + mu^2 / shape) at LSOA x category x month.
NB_SHAPE = 6.0

# ----------------------------------------------------------------------------- known truths

#: True annual change of each category's expected count (a constant rate).
CATEGORY_TRENDS: dict[str, float] = {
    "Anti-social behaviour": -0.06,
    "Bicycle theft": -0.04,
    "Burglary": -0.05,
    "Criminal damage and arson": -0.02,
    "Drugs": 0.03,
    "Other crime": 0.04,
    "Other theft": -0.03,
    "Possession of weapons": 0.05,
    "Public order": 0.03,
    "Robbery": -0.01,
    "Shoplifting": 0.06,
    "Theft from the person": 0.02,
    "Vehicle crime": -0.02,
    "Violence and sexual offences": 0.03,
}

#: COVID-19 months and their strength (1 = national lockdown, 0.5 = tiered restrictions).
COVID_MONTHS: dict[str, float] = {
    "2020-04": 1.0, "2020-05": 1.0, "2020-06": 0.8, "2020-07": 0.5, "2020-08": 0.4, "2020-09": 0.5,
    "2020-10": 0.6, "2020-11": 1.0, "2020-12": 0.7, "2021-01": 1.0, "2021-02": 1.0, "2021-03": 0.8,
}
#: Rate ratio of each category at full COVID-19 strength.
COVID_RATE_RATIO: dict[str, float] = {
    "Anti-social behaviour": 1.6,
    "Bicycle theft": 1.0,
    "Burglary": 0.75,
    "Criminal damage and arson": 0.9,
    "Drugs": 1.3,
    "Other crime": 0.95,
    "Other theft": 0.7,
    "Possession of weapons": 0.95,
    "Public order": 0.9,
    "Robbery": 0.65,
    "Shoplifting": 0.5,
    "Theft from the person": 0.45,
    "Vehicle crime": 0.75,
    "Violence and sexual offences": 0.85,
}

HOTSPOT_START = "2023-06"
HOTSPOT_CATEGORIES = ("Anti-social behaviour", "Violence and sexual offences")
HOTSPOT_RATE_RATIO = 0.80
#: Hotspot LSOAs carry this multiple of a typical LSOA's expected count.
HOTSPOT_LEVEL = 4.0
#: Areas whose first LSOAs are the hotspots (two in the six busiest areas, one elsewhere: 20 in all).
_HOTSPOT_AREAS_TWO = ("Basildon", "Colchester", "Southend-on-Sea", "Thurrock", "Chelmsford", "Tendring")

VVU_START = "2019-10"
VVU_CATEGORIES = ("Violence and sexual offences", "Possession of weapons", "Robbery")
VVU_RATE_RATIO = 0.93

LSOAS_PER_MSOA = 5


@dataclass(frozen=True)
class DemoTruth:
    """The documented truths injected into the demo panel."""

    category_trends: dict[str, float] = field(default_factory=lambda: dict(CATEGORY_TRENDS))
    covid_months: dict[str, float] = field(default_factory=lambda: dict(COVID_MONTHS))
    covid_rate_ratio: dict[str, float] = field(default_factory=lambda: dict(COVID_RATE_RATIO))
    hotspot_lsoas: tuple[str, ...] = ()
    hotspot_start: str = HOTSPOT_START
    hotspot_categories: tuple[str, ...] = HOTSPOT_CATEGORIES
    hotspot_rate_ratio: float = HOTSPOT_RATE_RATIO
    vvu_start: str = VVU_START
    vvu_categories: tuple[str, ...] = VVU_CATEGORIES
    vvu_rate_ratio: float = VVU_RATE_RATIO
    nb_shape: float = NB_SHAPE


def lsoa_table(lsoa_fraction: float = 1.0) -> pd.DataFrame:
    """The synthetic LSOAs: code, name (``"<area> 001A"`` as in real LSOA names) and area.

    Codes use the unused ``E019xxxxx`` range so they can never be mistaken for real LSOAs.
    """
    rows = []
    idx = 0
    for area, (_, n_real) in AREAS.items():
        n = max(3, int(round(n_real * lsoa_fraction)))
        for j in range(n):
            msoa, letter = divmod(j, LSOAS_PER_MSOA)
            name = f"{area} {msoa + 1:03d}{'ABCDE'[letter]}"
            rows.append((f"E019{idx:05d}", name, area))
            idx += 1
    return pd.DataFrame(rows, columns=["area_code", "area_name", "csp"])


#: Approximate centre (latitude, longitude) of each area's main town, for the synthetic LSOA centroids.
AREA_CENTRES: dict[str, tuple[float, float]] = {
    "Basildon": (51.576, 0.488), "Braintree": (51.878, 0.553), "Brentwood": (51.621, 0.305),
    "Castle Point": (51.566, 0.590), "Chelmsford": (51.736, 0.479), "Colchester": (51.889, 0.904),
    "Epping Forest": (51.700, 0.110), "Harlow": (51.768, 0.095), "Maldon": (51.731, 0.677),
    "Rochford": (51.582, 0.706), "Southend-on-Sea": (51.538, 0.714), "Tendring": (51.790, 1.155),
    "Thurrock": (51.490, 0.330), "Uttlesford": (52.022, 0.240),
}
#: Spacing of the synthetic LSOA centroids (metres): LSOAs sit on a square grid spiralling out from the centre.
LSOA_SPACING_M = 600.0


def lsoa_centroids(lsoa_fraction: float = 1.0) -> pd.DataFrame:
    """Synthetic LSOA centroids (``area_code``, ``area_name``, ``lat``, ``lon``).

    Each area's LSOAs fill a square grid outwards from its town centre, in the
    order of their names, so ``<area> 001A`` (a hotspot) is at the centre and its
    neighbours are the next LSOAs. Not real geography: for the demo's spatial
    analyses (spillover rings, buffers) only.
    """
    table = lsoa_table(lsoa_fraction)
    r = int(np.ceil(np.sqrt(max(n for _, n in AREAS.values())))) + 1
    gx, gy = np.meshgrid(np.arange(-r, r + 1), np.arange(-r, r + 1))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    order = np.lexsort((np.arctan2(grid[:, 1], grid[:, 0]), np.hypot(grid[:, 0], grid[:, 1])))
    grid = grid[order]
    lat = np.empty(len(table))
    lon = np.empty(len(table))
    for area, rows in table.groupby("csp", sort=False).indices.items():
        lat0, lon0 = AREA_CENTRES[area]
        xy = grid[: len(rows)] * LSOA_SPACING_M
        lat[rows] = lat0 + xy[:, 1] / 111_320.0
        lon[rows] = lon0 + xy[:, 0] / (111_320.0 * np.cos(np.radians(lat0)))
    return pd.DataFrame({"area_code": table["area_code"], "area_name": table["area_name"], "lat": lat, "lon": lon})


def hotspot_lsoas() -> tuple[str, ...]:
    """Names of the 20 hotspot LSOAs (the same for every seed and LSOA fraction)."""
    names = []
    for area in AREAS:
        names.append(f"{area} 001A")
        if area in _HOTSPOT_AREAS_TWO:
            names.append(f"{area} 001B")
    return tuple(names)


def truth() -> DemoTruth:
    """The known truths of the demo panel."""
    return DemoTruth(hotspot_lsoas=hotspot_lsoas())


def _rng(seed: int, stream: int) -> np.random.Generator:
    # One independent stream per component, so adding a component never moves the others.
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(stream,)))


def category_profile(months: pd.DatetimeIndex, vvu: bool = True) -> np.ndarray:
    """Expected force-wide monthly counts by category (months x :data:`CATEGORIES`) before any hotspot effect.

    Trend, seasonality, COVID-19 and (unless ``vvu=False``) the Violence &
    Vulnerability Unit effect, anchored so that expected 2025 totals match
    :data:`CATEGORY_TOTALS_2025` (the anchor always includes the VVU effect, so
    ``vvu=False`` gives the counterfactual of the same force).
    """
    n_c = len(CATEGORIES)
    # Time profile per category on a grid that always includes 2025 (the anchor year).
    grid = pd.date_range(min(months[0], pd.Timestamp("2025-01-01")), max(months[-1], pd.Timestamp("2025-12-01")), freq="MS")
    years = (grid - pd.Timestamp("2025-07-01")).days.to_numpy() / 365.25
    trend = np.exp(np.outer(years, np.log1p([CATEGORY_TRENDS[c] for c in CATEGORIES])))
    season = np.empty((len(grid), n_c))
    moy = grid.month.to_numpy() - 1
    for j, c in enumerate(CATEGORIES):
        season[:, j] = np.asarray(SEASONAL_ASB if c == "Anti-social behaviour" else SEASONAL_CRIME)[moy]
    covid_strength = np.array([COVID_MONTHS.get(m.strftime("%Y-%m"), 0.0) for m in grid])
    covid = np.exp(np.outer(covid_strength, np.log([COVID_RATE_RATIO[c] for c in CATEGORIES])))
    vvu_factor = np.ones((len(grid), n_c))
    vvu_post = grid >= pd.Timestamp(f"{VVU_START}-01")
    for j, c in enumerate(CATEGORIES):
        if c in VVU_CATEGORIES:
            vvu_factor[vvu_post, j] = VVU_RATE_RATIO
    profile = trend * season * covid * vvu_factor
    in_2025 = grid.year == 2025
    scale = np.array([CATEGORY_TOTALS_2025[c] for c in CATEGORIES]) / profile[in_2025].sum(axis=0)
    profile = profile * scale
    if not vvu:
        profile = profile / vvu_factor
    return profile[grid.isin(months)]


def expected_counts(
    seed: int, start: str = "2015-04", end: str = "2025-12", lsoa_fraction: float = 1.0
) -> tuple[pd.DatetimeIndex, pd.DataFrame, np.ndarray]:
    """Expected monthly counts before Negative Binomial noise.

    Returns
    -------
    months, lsoas, mu
        ``mu`` has shape (month, LSOA, category) in the order of ``months``,
        ``lsoas`` rows and :data:`CATEGORIES`.
    """
    months = pd.date_range(f"{start}-01", f"{end}-01", freq="MS")
    if len(months) == 0:
        raise ValueError(f"empty demo period {start} to {end}")
    lsoas = lsoa_table(lsoa_fraction)
    n_l, n_c = len(lsoas), len(CATEGORIES)
    area_names = list(AREAS)
    area_idx = lsoas["csp"].map({a: i for i, a in enumerate(area_names)}).to_numpy()

    # Spatial weights: LSOA level, LSOA x category, area x category.
    w = np.exp(_rng(seed, 1).normal(-LSOA_LOG_SD**2 / 2, LSOA_LOG_SD, n_l))
    hot = lsoas["area_name"].isin(hotspot_lsoas()).to_numpy()
    w[hot] = HOTSPOT_LEVEL
    w_lc = w[:, None] * np.exp(_rng(seed, 2).normal(0, LSOA_CATEGORY_LOG_SD, (n_l, n_c)))
    w_ac = np.exp(_rng(seed, 3).normal(0, AREA_CATEGORY_LOG_SD, (len(area_names), n_c)))
    area_total = np.array([AREAS[a][0] for a in area_names], dtype=float)
    area_share = area_total / area_total.sum()
    # Share of category c in LSOA l: area share x within-area LSOA share.
    share = np.zeros((n_l, n_c))
    for a in range(len(area_names)):
        m = area_idx == a
        within = w_lc[m] / w_lc[m].sum(axis=0, keepdims=True)
        share[m] = within * area_share[a] * w_ac[a]
    share /= share.sum(axis=0, keepdims=True)

    profile = category_profile(months)
    mu = profile[:, None, :] * share[None, :, :]
    hot_post = months >= pd.Timestamp(f"{HOTSPOT_START}-01")
    for j, c in enumerate(CATEGORIES):
        if c in HOTSPOT_CATEGORIES:
            mu[np.ix_(hot_post, hot, [j])] *= HOTSPOT_RATE_RATIO
    return months, lsoas, mu


def generate(seed: int, start: str = "2015-04", end: str = "2025-12", lsoa_fraction: float = 1.0) -> pd.DataFrame:
    """Generate the synthetic demo panel (canonical long form, zero cells omitted).

    Parameters
    ----------
    seed
        The run's seed; the same seed always gives the same panel.
    start, end
        First and last month, ``"YYYY-MM"``, inclusive.
    lsoa_fraction
        Share of each area's LSOAs to generate (at least three per area);
        1 gives the Essex-sized panel of about 1,100 LSOAs.
    """
    months, lsoas, mu = expected_counts(seed, start, end, lsoa_fraction)
    rng = _rng(seed, 10)
    # Negative Binomial as a Gamma-Poisson mixture.
    counts = rng.poisson(rng.gamma(NB_SHAPE, mu / NB_SHAPE))
    t, l, c = np.nonzero(counts)
    panel = pd.DataFrame(
        {
            "period": months[t],
            "frequency": "M",
            "force": FORCE,
            "area_level": "lsoa",
            "area_code": lsoas["area_code"].to_numpy()[l],
            "area_name": lsoas["area_name"].to_numpy()[l],
            "category": np.asarray(CATEGORIES)[c],
            "count": counts[t, l, c].astype("int64"),
            "source": SOURCE,
        },
        columns=list(PANEL_COLUMNS),
    )
    return finalise_panel(panel)


# ----------------------------------------------------------------------------- force-level panel (synthetic control)

#: Home Office offence groups of the demo's VVU categories (the force panel speaks Home Office).
VVU_HO_GROUPS: dict[str, str] = {
    "Violence and sexual offences": "Violence against the person",
    "Possession of weapons": "Possession of weapons offences",
    "Robbery": "Robbery",
}
#: Number of synthetic comparison forces (as many as real forces without Violence Reduction Unit funding).
N_DEMO_FORCES = 22
#: Negative Binomial shape of quarterly force counts (about 2% extra-Poisson variation).
FORCE_NB_SHAPE = 2000.0


def force_quarterly(seed: int, start: str = "2012-04", end: str = "2024-01") -> pd.DataFrame:
    """Synthetic quarterly counts of the VVU outcome groups for Essex and :data:`N_DEMO_FORCES` comparison forces.

    Canonical panel form, frequency ``"Q"`` (period = first month of the quarter, Q1 = April), categories named as
    Home Office offence groups (:data:`VVU_HO_GROUPS`). Essex follows the demo's own profile, with the VVU effect
    (:data:`VVU_RATE_RATIO` from :data:`VVU_START`) and without hotspot effects. Each comparison force ``demo-NN``
    follows the same profile without the VVU effect, scaled to its own size, with its own loadings on a shared trend
    and a shared random walk and an AR(1) deviation of its own -- so a mix of them can stand in for Essex, but no
    single one is Essex. Counts are Negative Binomial draws.
    """
    months = pd.date_range(f"{start}-01", pd.Timestamp(f"{end}-01") + pd.DateOffset(months=2), freq="MS")
    if len(months) < 6 or months[0].month not in (1, 4, 7, 10):
        raise ValueError(f"force_quarterly: {start} must be a quarter's first month (Jan, Apr, Jul, Oct) before {end}")
    cols = [CATEGORIES.index(c) for c in VVU_HO_GROUPS]
    quarter = np.arange(len(months)) // 3
    nq = quarter.max() + 1
    periods = months[::3]

    def by_quarter(monthly: np.ndarray) -> np.ndarray:
        return np.stack([monthly[quarter == q].sum(axis=0) for q in range(nq)])

    essex = by_quarter(category_profile(months)[:, cols])  # (Q, G) with the VVU effect
    base = by_quarter(category_profile(months, vvu=False)[:, cols])
    rng = _rng(seed, 20)
    J = N_DEMO_FORCES
    t = (np.arange(nq) - nq / 2) / 4.0
    walk = np.cumsum(rng.normal(0, 0.015, nq))
    load_trend = rng.normal(0, 0.02, J)  # annual log-rate change about Essex's
    load_walk = rng.normal(0, 0.5, J)
    dev = np.empty((J, nq))
    dev[:, 0] = rng.normal(0, 0.0125, J)
    for q in range(1, nq):
        dev[:, q] = 0.6 * dev[:, q - 1] + rng.normal(0, 0.01, J)
    size = np.exp(rng.uniform(np.log(0.3), np.log(2.5), J))
    group_mix = np.exp(rng.normal(0, 0.15, (J, len(cols))))
    mu = np.empty((J + 1, nq, len(cols)))
    mu[0] = essex
    mu[1:] = (size[:, None, None] * group_mix[:, None, :] * base[None]
              * np.exp(load_trend[:, None] * t[None] + load_walk[:, None] * walk[None] + dev)[:, :, None])
    shape = FORCE_NB_SHAPE
    counts = rng.poisson(rng.gamma(shape, mu / shape))
    names = [("essex", "Essex")] + [(f"demo-{j + 1:02d}", f"Demo force {j + 1:02d}") for j in range(J)]
    u, q, g = np.meshgrid(np.arange(J + 1), np.arange(nq), np.arange(len(cols)), indexing="ij")
    groups = np.asarray(list(VVU_HO_GROUPS.values()))
    panel = pd.DataFrame({
        "period": periods[q.ravel()],
        "frequency": "Q",
        "force": np.asarray([n[0] for n in names])[u.ravel()],
        "area_level": "force",
        "area_code": "",
        "area_name": np.asarray([n[1] for n in names])[u.ravel()],
        "category": groups[g.ravel()],
        "count": counts.ravel().astype("int64"),
        "source": SOURCE,
    }, columns=list(PANEL_COLUMNS))
    return finalise_panel(panel)


#: The demo's performance indicators (Police and Crime Plan priorities), each with its known behaviour:
#: name -> (unit, good direction, target, is a count, what the demo builds in). A named break is in
#: :data:`INDICATOR_BREAKS`.
DEMO_INDICATORS: dict[str, tuple[str, str | None, float | None, bool, str]] = {
    "Public confidence in policing": ("%", "up", 80.0, False, "steps up by 4 points from 2024-04: improving"),
    "999 calls answered within 10 seconds": ("%", "up", 90.0, False,
                                             "new call system from 2023-04 (a named break); stable since: hit and miss"),
    "101 calls: mean answer time": ("minutes", "down", None, False, "rises steadily from 2025-04: deteriorating"),
    "Killed or seriously injured on the roads": ("count", "down", 55.0, True, "stable: no significant change"),
    "Domestic abuse: repeat victims": ("%", "down", 25.0, False, "stable well above its target: against target"),
    "Drug-related homicides": ("count", "down", None, True, "small counts, stable: suppressed in publication tables"),
    "Victim satisfaction": ("%", "up", 75.0, False, "stable about its target: hit and miss"),
}
INDICATOR_BREAKS = {"999 calls answered within 10 seconds": ["2023-04"]}


def indicators(seed: int, start: str = "2021-04", end: str = "2025-12") -> pd.DataFrame:
    """The demo indicators as the text of an indicators CSV (see :mod:`workbench.data.indicators`).

    Monthly values from ``start`` to ``end`` for each of :data:`DEMO_INDICATORS`, with the behaviour each one's
    entry states (steps, a trend, a named break), from the demo's own random stream so the crime panel is untouched.
    """
    months = pd.date_range(f"{start}-01", f"{end}-01", freq="MS")
    rng = _rng(seed, 30)
    n = len(months)
    after = lambda m: (months >= pd.Timestamp(f"{m}-01"))  # noqa: E731
    months_since = lambda m: np.maximum(0, (months.year - int(m[:4])) * 12 + months.month - int(m[5:]))  # noqa: E731
    values = {
        "Public confidence in policing": 73.0 + 4.0 * after("2024-04") + rng.normal(0, 1.2, n),
        "999 calls answered within 10 seconds": np.where(after("2023-04"), 91.0, 82.0) + rng.normal(0, 1.5, n),
        "101 calls: mean answer time": 8.0 + 0.35 * months_since("2025-04") + rng.normal(0, 0.6, n),
        "Killed or seriously injured on the roads": rng.poisson(70.0, n).astype(float),
        "Domestic abuse: repeat victims": 31.0 + rng.normal(0, 0.8, n),
        "Drug-related homicides": rng.poisson(1.5, n).astype(float),
        "Victim satisfaction": 76.0 + rng.normal(0, 2.0, n),
    }
    rows = []
    for name, v in values.items():
        unit, good, target, is_count, _ = DEMO_INDICATORS[name]
        text = [str(int(x)) for x in v] if is_count else [f"{x:.1f}" for x in v]
        rows.append(pd.DataFrame({
            "indicator": name, "period": months.strftime("%Y-%m"), "value": text,
            "target": "" if target is None else f"{target:g}",
            "good_direction": good or "", "unit": unit, "count": "true" if is_count else "false",
        }))
    return pd.concat(rows, ignore_index=True)
