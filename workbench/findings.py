"""The key findings of each notebook: the question, the answer in one sentence, the checks, the data, the settings.

Each function returns the keyword arguments of :func:`workbench.report.key_findings`, so a notebook's last cell
is ``report.key_findings(**findings.goal(...))`` and the box shows first in its report.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.report import validated_text
from workbench.tables import count, interval, number, pct, prob


def data_coverage(panel: pd.DataFrame, label: str) -> str:
    """The data and their coverage in one line: "synthetic demo data: 2017-04 to 2025-12, 105 of 105 months, none missing"."""
    from workbench.data import coverage

    cov = coverage(panel)
    keys = ["first", "last", "frequency", "periods_present", "periods_expected", "periods_missing", "missing"]
    parts = []
    for _, r in cov.drop_duplicates(subset=keys).iterrows():
        word = {"M": "months", "Q": "quarters"}.get(str(r["frequency"]), "periods")
        miss = int(r["periods_missing"])
        parts.append(f"{r['first']} to {r['last']}, {int(r['periods_present']):,} of {int(r['periods_expected']):,} {word}, "
                     + ("none missing" if miss == 0 else f"{miss:,} missing ({r['missing']})"))
    if len(parts) > 3:
        parts = [f"{cov['first'].min()} to {cov['last'].max()}, {int(cov['periods_missing'].sum()):,} periods missing "
                 f"over {len(cov):,} sources"]
    areas = panel["area"].nunique() if "area" in panel else None
    extra = f"; {areas:,} areas" if areas and areas > 1 else ""
    return f"{label}: " + "; ".join(parts) + extra


def _checks(table: pd.DataFrame, name: str = "check", passed: str = "passed") -> list[tuple[str, bool]]:
    t = table.reset_index() if name not in table.columns else table
    return [(str(r[name]), bool(r[passed])) for _, r in t.iterrows()]


def overview(figures: dict, panel: pd.DataFrame, label: str) -> dict[str, Any]:
    """Findings of ``00-data-overview``."""
    f = figures
    latest, _, previous = str(f.get("latest_window") or "").partition(" against ")
    answer = (f"Crime (excluding ASB) was <b>{count(f.get('crime_latest_12m'))}</b> in {latest}, "
              f"<b>{pct(f.get('crime_change_pct'), sign=True)}</b> on {previous or 'the window before'}; ASB "
              f"{count(f.get('asb_latest_12m'))} ({pct(f.get('asb_change_pct'), sign=True)}).")
    from workbench.evaluations.overview import OverviewResult

    checks = _checks(OverviewResult(panel, known=f).checks())
    return dict(question="What do the data hold: coverage, totals and trends?", answer=answer, checks=checks,
                data=data_coverage(panel, label), validated=validated_text(f))


def goal(summaries: dict, run, figures: dict, panel: pd.DataFrame, label: str) -> dict[str, Any]:
    """Findings of ``10-goal-tracking`` (the headline model's figures -- the first run, by default the Bayesian
    model's -- and the others' beside)."""
    main, s = next(iter(summaries.items()))
    reading = "on track" if s["p_goal_met"] >= 0.5 else "not on track"
    others = "; ".join(f"{m}: P(goal met) {prob(o['p_goal_met'])}" for m, o in summaries.items() if m != main)
    answer = (f"<b>{reading.capitalize()}</b>: P(goal met) <b>{prob(s['p_goal_met'])}</b>; the FY {s['target_year']} "
              f"forecast is <b>{interval(s['forecast_target_median'], s['forecast_target_lo'], s['forecast_target_hi'], 'estimate')}</b> "
              f"against a target of {count(s['target_total'])} ({pct(100 * s['reduction'], 0)} below FY {s['baseline_year']})."
              + (f" {others}." if others else ""))
    from workbench.evaluations.goal import GoalResult

    checks = _checks(GoalResult(summaries, {}, run).checks())
    measure = s["measure"][:1].lower() + s["measure"][1:]
    return dict(question=f"Are we on track for {pct(100 * s['reduction'], 0)} less {measure} by FY {s['target_year']}?",
                answer=answer, checks=checks, data=data_coverage(panel, label), validated=validated_text(figures))


def hotspot(res, figures: dict, panel: pd.DataFrame, label: str) -> dict[str, Any]:
    """Findings of ``20-hotspot-policing`` (evidence prior; checks from :meth:`HotspotResult.checks`)."""
    r = res.main.row()
    answer = (f"In the {len(res.roles.hotspots):,} hotspots the outcome changed by <b>"
              f"{interval(r['effect_pct_median'], r['effect_pct_lo'], r['effect_pct_hi'], 'change')}</b> against no "
              f"patrols (P(reduction) {prob(r['p_reduction'])}); about "
              f"{interval(r['crimes_averted_median'], r['crimes_averted_lo'], r['crimes_averted_hi'], 'estimate')} "
              f"crimes averted.")
    checks = _checks(res.checks()) + [(f"sampler converged ({k})", bool(s.diagnostics_ok())) for k, s in res.fits.items()]
    return dict(question="Did the hotspot patrols reduce crime in the hotspots?", answer=answer, checks=checks,
                data=data_coverage(panel, label), validated=validated_text(figures))


def vvu(res, figures: dict, panel: pd.DataFrame, label: str) -> dict[str, Any]:
    """Findings of ``30-vvu-return`` (the synthetic control's figures)."""
    f = figures
    answer = (f"Benefit-cost ratio <b>{interval(f['bcr_median'], f['bcr_lo'], f['bcr_hi'], 'ratio')}</b>; "
              f"P(ratio ≥ {number(f['claimed_ratio'], 1)}×, the claim) <b>{prob(f['p_bcr_ge_claimed'])}</b>; effect on "
              f"serious violence {interval(f['effect_pct_median'], f['effect_pct_lo'], f['effect_pct_hi'], 'change')}.")
    return dict(question="Did the violence-prevention programme work, and did it return its claimed benefit?",
                answer=answer, checks=_checks(res.checks()), data=data_coverage(panel, label),
                validated=validated_text(f))


def scorecard(items: list, figures: dict, panel: pd.DataFrame, label: str) -> dict[str, Any]:
    """Findings of ``40-scorecard``: indicators by status, harm against the baseline year."""
    statuses = pd.Series([it.reading.status for it in items]).value_counts()
    by = ", ".join(f"{n:,} {s}" for s, n in statuses.items())
    f = figures
    harm_change = f.get("harm_change_pct_vs_baseline")
    if harm_change is None:
        harm_change, against = f.get("harm_change_pct_same_months_last_year"), "the same months a year before"
    else:
        against = f"FY {f.get('harm_baseline_year')}"
    answer = (f"Of {len(items):,} indicators: {by}. Harm in the 12 months to {f.get('latest_12m_end')} was "
              f"<b>{number(f.get('harm_total_latest_12m'), 0)} {f.get('harm_unit')}</b>, "
              f"<b>{pct(harm_change, sign=True)}</b> on {against}.")
    from workbench.evaluations.scorecard import ScorecardResult

    checks = _checks(ScorecardResult(items, None, None, None, known=f).checks())
    return dict(question="How is every plan indicator doing, and where is harm?", answer=answer, checks=checks,
                data=data_coverage(panel, label), validated=validated_text(f))


def backtest(result, word: str, panel: pd.DataFrame, label: str, tolerance: float | None = None) -> dict[str, Any]:
    """Findings of ``90-backtest``: the longest horizon's scores; coverage within ``tolerance`` of nominal is a pass
    (:meth:`BacktestResult.checks`)."""
    h = int(result.scores["horizon"].max())
    t = result.table().xs(h, level="horizon")
    best = t["MASE"].idxmin()
    parts = "; ".join(f"{m} {number(r['MASE'], 2)}" for m, r in t.iterrows())
    answer = (f"Over the first {h} {word}, the most accurate model was <b>{best}</b> (MASE: {parts}); its 80% and 95% "
              f"intervals held {pct(t.loc[best, '80% coverage'], 0, scale=100)} and "
              f"{pct(t.loc[best, '95% coverage'], 0, scale=100)} of outcomes.")
    checks = _checks(result.checks() if tolerance is None else result.checks(tolerance))
    return dict(question="Would the forecasts have been right?", answer=answer, checks=checks,
                data=data_coverage(panel, label), validated=validated_text(result.figures()))


def claims(figures: dict, sources_label: str, label: str) -> dict[str, Any]:
    """Findings of ``50-claims``: how many claims the data reproduce, and how many stand out from normal variation."""
    from workbench.evaluations.claims import CLOSE, NOT_REPRODUCED, NOT_TESTABLE, REPRODUCED

    v = figures.get("verdicts", {})
    n = int(figures.get("n_claims") or 0)
    testable = n - int(v.get(NOT_TESTABLE, 0))
    answer = (f"Of <b>{n:,}</b> claims, <b>{testable:,}</b> can be tested with these data: {v.get(REPRODUCED, 0):,} "
              f"{REPRODUCED}, {v.get(CLOSE, 0):,} {CLOSE}, {v.get(NOT_REPRODUCED, 0):,} {NOT_REPRODUCED}; "
              f"<b>{int(figures.get('stand_out') or 0):,}</b> of the changes stand out from the series' normal "
              f"year-to-year variation.")
    from workbench.evaluations.claims import ClaimsResult

    checks = _checks(ClaimsResult(None, known=figures).checks())
    return dict(question="Are the published claims of change supported by the data, allowing for normal variation?",
                answer=answer, checks=checks, data=f"{label}: {sources_label}",
                validated="not applicable (no fitted model: the yardstick is each series' own year-to-year spread)")


def where_we_stand(figures: dict, label: str) -> dict[str, Any]:
    """Findings of ``15-where-we-stand``: the nowcast against the target path, and P(goal met), crime and ASB."""
    f = figures
    answer = (f"Crime in the 12 months to {f['latest_month']}: <b>"
              f"{interval(f['nowcast_latest_12m_median'], f['nowcast_latest_12m_lo'], f['nowcast_latest_12m_hi'], 'estimate')}"
              f"</b> against a target path of {count(f['target_path_at_latest'])}; P(goal met) <b>{prob(f['p_goal_met'])}</b>, "
              f"needing {pct(100 * f['required_annual_reduction_now'])} a year from now.")
    if f.get("asb"):
        a = f["asb"]
        answer += (f" ASB: {interval(a['nowcast_latest_12m_median'], a['nowcast_latest_12m_lo'], a['nowcast_latest_12m_hi'], 'estimate')}"
                   f", P(goal met) {prob(a['p_goal_met'])}; {pct(f['asb_change_since_fy2016_pct'], sign=True)} on "
                   f"{f.get('asb_change_since')}.")
    from workbench.evaluations.nowcast import FIT_LABELS

    checks = [(f"sampler converged ({FIT_LABELS.get(k, k)})", bool(v["ok"])) for k, v in f.get("diagnostics", {}).items()]
    n = len(f.get("sources", {}))
    return dict(question="Where do we stand today against the goal, on every source to the latest month?",
                answer=answer, checks=checks, data=f"{label}: {n} crime sources to {f['latest_month']}",
                validated="validated by benchmarks/bench_nowcast.py (hold-out on real sources, calibration on "
                          "simulated panels); see the README")
