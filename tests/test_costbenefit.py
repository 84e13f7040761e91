"""Costs, benefits and the benefit-cost ratio, worked by hand; unit costs that are unknown fail loudly."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.errors import DataError
from workbench.evaluations import costbenefit as CB


def test_unit_costs_come_from_the_reference_table_through_the_map():
    costs = CB.unit_costs(["Violence against the person", "Robbery"])
    assert costs["Violence against the person"].value == 14050
    assert costs["Violence against the person"].offence == "Violence with injury"
    assert "upper bound" in costs["Violence against the person"].note
    assert costs["Robbery"].value == 11320 and costs["Robbery"].price_year == "2015/16"
    assert not costs["Robbery"].verified  # seen in a reproduction only


def test_a_missing_unit_cost_names_the_offence_group_and_the_fixes():
    with pytest.raises(DataError) as e:
        CB.unit_costs(["Robbery", "Possession of weapons offences"])
    msg = str(e.value)
    assert "Possession of weapons offences" in msg and "never taken as zero" in msg
    assert "unit_costs.csv line" in msg and "'unvalued'" in msg


def test_unvalued_and_overrides_are_explicit():
    cats = ["Robbery", "Possession of weapons offences"]
    costs = CB.unit_costs(cats, unvalued=["Possession of weapons offences"])
    assert list(costs) == ["Robbery"]
    table = CB.unit_cost_table(costs, ["Possession of weapons offences"])
    assert table.loc["Possession of weapons offences", "valued as"].startswith("not valued")
    over = {"value": 500.0, "price_year": "2015/16", "source": "analyst's estimate", "verified": False}
    costs = CB.unit_costs(cats, overrides={"Possession of weapons offences": over})
    assert costs["Possession of weapons offences"].value == 500.0
    with pytest.raises(DataError, match="missing source"):
        CB.unit_costs(cats, overrides={"Possession of weapons offences": {"value": 1, "price_year": "x", "verified": True}})
    with pytest.raises(DataError, match="not an outcome category"):
        CB.unit_costs(cats, unvalued=["Burglary"])
    with pytest.raises(DataError, match="no unit-cost mapping for the outcome category 'Fraud offences'"):
        CB.unit_costs(["Fraud offences"])


def test_discounting_and_costs_by_hand():
    np.testing.assert_allclose(CB.discount_factors([2021, 2022, 2023], 2021, 0.035), [1, 1 / 1.035, 1 / 1.035**2])
    costs = CB.Costs(spend={"tier 1": {2021: 100.0, 2022: 100.0}}, extra={2023: 50.0})
    assert costs.base_year == 2021 and costs.total() == 250.0
    assert costs.present_value(0.10) == pytest.approx(100 + 100 / 1.1 + 50 / 1.21)
    assert list(costs.table().columns) == ["2021/22", "2022/23", "2023/24", "total"]
    with pytest.raises(ValueError, match="negative"):
        CB.Costs(spend={"tier 1": {2021: -1.0}}, extra={})


def _valuation(rate=0.0, attribution=1.0):
    uc = CB.UnitCost("A", "a", 1000.0, "2015/16", "test", True)
    return CB.Valuation({"A": uc}, uplift=1.0, attribution=attribution, rate=rate)


def test_benefits_ratio_and_break_even_by_hand():
    val = _valuation()
    cats, years = ["A", "B"], [2021, 2022]
    # Two draws; category B is unvalued (no unit cost) and adds nothing.
    averted = np.array([[[10, 5], [20, 5]], [[0, 5], [10, 5]]], float)
    np.testing.assert_allclose(CB.benefits(averted, cats, years, 2021, val), [30_000, 10_000])
    s = CB.ratio_summary(np.array([0.5, 1.0, 2.0, 4.0]))
    assert s["p_bcr_ge_1"] == 0.75 and s["p_bcr_ge_3_5"] == 0.25
    # 100 valued offences observed at £1,000 = £100,000; a cost of £50,000 breaks even at RR = 2/3:
    # the counterfactual is 150, 50 averted, worth £50,000.
    observed = np.array([[100.0, 40.0]])
    assert CB.breakeven_effect_pct(1.0, 50_000, observed, cats, [2021], 2021, val) == pytest.approx(-100 / 3)
    # 3.5x needs 175,000 of benefit: 1/RR - 1 = 1.75, RR = 1/2.75.
    assert CB.breakeven_effect_pct(3.5, 50_000, observed, cats, [2021], 2021, val) == pytest.approx(100 * (1 / 2.75 - 1))
    split = CB.split_by_category(np.array([[10.0], [20.0]]), np.array([[30.0, 10.0]]))
    np.testing.assert_allclose(split[:, 0, :], [[7.5, 2.5], [15.0, 5.0]])


def test_tornado_moves_one_input_at_a_time():
    val = _valuation(rate=0.035)
    costs = CB.Costs(spend={"t": {2021: 10_000.0}}, extra={})
    averted = np.full((4, 1, 1), 20.0)
    t = CB.tornado(averted, ["A"], [2021], costs, val, {"attribution": (0.5, 1.0), "unit_cost_scale": (0.5, 2.0)})
    assert t.attrs["base"] == pytest.approx(2.0)
    row = t.set_index("input")
    assert row.loc["attribution", "bcr_at_low"] == pytest.approx(1.0)
    assert row.loc["unit_cost_scale", "bcr_at_high"] == pytest.approx(4.0)
    assert t["input"].iloc[0] == "unit_cost_scale"  # the widest swing first
    with pytest.raises(ValueError, match="attribution"):
        CB.tornado(averted, ["A"], [2021], costs, val, {"attribution": (0.0, 1.0)})
