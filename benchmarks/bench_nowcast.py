"""Validation of the where-we-stand measurement model: hold-out on real sources, calibration on simulated panels.

Usage:
    .venv/bin/python benchmarks/bench_nowcast.py holdout [--forces essex,kent] [--draws N]
    .venv/bin/python benchmarks/bench_nowcast.py calibration [--replicates N] [--groups G] [--draws N]

``holdout`` (needs ../shared/data/real): for each force, leaves out in turn the newest ONS P1 edition (12 months to
2025-06), the last six street-count months (2025-07 to 2025-12) and the Home Office quarters of FY 2023/24, fits the
crime model to the rest and scores how often the left-out figures (per offence group) fall inside the 50% and 90%
predictive intervals (the latent sum, times the source's ratio, with the source's Negative Binomial noise).

``calibration`` simulates multi-source panels with known truth (:func:`workbench.data.multisource.simulate`:
the real gaps, drifting ratios), fits crime and ASB, and prints how often the 90% intervals covered the true
latest 12-month total (per group and the whole) and the true street-count ratio at the latest month (per group).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.data import multisource as MS  # noqa: E402
from workbench.evaluations import nowcast as W  # noqa: E402
from workbench.params import NowcastParams, SamplerSection  # noqa: E402

REAL = REPO.parent / "shared" / "data" / "real"
HOLDOUTS = {
    "newest ONS edition": lambda o: (o["kind"] == "ons_p1") & (o["start"] == pd.Timestamp("2024-07-01")),
    "last 6 street months": lambda o: o["kind"].str.startswith("policeuk") & (o["start"] >= pd.Timestamp("2025-07-01")),
    "Home Office FY 2023/24": lambda o: (o["kind"] == "homeoffice_quarterly") & (o["start"] >= pd.Timestamp("2023-04-01")),
}


def predictive(mf: W.MeasureFit, rows: pd.DataFrame, seed: int) -> np.ndarray:
    """Predictive draws of left-out observations: (D, rows). Beyond the grid a ratio keeps its last value plus drift."""
    rng = np.random.default_rng(seed)
    d, fit = mf.fit.design, mf.fit
    pick = fit.pick(seed)
    alpha = fit.draws("alpha")[pick]
    out = np.zeros((len(pick), len(rows)))
    for j, (_, r) in enumerate(rows.iterrows()):
        g = d.groups.index(r["group"])
        sel = (mf.months >= r["start"]) & (mf.months < r["start"] + pd.DateOffset(months=int(r["months"])))
        mean = mf.draws[:, g, sel].sum(axis=1)
        if r["source"] in d.ratio_sources:
            ratio = fit.ratio(r["source"], seed)[:, g, :]
            mid = r["start"] + pd.DateOffset(months=int(r["months"]) // 2)
            t = min(max(0, (mid.year - d.months[0].year) * 12 + mid.month - d.months[0].month), len(d.months) - 1)
            ahead = max(0.0, ((mid.year - d.months[-1].year) * 12 + mid.month - d.months[-1].month) / 12)
            mean = mean * ratio[:, t] * np.exp(rng.normal(0, fit.config.ratio_drift_sd * np.sqrt(ahead), len(mean)))
        a = alpha[:, d.sources.index(r["source"])]
        out[:, j] = rng.poisson(rng.gamma(a, mean / a))
    return out


def holdout(args) -> None:
    if not REAL.is_dir():
        print(f"{REAL} is absent: the hold-out check needs the real data")
        return
    o = REAL / "ons_homeoffice"
    specs = [{"kind": "homeoffice_quarterly", "path": str(o / "ho_prc_pfa_quarterly_offence_group_fy2002_03_to_2023_24_DERIVED_dm2hill.csv")},
             {"kind": "ons_p1", "path": str(o / "ons_pfa_p1_recorded_crime_by_offence_group_rolling12m.csv")},
             {"kind": "policeuk_force_monthly", "path": str(REAL / "policeuk_force_monthly.csv")}]
    p = NowcastParams(sources=specs, asb=False, compare_homeoffice_only=False, model={"forecast_draws": 500})
    sampler = SamplerSection(draws=args.draws, tune=args.draws, chains=2)
    rows = []
    for force in args.forces.split(","):
        sources = MS.load(p.sources, force, p.start)
        for name, rule in HOLDOUTS.items():
            crime = sources.of(MS.CRIME)
            out = rule(crime)
            if not out.any():
                print(f"{force}: nothing to leave out for {name}")
                continue
            held = crime[out].reset_index(drop=True)
            o = sources.obs
            key = ["source", "group", "start"]
            drop = o[key].merge(held[key].assign(_held=True), how="left", on=key)["_held"].eq(True).to_numpy()
            kept = MS.Sources(force, o[~(drop & (o["level"] == "force").to_numpy())].reset_index(drop=True),
                              sources.files, sources.kinds)
            started = time.perf_counter()
            mf = W.fit_measure(kept, MS.CRIME, p, sampler, args.seed, latest=sources.latest_month)
            pred = predictive(mf, held.reset_index(drop=True), args.seed)
            y = held["count"].to_numpy()
            q = np.quantile(pred, [0.05, 0.25, 0.75, 0.95], axis=0)
            for k in range(len(y)):
                rows.append({"force": force, "held out": name, "group": held["group"].iloc[k], "y": y[k],
                             "in50": q[1, k] <= y[k] <= q[2, k], "in90": q[0, k] <= y[k] <= q[3, k]})
            mine = pd.DataFrame(rows[-len(y):])
            print(f"{force}: {name}: {len(y)} figures, inside 50%: {mine['in50'].mean():.2f}, inside 90%: "
                  f"{mine['in90'].mean():.2f}; fit {time.perf_counter() - started:.0f} s, {mf.diagnostics.message()}",
                  flush=True)
    t = pd.DataFrame(rows)
    summary = t.groupby("held out")[["in50", "in90"]].mean().assign(figures=t.groupby("held out").size())
    summary.loc["all"] = [t["in50"].mean(), t["in90"].mean(), len(t)]
    print("\nHold-out coverage of the left-out figures (per offence group), forces:", args.forces)
    print(summary.to_string(float_format=lambda v: f"{v:.2f}"))


def calibration(args) -> None:
    p = NowcastParams(simulate_groups=args.groups, compare_homeoffice_only=False, model={"forecast_draws": 500})
    sampler = SamplerSection(draws=args.draws, tune=args.draws, chains=2)
    rows = []
    for rep in range(args.replicates):
        sim = MS.simulate(1000 + rep, groups=args.groups, asb=True)
        months = sim.truth["months"]
        started = time.perf_counter()
        for measure in (MS.CRIME, MS.ASB_MEASURE):
            mf = W.fit_measure(sim, measure, p, sampler, args.seed + rep)
            d = mf.fit.design
            last12 = (mf.months > mf.latest - pd.DateOffset(months=12)) & (mf.months <= mf.latest)
            true_sel = (months > mf.latest - pd.DateOffset(months=12)) & (months <= mf.latest)
            per_group = mf.draws[:, :, last12].sum(axis=2)
            for g, name in enumerate(d.groups):
                truth = sim.truth["mu"][name][true_sel].sum()
                lo, hi = np.quantile(per_group[:, g], [0.05, 0.95])
                rows.append({"what": "latest 12-month total, per group", "covered": lo <= truth <= hi})
                src = [s for s in d.ratio_sources]
                for s in src:
                    # the ratio at the source's latest month
                    last = sim.months(s, measure)[-1]
                    t = d.months.get_loc(last)
                    r = mf.fit.ratio(s, args.seed)[:, g, t]
                    true_r = sim.truth["ratio"][name][months.get_loc(last)]
                    lo, hi = np.quantile(r, [0.05, 0.95])
                    rows.append({"what": f"ratio at the latest month ({'street' if measure == MS.CRIME else 'P7'})",
                                 "covered": lo <= true_r <= hi})
            if measure == MS.CRIME:
                truth = sum(sim.truth["mu"][n][true_sel].sum() for n in d.groups)
                lo, hi = np.quantile(per_group.sum(axis=1), [0.05, 0.95])
                rows.append({"what": "latest 12-month total, all crime", "covered": lo <= truth <= hi})
        so_far = pd.DataFrame(rows)
        print(f"replicate {rep + 1}/{args.replicates}: {time.perf_counter() - started:.0f} s; 90% coverage so far: "
              + ", ".join(f"{w} {c:.2f}" for w, c in so_far.groupby("what")["covered"].mean().items()), flush=True)
    t = pd.DataFrame(rows)
    summary = t.groupby("what")["covered"].agg(["mean", "size"]).rename(columns={"mean": "90% coverage", "size": "n"})
    summary.loc["all"] = [t["covered"].mean(), len(t)]
    print(f"\nCalibration on {args.replicates} simulated panels ({args.groups} crime groups + ASB): target 0.85-0.95")
    print(summary.to_string(float_format=lambda v: f"{v:.2f}"))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    h = sub.add_parser("holdout")
    h.add_argument("--forces", default="essex,kent")
    h.add_argument("--draws", type=int, default=300)
    h.add_argument("--seed", type=int, default=20240401)
    c = sub.add_parser("calibration")
    c.add_argument("--replicates", type=int, default=10)
    c.add_argument("--groups", type=int, default=2)
    c.add_argument("--draws", type=int, default=300)
    c.add_argument("--seed", type=int, default=20240401)
    args = ap.parse_args(argv)
    {"holdout": holdout, "calibration": calibration}[args.cmd](args)


if __name__ == "__main__":
    main()
