"""Published claims about change, read against the data: reproduced, and larger than normal variation?

A **claims file** (CSV, one row per claim; :func:`read_claims`) names what each claim counts (``measure``),
where (``area``), in what (``source_kind``: police recorded crime, ASB incidents, street-level counts), the two
12-month periods compared and the claimed change in % and/or in counts. :func:`evaluate` recomputes every claim
from every source that holds its measure and area (:func:`load_sources`), one row per *reading* (a period pair
x a source), so an ambiguous claim ("last year": calendar or financial?) shows each reading side by side.

**Periods** (inclusive months, always 12 of them): ``calendar 2023`` (January-December), ``FY 2023/24``
(April 2023-March 2024), ``12 months to 2024-04`` (May 2023-April 2024). Several readings are written
``calendar 2023 | FY 2023/24``. A source that does not hold every month of a period makes the reading *not
testable*, naming the missing months; quarterly tables test only periods that start and end on quarter
boundaries; the ONS rolling tables only the 12-month windows of their editions.

**Normal variation** (why this method). A fall "stands out" when it is larger than the series has moved from
one year to the next when nothing in particular happened. The yardstick is the series' own history: the
standard deviation ``s_year`` of its past annual log-changes (the same source, measure, area and month of year;
changes whose windows overlap the claim's are left out, so a claim does not set its own yardstick), scaled by
the square root of the years between the two periods. Count noise is added as Poisson variance
(``1/A + 1/B`` on the log scale); the past changes already carry past years' extra-Poisson noise. This is the
spread that statistical process control puts round annual changes, without a model fit, so every claim is
read in well under a second. A series with fewer than three past changes borrows ``s_year`` from another source
holding the same measure and area, else uses ``default_year_sd`` (said so in the row). With
``s = sqrt(gap * s_year**2 + 1/A + 1/B)`` and the observed log ratio ``r``:

* interval for the change: ``exp(r -/+ z s) - 1`` (``z`` for the ``interval`` level);
* P(a fall) ``= Phi(-r / s)``; the fall as a multiple of normal variation ``= -r / s``;
* *stands out from normal variation* when ``|r| / s >= stands_out_sigmas`` (2 by default).

**Verdicts** (:data:`VERDICTS`): *reproduced* -- the recomputed figure agrees with the claim within the
rounding of the claim as written ("6%": 5.5 to 6.5; "more than 49%": at least 49; "nearly 6%": 5 to 6) and,
for counts, within ``count_tolerance`` of the earlier total (data revisions); *close* -- within ``close_pp``
percentage points beyond that, or reproduced on a source of another kind or a broader measure (close by
definition); *not reproduced*; *not testable with these data* (the reason says why: no such measure, no such
area, missing months).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from workbench.dates import fy_label
from workbench.errors import ClaimsError
from workbench.evaluations.result import Result, Summary

REPRODUCED, CLOSE, NOT_REPRODUCED, NOT_TESTABLE = "reproduced", "close", "not reproduced", "not testable with these data"
VERDICTS = (REPRODUCED, CLOSE, NOT_REPRODUCED, NOT_TESTABLE)
STANDS_OUT, WITHIN = "stands out from normal variation", "within normal variation"
STANDS_OUT_VERDICTS = (STANDS_OUT, WITHIN, NOT_TESTABLE)

#: Sources a claim can be read against: label and what each counts.
SOURCE_LABELS = {
    "homeoffice_quarterly": "Home Office police recorded crime, quarterly (force x offence group)",
    "ons_p1": "ONS Table P1, police recorded crime, rolling 12 months (force areas)",
    "ons_c2": "ONS Table C2, police recorded crime by community safety partnership",
    "ons_p7": "ONS Table P7, anti-social behaviour incidents, financial years",
    "policeuk_counts": "data.police.uk street-level counts",
    "demo": "synthetic demo panel (street-level categories)",
}
#: What a claim counted, and the sources of that kind (others give a reading by another definition).
SOURCE_KINDS = {
    "recorded_crime": ("homeoffice_quarterly", "ons_p1", "ons_c2"),
    "asb_incidents": ("ons_p7",),
    "street_level": ("policeuk_counts",),
    "demo": ("demo",),
}
QUALIFIERS = ("exact", "more than", "nearly", "about")

_STREET_CRIME = ("Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs", "Other crime", "Other theft",
                 "Possession of weapons", "Public order", "Robbery", "Shoplifting", "Theft from the person",
                 "Vehicle crime", "Violence and sexual offences")
_HO_EXCL_FRAUD = ("Criminal damage and arson", "Drug offences", "Miscellaneous crimes against society",
                  "Possession of weapons offences", "Public order offences", "Robbery", "Sexual offences",
                  "Theft offences", "Violence against the person")
_ONS_VAP = ("Homicide", "Death or serious injury - unlawful driving", "Violence with injury", "Violence without injury",
            "Stalking and harassment")
_ONS_ALL = (*_ONS_VAP, "Sexual offences", "Robbery", "Residential burglary", "Non-residential burglary",
            "Vehicle offences", "Theft from the person", "Bicycle theft", "Shoplifting", "Other theft offences",
            "Criminal damage and arson", "Drug offences", "Possession of weapons offences", "Public order offences",
            "Miscellaneous crimes against society")


@dataclass(frozen=True)
class Measure:
    """What a claim counts, as each source spells it (categories summed), with the definition in words."""

    label: str
    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)
    untestable: str | None = None


def _street(*cats: str) -> dict[str, tuple[str, ...]]:
    return {"policeuk_counts": cats, "demo": cats}


MEASURES: dict[str, Measure] = {
    "all_crime_excl_fraud": Measure("all police recorded crime, fraud out (street-level: every crime category, ASB out)", {
        "homeoffice_quarterly": _HO_EXCL_FRAUD, "ons_p1": _ONS_ALL, "ons_c2": _ONS_ALL, **_street(*_STREET_CRIME)}),
    "all_crime_incl_fraud": Measure("all police recorded crime, fraud in", untestable=(
        "fraud has been recorded by Action Fraud, not by forces, since 2013/14: no table here holds a force's fraud "
        "beside its other crime for these years; read the claim as fraud out")),
    "all_crime_and_asb_street": Measure("street-level crime and ASB together", _street(*_STREET_CRIME, "Anti-social behaviour")),
    "asb": Measure("anti-social behaviour (P7: incidents recorded by the police; street-level: the ASB category)", {
        "ons_p7": ("Anti-social behaviour incidents",), **_street("Anti-social behaviour")}),
    "violence_against_the_person": Measure("violence against the person", {
        "homeoffice_quarterly": ("Violence against the person",), "ons_p1": _ONS_VAP, "ons_c2": _ONS_VAP}),
    "violence_with_injury": Measure("violence with injury", {"ons_p1": ("Violence with injury",),
                                                              "ons_c2": ("Violence with injury",)}),
    "violence_and_sexual_offences": Measure("violence and sexual offences (street-level category)",
                                            _street("Violence and sexual offences")),
    "homicide": Measure("homicide (murder, manslaughter, infanticide)", {"ons_p1": ("Homicide",), "ons_c2": ("Homicide",)}),
    "burglary": Measure("burglary, residential and non-residential", {
        "ons_p1": ("Residential burglary", "Non-residential burglary"),
        "ons_c2": ("Residential burglary", "Non-residential burglary"), **_street("Burglary")}),
    "robbery": Measure("robbery", {"homeoffice_quarterly": ("Robbery",), "ons_p1": ("Robbery",), "ons_c2": ("Robbery",),
                                   **_street("Robbery")}),
    "possession_of_weapons": Measure("possession of weapons offences", {
        "homeoffice_quarterly": ("Possession of weapons offences",), "ons_p1": ("Possession of weapons offences",),
        "ons_c2": ("Possession of weapons offences",), **_street("Possession of weapons")}),
    "shoplifting": Measure("shoplifting", {"ons_p1": ("Shoplifting",), "ons_c2": ("Shoplifting",), **_street("Shoplifting")}),
    "theft_from_the_person": Measure("theft from the person", {
        "ons_p1": ("Theft from the person",), "ons_c2": ("Theft from the person",), **_street("Theft from the person")}),
    "bicycle_theft": Measure("bicycle theft", {"ons_p1": ("Bicycle theft",), "ons_c2": ("Bicycle theft",),
                                              **_street("Bicycle theft")}),
    "knife_enabled_crime": Measure("knife or sharp instrument offences", untestable=(
        "knife-enabled crime is a flag across offence groups, published in a separate ONS table that is not in these data")),
    "domestic_abuse": Measure("domestic abuse-related offences", untestable=(
        "domestic abuse is a flag on offences, not an offence group: no domestic abuse counts are in these data")),
    "serious_violence": Measure("serious violence (a force or VVU definition)", untestable=(
        "serious violence is a local definition across offence groups; no source here counts it")),
}

CLAIM_COLUMNS = ("id", "claim", "source_document", "measure", "area", "source_kind", "period_before", "period_after",
                 "claimed_change_pct", "claimed_change_count", "qualifier", "measure_exact", "source", "verified", "note")
#: Optional columns: ``count_qualifier`` (how the count is worded, when not as the %: "9,470 fewer, nearly 6%");
#: ``expected_verdict`` and ``expected_stands_out`` (the known truth of synthetic claims).
OPTIONAL_COLUMNS = ("count_qualifier", "expected_verdict", "expected_stands_out")


# ----------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """A 12-month window (inclusive months) and how the claim wrote it."""

    label: str
    kind: str  # calendar | financial | rolling
    start: pd.Timestamp
    end: pd.Timestamp

    def overlaps(self, other: "Period") -> bool:
        return self.start <= other.end and other.start <= self.end


_CAL = re.compile(r"^(?:calendar\s*|CY\s*)?(\d{4})$", re.I)
_FY = re.compile(r"^FY\s*(\d{4})/(\d{2})$", re.I)
_ROLL = re.compile(r"^12 months to (\d{4})-(0[1-9]|1[0-2])$", re.I)


def parse_period(text: str) -> Period:
    """``calendar 2023``, ``FY 2023/24`` or ``12 months to 2024-04`` as a :class:`Period`; ValueError otherwise."""
    t = " ".join(str(text).split())
    if m := _CAL.match(t):
        y = int(m.group(1))
        return Period(f"calendar {y}", "calendar", pd.Timestamp(y, 1, 1), pd.Timestamp(y, 12, 1))
    if m := _FY.match(t):
        y = int(m.group(1))
        if (y + 1) % 100 != int(m.group(2)):
            raise ValueError(f"'{t}': a financial year runs into the next year, e.g. FY {fy_label(y)}")
        return Period(f"FY {fy_label(y)}", "financial", pd.Timestamp(y, 4, 1), pd.Timestamp(y + 1, 3, 1))
    if m := _ROLL.match(t):
        end = pd.Timestamp(int(m.group(1)), int(m.group(2)), 1)
        return Period(f"12 months to {end:%Y-%m}", "rolling", end - pd.DateOffset(months=11), end)
    raise ValueError(f"'{t}' is not a period; expected 'calendar 2023', 'FY 2023/24' or '12 months to 2024-04'")


def period_pairs(before: str, after: str) -> list[tuple[Period, Period]]:
    """The readings of a claim's periods: alternatives separated by ``|``, paired in order (a single one pairs with each)."""
    b = [parse_period(x) for x in before.split("|")]
    a = [parse_period(x) for x in after.split("|")]
    if len(b) != len(a) and 1 not in (len(a), len(b)):
        raise ValueError(f"{len(b)} readings of period_before but {len(a)} of period_after; give as many of each, or one")
    n = max(len(a), len(b))
    pairs = [(b[i if len(b) > 1 else 0], a[i if len(a) > 1 else 0]) for i in range(n)]
    for pb, pa in pairs:
        if pb.start >= pa.start:
            raise ValueError(f"period_before ({pb.label}) must come before period_after ({pa.label})")
    return pairs


