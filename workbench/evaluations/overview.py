"""What is in the data: totals, trends, seasonality and concentration.

The logic behind ``notebooks/00-data-overview.ipynb``. Every function takes the
canonical panel (:mod:`workbench.data.panel`) and returns a DataFrame or a dict,
so it can be tested without a notebook.

Windows: the *latest* window is the last ``recent_months`` calendar months
ending at the panel's last period; the *previous* window is the same length
just before it. A window with missing months is reported as incomplete and its
change is not computed -- never filled in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.data.geography import district_of
from workbench.data.panel import STEP_MONTHS, coverage, expected_periods, format_periods
from workbench.evaluations.result import Result, Summary

ASB = "Anti-social behaviour"
ALL_CRIME = "All crime (excl. ASB)"


@dataclass(frozen=True)
class Windows:
    """The latest and previous comparison windows (inclusive first-of-month bounds)."""

    latest: tuple[pd.Timestamp, pd.Timestamp]
    previous: tuple[pd.Timestamp, pd.Timestamp]
    latest_missing: str
    previous_missing: str
    step: int = 1

    @property
    def comparable(self) -> bool:
        return not self.latest_missing and not self.previous_missing

    def describe(self) -> str:
        # Periods are named by their first month; a window ends at the last month of its last period.
        last = pd.DateOffset(months=self.step - 1)
        lo, hi = self.latest
        plo, phi = self.previous
        return f"{lo:%b %Y}–{hi + last:%b %Y} against {plo:%b %Y}–{phi + last:%b %Y}"


def frequency(panel: pd.DataFrame) -> str:
    """The panel's one frequency ("M", "Q" or "Y"); a panel mixing frequencies cannot be compared period by period."""
    freqs = sorted(set(map(str, panel["frequency"].unique())))  # the distinct values, not every row
    if len(freqs) != 1:
        raise ValueError(f"the panel mixes frequencies {freqs}; analyse one source at a time")
    return freqs[0]


def period_word(panel: pd.DataFrame) -> str:
    return {"M": "month", "Q": "quarter", "Y": "12-month period"}[frequency(panel)]


