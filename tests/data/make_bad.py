"""Write the bad-input corpus in tests/data/bad/ (run from anywhere; the files are committed).

Each case is a small folder a user might point ``data.path`` at. The rows are
made up in the data.police.uk street-file format; no real data is copied.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent / "bad"
HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
          "Last outcome category,Context")
TYPES = ("Burglary", "Anti-social behaviour", "Violence and sexual offences", "Shoplifting", "Drugs")


def rows(month: str, n: int = 6, force: str = "Essex Police") -> list[str]:
    out = []
    for i in range(n):
        crime_id = "" if TYPES[i % 5] == "Anti-social behaviour" else f"{i:064x}"
        lsoa = ("", "") if i == n - 1 else (f"E0102{1230 + i % 3}", f"Basildon 00{1 + i % 3}A")
        out.append(f"{crime_id},{month},{force},{force},0.4{i},51.6{i},On or near Example Road,{lsoa[0]},{lsoa[1]},"
                   f"{TYPES[i % 5]},Under investigation,")
    return out


def write(case: str, name: str, text: str | bytes) -> None:
    path = HERE / case / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())


def main() -> None:
    shutil.rmtree(HERE, ignore_errors=True)
    good = "\n".join([HEADER, *rows("2025-01")]) + "\n"
    write("empty", "2025-01/2025-01-essex-street.csv", b"")
    write("header_only", "2025-01/2025-01-essex-street.csv", HEADER + "\n")
    write("missing_column", "2025-01/2025-01-essex-street.csv",
          good.replace(",Crime type,", ",Last outcome category,", 1).replace(",Last outcome category,Context", ",Context", 1))
    write("renamed_columns", "2025-01/2025-01-essex-street.csv",
          "\n".join([HEADER.lower().replace(" ", "_"), *rows("2025-01")]) + "\n")
    bad_month = rows("2025-01")
    bad_month[2] = bad_month[2].replace(",2025-01,", ",Jan-2025,")
    write("unparseable_month", "2025-01/2025-01-essex-street.csv", "\n".join([HEADER, *bad_month]) + "\n")
    other = rows("2025-01")
    other[3] = other[3].replace(",2025-01,", ",2025-02,")
    write("month_mismatch", "2025-01/2025-01-essex-street.csv", "\n".join([HEADER, *other]) + "\n")
    latin = ("\n".join([HEADER, *rows("2025-01")]) + "\n").encode().replace(b"Example Road", "Ch\u00e9lmsford Road".encode("latin-1"), 2)
    write("not_utf8", "2025-01/2025-01-essex-street.csv", latin)
    mixed = rows("2025-01")
    mixed[4] = mixed[4].replace("Essex Police", "Kent Police")
    write("two_forces", "2025-01/2025-01-essex-street.csv", "\n".join([HEADER, *mixed]) + "\n")
    shifted = rows("2025-01")
    shifted[1] = shifted[1].replace(",Anti-social behaviour,", ",Antisocial,")
    write("unknown_crime_type", "2025-01/2025-01-essex-street.csv", "\n".join([HEADER, *shifted]) + "\n")
    # The same month in two downloads: identical (read once) and different (later publication wins, with a warning).
    write("duplicate_identical", "download-a/2025-01/2025-01-essex-street.csv", good)
    write("duplicate_identical", "download-b/2025-01/2025-01-essex-street.csv", good)
    write("duplicate_different", "download-2025-01/2025-01/2025-01-essex-street.csv", good)
    write("duplicate_different", "download-2025-02/2025-01/2025-01-essex-street.csv",
          "\n".join([HEADER, *rows("2025-01", 7)]) + "\n")
    write("duplicate_different", "download-2025-02/2025-02/2025-02-essex-street.csv",
          "\n".join([HEADER, *rows("2025-02")]) + "\n")
    # Zips: one with a junk member, one that is not a zip at all.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("2025-01/2025-01-essex-street.csv", good)
        zf.writestr("2025-01/notes from the analyst.docx", b"PK\x03\x04 not data")
    write("zip_with_junk", "download.zip", buf.getvalue())
    write("not_a_zip", "download.zip", b"<html>Service unavailable</html>")
    # Tidy CSVs with bad counts.
    write("negative_count", "counts.csv", "period,area,category,count\n2025-01,Basildon,Burglary,3\n2025-01,Harlow,Burglary,-2\n")
    write("non_numeric_count", "counts.csv", "period,area,category,count\n2025-01,Basildon,Burglary,3\n2025-01,Harlow,Burglary,12a\n")
    write("ho_bad_count", "ho.csv",
          "financial_year,financial_quarter,quarter_start_month,force_name,force,offence_group,count\n"
          "2023/24,1,2023-04,Essex,essex,Robbery,300\n2023/24,2,2023-07,Essex,essex,Robbery,..\n")
    # Counts too large for a count (they once wrapped round to a negative number): each reader of a count column.
    huge = "99999999999999999999999"
    write("huge_count", "counts.csv", f"period,area,category,count\n2025-01,Basildon,Burglary,{huge}\n2025-01,Harlow,Burglary,3\n")
    write("counts_huge_count", "counts.csv",
          "month,force,lsoa_code,lsoa_name,crime_type,count\n2025-01,essex,E01021230,Basildon 001A,Burglary,4\n"
          f"2025-01,essex,E01021231,Basildon 001B,Drugs,{huge}\n")
    write("ho_huge_count", "ho.csv",
          "financial_year,financial_quarter,quarter_start_month,force_name,force,offence_group,count\n"
          f"2023/24,1,2023-04,Essex,essex,Robbery,300\n2023/24,2,2023-07,Essex,essex,Robbery,{huge}\n")
    write("ons_huge_count", "p1.csv",
          "period,area_code,area_name,area_type,force,offence_group,count\n"
          "12 months to 2025-03,E23000028,Essex,pfa,essex,Robbery,1500\n"
          f"12 months to 2025-03,E23000028,Essex,pfa,essex,Theft offences,{huge}\n")
    write("ho_wrong_quarter", "ho.csv",
          "financial_year,financial_quarter,quarter_start_month,force_name,force,offence_group,count\n"
          "2023/24,1,2023-04,Essex,essex,Robbery,300\n2023/24,4,2023-01,Essex,essex,Robbery,280\n")


if __name__ == "__main__":
    main()
