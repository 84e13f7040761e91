"""Several sources of one force's crime and ASB counts in one common form, and simulated panels with known truth.

Each source of a ``sources:`` list (``kind`` + ``path``) becomes *observations*: a count of one offence group
(the common groups of :mod:`workbench.data.categories`) in one area over a window of consecutive months.

=========================  ==========  ==========================================================================
kind                       window      what it is (and its equation in :mod:`workbench.models.nowcast`)
=========================  ==========  ==========================================================================
``homeoffice_quarterly``   3 months    Home Office police recorded crime: the official definition (ratio 1)
``ons_p1``                 12 months   ONS Table P1, rolling 12 months by force area: official definition
``ons_c2``                 12 months   ONS Table C2 by community safety partnership (CSP): official definition;
                                       a force total only where no P1 edition holds the same window
``ons_p7``                 12 months   ONS Table P7, ASB incidents by financial year (ratio to street ASB)
``policeuk_counts``        1 month     data.police.uk monthly LSOA counts (LSOAs summed to CSPs and the force)
``policeuk_force_monthly`` 1 month     data.police.uk monthly force counts (month, force, crime_type, count)
=========================  ==========  ==========================================================================

Nothing is filled in: a month no source covers is simply absent. Fraud (recorded by Action Fraud, not in every
source) is not in the crime measure. Observations whose window starts before the analysis ``start`` are not
used, and the sources table says how many.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.data.categories import ASB, HO_TO_COMMON, POLICEUK_TO_COMMON
from workbench.errors import DataError, ParamDataError

CRIME, ASB_MEASURE = "crime", "asb"
#: Kind -> (months in a window, what it is).
KINDS: dict[str, tuple[int, str]] = {
    "homeoffice_quarterly": (3, "Home Office police recorded crime (quarterly)"),
    "ons_p1": (12, "ONS Table P1, recorded crime, rolling 12 months"),
    "ons_c2": (12, "ONS Table C2, recorded crime by CSP, 12 months"),
    "ons_p7": (12, "ONS Table P7, ASB incidents by financial year"),
    "policeuk_counts": (1, "data.police.uk street-level counts (monthly, LSOA)"),
    "policeuk_force_monthly": (1, "data.police.uk street-level counts (monthly, force)"),
}
#: Kinds that count on the official definition of recorded crime (the goal's definition): their ratio is 1.
OFFICIAL = ("homeoffice_quarterly", "ons_p1", "ons_c2")
#: The kind whose ASB is the ASB reference (the only ASB series that runs to now); ``ons_p7`` has a ratio to it.
ASB_REFERENCE = ("policeuk_counts", "policeuk_force_monthly")
#: Columns that identify each kind's file, to say which kind a file is when it does not match its declared one.
SIGNATURES: dict[str, tuple[str, ...]] = {
    "homeoffice_quarterly": ("financial_year", "financial_quarter", "quarter_start_month", "offence_group"),
    "ons_c2": ("csp_code", "csp_name", "row_type", "offence_group"),
    "ons_p1": ("period", "area_code", "area_type", "offence_group"),
    "ons_p7": ("edition_year_ending", "financial_year", "asb_incidents"),
    "policeuk_counts": ("month", "lsoa_code", "lsoa_name", "crime_type"),
    "policeuk_force_monthly": ("month", "force", "crime_type", "count"),
}
FORCE_MONTHLY_COLUMNS = ("month", "force", "crime_type", "count")
OBS_COLUMNS = ["source", "kind", "measure", "group", "area", "level", "start", "months", "count"]


@dataclass
class Sources:
    """Every observation of one force, and what loading them found."""

    force: str
    obs: pd.DataFrame  # OBS_COLUMNS
    files: dict[str, str] = field(default_factory=dict)  # source name -> file
    kinds: dict[str, str] = field(default_factory=dict)  # source name -> kind
    before_start: dict[str, int] = field(default_factory=dict)  # source name -> observations not used
    warnings: list[str] = field(default_factory=list)
    truth: dict | None = None  # simulated panels: the known truth

    def of(self, measure: str, level: str = "force") -> pd.DataFrame:
        o = self.obs
        return o[(o["measure"] == measure) & (o["level"] == level)].reset_index(drop=True)

    def months(self, name: str, measure: str | None = None) -> pd.DatetimeIndex:
        """Every month a source's force-level observations cover."""
        o = self.obs[(self.obs["source"] == name) & (self.obs["level"] == "force")]
        if measure:
            o = o[o["measure"] == measure]
        out = set()
        for s, m in zip(o["start"], o["months"]):
            out.update(pd.date_range(s, periods=int(m), freq="MS"))
        return pd.DatetimeIndex(sorted(out))

    @property
    def latest_month(self) -> pd.Timestamp:
        o = self.obs[self.obs["level"] == "force"]
        return max(s + pd.DateOffset(months=int(m) - 1) for s, m in zip(o["start"], o["months"]))