# ----------------------------------------------------------------------------- the claims file


def read_claims(path: str | Path) -> pd.DataFrame:
    """Read and check a claims CSV (columns :data:`CLAIM_COLUMNS`; ``expected_*`` columns are kept as they are).

    Raises
    ------
    ClaimsError
        An unknown measure, source kind or qualifier, a period that does not parse, a change that is not a number,
        a row with neither a claimed % nor a count but with a period, a missing source or verified flag: the
        message names the file, the line and the column.
    """
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise ClaimsError(f"claims file {path} not found. Fix: point claims_path at the claims CSV.") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ClaimsError(f"{path}: not a readable UTF-8 CSV ({str(exc).strip()}). Fix the file.") from None
    missing = [c for c in CLAIM_COLUMNS if c not in raw.columns]
    if missing:
        raise ClaimsError(f"{path} line 1: missing column(s) {', '.join(missing)}; expected {', '.join(CLAIM_COLUMNS)}.")
    if raw.empty:
        raise ClaimsError(f"{path}: header only, no claims.")
    raw = raw.apply(lambda col: col.str.strip())
    if "count_qualifier" not in raw.columns:
        raw["count_qualifier"] = ""
    for i, row in raw.iterrows():
        _check_row(path, int(i) + 2, row)
    dup = raw["id"].duplicated()
    if dup.any():
        i = int(np.argmax(dup.to_numpy()))
        raise ClaimsError(f"{path} line {i + 2}, column 'id': '{raw['id'].iloc[i]}' is used on an earlier line. Fix: give each claim its own id.")
    return raw


