"""Optional downloader for data.police.uk street files.

``workbench fetch policeuk --force essex --from 2023-01 --to 2025-12`` fills a
folder in the data.police.uk layout (``YYYY-MM/YYYY-MM-<force>-street.csv``,
plus ``-outcomes.csv`` with ``--outcomes``) that ``data.source: policeuk``
reads.

data.police.uk publishes its bulk data as monthly archives,
``https://data.police.uk/data/archive/YYYY-MM.zip``; each holds every force's
files for the 36 months up to ``YYYY-MM``. The fetcher picks the fewest
archives that cover the months asked for, downloads each once into a local
cache (``$WORKBENCH_CACHE/../policeuk`` or ``~/.cache/workbench/policeuk``,
with a progress bar, to a ``.part`` file renamed when complete) and extracts
only the files of the force and months asked for. Months already in the
destination folder are not fetched again; a month the archive does not hold is
listed, never invented.
"""

from __future__ import annotations

import os
import shutil
import sys
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from workbench.errors import DataError

DEFAULT_BASE_URL = "https://data.police.uk/data/archive/"
ARCHIVE_MONTHS = 36
USER_AGENT = "police-crime-workbench (+https://github.com/)"


def _index(month: str) -> int:
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def _month(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}"


def months_between(start: str, end: str) -> list[str]:
    return [_month(i) for i in range(_index(start), _index(end) + 1)]


def archives_for(months: list[str], available: list[str] | None = None) -> list[str]:
    """The fewest archives covering ``months`` (an archive covers its own month and the 35 before).

    With the list of ``available`` archives, the latest month still to cover
    takes the earliest available archive that holds it; a month no available
    archive holds is skipped (and reported as not in the archive by the caller).
    Without the list, each archive is named by the latest month still to cover.
    """
    todo = sorted(_index(m) for m in months)
    have = sorted(_index(a) for a in available) if available is not None else None
    chosen = []
    while todo:
        last = todo[-1]
        if have is None:
            pick = last
        else:
            pick = next((a for a in have if last <= a <= last + ARCHIVE_MONTHS - 1), None)
            if pick is None:
                todo.pop()
                continue
        chosen.append(_month(pick))
        todo = [i for i in todo if i < pick - (ARCHIVE_MONTHS - 1)]
    return chosen


def available_archives(base_url: str, timeout: float) -> list[str] | None:
    """Archive months listed at ``base_url`` (its index page), or None when there is no readable listing."""
    import re

    request = urllib.request.Request(base_url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            page = response.read(4 << 20).decode("utf-8", errors="replace")
    except (urllib.error.URLError, TimeoutError, OSError):
        return None
    found = sorted(set(re.findall(r"(\d{4}-\d{2})\.zip", page)))
    return found or None


def default_cache() -> Path:
    env = os.environ.get("WORKBENCH_CACHE")
    return (Path(env).parent / "policeuk") if env else Path.home() / ".cache" / "workbench" / "policeuk"


@dataclass
class FetchResult:
    dest: Path
    written: list[Path] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)
    not_in_archive: list[str] = field(default_factory=list)
    downloaded: list[str] = field(default_factory=list)


def _download(url: str, target: Path, log: TextIO, timeout: float) -> None:
    from tqdm import tqdm

    part = target.with_suffix(target.suffix + ".part")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            with open(part, "wb") as out, tqdm(
                total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=target.name, file=log,
                disable=None, leave=False,
            ) as bar:
                for block in iter(lambda: response.read(1 << 20), b""):
                    out.write(block)
                    bar.update(len(block))
    except urllib.error.HTTPError as exc:
        part.unlink(missing_ok=True)
        if exc.code == 404:
            raise DataError(
                f"{url}: not found (HTTP 404). data.police.uk publishes a month about two months after it ends. "
                "Fix: choose an earlier --to month."
            ) from None
        raise DataError(f"{url}: the server answered HTTP {exc.code}. Fix: try again later.") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        part.unlink(missing_ok=True)
        reason = getattr(exc, "reason", exc)
        raise DataError(f"{url}: cannot download ({reason}). Fix: check the network, or download by hand from data.police.uk.") from None
    if total is not None and part.stat().st_size != total:
        got = part.stat().st_size
        part.unlink(missing_ok=True)
        raise DataError(f"{url}: the download stopped at {got:,} of {total:,} bytes. Fix: run the command again.")
    os.replace(part, target)


