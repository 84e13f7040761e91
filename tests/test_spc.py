"""XmR charts and signal rules against hand-worked examples."""

import numpy as np
import pandas as pd
import pytest

from workbench.evaluations import spc


def series(values, start="2022-04"):
    return pd.Series(values, index=pd.date_range(f"{start}-01", periods=len(values), freq="MS"), dtype=float)


def test_limits_by_hand_and_no_signal():
    # mean 91/8 = 11.375; moving ranges 2,1,2,1,2,1,1 -> mR-bar 10/7; limits 11.375 -/+ 2.66 * 10/7
    c = spc.xmr(series([10, 12, 11, 13, 12, 10, 11, 12]))
    assert c["mean"].iloc[0] == pytest.approx(11.375)
    assert c["ucl"].iloc[0] == pytest.approx(11.375 + 2.66 * 10 / 7)
    assert c["lcl"].iloc[0] == pytest.approx(11.375 - 2.66 * 10 / 7)
    assert np.isnan(c["moving_range"].iloc[0]) and c["moving_range"].iloc[1] == 2
    assert (c["signal"] == 0).all()
    r = spc.read(c, "down", None)
    assert (r.variation, r.assurance, r.status) == (spc.NO_CHANGE, spc.NO_TARGET, spc.NO_CHANGE)
    assert r.provisional  # 8 points < 15


def test_point_beyond_the_upper_limit():
    # mean 103/8 = 12.875, mR-bar 26/7 = 3.714, UCL 22.755: the 30 is beyond it
    c = spc.xmr(series([10, 11, 10, 11, 10, 11, 10, 30]))
    assert c["ucl"].iloc[0] == pytest.approx(12.875 + 2.66 * 26 / 7)
    assert c["beyond"].tolist() == [0] * 7 + [1]
    r = spc.read(c, "down", None)
    assert r.variation == spc.DETERIORATING and r.rules_latest == ("beyond",)
    assert spc.read(c, "up", None).variation == spc.IMPROVING
    assert spc.read(c, None, None).variation == spc.SPECIAL


def test_run_of_seven_on_each_side():
    # mean 34/14 = 2.43: the first seven points are below it, the last seven above; no limit, trend or 2-of-3 signal
    c = spc.xmr(series([1, 2, 1, 2, 1, 2, 1, 3, 4, 3, 4, 3, 4, 3]))
    assert c["run"].tolist() == [-1] * 7 + [1] * 7
    assert (c[["beyond", "trend", "two_of_three"]] == 0).all().all()
    # six points on one side are not a run
    c6 = spc.xmr(series([1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]))
    assert (c6["run"] == 0).all()
    assert spc.read(c, "down", None).status == spc.DETERIORATING


def test_trend_of_six_or_more():
    # 1, 2, 2.2, 2.4, 2.6, 2.8, 3.0 is seven points each higher than the one before
    c = spc.xmr(series([3, 1, 3, 1, 3, 1, 2, 2.2, 2.4, 2.6, 2.8, 3.0]))
    assert c["trend"].tolist() == [0] * 5 + [1] * 7
    assert (c[["beyond", "run", "two_of_three"]] == 0).all().all()
    r = spc.read(c, "up", None)
    assert r.variation == spc.IMPROVING and r.rules_latest == ("trend",)
    # five rising points are not a trend; a tie breaks one
    assert (spc.xmr(series([3, 1, 3, 1, 3, 1, 2, 2.2, 2.4, 2.6]))["trend"] == 0).all()
    assert (spc.xmr(series([3, 1, 3, 1, 3, 1, 2, 2.2, 2.2, 2.4, 2.6, 2.8]))["trend"] == 0).all()


def test_two_of_three_beyond_two_sigma():
    # mean 207/19 = 10.895, mR-bar 24/18, sigma 1.182: mean + 2 sigma = 13.26 < 14 < UCL 14.44
    c = spc.xmr(series([10, 11] * 8 + [14, 11, 14]))
    assert c["ucl"].iloc[0] == pytest.approx(207 / 19 + 2.66 * 24 / 18)
    assert c["two_of_three"].tolist() == [0] * 16 + [1, 0, 1]
    assert (c[["beyond", "run", "trend"]] == 0).all().all()
    r = spc.read(c, "down", None)
    assert r.variation == spc.DETERIORATING and r.rules_latest == ("two_of_three",) and not r.provisional


def test_limits_recalculated_at_a_break():
    values = series([10, 11, 10, 11, 10, 11, 20, 21, 20, 21, 20, 21])
    whole = spc.xmr(values)
    split = spc.xmr(values, breaks=["2022-10"])
    assert split["phase"].tolist() == [0] * 6 + [1] * 6
    assert split["mean"].iloc[0] == pytest.approx(10.5) and split["mean"].iloc[-1] == pytest.approx(20.5)
    # after the break the limits come from the new phase only (mR-bar 1: the 11 -> 20 jump spans the break)
    assert split["ucl"].iloc[-1] == pytest.approx(20.5 + 2.66)
    assert np.isnan(split["moving_range"].iloc[6])
    assert (split["signal"] == 0).all()
    assert (whole["signal"] != 0).any()


def test_a_phase_needs_two_values():
    with pytest.raises(ValueError, match="phase starting 2023-03 has 1 value"):
        spc.xmr(series([10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 12]), breaks=["2023-03"])


def test_gaps_are_kept_and_skipped_not_filled():
    c = spc.xmr(series([10, 12, np.nan, 11, 13]))
    assert np.isnan(c["value"].iloc[2]) and np.isnan(c["moving_range"].iloc[2])
    # moving ranges 2 (10->12), 1 (12->11 across the gap), 2 (11->13)
    assert c["moving_range"].iloc[3] == 1
    assert c["mean"].iloc[0] == pytest.approx(11.5)


def test_assurance_against_target():
    c = spc.xmr(series([10, 12, 11, 13, 12, 10, 11, 12]))  # limits 7.58 to 15.18
    assert spc.assurance(c, 20, "down") == spc.MEETS
    assert spc.assurance(c, 5, "down") == spc.FAILS
    assert spc.assurance(c, 11, "down") == spc.HIT_AND_MISS
    assert spc.assurance(c, 20, "up") == spc.FAILS
    assert spc.assurance(c, 5, "up") == spc.MEETS
    assert spc.read(c, "down", 5).status == spc.AGAINST_TARGET
    assert spc.read(c, "down", 11).status == spc.NO_CHANGE
    assert spc.assurance(c, None, "down") == spc.NO_TARGET


def test_unordered_index_is_refused():
    with pytest.raises(ValueError, match="in order"):
        spc.xmr(series([1, 2, 3]).iloc[::-1])
