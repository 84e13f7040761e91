"""The canonical panel, its checks, coverage and the tidy-CSV reader."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.data import panel as P
from workbench.data.geography import district_from_lsoa_name, district_of
from workbench.errors import DataError


def _panel(rows):
    df = pd.DataFrame(rows, columns=["period", "area_name", "category", "count"])
    df["frequency"], df["force"], df["area_level"], df["area_code"], df["source"] = "M", "essex", "area", "", "t"
    return P.finalise_panel(df)


def test_finalise_sorts_and_types():
    p = _panel([("2025-02-01", "B", "Drugs", 2), ("2025-01-01", "A", "Drugs", 1)])
    assert list(p.columns) == list(P.PANEL_COLUMNS)
    assert p["period"].iloc[0] == pd.Timestamp("2025-01-01") and p["count"].dtype == "int64"


@pytest.mark.parametrize(
    "rows, message",
    [
        ([("2025-01-01", "A", "Drugs", -1)], "negative count at row 0"),
        ([("2025-01-15", "A", "Drugs", 1)], "first day of each month"),
        ([("2025-01-01", "A", "Drugs", 1), ("2025-01-01", "A", "Drugs", 2)], "the same cell appears twice"),
    ],
)
def test_validate_panel_errors(rows, message):
    with pytest.raises(DataError, match=message):
        _panel(rows)


def test_validate_panel_missing_column():
    with pytest.raises(DataError, match="missing column"):
        P.validate_panel(pd.DataFrame({"period": []}))


def test_coverage_reports_missing_months_without_filling():
    p = _panel([("2025-01-01", "A", "Drugs", 1), ("2025-02-01", "A", "Drugs", 1), ("2025-05-01", "A", "Drugs", 1),
                ("2025-07-01", "A", "Drugs", 1)])
    cov = P.coverage(p)
    row = cov.iloc[0]
    assert (row["periods_expected"], row["periods_present"], row["periods_missing"]) == (7, 4, 3)
    assert row["missing"] == "2025-03…2025-04, 2025-06"
    assert len(p) == 4, "coverage must not add rows"
    assert P.coverage(p, end="2025-09").iloc[0]["missing"] == "2025-03…2025-04, 2025-06, 2025-08…2025-09"


def test_format_periods():
    idx = pd.DatetimeIndex(["2024-11-01", "2024-12-01", "2025-01-01", "2025-03-01"])
    assert P.format_periods(idx) == "2024-11…2025-01, 2025-03"
    assert P.format_periods(pd.DatetimeIndex([])) == ""


def test_district_from_lsoa_names():
    assert district_from_lsoa_name("Southend-on-Sea 012C") == "Southend-on-Sea"
    assert district_from_lsoa_name("Castle Point 001A") == "Castle Point"
    assert district_from_lsoa_name("Basildon") == "Basildon"
    s = pd.Series(["Uttlesford 003B", "Uttlesford 004A", "Thurrock 020E"], dtype="category")
    assert list(district_of(s)) == ["Uttlesford", "Uttlesford", "Thurrock"]


# ----------------------------------------------------------------------------- tidy CSV


def test_read_tidy_csv(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("Period,Area,Category,Count\n2025-01,Basildon,Burglary,3\n2025-02,Basildon,Burglary,4\n")
    p = P.read_tidy_csv(f, "essex")
    assert p["count"].tolist() == [3, 4] and set(p["source"]) == {"tidy_csv"} and set(p["force"]) == {"essex"}


def test_read_tidy_csv_crlf(tmp_path):
    f = tmp_path / "x.csv"
    f.write_bytes(b"period,area,category,count\r\n2025-01,A,Drugs,1\r\n")
    assert P.read_tidy_csv(f, "essex")["count"].tolist() == [1]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "the file is empty"),
        (b"period,area,category,count\n", "header only"),
        (b"period,area,cat,count\n2025-01,A,Drugs,1\n", "line 1: missing column(s) category"),
        (b"period,area,category,count\n2025-01,A,Drugs,1\n2025-13,A,Drugs,1\n", "line 3, column 'period': expected a month as YYYY-MM, got '2025-13'"),
        (b"period,area,category,count\n2025-01,A,Drugs,1.5\n", "line 2, column 'count': expected a whole number >= 0, got '1.5'"),
        (b"period,area,category,count\n2025-01,A,Drugs,\n", "line 2, column 'count'"),
        (b"period,area,category,count\n2025-01,Ch\xe9lmsford,Drugs,1\n", "not UTF-8"),
        (b"period,area,category,count\n2025-01,A,Drugs,1\n2025-01,A,Drugs,2\n", "line 3: the same period, area and category"),
    ],
)
def test_read_tidy_csv_errors(tmp_path, content, message):
    f = tmp_path / "bad.csv"
    f.write_bytes(content)
    with pytest.raises(DataError) as err:
        P.read_tidy_csv(f, "essex")
    assert str(f) in str(err.value) and message in str(err.value)
    assert f.read_bytes() == content


def test_read_tidy_csv_folder(tmp_path):
    with pytest.raises(DataError, match="is a folder"):
        P.read_tidy_csv(tmp_path, "essex")


@pytest.mark.parametrize("text, ok", [(str(P.MAX_COUNT), True), (str(P.MAX_COUNT + 1), False),
                                      ("18446744073709551615", False), ("99999999999999999999999", False)])
def test_counts_too_large_are_refused_never_wrapped(tmp_path, text, ok):
    """The largest count is read exactly; anything larger names its line and column, whatever integer type it
    would have overflowed."""
    path = tmp_path / "c.csv"
    raw = pd.DataFrame({"count": ["3", text]})
    if ok:
        assert list(P.whole_counts(path, raw)) == [3, P.MAX_COUNT]
    else:
        with pytest.raises(DataError, match=f"c.csv line 3, column 'count': '{text}' is too large for a count"):
            P.whole_counts(path, raw)
