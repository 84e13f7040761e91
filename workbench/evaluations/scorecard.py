"""The plan's performance scorecard: every indicator read the same way, by SPC, with harm beside the counts.

The logic behind ``notebooks/40-scorecard.ipynb``. Indicators come from two
places: an indicators CSV (confidence, answer times, KSI, ...; see
:mod:`workbench.data.indicators`) and the crime panel itself -- all crime
(ASB out), ASB and crime harm, per period over the last ``spc_window_months``.
Each gets an XmR chart (:mod:`workbench.evaluations.spc`) and a status.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workbench.data.panel import STEP_MONTHS
from workbench.dates import fy_label, fy_periods
from workbench.errors import DataError, ParamDataError
from workbench.evaluations import harm as H
from workbench.evaluations import spc
from workbench.evaluations.result import Result, Summary
from workbench.evaluations.overview import ALL_CRIME, ASB, frequency

@dataclass
class Indicator:
    name: str
    unit: str
    good: str | None
    target: float | None
    is_count: bool
    chart: pd.DataFrame
    reading: spc.Reading
    targets: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))


def panel_indicators(panel: pd.DataFrame, hm: H.HarmMeasure, window_months: int) -> list[tuple[str, str, pd.Series, bool]]:
    """(name, unit, values by period, is a count) for all crime, ASB and harm over the last ``window_months``."""
    step = STEP_MONTHS[frequency(panel)]
    periods = pd.DatetimeIndex(sorted(panel["period"].unique()))
    keep = periods[periods > periods[-1] - pd.DateOffset(months=window_months)]
    full = pd.date_range(keep[0], keep[-1], freq=f"{step}MS")
    part = panel.loc[panel["period"].isin(keep)]
    cat = part["category"].astype(str)
    # A period the panel does not cover is a gap (NaN), never a zero.
    crimes = part.loc[cat != ASB].groupby("period")["count"].sum().reindex(full)
    out = [(ALL_CRIME, "count", crimes.astype(float), True)]
    if (cat == ASB).any():
        out.append((ASB, "count", part.loc[cat == ASB].groupby("period")["count"].sum().reindex(full).astype(float), True))
    harm = H.by_period(part, hm)["harm"].reindex(full)
    out.append((f"Crime harm ({hm.scheme.upper()} {hm.unit})", hm.unit, harm.round(1), False))
    return out


def build(panel: pd.DataFrame, indicators: pd.DataFrame | None, hm: H.HarmMeasure, p) -> list[Indicator]:
    """Every indicator's chart and reading: the crime data's first, then the indicators file's in file order."""
    rules = spc.Rules(p.run_length, p.trend_length, True, p.min_points)
    from_crime = panel_indicators(panel, hm, p.spc_window_months)
    names = [n for n, *_ in from_crime]
    file_names = list(dict.fromkeys(indicators["indicator"])) if indicators is not None else []
    clash = sorted(set(names) & set(file_names))
    if clash:
        raise ParamDataError("indicators_path", f"{', '.join(clash)} in the indicators file is also computed from the "
                             "crime data. Fix: rename it in the file.")
    stray = sorted(set(p.breaks) - set(names) - set(file_names))
    if stray:
        raise ParamDataError("breaks", f"no indicator called {', '.join(repr(s) for s in stray)}; indicators are: "
                             f"{', '.join(names + file_names)}. Fix: use an indicator's exact name.")
    out = []
    for name, unit, values, is_count in from_crime:
        out.append(_indicator(name, unit, "down", None, is_count, values, pd.Series(dtype=float), p.breaks, rules))
    for name in file_names:
        g = indicators.loc[indicators["indicator"] == name].set_index("period")
        targets = g["target"].dropna()
        target = float(targets.iloc[-1]) if len(targets) else None
        out.append(_indicator(name, g["unit"].iloc[0], g["good_direction"].iloc[0], target, bool(g["count"].iloc[0]),
                              g["value"].astype(float), targets, p.breaks, rules))
    return out


def check_breaks(name: str, periods: pd.DatetimeIndex, breaks: list[str] | None) -> None:
    """Every break of an indicator falls inside its chart (a break outside it would silently change nothing)."""
    if not len(periods):
        return
    for j, month in enumerate(breaks or []):
        b = pd.Timestamp(f"{month}-01")
        if not periods[0] <= b <= periods[-1]:
            raise ParamDataError(("breaks", name, j), (
                f"{month} is outside the chart of '{name}' ({periods[0]:%Y-%m} to {periods[-1]:%Y-%m}), so it would "
                "change nothing. Fix: a month inside the chart, or remove it (for the crime indicators, a longer "
                "spc_window_months reaches further back)."))