def _fail(path: Path, line: int, column: str, message: str) -> None:
    raise ClaimsError(f"{path} line {line}, column '{column}': {message}. Fix the value in the file.")


def _number(path: Path, line: int, column: str, text: str) -> float | None:
    if text == "":
        return None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        value = float("nan")
    if not math.isfinite(value):
        _fail(path, line, column, f"expected a number such as -6 or -9470 (or empty), got {text!r}")
    return value


def _check_row(path: Path, line: int, row: pd.Series) -> None:
    if not row["id"]:
        _fail(path, line, "id", "expected a short id for the claim, got nothing")
    if row["measure"] not in MEASURES:
        _fail(path, line, "measure", f"unknown measure {row['measure']!r}; expected one of: {', '.join(MEASURES)}")
    if row["source_kind"] not in SOURCE_KINDS:
        _fail(path, line, "source_kind", f"unknown source kind {row['source_kind']!r}; expected one of: {', '.join(SOURCE_KINDS)}")
    for col in ("qualifier", "count_qualifier"):
        if (row[col] or "exact") not in QUALIFIERS:
            _fail(path, line, col, f"unknown qualifier {row[col]!r}; expected one of: {', '.join(QUALIFIERS)} (or empty)")
    for col in ("verified", "measure_exact"):
        if row[col].lower() not in ("true", "false"):
            _fail(path, line, col, f"expected true or false, got {row[col]!r}")
    if not row["source"]:
        _fail(path, line, "source", "expected where the row comes from, got nothing")
    pct = _number(path, line, "claimed_change_pct", row["claimed_change_pct"])
    count = _number(path, line, "claimed_change_count", row["claimed_change_count"])
    if bool(row["period_before"]) != bool(row["period_after"]):
        empty = "period_before" if not row["period_before"] else "period_after"
        _fail(path, line, empty, "give both periods, or neither (a claim naming no period is not testable)")
    if row["period_before"]:
        for col in ("period_before", "period_after"):
            for text in row[col].split("|"):
                try:
                    parse_period(text)
                except ValueError as exc:
                    _fail(path, line, col, str(exc))
        try:
            period_pairs(row["period_before"], row["period_after"])
        except ValueError as exc:
            _fail(path, line, "period_after", str(exc))
        if pct is None and count is None:
            _fail(path, line, "claimed_change_pct", "expected the claimed change in % or in counts (or both), got neither")


# ----------------------------------------------------------------------------- sources


@dataclass
class Source:
    """One source in a common form: counts by area, category and window (start month, length in months)."""

    kind: str
    frame: pd.DataFrame  # area, category, start, months, count
    months: int  # 1 monthly, 3 quarterly, 12 annual / rolling editions
    _tables: dict = field(default_factory=dict, repr=False)

    @property
    def label(self) -> str:
        return SOURCE_LABELS[self.kind]

    @property
    def areas(self) -> list[str]:
        return sorted(self.frame["area"].unique())

    def table(self, area: str) -> "_Table | None":
        """Counts of one area: a row per period held (its first month), a column per category (0 where absent)."""
        if area not in self._tables:
            rows = self.frame[self.frame["area"] == area]
            if rows.empty:
                self._tables[area] = None
            else:
                wide = rows.pivot_table(index="start", columns="category", values="count", aggfunc="sum",
                                        fill_value=0).sort_index()
                idx = pd.DatetimeIndex(wide.index)
                self._tables[area] = _Table(idx.year.to_numpy() * 12 + idx.month.to_numpy() - 1,
                                            {c: i for i, c in enumerate(wide.columns)}, wide.to_numpy(dtype=float))
        return self._tables[area]


@dataclass(frozen=True)
class _Table:
    starts: np.ndarray  # first month of each period held, as year * 12 + month - 1
    columns: dict
    values: np.ndarray  # periods x categories


def _mi(t: pd.Timestamp) -> int:
    return t.year * 12 + t.month - 1


