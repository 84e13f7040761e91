"""Costs, benefits and the benefit-cost ratio of a crime-prevention programme.

Benefits are offences averted (posterior draws, by financial year and outcome
category) x a unit cost of crime per category (Heeks et al. 2018, 2015/16
prices, from ``params/reference/unit_costs.csv`` through the category map in
``params/reference/unit_cost_map.csv``) x a price uplift to the analysis year
x the share of the effect attributed to the programme. Costs are spend by tier
and financial year plus any extra policing spend. Both are discounted to the
first year of spend at the Green Book rate.

A category with no known unit cost is an error naming it, never a zero: the
analyst gives a value (with its source) or lists the category as *unvalued*,
which is then stated wherever the ratio is shown.

Financial years are named by the calendar year they start in (2021 = 2021/22).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.dates import fy_label
from workbench.errors import DataError
from workbench.reference import REFERENCE_DIR, read_table
from workbench.yardstick import interval

UNIT_COSTS = REFERENCE_DIR / "unit_costs.csv"
UNIT_COST_MAP = REFERENCE_DIR / "unit_cost_map.csv"


@dataclass(frozen=True)
class UnitCost:
    """The cost of one offence of ``category`` (in ``price_year`` prices), and where it comes from."""

    category: str
    offence: str
    value: float
    price_year: str
    source: str
    verified: bool
    note: str = ""


def _number(text: str, path: Path, line: int, column: str) -> float | None:
    if text.strip() == "":
        return None
    try:
        v = float(text)
    except ValueError:
        raise DataError(f"{path} line {line}, column {column}: '{text}' is not a number.") from None
    if v < 0:
        raise DataError(f"{path} line {line}, column {column}: {v} is negative.")
    return v


def unit_costs(categories: list[str], unvalued: list[str] | None = None, overrides: dict | None = None,
               table: str | Path = UNIT_COSTS, mapping: str | Path = UNIT_COST_MAP) -> dict[str, UnitCost]:
    """The unit cost of every category in ``categories`` except those listed in ``unvalued``.

    ``overrides`` maps a category to ``{"value", "price_year", "source", "verified"}``
    and wins over the reference tables. A category with no mapping, or mapped to an
    offence whose cost is empty, is an error naming the category and the fix.
    """
    unvalued = list(unvalued or [])
    overrides = dict(overrides or {})
    stray = [c for c in [*unvalued, *overrides] if c not in categories]
    if stray:
        raise DataError(f"unit costs: {', '.join(stray)} is not an outcome category ({', '.join(categories)}). "
                        "Fix: name outcome categories only in 'unvalued' and 'unit_costs'.")
    costs_t = read_table(table, ("offence", "cost_gbp", "price_year"))
    map_t = read_table(mapping, ("category", "offence"))
    out: dict[str, UnitCost] = {}
    for cat in categories:
        if cat in unvalued:
            continue
        if cat in overrides:
            o = overrides[cat]
            missing = [k for k in ("value", "price_year", "source", "verified") if k not in o or o[k] in (None, "")]
            if missing:
                raise DataError(f"unit_costs['{cat}']: missing {', '.join(missing)}. Fix: give the value with its "
                                "price year, source and verified flag.")
            out[cat] = UnitCost(cat, "given in params", float(o["value"]), str(o["price_year"]), str(o["source"]),
                                bool(o["verified"]), str(o.get("note", "")))
            continue
        rows = np.nonzero((map_t["category"] == cat).to_numpy())[0]
        if len(rows) == 0:
            raise DataError(
                f"{mapping}: no unit-cost mapping for the outcome category '{cat}'. Fix: add a row mapping it to an "
                f"offence of {table}, give its cost under 'unit_costs' in params (value, price_year, source, "
                "verified), or list it under 'unvalued' (its averted offences are then counted but not valued).")
        m = map_t.iloc[rows[0]]
        hits = np.nonzero((costs_t["offence"] == m["offence"]).to_numpy())[0]
        if len(hits) == 0:
            raise DataError(f"{mapping} line {rows[0] + 2}: offence '{m['offence']}' is not in {table}. "
                            "Fix: correct the offence name or add its row.")
        i = hits[0]
        r = costs_t.iloc[i]
        value = _number(r["cost_gbp"], Path(table), i + 2, "cost_gbp")
        if value is None:
            raise DataError(
                f"{table} line {i + 2}: the unit cost of '{m['offence']}' (for the outcome category '{cat}') is empty: "
                f"not known{' (' + r['note'] + ')' if r.get('note') else ''}. It is never taken as zero. Fix: give its "
                f"cost under 'unit_costs' in params (value, price_year, source, verified), or list '{cat}' under "
                "'unvalued' (its averted offences are then counted but not valued).")
        out[cat] = UnitCost(cat, m["offence"], value, r["price_year"], r["source"],
                            bool(r["verified"]) and bool(m["verified"]), " ".join(x for x in (m.get("note", ""), r.get("note", "")) if x))
    return out


def unit_cost_table(costs: dict[str, UnitCost], unvalued: list[str]) -> pd.DataFrame:
    """The unit costs used, one row per category, unvalued ones stated."""
    rows = [{"category": c.category, "valued as": c.offence, "£ per offence": c.value, "price year": c.price_year,
             "verified": c.verified, "note": c.note, "source": c.source} for c in costs.values()]
    rows += [{"category": c, "valued as": "not valued (no unit cost)", "£ per offence": np.nan, "price year": "",
              "verified": False, "note": "averted offences counted, not valued", "source": "params 'unvalued'"}
             for c in unvalued]
    return pd.DataFrame(rows).set_index("category")


# ----------------------------------------------------------------------------- costs and discounting


def discount_factors(years, base_year: int, rate: float) -> np.ndarray:
    """``1 / (1 + rate) ** (year - base_year)`` for each financial year."""
    if not 0 <= rate < 1:
        raise ValueError(f"discount rate {rate} must be from 0 to 1 (0.035 = 3.5%)")
    return 1.0 / (1.0 + rate) ** (np.asarray(years, float) - base_year)


@dataclass(frozen=True)
class Costs:
    """Spend by tier and financial year (£), plus any extra policing spend by financial year."""

    spend: dict[str, dict[int, float]]
    extra: dict[int, float]

    def __post_init__(self) -> None:
        if not self.spend and not self.extra:
            raise ValueError("costs: no spend given")
        for tier, by_year in self.spend.items():
            for y, v in by_year.items():
                if v < 0:
                    raise ValueError(f"costs.spend['{tier}'][{y}]: {v} is negative")

    def by_year(self) -> pd.Series:
        s: dict[int, float] = {}
        for by_year in [*self.spend.values(), self.extra]:
            for y, v in by_year.items():
                s[int(y)] = s.get(int(y), 0.0) + float(v)
        return pd.Series(s, name="£").sort_index()

    @property
    def years(self) -> list[int]:
        return [int(y) for y, v in self.by_year().items() if v > 0]

    @property
    def base_year(self) -> int:
        return min(self.years)

    def total(self) -> float:
        return float(self.by_year().sum())

    def present_value(self, rate: float) -> float:
        s = self.by_year()
        return float((s.to_numpy() * discount_factors(s.index, self.base_year, rate)).sum())

    def table(self) -> pd.DataFrame:
        rows = {**self.spend, **({"extra policing": self.extra} if self.extra else {})}
        t = pd.DataFrame.from_dict({k: {int(y): float(v) for y, v in r.items()} for k, r in rows.items()}, orient="index")
        t = t.reindex(columns=sorted(t.columns)).fillna(0.0)
        t.columns = [fy_label(y) for y in t.columns]
        t["total"] = t.sum(axis=1)
        return t


# ----------------------------------------------------------------------------- benefits and the ratio


@dataclass
class Valuation:
    """What turns offences averted into £: unit costs, price uplift, attribution, discount rate."""

    costs: dict[str, UnitCost]
    uplift: float
    attribution: float
    rate: float

    def __post_init__(self) -> None:
        if self.uplift <= 0:
            raise ValueError(f"price uplift {self.uplift} must be positive")
        if not 0 < self.attribution <= 1:
            raise ValueError(f"attribution {self.attribution} must be in (0, 1]")

    def weights(self, categories: list[str], years, base_year: int) -> np.ndarray:
        """£ (present value, attributed) per offence averted, by year x category (0 for unvalued categories)."""
        uc = np.array([self.costs[c].value if c in self.costs else 0.0 for c in categories])
        disc = discount_factors(years, base_year, self.rate)
        return self.attribution * self.uplift * disc[:, None] * uc[None, :]


def benefits(averted: np.ndarray, categories: list[str], years, base_year: int, valuation: Valuation) -> np.ndarray:
    """Present value of the benefits, per draw, from offences averted ``averted`` (draws x years x categories)."""
    return (averted * valuation.weights(categories, years, base_year)[None]).sum(axis=(1, 2))


def split_by_category(averted_by_year: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Offences averted (draws x years) split over categories by each year's observed shares (years x categories)."""
    observed = np.asarray(observed, float)
    tot = observed.sum(axis=1, keepdims=True)
    if (tot <= 0).any():
        raise ValueError("a benefit year has no observed offences to split the averted offences by")
    return averted_by_year[:, :, None] * (observed / tot)[None]