def _indicator(name, unit, good, target, is_count, values, targets, breaks, rules) -> Indicator:
    check_breaks(name, pd.DatetimeIndex(values.index), breaks.get(name))
    try:
        chart = spc.xmr(values, breaks.get(name), rules)
    except ValueError as exc:
        if breaks.get(name):
            raise ParamDataError(("breaks", name), f"indicator '{name}': {exc}") from None
        raise DataError(f"indicator '{name}': {exc}") from None
    return Indicator(name, unit, good, target, is_count, chart, spc.read(chart, good, target, rules), targets)


def table(items: list[Indicator]) -> pd.DataFrame:
    """The scorecard: one row per indicator."""
    rows = []
    for it in items:
        valued = it.chart.dropna(subset=["value"])
        last = valued.iloc[-1]
        rows.append({
            "indicator": it.name,
            "unit": it.unit,
            "latest period": f"{valued.index[-1]:%Y-%m}",
            "latest": last["value"],
            "mean": last["mean"],
            "lower limit": last["lcl"],
            "upper limit": last["ucl"],
            "target": it.target,
            "better": {"up": "higher", "down": "lower"}.get(it.good or "", "neither"),
            "status": it.reading.status,
            "assurance": it.reading.assurance,
            "signal (latest point)": ", ".join(RULE_WORDS[r] for r in it.reading.rules_latest) or "-",
            "points": len(valued),
            "limits": "provisional" if it.reading.provisional else "firm",
        })
    return pd.DataFrame(rows).set_index("indicator")


def recent(items: list[Indicator], n: int = 6) -> pd.DataFrame:
    """The last ``n`` values of every indicator, one column per period (empty where an indicator has none)."""
    rows = {}
    for it in items:
        v = it.chart["value"].dropna().iloc[-n:]
        rows[it.name] = pd.Series(v.to_numpy(), index=[f"{p:%Y-%m}" for p in v.index])
    out = pd.DataFrame(rows).T
    out = out[sorted(out.columns)[-n:]]
    out.index.name = "indicator"
    return out


RULE_WORDS = {"beyond": "beyond limits", "run": "run", "trend": "trend", "two_of_three": "2 of 3 near limit"}


def count_rows(items: list[Indicator]) -> list[str]:
    """Indicators whose values are counts (their small values are suppressed in publication tables)."""
    return [it.name for it in items if it.is_count]


def check(p, run, panel: pd.DataFrame) -> None:
    """Every check of ``40-scorecard``'s parameters ``p`` against the run's data: the charts are built (they are
    cheap), the harm trend's frequency and measure are checked."""
    ind, _ = load_indicators(p, run)
    hm = H.measure(panel["category"].unique(), p.harm_scheme, p.harm_unweighted)
    build(panel, ind, hm, p)
    harm_summary(panel, hm, p.baseline_year)


def display_kinds(items: list[Indicator]) -> dict[str, str]:
    """How each indicator's figures are shown: counts whole with thousands separators, harm whole, others to 0.1."""
    return {it.name: "count" if it.is_count else "number0" if it.unit in ("days", "harm") else "number" for it in items}


# ----------------------------------------------------------------------------- harm figures


