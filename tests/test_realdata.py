"""Loaders against the real public data in ../shared/data/real (skipped cleanly when it is absent)."""

from __future__ import annotations

import json
import zipfile

import pandas as pd
import pytest

from conftest import REPO
from workbench.data import homeoffice, policeuk
from workbench.data.categories import to_common

pytestmark = pytest.mark.realdata
HO = "ons_homeoffice/ho_prc_pfa_quarterly_offence_group_fy2002_03_to_2023_24_DERIVED_dm2hill.csv"


def _as_reference(panel: pd.DataFrame) -> pd.DataFrame:
    """The panel in the columns of policeuk_monthly_counts.csv."""
    out = pd.DataFrame({
        "month": panel["period"].dt.strftime("%Y-%m"),
        "force": panel["force"].astype(str),
        "lsoa_code": panel["area_code"].astype(str),
        "lsoa_name": panel["area_name"].astype(str).where(panel["area_level"] != "force", ""),
        "crime_type": panel["category"].astype(str),
        "count": panel["count"].astype("int64"),
    })
    return out.sort_values(["month", "lsoa_code", "lsoa_name", "crime_type"]).reset_index(drop=True)


def test_raw_street_files_reproduce_the_published_lsoa_counts_exactly(shared_real):
    panel = policeuk.read_street(shared_real / "raw_samples")
    ref = pd.read_csv(shared_real / "policeuk_monthly_counts.csv", dtype=str, keep_default_na=False)
    months = sorted(panel["period"].dt.strftime("%Y-%m").unique())
    assert months == ["2018-03", "2025-11", "2025-12"]
    ref = ref[ref["month"].isin(months)].assign(count=lambda d: d["count"].astype("int64"))
    ref = ref.sort_values(["month", "lsoa_code", "lsoa_name", "crime_type"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(_as_reference(panel), ref, check_dtype=False)
    # The 2018-03 file has CRLF line endings; the monthly totals match PROVENANCE.md.
    totals = panel.groupby(panel["period"].dt.strftime("%Y-%m"))["count"].sum().to_dict()
    assert totals == {"2018-03": 16014, "2025-11": 12920, "2025-12": 12606}


def test_the_same_files_in_a_download_zip_give_the_same_panel(shared_real, tmp_path):
    zpath = tmp_path / "download.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted((shared_real / "raw_samples").glob("*-street.csv")):
            zf.write(f, f"{f.name[:7]}/{f.name}")
    pd.testing.assert_frame_equal(policeuk.read_street(zpath), policeuk.read_street(shared_real / "raw_samples"))


def test_home_office_quarterly_essex_financial_years(shared_real):
    warnings: list[str] = []
    panel = homeoffice.read_ho_quarterly(shared_real / HO, warnings)
    essex = panel[panel["force"] == "essex"]
    fy = (essex["period"] - pd.DateOffset(months=3)).dt.year
    by_year = essex.groupby(fy)["count"].sum()
    assert by_year[2019] == 167_126  # FY 2019/20
    assert by_year[2023] == 154_496  # FY 2023/24
    assert panel["force"].nunique() == 43 and panel["period"].nunique() == 88
    assert set(panel["frequency"]) == {"Q"}
    assert len(warnings) == 1 and "City of" in warnings[0], "the duplicated City of London rows are reported"


def test_ons_p1_groups_add_up_to_published_totals(shared_real):
    warnings: list[str] = []
    panel = homeoffice.read_ons_table(shared_real / "ons_homeoffice/ons_pfa_p1_recorded_crime_by_offence_group_rolling12m.csv", warnings)
    essex = panel[panel["force"] == "essex"].groupby("period")["count"].sum()
    assert essex[pd.Timestamp("2017-04-01")] == 134_205  # 12 months to March 2018
    assert essex[pd.Timestamp("2024-07-01")] == 144_025  # 12 months to June 2025
    assert not any("do not add up" in w for w in warnings)
    assert any("Greater Manchester" in w and "left out" in w for w in warnings), "unavailable cells are reported, not zeroed"


def test_ons_c2_csps_sum_to_the_force(shared_real):
    panel = homeoffice.read_ons_table(shared_real / "ons_homeoffice/ons_csp_c2_recorded_crime_by_offence_group_yejune2025.csv")
    essex = panel[panel["force"] == "essex"]
    assert essex["count"].sum() == 144_025
    assert set(essex["area_level"]) == {"csp"} and essex["area_name"].nunique() == 15  # 14 CSPs + unassigned


def test_street_counts_and_recorded_crime_meet_in_common_groups(shared_real):
    street = policeuk.read_street(shared_real / "raw_samples")
    common = to_common(street[street["period"] >= pd.Timestamp("2025-01-01")])
    assert "Theft (incl. burglary, vehicle)" in set(common["category"])
    assert common["count"].sum() == street[street["period"] >= pd.Timestamp("2025-01-01")]["count"].sum()


@pytest.mark.notebooks
def test_overview_runs_on_real_street_files(shared_real, tmp_path):
    from workbench.runner import run

    text = (REPO / "params" / "essex-policeuk.yaml").read_text()
    text = text.replace("path: ../data/policeuk", f"path: {shared_real / 'raw_samples'}")
    assert str(shared_real) in text
    params = tmp_path / "essex-policeuk.yaml"
    params.write_text(text)
    # The overview alone: the goal fit of the same file is timed by benchmarks/bench_run.py.
    result = run(params, out_dir=tmp_path / "out", only="00-data-overview")
    assert result.status == "ok", [(n.name, n.error) for n in result.notebooks]
    doc = json.loads((result.folder / "results" / "00-data-overview.json").read_text())
    assert doc["data_label"] == "data.police.uk street-level data"
    assert (doc["figures"]["first_month"], doc["figures"]["last_month"]) == ("2018-03", "2025-12")
    assert doc["figures"]["months_missing"] == 91 and doc["figures"]["crime_change_pct"] is None
    manifest = json.loads((result.folder / "run.json").read_text())
    assert len(manifest["inputs"]) == 3 and all(len(i["sha256"]) == 64 for i in manifest["inputs"])


@pytest.mark.notebooks
def test_overview_runs_on_the_home_office_series(shared_real, tmp_path):
    from workbench.runner import run

    params = REPO / "params" / "essex-homeoffice.yaml"
    if not (shared_real / HO).exists():
        pytest.skip("Home Office table absent")
    # The overview alone: the goal fit of the same file is timed by benchmarks/bench_run.py.
    result = run(params, out_dir=tmp_path / "out", only="00-data-overview")
    assert result.status == "ok", [(n.name, n.error) for n in result.notebooks]
    doc = json.loads((result.folder / "results" / "00-data-overview.json").read_text())
    assert doc["figures"]["crime_latest_12m"] == 154_496
    assert doc["figures"]["latest_window"] == "Apr 2023–Mar 2024 against Apr 2022–Mar 2023"


def test_lsoa_vintages_are_reported(shared_real):
    from workbench.data.geography import lsoa_vintage_report

    panel = policeuk.read_street(shared_real / "raw_samples")
    report = lsoa_vintage_report(panel, "2021-01")
    assert report["only_before"] > 0 and report["only_after"] > 0 and report["both"] > 1000
