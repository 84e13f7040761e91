"""The written contracts (docs/contracts.md): effects, the yardstick, the calendar and the shape of every result."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench import dates, yardstick
from workbench.evaluations import backtest as bt
from workbench.evaluations import goal as G
from workbench.evaluations import claims, hotspot, nowcast, overview, scorecard, vvu
from workbench.evaluations.result import Result, Summary
from workbench.models.effects import Effect
from workbench.models.series import SeriesSet

PACKAGE = Path(__file__).resolve().parents[1] / "workbench"


def test_an_effect_is_observed_or_expected_against_the_expected_counterfactual_by_hand():
    post = np.array([False, False, True, True])
    without = np.array([[10.0, 10.0, 20.0, 30.0], [10.0, 10.0, 25.0, 25.0]])  # two draws of E[y | no intervention]
    noisy = without + np.array([[1.0, -1.0, 3.0, -2.0], [0.0, 2.0, -4.0, 1.0]])
    e = Effect(np.array([9.0, 11.0, 18.0, 27.0]), without, noisy, post, expected_with=without * 0.8)
    assert e.pct() == pytest.approx([100 * (45 / 50 - 1)] * 2)  # the noisy draws never enter
    assert e.averted() == pytest.approx([5.0, 5.0])
    assert e.pct("expected") == pytest.approx([-20.0, -20.0])
    assert e.averted_by_period("expected")[:, :2].sum() == 0.0  # nothing before the start
    with pytest.raises(ValueError, match="basis 'expected'"):
        Effect(e.observed, without, noisy, post).pct("expected")  # a design that does not model the intervention


def test_one_interval_one_set_of_words_one_calendar():
    assert (yardstick.LO_Q, yardstick.HI_Q) == (0.05, 0.95) and yardstick.INTERVAL == 0.90
    lo, med, hi = yardstick.interval(np.arange(101.0))
    assert (lo, med, hi) == (5.0, 50.0, 95.0)
    assert G.INTERVAL == hotspot.INTERVAL == vvu.INTERVAL == yardstick.INTERVAL
    # 0.7 is "likely" wherever a probability is put into words (the goal once said "possible but not likely").
    assert vvu.likelihood_words(0.7) == "likely"
    s = {"measure": "crime", "model": "m", "unit": "", "reduction": 0.4, "baseline_total": 100.0, "baseline_year": "2023/24",
         "target_total": 60.0, "target_year": "2027/28", "forecast_target_median": 58.0, "interval": 0.9,
         "forecast_target_lo": 40.0, "forecast_target_hi": 80.0, "p_goal_met": 0.7, "latest_12m_total": 90.0,
         "latest_12m_end": "2025-12", "required_annual_reduction_now": 0.1, "forecast_annual_change": -0.1,
         "expected_shortfall": 3.0}
    assert "meeting the goal is likely (probability 70%)" in G.plain_summary(s, "test")
    assert dates.fy_label(2023) == "2023/24" and dates.financial_year(pd.Timestamp("2024-03-01")) == 2023
    assert dates.quarter_of("2024-05") == pd.Timestamp("2024-04-01") and len(dates.fy_periods(2023, 3)) == 4


def _defined_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    for n in tree.body:
        if isinstance(n, ast.Assign):
            names |= {t.id for t in n.targets if isinstance(t, ast.Name)}
    return names


def test_each_rule_and_helper_is_defined_in_one_module():
    homes = {"converged": "models/__init__.py", "RHAT_MAX": "models/__init__.py", "ESS_MIN": "models/__init__.py",
             "Diagnostics": "models/__init__.py", "Sampler": "models/sampling.py",
             "INTERVAL": "yardstick.py", "likelihood_words": "yardstick.py", "PLACEBO_P_MAX": "yardstick.py",
             "PRE_TREND_TOLERANCE": "yardstick.py", "fy_label": "dates.py", "fy_periods": "dates.py",
             "financial_year": "dates.py", "quarter_of": "dates.py"}
    for path in PACKAGE.rglob("*.py"):
        where = str(path.relative_to(PACKAGE))
        for name in _defined_names(path) & set(homes):
            assert where == homes[name], f"{name} is defined in {where}; its one home is {homes[name]}"


def _imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function."""
    found = set()
    for n in ast.walk(ast.parse(path.read_text())):
        if isinstance(n, ast.Import):
            found |= {a.name for a in n.names}
        elif isinstance(n, ast.ImportFrom) and n.module:
            found |= {n.module} | {f"{n.module}.{a.name}" for a in n.names}
    return found