def ratio_summary(bcr: np.ndarray) -> dict[str, float]:
    """Median, 90% interval and P(ratio >= 1) and P(ratio >= 3.5) of benefit-cost ratio draws."""
    lo, med, hi = interval(bcr)
    return {"bcr_median": float(med), "bcr_lo": float(lo), "bcr_hi": float(hi),
            "p_bcr_ge_1": float(np.mean(bcr >= 1.0)), "p_bcr_ge_3_5": float(np.mean(bcr >= 3.5))}


def breakeven_effect_pct(ratio: float, cost_pv: float, observed: np.ndarray, categories: list[str], years,
                         base_year: int, valuation: Valuation) -> float:
    """The % change in the outcome (a constant rate ratio over the benefit years) at which benefit / cost = ``ratio``.

    With rate ratio ``RR``, offences averted are ``observed x (1 / RR - 1)``, so
    ``ratio x cost = (1 / RR - 1) x V`` where ``V`` is the attributed, uplifted,
    discounted value of the observed offences; the answer is ``100 (RR - 1)``
    (negative: a reduction). With no valued offences there is no such effect
    and the answer is ``nan``.
    """
    V = float((np.asarray(observed, float) * valuation.weights(categories, years, base_year)).sum())
    if V <= 0:
        return float("nan")
    rr = 1.0 / (1.0 + ratio * cost_pv / V)
    return 100.0 * (rr - 1.0)


