"""Evidence is data: the priors, VVU costs and forces with VRU funding come from params/reference/, every row with
a source and a verified flag, and a missing or malformed row stops with the file and line."""

from __future__ import annotations

import math

import pytest

from workbench import reference as R
from workbench.errors import DataError
from workbench.params import HotspotParams, VVUParams

TABLES = [R.PRIORS, R.VRU_FORCES, R.VVU_COSTS, R.VVU_ASSUMPTIONS, R.HARM_WEIGHTS]


@pytest.mark.parametrize("path", TABLES, ids=lambda p: p.name)
def test_every_row_has_a_source_and_a_verified_flag(path):
    t = R.read_table(path, ())
    assert len(t) and t["source"].str.strip().ne("").all() and t["verified"].isin([True, False]).all()


def test_the_schemas_take_their_evidence_from_the_tables():
    h, v = HotspotParams(), VVUParams()
    assert h.effect_prior.model_dump() == R.prior("hotspot_effect")
    assert math.isclose(math.exp(h.effect_prior.mean), 0.84, abs_tol=0.001)  # Braga & Weisburd (2022): 16% fewer
    assert h.spillover_prior.verified is False and v.effect_prior.model_dump() == R.prior("vvu_effect")
    assert len(v.exclude.forces) == 21 and {"essex", "cleveland", "humberside"} <= set(v.exclude.forces)
    assert v.exclude.verified is False and "Chris Philp" in v.exclude.source
    assert sum(sum(y.values()) for y in v.costs.spend.values()) == pytest.approx(4_000_000)
    assert set(v.costs.spend) == {"Tier 1", "Tier 2", "Tier 3", "Tier 4"} and v.costs.verified is False
    assert (v.discount_rate.value, v.claimed_ratio.value, v.claimed_ratio.verified) == (0.035, 3.5, False)


def test_a_notebook_value_still_overrides_the_table():
    p = VVUParams(exclude={"forces": ["kent"], "source": "my own list", "verified": True})
    assert p.exclude.forces == ["kent"] and p.effect_prior.sd == R.prior("vvu_effect")["sd"]


def _write(tmp_path, text):
    path = tmp_path / "t.csv"
    path.write_text(text)
    return path


def test_a_missing_row_names_the_file_and_the_rows_there(tmp_path):
    path = _write(tmp_path, "name,mean,sd,source,verified\nother,0,0.1,a paper,true\n")
    with pytest.raises(DataError, match=r"t.csv: no row with name 'hotspot_effect' \(rows: other\)"):
        R.prior("hotspot_effect", path)


@pytest.mark.parametrize("row, message", [
    ("hotspot_effect,-0.2,,a paper,true", r"line 2, column sd: empty"),
    ("hotspot_effect,minus,0.1,a paper,true", r"line 2, column mean: 'minus' is not a number"),
    ("hotspot_effect,-0.2,-1,a paper,true", r"line 2, column sd: -1.0 must be positive"),
    ("hotspot_effect,-0.2,0.1,,true", r"line 2: no source"),
    ("hotspot_effect,-0.2,0.1,a paper,maybe", r"line 2, column verified: 'maybe' is not true or false"),
])
def test_a_malformed_prior_row_names_its_line(tmp_path, row, message):
    path = _write(tmp_path, f"name,mean,sd,source,verified\n{row}\n")
    with pytest.raises(DataError, match=message):
        R.prior("hotspot_effect", path)


def test_a_table_without_the_verified_column_is_refused(tmp_path):
    path = _write(tmp_path, "force,source\nkent,a list\n")
    with pytest.raises(DataError, match="line 1: missing column"):
        R.vru_forces(path)


def test_a_force_listed_twice_is_refused(tmp_path):
    path = _write(tmp_path, "force,source,verified\nkent,a,false\nkent,a,false\n")
    with pytest.raises(DataError, match="line 3: 'kent' is listed twice"):
        R.vru_forces(path)


def test_costs_need_a_whole_financial_year_and_one_row_per_tier_and_year(tmp_path):
    head = "tier,financial_year,gbp,source,verified\n"
    with pytest.raises(DataError, match="line 2, column financial_year: '2021.5' is not a year"):
        R.vvu_costs(_write(tmp_path, head + "Tier 1,2021.5,10,a,false\n"))
    with pytest.raises(DataError, match="line 3: Tier 1 2021 is listed twice"):
        R.vvu_costs(_write(tmp_path, head + "Tier 1,2021,10,a,false\nTier 1,2021,20,a,false\n"))
