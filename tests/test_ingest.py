"""Real data in: data.police.uk street files, Home Office / ONS tables; the bad-input corpus; the cache."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pandas as pd
import pytest

from conftest import BAD
from workbench.cli import main
from workbench.data import load_panel, policeuk
from workbench.data.categories import COMMON_GROUPS, HO_TO_COMMON, POLICEUK_TO_COMMON, to_common
from workbench.errors import DataError
from workbench.params import load_params

# ----------------------------------------------------------------------------- the bad-input corpus

STREET = "2025-01-essex-street.csv"
BAD_CASES = [
    ("empty", "policeuk", f"{STREET}: the file is empty"),
    ("header_only", "policeuk", f"{STREET}: header only, no rows"),
    ("missing_column", "policeuk", f"{STREET} line 1: missing column(s) 'Crime type'"),
    ("renamed_columns", "policeuk", f"{STREET} line 1: the header is renamed"),
    ("unparseable_month", "policeuk", f"{STREET} line 4, column 'Month': expected a month as YYYY-MM, got 'Jan-2025'"),
    ("month_mismatch", "policeuk", f"{STREET} line 5, column 'Month': expected 2025-01, the month in the file name, got '2025-02'"),
    ("not_utf8", "policeuk", f"{STREET} line 2: not UTF-8 text"),
    ("two_forces", "policeuk", f"{STREET} line 6, column 'Falls within': expected 'Essex Police'"),
    ("unknown_crime_type", "policeuk", f"{STREET} line 3, column 'Crime type': expected one of the 14 data.police.uk crime types, got 'Antisocial'"),
    ("zip_with_junk", "policeuk", "download.zip!2025-01/notes from the analyst.docx: not a data.police.uk file in the zip"),
    ("not_a_zip", "policeuk", "download.zip: not a readable zip archive"),
    ("negative_count", "tidy_csv", "counts.csv line 3, column 'count': expected a whole number >= 0, got '-2'"),
    ("non_numeric_count", "tidy_csv", "counts.csv line 3, column 'count': expected a whole number >= 0, got '12a'"),
    ("ho_bad_count", "homeoffice_quarterly", "ho.csv line 3, column 'count': expected a whole number >= 0, got '..'"),
    ("huge_count", "tidy_csv", "counts.csv line 2, column 'count': '99999999999999999999999' is too large for a count"),
    ("counts_huge_count", "policeuk_counts",
     "counts.csv line 3, column 'count': '99999999999999999999999' is too large for a count"),
    ("ho_huge_count", "homeoffice_quarterly", "ho.csv line 3, column 'count': '99999999999999999999999' is too large for a count"),
    ("ons_huge_count", "ons_table", "p1.csv line 3, column 'count': '99999999999999999999999' is too large for a count"),
    ("ho_wrong_quarter", "homeoffice_quarterly", "ho.csv line 3, column 'quarter_start_month': expected the first month of financial_year's quarter"),
]


def _target(case: str):
    folder = BAD / case
    files = [p for p in folder.iterdir()]
    return files[0] if len(files) == 1 and files[0].is_file() else folder


def _digest(folder):
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case, source, message", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_input_gets_a_specific_error_and_nothing_is_written(case, source, message, params_for, tmp_path, capsys):
    before = _digest(BAD / case)
    params = params_for(source, _target(case), cache=False)
    out = tmp_path / "outputs"
    code = main(["run", str(params), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err, err
    assert "Fix" in err and "Traceback" not in err
    assert not out.exists() or not any(out.rglob("*")), "nothing may be written on bad input"
    assert _digest(BAD / case) == before, "input files must not change"


def test_every_corpus_case_is_tested():
    tested = {c[0] for c in BAD_CASES} | {"duplicate_identical", "duplicate_different"}
    assert {p.name for p in BAD.iterdir() if p.is_dir()} == tested


def test_identical_duplicate_month_is_read_once_with_a_note(params_for):
    panel = load_panel(load_params(params_for("policeuk", BAD / "duplicate_identical", cache=False)))
    assert panel["count"].sum() == 6
    assert any("hold the same counts; read once" in n for n in panel.attrs["notes"])
    assert not panel.attrs["warnings"]


def test_different_duplicate_month_later_publication_wins_with_a_warning(params_for):
    panel = load_panel(load_params(params_for("policeuk", BAD / "duplicate_different", cache=False)))
    jan = panel[panel["period"] == pd.Timestamp("2025-01-01")]
    assert jan["count"].sum() == 7, "the download reaching 2025-02 is the later publication"
    (warning,) = panel.attrs["warnings"]
    assert "essex 2025-01 appears in two files with different counts" in warning
    assert "download-2025-02" in warning.split("(later publication, used)")[0]
    assert "download-2025-01" in warning.split("(later publication, used)")[1]


# ----------------------------------------------------------------------------- street files


HEADER = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context"


def _street(month: str, rows: list[tuple[str, str, str]], force: str = "Essex Police", eol: str = "\n") -> str:
    lines = [HEADER] + [f"x{i},{month},{force},{force},0,51,On or near A,{code},{name},{ctype},," for i, (code, name, ctype) in enumerate(rows)]
    return eol.join(lines) + eol


def test_counts_rows_keeps_unlocated_at_force_level_and_reads_crlf(tmp_path):
    rows = [("E01000001", "Harlow 001A", "Burglary")] * 3 + [("", "", "Burglary"), ("E01000002", "Harlow 002A", "Drugs")]
    (tmp_path / "2025-03").mkdir()
    (tmp_path / "2025-03" / "2025-03-essex-street.csv").write_text(_street("2025-03", rows, eol="\r\n"), newline="")
    p = policeuk.read_street(tmp_path)
    got = {(r.area_level, r.area_name, r.category): r.count for r in p.itertuples()}
    assert got == {("lsoa", "Harlow 001A", "Burglary"): 3, ("force", policeuk.NO_LOCATION, "Burglary"): 1,
                   ("lsoa", "Harlow 002A", "Drugs"): 1}
    assert set(p["source"]) == {"policeuk"} and set(p["force"]) == {"essex"}


def test_several_forces_and_months_from_a_zip_read_in_place(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for month in ("2025-01", "2025-02"):
            zf.writestr(f"{month}/{month}-essex-street.csv", _street(month, [("E01000001", "Harlow 001A", "Robbery")]))
            zf.writestr(f"{month}/{month}-kent-street.csv",
                        _street(month, [("E02000001", "Dover 001A", "Robbery")] * 2, force="Kent Police"))
    zpath = tmp_path / "download.zip"
    zpath.write_bytes(buf.getvalue())
    p = policeuk.read_street(zpath)
    assert p.groupby("force", observed=True)["count"].sum().to_dict() == {"essex": 2, "kent": 4}
    assert list(tmp_path.iterdir()) == [zpath], "the zip is read in place, nothing extracted"
    only_kent = policeuk.read_street(zpath, forces=["kent"])
    assert set(only_kent["force"]) == {"kent"}


def test_outcomes_files_are_read_when_present(tmp_path):
    (tmp_path / "2025-01").mkdir()
    (tmp_path / "2025-01" / "2025-01-essex-street.csv").write_text(_street("2025-01", [("E01000001", "Harlow 001A", "Robbery")]))
    (tmp_path / "2025-01" / "2025-01-essex-outcomes.csv").write_text(
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type\n"
        "x1,2025-01,Essex Police,Essex Police,0,51,On or near A,E01000001,Harlow 001A,Offender given a caution\n"
        "x2,2025-01,Essex Police,Essex Police,0,51,On or near A,E01000001,Harlow 001A,Offender given a caution\n"
    )
    out = policeuk.read_outcomes(tmp_path)
    assert out["category"].tolist() == ["Offender given a caution"] and out["count"].tolist() == [2]
    assert set(out["source"]) == {"policeuk-outcomes"}
    assert policeuk.read_outcomes(BAD / "duplicate_identical") is None


def test_a_folder_without_street_files_is_an_error(tmp_path):
    (tmp_path / "readme.txt").write_text("hello")
    with pytest.raises(DataError, match=r"no data.police.uk street files.*Fix: download them"):
        policeuk.read_street(tmp_path)


def test_other_files_in_a_folder_are_named_in_a_note(tmp_path, params_for):
    (tmp_path / "2025-01").mkdir()
    (tmp_path / "2025-01" / "2025-01-essex-street.csv").write_text(_street("2025-01", [("E01000001", "Harlow 001A", "Robbery")]))
    (tmp_path / "notes.txt").write_text("x")
    panel = load_panel(load_params(params_for("policeuk", tmp_path, cache=False)))
    assert any("not data.police.uk files and were not read: notes.txt" in n for n in panel.attrs["notes"])


def test_unknown_force_is_an_error(params_for):
    with pytest.raises(DataError, match=r"no data.police.uk street files for force\(s\) kent"):
        load_panel(load_params(params_for("policeuk", BAD / "duplicate_identical", forces=["kent"], cache=False)))


# ----------------------------------------------------------------------------- the cache


def test_parsed_panels_are_cached_by_input_hash(tmp_path, params_for):
    folder = tmp_path / "dl"
    (folder / "2025-01").mkdir(parents=True)
    f = folder / "2025-01" / "2025-01-essex-street.csv"
    f.write_text(_street("2025-01", [("E01000001", "Harlow 001A", "Robbery")]))
    params = load_params(params_for("policeuk", folder))
    first, second = load_panel(params), load_panel(params)
    assert (first.attrs["cached"], second.attrs["cached"]) == (False, True)
    pd.testing.assert_frame_equal(first, second)
    f.write_text(_street("2025-01", [("E01000001", "Harlow 001A", "Robbery")] * 2))
    third = load_panel(params)
    assert not third.attrs["cached"] and third["count"].sum() == 2, "a changed file is parsed again"


def test_cache_keeps_warnings(params_for):
    params = load_params(params_for("policeuk", BAD / "duplicate_different"))
    load_panel(params)
    again = load_panel(params)
    assert again.attrs["cached"] and len(again.attrs["warnings"]) == 1


# ----------------------------------------------------------------------------- categories


def test_category_mapping_covers_both_vocabularies():
    assert len(POLICEUK_TO_COMMON) == 14 and set(POLICEUK_TO_COMMON) == set(policeuk.CATEGORIES)
    assert set(POLICEUK_TO_COMMON.values()) | set(HO_TO_COMMON.values()) == set(COMMON_GROUPS)
    from workbench.data.homeoffice import ONS_DETAILED

    assert set(ONS_DETAILED) <= set(HO_TO_COMMON)


def test_to_common_sums_and_refuses_unknown():
    df = pd.DataFrame({"period": pd.to_datetime(["2025-01-01"] * 3), "area_name": ["A"] * 3,
                       "category": ["Burglary", "Shoplifting", "Drugs"], "count": [1, 2, 3]})
    out = to_common(df)
    assert out.set_index("category")["count"].to_dict() == {"Theft (incl. burglary, vehicle)": 3, "Drugs": 3}
    with pytest.raises(KeyError, match="Cycling"):
        to_common(df.assign(category=["Cycling", "Drugs", "Drugs"]))
