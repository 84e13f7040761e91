"""A parquet cache of parsed panels, keyed by the input files' hashes.

Parsing a folder of street files takes seconds; reading the parsed panel back
takes a fraction of that. The key covers the loader version, the source and its
options, and the sha256 of every input file (with its path relative to the
input root), so any change to any input gives a new key. Entries are written
atomically (temporary name, then rename). The notes and warnings the loader
produced are stored beside the panel and shown again on every cache hit.

The folder is ``$WORKBENCH_CACHE`` if set, else ``~/.cache/workbench/panels``.
Delete it at any time; it only saves time.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from workbench.data.panel import validate_panel

#: Bump when a loader's output changes, so old entries are not reused.
LOADER_VERSION = 2


def cache_dir() -> Path:
    return Path(os.environ.get("WORKBENCH_CACHE") or Path.home() / ".cache" / "workbench" / "panels")


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cache_key(source: str, root: Path, files: list[Path], options: dict) -> str:
    h = hashlib.sha256()
    h.update(json.dumps({"v": LOADER_VERSION, "source": source, "options": options}, sort_keys=True).encode())
    base = root if root.is_dir() else root.parent
    files = sorted(files)
    with ThreadPoolExecutor(max(1, min(8, os.cpu_count() or 1))) as pool:  # hashlib releases the GIL
        digests = list(pool.map(file_sha256, files))
    for f, digest in zip(files, digests, strict=True):
        h.update(f"{f.relative_to(base)}\0{digest}\n".encode())
    return h.hexdigest()[:32]


def cached_panel(
    source: str, root: Path, files: list[Path], options: dict, build: Callable[[list[str], list[str]], pd.DataFrame],
    enabled: bool = True,
) -> tuple[pd.DataFrame, list[str], list[str], bool]:
    """``build(notes, warnings)`` once per distinct input; later calls read the parquet.

    Returns the panel, the notes, the warnings and whether it came from the cache.
    """
    notes: list[str] = []
    warnings: list[str] = []
    if not enabled:
        return build(notes, warnings), notes, warnings, False
    key = cache_key(source, root, files, options)
    folder = cache_dir()
    data, meta = folder / f"{key}.parquet", folder / f"{key}.json"
    if data.exists() and meta.exists():
        try:
            panel = pd.read_parquet(data)
            info = json.loads(meta.read_text())
            validate_panel(panel, str(data))
            return panel, info["notes"], info["warnings"], True
        except Exception:  # a damaged entry is rebuilt, never trusted
            pass
    panel = build(notes, warnings)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{os.getpid()}"
        panel.to_parquet(f"{tmp}.parquet", index=False)
        Path(f"{tmp}.json").write_text(json.dumps({"notes": notes, "warnings": warnings, "source": source}))
        os.replace(f"{tmp}.json", meta)
        os.replace(f"{tmp}.parquet", data)
    except OSError:
        pass  # an unwritable cache only costs time
    return panel, notes, warnings, False
