"""Tables for people: human labels with units, one format per kind of figure, small counts suppressed.

Every table a notebook shows goes through :func:`show` (``report.show_table`` calls it). The figures the
notebooks write to ``results/*.json`` keep their machine keys and full precision; only the display changes.

A column's (or, for a table of figures, a row's) *kind* decides its format:

========== ============================================== =========================
kind       what it is                                     shown as
========== ============================================== =========================
count      a recorded count (crimes)                      ``139,274`` (suppressed)
estimate   a modelled count (forecast, averted)           ``139,750``
int        a whole number that is no count (months, rank) ``105``
number     any other figure                               ``1,161,286.8``
pct        a figure already in % (a share)                ``38.8%``
change     a signed change already in %                   ``−6.2%``
share      a fraction shown as %                          ``21.6%``
schange    a signed fraction shown as %                   ``+0.2%``
prob       a probability                                  ``93%``, ``<1%``, ``>99%``
ratio      a ratio (benefit-cost)                         ``23.5×``
money      pounds                                         ``£3,866,259``
bool       a yes/no                                       ``✔ yes`` / ``✘ no``
text       text                                           as it is (left-aligned)
interval   an estimate and its interval in one cell       ``−19.1% (−22.4% to −15.6%)``
========== ============================================== =========================

Intervals (three figures: median, lower, upper) become one cell, ``−19.1% (−22.4% to −15.6%)``.

Disclosure control: with a ``disclosure`` section whose threshold is above 0, every cell of kind *count*
from 1 to threshold − 1 is shown as the symbol in the *publication* HTML (the notebook and the analyst's HTML
keep every value). ``suppress=False`` opts a table out; ``counts=`` names the cells explicitly instead.
"""

from __future__ import annotations

import hashlib
import math
import re
from typing import Any, Callable

import pandas as pd

MINUS = "\u2212"
YES, NO = "\u2714 yes", "\u2718 no"
NA = "n/a"

