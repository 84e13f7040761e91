"""Violence-prevention evaluation: inputs, donor pool, benefit years and unit costs fail clearly; the demo force
panel carries its documented effect; the real Home Office table gives a usable window."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from workbench.data import demo
from workbench.errors import DataError
from workbench.evaluations import vvu
from workbench.params import SamplerSection, VVUParams

SEED = 20240401
SMALL = SamplerSection(draws=50, tune=50, chains=1, cores=1)


@pytest.fixture(scope="module")
def panel():
    return demo.force_quarterly(SEED, vvu.DEMO_START, vvu.DEMO_END)


def test_demo_force_panel_carries_the_documented_effect(panel):
    assert panel["frequency"].eq("Q").all() and panel["force"].nunique() == 1 + demo.N_DEMO_FORCES
    assert set(panel["category"]) == set(demo.VVU_HO_GROUPS.values())
    again = demo.force_quarterly(SEED, vvu.DEMO_START, vvu.DEMO_END)
    pd.testing.assert_frame_equal(panel, again)
    months = pd.date_range("2018-04-01", "2021-03-01", freq="MS")
    ratio = demo.category_profile(months) / demo.category_profile(months, vvu=False)
    j = demo.CATEGORIES.index("Robbery")
    post = months >= pd.Timestamp(f"{demo.VVU_START}-01")
    np.testing.assert_allclose(ratio[post, j], demo.VVU_RATE_RATIO)
    np.testing.assert_allclose(ratio[~post, j], 1.0)


def test_window_excludes_programme_forces_and_cuts_the_periods(panel):
    p = VVUParams(exclude={"forces": ["demo-01", "demo-02"], "source": "test", "verified": True})
    w = vvu.window(vvu.outcome(panel, p.categories), p)
    assert w.treated == "essex" and "demo-01" not in w.donors and len(w.donors) == demo.N_DEMO_FORCES - 2
    assert w.periods[w.t0] == pd.Timestamp("2019-10-01") and w.t0 == 24
    assert w.periods[-1] == pd.Timestamp("2024-01-01")
    assert any("2 forces are not donors" in n for n in w.notes)
    assert w.by_cat.shape == (len(w.periods), 3) and np.allclose(w.by_cat.sum(axis=1), w.y)


def test_a_donor_with_a_missing_quarter_is_left_out_with_a_note_and_the_treated_force_never(panel):
    gap = panel[~((panel["force"] == "demo-03") & (panel["period"] == pd.Timestamp("2018-01-01")))]
    p = VVUParams()
    w = vvu.window(vvu.outcome(gap, p.categories), p)
    assert "demo-03" not in w.donors and any("demo-03" in n for n in w.notes)
    gap = panel[~((panel["force"] == "essex") & (panel["period"] == pd.Timestamp("2018-01-01"))
                  & (panel["category"] == "Robbery"))]
    with pytest.raises(DataError, match="treated force 'essex' has no counts for 2018-01"):
        vvu.window(vvu.outcome(gap, p.categories), p)


@pytest.mark.parametrize("change, message", [
    ({"treated": "gotham"}, "treated: 'gotham' is not a force"),
    ({"start": "2030-01"}, "the start must fall inside"),
    ({"pre_quarters": 40}, "pre_quarters: 40 quarters"),
    ({"donors": ["demo-01", "atlantis"]}, "donors: atlantis not in the data"),
    ({"categories": ["Robbery", "Fraud offences"], "unvalued": []}, "Fraud offences not in the data"),
])
def test_bad_inputs_name_the_parameter(panel, change, message):
    p = VVUParams(**change)
    with pytest.raises(DataError, match=message):
        vvu.window(vvu.outcome(panel, p.categories), p)


def test_monthly_lsoa_data_are_refused_with_the_fix():
    lsoa = demo.generate(SEED, "2024-01", "2024-03", lsoa_fraction=0.05)
    with pytest.raises(DataError, match="quarterly force-level counts.*homeoffice_quarterly"):
        vvu.outcome(lsoa, ["Robbery"])


def test_money_inputs_fail_before_any_fitting(panel):
    with pytest.raises(DataError, match="benefit year 2024/25: 0 of its 4 quarters"):
        vvu.run(panel, VVUParams(benefit_years=[2024]), SMALL, SEED, say=lambda s: None)
    with pytest.raises(DataError, match="Possession of weapons offences.*never taken as zero"):
        vvu.run(panel, VVUParams(unvalued=[]), SMALL, SEED, say=lambda s: None)


def test_params_checks():
    with pytest.raises(ValidationError, match="not one of the categories"):
        VVUParams(unvalued=["Burglary"])
    with pytest.raises(ValidationError, match="unknown input 'weather'"):
        VVUParams(sensitivity={"weather": (0, 1)})
    with pytest.raises(ValidationError, match="attribution.value"):
        VVUParams(attribution={"value": 0.0, "source": "x", "verified": True})
    with pytest.raises(ValidationError, match="Field required"):
        VVUParams(costs={"spend": {"t": {2021: 1.0}}, "source": "x"})


def test_likelihood_words():
    assert [vvu.likelihood_words(x) for x in (0.99, 0.9, 0.6, 0.5, 0.3, 0.1, 0.01)] == [
        "almost certain", "highly likely", "likely", "a realistic possibility", "unlikely", "highly unlikely", "remote"]


def test_real_home_office_window(shared_real):
    from workbench.data import homeoffice

    path = shared_real / "ons_homeoffice" / "ho_prc_pfa_quarterly_offence_group_fy2002_03_to_2023_24_DERIVED_dm2hill.csv"
    panel = homeoffice.read_ho_quarterly(path)
    p = VVUParams()
    w = vvu.window(vvu.outcome(panel, p.categories), p)
    assert w.treated == "essex" and w.t0 == 24 and len(w.periods) == 42
    assert not set(w.donors) & set(p.exclude.forces)
    assert 15 <= len(w.donors) <= 22
    assert w.y[: w.t0].mean() > 3000  # Essex records thousands of these offences a quarter