def _ts(m: int) -> pd.Timestamp:
    return pd.Timestamp(m // 12, m % 12 + 1, 1)


def from_panel(kind: str, panel: pd.DataFrame, force_name: str | None = None) -> Source:
    """A :class:`Source` from a canonical panel. LSOA rows are summed to their district (CSP) and to the force."""
    from workbench.data.geography import district_of

    freq = str(panel["frequency"].iloc[0])
    months = {"M": 1, "Q": 3, "Y": 12}[freq]
    df = pd.DataFrame({"area": panel["area_name"].astype(str), "category": panel["category"].astype(str),
                       "start": panel["period"], "count": panel["count"].astype("int64")})
    if months == 1:  # street-level (and the demo): LSOA rows summed to their district and to the force
        force = force_name or str(panel["force"].iloc[0]).replace("-", " ").title()
        whole = df.assign(area=force)
        lsoa = panel["area_level"].astype(str).to_numpy() == "lsoa"
        district = df.loc[lsoa].assign(area=district_of(panel.loc[lsoa, "area_name"]).astype(str).to_numpy())
        parts = [whole, district]
    else:
        parts = [df]
    out = pd.concat(parts, ignore_index=True).groupby(["area", "category", "start"], as_index=False)["count"].sum()
    out["months"] = months
    return Source(kind, out, months)


def load_sources(paths: dict[str, str | None], force: str = "essex", cache: bool = True,
                 warnings: list[str] | None = None) -> dict[str, Source]:
    """Read the sources named in ``paths`` (kind -> file; None skips it), keeping one force.

    Parsed tables go through the panel cache (:mod:`workbench.data.cache`), keyed by the files' hashes; what a
    loader warns of is added to ``warnings``.
    """
    from workbench.data import homeoffice, policeuk
    from workbench.data.cache import cached_panel

    readers = {
        "homeoffice_quarterly": lambda f, w: homeoffice.read_ho_quarterly(f, w),
        "ons_p1": lambda f, w: homeoffice.read_ons_table(f, w),
        "ons_c2": lambda f, w: homeoffice.read_ons_table(f, w),
        "ons_p7": lambda f, w: homeoffice.read_ons_p7(f),
        "policeuk_counts": lambda f, w: policeuk.read_counts_csv(f),
    }
    out = {}
    for kind, path in paths.items():
        if path is None:
            continue
        f = Path(path)
        panel, _, warned, _ = cached_panel(f"claims-{kind}", f, [f], {}, lambda n, w, f=f, k=kind: readers[k](f, w), cache)
        if warnings is not None:
            warnings.extend(warned)
        panel = panel[panel["force"].astype(str) == force]
        if panel.empty:
            raise ClaimsError(f"{path}: no rows for force '{force}'. Fix: check the file or the force.")
        name = None if kind != "policeuk_counts" else force.replace("-", " ").title()
        out[kind] = from_panel(kind, panel.reset_index(drop=True), name)
    return out


# ----------------------------------------------------------------------------- totals over a window


@dataclass(frozen=True)
class Total:
    """A measure's total over a window, or why there is none (and the months missing)."""

    value: float | None
    reason: str = ""
    missing: tuple[str, ...] = ()


def _months_text(months: list[pd.Timestamp]) -> str:
    from workbench.data.panel import format_periods

    return format_periods(pd.DatetimeIndex(months))


def window_total(src: Source, area: str, categories: tuple[str, ...], period: Period) -> Total:
    """The sum of ``categories`` in ``area`` over ``period``, if the source holds every month of it."""
    tab = src.table(area)
    if tab is None:
        return Total(None, f"{src.label} has no figures for {area} (areas: {', '.join(src.areas[:16])})")
    starts, ps, pe = tab.starts, _mi(period.start), _mi(period.end)
    if src.months == 12:
        inside = starts == ps
        if not inside.any():
            ends = ", ".join(f"{_ts(s + 11):%Y-%m}" for s in starts)
            return Total(None, f"{src.label} has no 12-month total for {period.label} (it holds the 12 months to: {ends})",
                         (f"12 months to {period.end:%Y-%m}",))
    else:
        ends = starts + src.months - 1
        if (((starts < ps) & (ends >= ps)) | ((starts <= pe) & (ends > pe))).any():
            return Total(None, f"{src.label} is quarterly: {period.label} does not begin and end at quarter boundaries")
        inside = (starts >= ps) & (ends <= pe)
        if int(inside.sum()) * src.months < pe - ps + 1:
            covered = {int(s) + k for s in starts[inside] for k in range(src.months)}
            gap = [_ts(m) for m in range(ps, pe + 1) if m not in covered]
            return Total(None, f"{src.label} lacks {_months_text(gap)} of {period.label}", tuple(f"{m:%Y-%m}" for m in gap))
    cols = [tab.columns[c] for c in categories if c in tab.columns]
    if not cols:
        return Total(None, f"{src.label} has no {', '.join(categories)} for {area}")
    return Total(float(tab.values[np.ix_(inside, cols)].sum()))


def past_changes(src: Source, area: str, categories: tuple[str, ...], end_month: int,
                 exclude: tuple[Period, ...]) -> np.ndarray:
    """Annual log-changes of the 12-month totals ending in ``end_month``, over every year the source holds,
    leaving out changes whose windows overlap any of ``exclude``."""
    tab = src.table(area)
    if tab is None:
        return np.asarray([])
    years = tab.starts // 12
    totals = {}
    for y in range(int(years.min()), int(years.max()) + 2):
        end = pd.Timestamp(y, end_month, 1)
        p = Period(f"12 months to {end:%Y-%m}", "rolling", end - pd.DateOffset(months=11), end)
        t = window_total(src, area, categories, p)
        if t.value and t.value > 0:
            totals[y] = (p, t.value)
    out = []
    for y, (p, v) in totals.items():
        if y - 1 in totals:
            q, u = totals[y - 1]
            if not any(p.overlaps(e) or q.overlaps(e) for e in exclude):
                out.append(math.log(v / u))
    return np.asarray(out)


# ----------------------------------------------------------------------------- verdicts


def _unit(value: float) -> float:
    """The rounding unit of a figure as written: 6 -> 1, 8.3 -> 0.1, 9470 -> 10, 9000 -> 1000."""
    text = f"{abs(value):.6f}".rstrip("0").rstrip(".")
    if "." in text:
        return 10.0 ** -len(text.split(".")[1])
    digits = text.rstrip("0")
    return 10.0 ** (len(text) - len(digits)) if value else 1.0


def agreement(claimed: float, recomputed: float, qualifier: str, slack: float = 0.0,
              percent: bool = True) -> tuple[bool, float]:
    """Whether ``recomputed`` agrees with ``claimed`` as the claim words it, and by how far it misses if not.

    ``exact``: within half a unit of the claim's last digit; ``about``: within one unit; ``more than``: at least
    the claim, in its direction; ``nearly``: up to one unit short of the claim, not beyond it. ``slack`` widens
    every band (data revisions of counts). A change in the other direction never agrees. A % written as a whole
    number has a unit of 1 ("20%" is not "about 20 give or take 5"); a count's unit follows its zeros ("9,000").
    """
    u = min(_unit(claimed), 1.0) if percent else _unit(claimed)
    sign = -1.0 if claimed < 0 else 1.0
    c, x = abs(claimed), sign * recomputed  # magnitudes in the claimed direction
    if qualifier == "more than":
        lo, hi = c - slack, math.inf
    elif qualifier == "nearly":
        lo, hi = c - u - slack, c + u / 2 + slack
    else:
        half = (u if qualifier == "about" else u / 2) + slack
        lo, hi = c - half, c + half
    if claimed == 0:
        lo, hi, x = -u / 2 - slack, u / 2 + slack, recomputed
    miss = 0.0 if lo <= x <= hi else min(abs(x - lo), abs(x - hi))
    return miss == 0.0, miss


def verdict(claim: dict, change_pct: float, change_count: float, before: float, same_kind: bool, exact_measure: bool,
            close_pp: float, count_tolerance: float) -> tuple[str, str]:
    """The verdict of one reading (:data:`VERDICTS`) and the words saying why."""
    q = claim["qualifier"]
    checks = []
    if claim["pct"] is not None:
        ok, miss = agreement(claim["pct"], change_pct, q)
        checks.append((ok, miss, "the % change"))
    if claim["count"] is not None:
        slack = count_tolerance * before
        ok, miss = agreement(claim["count"], change_count, claim["count_qualifier"], slack, percent=False)
        checks.append((ok, 100 * miss / before, "the count"))
    if all(ok for ok, _, _ in checks):
        if same_kind and exact_measure:
            return REPRODUCED, "within the rounding of the claim"
        why = "from a source of another kind" if not same_kind else "on a broader or narrower measure than the claim's"
        return CLOSE, f"agrees within rounding, but {why} (close by definition)"
    worst = max(miss for _, miss, _ in checks)
    what = ", ".join(w for ok, _, w in checks if not ok)
    if worst <= close_pp:
        return CLOSE, f"{what} within {close_pp:g} pp of the claim beyond its rounding"
    return NOT_REPRODUCED, f"{what} more than {close_pp:g} pp from the claim beyond its rounding"


# ----------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Settings:
    """How claims are read (the notebook's parameters)."""

    interval: float = 0.95
    stands_out_sigmas: float = 2.0
    close_pp: float = 1.0
    count_tolerance: float = 0.0025
    default_year_sd: float = 0.10
    min_past_changes: int = 3


def _claim_values(row: pd.Series) -> dict:
    return {"pct": float(row["claimed_change_pct"].replace(",", "")) if row["claimed_change_pct"] else None,
            "count": float(row["claimed_change_count"].replace(",", "")) if row["claimed_change_count"] else None,
            "qualifier": row["qualifier"] or "exact",
            "count_qualifier": row.get("count_qualifier") or row["qualifier"] or "exact"}


def _year_sd(sources: dict[str, Source], kind: str, measure: Measure, area: str, pb: Period, pa: Period,
             s: Settings) -> tuple[float, int, str]:
    """``s_year``, the number of past changes behind it, and where it came from."""
    order = [kind] + [k for k in sources if k != kind and k in measure.categories]
    for k in order:
        src = sources[k]
        changes = past_changes(src, area, measure.categories[k], pa.end.month, (pb, pa))
        if len(changes) >= s.min_past_changes:
            where = "its own history" if k == kind else f"the history of {SOURCE_LABELS[k]} (too few past years here)"
            return float(np.std(changes, ddof=1)), len(changes), where
    return s.default_year_sd, 0, f"an assumed {s.default_year_sd:.0%} (fewer than {s.min_past_changes} past changes in any source)"


def _reading(row: pd.Series, claim: dict, measure: Measure, sources: dict[str, Source], kind: str,
             pb: Period, pa: Period, s: Settings) -> dict:
    src = sources[kind]
    same_kind = kind in SOURCE_KINDS[row["source_kind"]]
    out = {"id": row["id"], "reading": f"{pb.label} -> {pa.label}", "source": src.label, "source_key": kind,
           "same_kind": same_kind, "definition": f"{measure.label} in {row['area']}, {pb.label} against {pa.label}",
           "claimed_pct": claim["pct"], "claimed_count": claim["count"]}
    cats = measure.categories[kind]
    b, a = window_total(src, row["area"], cats, pb), window_total(src, row["area"], cats, pa)
    if b.value is None or a.value is None:
        why = "; ".join(dict.fromkeys(t.reason for t in (b, a) if t.value is None))
        return {**out, "verdict": NOT_TESTABLE, "stands_out": NOT_TESTABLE, "why": why,
                "missing": ", ".join(m for t in (b, a) for m in t.missing)}
    if b.value <= 0 or a.value <= 0:
        return {**out, "verdict": NOT_TESTABLE, "stands_out": NOT_TESTABLE, "before": b.value, "after": a.value,
                "why": "a zero total: a change in % is not defined", "missing": ""}
    r = math.log(a.value / b.value)
    sd_year, n_past, sd_from = _year_sd(sources, kind, measure, row["area"], pb, pa, s)
    gap = max(1.0, (pa.end.year - pb.end.year) + (pa.end.month - pb.end.month) / 12)
    sd = math.sqrt(gap * sd_year**2 + 1 / a.value + 1 / b.value)
    z = stats.norm.ppf(0.5 + s.interval / 2)
    pct, count = 100 * (a.value / b.value - 1), a.value - b.value
    v, why = verdict(claim, pct, count, b.value, same_kind, row["measure_exact"].lower() == "true", s.close_pp,
                     s.count_tolerance)
    return {**out, "before": b.value, "after": a.value, "change_count": count, "change_pct": pct,
            "diff_pct": None if claim["pct"] is None else pct - claim["pct"],
            "diff_count": None if claim["count"] is None else count - claim["count"],
            "lo_pct": 100 * math.expm1(r - z * sd), "hi_pct": 100 * math.expm1(r + z * sd),
            "p_fall": float(stats.norm.cdf(-r / sd)), "fall_sigmas": -r / sd, "year_sd": sd_year,
            "past_changes": n_past, "year_sd_from": sd_from, "verdict": v,
            "stands_out": STANDS_OUT if abs(r) / sd >= s.stands_out_sigmas else WITHIN, "why": why, "missing": ""}


def _untestable(row: pd.Series, why: str, reading: str = "") -> dict:
    return {"id": row["id"], "reading": reading, "source": "", "source_key": "", "same_kind": False,
            "definition": MEASURES[row["measure"]].label, "claimed_pct": _claim_values(row)["pct"],
            "claimed_count": _claim_values(row)["count"], "verdict": NOT_TESTABLE, "stands_out": NOT_TESTABLE,
            "why": why, "missing": ""}


def evaluate_claim(row: pd.Series, sources: dict[str, Source], s: Settings = Settings()) -> list[dict]:
    """Every reading of one claim (period pairs x sources holding its measure), matching sources first."""
    measure = MEASURES[row["measure"]]
    if measure.untestable:
        return [_untestable(row, measure.untestable)]
    if not row["area"]:
        return [_untestable(row, "the claim names no area")]
    if not row["period_before"]:
        return [_untestable(row, "the claim names no period")]
    kinds = [k for k in sources if k in measure.categories]
    kinds.sort(key=lambda k: k not in SOURCE_KINDS[row["source_kind"]])
    pairs = period_pairs(row["period_before"], row["period_after"])
    if not kinds:
        held = ", ".join(SOURCE_LABELS[k] for k in sources) or "none"
        wanted = ", ".join(SOURCE_LABELS[k] for k in measure.categories)
        return [_untestable(row, f"{measure.label} is counted by {wanted}; the sources given are: {held}",
                            f"{pb.label} -> {pa.label}") for pb, pa in pairs]
    here = [k for k in kinds if sources[k].table(row["area"]) is not None]
    if not here:
        held = "; ".join(f"{SOURCE_LABELS[k]}: {', '.join(sources[k].areas[:16])}" for k in kinds)
        return [_untestable(row, f"no source holding {measure.label} has figures for {row['area']} (areas held: {held})",
                            f"{pb.label} -> {pa.label}") for pb, pa in pairs]
    claim = _claim_values(row)
    return [_reading(row, claim, measure, sources, k, pb, pa, s) for pb, pa in pairs for k in here]


def evaluate(claims: pd.DataFrame, sources: dict[str, Source], s: Settings = Settings()) -> pd.DataFrame:
    """One row per reading of every claim, with the sentence that states its verdicts."""
    rows = [r for _, row in claims.iterrows() for r in evaluate_claim(row, sources, s)]
    out = pd.DataFrame(rows)
    by_id = claims.set_index("id")
    out["sentence"] = [sentence(r, by_id.loc[r["id"]]) for r in rows]
    return out


def headline(readings: pd.DataFrame) -> pd.DataFrame:
    """One row per claim: its best-supported testable reading (reproduced, then close, then not reproduced) on a
    source of the claim's own kind, else on any source, else its first reading. ``readings_summary`` lists the
    verdict of every testable reading beside it, so a claim that holds on one reading only says so."""
    rank = {REPRODUCED: 0, CLOSE: 1, NOT_REPRODUCED: 2, NOT_TESTABLE: 3}
    r = readings.assign(_rank=readings["verdict"].map(rank), _order=np.arange(len(readings)),
                        _testable=readings["verdict"] != NOT_TESTABLE)
    r = r.sort_values(["id", "_testable", "same_kind", "_rank", "_order"], ascending=[True, False, False, True, True],
                      kind="stable")
    first = r.drop_duplicates("id").set_index("id")
    summary: dict[str, list[str]] = {}
    for _, t in readings[readings["verdict"] != NOT_TESTABLE].iterrows():
        summary.setdefault(t["id"], []).append(f"{t['verdict']} ({t['reading']}, {t['source_key']})")
    first["readings_summary"] = ["; ".join(summary.get(i, ["no testable reading"])) for i in first.index]
    order = list(dict.fromkeys(readings["id"]))
    return first.loc[order].drop(columns=["_testable", "_order", "_rank"])


def _fmt_pct(x: float | None) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:+.1f}%"