#: Machine key -> (human label with unit, kind). Keys not listed are labelled by :func:`label_for`.
LABELS: dict[str, tuple[str, str]] = {
    # data overview
    "force": ("Force", "text"), "frequency": ("Frequency", "text"), "first": ("First period", "text"),
    "last": ("Last period", "text"), "periods_expected": ("Periods expected", "int"),
    "periods_present": ("Periods present", "int"), "periods_missing": ("Periods missing", "int"),
    "missing": ("Missing periods", "text"), "latest": ("Latest window", "count"),
    "previous": ("Previous window", "count"), "change_pct": ("Change", "change"), "share_pct": ("Share", "pct"),
    "crime_latest": ("Crime (excl. ASB), latest window", "count"),
    "crime_previous": ("Crime (excl. ASB), previous window", "count"),
    "crime_change_pct": ("Crime change", "change"), "asb_latest": ("ASB, latest window", "count"),
    "asb_change_pct": ("ASB change", "change"), "count": ("Crimes", "count"),
    "cumulative_share_pct": ("Cumulative share", "pct"), "top_share_of_areas_pct": ("Busiest areas", "pct"),
    "areas": ("Areas", "int"), "share_of_crime_pct": ("Share of crime", "pct"),
    "first_month": ("First month", "text"), "last_month": ("Last month", "text"),
    "months_present": ("Months present", "int"), "months_missing": ("Months missing", "int"),
    "n_areas": ("Areas", "int"), "n_lsoas": ("LSOAs", "int"), "n_categories": ("Categories", "int"),
    "latest_window": ("Latest window", "text"), "crime_latest_12m": ("Crime (excl. ASB), latest 12 months", "count"),
    "asb_latest_12m": ("ASB, latest 12 months", "count"), "top_category": ("Largest category", "text"),
    "share_in_top_10pct_areas": ("Share of crime in the busiest 10% of areas", "pct"),
    # goal tracking
    "p_goal_met": ("P(goal met)", "prob"), "baseline_total": ("Baseline year total", "count"),
    "target_total": ("Target", "estimate"), "forecast_target": ("Forecast for the target year", "estimate"),
    "forecast_target_median": ("Forecast for the target year (median)", "estimate"),
    "forecast_target_lo": ("Forecast, lower (5%)", "estimate"), "forecast_target_hi": ("Forecast, upper (95%)", "estimate"),
    "expected_shortfall": ("Expected shortfall against the target", "estimate"),
    "latest_12m_total": ("Latest 12 months", "count"),
    "required_annual_reduction_now": ("Annual fall needed from now", "share"),
    "forecast_annual_change": ("Forecast annual change", "schange"),
    "baseline": ("Baseline year", "count"), "target": ("Target", "estimate"),
    "forecast_median": ("Forecast (median)", "estimate"), "gap": ("Gap to target (median)", "estimate"),
    "p_own_goal_met": ("P(own goal met)", "prob"), "seconds": ("Wall time, s", "number"),
    # where we stand (nowcast)
    "nowcast_latest_12m_median": ("Latest 12 months, nowcast (median)", "estimate"),
    "nowcast_latest_12m_lo": ("Latest 12 months, lower (5%)", "estimate"),
    "nowcast_latest_12m_hi": ("Latest 12 months, upper (95%)", "estimate"),
    "nowcast_latest_12m": ("Latest 12 months, nowcast", "estimate"), "latest_month": ("Latest month", "text"),
    "target_path_at_latest": ("Target path at the latest month", "estimate"),
    "gap_to_path": ("Gap to the target path (median)", "estimate"),
    "ratio_median": ("Ratio to the reference (median)", "number3"), "ratio_lo": ("Ratio, lower (5%)", "number3"),
    "ratio_hi": ("Ratio, upper (95%)", "number3"), "ratio": ("Ratio to the reference", "number3"),
    "ratio_at": ("Ratio read at", "text"), "months_covered": ("Months covered", "int"),
    "observations": ("Observations used", "int"), "not_used_before_start": ("Observations before the start (not used)", "int"),
    "kind": ("Kind", "text"), "p_below_path": ("P(below the target path)", "prob"),
    "ons_c2_12m": ("ONS Table C2, 12 months", "count"),
    "asb_change_since_fy2016_pct": ("ASB change since FY 2016/17 (median)", "change"),
    "asb_change_since_fy2016_lo": ("ASB change, lower (5%)", "change"),
    "asb_change_since_fy2016_hi": ("ASB change, upper (95%)", "change"),
    # hotspots
    "area_code": ("LSOA code", "text"), "area_name": ("LSOA", "text"), "value": ("Value", "number"),
    "share": ("Share", "share"), "cumulative share": ("Cumulative share", "share"),
    "named hotspot": ("Named hotspot", "bool"), "harm (CCHI days)": ("Harm (CCHI days)", "number"),
    "LSOAs": ("LSOAs", "int"), "pre-period monthly mean": ("Pre-period monthly mean", "number"),
    "pre-period trend (% a year)": ("Pre-period trend, % a year", "change"),
    "effect_pct": ("Effect", "change"), "effect % (median)": ("Effect (median)", "change"),
    "lo %": ("Lower (5%)", "change"), "hi %": ("Upper (95%)", "change"),
    "effect %": ("Effect", "change"), "effect": ("Effect", "change"),
    "p_reduction": ("P(reduction)", "prob"), "P(reduction)": ("P(reduction)", "prob"),
    "crimes_averted": ("Crimes averted", "estimate"), "crimes averted": ("Crimes averted", "estimate"),
    "crimes averted (median)": ("Crimes averted (median)", "estimate"),
    "spillover_pct": ("Change in the ring", "change"), "spillover pct": ("Change in the ring", "change"),
    "p_displacement": ("P(displacement)", "prob"), "p displacement": ("P(displacement)", "prob"),
    "placebo_p": ("Placebo p", "number3"), "harm_averted_median": ("Harm averted (median)", "estimate"),
    "harm_averted": ("Harm averted", "estimate"), "n_hotspots": ("Hotspots", "int"), "n_ring": ("Ring LSOAs", "int"),
    "n_controls": ("Controls", "int"), "prior": ("Prior", "text"), "90% interval": ("90% interval", "text"),
    "result": ("Result", "text"), "passed": ("Passed", "bool"), "reading": ("Reading", "text"),
    # violence prevention
    "total": ("Total", "money"), "valued as": ("Valued as", "text"), "£ per offence": ("£ per offence", "money"),
    "price year": ("Price year", "text"), "verified": ("Verified", "bool"), "note": ("Note", "text"),
    "P(BCR >= 1)": ("P(ratio ≥ 1×)", "prob"), "P(BCR >= 3.5)": ("P(ratio ≥ 3.5×)", "prob"),
    "offences averted (median)": ("Offences averted (median)", "estimate"),
    "offences_averted": ("Offences averted", "estimate"), "offences averted": ("Offences averted", "estimate"),
    "bcr": ("Benefit-cost ratio", "ratio"), "BCR": ("Benefit-cost ratio", "ratio"),
    "p_bcr_ge_1": ("P(ratio ≥ 1×)", "prob"), "p_bcr_ge_3_5": ("P(ratio ≥ 3.5×)", "prob"),
    "claimed_ratio": ("Claimed ratio", "ratio"), "p_bcr_ge_claimed": ("P(ratio ≥ claimed)", "prob"),
    "breakeven_effect_pct_1x": ("Break-even effect for 1×", "change"),
    "breakeven_effect_pct_3_5x": ("Break-even effect for 3.5×", "change"),
    "break-even effect for 1x, %": ("Break-even effect for 1×", "change"),
    "break-even effect for 3.5x, %": ("Break-even effect for 3.5×", "change"),
    "estimated effect (median), %": ("Estimated effect (median)", "change"),
    "cost_present_value_gbp": ("Cost, present value", "money"), "cost_total_gbp": ("Cost, total", "money"),
    "pre_fit_mape_pct": ("Pre-period fit, mean absolute error", "pct"), "donors": ("Donor forces", "int"),
    "weight": ("Weight", "share"), "low": ("Low value", "general"), "high": ("High value", "general"),
    "bcr_at_low": ("Ratio at the low value", "ratio"), "bcr_at_high": ("Ratio at the high value", "ratio"),
    "swing": ("Swing", "ratio"),
    "unit_cost_scale": ("Unit cost scale", "text"), "attribution": ("Attribution share", "text"),
    "uplift": ("Price uplift", "text"), "discount_rate": ("Discount rate", "text"),
    # scorecard and harm
    "unit": ("Unit", "text"), "latest period": ("Latest period", "text"), "mean": ("Mean", "number"),
    "lower limit": ("Lower process limit", "number"), "upper limit": ("Upper process limit", "number"),
    "status": ("Status", "text"), "points": ("Points", "int"), "better": ("Better", "text"),
    "assurance": ("Assurance", "text"), "signal (latest point)": ("Signal (latest point)", "text"),
    "limits": ("Limits", "text"), "weight (days)": ("Weight, days", "number2"), "crimes": ("Crimes", "count"),
    "harm": ("Harm", "number0"), "cost_share_pct": ("Share of cost", "pct"), "cost_gbp_share_pct": ("Share of cost", "pct"), "cost_gbp": ("Cost", "money"), "crimes_share_pct": ("Share of crimes", "pct"),
    "harm_share_pct": ("Share of harm", "pct"), "share_of_crimes_pct": ("Share of crimes", "pct"),
    "share_of_harm_pct": ("Share of harm", "pct"), "harm_per_crime": ("Harm per crime", "number"),
    "harm_change_pct": ("Harm change", "change"), "harm_scheme": ("Harm weights", "text"),
    "harm_unit": ("Harm unit", "text"), "harm_weights_verified": ("Harm weights verified", "bool"),
    "harm_total_latest_12m": ("Harm, latest 12 months", "number0"), "latest_12m_end": ("Latest 12 months end", "text"),
    "harm_baseline_year": ("Harm baseline year", "text"), "harm_baseline_total": ("Harm, baseline year", "number0"),
    "harm_change_pct_vs_baseline": ("Harm change against the baseline year", "change"),
    "crimes_latest_12m": ("Crimes, latest 12 months", "count"),
    "crimes_change_pct_vs_baseline": ("Crimes change against the baseline year", "change"),
    "same_months_last_year": ("Same months last year", "text"),
    "harm_change_pct_same_months_last_year": ("Harm change against the same months last year", "change"),
    "crimes_change_pct_same_months_last_year": ("Crimes change against the same months last year", "change"),
    "cost_latest_12m_gbp": ("Cost, latest 12 months", "money"),
    "cost_change_pct_vs_baseline": ("Cost change against the baseline year", "change"),
    # backtest
    "MASE": ("MASE", "number3"), "mase": ("MASE", "number3"), "CRPS (scaled)": ("CRPS (scaled)", "number3"),
    "crps": ("CRPS (scaled)", "number3"), "80% coverage": ("80% interval coverage", "share"),
    "95% coverage": ("95% interval coverage", "share"), "cover80": ("80% interval coverage", "share"),
    "cover95": ("95% interval coverage", "share"), "forecasts": ("Forecasts scored", "int"),
    "above95": ("Above the 95% interval", "share"), "below95": ("Below the 95% interval", "share"),
    "horizon": ("Horizon", "int"), "origin": ("Origin", "text"), "model": ("Model", "text"),
    "rank": ("Rank", "int"), "category": ("Category", "text"), "area": ("Area", "text"),
    "indicator": ("Indicator", "text"), "design": ("Design", "text"), "input": ("Input", "text"),
    "check": ("Check", "text"), "lsoa": ("LSOA", "text"), "source": ("Source", "text"),
    "month": ("Month", "text"), "validated": ("Settings validated", "bool"),
}