@dataclass
class HarmSummary:
    measure: H.HarmMeasure
    cost: H.CostMeasure
    periods: pd.DataFrame  # by period: crimes, crimes_in_harm, harm, cost_gbp
    latest: pd.DatetimeIndex
    baseline_year: int
    note: str  # why a comparison is missing, or ""

    def figures(self) -> dict:
        t = self.periods
        harm_latest = H.year_total(t, "harm", self.latest)
        crimes_latest = H.year_total(t, "crimes", self.latest)
        cost_latest = H.year_total(t, "cost_gbp", self.latest) if "cost_gbp" in t else None
        base = fy_periods(self.baseline_year, 1)
        harm_base = H.year_total(t, "harm", base)
        crimes_base = H.year_total(t, "crimes", base)
        change = lambda a, b: None if a is None or b is None or b == 0 else round(100 * (a / b - 1), 2)  # noqa: E731
        same = self.same_months()
        return {
            "harm_scheme": self.measure.scheme,
            "harm_unit": self.measure.unit,
            "harm_weights_verified": self.measure.verified,
            "harm_left_out": list(self.measure.left_out),
            "harm_total_latest_12m": None if harm_latest is None else round(harm_latest, 1),
            "latest_12m_end": f"{self.latest[-1]:%Y-%m}",
            "harm_baseline_year": fy_label(self.baseline_year),
            "harm_baseline_total": None if harm_base is None else round(harm_base, 1),
            "harm_change_pct_vs_baseline": change(harm_latest, harm_base),
            "crimes_latest_12m": crimes_latest,
            "crimes_change_pct_vs_baseline": change(crimes_latest, crimes_base),
            "same_months_last_year": f"{same[0]:%Y-%m} to {same[-1]:%Y-%m} ({len(same)})" if len(same) else None,
            "harm_change_pct_same_months_last_year": change(*self.pair(same, "harm")) if len(same) else None,
            "crimes_change_pct_same_months_last_year": change(*self.pair(same, "crimes")) if len(same) else None,
            "cost_latest_12m_gbp": None if cost_latest is None else round(cost_latest),
            "cost_categories": list(self.cost.values),
            "cost_not_valued": list(self.cost.not_valued),
        }


    def same_months(self) -> pd.DatetimeIndex:
        """Months of the latest 12 whose month a year earlier is also in the data (both with harm)."""
        t = self.periods
        have = t.index[t["harm"].notna()]
        return pd.DatetimeIndex([m for m in self.latest if m in have and m - pd.DateOffset(years=1) in have])

    def pair(self, months: pd.DatetimeIndex, column: str) -> tuple[float, float]:
        """(total over ``months``, total over the same months a year earlier)."""
        t = self.periods[column]
        return float(t.loc[months].sum()), float(t.loc[months - pd.DateOffset(years=1)].sum())


def harm_summary(panel: pd.DataFrame, hm: H.HarmMeasure, baseline_year: int) -> HarmSummary:
    """Harm, crimes and cost by period (monthly panels only) and the latest 12 months."""
    if frequency(panel) != "M":
        raise DataError("the scorecard's harm trend needs monthly data (data.police.uk, demo or a tidy CSV); "
                        f"this panel is {frequency(panel)}. Fix: use a monthly source.")
    cm = H.cost_measure(panel["category"].unique())
    t = H.by_period(panel, hm, cm)
    full = pd.date_range(t.index.min(), t.index.max(), freq="MS")
    t = t.reindex(full)  # uncovered months stay NaN and stop any total that needs them
    latest = H.latest_12m(t)
    notes = []
    if t.loc[latest, "harm"].isna().any():
        notes.append(f"the latest 12 months to {latest[-1]:%Y-%m} are not all in the data")
    base = fy_periods(baseline_year, 1)
    if not base.isin(t.index).all() or t.reindex(base)["harm"].isna().any():
        notes.append(f"the baseline year FY {fy_label(baseline_year)} is not fully in the data, so there is no change "
                     "against it (set baseline_year to a year the data cover)")
    return HarmSummary(hm, cm, t, latest, baseline_year, "; ".join(notes))


# ----------------------------------------------------------------------------- text


def figures(items: list[Indicator], hs: HarmSummary) -> dict:
    return {
        "indicators": {it.name: it.reading.status for it in items},
        "indicator_assurance": {it.name: it.reading.assurance for it in items if it.reading.assurance != spc.NO_TARGET},
        **hs.figures(),
    }


