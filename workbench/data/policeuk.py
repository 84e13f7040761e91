"""data.police.uk street-level files into the canonical panel.

Reads the layout of a data.police.uk download -- ``YYYY-MM/YYYY-MM-<force>-street.csv``
in a folder, the same inside a ``.zip`` (read in place, never extracted), or the
files flat in one folder -- for any number of forces and months, with LF or CRLF
line endings. ``*-outcomes.csv`` files are read too when present
(:func:`read_outcomes`); stop-and-search files are listed but not used.

Each street file becomes counts by month x LSOA x crime type (one row per
crime, so a count is exactly the number of rows published). Rows with no
location (empty LSOA) count at force level only: ``area_level="force"``,
``area_name="(no location)"``.

**Checks** (each failure names the file, the line and the column, and what to do):
a header with the columns used; at least one data row; valid UTF-8; every
``Month`` equal to the month in the file name; one force per file (``Falls
within``); a known crime type in every row. Nothing is filled in or dropped.

**Speed.** Only the five columns used are parsed, by Arrow's multi-threaded CSV
reader, with several files in flight; a precise (slow) pass runs only to locate
a problem once a check has failed.

**The same month twice** (e.g. two downloads side by side): files with the same
counts are one file (a note says so); when counts differ the *later
publication* wins and a warning names both. The later publication is the file
whose download (its zip, or its top-level folder under the root) reaches the
later month, as each data.police.uk download holds the latest three years;
ties go to the newer file modification time.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from workbench.data.panel import finalise_panel
from workbench.errors import DataError

SOURCE = "policeuk"
NO_LOCATION = "(no location)"
FILE_RE = re.compile(r"^(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+?)-(?P<kind>street|outcomes|stop-and-search)\.csv$")

#: The 14 data.police.uk crime categories (``Crime type``), ASB included.
CATEGORIES = (
    "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs", "Other crime",
    "Other theft", "Possession of weapons", "Public order", "Robbery", "Shoplifting", "Theft from the person",
    "Vehicle crime", "Violence and sexual offences",
)
#: Columns of a street file that are read; the others are not parsed.
STREET_USED = ("Month", "Falls within", "LSOA code", "LSOA name", "Crime type")
STREET_COLUMNS = (
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location", "LSOA code", "LSOA name",
    "Crime type", "Last outcome category", "Context",
)
OUTCOMES_USED = ("Month", "Falls within", "LSOA code", "LSOA name", "Outcome type")
_SNAKE = {c.lower().replace(" ", "_"): c for c in STREET_COLUMNS + ("Outcome type",)}
_WORKERS = max(1, min(8, os.cpu_count() or 1))


# ----------------------------------------------------------------------------- finding files


@dataclass(frozen=True)
class PoliceFile:
    """One data.police.uk CSV: on disk, or a member of a zip."""

    display: str  # path shown in messages (zip members as "archive.zip!member")
    month: str
    force: str
    kind: str
    container: str  # the download it belongs to (a zip, or a top-level folder under the root)
    path: Path  # the file, or the zip
    member: str | None = None
    mtime: float = 0.0

    def read_bytes(self) -> bytes:
        if self.member is None:
            return self.path.read_bytes()
        with zipfile.ZipFile(self.path) as zf:
            try:
                return zf.read(self.member)
            except (zipfile.BadZipFile, zlib.error) as exc:
                raise DataError(f"{self.display}: cannot be read from the zip ({exc}). Fix: download the archive again.") from None


@dataclass
class Inventory:
    """What a data.police.uk folder or zip holds."""

    files: list[PoliceFile] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[PoliceFile]:
        return [f for f in self.files if f.kind == kind]


def _parse_name(name: str) -> re.Match | None:
    return FILE_RE.match(PurePosixPath(name).name)


def inventory(root: str | Path, forces: list[str] | None = None) -> Inventory:
    """List the data.police.uk files under ``root`` (a folder or a ``.zip``), optionally for some forces only.

    Raises
    ------
    DataError
        ``root`` is missing, a zip is unreadable or holds a member that is not a
        data.police.uk file, or nothing usable is found.
    """
    root = Path(root)
    if not root.exists():
        raise DataError(f"{root}: not found. Fix: point data.path at a data.police.uk download (folder or .zip).")
    inv = Inventory()
    if root.is_file():
        if root.suffix.lower() != ".zip":
            m = _parse_name(root.name)
            if not m:
                raise DataError(
                    f"{root}: not a data.police.uk file name; expected YYYY-MM-<force>-street.csv or a .zip of a download."
                )
            inv.files.append(_file(root, m, str(root.parent)))
        else:
            _add_zip(inv, root, str(root))
    else:
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.name.startswith("."):
                continue
            rel = path.relative_to(root)
            container = str(root / rel.parts[0]) if len(rel.parts) > 1 else str(root)
            if path.suffix.lower() == ".zip":
                _add_zip(inv, path, str(path))
            elif m := _parse_name(path.name):
                inv.files.append(_file(path, m, container))
            else:
                inv.ignored.append(str(path))
    if forces:
        wanted = set(forces)
        inv.files = [f for f in inv.files if f.force in wanted]
    if not inv.of_kind("street"):
        which = f" for force(s) {', '.join(forces)}" if forces else ""
        raise DataError(
            f"{root}: no data.police.uk street files{which} (YYYY-MM-<force>-street.csv). "
            "Fix: download them from https://data.police.uk/data/ and point data.path at the folder or zip."
        )
    return inv


def _file(path: Path, m: re.Match, container: str) -> PoliceFile:
    return PoliceFile(str(path), m["month"], m["force"], m["kind"], container, path, None, path.stat().st_mtime)


def _add_zip(inv: Inventory, path: Path, container: str) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(f"{path}: not a readable zip archive ({exc}). Fix: download it again or unzip it yourself.") from None
    mtime = path.stat().st_mtime
    for info in infos:
        if info.is_dir():
            continue
        name = PurePosixPath(info.filename).name
        if name.startswith(".") or "__MACOSX" in info.filename:
            continue
        m = _parse_name(name)
        if not m:
            raise DataError(
                f"{path}!{info.filename}: not a data.police.uk file in the zip; expected only "
                "YYYY-MM/YYYY-MM-<force>-street.csv (or -outcomes / -stop-and-search). "
                "Fix: remove it from the archive, or unzip the archive and keep only the data files."
            )
        inv.files.append(
            PoliceFile(f"{path}!{info.filename}", m["month"], m["force"], m["kind"], container, path, info.filename, mtime)
        )


# ----------------------------------------------------------------------------- reading one file


def _header(data: bytes, display: str, used: tuple[str, ...]) -> list[str]:
    if not data or data.isspace():
        raise DataError(f"{display}: the file is empty. Fix: download this month again.")
    end = data.find(b"\n")
    first = (data if end < 0 else data[:end]).rstrip(b"\r")
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{display} line 1: not UTF-8 text (byte {exc.start}). Fix: download the file again.") from None
    header = next(csv.reader([text]))
    if [_SNAKE.get(h, h) for h in header] != header and all(_SNAKE.get(h, h) in STREET_COLUMNS + ("Outcome type",) for h in header):
        raise DataError(
            f"{display} line 1: the header is renamed ({', '.join(header[:4])}, ...); expected the data.police.uk "
            f"names ({', '.join(used)}). Fix: restore the original header."
        )
    missing = [c for c in used if c not in header]
    if missing:
        raise DataError(
            f"{display} line 1: missing column(s) {', '.join(repr(c) for c in missing)}; a data.police.uk file has "
            f"{', '.join(used)} among its columns (found: {', '.join(header)}). Fix: use the file as downloaded."
        )
    return header


def _rows_from(data: bytes):
    """(line number, row dict) for each data row, by the exact (slow) csv reader; for locating problems."""
    text = data.decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for row in reader:
        yield reader.line_num, row


def _locate(f: PoliceFile, data: bytes, column: str, bad, expected: str, fix: str) -> DataError:
    for line, row in _rows_from(data):
        value = row.get(column)
        if bad(value):
            return DataError(f"{f.display} line {line}, column '{column}': expected {expected}, got {value!r}. {fix}")
    return DataError(f"{f.display}: column '{column}': a value is not {expected}. {fix}")  # pragma: no cover


def _check_utf8(f: PoliceFile, data: bytes) -> None:
    if data.isascii():
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError(
            f"{f.display} line {line}: not UTF-8 text (byte {exc.start}). Fix: download the file again, "
            "or re-save it as UTF-8."
        ) from None


def _read_table(f: PoliceFile, data: bytes, used: tuple[str, ...]) -> pa.Table:
    _header(data, f.display, used)
    _check_utf8(f, data)  # every column, including those not parsed
    dict_str = pa.dictionary(pa.int32(), pa.string())
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            # Files are parsed two at a time (one per core); each parse is single-threaded.
            read_options=pacsv.ReadOptions(use_threads=False, block_size=1 << 20),
            convert_options=pacsv.ConvertOptions(
                include_columns=list(used), column_types={c: dict_str for c in used}, strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise _malformed(f, data, str(exc)) from None
    if table.num_rows == 0:
        raise DataError(f"{f.display}: header only, no rows. Fix: download this month again (no force has a month without crime).")
    return table


def _malformed(f: PoliceFile, data: bytes, msg: str) -> DataError:
    """Locate the first row whose number of fields differs from the header's."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"), newline=""))
    width = len(next(reader))
    for row in reader:
        if len(row) != width:
            return DataError(
                f"{f.display} line {reader.line_num}: {len(row)} fields where the header has {width}. "
                "Fix: download the file again (a comma inside an unquoted value also causes this)."
            )
    return DataError(f"{f.display}: not a well-formed CSV ({msg.splitlines()[0]}). Fix: download the file again.")