_INTERVAL_RE = [re.compile(r"^(?P<stem>.+?)[ _](?P<part>median|lo|hi)$"),
                re.compile(r"^(?P<stem>.+?) \((?P<part>median|lo|hi)\)$")]


def label_for(key: Any, labels: dict[str, str] | None = None) -> str:
    """The human label of a machine key: from ``labels``, then :data:`LABELS`, else the key made readable."""
    key = str(key)
    if labels and key in labels:
        return labels[key]
    if key in LABELS:
        return LABELS[key][0]
    if "_" not in key:
        return key
    text = key.replace("_pct", " %").replace("_gbp", " (£)").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def kind_for(key: Any, values: pd.Series | None = None) -> str:
    """The kind of a column or row: from :data:`LABELS`, else guessed from its name and its values."""
    key = str(key)
    if key in LABELS:
        return LABELS[key][1]
    low = key.lower()
    if values is not None and values.dtype == bool:
        return "bool"
    if low.startswith(("p_", "p(")):
        return "prob"
    if low.endswith(("_gbp", "(£)")) or "£" in low:
        return "money"
    if "change" in low and ("pct" in low or "%" in low):
        return "change"
    if low.endswith(("_pct", " %", "%")) or "share_pct" in low:
        return "pct"
    if values is not None:
        v = pd.to_numeric(values, errors="coerce")
        if v.notna().sum() == 0:
            return "text"
        if pd.api.types.is_integer_dtype(values.dtype):
            return "count"
    return "number"