def sentence(r: dict, claim: pd.Series) -> str:
    """One sentence per reading: the verdicts, with the definition and the source they rest on."""
    if r["verdict"] == NOT_TESTABLE:
        where = f" ({r['reading']}, {r['source']})" if r["source"] else (f" ({r['reading']})" if r["reading"] else "")
        return f"**{r['id']}** not testable with these data{where}: {r['why']}."
    claimed = " and ".join(x for x in (
        None if r["claimed_pct"] is None else f"{claim['qualifier'] + ' ' if claim['qualifier'] not in ('', 'exact') else ''}{r['claimed_pct']:+g}%",
        None if r["claimed_count"] is None else f"{r['claimed_count']:+,.0f}") if x)
    return (f"**{r['id']}** {r['verdict']} ({r['why']}): {r['definition']} from {r['source']} changed by "
            f"{_fmt_pct(r['change_pct'])} ({r['change_count']:+,.0f}; {r['before']:,.0f} to {r['after']:,.0f}) against a "
            f"claimed {claimed}; {r['stands_out']} ({r['fall_sigmas']:+.1f} times normal variation, interval "
            f"{_fmt_pct(r['lo_pct'])} to {_fmt_pct(r['hi_pct'])}, P(a fall) {r['p_fall']:.2f}; year-to-year sd "
            f"{r['year_sd']:.1%} from {r['year_sd_from']}).")


