"""Where we stand: the sources in one form, their bad-input errors, the measurement model, and the Essex run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.data import multisource as MS
from workbench.errors import DataError, ParamDataError, ParamsError
from workbench.evaluations import nowcast as W
from workbench.models import nowcast as N
from workbench.params import NowcastParams, SamplerSection

HO = "ons_homeoffice/ho_prc_pfa_quarterly_offence_group_fy2002_03_to_2023_24_DERIVED_dm2hill.csv"
P1 = "ons_homeoffice/ons_pfa_p1_recorded_crime_by_offence_group_rolling12m.csv"
C2 = "ons_homeoffice/ons_csp_c2_recorded_crime_by_offence_group_yejune2025.csv"
P7 = "ons_homeoffice/ons_pfa_p7_asb_incidents_annual_fy2007_08_to_2018_19.csv"
STREET = "policeuk_monthly_counts.csv"


def essex_specs(root):
    return [{"kind": "homeoffice_quarterly", "path": str(root / HO)}, {"kind": "ons_p1", "path": str(root / P1)},
            {"kind": "ons_c2", "path": str(root / C2)}, {"kind": "ons_p7", "path": str(root / P7)},
            {"kind": "policeuk_counts", "path": str(root / STREET)}]


# ----------------------------------------------------------------------------- simulated panels


def test_simulated_panel_has_the_real_gaps_and_known_truth():
    sim = MS.simulate(3, groups=2)
    street = sim.months("policeuk_counts")
    assert len(street) == len(MS.SIM_POLICEUK_MONTHS)
    assert pd.Timestamp("2021-06-01") not in street  # the 2020-2023 gap is a gap
    assert sim.months("homeoffice_quarterly")[-1] == pd.Timestamp("2024-03-01")
    ons = sim.of(MS.CRIME)
    assert set(ons.loc[ons["kind"] == "ons_p1", "months"]) == {12}
    assert sim.truth["ratio"]["Violence and sexual offences"].std() > 0  # the ratios drift
    assert sim.latest_month == pd.Timestamp("2025-12-01")
    # the same seed gives the same panel
    assert MS.simulate(3, groups=2).obs.equals(sim.obs)


def test_simulated_street_counts_carry_the_ratio_for_crime_and_are_the_reference_for_asb():
    sim = MS.simulate(5, groups=1)
    months = sim.truth["months"]
    street = sim.obs[(sim.obs["kind"] == "policeuk_counts") & (sim.obs["level"] == "force")]
    for group, scale in ((MS.ASB, lambda r: 1.0), ("Violence and sexual offences", lambda r: r)):
        rows = street[street["group"] == group]
        at = months.get_indexer(rows["start"])
        expected = scale(sim.truth["ratio"][group][at]) * sim.truth["mu"][group][at]
        # monthly NB noise (alpha 400) is about 5%: the mean of the log ratio over 30 months sits within 3%
        assert abs(np.mean(np.log(rows["count"].to_numpy() / expected))) < 0.03, group
    asb = street[street["group"] == MS.ASB]
    raw = sim.truth["mu"][MS.ASB][months.get_indexer(asb["start"])]
    assert abs(np.mean(np.log(asb["count"].to_numpy() / (raw * sim.truth["ratio"][MS.ASB][months.get_indexer(asb["start"])])))) > 0.05


def test_quarterly_sums_alone_keep_only_the_yearly_seasonal_pair():
    sim = MS.simulate(3, groups=1)
    crime = sim.of(MS.CRIME)
    last = pd.Timestamp("2025-12-01")
    every = N.design(crime, sorted(crime["group"].unique()), "2014-04", last, MS.OFFICIAL)
    quarterly = crime[crime["kind"] == "homeoffice_quarterly"]
    ho = N.design(quarterly, sorted(quarterly["group"].unique()), "2014-04", pd.Timestamp("2024-03-01"), MS.OFFICIAL)
    assert N.identified_fourier_order(every, 2) == 2  # street months identify the six-month pair
    assert N.identified_fourier_order(ho, 2) == 1
    assert N.identified_fourier_order(ho, 0) == 0
    # why: summed over quarters, the six-month pair's sine and cosine give the same alternating pattern
    F = N.fourier(ho.months, 12, 2)
    q = F.reshape(-1, 3, F.shape[1]).sum(axis=1)
    assert np.linalg.matrix_rank(q) == 3


def test_a_source_with_few_observations_keeps_a_tight_dispersion_prior():
    sim = MS.simulate(3, groups=1)
    asb = sim.of(MS.ASB_MEASURE)
    counts = asb.groupby("source").size()
    assert counts["ons_p7"] < N.FEW_OBSERVATIONS <= counts["policeuk_counts"]  # P7: one a year to 2018/19
    mean, sd = N.dispersion_prior(counts.to_numpy())
    p7, street = counts.index.get_loc("ons_p7"), counts.index.get_loc("policeuk_counts")
    assert sd[p7] < sd[street] and np.exp(mean[p7]) == pytest.approx(N.FEW_ALPHA)
    # the tight prior's 90% range of the noise (1 / sqrt(alpha)) is about 2% to 5%
    cv = 1 / np.sqrt(np.exp(mean[p7] + np.array([1.645, -1.645]) * sd[p7]))
    assert 0.015 < cv[0] < 0.025 and 0.04 < cv[1] < 0.06


def test_interpolation_matrix_is_linear_between_knots():
    W_ = N.interp_matrix(13, 6)
    assert W_.shape == (3, 13)
    assert np.allclose(W_.sum(axis=0), 1)
    assert np.allclose(np.arange(3) @ W_ * 6, np.arange(13))


def test_target_path_is_the_constant_rate_path():
    from workbench.evaluations.goal import Goal

    path = W.target_path(Goal(2023, 2027, 0.4), 154_496)
    assert path.iloc[0] == pytest.approx(154_496)
    assert path.loc["2028-03-01"] == pytest.approx(154_496 * 0.6)
    assert path.loc["2026-03-01"] == pytest.approx(154_496 * 0.6 ** 0.5)


# ----------------------------------------------------------------------------- bad input


def test_baseline_no_source_covers_stops_before_any_fit():
    sim = MS.simulate(1, groups=1)
    with pytest.raises(ParamDataError, match="baseline_year: 2024 is FY 2024/25.*never estimated.*Fix: .*baseline_year 2023"):
        MS.check_baseline(sim, 2024)
    MS.check_baseline(sim, 2023)


def test_run_with_an_uncovered_baseline_stops_at_the_checks(shared_real, write_params):
    from workbench.runner import check_members

    path = write_params({"run_name": "x", "seed": 1, "data": {"source": "demo"}, "notebooks": [
        {"name": "15-where-we-stand", "parameters": {"baseline_year": 2024, "sources": essex_specs(shared_real)}}]})
    with pytest.raises(ParamsError, match=r"line \d+: key 'notebooks\[15-where-we-stand\].baseline_year'.*FY 2024/25"):
        check_members(__import__("workbench.params", fromlist=["x"]).load_params(path))


def test_file_not_of_its_declared_kind_names_file_line_and_fix(shared_real):
    specs = [{"kind": "ons_p1", "path": str(shared_real / C2)}]
    with pytest.raises(DataError, match=r"yejune2025.csv line 1: sources\[0\] \(ons_p1\) declares kind 'ons_p1'.*"
                                        r"Fix: set kind: ons_c2"):
        MS.load(specs, "essex")


def test_malformed_row_names_the_line(tmp_path):
    f = tmp_path / "force.csv"
    f.write_text("month,force,crime_type,count\n2025-01,essex,Robbery,12\n2025-02,essex,Robbery,lots\n")
    with pytest.raises(DataError, match=r"force.csv line 3, column 'count'.*declared kind 'policeuk_force_monthly'"):
        MS.load([{"kind": "policeuk_force_monthly", "path": str(f)}], "essex")


def test_two_sources_of_one_kind_for_the_same_months_is_an_error(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("month,force,crime_type,count\n2025-01,essex,Robbery,12\n2025-02,essex,Robbery,13\n")
    b.write_text("month,force,crime_type,count\n2025-02,essex,Robbery,14\n2025-03,essex,Robbery,15\n")
    specs = [{"kind": "policeuk_force_monthly", "path": str(a)}, {"kind": "policeuk_force_monthly", "path": str(b)}]
    with pytest.raises(DataError, match=r"both of kind 'policeuk_force_monthly' and both hold 1 month\(s\) from "
                                        r"2025-02 to 2025-02.*Fix: keep one"):
        MS.load(specs, "essex")
    b.write_text("month,force,crime_type,count\n2025-03,essex,Robbery,15\n")  # later months only: one series
    assert len(MS.load(specs, "essex").months("policeuk_force_monthly-2")) == 1


def test_unknown_kind_is_a_params_error(write_params):
    from workbench.params import load_params

    path = write_params({"run_name": "x", "seed": 1, "notebooks": [
        {"name": "15-where-we-stand", "parameters": {"sources": [{"kind": "excel", "path": "x.csv"}]}}]})
    with pytest.raises(ParamsError, match=r"line \d+: key 'notebooks\[0\].parameters.sources\[0\].kind'"):
        load_params(path)


def test_missing_source_file_names_the_key(write_params):
    from workbench.params import load_params

    path = write_params({"run_name": "x", "seed": 1, "notebooks": [
        {"name": "15-where-we-stand", "parameters": {"sources": [{"kind": "ons_p1", "path": "nowhere.csv"}]}}]})
    with pytest.raises(ParamsError, match=r"sources\[0\].path': 'nowhere.csv' does not exist"):
        load_params(path)


# ----------------------------------------------------------------------------- real sources


@pytest.mark.realdata
def test_essex_sources_load_with_the_official_baseline(shared_real):
    s = MS.load(essex_specs(shared_real), "essex", "2014-04")
    assert W.official_baseline(s, 2023) == 154_496
    assert s.latest_month == pd.Timestamp("2025-12-01")
    crime = s.of(MS.CRIME)
    assert set(crime.loc[crime["kind"] == "ons_p1", "months"]) == {12}
    assert "Fraud" not in set(crime["group"])
    # C2's force total is the P1 figure for the same window, so it is not a second observation of it
    assert not ((crime["kind"] == "ons_c2") & (crime["start"] == pd.Timestamp("2024-07-01"))).any()
    assert s.before_start["homeoffice_quarterly"] > 0


@pytest.mark.realdata
@pytest.mark.slow
def test_essex_nowcast_small_settings(shared_real):
    """The real Essex sources through the measurement model at small settings: the answer is on the right scale."""
    p = NowcastParams(sources=essex_specs(shared_real), asb=False, compare_homeoffice_only=False,
                      model={"walk_every_months": 12, "forecast_draws": 200})
    s = MS.load(p.sources, "essex", p.start)
    mf = W.fit_measure(s, MS.CRIME, p, SamplerSection(draws=100, tune=150, chains=2), seed=7)
    f = W.goal_figures(mf, W.Goal(2023, 2027, 0.4), W.official_baseline(s, 2023))
    assert f["latest_month"] == "2025-12"
    assert 120_000 < f["nowcast_latest_12m_median"] < 175_000
    assert f["nowcast_latest_12m_lo"] < f["nowcast_latest_12m_median"] < f["nowcast_latest_12m_hi"]
    assert f["target_path_at_latest"] == round(154_496 * (1 - (1 - 0.6 ** 0.25)) ** 1.75)
    table = W.source_table(s, mf, 7)
    assert table.loc["homeoffice_quarterly", "ratio_median"] == 1.0
    assert 0.7 < table.loc["policeuk_counts", "ratio_median"] < 1.2


def test_warnings_about_a_shared_table_name_only_the_force_read(shared_real):
    def warned(force):
        return " ".join(MS.load([{"kind": "homeoffice_quarterly", "path": str(shared_real / HO)},
                                 {"kind": "ons_p1", "path": str(shared_real / P1)}], force, cache=False).warnings)

    essex = warned("essex")
    assert "London, City of" not in essex and "Greater Manchester" not in essex
    assert "London, City of" in warned("city-of-london")  # its theft rows are added together, and it is told
    assert "Greater Manchester (12 months to 2019-09)" in warned("greater-manchester")