# ----------------------------------------------------------------------------- formatters


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (v is pd.NA) or (v is pd.NaT)


def _signed(text: str) -> str:
    return text.replace("-", MINUS)


def number(v: Any, digits: int = 1, sign: bool = False) -> str:
    """``1234.56`` → ``"1,234.6"``; a negative number gets a true minus sign; missing → ``"n/a"``."""
    if _missing(v):
        return NA
    if isinstance(v, str):
        return v
    v = float(v)
    if round(v, digits) == 0:
        v = 0.0
    return _signed(f"{v:+,.{digits}f}" if sign and v != 0 else f"{v:,.{digits}f}")


def count(v: Any) -> str:
    """A whole count with thousands separators: ``148285.5`` → ``"148,286"`` (half away from zero)."""
    if _missing(v) or isinstance(v, str):
        return NA if _missing(v) else v
    v = float(v)
    return _signed(f"{int(math.copysign(math.floor(abs(v) + 0.5), v)):,}")


def pct(v: Any, digits: int = 1, sign: bool = False, scale: float = 1.0) -> str:
    """A percentage: ``pct(38.8)`` → ``"38.8%"``; ``pct(0.212, scale=100)`` → ``"21.2%"``."""
    if _missing(v) or isinstance(v, str):
        return NA if _missing(v) else v
    return number(float(v) * scale, digits, sign) + "%"