def _columns(table: pa.Table) -> dict[str, pa.DictionaryArray]:
    """Each column as one dictionary array (one dictionary per column, whatever the chunking)."""
    table = table.unify_dictionaries()
    return {name: table.column(name).combine_chunks() for name in table.column_names}


def _used_values(col: pa.DictionaryArray) -> list[str]:
    dictionary = col.dictionary.to_pylist()
    return [dictionary[i] for i in np.flatnonzero(np.bincount(col.indices.to_numpy(), minlength=len(dictionary)))]


def _check_common(f: PoliceFile, data: bytes, cols: dict[str, pa.DictionaryArray]) -> None:
    present = set(_used_values(cols["Month"]))
    if present != {f.month}:
        other = sorted(present - {f.month})
        if any(not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", m) for m in other):
            raise _locate(
                f, data, "Month", lambda v: not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", v or ""),
                "a month as YYYY-MM", "Fix: use the file as downloaded from data.police.uk.",
            )
        raise _locate(
            f, data, "Month", lambda v: v != f.month, f"{f.month}, the month in the file name",
            "Fix: rename the file to its month, or remove rows of other months.",
        )
    forces = cols["Falls within"]
    used = sorted(_used_values(forces))
    if len(used) > 1:
        first = forces.dictionary[forces.indices[0].as_py()].as_py()
        raise _locate(
            f, data, "Falls within", lambda v: v != first, f"'{first}' (one force per file, as in the first row)",
            f"This file mixes {len(used)} forces ({', '.join(used)}). Fix: keep one force per file, named in the file name.",
        )


@dataclass
class Cells:
    """One file's counts by (LSOA code, LSOA name, category): indices into the file's own dictionaries."""

    file: PoliceFile
    source: str
    code: np.ndarray
    name: np.ndarray
    category: np.ndarray
    count: np.ndarray
    codes: list[str]
    names: list[str]
    categories: list[str]

    def frame(self) -> pd.DataFrame:
        return _assemble([self])


def _count_cells(f: PoliceFile, cols: dict[str, pa.DictionaryArray], key: str, source: str) -> Cells:
    """Rows counted by (LSOA code, LSOA name, ``key``) on the dictionary indices -- no string work per row."""
    code, name, cat = cols["LSOA code"], cols["LSOA name"], cols[key]
    nn, nk = len(name.dictionary), len(cat.dictionary)
    combined = (code.indices.to_numpy().astype(np.int64) * nn + name.indices.to_numpy()) * nk + cat.indices.to_numpy()
    cells, counts = np.unique(combined, return_counts=True)
    rest, k = np.divmod(cells, nk)
    c, n = np.divmod(rest, nn)
    return Cells(f, source, c, n, k, counts.astype("int64"), code.dictionary.to_pylist(), name.dictionary.to_pylist(),
                 cat.dictionary.to_pylist())


def _global(parts: list[tuple[np.ndarray, list[str]]]) -> pd.Categorical:
    """Concatenate per-file (indices, dictionary) pairs into one categorical with sorted categories."""
    categories = sorted(set().union(*(d for _, d in parts)))
    where = {v: i for i, v in enumerate(categories)}
    codes = np.concatenate([np.fromiter((where[v] for v in d), np.int64, len(d))[idx] for idx, d in parts])
    return pd.Categorical.from_codes(codes, pd.Index(categories, dtype=str))


def _assemble(cells: list[Cells]) -> pd.DataFrame:
    """The panel of many files' cells; rows without a location become force-level rows."""
    sizes = [len(c.count) for c in cells]
    unlocated = [np.array([v == "" for v in c.codes], dtype=bool)[c.code] for c in cells]
    names = [(np.where(u, len(c.names), c.name), [*c.names, NO_LOCATION]) for c, u in zip(cells, unlocated, strict=True)]

    def repeat(values: list[str]) -> pd.Categorical:
        return _global([(np.full(n, 0), [v]) for n, v in zip(sizes, values, strict=True)])

    return pd.DataFrame(
        {
            "period": np.repeat(np.array([f"{c.file.month}-01" for c in cells], dtype="datetime64[ns]"), sizes),
            "frequency": repeat(["M"] * len(cells)),
            "force": repeat([c.file.force for c in cells]),
            "area_level": pd.Categorical.from_codes(
                (~np.concatenate(unlocated)).astype(np.int8), pd.Index(["force", "lsoa"], dtype=str)
            ),
            "area_code": _global([(c.code, c.codes) for c in cells]),
            "area_name": _global(names),
            "category": _global([(c.category, c.categories) for c in cells]),
            "count": np.concatenate([c.count for c in cells]),
            "source": repeat([c.source for c in cells]),
        }
    )


def read_street_file(f: PoliceFile, data: bytes | None = None) -> Cells:
    """Counts by LSOA x crime type of one street file, in panel form (checked; see the module notes)."""
    data = f.read_bytes() if data is None else data
    cols = _columns(_read_table(f, data, STREET_USED))
    _check_common(f, data, cols)
    known = set(CATEGORIES)
    if set(_used_values(cols["Crime type"])) - known:
        raise _locate(
            f, data, "Crime type", lambda v: v not in known, "one of the 14 data.police.uk crime types",
            "Fix: use the file as downloaded (a shifted column also causes this).",
        )
    return _count_cells(f, cols, "Crime type", SOURCE)


def read_outcomes_file(f: PoliceFile, data: bytes | None = None) -> Cells:
    """Counts by LSOA x outcome type of one outcomes file, in panel form (category = outcome type)."""
    data = f.read_bytes() if data is None else data
    cols = _columns(_read_table(f, data, OUTCOMES_USED))
    _check_common(f, data, cols)
    return _count_cells(f, cols, "Outcome type", SOURCE + "-outcomes")


# ----------------------------------------------------------------------------- many files


@dataclass
class LoadReport:
    """What loading noticed that the analyst must see: duplicates resolved, files ignored."""

    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _publication_key(f: PoliceFile, latest_in_container: dict[str, str]) -> tuple:
    return (latest_in_container[f.container], f.mtime, f.display)


def _read_many(files: list[PoliceFile], reader, report: LoadReport) -> pd.DataFrame:
    latest: dict[str, str] = {}
    for f in files:
        latest[f.container] = max(latest.get(f.container, ""), f.month)

    with ThreadPoolExecutor(_WORKERS) as pool:
        parts = list(pool.map(reader, files))
    chosen: dict[tuple[str, str], tuple[PoliceFile, Cells]] = {}
    for f, part in zip(files, parts, strict=True):
        key = (f.force, f.month)
        if key not in chosen:
            chosen[key] = (f, part)
            continue
        g, other = chosen[key]
        same = _same_counts(part, other)
        newer, older = (f, g) if _publication_key(f, latest) > _publication_key(g, latest) else (g, f)
        if same:
            report.notes.append(f"{f.force} {f.month}: {older.display} and {newer.display} hold the same counts; read once.")
        else:
            report.warnings.append(
                f"{f.force} {f.month} appears in two files with different counts: {newer.display} "
                f"(later publication, used) and {older.display} (ignored)."
            )
        chosen[key] = (newer, part if newer is f else other)
    return _assemble([p for _, p in chosen.values()])


def _same_counts(a: Cells, b: Cells) -> bool:
    cols = ["area_code", "area_name", "category", "count"]
    sa = a.frame()[cols].astype({c: str for c in cols[:3]}).sort_values(cols[:3]).reset_index(drop=True)
    sb = b.frame()[cols].astype({c: str for c in cols[:3]}).sort_values(cols[:3]).reset_index(drop=True)
    return sa.equals(sb)


def read_street(root: str | Path, forces: list[str] | None = None, report: LoadReport | None = None) -> pd.DataFrame:
    """The panel of every street file under ``root`` (folder or zip), checked, duplicates resolved."""
    report = report if report is not None else LoadReport()
    inv = inventory(root, forces)
    if inv.ignored:
        shown = ", ".join(Path(p).name for p in inv.ignored[:5]) + (" …" if len(inv.ignored) > 5 else "")
        report.notes.append(f"{len(inv.ignored)} file(s) under {root} are not data.police.uk files and were not read: {shown}")
    return finalise_panel(_read_many(inv.of_kind("street"), read_street_file, report))


def read_outcomes(root: str | Path, forces: list[str] | None = None, report: LoadReport | None = None) -> pd.DataFrame | None:
    """The outcomes panel (category = outcome type) when the download has ``*-outcomes.csv`` files, else ``None``."""
    report = report if report is not None else LoadReport()
    files = inventory(root, forces).of_kind("outcomes")
    if not files:
        return None
    return finalise_panel(_read_many(files, read_outcomes_file, report))


def input_files(root: str | Path) -> list[Path]:
    """Every file a police.uk load reads (folder contents or the zip), for hashing."""
    root = Path(root)
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")) if root.is_dir() else [root]


# ----------------------------------------------------------------------------- aggregated counts

COUNTS_REQUIRED = ("month", "force", "lsoa_code", "lsoa_name", "crime_type", "count")


def read_counts_csv(path: str | Path, forces: list[str] | None = None) -> pd.DataFrame:
    """Monthly counts already aggregated from street files: month, force, lsoa_code, lsoa_name, crime_type, count.

    The layout of ``policeuk_monthly_counts.csv`` (one row per month x force x
    LSOA x crime type; an empty LSOA is a crime with no location and counts at
    force level, as in :func:`read_street`). Errors name the file, the line and
    the column.
    """
    from workbench.data.categories import POLICEUK_TO_COMMON
    from workbench.data.panel import fail_at, read_csv_table, whole_counts

    path = Path(path)
    raw = read_csv_table(path, COUNTS_REQUIRED, "monthly LSOA counts (policeuk_monthly_counts.csv layout)")
    if forces:
        raw = raw[raw["force"].isin(forces)]  # the index keeps the file's line numbers for errors
    period = pd.to_datetime(raw["month"], format="%Y-%m", errors="coerce")
    fail_at(path, raw, period.isna(), "month", "a month as YYYY-MM")
    count = whole_counts(path, raw)
    fail_at(path, raw, ~raw["crime_type"].isin(list(POLICEUK_TO_COMMON)), "crime_type",
            "a data.police.uk crime type (" + ", ".join(POLICEUK_TO_COMMON) + ")")
    unlocated = raw["lsoa_code"] == ""
    panel = pd.DataFrame({
        "period": period.to_numpy(),
        "frequency": "M",
        "force": raw["force"].to_numpy(),
        "area_level": np.where(unlocated, "force", "lsoa"),
        "area_code": raw["lsoa_code"].to_numpy(),
        "area_name": raw["lsoa_name"].where(~unlocated, NO_LOCATION).to_numpy(),
        "category": raw["crime_type"].to_numpy(),
        "count": count.to_numpy(),
        "source": "policeuk",
    })
    return finalise_panel(panel)