# ----------------------------------------------------------------------------- reading


def _signature_kind(path: Path) -> str | None:
    try:
        head = set(pd.read_csv(path, nrows=0, compression="infer").columns)
    except Exception:  # noqa: BLE001 - only a hint for the message
        return None
    for kind, cols in SIGNATURES.items():
        if set(cols) <= head:
            return kind
    return None


def read_force_monthly(path: str | Path, forces: list[str] | None = None) -> pd.DataFrame:
    """data.police.uk monthly force counts (month, force, crime_type, count) in panel form (area level force)."""
    from workbench.data.panel import fail_at, finalise_panel, read_csv_table, whole_counts

    path = Path(path)
    raw = read_csv_table(path, FORCE_MONTHLY_COLUMNS, "monthly force counts (policeuk_force_monthly.csv layout)")
    if forces:
        raw = raw[raw["force"].isin(forces)]
    period = pd.to_datetime(raw["month"], format="%Y-%m", errors="coerce")
    fail_at(path, raw, period.isna(), "month", "a month as YYYY-MM")
    fail_at(path, raw, ~raw["crime_type"].isin(list(POLICEUK_TO_COMMON)), "crime_type",
            "a data.police.uk crime type (" + ", ".join(POLICEUK_TO_COMMON) + ")")
    count = whole_counts(path, raw)
    dup = raw.duplicated(["month", "force", "crime_type"])
    if dup.any():
        i = int(np.argmax(dup.to_numpy()))
        raise DataError(f"{path} line {raw.index[i] + 2}: month {raw['month'].iloc[i]}, force {raw['force'].iloc[i]} "
                        f"and crime type {raw['crime_type'].iloc[i]!r} appear on an earlier line. Fix: one row each.")
    panel = pd.DataFrame({"period": period.to_numpy(), "frequency": "M", "force": raw["force"].to_numpy(),
                          "area_level": "force", "area_code": "", "area_name": raw["force"].to_numpy(),
                          "category": raw["crime_type"].to_numpy(), "count": count.to_numpy(), "source": "policeuk"})
    return finalise_panel(panel)


def _read(kind: str, path: Path, force: str, warnings: list[str]) -> pd.DataFrame:
    from workbench.data import homeoffice, policeuk

    if kind == "homeoffice_quarterly":
        return homeoffice.read_ho_quarterly(path, warnings, [force])
    if kind in ("ons_p1", "ons_c2"):
        return homeoffice.read_ons_table(path, warnings, [force])
    if kind == "ons_p7":
        return homeoffice.read_ons_p7(path)
    if kind == "policeuk_counts":
        return policeuk.read_counts_csv(path, [force])
    return read_force_monthly(path, [force])


def _read_checked(kind: str, path: Path, force: str, where: str, cache: bool, warnings: list[str]) -> pd.DataFrame:
    """The file's panel for one force; a file that is not of its declared kind names the file, the line and the fix."""
    from workbench.data.cache import cached_panel

    if not path.is_file():
        raise DataError(f"{where}: {path} does not exist. Fix: point the source's path at the file.")
    found = _signature_kind(path)
    if found is not None and found != kind:
        raise DataError(f"{path} line 1: {where} declares kind '{kind}', but the file's columns are those of kind "
                        f"'{found}' ({KINDS[found][1]}). Fix: set kind: {found}, or point the path at a {kind} file.")
    try:
        panel, _, warned, _ = cached_panel(f"nowcast-{kind}-{force}", path, [path], {"force": force},
                                           lambda n, w: _read(kind, path, force, w), cache)
    except DataError as exc:
        raise DataError(f"{exc} (the file is {where}, declared kind '{kind}': {KINDS[kind][1]}; if it is another kind, "
                        f"fix the source's kind)") from None
    warnings.extend(warned)
    return panel[panel["force"].astype(str) == force]