def prob(v: Any) -> str:
    """A probability as a whole %: ``0.927`` → ``"93%"``; below 0.5% ``"<1%"``, above 99.5% ``">99%"`` (a share
    of posterior draws is never a certainty)."""
    if _missing(v) or isinstance(v, str):
        return NA if _missing(v) else v
    n = math.floor(100 * float(v) + 0.5)
    return "<1%" if n < 1 else ">99%" if n > 99 else f"{n}%"


def money(v: Any) -> str:
    """Pounds, whole: ``3866259.0`` → ``"£3,866,259"``; negative ``"−£12"``."""
    if _missing(v) or isinstance(v, str):
        return NA if _missing(v) else v
    text = count(abs(float(v)))
    return (MINUS if float(v) < 0 else "") + "£" + text


def boolean(v: Any) -> str:
    """``True`` → ``"✔ yes"``, ``False`` → ``"✘ no"``; missing → ``"n/a"``."""
    if _missing(v):
        return NA
    if isinstance(v, str):
        return v
    return YES if bool(v) else NO


def text(v: Any) -> str:
    return "" if _missing(v) else str(v)


def formatter(kind: str, digits: int = 1) -> Callable[[Any], str]:
    """The function that formats one value of ``kind`` (see the module docstring)."""
    table: dict[str, Callable[[Any], str]] = {
        "count": count, "estimate": count, "int": count,
        "number": lambda v: number(v, digits), "number0": lambda v: number(v, 0),
        "number2": lambda v: number(v, 2), "number3": lambda v: number(v, 3),
        "pct": lambda v: pct(v, 1), "change": lambda v: pct(v, 1, sign=True),
        "share": lambda v: pct(v, 1, scale=100), "schange": lambda v: pct(v, 1, sign=True, scale=100),
        "general": lambda v: v if isinstance(v, str) else (NA if _missing(v) else _signed(f"{float(v):,g}")),
        "prob": prob, "ratio": lambda v: v if isinstance(v, str) else (NA if _missing(v) else number(v, 1) + "×"),
        "money": money, "bool": boolean, "text": text, "interval": text,
    }
    if kind not in table:
        raise ValueError(f"unknown table kind {kind!r}; expected one of {', '.join(table)}")
    return table[kind]


def interval(mid: Any, lo: Any, hi: Any, kind: str = "change", digits: int = 1) -> str:
    """One cell for an estimate and its interval: ``"−19.1% (−22.4% to −15.6%)"``."""
    f = formatter(kind, digits)
    if _missing(mid):
        return NA
    if _missing(lo) or _missing(hi):
        return f(mid)
    return f"{f(mid)} ({f(lo)} to {f(hi)})"


# ----------------------------------------------------------------------------- tables


def _triples(keys: list) -> dict[str, tuple]:
    """Groups of keys that are a median, lower and upper bound: ``{stem: (median, lo, hi)}``."""
    found: dict[str, dict[str, Any]] = {}
    for k in keys:
        for rx in _INTERVAL_RE:
            m = rx.match(str(k))
            if m:
                found.setdefault(m["stem"], {})[m["part"]] = k
                break
    return {stem: (p["median"], p["lo"], p["hi"]) for stem, p in found.items() if len(p) == 3}


