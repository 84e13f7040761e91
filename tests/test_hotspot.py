"""Hotspot evaluation: roles, matching, checks, inputs and their errors, and recovery of known effects."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from conftest import REPO
from workbench.data import demo, policeuk
from workbench.data.geography import distance_m, read_centroids
from workbench.errors import DataError
from workbench.evaluations import hotspot as HS
from workbench.models import cits
from workbench.models.sampling import Sampler
from workbench.params import HotspotParams, HotspotPoint, load_params
from workbench.reference import harm_weights

START = pd.Timestamp("2024-01-01")
MONTHS = pd.date_range("2022-01-01", "2024-12-01", freq="MS")


def grid_outcome(levels: np.ndarray, spacing_m: float = 500.0) -> tuple[HS.Outcome, pd.DataFrame]:
    """A 5 x 5 grid of LSOAs (row-major, L00..L24) with constant monthly counts ``levels`` and their centroids."""
    n = len(levels)
    codes = np.array([f"L{i:02d}" for i in range(n)])
    cube = np.repeat(levels[None, :, None], len(MONTHS), axis=2).astype(float)
    out = HS.Outcome(codes, np.array([f"Town {i:03d}A" for i in range(n)]), MONTHS, ["ASB"], cube)
    row, col = np.divmod(np.arange(n), 5)
    lat = 51.5 + row * spacing_m / 111_320.0
    lon = 0.5 + col * spacing_m / (111_320.0 * np.cos(np.radians(51.5)))
    return out, pd.DataFrame({"area_code": codes, "lat": lat, "lon": lon})


def test_distance_is_metres():
    # One degree of latitude is about 111.2 km.
    assert distance_m(51.0, 0.0, 52.0, 0.0) == pytest.approx(111_195, rel=1e-3)


def test_ring_buffer_and_matched_controls_by_hand():
    levels = np.full(25, 10.0)
    # Pool LSOAs (two steps or more from the centre) with levels near and far from the hotspot's 40.
    levels[12] = 40.0  # the hotspot, at the centre (row 2, col 2)
    levels[0], levels[4], levels[20], levels[24] = 38.0, 41.0, 5.0, 3.0
    out, cent = grid_outcome(levels)
    cols = HS.window(out, START, None, 24, None)
    roles = HS.assign_roles(out, np.array([12]), cent, cols, START, ring_m=600, buffer_m=800, n_controls=2)
    # Ring: the four neighbours 500 m away; buffer: the four diagonals (707 m); controls: two nearest in level.
    assert sorted(out.codes[roles.ring]) == ["L07", "L11", "L13", "L17"]
    assert sorted(out.codes[roles.buffer]) == ["L06", "L08", "L16", "L18"]
    assert sorted(out.codes[roles.controls]) == ["L00", "L04"]
    assert roles.distance[12] == 0 and roles.distance[7] == pytest.approx(500, rel=3e-3)


def test_too_few_controls_is_a_clear_error():
    out, cent = grid_outcome(np.full(25, 10.0))
    cols = HS.window(out, START, None, 24, None)
    with pytest.raises(DataError, match="buffer_m = 5000 m.*too few controls"):
        HS.assign_roles(out, np.array([12]), cent, cols, START, ring_m=600, buffer_m=5000, n_controls=10)


def test_hotspots_by_code_name_and_point():
    out, cent = grid_outcome(np.full(25, 10.0))
    assert list(HS.resolve_hotspots(["L03", "Town 004A", "L03"], out, cent)) == [3, 4]
    # A 300 m circle round the centroid of L12 holds only L12; 600 m adds its four neighbours.
    lat, lon = cent.loc[12, ["lat", "lon"]]
    assert list(HS.resolve_hotspots([HotspotPoint(lat=lat, lon=lon, radius_m=300)], out, cent)) == [12]
    assert len(HS.resolve_hotspots([HotspotPoint(lat=lat, lon=lon, radius_m=600)], out, cent)) == 5
    with pytest.raises(DataError, match=r"hotspots\[1\]: 'Town 999Z' is not an LSOA code or name"):
        HS.resolve_hotspots(["L03", "Town 999Z"], out, cent)
    with pytest.raises(DataError, match=r"hotspots\[0\]: no LSOA centroid within 50 m"):
        HS.resolve_hotspots([HotspotPoint(lat=10.0, lon=10.0, radius_m=50)], out, cent)


def test_dosage_is_relative_and_checked():
    out, _ = grid_outcome(np.full(25, 10.0))
    hot = np.array([3, 4])
    assert list(HS.dosage({"L03": 1.0, "Town 004A": 3.0}, out, hot)) == [0.5, 1.5]
    with pytest.raises(DataError, match="no dose for hotspot"):
        HS.dosage({"L03": 1.0}, out, hot)
    with pytest.raises(DataError, match="'L09' is not one of the hotspots"):
        HS.dosage({"L03": 1.0, "L04": 1.0, "L09": 2.0}, out, hot)


def test_window_needs_months_on_both_sides():
    out, _ = grid_outcome(np.full(25, 10.0))
    with pytest.raises(DataError, match="only 2 month"):
        HS.window(out, pd.Timestamp("2022-03-01"), None, 24, None)
    with pytest.raises(DataError, match=r"only 0 month\(s\) of data from the start"):
        HS.window(out, pd.Timestamp("2025-06-01"), None, 24, None)
    cols = HS.window(out, START, None, 6, 4)
    assert list(out.months[cols].strftime("%Y-%m")) == [f"2023-{m:02d}" for m in range(7, 13)] + [f"2024-0{m}" for m in range(1, 5)]


def test_did_statistic_and_placebo_p_by_hand():
    y = np.array([[10, 10, 5, 5], [10, 10, 10, 10], [20, 20, 20, 20]], float)
    post = np.array([False, False, True, True])
    # Treated halves (log 0.5), controls flat: DiD = log(0.5) up to the 0.5 continuity terms.
    stat = HS.did_statistic(y, post, np.array([0]), np.array([1, 2]))
    assert stat == pytest.approx(np.log(10.5 / 20.5) - np.log(60.5 / 60.5), abs=1e-12)
    # 40 flat controls and one hotspot that halves: no placebo set is as extreme, so p = 1 / (n + 1).
    flat = np.full((40, 24), 10.0)
    hot = np.r_[np.full(12, 10.0), np.full(12, 5.0)][None, :]
    d = cits.Design(np.vstack([hot, flat]), np.arange(24) / 12, np.arange(24) >= 12, np.r_[True, np.zeros(40, bool)],
                    np.zeros(41, bool), np.ones(41))
    actual, stats, p = HS.placebo_in_space(d, 99, seed=1)
    assert actual < -0.6 and p == pytest.approx(1 / 100) and len(stats) == 99


def test_candidates_and_concentration_curve():
    levels = np.arange(1.0, 26.0)
    out, _ = grid_outcome(levels)
    top, curve = HS.candidates(out, MONTHS[-12:], 3)
    assert list(top["area_code"]) == ["L24", "L23", "L22"]
    total = levels.sum()
    assert top["share"].tolist() == pytest.approx([25 / total, 24 / total, 23 / total])
    assert curve["share of total"].iloc[-1] == pytest.approx(1.0) and len(curve) == 25


def test_hotspot_params_are_checked():
    with pytest.raises(ValueError, match="buffer_m .* must be at least ring_m"):
        HotspotParams(ring_m=900, buffer_m=500)
    with pytest.raises(ValueError, match="placebo_offsets: 20 must be 3 to pre_months - 6"):
        HotspotParams(placebo_offsets=[20])
    with pytest.raises(ValueError, match="end .* is before start"):
        HotspotParams(start="2024-05", end="2024-01")
    p = HotspotParams()
    assert p.effect_prior.mean == pytest.approx(np.log(0.84), abs=0.002) and "Braga" in p.effect_prior.source


def test_harm_weights_fail_loudly_where_unknown(tmp_path):
    w = harm_weights("cchi")
    assert w.weight("Robbery") == 365 and not w.has("Anti-social behaviour")
    with pytest.raises(DataError, match="harm weight of 'Anti-social behaviour' is empty"):
        w.weight("Anti-social behaviour")
    with pytest.raises(DataError, match="no 'cchi' harm weight row for category 'Cycling'"):
        w.weight("Cycling")
    bad = tmp_path / "w.csv"
    bad.write_text("scheme,category,weight,unit,source,verified\ncchi,Robbery,365,days,,true\n")
    with pytest.raises(DataError, match="line 2: no source"):
        harm_weights("cchi", bad)
    bad.write_text("scheme,category,weight,unit,source\ncchi,Robbery,365,days,x\n")
    with pytest.raises(DataError, match="missing column\\(s\\) verified"):
        harm_weights("cchi", bad)


def test_centroid_csv_errors_name_line_and_column(tmp_path):
    f = tmp_path / "c.csv"
    f.write_text("area_code,lat,lon\nE01000001,51.5,0.1\nE01000002,151.5,0.1\n")
    with pytest.raises(DataError, match="line 3, column lat: '151.5' is not a lat"):
        read_centroids(f)
    f.write_text("area_code,latitude,lon\nE01000001,51.5,0.1\n")
    with pytest.raises(DataError, match="missing column\\(s\\) lat"):
        read_centroids(f)
    f.write_text("area_code,lat,lon\nE01000001,51.5,0.1\nE01000001,51.6,0.1\n")
    with pytest.raises(DataError, match="line 3: area_code E01000001 appears twice"):
        read_centroids(f)


def test_counts_csv_errors_name_line_and_column(tmp_path):
    f = tmp_path / "counts.csv"
    f.write_text("month,force,lsoa_code,lsoa_name,crime_type,count\n2025-01,essex,E1,A 001A,Robbery,2\n"
                 "2025-13,essex,E1,A 001A,Robbery,2\n")
    with pytest.raises(DataError, match="line 3.*month"):
        policeuk.read_counts_csv(f)
    f.write_text("month,force,lsoa_code,lsoa_name,crime_type,count\n2025-01,essex,E1,A 001A,Mugging,2\n")
    with pytest.raises(DataError, match="line 2.*crime_type"):
        policeuk.read_counts_csv(f)
    # Rows of other forces are skipped, and the error still names the file's own line.
    f.write_text("month,force,lsoa_code,lsoa_name,crime_type,count\n2025-01,kent,E1,A 001A,Robbery,2\n"
                 "2025-01,essex,E2,B 001A,Robbery,-1\n")
    with pytest.raises(DataError, match="line 3, column 'count'"):
        policeuk.read_counts_csv(f, ["essex"])


def test_demo_centroids_put_each_hotspot_at_its_town_centre():
    c = demo.lsoa_centroids(1.0).set_index("area_name")
    assert c.loc["Basildon 001A", "lat"] == pytest.approx(demo.AREA_CENTRES["Basildon"][0])
    d = distance_m(c.loc["Basildon 001A", "lat"], c.loc["Basildon 001A", "lon"],
                   c.loc["Basildon 001B", "lat"], c.loc["Basildon 001B", "lon"])
    assert d == pytest.approx(demo.LSOA_SPACING_M, rel=3e-3)  # metres per degree differ slightly from the sphere


def test_recovery_on_simulated_panels():
    """A small calibration run: known effects (none, -16%, -30%, a rise, displacement, diffusion)."""
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    import bench_hotspot_recovery as bench_hotspot

    res = bench_hotspot.recovery(12, "evidence", 200, n_hot=10, n_ring=20, n_ctrl=60, say=lambda s: None)
    assert res["coverage"] >= 9 / 12, res["by_case"]
    assert res["spill_coverage"] >= 9 / 12, res["by_case"]
    assert abs(res["mean_error"]) < 0.05 and res["mean_abs_error"] < 0.1, res


def test_real_lsoa_counts_and_centroids(shared_real):
    panel = policeuk.read_counts_csv(shared_real / "policeuk_monthly_counts.csv", ["essex"])
    street = policeuk.read_street(shared_real / "raw_samples")
    # The aggregated file and the verbatim street files agree on a month both hold.
    for p_ in (panel, street):
        assert int(p_.loc[p_["period"] == "2025-12-01", "count"].sum()) == 12606
    cents = read_centroids(shared_real / "raw_samples")
    out = HS.outcome(panel[panel["period"] >= "2024-01-01"], ["Anti-social behaviour", "Violence and sexual offences"])
    # A 2021 LSOA is named by its latest name (its 2011 name differs: Chelmsford 010F).
    assert out.names[list(out.codes).index("E01033140")] == "Chelmsford 022D"
    placed = np.isin(out.codes, cents["area_code"]).mean()
    assert placed > 0.95  # nearly every Essex LSOA has a crime in the three street files
    essex = cents[cents["area_code"].isin(out.codes)]
    assert essex["lat"].between(51.4, 52.1).all() and essex["lon"].between(-0.05, 1.35).all()


def test_real_params_file_validates_and_resolves_centroids(shared_real):
    run = load_params(REPO / "params" / "essex-hotspots.yaml")
    entry = run.notebooks[0]
    assert entry.parameters["centroids"].endswith("raw_samples")
    assert HotspotParams.model_validate(entry.parameters).start == "2025-07"


def test_real_data_need_named_hotspots_and_centroids(shared_real):
    run = load_params(REPO / "params" / "essex-hotspots.yaml")
    p = HotspotParams.model_validate({**run.notebooks[0].parameters, "hotspots": None})
    with pytest.raises(DataError, match="hotspots: none named"):
        HS.inputs(p, run)
    p = HotspotParams.model_validate({**run.notebooks[0].parameters, "centroids": None})
    with pytest.raises(DataError, match="centroids: none given"):
        HS.inputs(p, run)
    hot, cents = HS.inputs(HotspotParams.model_validate(run.notebooks[0].parameters), run)
    assert len(hot) == 10 and {"area_code", "lat", "lon"} <= set(cents.columns)


def test_a_missing_centroids_path_names_the_params_line(write_params, ci_params):
    from workbench.errors import ParamsError

    ci_params["notebooks"] = [{"name": "20-hotspot-policing", "parameters": {"centroids": "nowhere.csv"}}]
    with pytest.raises(ParamsError, match=r"line \d+: key 'notebooks\[20-hotspot-policing\].centroids': 'nowhere.csv' does not exist"):
        load_params(write_params(ci_params))


def test_low_rank_mass_matrix_from_params_samples():
    rng = np.random.default_rng(3)
    design, _ = cits.simulate(rng, -0.2, 0.0, n_hot=4, n_ring=4, n_ctrl=10, pre=12, post=6)
    sampler = Sampler(draws=50, tune=50, chains=1, cores=1, adaptation="low_rank", backend="jax")
    fit = cits.fit(design, cits.Prior(0.0, 0.5), cits.Prior(0.0, 0.5), sampler, 1)
    assert fit.draws("effect").shape == (50,)


def test_prior_sensitivity_verdict():
    red, null, up = ({"effect_pct_lo": lo, "effect_pct_hi": hi} for lo, hi in ((-20, -5), (-10, 3), (2, 9)))
    assert "either prior the 90% interval shows a reduction" in HS._prior_verdict(red, red)
    assert "either prior the 90% interval shows no clear effect" in HS._prior_verdict(null, null)
    assert "depends on the prior" in HS._prior_verdict(red, null)
    assert "sceptical prior an increase" in HS._prior_verdict(null, up)