def test_models_take_plain_settings_not_the_params_schema():
    for path in (PACKAGE / "models").rglob("*.py"):
        schema = {m for m in _imported_modules(path) if m == "workbench.params" or m.startswith("workbench.params.")}
        assert not schema, f"{path.relative_to(PACKAGE)} imports {sorted(schema)}"
    from dataclasses import fields

    from workbench.models.sampling import Sampler, check_sampler
    from workbench.params import SamplerSection, sampler_settings

    section = SamplerSection(draws=50, chains=3, adaptation="low_rank", backend="numba")
    plain = section.settings()
    assert [f.name for f in fields(Sampler)] == list(SamplerSection.model_fields)
    assert Sampler() == SamplerSection().settings()  # the same defaults
    assert plain == Sampler(draws=50, chains=3, adaptation="low_rank", backend="numba")
    assert sampler_settings(section) == plain and sampler_settings(plain) is plain and sampler_settings(None) is None
    assert check_sampler(plain) == Sampler(draws=50, chains=2, adaptation="low_rank", backend="numba")
    assert check_sampler(Sampler(draws=800, tune=300)) == Sampler(draws=500, tune=300, chains=2)
    from workbench.models.negbin import ModelConfig, Shock
    from workbench.params import ForecastModelParams

    shock = {"name": "x", "start": "2020-04", "end": "2020-06"}
    config = ForecastModelParams(trend_damping=0.8, shocks=[shock]).settings()
    assert config == ModelConfig(trend_damping=0.8, shocks=[Shock("x", "2020-04", "2020-06")])


def test_every_evaluation_result_has_figures_checks_and_a_summary():
    for cls in (G.GoalResult, hotspot.HotspotResult, vvu.VVUResult, bt.BacktestResult, overview.OverviewResult,
                scorecard.ScorecardResult, claims.ClaimsResult, nowcast.NowcastResult):
        assert issubclass(cls, Result)
        for method in ("figures", "checks", "summary"):
            assert getattr(cls, method) is not getattr(Result, method), f"{cls.__name__}.{method}"
    rng = np.random.default_rng(3)
    t = np.arange(60)
    y = np.vstack([rng.poisson(40 * (1 + 0.2 * np.sin(2 * np.pi * t / 12))), rng.poisson(15, 60)]).astype(float)
    data = SeriesSet(pd.date_range("2019-01-01", periods=60, freq="MS"), "M",
                     pd.DataFrame({"area": ["A", "A"], "category": ["theft", "drugs"]}), y)
    res = bt.run(data, ["2022-01"], [6, 12], None, None, 4, models=["seasonal_naive"], say=lambda s: None)
    out = res.summary("test data")
    assert isinstance(out, Summary) and "Seasonal naive" in out.paragraph and "months after each origin" in out.paragraph
    assert out.table.equals(res.table())
    checks = res.checks()
    assert list(checks.columns[:1]) == ["check"] and checks["passed"].dtype == bool
    assert res.checks_passed() == bool(checks["passed"].all())


def test_the_overview_result_has_the_same_shape():
    from workbench.data import demo

    panel = demo.generate(3, "2022-04", "2024-03", 0.05)
    res = overview.OverviewResult(panel)
    out = res.summary("synthetic demo data")
    assert "No month is missing" in out.paragraph and len(out.table)
    assert res.checks()["check"].tolist() == ["no missing months", "loading raised no warnings"]
    assert res.checks_passed() and res.figures()["months_missing"] == 0


def test_the_nowcast_result_checks_each_fit_it_made():
    from types import SimpleNamespace

    from workbench.models import Diagnostics

    def fit(*d):
        return SimpleNamespace(diagnostics=Diagnostics(*d))

    res = nowcast.NowcastResult(None, None, fit(1.0, 800.0, 0), None, fit(1.05, 100.0, 2), known={"x": 1})
    checks = res.checks()
    assert checks["check"].tolist() == ["sampler converged (crime, every source)", "sampler converged (ASB)"]
    assert checks["passed"].tolist() == [True, False] and not res.checks_passed() and res.figures() == {"x": 1}
    assert checks["value"].iloc[0].startswith("Sampler diagnostics fine: r-hat max 1.000, bulk ESS min 800, 0 div")
    assert "(the rule: r-hat at most 1.01, bulk ESS at least 400, no divergences)" in checks["value"].iloc[1]