def table(readings: pd.DataFrame) -> pd.DataFrame:
    """The readings as a people's table (rounded figures, named columns)."""
    cols = {"id": "claim", "reading": "periods", "source_key": "source", "claimed_pct": "claimed %",
            "claimed_count": "claimed count", "before": "before", "after": "after", "change_pct": "recomputed %",
            "change_count": "recomputed count", "diff_pct": "difference (pp)", "lo_pct": "interval low %",
            "hi_pct": "interval high %", "p_fall": "P(fall)", "fall_sigmas": "fall / normal variation",
            "verdict": "verdict", "stands_out": "normal variation", "missing": "months missing"}
    out = readings.reindex(columns=list(cols)).rename(columns=cols)
    return out.set_index(["claim", "periods", "source"])


def figures(readings: pd.DataFrame) -> dict:
    """The results JSON: each claim's headline verdicts and figures, every reading, and counts by verdict."""
    head = headline(readings)
    keep = ["reading", "source_key", "change_pct", "change_count", "lo_pct", "hi_pct", "p_fall", "fall_sigmas",
            "verdict", "stands_out", "missing", "readings_summary"]
    claims = {i: {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row[keep].items()}
              for i, row in head.iterrows()}
    return {"claims": claims, "n_claims": len(head), "n_readings": len(readings),
            "verdicts": {v: int((head["verdict"] == v).sum()) for v in VERDICTS},
            "stand_out": int((head["stands_out"] == STANDS_OUT).sum())}