def _observations(kind: str, name: str, panel: pd.DataFrame, force_name: str) -> pd.DataFrame:
    """A source's panel rows as observations (force level, and CSP level where the source gives CSPs)."""
    from workbench.data.geography import district_of

    months = KINDS[kind][0]
    cats = panel["category"].astype(str)
    if kind == "ons_p7":
        group = pd.Series(ASB, index=panel.index)
    elif kind.startswith("policeuk"):
        group = cats.map(POLICEUK_TO_COMMON)
    else:
        group = cats.map(HO_TO_COMMON)
    keep = group.notna() & (group != "Fraud")
    panel, group = panel[keep], group[keep]
    measure = np.where(group == ASB, ASB_MEASURE, CRIME)
    base = pd.DataFrame({"source": name, "kind": kind, "measure": measure, "group": group.to_numpy(),
                         "start": panel["period"].to_numpy(), "months": months, "count": panel["count"].to_numpy()})
    level = panel["area_level"].astype(str).to_numpy()
    parts = []
    if kind == "ons_c2":
        csp = base.assign(area=panel["area_name"].astype(str).to_numpy(), level="csp")
        parts += [csp, csp.assign(area=force_name, level="force")]
    else:
        parts.append(base.assign(area=force_name, level="force"))
        if kind == "policeuk_counts":
            lsoa = level == "lsoa"
            parts.append(base[lsoa].assign(area=district_of(panel.loc[lsoa, "area_name"]).astype(str).to_numpy(),
                                           level="csp"))
    out = pd.concat(parts, ignore_index=True)
    return out.groupby(OBS_COLUMNS[:-1], as_index=False, sort=True)["count"].sum()[OBS_COLUMNS]


def _overlap_check(specs: list[dict], sources: "Sources") -> None:
    """Two sources of the same kind may not hold the same months: an error naming both files and the months."""
    names = list(sources.kinds)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if sources.kinds[a] != sources.kinds[b]:
                continue
            both = sources.months(a).intersection(sources.months(b))
            if len(both):
                raise DataError(
                    f"sources '{a}' ({sources.files[a]}) and '{b}' ({sources.files[b]}) are both of kind "
                    f"'{sources.kinds[a]}' and both hold {len(both)} month(s) from {both[0]:%Y-%m} to {both[-1]:%Y-%m}: "
                    "the same figures would count twice. Fix: keep one of them, or cut one file to the months the "
                    "other does not hold.")


def load(specs: list, force: str, start: str | None = None, cache: bool = True) -> Sources:
    """Read every source of a ``sources:`` list (items with ``kind``, ``path`` and optional ``name``) for ``force``.

    Raises
    ------
    DataError
        A file missing, malformed, not of its declared kind, or two sources of one kind holding the same months.
    """
    force_name = force.replace("-", " ").title()
    out = Sources(force, pd.DataFrame(columns=OBS_COLUMNS))
    parts = []
    for i, spec in enumerate(specs):
        spec = spec if isinstance(spec, dict) else spec.model_dump()
        kind, path = spec["kind"], Path(spec["path"])
        name = spec.get("name") or kind
        if name in out.kinds:
            name = f"{name}-{i + 1}"
        where = f"sources[{i}] ({name})"
        panel = _read_checked(kind, path, force, where, cache, out.warnings)
        if panel.empty:
            raise DataError(f"{path}: {where} has no rows for force '{force}'. Fix: check the file, or the force.")
        obs = _observations(kind, name, panel.reset_index(drop=True), force_name)
        if start is not None:
            early = obs["start"] < pd.Timestamp(f"{start}-01")
            out.before_start[name] = int((early & (obs["level"] == "force")).sum())
            obs = obs[~early]
        out.files[name], out.kinds[name] = str(path), kind
        parts.append(obs)
    obs = pd.concat(parts, ignore_index=True) if parts else out.obs
    # C2's force totals stand in only for windows no P1 edition holds (one figure, one observation).
    p1 = obs[(obs["kind"] == "ons_p1") & (obs["level"] == "force")]
    c2_force = (obs["kind"] == "ons_c2") & (obs["level"] == "force")
    out.obs = obs[~(c2_force & obs["start"].isin(set(p1["start"])))].reset_index(drop=True)
    _overlap_check(specs, out)
    return out