def _interval_kind(stem: str, median_key: Any) -> str:
    k = LABELS.get(str(median_key), (None, None))[1] or LABELS.get(stem, (None, None))[1]
    return k or kind_for(stem)


def _interval_label(stem: str) -> str:
    return label_for(stem) + " (90% interval)"


def combine_intervals(df: pd.DataFrame, by: str = "columns", intervals: dict[str, tuple] | None = None,
                      digits: int = 1) -> tuple[pd.DataFrame, dict[str, str]]:
    """``df`` with each (median, lo, hi) triple of columns (or rows) made one text cell, and the new keys' labels.

    Triples are found by name (``x_median``/``x_lo``/``x_hi`` or ``x (median)``/``x (lo)``/``x (hi)``);
    ``intervals`` names others: ``{label: (median, lo, hi)}``.
    """
    frame = df if by == "columns" else df.T
    groups = {_interval_label(s): (t, _interval_kind(s, t[0])) for s, t in _triples(list(frame.columns)).items()}
    for name, keys in (intervals or {}).items():
        groups[name] = (tuple(keys), kind_for(keys[0]))
    out = frame.copy()
    for name, (keys, kind) in groups.items():
        cell = [interval(out.at[r, keys[0]], out.at[r, keys[1]], out.at[r, keys[2]], kind, digits) for r in out.index]
        pos = list(out.columns).index(keys[0])
        out = out.drop(columns=list(keys))
        out.insert(pos, name, cell)
    out = out if by == "columns" else out.T
    return out, {name: "interval" for name in groups}