# ----------------------------------------------------------------------------- demo claims with known truth


#: Synthetic claims on the demo panel: (id, measure, area, before, after, perturbation of the claimed %, qualifier,
#: count claimed?, expected verdict, expected second verdict). The claimed figures are the demo panel's own,
#: moved by the perturbation, so the right verdict is known; the second verdict follows from the demo's documented
#: truths: the COVID-19 year (April 2020 - March 2021) cut shoplifting and theft from the person by about half and
#: raised ASB by about half, far beyond any ordinary year; ordinary years move by trends of at most 6% a year, and
#: small series (a CSP's bicycle thefts) by count noise.
DEMO_CLAIMS = (
    ("D1", "shoplifting", "Essex", "FY 2019/20", "FY 2020/21", 0.0, "exact", False, REPRODUCED, STANDS_OUT),
    ("D2", "theft_from_the_person", "Essex", "FY 2019/20", "FY 2020/21", 0.9, "exact", False, CLOSE, STANDS_OUT),
    ("D3", "asb", "Southend-on-Sea", "FY 2019/20", "FY 2020/21", 0.0, "exact", True, REPRODUCED, STANDS_OUT),
    ("D4", "violence_and_sexual_offences", "Essex", "calendar 2023", "calendar 2024", -8.0, "exact", False, NOT_REPRODUCED, WITHIN),
    ("D5", "robbery", "Essex", "FY 2022/23", "FY 2023/24", 2.5, "exact", False, NOT_REPRODUCED, WITHIN),
    ("D6", "bicycle_theft", "Maldon", "calendar 2023", "calendar 2024", 0.0, "about", False, REPRODUCED, WITHIN),
    ("D7", "all_crime_excl_fraud", "Essex", "calendar 2024", "calendar 2025", 0.0, "exact", True, REPRODUCED, WITHIN),
    ("D8", "shoplifting", "Essex", "12 months to 2024-06", "12 months to 2025-06", 4.0, "exact", False, NOT_REPRODUCED, WITHIN),
    ("D9", "burglary", "Essex", "calendar 2013", "calendar 2014", 0.0, "exact", False, NOT_TESTABLE, NOT_TESTABLE),
    ("D10", "knife_enabled_crime", "Essex", "calendar 2023", "calendar 2024", 0.0, "exact", False, NOT_TESTABLE, NOT_TESTABLE),
)


def demo_claims(demo: Source) -> pd.DataFrame:
    """The synthetic claims of :data:`DEMO_CLAIMS` computed from the demo panel, with their expected verdicts."""
    rows = []
    for cid, m, area, pb, pa, shift, q, with_count, exp_v, exp_s in DEMO_CLAIMS:
        cats = MEASURES[m].categories.get("demo", ())
        b, a = (window_total(demo, area, cats, parse_period(p)) for p in (pb, pa))
        if b.value and a.value:
            pct = round(100 * (a.value / b.value - 1) + shift, 0 if q == "about" else 1)
            count = f"{a.value - b.value:.0f}" if with_count else ""
        else:  # outside the panel: any figure will do, the months are missing
            pct, count = -5.0, ""
        rows.append({"id": cid, "claim": f"synthetic claim: {MEASURES[m].label} in {area} changed by {pct:+g}%",
                     "source_document": "synthetic (workbench.evaluations.claims.DEMO_CLAIMS)", "measure": m,
                     "area": area, "source_kind": "demo", "period_before": pb, "period_after": pa,
                     "claimed_change_pct": f"{pct:g}", "claimed_change_count": count, "qualifier": q,
                     "measure_exact": "true", "source": "computed from the demo panel", "verified": "true",
                     "note": f"claimed % = the panel's own {shift:+g} pp", "expected_verdict": exp_v,
                     "expected_stands_out": exp_s})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- what the notebook calls


def settings(p) -> Settings:
    """:class:`Settings` from the notebook's parameters (:class:`workbench.params.ClaimsParams`)."""
    return Settings(interval=p.interval, stands_out_sigmas=p.stands_out_sigmas, close_pp=p.close_pp,
                    count_tolerance=p.count_tolerance, default_year_sd=p.default_year_sd)


