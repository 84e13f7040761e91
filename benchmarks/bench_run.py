"""Time a whole report run, exactly as users run it: `workbench run PARAMS` (default params/demo.yaml = `make report`).

Usage: .venv/bin/python benchmarks/bench_run.py [PARAMS.yaml] [--states cold,warm] [--repeat N]

- cold: an empty PyTensor compile directory, an empty numba cache and an empty JAX compilation cache (a fresh machine after `make venv`);
- warm: the same caches again, as they are after the cold run (every later run on that machine).

Runs the command as a child process (so start-up, kernel launch, compiling, sampling and HTML export all
count), writes into a temporary output folder, and prints each state's wall time, each notebook's own duration
from run.json, the sampler diagnostics the notebooks reported, and the peak resident memory of the largest child.
The load average is printed too: figures from a busy machine are not the machine's speed.
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


def run_once(cmd: list[str], params: str, env: dict[str, str], keep: str | None = None) -> tuple[float, dict, dict]:
    """One `workbench run`: (wall seconds, manifest, results by notebook); the run folder is kept under ``keep``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = keep or tmp
        t = time.perf_counter()
        res = subprocess.run([*cmd, "run", params, "--out", out], capture_output=True, text=True, env=env)
        wall = time.perf_counter() - t
        if res.returncode not in (0, 1):
            sys.stderr.write(res.stderr[-4000:])
            raise SystemExit(res.returncode)
        manifest_path = max((p for p in Path(out).glob("*/*/run.json") if not p.parent.is_symlink()),
                            key=lambda p: p.parent.name)
        manifest = json.loads(manifest_path.read_text())
        results = {}
        for nb in manifest["notebooks"]:
            if nb.get("results"):
                results[nb["name"]] = json.loads((manifest_path.parent / nb["results"]).read_text())["figures"]
    return wall, manifest, results


def diagnostics(results: dict) -> list[str]:
    """The sampler diagnostics each notebook put in its results JSON (one fit's, or one per fit by name)."""
    lines = []
    for name, fig in results.items():
        for key, d in _find(fig, "diagnostics"):
            fits = {key: d} if isinstance(d, dict) and ({"max_rhat", "rhat_max"} & set(d)) else (
                {f"{key}.{k}": v for k, v in d.items() if isinstance(v, dict)} if isinstance(d, dict) else {})
            for label, f in fits.items():
                rhat, ess = f.get("max_rhat", f.get("rhat_max")), f.get("min_ess_bulk", f.get("ess_bulk_min"))
                ok = f.get("ok", rhat is not None and ess is not None and rhat <= 1.01 and ess >= 400
                           and not f.get("divergences"))
                lines.append(f"    {name} {label}: r-hat max {rhat}, bulk ESS min {ess}, "
                             f"divergences {f.get('divergences')}, ok {ok}")
    return lines


def _find(obj, key, path="") -> list:
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            here = f"{path}.{k}" if path else k
            if k == key:
                out.append((here, v))
            else:
                out.extend(_find(v, key, here))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("params", nargs="?", default=str(REPO / "params" / "demo.yaml"))
    ap.add_argument("--states", default="cold,warm", help="comma-separated: cold, warm (warm reuses cold's caches)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per state")
    ap.add_argument("--keep", default=None, help="write the runs under this folder instead of a temporary one")
    args = ap.parse_args()
    exe = Path(sys.executable).with_name("workbench")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "workbench.cli"]
    states = [s.strip() for s in args.states.split(",") if s.strip()]
    bad = [s for s in states if s not in ("cold", "warm")]
    if bad:
        ap.error(f"--states: unknown state(s) {bad}; use cold and/or warm")

    print(f"benchmark: workbench run {Path(args.params).name}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average at start {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="bench-caches-") as caches:
        env = dict(os.environ)
        # The compile caches in a folder of this benchmark's own: cold starts them empty, warm reuses them.
        env["PYTENSOR_FLAGS"] = f"base_compiledir={caches}/pytensor"
        env["NUMBA_CACHE_DIR"] = f"{caches}/numba"
        env["JAX_COMPILATION_CACHE_DIR"] = f"{caches}/jax"
        totals = {}
        for state in states:
            for i in range(args.repeat):
                wall, manifest, results = run_once(cmd, args.params, env, args.keep)
                per_nb = ", ".join(f"{n['name']} {n['duration_s']:.0f} s" + ("" if n["status"] == "ok" else " FAILED")
                                   for n in manifest["notebooks"])
                print(f"{state} run {i + 1}: wall {wall:.0f} s ({wall / 60:.1f} min), status {manifest['status']}; "
                      f"load average now {os.getloadavg()[0]:.2f}")
                print(f"    {per_nb}")
                for line in diagnostics(results):
                    print(line)
                totals.setdefault(state, []).append(wall)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    for state, walls in totals.items():
        print(f"{state}: best {min(walls):.0f} s ({min(walls) / 60:.1f} min) over {len(walls)} run(s)")
    print(f"peak memory (largest child process): {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
