"""Street-file ingest speed: the workbench loader against plain pandas.read_csv + concat, in the same run.

Usage: .venv/bin/python benchmarks/bench_ingest.py [--months 24] [--forces 4] [--rows 15000] [--keep DIR]

1. The real Essex street files in ../shared/data/real/raw_samples (when present).
2. A larger synthetic tree in the data.police.uk layout (YYYY-MM/YYYY-MM-<force>-street.csv, all 12
   columns, realistic values) that this script writes to a temporary folder.

Each measurement runs in its own child process, so the peak memory printed is that
method's own (ru_maxrss of the child). The baseline reads every column with
pandas' default engine, concatenates, and counts rows by month x LSOA x crime
type -- the same table the loader returns (the loader also runs its checks).
A third line shows the parquet cache on a second load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "real" / "raw_samples"
TYPES = ("Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs", "Other crime",
         "Other theft", "Possession of weapons", "Public order", "Robbery", "Shoplifting", "Theft from the person",
         "Vehicle crime", "Violence and sexual offences")
SHARES = np.array([14541, 1169, 5292, 12694, 6479, 3521, 10273, 1678, 10903, 1379, 14019, 1034, 10519, 64716], float)
OUTCOMES = ("Investigation complete; no suspect identified", "Unable to prosecute suspect", "Under investigation",
            "Awaiting court outcome", "Local resolution", "")


def write_tree(root: Path, months: int, forces: int, rows: int, seed: int = 1) -> int:
    rng = np.random.default_rng(seed)
    names = [f"Synthetic{i:02d} {j:03d}{'ABCDE'[k]}" for i in range(12) for j in range(1, 21) for k in range(5)]
    codes = [f"E019{i:05d}" for i in range(len(names))]
    total = 0
    for m in range(months):
        month = f"{2022 + m // 12}-{m % 12 + 1:02d}"
        (root / month).mkdir(parents=True, exist_ok=True)
        for f in range(forces):
            n = rows
            force = f"force-{f}"
            label = f"Force {f} Police"
            t = rng.choice(len(TYPES), n, p=SHARES / SHARES.sum())
            lsoa = rng.integers(0, len(names), n)
            lsoa[rng.random(n) < 0.01] = -1
            ids = [f"{x:064x}" for x in rng.integers(0, 2**62, n)]
            lon = rng.uniform(0.1, 1.2, n)
            lat = rng.uniform(51.4, 52.1, n)
            out = rng.integers(0, len(OUTCOMES), n)
            lines = ["Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
                     "Crime type,Last outcome category,Context"]
            for i in range(n):
                asb = t[i] == 0
                code, name = ("", "") if lsoa[i] < 0 else (codes[lsoa[i]], names[lsoa[i]])
                lines.append(
                    f"{'' if asb else ids[i]},{month},{label},{label},{lon[i]:.6f},{lat[i]:.6f},On or near Street {i % 997},"
                    f"{code},{name},{TYPES[t[i]]},{'' if asb else OUTCOMES[out[i]]},"
                )
            (root / month / f"{month}-{force}-street.csv").write_text("\n".join(lines) + "\n")
            total += n
    return total


def worker(method: str, path: str) -> None:
    import pandas as pd

    from workbench.data import load_panel, policeuk
    from workbench.params import load_params

    t0 = time.perf_counter()
    if method == "workbench":
        panel = policeuk.read_street(path)
        cells, rows = len(panel), int(panel["count"].sum())
    elif method == "pandas":
        files = sorted(Path(path).rglob("*-street.csv"))
        df = pd.concat([pd.read_csv(f) for f in files], ignore_index=True)
        counts = df.groupby(["Month", "LSOA code", "LSOA name", "Crime type"], dropna=False).size()
        cells, rows = len(counts), len(df)
    elif method == "cached":
        import yaml

        params = Path(tempfile.mkdtemp()) / "p.yaml"
        params.write_text(yaml.safe_dump({"run_name": "b", "seed": 1, "data": {"source": "policeuk", "path": path},
                                          "notebooks": [{"name": "00-data-overview"}]}))
        run = load_params(params)
        load_panel(run)  # fills the cache
        t0 = time.perf_counter()
        panel = load_panel(run)
        assert panel.attrs["cached"]
        cells, rows = len(panel), int(panel["count"].sum())
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rows": rows, "cells": cells, "peak_mb": peak}))


def measure(method: str, path: Path, env: dict) -> dict:
    res = subprocess.run([sys.executable, __file__, "--worker", method, str(path)], capture_output=True, text=True, env=env)
    if res.returncode != 0:
        raise SystemExit(res.stderr)
    return json.loads(res.stdout.strip().splitlines()[-1])


def report(title: str, path: Path, env: dict, with_cache: bool = False) -> None:
    size = sum(p.stat().st_size for p in path.rglob("*.csv"))
    print(f"\n{title}: {path} ({size / 1e6:.0f} MB)")
    ours, base = measure("workbench", path, env), measure("pandas", path, env)
    assert ours["rows"] == base["rows"], (ours, base)
    for name, r in (("workbench loader", ours), ("pandas read_csv+concat", base)):
        print(f"  {name:<24} {r['rows']:>10,} rows  {r['seconds']:7.2f} s  {r['rows'] / r['seconds'] / 1e6:6.2f} M rows/s"
              f"  peak {r['peak_mb']:6.0f} MB")
    print(f"  speed-up over the baseline: {base['seconds'] / ours['seconds']:.1f}x")
    if with_cache:
        c = measure("cached", path, env)
        print(f"  {'second load (cache)':<24} {c['rows']:>10,} rows  {c['seconds']:7.2f} s")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--forces", type=int, default=4)
    ap.add_argument("--rows", type=int, default=15000, help="rows per street file")
    ap.add_argument("--keep", help="write the synthetic tree here and keep it")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "WORKBENCH_CACHE": str(Path(tmp) / "cache")}
        if SHARED.is_dir():
            report("Essex street files (real, 3 months)", SHARED, env)
        else:
            print(f"\n{SHARED} absent: real-file measurement skipped")
        root = Path(args.keep) if args.keep else Path(tmp) / "tree"
        t = time.perf_counter()
        n = write_tree(root, args.months, args.forces, args.rows)
        print(f"\nwrote {n:,} synthetic rows ({args.months} months x {args.forces} forces) in {time.perf_counter() - t:.0f} s")
        report("Synthetic download tree", root, env, with_cache=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
