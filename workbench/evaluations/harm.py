"""Harm-weighted crime: count, harm and cost side by side, by period and by area.

Harm = count x the category's harm weight (``params/reference/harm_weights.csv``:
the Cambridge Crime Harm Index in days of imprisonment, ``cchi``, or the ONS
Crime Severity Score, ``css``). Every weight used carries its source and
verified flag. A category with no weight is an error naming it, never a zero:
the analyst lists it as *unweighted* (counted, left out of harm) and the
tables and summary say so. Anti-social behaviour has no official weight and
is always kept apart.

Cost = count x the Home Office unit cost of the category (through
``params/reference/unit_cost_map.csv``); categories with no known unit cost
are named beside the cost, which covers the valued categories only.

The three can move in opposite directions: fewer shoplifting offences and
more robberies is fewer crimes but more harm.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.data.geography import district_of
from workbench.errors import DataError, ParamDataError
from workbench.evaluations.overview import ASB, windows
from workbench.reference import harm_weights


@dataclass(frozen=True)
class HarmMeasure:
    """The weights of the categories in harm, and the categories left out of it."""

    scheme: str
    unit: str
    weights: dict[str, float]
    left_out: tuple[str, ...]
    verified: bool
    path: Path

    @property
    def name(self) -> str:
        return {"cchi": "Cambridge Crime Harm Index", "css": "ONS Crime Severity Score"}.get(self.scheme, self.scheme)

    def describe(self) -> str:
        out = f"{self.name} ({self.unit} per offence, {'verified' if self.verified else 'not verified'})"
        return out + (f"; left out of harm: {', '.join(self.left_out)}" if self.left_out else "")

    def table(self) -> pd.DataFrame:
        rows = [{"category": c, f"weight ({self.unit})": w} for c, w in self.weights.items()]
        rows += [{"category": c, f"weight ({self.unit})": np.nan} for c in self.left_out]
        return pd.DataFrame(rows).set_index("category")


def measure(categories, scheme: str = "cchi", unweighted: list[str] | None = None,
            path: str | Path | None = None) -> HarmMeasure:
    """The harm measure over ``categories``: every one weighted except ASB and those listed in ``unweighted``."""
    cats = sorted(set(map(str, categories)))
    unweighted = list(unweighted or [])
    stray = [c for c in unweighted if c not in cats]
    if stray:
        raise ParamDataError("harm_unweighted", f"{', '.join(stray)} is not a category of the data ({', '.join(cats)}). "
                             "Fix: name the data's categories only.")
    hw = harm_weights(scheme, path)
    weights, left = {}, []
    for c in cats:
        if c == ASB or c in unweighted:
            left.append(c)
            continue
        try:
            weights[c] = hw.weight(c)
        except DataError as exc:
            raise ParamDataError("harm_scheme", f"{exc} Or list '{c}' under 'harm_unweighted' in the notebook's "
                                 "parameters: it is then counted but left out of harm, and the report says so.") from None
    if not weights:
        raise ParamDataError("harm_scheme", f"no category of the data has a '{scheme}' weight ({', '.join(cats)}). "
                             "Fix: another harm_scheme, or data with weighted categories.")
    verified = all(hw.verified[c] for c in weights)
    return HarmMeasure(scheme, hw.unit, weights, tuple(left), verified, hw.path)


@dataclass(frozen=True)
class CostMeasure:
    """Unit costs (£ per offence) of the categories that have one, and those that have none."""

    values: dict[str, float]
    not_valued: tuple[str, ...]
    price_year: str

    def describe(self) -> str:
        out = f"£ at {self.price_year} prices (Home Office unit costs) for {', '.join(self.values) or 'no category'}"
        return out + (f"; no unit cost for {', '.join(self.not_valued)}" if self.not_valued else "")


def cost_measure(categories) -> CostMeasure:
    """Unit costs of the crime categories (ASB excluded) from the reference tables; unknown ones are named."""
    from workbench.evaluations.costbenefit import unit_costs

    values, missing, years = {}, [], set()
    for c in sorted(set(map(str, categories)) - {ASB}):
        try:
            uc = unit_costs([c])[c]
        except DataError:
            missing.append(c)
            continue
        values[c] = uc.value
        years.add(uc.price_year)
    return CostMeasure(values, tuple(missing), "/".join(sorted(years)) or "n/a")


def area_of(panel: pd.DataFrame) -> pd.Series:
    """The area each row reports to: the district / CSP of an LSOA row, else the row's own area
    (e.g. a force, or data.police.uk's "(no location)")."""
    names = panel["area_name"].astype(str)
    lsoa = (panel["area_level"].astype(str) == "lsoa").to_numpy()
    return pd.Series(np.where(lsoa, district_of(panel["area_name"]).astype(str), names), index=panel.index)


def weighted(panel: pd.DataFrame, hm: HarmMeasure, cm: CostMeasure | None = None) -> pd.DataFrame:
    """The crime rows (ASB out) with ``harm`` and ``cost`` columns (NaN cost where the category has no unit cost)."""
    part = panel.loc[panel["category"].astype(str) != ASB].copy()
    cat = part["category"].astype(str)
    part["harm"] = part["count"] * cat.map(hm.weights).astype(float)  # NaN for categories left out
    part["cost"] = part["count"] * cat.map(cm.values).astype(float) if cm else np.nan
    return part


def by_period(panel: pd.DataFrame, hm: HarmMeasure, cm: CostMeasure | None = None) -> pd.DataFrame:
    """Per period: crimes (ASB out), crimes in harm, harm, and cost of the valued categories."""
    w = weighted(panel, hm, cm)
    g = w.groupby("period")
    in_harm = w["category"].astype(str).isin(hm.weights)
    out = pd.DataFrame({
        "crimes": g["count"].sum(),
        "crimes_in_harm": w.loc[in_harm].groupby("period")["count"].sum(),
        "harm": g["harm"].sum(min_count=1),
    })
    if cm:
        out["cost_gbp"] = g["cost"].sum(min_count=1)
    return out


def indexed(table: pd.DataFrame, columns: list[str], base_periods: int = 12) -> pd.DataFrame:
    """Each column's 12-month rolling total (monthly data) as an index, 100 = its first full 12 months.

    With fewer than 24 months, or months missing, the monthly values are indexed to their mean over the first
    ``base_periods`` months with data instead (missing months stay gaps).
    """
    t = table[columns].astype(float)
    if len(t) >= 24 and t.notna().all().all():
        roll = t.rolling(12).sum().dropna()
        return 100 * roll / roll.iloc[0]
    base = t.dropna().iloc[:base_periods].mean()
    return 100 * t / base


def year_total(table: pd.DataFrame, column: str, months: pd.DatetimeIndex) -> float | None:
    """The column's total over ``months`` if every month is there, else None (never a part-year total)."""
    if not months.isin(table.index).all():
        return None
    return float(table.loc[months, column].sum())


def latest_12m(table: pd.DataFrame) -> pd.DatetimeIndex:
    """The last 12 months of a monthly period table (whatever is there; checked by :func:`year_total`)."""
    end = table.index.max()
    return pd.date_range(end - pd.DateOffset(months=11), end, freq="MS")


def by_area(panel: pd.DataFrame, hm: HarmMeasure, recent_months: int = 12) -> pd.DataFrame:
    """Per area (CSP for LSOA panels) over the latest window: crimes, harm, shares, harm per crime, change in harm."""
    w = weighted(panel, hm)
    w["area"] = area_of(w).to_numpy()
    win = windows(panel, recent_months)

    def window(lo, hi) -> pd.DataFrame:
        part = w.loc[(w["period"] >= lo) & (w["period"] <= hi)]
        return part.groupby("area").agg(crimes=("count", "sum"), harm=("harm", "sum"))

    latest = window(*win.latest)
    out = latest.copy()
    out["share_of_crimes_pct"] = 100 * out["crimes"] / out["crimes"].sum()
    out["share_of_harm_pct"] = 100 * out["harm"] / out["harm"].sum()
    out["harm_per_crime"] = out["harm"] / out["crimes"]
    if win.comparable:
        prev = window(*win.previous)
        out["harm_change_pct"] = 100 * (out["harm"] / prev["harm"].reindex(out.index) - 1)
    out.index.name = "area"
    out.attrs["window"] = win
    return out.sort_values("harm", ascending=False)


def monthly_by_area(panel: pd.DataFrame, hm: HarmMeasure) -> pd.DataFrame:
    """Harm per period (rows) and area (columns; CSPs for LSOA panels); 0 where an area recorded no crime in a
    period the panel covers."""
    w = weighted(panel, hm)
    out = w.groupby([w["period"], area_of(w).to_numpy()])["harm"].sum().unstack(fill_value=0.0)
    return out.reindex(sorted(panel["period"].unique()), fill_value=0.0)


def concentration(panel: pd.DataFrame, hm: HarmMeasure, recent_months: int = 12,
                  shares=(0.01, 0.05, 0.1, 0.2, 0.5)) -> pd.DataFrame:
    """Share of harm and of crimes in the top 1%, 5%, ... of areas (ranked by harm) over the latest window.

    Areas are the panel's finest level (LSOAs for street-level data); rows at another level (crimes with no
    location, counted at force level) are left out of the ranking.
    """
    w = weighted(panel, hm)
    levels = w["area_level"].astype(str)
    w = w.loc[levels == levels.value_counts().index[0]]
    lo, hi = windows(panel, recent_months).latest
    part = w.loc[(w["period"] >= lo) & (w["period"] <= hi)]
    g = part.groupby(part["area_name"].astype(str)).agg(harm=("harm", "sum"), crimes=("count", "sum"))
    g = g.sort_values("harm", ascending=False, kind="stable")
    cum_h = g["harm"].cumsum().to_numpy() / g["harm"].sum()
    cum_c = g["crimes"].cumsum().to_numpy() / g["crimes"].sum()
    rows = []
    for s in shares:
        k = max(1, int(round(s * len(g))))
        rows.append({"top_share_of_areas_pct": 100 * s, "areas": k, "share_of_harm_pct": 100 * cum_h[k - 1],
                     "share_of_crimes_pct": 100 * cum_c[k - 1]})
    out = pd.DataFrame(rows)
    out.attrs["curve"] = pd.DataFrame({"share of areas": np.arange(1, len(g) + 1) / len(g), "share of total": cum_h,
                                       "share of crimes": cum_c})
    return out


def by_category(panel: pd.DataFrame, hm: HarmMeasure, cm: CostMeasure | None, months: pd.DatetimeIndex) -> pd.DataFrame:
    """Per category over ``months``: crimes, harm and cost with their shares -- where the three part company."""
    w = weighted(panel, hm, cm)
    part = w.loc[w["period"].isin(months)]
    g = part.groupby(part["category"].astype(str)).agg(crimes=("count", "sum"), harm=("harm", "sum"),
                                                      cost_gbp=("cost", lambda s: s.sum(min_count=1)))
    g["harm"] = g["harm"].where(g.index.isin(hm.weights))
    for col in ("crimes", "harm", "cost_gbp"):
        g[f"{col}_share_pct"] = 100 * g[col] / g[col].sum()
    g.index.name = "category"
    return g.sort_values("harm", ascending=False, na_position="last")