def windows(panel: pd.DataFrame, recent_months: int = 12) -> Windows:
    """The latest ``recent_months`` months of the panel and the window before them.

    For quarterly data the windows hold whole quarters, for 12-month totals one
    edition each; ``recent_months`` is rounded up to whole periods.
    """
    freq = frequency(panel)
    step = STEP_MONTHS[freq]
    span = -(-recent_months // step) * step
    present = pd.DatetimeIndex(panel["period"].unique())
    end = present.max()
    start = end - pd.DateOffset(months=span - step)
    pend = start - pd.DateOffset(months=step)
    pstart = pend - pd.DateOffset(months=span - step)

    def missing(lo: pd.Timestamp, hi: pd.Timestamp) -> str:
        return format_periods(expected_periods(lo, hi, freq).difference(present), step)

    return Windows((start, end), (pstart, pend), missing(start, end), missing(pstart, pend), step)


def _window_sum(panel: pd.DataFrame, by: str | pd.Series, window: tuple[pd.Timestamp, pd.Timestamp]) -> pd.Series:
    lo, hi = window
    m = (panel["period"] >= lo) & (panel["period"] <= hi)
    keys = by[m] if isinstance(by, pd.Series) else panel.loc[m, by]
    return panel.loc[m, "count"].groupby(keys, observed=True).sum()


def _change_table(panel: pd.DataFrame, by: str | pd.Series, w: Windows, name: str) -> pd.DataFrame:
    latest = _window_sum(panel, by, w.latest)
    prev = _window_sum(panel, by, w.previous)
    out = pd.DataFrame({"latest": latest, "previous": prev}).fillna(0).astype("int64")
    out["change_pct"] = (100 * (out["latest"] / out["previous"] - 1)).where(out["previous"] > 0) if w.comparable else np.nan
    out["share_pct"] = 100 * out["latest"] / out["latest"].sum()
    out.index.name = name
    return out.sort_values("latest", ascending=False)


def category_totals(panel: pd.DataFrame, recent_months: int = 12) -> pd.DataFrame:
    """Counts by category in the latest and previous windows, with % change and % share.

    A first row gives all crime excluding ASB; ASB stays a category of its own.
    """
    w = windows(panel, recent_months)
    table = _change_table(panel, "category", w, "category")
    crime = table.drop(index=ASB, errors="ignore")
    total = pd.DataFrame(
        {"latest": [crime["latest"].sum()], "previous": [crime["previous"].sum()]}, index=pd.Index([ALL_CRIME], name="category")
    )
    total["change_pct"] = 100 * (total["latest"] / total["previous"] - 1) if w.comparable else np.nan
    total["share_pct"] = 100 * total["latest"] / table["latest"].sum()
    return pd.concat([total, table])


def area_totals(panel: pd.DataFrame, recent_months: int = 12) -> pd.DataFrame:
    """All crime (excl. ASB) and ASB by district / CSP in the latest and previous windows."""
    w = windows(panel, recent_months)
    district = district_of(panel["area_name"])
    asb = (panel["category"] == ASB).to_numpy()
    crime = _change_table(panel.loc[~asb], district[~asb], w, "area")
    asb_t = _change_table(panel.loc[asb], district[asb], w, "area")
    out = crime[["latest", "previous", "change_pct"]].add_prefix("crime_")
    out = out.join(asb_t[["latest", "change_pct"]].add_prefix("asb_"), how="outer")
    out = out.fillna({"crime_latest": 0, "crime_previous": 0, "asb_latest": 0})
    return out.sort_values("crime_latest", ascending=False)


def monthly_series(panel: pd.DataFrame, by: str = "category") -> pd.DataFrame:
    """Monthly counts, one column per ``by`` value (``"category"`` or ``"district"``).

    Months the panel covers but where a column has no rows are zeros; months the
    panel does not cover are left out (not filled), so gaps show in plots.
    """
    keys = district_of(panel["area_name"]) if by == "district" else panel[by]
    wide = panel["count"].groupby([panel["period"], keys], observed=True).sum().unstack(fill_value=0)
    wide.columns = wide.columns.astype(str)
    wide.index.name = "period"
    return wide


def largest(wide: pd.DataFrame, n: int = 16) -> pd.DataFrame:
    """The ``n`` columns with the largest totals (all of them when there are at most ``n``)."""
    if wide.shape[1] <= n:
        return wide
    return wide[wide.sum().sort_values(ascending=False, kind="stable").index[:n]]


def headline_series(panel: pd.DataFrame) -> pd.DataFrame:
    """Monthly all crime (excl. ASB) and ASB."""
    wide = monthly_series(panel)
    return pd.DataFrame({ALL_CRIME: wide.drop(columns=[ASB], errors="ignore").sum(axis=1), ASB: wide.get(ASB, 0)})


def seasonal_profile(panel: pd.DataFrame) -> pd.DataFrame | None:
    """Month-of-year index (mean 1) of all crime (excl. ASB) and of ASB.

    Ratio to a centred 12-month moving average, averaged by calendar month, so
    trend does not leak into the profile. Needs monthly data with every calendar
    month covered after trimming the moving average's ends; returns ``None`` otherwise.
    """
    if frequency(panel) != "M":
        return None
    series = headline_series(panel)
    full = pd.date_range(series.index.min(), series.index.max(), freq="MS")
    series = series.reindex(full)  # gaps stay NaN and drop out of the moving average
    trend = series.rolling(12, center=True).mean().rolling(2).mean().shift(-1)
    ratio = (series / trend).dropna()
    if len(ratio) < 12 or ratio.index.month.nunique() < 12:
        return None
    profile = ratio.groupby(ratio.index.month).mean()
    profile = profile / profile.mean()
    profile.index = pd.Index([pd.Timestamp(2000, m, 1).strftime("%b") for m in profile.index], name="month")
    return profile


def top_areas(panel: pd.DataFrame, n: int = 10, recent_months: int = 12, exclude_asb: bool = True) -> pd.DataFrame:
    """The ``n`` areas (e.g. LSOAs) with most crime in the latest window, with their share of the total."""
    w = windows(panel, recent_months)
    part = panel.loc[panel["category"] != ASB] if exclude_asb else panel
    lo, hi = w.latest
    part = part.loc[(part["period"] >= lo) & (part["period"] <= hi)]
    counts = part["count"].groupby(part["area_name"], observed=True).sum().sort_values(ascending=False, kind="stable")
    total = counts.sum()
    top = counts.head(n).rename("count").to_frame()
    top["share_pct"] = 100 * top["count"] / total
    top["cumulative_share_pct"] = top["share_pct"].cumsum()
    top.insert(0, "area", district_of(pd.Series(top.index.astype(str))).astype(str).to_numpy())
    top.index.name = "lsoa" if (panel["area_level"] == "lsoa").all() else "area_name"
    return top


def concentration(panel: pd.DataFrame, recent_months: int = 12, shares=(0.01, 0.05, 0.1, 0.2, 0.5)) -> pd.DataFrame:
    """Share of all crime (excl. ASB) in the top 1%, 5%, ... of areas in the latest window."""
    w = windows(panel, recent_months)
    lo, hi = w.latest
    part = panel.loc[(panel["category"] != ASB) & (panel["period"] >= lo) & (panel["period"] <= hi)]
    counts = np.sort(part["count"].groupby(part["area_name"], observed=True).sum().to_numpy())[::-1]
    cum = np.cumsum(counts) / counts.sum()
    rows = []
    for s in shares:
        k = max(1, int(round(s * len(counts))))
        rows.append({"top_share_of_areas_pct": 100 * s, "areas": k, "share_of_crime_pct": 100 * cum[k - 1]})
    return pd.DataFrame(rows)


def headline(panel: pd.DataFrame, recent_months: int = 12) -> dict:
    """The notebook's headline figures (written to its results JSON)."""
    w = windows(panel, recent_months)
    cats = category_totals(panel, recent_months)
    cov = coverage(panel)
    conc = concentration(panel, recent_months)

    def num(x: float) -> float | None:
        return None if pd.isna(x) else round(float(x), 2)

    crime = cats.loc[ALL_CRIME]
    asb = cats.loc[ASB] if ASB in cats.index else None
    return {
        "first_month": cov["first"].min(),
        "last_month": cov["last"].max(),
        "months_present": int(cov["periods_present"].sum()),
        "months_missing": int(cov["periods_missing"].sum()),
        "n_areas": int(district_of(panel["area_name"]).nunique()),
        "n_lsoas": int(panel.loc[panel["area_level"] == "lsoa", "area_name"].nunique()),
        "n_categories": int(panel["category"].nunique()),
        "latest_window": w.describe(),
        "crime_latest_12m": int(crime["latest"]),
        "crime_change_pct": num(crime["change_pct"]),
        "asb_latest_12m": None if asb is None else int(asb["latest"]),
        "asb_change_pct": None if asb is None else num(asb["change_pct"]),
        "top_category": str(cats.drop(index=[ALL_CRIME, ASB], errors="ignore").index[0]),
        "share_in_top_10pct_areas": num(conc.loc[conc["top_share_of_areas_pct"] == 10, "share_of_crime_pct"].iloc[0]),
    }


def _summary_text(figures: dict, label: str, missing: str = "") -> str:
    """A plain-English paragraph of the headline figures, naming the data and any gaps."""
    from workbench.report import pct

    def change(key: str) -> str:
        value = figures.get(key)
        return "no comparison: a window has missing months" if value is None else f"{pct(value)} on the previous period"

    parts = [
        f"In the latest window ({figures['latest_window']}) the data hold "
        f"{figures['crime_latest_12m']:,} crimes excluding anti-social behaviour ({change('crime_change_pct')})"
    ]
    if figures.get("asb_latest_12m") is not None:
        parts[0] += f" and {figures['asb_latest_12m']:,} ASB incidents ({change('asb_change_pct')})"
    parts[0] += "."
    parts.append(f"{figures['top_category']} is the largest crime category.")
    if figures.get("share_in_top_10pct_areas") is not None:
        parts.append(f"The busiest 10% of areas hold {figures['share_in_top_10pct_areas']:.0f}% of crime.")
    if figures["months_missing"]:
        parts.append(
            f"{figures['months_missing']} month(s) between {figures['first_month']} and {figures['last_month']} are "
            f"missing ({missing or 'see the coverage table'}); nothing is filled in for them."
        )
    else:
        parts.append(f"No month is missing between {figures['first_month']} and {figures['last_month']}.")
    if label == "synthetic demo data":
        parts.append("These are synthetic demo data, not real figures for any police force area.")
    else:
        parts.append(f"Source: {label}.")
    return " ".join(parts)


@dataclass
class OverviewResult(Result):
    """The data overview: the headline figures of ``panel`` over the latest ``recent_months``."""

    panel: pd.DataFrame
    recent_months: int = 12
    missing: str = ""  # the missing periods in words, for the paragraph
    known: dict | None = None  # the figures, when already computed

    def figures(self) -> dict:
        return self.known if self.known is not None else headline(self.panel, self.recent_months)

    def checks(self) -> pd.DataFrame:
        f = self.figures()
        return pd.DataFrame([{"check": "no missing months", "passed": int(f.get("months_missing") or 0) == 0},
                             {"check": "loading raised no warnings", "passed": not self.panel.attrs.get("warnings")}])

    def summary(self, label: str) -> Summary:
        """The categories' totals, and the paragraph of :func:`_summary_text`."""
        return Summary(category_totals(self.panel, self.recent_months),
                       _summary_text(self.figures(), label, self.missing))