def check_baseline(sources: Sources, baseline_year: int) -> None:
    """Stop before any fit when no official source covers the crime baseline year, or no source the ASB one.

    The crime baseline is a recorded total on the official definition: every month of the financial year must be
    in a Home Office quarter (or one ONS 12-month window must be that year). ASB has no official total after
    2018/19, so its baseline is estimated: at least one month of the year must be observed by some ASB source.
    """
    from workbench.evaluations.goal import fy_label, fy_periods

    months = fy_periods(baseline_year, 1)
    crime = sources.of(CRIME)
    official = crime[crime["kind"].isin(OFFICIAL)]
    ho = set()
    for name in official.loc[official["kind"] == "homeoffice_quarterly", "source"].unique():
        ho.update(sources.months(name, CRIME))
    whole = official[(official["months"] == 12) & (official["start"] == months[0])]
    if not (set(months) <= ho or len(whole)):
        have = sorted({fy for fy in range(2000, 2100) if set(fy_periods(fy, 1)) <= ho})
        choice = f"baseline_year {have[-1]} (the last year the Home Office quarters cover)" if have else "another year"
        raise ParamDataError("baseline_year", (
            f"{baseline_year} is FY {fy_label(baseline_year)} ({months[0]:%Y-%m} to {months[-1]:%Y-%m}), but no source "
            f"of the official definition (Home Office quarters, or an ONS 12-month edition for that year) covers it: "
            f"the crime baseline is the year's recorded total, never estimated. Fix: add the Home Office table to "
            f"sources, or {choice}"))
    asb = sources.of(ASB_MEASURE)
    seen = set()
    for name in asb["source"].unique():
        seen.update(sources.months(name, ASB_MEASURE))
    if len(asb) and not seen & set(months):
        raise ParamDataError("baseline_year", (
            f"no ASB source holds any month of FY {fy_label(baseline_year)}: the ASB baseline could only be guessed. "
            "Fix: add a data.police.uk source with months in that year, or set asb: false"))


# ----------------------------------------------------------------------------- simulated panels

#: Months data.police.uk street files cover for Essex in the real data (the gaps are like the real ones).
SIM_POLICEUK_MONTHS = (
    [f"2018-{m:02d}" for m in range(1, 8)] + ["2018-10", "2018-11", "2018-12", "2019-01", "2019-02", "2019-10",
                                              "2019-11"] + [f"2024-{m:02d}" for m in range(1, 5)]
    + [f"2025-{m:02d}" for m in range(1, 13)]
)
#: ONS rolling 12-month editions (end months) in the real data.
SIM_ONS_EDITIONS = ("2018-03", "2018-06", "2018-09", "2018-12", "2019-03", "2019-06", "2019-09", "2019-12", "2025-06")
SIM_GROUPS = {  # group -> (monthly level in 2014, annual log trend)
    "Violence and sexual offences": (3200.0, 0.06),
    "Theft (incl. burglary, vehicle)": (3600.0, -0.02),
    "Criminal damage and arson": (1300.0, -0.01),
    "Public order": (600.0, 0.08),
}
SIM_CSPS = ("North", "South", "East", "West")