def _summary_text(items: list[Indicator], hs: HarmSummary, areas: pd.DataFrame, conc: pd.DataFrame, label: str,
                 min_points: int = 15) -> str:
    """The plain-English summary: what moved, what is off target, and harm against counts."""
    by = {}
    for it in items:
        by.setdefault(it.reading.status, []).append(it.name)
    n = len(items)
    parts = []
    counts = ", ".join(f"{len(by[s])} {s}" for s in spc.STATUSES if s in by)
    text = f"Of {n} indicators read by SPC (XmR charts, the latest point against its process limits): {counts}."
    for s in (spc.DETERIORATING, spc.AGAINST_TARGET, spc.IMPROVING, spc.SPECIAL):
        if s in by:
            text += f" {s.capitalize()}: {', '.join(by[s])}."
    provisional = [it.name for it in items if it.reading.provisional]
    if provisional:
        text += (f" Limits are provisional (fewer than {min_points} points in the latest phase) for "
                 f"{', '.join(provisional)}.")
    parts.append(text)
    f = hs.figures()
    m = hs.measure
    harm_words = f"Crime harm ({m.name}) in the 12 months to {f['latest_12m_end']}: "
    if f["harm_total_latest_12m"] is None:
        harm_words += "not available (" + hs.note + ")."
    else:
        harm_words += f"{f['harm_total_latest_12m']:,.0f} {m.unit} from {f['crimes_latest_12m']:,.0f} crimes"
        if f["harm_change_pct_vs_baseline"] is not None:
            hc, cc = f["harm_change_pct_vs_baseline"], f["crimes_change_pct_vs_baseline"]
            same = (hc >= 0) == (cc >= 0)
            harm_words += (f"; against FY {f['harm_baseline_year']} harm is {hc:+.1f}% and the count {cc:+.1f}%"
                           + ("" if same else " -- they move in opposite directions: the mix of crime has changed"))
        else:
            harm_words += f"; {hs.note}"
            if f["harm_change_pct_same_months_last_year"] is not None:
                harm_words += (f". Over the months the data hold a year apart ({f['same_months_last_year']}), harm is "
                               f"{f['harm_change_pct_same_months_last_year']:+.1f}% and the count "
                               f"{f['crimes_change_pct_same_months_last_year']:+.1f}% on a year earlier")
        harm_words += "."
    if m.left_out:
        harm_words += f" Left out of harm (no weight): {', '.join(m.left_out)}."
    if not m.verified:
        harm_words += " The harm weights are not verified against the published index."
    parts.append(harm_words)
    if len(areas):
        top = areas.head(3)
        parts.append("Most harm: " + "; ".join(f"{a} ({r.share_of_harm_pct:.0f}% of harm, {r.share_of_crimes_pct:.0f}% of "
                                                f"crimes)" for a, r in top.iterrows()) + ".")
    row = conc.loc[conc["top_share_of_areas_pct"] == 5.0]
    if len(row):
        r = row.iloc[0]
        parts.append(f"Harm is concentrated: the top 5% of areas ({int(r.areas)}) hold {r.share_of_harm_pct:.0f}% of harm "
                     f"and {r.share_of_crimes_pct:.0f}% of crimes.")
    parts.append(f"({label})")
    return " ".join(parts[:1]) + "\n\n" + " ".join(parts[1:])


def load_indicators(p, run) -> tuple[pd.DataFrame | None, str]:
    """The indicators table the parameters ask for, and what it is (for titles)."""
    from workbench.data import demo
    from workbench.data.indicators import parse, read_indicators

    choice = p.indicators
    if choice == "auto":
        choice = "demo" if run.data.source == "demo" else "none"
    if choice == "none":
        return None, ""
    if choice == "demo":
        return parse(demo.indicators(run.seed), "demo indicators"), demo.DEMO_LABEL
    return read_indicators(p.indicators_path), str(p.indicators_path)


@dataclass
class ScorecardResult(Result):
    """The scorecard: every indicator's SPC reading and the harm figures."""

    items: list[Indicator]
    harm: HarmSummary
    areas: pd.DataFrame
    concentration: pd.DataFrame
    min_points: int = 15
    known: dict | None = None  # the figures, when already computed

    def figures(self) -> dict:
        return self.known if self.known is not None else figures(self.items, self.harm)

    def checks(self) -> pd.DataFrame:
        return pd.DataFrame([
            {"check": "harm weights verified", "passed": bool(self.figures().get("harm_weights_verified"))},
            {"check": "every indicator's limits from enough points",
             "passed": not any(it.reading.provisional for it in self.items)}])

    def summary(self, label: str) -> Summary:
        """Each indicator's status and assurance, and the paragraph of :func:`_summary_text`."""
        table = pd.DataFrame({"status": [it.reading.status for it in self.items],
                              "assurance": [it.reading.assurance for it in self.items]},
                             index=pd.Index([it.name for it in self.items], name="indicator"))
        paragraph = _summary_text(self.items, self.harm, self.areas, self.concentration, label, self.min_points)
        return Summary(table, paragraph)