def prepare(cfg, warnings: list[str] | None = None) -> tuple[pd.DataFrame, dict[str, Source], str]:
    """The claims, the sources to read them against, and where the claims come from, for a notebook config.

    On demo data the source is the demo panel and, without ``claims_path``, the claims are
    :func:`demo_claims` (their expected verdicts beside them). Otherwise the sources are the files the
    parameters name and ``claims_path`` is required. What the loaders warn of is added to ``warnings``.
    """
    from workbench.data import load_panel

    p = cfg.nb
    paths = {"homeoffice_quarterly": p.homeoffice_path, "ons_p1": p.ons_p1_path, "ons_c2": p.ons_c2_path,
             "ons_p7": p.ons_p7_path, "policeuk_counts": p.policeuk_path}
    if cfg.data.source == "demo":
        sources = {"demo": from_panel("demo", load_panel(cfg.run), p.force.replace("-", " ").title())}
        sources.update(load_sources(paths, p.force, cfg.data.cache, warnings))
        if p.claims_path is None:
            return demo_claims(sources["demo"]), sources, "synthetic claims computed from the demo panel (DEMO_CLAIMS)"
    elif p.claims_path is None:
        raise ClaimsError("50-claims: claims_path is not set; on data other than the demo a claims file is needed "
                          "(see params/reference/claims-essex.csv). Fix: set claims_path.")
    elif not any(paths.values()):
        raise ClaimsError("50-claims: no source to read the claims against; on data other than the demo give at least "
                          "one of homeoffice_path, ons_p1_path, ons_c2_path, ons_p7_path, policeuk_path.")
    else:
        sources = load_sources(paths, p.force, cfg.data.cache, warnings)
    return read_claims(p.claims_path), sources, str(Path(p.claims_path).name)


def definitions(claims: pd.DataFrame, sources: dict[str, Source]) -> pd.DataFrame:
    """For each measure the claims use: its definition, and what each source given sums for it (or that it has none)."""
    rows = []
    for m in dict.fromkeys(claims["measure"]):
        measure = MEASURES[m]
        for kind in sources:
            cats = measure.categories.get(kind)
            rows.append({"measure": m, "definition": measure.label, "source": kind,
                         "sums": ", ".join(cats) if cats else (measure.untestable or "not held by this source")})
    return pd.DataFrame(rows).set_index(["measure", "source"])


def coverage(sources: dict[str, Source]) -> pd.DataFrame:
    """What each source holds: frequency, first and last period, and the number of periods."""
    rows = []
    for kind, src in sources.items():
        starts = pd.DatetimeIndex(sorted(src.frame["start"].unique()))
        ends = starts + pd.DateOffset(months=src.months - 1)
        rows.append({"source": kind, "what": src.label, "periods": {1: "months", 3: "quarters", 12: "12-month totals"}[src.months],
                     "first": f"{starts[0]:%Y-%m}", "last (end month)": f"{ends[-1]:%Y-%m}", "n": len(starts),
                     "areas": len(src.areas)})
    return pd.DataFrame(rows).set_index("source")


def demo_check(readings: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame | None:
    """For claims with expected verdicts (the demo's), each headline verdict beside the expected one; else None."""
    if "expected_verdict" not in claims.columns:
        return None
    head = headline(readings)
    exp = claims.set_index("id")
    out = pd.DataFrame({"verdict": head["verdict"], "expected": exp["expected_verdict"],
                        "normal variation": head["stands_out"], "expected ": exp["expected_stands_out"]})
    out["right"] = (out["verdict"] == out["expected"]) & (out["normal variation"] == out["expected "])
    return out


def chart_rows(readings: pd.DataFrame) -> pd.DataFrame:
    """The readings a chart over all claims shows: every testable reading, and one row for each claim with none."""
    testable = readings["verdict"] != NOT_TESTABLE
    none = ~readings["id"].isin(readings.loc[testable, "id"]) & ~readings["id"].duplicated()
    out = readings[testable | none].copy()
    out.loc[~testable[testable | none], ["reading", "source_key"]] = ["", ""]
    return out


SHORT_NAMES = {"homeoffice_quarterly": "Home Office recorded crime", "ons_p1": "ONS P1", "ons_c2": "ONS C2",
               "ons_p7": "ONS P7 ASB incidents", "policeuk_counts": "data.police.uk street-level counts"}


def sources_label(sources: dict[str, Source], data_label: str) -> str:
    """Words every table and figure carries: the run's data label on the demo, else the sources read."""
    if "demo" in sources:
        return data_label
    return ", ".join(SHORT_NAMES[k] for k in sources)


@dataclass
class ClaimsResult(Result):
    """The claims checked: every reading of every claim (:func:`readings`)."""

    readings: pd.DataFrame
    known: dict | None = None  # the figures, when already computed (with ``demo_right`` on demo claims)

    def figures(self) -> dict:
        return self.known if self.known is not None else figures(self.readings)

    def checks(self) -> pd.DataFrame:
        f = self.figures()
        rows = [{"check": "every claim read on a source (or named as not testable)", "passed": int(f.get("n_claims") or 0) > 0}]
        if "demo_right" in f:
            rows.append({"check": "demo claims: every verdict matches its known truth", "passed": bool(f["demo_right"])})
        return pd.DataFrame(rows)

    def summary(self, label: str) -> Summary:
        """Each claim's headline reading, and a paragraph of the verdicts."""
        f = self.figures()
        v, n = f["verdicts"], f["n_claims"]
        text = (f"Of {n:,} claims, {n - v.get(NOT_TESTABLE, 0):,} can be tested with these data: "
                f"{v.get(REPRODUCED, 0):,} {REPRODUCED}, {v.get(CLOSE, 0):,} {CLOSE}, {v.get(NOT_REPRODUCED, 0):,} "
                f"{NOT_REPRODUCED}; {f['stand_out']:,} of the changes stand out from the series' normal year-to-year "
                f"variation. ({label})")
        return Summary(headline(self.readings), text)
