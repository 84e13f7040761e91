"""Violence-prevention evaluation: calibration of the Bayesian synthetic control on simulated panels.

Usage:
    .venv/bin/python benchmarks/bench_vvu.py                 # both, as below
    .venv/bin/python benchmarks/bench_vvu.py real            # params/essex-vvu.yaml on the Home Office series
    .venv/bin/python benchmarks/bench_vvu.py recovery [--n 102] [--draws 500] [--concentration 0.2]

``real`` times the whole evaluation (both designs, placebos, the ratio) on the real Home Office series with the
settings of ``params/essex-vvu.yaml`` (target under 2 minutes on 2 cores) and prints its headline figures; it is
skipped when ``../shared`` is absent.

``recovery`` simulates ``--n`` panels of 40 quarterly series (one treated unit, 39 donors; 24 quarters before the
start and 12 after) from a factor model with AR(1) deviations and Negative Binomial noise, the treated unit a mix
of five donors, with a known effect cycling through no effect, -10% and -20%; fits the synthetic control to each
and prints how often the 90% interval of the effect (% change) contains the truth (target 85-95%), the mean error,
and the same for the classical (least-squares) estimate's point error.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

EFFECTS = (0.0, np.log(0.9), np.log(0.8))


def recovery(n: int, draws: int, concentration: float = 0.2, seed: int = 20240401, say=print,
             backend: str = "numba") -> dict:
    import pandas as pd

    from workbench.models import synth
    from workbench.models.sampling import Sampler

    sampler = Sampler(draws=draws, tune=draws, chains=2, cores=2, backend=backend)
    rows = []
    t0 = time.perf_counter()
    for i in range(n):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i,)))
        data, truth = synth.simulate(rng, EFFECTS[i % len(EFFECTS)])
        fit = synth.fit(data, sampler, seed + i, concentration)
        lo, med, hi = np.percentile(fit.effect_pct(), [5, 50, 95])
        c = synth.classical(data.y, data.X, data.t0)
        rows.append({"effect_pct": round(truth.effect_pct, 1), "covered": lo <= truth.effect_pct <= hi,
                     "err": np.log1p(med / 100) - truth.effect, "width": hi - lo,
                     "classical_err": np.log1p(c.effect_pct / 100) - truth.effect, "rhat": fit.diagnostics()[0]})
        if (i + 1) % 10 == 0 or i + 1 == n:
            say(f"  {i + 1}/{n} panels, {time.perf_counter() - t0:.0f} s, coverage so far "
                f"{np.mean([r['covered'] for r in rows]):.0%}")
    df = pd.DataFrame(rows)
    return {"n": n, "coverage": float(df["covered"].mean()), "mean_error": float(df["err"].mean()),
            "mean_abs_error": float(df["err"].abs().mean()), "classical_mae": float(df["classical_err"].abs().mean()),
            "max_rhat": float(df["rhat"].max()), "by_case": df.groupby("effect_pct")[["covered", "err", "width"]].mean(),
            "seconds": time.perf_counter() - t0}


def real() -> None:
    from workbench.data import load_panel
    from workbench.evaluations import vvu
    from workbench.errors import ParamsError
    from workbench.params import load_params

    params = REPO / "params" / "essex-vvu.yaml"
    try:
        run = load_params(params)
    except ParamsError as e:  # the real data are not on this machine
        print(f"real: skipped ({str(e).splitlines()[0]})")
        return
    p = run.notebook("30-vvu-return").parameters
    from workbench.params import VVUParams

    nb = VVUParams(**p)
    t0 = time.perf_counter()
    panel = load_panel(run)
    res = vvu.run(panel, nb, run.sampler, run.seed, say=lambda s: None)
    secs = time.perf_counter() - t0
    f = res.figures()
    print(f"real: {secs:.1f} s for {params.name} ({f['donors']} donors, {len(res.window.periods)} quarters; "
          f"{run.sampler.chains} chains x {run.sampler.draws} draws; target under 120 s)")
    print(f"  effect {f['effect_pct_median']:+.1f}% ({f['effect_pct_lo']:+.1f} to {f['effect_pct_hi']:+.1f}); "
          f"BCR {f['bcr_median']:.1f} ({f['bcr_lo']:.1f} to {f['bcr_hi']:.1f}); P(>=1) {f['p_bcr_ge_1']:.2f}, "
          f"P(>=3.5) {f['p_bcr_ge_3_5']:.2f}; break-even {f['breakeven_effect_pct_1x']:+.2f}% / "
          f"{f['breakeven_effect_pct_3_5x']:+.2f}%; placebo_p {f['placebo_p']:.3f}; "
          f"time series {f['interrupted_time_series']['effect_pct_median']:+.1f}%; r-hat {f['diagnostics']['rhat_max']:.3f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="what")
    r = sub.add_parser("recovery")
    r.add_argument("--n", type=int, default=102)
    r.add_argument("--draws", type=int, default=500)
    r.add_argument("--concentration", type=float, default=0.2)
    sub.add_parser("real")
    args = ap.parse_args()
    if args.what in (None, "real"):
        real()
    if args.what == "real":
        return 0
    n, draws, conc = getattr(args, "n", 102), getattr(args, "draws", 500), getattr(args, "concentration", 0.2)
    print(f"recovery: {n} simulated panels of 40 units, 2 chains x {draws} draws, Dirichlet concentration {conc}")
    res = recovery(n, draws, conc)
    print(res["by_case"].round(3).to_string())
    print(f"90% interval coverage of the effect: {res['coverage']:.1%} (target 85-95%); mean error of the log effect "
          f"{res['mean_error']:+.4f}, mean absolute error {res['mean_abs_error']:.4f} (classical estimate "
          f"{res['classical_mae']:.4f}); worst r-hat {res['max_rhat']:.3f}; {res['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
