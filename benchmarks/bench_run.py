"""Time a whole report run: `workbench run params/demo.yaml` (wall time and peak memory).

Usage: .venv/bin/python benchmarks/bench_run.py [PARAMS.yaml] [--repeat N]

Runs the command as a child process (so start-up, kernel launch and HTML export
count), writes into a temporary output folder, and prints wall time, the peak
resident memory of the largest child process (the notebook kernel or the runner)
and each notebook's own duration from run.json. Also times generating the demo
panel alone, the part every demo notebook repeats.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("params", nargs="?", default=str(REPO / "params" / "demo.yaml"))
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    exe = Path(sys.executable).with_name("workbench")
    cmd = [str(exe) if exe.exists() else sys.executable, *([] if exe.exists() else ["-m", "workbench.cli"])]

    from workbench.data import load_panel
    from workbench.params import load_params

    params = load_params(args.params)
    t = time.perf_counter()
    panel = load_panel(params)
    gen = time.perf_counter() - t

    print(f"benchmark: workbench run {Path(args.params).name}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"panel: {len(panel):,} rows, generated/loaded in {gen:.2f} s")
    walls = []
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory() as out:
            t = time.perf_counter()
            res = subprocess.run([*cmd, "run", args.params, "--out", out], capture_output=True, text=True)
            wall = time.perf_counter() - t
            if res.returncode != 0:
                print(res.stderr, file=sys.stderr)
                return res.returncode
            (manifest_path,) = [p for p in Path(out).glob("*/*/run.json") if not p.parent.is_symlink()]
            manifest = json.loads(manifest_path.read_text())
        walls.append(wall)
        per_nb = ", ".join(f"{n['name']} {n['duration_s']:.1f} s" for n in manifest["notebooks"])
        print(f"run {i + 1}: wall {wall:.1f} s  ({per_nb})")
    # ru_maxrss of children is the largest single child (KiB on Linux).
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"wall time: best {min(walls):.1f} s, mean {sum(walls) / len(walls):.1f} s over {len(walls)} run(s)")
    print(f"peak memory (largest child process): {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