def fetch_policeuk(
    force: str,
    start: str,
    end: str,
    dest: str | Path,
    *,
    outcomes: bool = False,
    base_url: str = DEFAULT_BASE_URL,
    cache: str | Path | None = None,
    log: TextIO | None = None,
    timeout: float = 60.0,
) -> FetchResult:
    """Fill ``dest`` with the force's street (and optionally outcomes) files for ``start``..``end``."""
    log = log or sys.stderr
    for name, value in (("--from", start), ("--to", end)):
        parts = value.split("-")
        if len(parts) != 2 or not all(p.isdigit() for p in parts) or not 1 <= int(parts[1]) <= 12 or len(parts[0]) != 4:
            raise DataError(f"{name} {value!r}: expected a month as YYYY-MM, e.g. 2025-12.")
    if _index(start) > _index(end):
        raise DataError(f"--from {start} is after --to {end}. Fix: swap them.")
    dest = Path(dest)
    cache = Path(cache) if cache else default_cache()
    kinds = ("street", "outcomes") if outcomes else ("street",)
    result = FetchResult(dest)
    wanted = {}
    for month in months_between(start, end):
        for kind in kinds:
            rel = f"{month}/{month}-{force}-{kind}.csv"
            if (dest / rel).exists():
                result.already_present.append(rel)
            else:
                wanted[rel] = month
    if not wanted:
        print(f"all {len(result.already_present)} file(s) already in {dest}; nothing to fetch", file=log)
        return result
    cache.mkdir(parents=True, exist_ok=True)
    cached = sorted(p.stem for p in cache.glob("????-??.zip"))
    listing = available_archives(base_url, timeout)
    available = sorted(set(listing or []) | set(cached)) if listing is not None else None
    if available and max(wanted.values()) > available[-1]:
        raise DataError(
            f"{base_url}: the latest archive is {available[-1]}, so {max(wanted.values())} is not published yet "
            f"(data.police.uk publishes a month about two months after it ends). Fix: choose --to {available[-1]} or earlier."
        )
    for archive in archives_for(sorted(set(wanted.values())), available):
        covered = {rel for rel, m in wanted.items() if _index(archive) - (ARCHIVE_MONTHS - 1) <= _index(m) <= _index(archive)}
        if not covered:
            continue
        zpath = cache / f"{archive}.zip"
        if not zpath.exists():
            url = base_url.rstrip("/") + f"/{archive}.zip"
            print(f"downloading {url} (every force, {ARCHIVE_MONTHS} months; cached in {cache})", file=log, flush=True)
            _download(url, zpath, log, timeout)
            result.downloaded.append(archive)
        try:
            with zipfile.ZipFile(zpath) as zf:
                members = {Path(n).name: n for n in zf.namelist()}
                for rel in sorted(covered):
                    member = members.get(Path(rel).name)
                    if member is None:
                        result.not_in_archive.append(rel)
                        continue
                    target = dest / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    tmp = target.with_suffix(".csv.part")
                    with zf.open(member) as src, open(tmp, "wb") as out:
                        shutil.copyfileobj(src, out, 1 << 20)
                    os.replace(tmp, target)
                    result.written.append(target)
                    wanted.pop(rel)
        except zipfile.BadZipFile:
            zpath.unlink(missing_ok=True)
            raise DataError(f"{zpath}: the cached archive is damaged and was removed. Fix: run the command again.") from None
    result.not_in_archive += sorted(wanted.keys() - set(result.not_in_archive))
    print(
        f"{len(result.written)} file(s) written to {dest}; {len(result.already_present)} already there"
        + (f"; not in the archive: {', '.join(result.not_in_archive)}" if result.not_in_archive else ""),
        file=log,
    )
    return result