def simulate(seed: int, groups: int = 2, start: str = "2014-04", end: str = "2025-12", walk_sd: float = 0.02,
             ratio_drift_sd: float = 0.04, asb: bool = True) -> Sources:
    """A simulated multi-source panel of one force with known truth, gapped like the real sources.

    Latent monthly means per group follow level, trend, seasonality and a random walk; the official count of a
    window is Negative Binomial about the sum of its months. Home Office quarters run from ``start`` to 2024-03, ONS
    12-month editions are those of the real data, and street counts cover the real police.uk months with a ratio
    per group near 0.95 that drifts as a monthly random walk (sd ``ratio_drift_sd`` over a year). ASB is the street
    definition with ONS P7 annual incidents to 2018/19 at a drifting ratio near 1.1, and a recording fall of 60%
    inside the street data's gap. Street counts are split over four CSPs by fixed shares. ``truth`` holds the
    latent monthly means and the ratios.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(24,)))
    months = pd.date_range(f"{start}-01", f"{end}-01", freq="MS")
    T = len(months)
    tau = (np.arange(T) - T / 2) / 12
    names = list(SIM_GROUPS)[:groups]
    truth_mu, truth_ratio = {}, {}
    rows = []
    shares = np.array([0.35, 0.25, 0.25, 0.15])

    def nb(mu, alpha):
        return rng.poisson(rng.gamma(alpha, np.asarray(mu) / alpha))

    def path(level, trend, amp):
        walk = np.cumsum(rng.normal(0, walk_sd, T))
        season = amp * np.sin(2 * np.pi * (months.month.to_numpy() - 1) / 12 + rng.uniform(0, 2 * np.pi))
        return level * np.exp(trend * tau + season + walk - walk.mean())

    def ratio_path(centre):
        # Recording practice drifts month by month (not in steps each April): a monthly random walk whose sd over a
        # year is ``ratio_drift_sd``.
        steps = np.cumsum(rng.normal(0, ratio_drift_sd / np.sqrt(12), T))
        return np.exp(np.log(centre) + rng.normal(0, 0.05) + steps - steps.mean())

    series = {g: (path(*SIM_GROUPS[g], 0.06), ratio_path(0.95), CRIME) for g in names}
    if asb:
        mu = path(3800.0, -0.05, 0.12)
        mu[months >= pd.Timestamp("2021-04-01")] *= 0.4  # a recording change inside the street data's gap
        series[ASB] = (mu, ratio_path(1.1), ASB_MEASURE)
    police = pd.DatetimeIndex([pd.Timestamp(f"{m}-01") for m in SIM_POLICEUK_MONTHS])
    for g, (mu, ratio, measure) in series.items():
        truth_mu[g], truth_ratio[g] = mu, ratio
        s = pd.Series(mu, index=months)
        if measure == CRIME:
            for q in pd.date_range(months[0], "2024-01-01", freq="3MS"):
                rows.append(("homeoffice_quarterly", measure, g, "force", q, 3, nb(s[q:q + pd.DateOffset(months=2)].sum(), 2000)))
            for e in SIM_ONS_EDITIONS:
                w0 = pd.Timestamp(f"{e}-01") - pd.DateOffset(months=11)
                if w0 >= months[0] and pd.Timestamp(f"{e}-01") <= months[-1]:
                    rows.append(("ons_p1", measure, g, "force", w0, 12, nb(s[w0:pd.Timestamp(f"{e}-01")].sum(), 3000)))
        else:
            for fy in range(months[0].year, 2019):
                w0 = pd.Timestamp(f"{fy}-04-01")
                if w0 >= months[0]:
                    r = ratio[months.get_loc(w0) + 6]
                    rows.append(("ons_p7", measure, g, "force", w0, 12, nb(r * s[w0:w0 + pd.DateOffset(months=11)].sum(), 2000)))
        for m in police[police.isin(months)]:
            # Street counts carry the ratio for crime; for ASB they are the reference definition.
            y = nb((ratio[months.get_loc(m)] if measure == CRIME else 1.0) * s[m], 400)
            rows.append(("policeuk_counts", measure, g, "force", m, 1, y))
            for area, k in zip(SIM_CSPS, rng.multinomial(y, shares)):
                rows.append(("policeuk_counts", measure, g, f"csp:{area}", m, 1, k))
    obs = pd.DataFrame(rows, columns=["kind", "measure", "group", "area", "start", "months", "count"])
    obs["level"] = np.where(obs["area"].str.startswith("csp:"), "csp", "force")
    obs["area"] = np.where(obs["level"] == "csp", obs["area"].str.removeprefix("csp:"), "Simulated Force")
    obs["source"] = obs["kind"]
    obs["count"] = obs["count"].astype("int64")
    kinds = {k: k for k in obs["kind"].unique()}
    return Sources("simulated", obs[OBS_COLUMNS], files={k: "simulated" for k in kinds}, kinds=kinds,
                   truth={"months": months, "mu": truth_mu, "ratio": truth_ratio, "csp_shares": dict(zip(SIM_CSPS, shares))})