def _orientation(df: pd.DataFrame) -> str:
    """``rows`` when the rows are named figures (a table of figures by model), else ``columns``."""
    rows = sum(str(r) in LABELS or _is_key(r) for r in df.index)
    cols = sum(str(c) in LABELS for c in df.columns)
    return "rows" if rows > cols and rows >= max(2, len(df.index) // 2) else "columns"


def _is_key(name: Any) -> bool:
    return isinstance(name, str) and bool(re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", name))


def kinds_of(df: pd.DataFrame, by: str, kinds: dict | None = None) -> dict:
    """The kind of every column (``by="columns"``) or row (``by="rows"``)."""
    kinds = dict(kinds or {})
    if by == "columns":
        return {c: kinds.get(c) or kind_for(c, df[c]) for c in df.columns}
    return {r: kinds.get(r) or kind_for(r, df.loc[r]) for r in df.index}


def _cell_kinds(df: pd.DataFrame, by: str, kinds: dict) -> pd.DataFrame:
    if by == "columns":
        return pd.DataFrame({c: [kinds[c]] * len(df) for c in df.columns}, index=df.index)
    return pd.DataFrame({c: [kinds[r] for r in df.index] for c in df.columns}, index=df.index)


def count_cells(cell_kinds: pd.DataFrame) -> dict:
    """Every cell of kind *count*, as {column: [row labels]} (the form :func:`workbench.report.suppressed` takes)."""
    cells: dict = {}
    for c in cell_kinds.columns:
        rows = [r for r in cell_kinds.index if cell_kinds.at[r, c] == "count"]
        if rows:
            cells[c] = rows
    return cells


def formatted(df: pd.DataFrame, cell_kinds: pd.DataFrame, digits: int = 1) -> pd.DataFrame:
    """Every cell as text, by its kind."""
    out = pd.DataFrame(index=df.index, columns=df.columns, dtype=object)
    for j in range(df.shape[1]):
        for i in range(df.shape[0]):
            out.iat[i, j] = formatter(cell_kinds.iat[i, j], digits)(df.iat[i, j])
    return out


STYLES = [
    {"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: bold; padding: 0 0 4px 0;"},
    {"selector": "th", "props": "text-align: left; padding: 3px 8px; border-bottom: 1px solid #999;"},
    {"selector": "td", "props": "padding: 3px 8px; border-bottom: 1px solid #e4e4e4; font-variant-numeric: tabular-nums;"},
    {"selector": "th.row_heading", "props": "font-weight: normal; border-bottom: 1px solid #e4e4e4;"},
]


def _styled(text_df: pd.DataFrame, caption: str, text_cols: list, note: str | None = None) -> str:
    """The HTML of a formatted table, by pandas' Styler (deterministic ids, so the same run gives the same page).

    The row labels become the first, left-aligned column(s), headed by the index's name, so the header is one row.
    """
    uid = "t" + hashlib.sha1((caption + "|".join(map(str, text_df.columns))).encode()).hexdigest()[:8]
    names = [n if n is not None else "" for n in text_df.index.names]
    flat = text_df.copy()
    flat.index = flat.index.set_names([f"\u200b{k}" if not n else n for k, n in enumerate(names)])
    flat = flat.reset_index()
    flat.columns = [("" if str(c).startswith("\u200b") else c) for c in flat.columns]
    lead = list(range(len(names)))
    st = flat.style.set_uuid(uid).set_caption(caption).set_table_styles(STYLES).hide(axis="index")
    st = st.set_table_attributes('class="dataframe wb-table" style="border-collapse: collapse; margin-bottom: 16px;"')
    left = [c for i, c in enumerate(flat.columns) if i in lead or c in text_cols]
    right = [c for c in flat.columns if c not in left]
    if len(set(flat.columns)) == len(flat.columns):  # row labels and text left, figures right
        for cols, side in ((left, "left"), (right, "right")):
            if cols:
                st = st.set_properties(subset=pd.IndexSlice[:, cols], **{"text-align": side})
        st = st.set_table_styles({c: [{"selector": "th", "props": "text-align: right;"}] for c in right}, overwrite=False)
    html = st.to_html()
    if note:
        html += f'<p style="font-size: 0.9em;"><em>{note}</em></p>'
    return html


def prepared(df: pd.DataFrame, *, by: str | None = None, kinds: dict | None = None,
             intervals: dict[str, tuple] | None = None, labels: dict[str, str] | None = None, digits: int = 1,
             row_kinds: dict | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(raw table with intervals combined, kind of every cell, table with human labels and text cells).

    ``row_kinds`` (row -> kind) overrides the kind of a row's figures (number, count or estimate cells), for
    tables whose rows are of different kinds, such as a scorecard of counts and percentages.
    """
    if isinstance(df, pd.Series):
        df = df.to_frame()
    by = by or _orientation(df)
    combined, new = combine_intervals(df, by, intervals, digits)
    k = kinds_of(combined, by, {**new, **(kinds or {})})
    cells = _cell_kinds(combined, by, k)
    for r, kind in (row_kinds or {}).items():
        if r in cells.index:
            figure = cells.loc[r].isin(["number", "count", "estimate"])
            cells.loc[r, figure] = kind
    text_df = formatted(combined, cells, digits)
    return combined, cells, _relabel(text_df, by, labels)


def _index_value(r: Any, name: Any, by: str, labels: dict | None) -> Any:
    if by == "rows" or (isinstance(r, str) and (r in LABELS or _is_key(r) or (labels and r in labels))):
        return label_for(r, labels)
    kind = LABELS.get(str(name), (None, None))[1]
    if kind and kind not in ("text", "bool", "interval") and not isinstance(r, str):
        return formatter(kind)(r)
    return r


def _relabel(text_df: pd.DataFrame, by: str, labels: dict | None) -> pd.DataFrame:
    out = text_df.copy()
    out.columns = [label_for(c, labels) for c in out.columns]
    if not isinstance(out.index, pd.MultiIndex):
        out.index = [_index_value(r, text_df.index.name, by, labels) for r in out.index]
    out.index.name = label_for(text_df.index.name, labels) if text_df.index.name is not None else None
    if isinstance(text_df.index, pd.MultiIndex):
        out.index = text_df.index.set_names([label_for(n, labels) if n else n for n in text_df.index.names])
    if out.columns.size == 1 and out.columns[0] in ("Value", "value", "0"):
        out.columns = ["Value"]
    return out


def render(df: pd.DataFrame, caption: str, *, by: str | None = None, kinds: dict | None = None,
           intervals: dict[str, tuple] | None = None, labels: dict[str, str] | None = None, digits: int = 1,
           disclosure=None, suppress: bool = True, counts: list | dict | None = None,
           row_kinds: dict | None = None) -> dict[str, Any]:
    """The analyst's and the publication version of a table: ``{"html", "text", "pub_html", "pub_text", "n"}``.

    ``pub_*`` differ only when small counts were suppressed (``n`` cells).
    """
    from workbench.report import suppressed

    by = by or _orientation(df.to_frame() if isinstance(df, pd.Series) else df)
    combined, cells, text_df = prepared(df, by=by, kinds=kinds, intervals=intervals, labels=labels, digits=digits,
                                        row_kinds=row_kinds)
    text_cols = [label_for(c, labels) for c in combined.columns
                 if (cells[c] == "text").all() or (cells[c] == "bool").all()]
    out = {"html": _styled(text_df, caption, text_cols), "text": text_df.to_string(), "n": 0}
    if suppress and disclosure is not None and disclosure.threshold > 0:
        cnt = counts if counts is not None else count_cells(cells)
        if cnt:
            pub, n = suppressed(combined, cnt, disclosure.threshold, disclosure.symbol)
            if n:
                pub_text = _relabel(formatted(pub, cells, digits), by, labels)
                note = (f"{disclosure.symbol}: a count from 1 to {disclosure.threshold - 1}, suppressed "
                        f"(disclosure control; {n} cell{'s' if n > 1 else ''}).")
                out.update(pub_html=_styled(pub_text, caption, text_cols, note), pub_text=pub_text.to_string(), n=n)
    return out


#: The disclosure section of the notebook now running (set by :func:`workbench.params.notebook_config`).
_DISCLOSURE: list = []


def use_disclosure(section) -> None:
    """Make ``section`` the default disclosure control of every table :func:`show` displays."""
    _DISCLOSURE[:] = [section]


def default_disclosure():
    """The disclosure section set by :func:`use_disclosure`, else the schema's default (threshold 5)."""
    if _DISCLOSURE:
        return _DISCLOSURE[0]
    from workbench.params import DisclosureSection

    return DisclosureSection()


def show(df: pd.DataFrame, heading: str, label: str, *, by: str | None = None, kinds: dict | None = None,
         intervals: dict[str, tuple] | None = None, labels: dict[str, str] | None = None, digits: int = 1,
         disclosure=None, suppress: bool = True, counts: list | dict | None = None,
         row_kinds: dict | None = None) -> None:
    """Display a presentation table titled with its data; small counts suppressed in the publication HTML.

    Parameters
    ----------
    df
        The table, with machine keys as column (or row) names and full-precision values.
    heading, label
        The title and the data it is built on (e.g. "synthetic demo data").
    by
        ``"columns"`` (each column one kind) or ``"rows"`` (a table of named figures); guessed when None.
    kinds, labels, row_kinds
        Kinds and labels of some columns (rows) where :data:`LABELS` and the guess are not right;
        ``row_kinds`` sets the kind of the figures in some rows of a table by columns.
    intervals
        ``{label: (median, lo, hi)}``: more triples to show as one interval cell.
    disclosure, suppress, counts
        Disclosure control (default: the run's ``disclosure`` section) over every count cell, or over
        ``counts`` when given; ``suppress=False`` opts this table out.
    """
    from IPython.display import display

    from workbench.report import PUBLICATION_KEY, title

    disclosure = disclosure if disclosure is not None else default_disclosure()
    t = render(df, title(heading, label), by=by, kinds=kinds, intervals=intervals, labels=labels, digits=digits,
               disclosure=disclosure, suppress=suppress, counts=counts, row_kinds=row_kinds)
    bundle = {"text/html": t["html"], "text/plain": t["text"]}
    meta = {}
    if t["n"]:
        meta = {PUBLICATION_KEY: {"text/html": t["pub_html"], "text/plain": t["pub_text"]}}
    display(bundle, raw=True, metadata=meta)