def tornado(averted: np.ndarray, categories: list[str], years, costs: Costs, valuation: Valuation,
            ranges: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Median benefit-cost ratio with one input at a time at its low and high value, the rest as given.

    ``ranges`` keys: ``unit_cost_scale`` (a multiple of every unit cost),
    ``attribution``, ``discount_rate`` and ``uplift``. Rows are sorted by swing,
    widest first (the order of a tornado chart).
    """
    base = float(np.median(benefits(averted, categories, years, costs.base_year, valuation) / costs.present_value(valuation.rate)))
    rows = []
    for name, (lo, hi) in ranges.items():
        out = []
        for v in (lo, hi):
            val = Valuation(dict(valuation.costs), valuation.uplift, valuation.attribution, valuation.rate)
            if name == "unit_cost_scale":
                val.costs = {c: UnitCost(**{**u.__dict__, "value": u.value * v}) for c, u in valuation.costs.items()}
            elif name == "attribution":
                val.attribution = v
            elif name == "discount_rate":
                val.rate = v
            elif name == "uplift":
                val.uplift = v
            else:
                raise ValueError(f"tornado: unknown input '{name}' (unit_cost_scale, attribution, discount_rate, uplift)")
            val.__post_init__()
            b = benefits(averted, categories, years, costs.base_year, val) / costs.present_value(val.rate)
            out.append(float(np.median(b)))
        rows.append({"input": name, "low": lo, "high": hi, "bcr_at_low": out[0], "bcr_at_high": out[1],
                     "swing": abs(out[1] - out[0])})
    t = pd.DataFrame(rows).sort_values("swing", ascending=False).reset_index(drop=True)
    t.attrs["base"] = base
    return t
