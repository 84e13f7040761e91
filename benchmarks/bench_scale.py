"""Scale-out: the wall time of a 12-run matrix on 1 and 2 Dask workers, the speed-up, and what a national run needs.

Usage: .venv/bin/python benchmarks/bench_scale.py [PARAMS.yaml] [--workers 1 2] [--only NOTEBOOK]

Runs the matrix of a params file (default ``params/matrix-homeoffice.yaml``: the data overview and goal
tracking for twelve forces on the Home Office quarterly series) with ``workbench run --parallel W`` for
each W, into a temporary folder, then checks every member's manifest and results. Prints, per W, the
wall time, the notebook-seconds of work (sum of the notebooks' own durations), the speed-up over the
first W, and the per-run cost from which the README's estimate of a national run is made.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def one(params: str, workers: int, only: str | None) -> dict:
    exe = Path(sys.executable).with_name("workbench")
    cmd = [str(exe), "run", params, "--parallel", str(workers)] + (["--only", only] if only else [])
    with tempfile.TemporaryDirectory() as out:
        t = time.perf_counter()
        proc = subprocess.run([*cmd, "--out", out], capture_output=True, text=True)
        wall = time.perf_counter() - t
        if proc.returncode != 0:
            print(proc.stdout[-2000:], proc.stderr[-4000:], sep="\n", file=sys.stderr)
            raise SystemExit(f"the run with {workers} worker(s) failed (exit {proc.returncode})")
        (index,) = Path(out).glob("*/matrix-*.json")
        members = json.loads(index.read_text())["members"]
        busy, notebooks = 0.0, 0
        for name, m in members.items():
            manifest = json.loads((index.parent / m["folder"] / "run.json").read_text())
            assert manifest["status"] == "ok", (name, manifest["notebooks"])
            for nb in manifest["notebooks"]:
                assert (index.parent / m["folder"] / nb["results"]).exists(), (name, nb)
                busy += nb["duration_s"]
                notebooks += 1
        return {"workers": workers, "wall_s": wall, "busy_s": busy, "runs": len(members), "notebooks": notebooks}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("params", nargs="?", default=str(REPO / "params" / "matrix-homeoffice.yaml"))
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--only", default=None, help="one notebook of the params file")
    args = ap.parse_args()
    print(f"{args.params}: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    rows = []
    for w in args.workers:
        r = one(args.params, w, args.only)
        rows.append(r)
        print(f"  {w} worker(s): {r['runs']} runs, {r['notebooks']} notebooks, all manifests and results present; "
              f"wall {r['wall_s']:.1f} s, notebook time {r['busy_s']:.1f} s", flush=True)
    base = rows[0]
    print("\nworkers  wall_s  speed-up  wall_per_run_s")
    for r in rows:
        print(f"{r['workers']:>7}  {r['wall_s']:6.1f}  {base['wall_s'] / r['wall_s']:8.2f}  {r['wall_s'] / r['runs']:14.1f}")
    per_run = base["busy_s"] / base["runs"]
    print(f"\nnotebook time per run (one worker): {per_run:.1f} s. At that cost, N runs on W workers take about "
          f"N x {per_run:.1f} / W seconds plus start-up.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
