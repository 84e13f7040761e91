"""Forecast accuracy and speed: rolling-origin backtests and the pooled model's fit time.

Usage:
    .venv/bin/python benchmarks/bench_forecast.py                          # both, as below
    .venv/bin/python benchmarks/bench_forecast.py backtest [PARAMS.yaml]   # default params/backtest-homeoffice.yaml
    .venv/bin/python benchmarks/bench_forecast.py backtest [PARAMS.yaml] --ets-only   # ETS and seasonal naive alone
    .venv/bin/python benchmarks/bench_forecast.py speed [--draws N]        # pooled model on the Essex demo panel
    .venv/bin/python benchmarks/bench_forecast.py calibration [--replicates N] [--draws N]
    .venv/bin/python benchmarks/bench_forecast.py validate ORIGIN [--set KEY=VALUE ...] [--spread-growth G,G,...]

``backtest`` runs the ``90-backtest`` settings of a params file (its data,
origins, horizons and sampler) and prints one table: MASE, scaled CRPS and the
coverage of 80% and 95% intervals per model and horizon, then each model's
wall time on the same series, and checks the targets (our MASE at least 10%
below Prophet's and below seasonal naive, our MASE and scaled CRPS at least 8%
below ETS's; 80% intervals covering 75-85% and 95% intervals 91-98%).
``--ets-only`` scores ETS (and seasonal naive, for scale) alone, in minutes.

``speed`` fits the pooled model to the demo panel's 14 areas x 13 crime
categories (monthly, April 2015 to December 2025) twice -- the first run warms
the compile cache -- forecasts to March 2028, and prints the times and the
sampler diagnostics; then Prophet on the same 182 series.

``calibration`` simulates panels from the forecaster's own process (trend,
seasonality, a random-walk level per series and per category, Negative
Binomial counts) with known parameters, fits the first 32 quarters, forecasts
the next 8 and prints how often the 80%, 90% and 95% intervals covered the
simulated truth.

``validate`` fits our model once at one origin with a params file's backtest
settings (``--set`` overrides model keys, e.g. ``--set area_level_walk=true``),
forecasts with each ``--spread-growth`` and prints the scores, then where the
misses of the eight quarters' totals live (shared by all series, per category,
per area, the rest) beside what the model's own draws say
(:func:`workbench.evaluations.backtest.miss_parts`). Settings are chosen on
origins the backtest's test origins come after (2013-04 and 2015-04 for the
Home Office table).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def backtest_settings(params_path: str):
    """The run settings and the ``90-backtest`` parameters of a params file; None (said on stderr) if it has none."""
    from workbench.params import BacktestParams, load_params

    run = load_params(params_path)
    entry = next((e for e in run.notebooks if e.name == "90-backtest"), None)
    if entry is None:
        print(f"{params_path}: no 90-backtest entry in notebooks", file=sys.stderr)
        return None
    return run, BacktestParams.model_validate(entry.parameters)


def print_scores(res) -> pd.DataFrame:
    """Print a backtest's pooled score table and each model's wall time; the table."""
    table = res.table()
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print()
        print(table.round(3).to_string())
        print()
        print(res.wall_times().round(1).to_string())
    return table


def backtest(params_path: str, ets_only: bool = False) -> int:
    from workbench.data import load_panel
    from workbench.evaluations import backtest as bt
    from workbench.models import BAYES, ETS, PROPHET
    from workbench.models.series import series_matrix

    settings = backtest_settings(params_path)
    if settings is None:
        return 2
    run, p = settings
    panel = load_panel(run)
    by = ("area", "category") if p.series_by == "area_category" else ("category",)
    data = series_matrix(panel, by)
    print(f"data: {run.data.label}, {len(data.keys)} series x {len(data.periods)} periods ({data.frequency}), "
          f"origins {p.origins}, horizons {p.horizons}; "
          + ("ETS and seasonal naive only" if ets_only else
             f"sampler {run.sampler.chains} chains x {run.sampler.draws} draws"))
    started = time.perf_counter()
    res = bt.run(data, p.origins, p.horizons, p.model, run.sampler, run.seed, p.prophet and not ets_only,
                 p.prophet_samples, say=lambda s: print(s, flush=True), ets=p.ets or ets_only,
                 ets_samples=p.ets_samples, bayes=not ets_only)
    table = print_scores(res)
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print("\nby origin:")
        print(res.by_origin().round(3).to_string())
        print(f"\nby category, first {max(p.horizons)} periods:")
        print(res.by_category().round(3).to_string())
    print(f"\ntotal wall time {time.perf_counter() - started:.0f} s")
    for h in p.horizons:
        t = table.xs(h, level="horizon")
        if ets_only:
            print(f"horizon {h}: ETS MASE vs seasonal naive {t.loc[ETS, 'MASE'] / t.loc[bt.NAIVE, 'MASE'] - 1:+.1%}")
            continue
        ours = t.loc[BAYES, "MASE"]
        checks = []
        if PROPHET in t.index:
            checks.append(f"MASE vs Prophet {ours / t.loc[PROPHET, 'MASE'] - 1:+.1%} (target <= -10%)")
        checks.append(f"vs seasonal naive {ours / t.loc[bt.NAIVE, 'MASE'] - 1:+.1%} (target < 0)")
        if ETS in t.index:
            checks.append(f"MASE vs ETS {ours / t.loc[ETS, 'MASE'] - 1:+.1%} and scaled CRPS vs ETS "
                          f"{t.loc[BAYES, 'CRPS (scaled)'] / t.loc[ETS, 'CRPS (scaled)'] - 1:+.1%} (targets <= -8%)")
        checks.append(f"80% cover {t.loc[BAYES, '80% coverage']:.1%} (75-85%)")
        checks.append(f"95% cover {t.loc[BAYES, '95% coverage']:.1%} (91-98%)")
        print(f"horizon {h}: " + "; ".join(checks))
    return 0


def forces(params_path: str, force_list: list[str] | None, prophet: bool) -> int:
    """The backtest one force at a time (a series per offence group), pooled over the forces: the single-force setting."""
    import numpy as np

    from workbench.data import load_panel
    from workbench.evaluations import backtest as bt
    from workbench.models import BAYES
    from workbench.models.series import series_matrix

    settings = backtest_settings(params_path)
    if settings is None:
        return 2
    run, p = settings
    panel = load_panel(run)
    names = force_list or sorted(str(f) for f in panel["force"].unique())
    unknown = [f for f in names if f not in set(panel["force"].astype(str))]
    if unknown:
        print(f"--forces: {', '.join(unknown)} not in the data (it holds: {', '.join(sorted(set(panel['force'].astype(str))))})",
              file=sys.stderr)
        return 2
    print(f"data: {run.data.label}, {len(names)} forces one at a time, series by {p.series_by}, origins {p.origins}, "
          f"horizons {p.horizons}; sampler {run.sampler.chains} chains x {run.sampler.draws} draws "
          f"(+{run.sampler.tune} tuning)")
    by = ("area", "category") if p.series_by == "area_category" else ("category",)
    started = time.perf_counter()
    parts = []
    for k, force in enumerate(names, 1):
        data = series_matrix(panel[panel["force"].astype(str) == force], by)
        t0 = time.perf_counter()
        res = bt.run(data, p.origins, p.horizons, p.model, run.sampler, run.seed, prophet and p.prophet,
                     p.prophet_samples, say=lambda s: None)
        parts.append(res)
        t = res.table().xs(max(p.horizons), level="horizon")
        print(f"[{k}/{len(names)}] {force}: {len(data.keys)} series, {time.perf_counter() - t0:.0f} s; "
              f"h{max(p.horizons)} 80% / 95% cover {t.loc[BAYES, '80% coverage']:.0%} / {t.loc[BAYES, '95% coverage']:.0%}",
              flush=True)
    pooled = bt.BacktestResult(pd.concat([r.scores for r in parts], ignore_index=True),
                               pd.concat([r.seconds for r in parts], ignore_index=True))
    table = print_scores(pooled)
    print(f"\ntotal wall time {time.perf_counter() - started:.0f} s")
    for h in p.horizons:
        t = table.xs(h, level="horizon")
        print(f"horizon {h}: 80% cover {t.loc[BAYES, '80% coverage']:.1%} (75-85%), "
              f"95% cover {t.loc[BAYES, '95% coverage']:.1%} (91-98%), MASE {t.loc[BAYES, 'MASE']:.3f} "
              f"vs seasonal naive {t.loc[BAYES, 'MASE'] / t.loc[bt.NAIVE, 'MASE'] - 1:+.1%}")
    return 0 if np.isfinite(table.to_numpy(dtype=float)).all() else 1


def speed(draws: int) -> int:
    from workbench.data import demo
    from workbench.models import negbin, prophet_model
    from workbench.models.sampling import Sampler
    from workbench.models.series import series_matrix

    panel = demo.generate(20240401, "2015-04", "2025-12", 1.0)
    panel = panel[panel["category"] != "Anti-social behaviour"]
    data = series_matrix(panel)
    print(f"demo panel: {len(data.keys)} series ({data.keys['area'].nunique()} areas x "
          f"{data.keys['category'].nunique()} categories) x {len(data.periods)} months")
    cfg = negbin.ModelConfig(shocks=[negbin.Shock("covid", "2020-04", "2021-03")])
    sampler = Sampler(draws=draws, tune=draws, chains=2, cores=2)
    end = pd.Timestamp("2028-03-01")
    for label in ("first run (compile cache may be cold)", "second run (warm cache)"):
        t0 = time.perf_counter()
        fitted = negbin.fit(data, cfg, sampler, seed=1)
        t1 = time.perf_counter()
        _, y = fitted.forecast(end, seed=2)
        t2 = time.perf_counter()
        print(f"{label}: fit {t1 - t0:.1f} s + forecast {t2 - t1:.1f} s = {t2 - t0:.1f} s "
              f"(2 chains x {draws} draws after {draws} tuning, {y.shape[0]} forecast draws)")
    print(negbin.diagnostics(fitted).message())
    _, _, secs = prophet_model.forecast(data, end, seed=2, samples=1000, shocks=cfg.shocks)
    print(f"Prophet on the same {len(data.keys)} series (1000 predictive samples each): {secs:.1f} s")
    return 0


def simulate_panel(rng, areas: int, categories: int, periods: int, walk_sd: float, category_walk_sd: float,
                   walk_df: float | None = None, category_walk_df: float | None = None):
    """Quarterly counts from the forecaster's own process with known parameters: (SeriesSet of all periods).

    The series walks' steps are Normal, or Student-t with ``walk_df`` degrees of freedom, and the category walks'
    with ``category_walk_df`` (scaled by the sds).
    """
    import numpy as np

    from workbench.models.negbin import innovations
    from workbench.models.series import SeriesSet

    idx = pd.date_range("2010-04-01", periods=periods, freq="QS-APR")
    keys = pd.DataFrame({"area": [f"A{a:02d}" for a in range(areas) for _ in range(categories)],
                         "category": [f"C{c}" for c in range(categories)] * areas})
    ci = np.tile(np.arange(categories), areas)
    t = np.arange(periods) / 4.0
    slope = rng.normal(0, 0.05, categories)                       # annual log-rate change per category
    season = rng.normal(0, 0.1, (categories, 2)) @ np.vstack([np.sin(2 * np.pi * t), np.cos(2 * np.pi * t)])
    cat_walk = np.cumsum(category_walk_sd * innovations(rng, category_walk_df, (categories, periods)), axis=1)
    walk = np.cumsum(walk_sd * innovations(rng, walk_df, (len(keys), periods)), axis=1)
    level = np.log(rng.uniform(50, 800, len(keys)))
    mu = np.exp(level[:, None] + slope[ci, None] * t[None, :] + season[ci] + cat_walk[ci] + walk)
    alpha = 40.0
    y = rng.poisson(rng.gamma(alpha, mu / alpha))
    return SeriesSet(idx, "Q", keys, y.astype(float))


def steps(df: float | None) -> str:
    """How a walk's steps are drawn, for the benchmark's printout."""
    return "Normal steps" if df is None else f"Student-t steps, {df:g} df"


def calibration(replicates: int, draws: int, walk_df: float | None = None,
                category_walk_df: float | None = None) -> int:
    """Interval coverage on simulated panels with known truth: do 80/90/95% intervals cover 80/90/95%?

    The series walks take Student-t steps with ``walk_df`` degrees of freedom and the category walks with
    ``category_walk_df`` (Normal steps when None), in the simulation and in the fit alike.
    """
    import numpy as np

    from workbench.models import negbin
    from workbench.models.sampling import Sampler

    areas, categories, history, ahead = 6, 3, 32, 8
    cfg = negbin.ModelConfig(series_level_walk=True, category_level_walk=True, level_walk_df=walk_df,
                             category_walk_df=category_walk_df, fourier_order=1, shocks=[])
    sampler = Sampler(draws=draws, tune=draws, chains=2, cores=2)
    probs = (0.80, 0.90, 0.95)
    hits = {(w, p): [] for w in ("h1-4", "h5-8") for p in probs}
    worst_rhat, started = 1.0, time.perf_counter()
    print(f"{replicates} simulated panels: {areas} areas x {categories} categories, {history} quarters fitted, "
          f"{ahead} forecast; series walk sd 0.03 a quarter ({steps(walk_df)}) and category walk sd 0.03 "
          f"({steps(category_walk_df)}), fitted as such; NegBin alpha 40; 2 chains x {draws} draws", flush=True)
    for r in range(replicates):
        rng = np.random.default_rng(np.random.SeedSequence(20241122, spawn_key=(r,)))
        full = simulate_panel(rng, areas, categories, history + ahead, 0.03, 0.03, walk_df, category_walk_df)
        train = full.truncate(full.periods[history - 1])
        fitted = negbin.fit(train, cfg, sampler, seed=r)
        worst_rhat = max(worst_rhat, negbin.diagnostics(fitted).max_rhat)
        _, fc = fitted.forecast(full.periods[-1], seed=r, max_draws=1000)
        actual = full.y[:, history:]
        for p in probs:
            lo, hi = np.quantile(fc, [(1 - p) / 2, (1 + p) / 2], axis=0)
            inside = (actual >= lo) & (actual <= hi)
            hits[("h1-4", p)].append(inside[:, :4].ravel())
            hits[("h5-8", p)].append(inside[:, 4:].ravel())
        print(f"  panel {r + 1}/{replicates} done ({time.perf_counter() - started:.0f} s)", flush=True)
    rows = []
    for (window, p), h in hits.items():
        x = np.concatenate(h)
        # Forecasts within a panel share their category's walk: the standard error comes from the spread
        # of the panels' own coverages, not from treating every forecast as independent.
        per_panel = np.array([v.mean() for v in h])
        se = per_panel.std(ddof=1) / np.sqrt(len(h)) if len(h) > 1 else float("nan")
        rows.append({"quarters ahead": window, "interval": f"{p:.0%}", "covered": f"{x.mean():.1%}",
                     "+/- 2 se (between panels)": f"{2 * se:.1%}", "forecasts": len(x)})
    print()
    print(pd.DataFrame(rows).to_string(index=False))
    print(f"\nworst r-hat over the fits {worst_rhat:.3f}; total {time.perf_counter() - started:.0f} s")
    return 0


def validate(params_path: str, origin: str, overrides: list[str], growths: list[float]) -> int:
    import numpy as np
    import yaml
    from dataclasses import replace

    from workbench.data import load_panel
    from workbench.evaluations import backtest as bt
    from workbench.models import negbin
    from workbench.models.series import series_matrix

    settings = backtest_settings(params_path)
    if settings is None:
        return 2
    run, p = settings
    update, fields = {}, type(p.model).model_fields
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep or key not in fields:
            print(f"--set {item}: expected KEY=VALUE with KEY one of the model keys ({', '.join(fields)})",
                  file=sys.stderr)
            return 2
        update[key] = yaml.safe_load(value)
    try:
        model = type(p.model).model_validate({**p.model.model_dump(), **update})
    except ValueError as e:
        print(f"--set {' '.join(overrides)}: {e}", file=sys.stderr)
        return 2
    data = series_matrix(load_panel(run), ("area", "category"))
    H = max(p.horizons)
    o = pd.Timestamp(f"{origin}-01")
    if o not in data.periods or data.periods.get_loc(o) + H > len(data.periods):
        print(f"origin {origin}: expected a period of the data ({data.periods[0]:%Y-%m} to {data.periods[-1]:%Y-%m}) "
              f"with {H} periods after it", file=sys.stderr)
        return 2
    i = data.periods.get_loc(o)
    train, actual = data.truncate(data.periods[i - 1]), data.y[:, i:i + H]
    keep, _ = bt.active_series(train)
    train, actual = train.subset(np.nonzero(keep)[0]), actual[keep]
    print(f"origin {origin}: {len(train.keys)} series, {H} ahead; model overrides {update or 'none'}", flush=True)
    started = time.perf_counter()
    fitted = negbin.fit(train, model.settings(), run.sampler.settings(), run.seed)
    print(f"fit {time.perf_counter() - started:.0f} s; {negbin.diagnostics(fitted).message()}")
    rows, first = [], None
    for g in growths or [model.spread_growth]:
        f = replace(fitted, config=replace(fitted.config, spread_growth=g))
        draws = f.forecast(data.periods[i + H - 1], run.seed, max_draws=model.forecast_draws)[1]
        first = draws if first is None else first
        rows += [{"spread_growth": g, **r} for r in bt.score(draws, actual, bt.mase_scale(train), p.horizons)]
    table = pd.DataFrame(rows).set_index(["spread_growth", "horizon"])
    table["mean crps over horizons"] = table.groupby(level="spread_growth")["crps"].transform("mean")
    with pd.option_context("display.width", 160):
        print(table.round(4).to_string())
        print(f"\nwhere the misses live (totals over quarters {H // 2 + 1}-{H}, spread_growth {(growths or [model.spread_growth])[0]}):")
        print(bt.miss_parts(first, actual, train.keys, slice(H // 2, H)).round(3).to_string())
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="what")
    b = sub.add_parser("backtest")
    b.add_argument("params", nargs="?", default=str(REPO / "params" / "backtest-homeoffice.yaml"))
    b.add_argument("--ets-only", action="store_true", help="score ETS (and seasonal naive) alone, without our model")
    f = sub.add_parser("forces", help="the backtest one force at a time (validates the single-force preset)")
    f.add_argument("params", nargs="?", default=str(REPO / "params" / "backtest-homeoffice-forces.yaml"))
    f.add_argument("--forces", default=None, help="comma-separated force slugs (default: every force in the data)")
    f.add_argument("--no-prophet", action="store_true", help="our model and seasonal naive only")
    s = sub.add_parser("speed")
    s.add_argument("--draws", type=int, default=300)
    c = sub.add_parser("calibration")
    c.add_argument("--replicates", type=int, default=20)
    c.add_argument("--draws", type=int, default=500)
    c.add_argument("--walk-df", type=float, default=None,
                   help="simulate and fit Student-t walk steps with these degrees of freedom (default: Normal steps)")
    c.add_argument("--category-walk-df", type=float, default=None,
                   help="the same for the category walks only (default: as --walk-df)")
    v = sub.add_parser("validate")
    v.add_argument("origin", help="YYYY-MM, a period of the data")
    v.add_argument("--params", default=str(REPO / "params" / "backtest-homeoffice.yaml"))
    v.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a model key")
    v.add_argument("--spread-growth", default=None, help="comma-separated values to forecast with (default: the params')")
    args = ap.parse_args()
    if args.what == "validate":
        growths = [float(g) for g in args.spread_growth.split(",")] if args.spread_growth else []
        return validate(args.params, args.origin, args.set, growths)
    if args.what is None:  # `make bench`: speed and the backtest
        return speed(300) or backtest(str(REPO / "params" / "backtest-homeoffice.yaml"))
    if args.what == "forces":
        return forces(args.params, args.forces.split(",") if args.forces else None, not args.no_prophet)
    if args.what == "calibration":
        cat_df = args.walk_df if args.category_walk_df is None else args.category_walk_df
        return calibration(args.replicates, args.draws, args.walk_df, cat_df)
    return backtest(args.params, args.ets_only) if args.what == "backtest" else speed(args.draws)


if __name__ == "__main__":
    sys.exit(main())
