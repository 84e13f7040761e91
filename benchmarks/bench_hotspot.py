"""Hotspot evaluation: time to a posterior.

Usage:
    .venv/bin/python benchmarks/bench_hotspot.py

Times one fit of 20 hotspots + 200 controls (and a 60-LSOA ring) x 36 months to a posterior (target under 60 s
on 2 cores), twice: the first run may compile. Calibration is in ``bench_hotspot_recovery.py``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def speed() -> None:
    from workbench.evaluations.hotspot import summarise
    from workbench.models import cits
    from workbench.models.sampling import Sampler
    from workbench.reference import prior

    EVIDENCE_PRIOR, SPILLOVER_PRIOR = prior("hotspot_effect"), prior("hotspot_spillover")

    rng = np.random.default_rng(1)
    design, _ = cits.simulate(rng, -0.174, 0.0, n_hot=20, n_ring=60, n_ctrl=200, pre=24, post=12)
    sampler = Sampler(draws=1000, tune=1000, chains=2, cores=2)
    for label in ("first run (may compile)", "second run"):
        t0 = time.perf_counter()
        fit = cits.fit(design, cits.Prior(EVIDENCE_PRIOR["mean"], EVIDENCE_PRIOR["sd"]),
                       cits.Prior(SPILLOVER_PRIOR["mean"], SPILLOVER_PRIOR["sd"]), sampler, 1)
        secs = time.perf_counter() - t0
        s = summarise(fit)
        print(f"{label}: {secs:.1f} s for 280 LSOAs x 36 months (2 chains x 1000 draws after 1000 tuning); "
              f"r-hat max {s.diagnostics[0]:.3f}, bulk ESS min {s.diagnostics[1]:.0f}, {s.diagnostics[2]} divergences "
              f"(target under 60 s)")


def main() -> int:
    speed()
    return 0


if __name__ == "__main__":
    sys.exit(main())
