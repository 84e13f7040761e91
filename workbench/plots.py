"""Figures an analyst would paste into a board paper.

Every figure's title names the data it is built on (e.g. "synthetic demo data").
Functions return the matplotlib Figure; notebooks show it.
"""

from __future__ import annotations

import math

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import pandas as pd

from workbench.report import title
from workbench.yardstick import HI_Q, LO_Q

PALETTE = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#843c0c")


def _style(ax: plt.Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def thousands(v: float, _pos=None) -> str:
    """An axis tick with thousands separators and a true minus sign: ``12500`` → ``"12,500"``, ``0.5`` → ``"0.5"``."""
    text = f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,g}"
    return text.replace("-", "\u2212")


def _counts_axis(axis) -> None:
    """Thousands separators on a count axis (``ax.yaxis`` or ``ax.xaxis``)."""
    axis.set_major_formatter(mticker.FuncFormatter(thousands))


def _dates(ax: plt.Axes, index: pd.DatetimeIndex) -> None:
    """Date ticks that do not crowd a small panel (chosen from the span); numbers with thousands separators."""
    months = (index.max().year - index.min().year) * 12 + index.max().month - index.min().month
    if months > 48:
        locator = mdates.YearLocator(2 if months > 96 else 1)
    elif months > 18:
        locator = mdates.MonthLocator(bymonth=[1, 7])
    else:
        locator = mdates.MonthLocator(bymonth=[1, 4, 7, 10])
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    _counts_axis(ax.yaxis)


def _gapped(series: pd.Series) -> pd.Series:
    """Reindex a monthly series to every month so missing months show as gaps, not straight lines."""
    full = pd.date_range(series.index.min(), series.index.max(), freq="MS")
    return series.reindex(full)


def lines(wide: pd.DataFrame, heading: str, label: str, ylabel: str = "count per month", zero: bool = True) -> plt.Figure:
    """One line per column on shared axes; missing months are gaps; the axis starts at 0 unless ``zero`` is False."""
    fig, ax = plt.subplots(figsize=(10, 4.2))
    for i, col in enumerate(wide.columns):
        ax.plot(_gapped(wide[col]), label=str(col), color=PALETTE[i % len(PALETTE)], linewidth=1.6)
    ax.set_title(title(heading, label), loc="left", fontsize=11)
    ax.set_ylabel(ylabel)
    if zero:
        ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize=8, ncols=min(4, len(wide.columns)))
    _counts_axis(ax.yaxis)
    _style(ax)
    fig.tight_layout()
    return fig


def _grid_done(fig: plt.Figure, axes, n: int, heading: str, label: str) -> plt.Figure:
    """Hide the unused panels of a grid of ``n`` and title the figure with its data."""
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.suptitle(title(heading, label), x=0.01, ha="left", fontsize=11)
    fig.tight_layout()
    return fig


def small_multiples(wide: pd.DataFrame, heading: str, label: str, ncols: int = 4) -> plt.Figure:
    """A small panel per column, each on its own scale (for categories or areas of very different size)."""
    n = wide.shape[1]
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 2.1 * nrows), sharex=True, squeeze=False)
    for ax, col in zip(axes.flat, wide.columns):
        ax.plot(_gapped(wide[col]), color=PALETTE[0], linewidth=1.1)
        ax.set_title(str(col), fontsize=9, loc="left")
        ax.set_ylim(bottom=0)
        ax.tick_params(labelsize=7)
        _dates(ax, wide.index)
        _style(ax)
    return _grid_done(fig, axes, n, heading, label)


def bars(values: pd.Series, heading: str, label: str, xlabel: str = "", reference: float | None = None) -> plt.Figure:
    """Horizontal bars, largest at the top; an optional reference line (e.g. 1 for an index)."""
    values = values.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(values) + 1.2))
    ax.barh([str(i) for i in values.index], values.to_numpy(), color=PALETTE[0])
    if reference is not None:
        ax.axvline(reference, color="#444444", linewidth=0.8, linestyle="--")
    ax.set_title(title(heading, label), loc="left", fontsize=11)
    ax.set_xlabel(xlabel)
    _counts_axis(ax.xaxis)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def coverage(table: pd.DataFrame, heading: str, label: str, unit: str = "periods", row_label=None) -> plt.Figure:
    """Interval coverage, one row per horizon and origin (or category), one marker per model, beside the nominal level.

    ``table`` is indexed by horizon, origin and model with the columns cover80 and cover95 (as
    :meth:`workbench.evaluations.backtest.BacktestResult.by_origin` returns it); or by any row keys then model,
    with ``row_label`` naming a row from its key (the columns may also be "80% coverage" and "95% coverage", as
    ``by_category`` returns them). A marker left of its dashed line is an interval that was too narrow there.
    """
    table = table.rename(columns={"80% coverage": "cover80", "95% coverage": "cover95"})
    row_label = row_label or (lambda key: f"from {key[1]}, first {key[0]} {unit}")
    models = list(dict.fromkeys(table.index.get_level_values("model")))
    rows = list(dict.fromkeys(key[:-1] for key in table.index))[::-1]
    fig, axes = plt.subplots(1, 2, figsize=(9, 0.3 * len(rows) * max(1, len(models) / 3) + 1.8), sharey=True)
    for ax, (col, nominal) in zip(axes, (("cover80", 0.80), ("cover95", 0.95))):
        for k, model in enumerate(models):
            offset = (k - (len(models) - 1) / 2) * 0.18
            cover = [table[col].get((*row, model), float("nan")) for row in rows]
            ax.plot(cover, [i + offset for i in range(len(rows))], "o", color=PALETTE[k % len(PALETTE)],
                    markersize=5, label=model)
        ax.axvline(nominal, color="#444444", linewidth=0.8, linestyle="--")
        ax.set_xlim(0, 1.02)
        ax.xaxis.set_major_formatter(mticker.PercentFormatter(1.0, decimals=0))
        ax.set_xlabel(f"share of outcomes inside the {nominal:.0%} interval")
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    axes[0].set_yticks(range(len(rows)), [row_label(row if len(row) > 1 else row[0]) for row in rows], fontsize=8)
    axes[1].legend(frameon=False, fontsize=8, loc="lower left")
    fig.suptitle(title(heading, label), x=0.01, ha="left", fontsize=11)
    fig.tight_layout()
    return fig


def seasonal(profile: pd.DataFrame, heading: str, label: str) -> plt.Figure:
    """Month-of-year index, one line per series, with the mean (1) marked."""
    fig, ax = plt.subplots(figsize=(8, 3.6))
    for i, col in enumerate(profile.columns):
        ax.plot(profile.index, profile[col], marker="o", label=str(col), color=PALETTE[i % len(PALETTE)])
    ax.axhline(1, color="#444444", linewidth=0.8, linestyle="--")
    ax.set_title(title(heading, label), loc="left", fontsize=11)
    ax.set_ylabel("index (year average = 1)")
    ax.legend(frameon=False, fontsize=8)
    _style(ax)
    fig.tight_layout()
    return fig


def goal_fan(rolls: dict[str, pd.DataFrame], target: pd.Series, heading: str, label: str,
             baseline_end: pd.Timestamp | None = None) -> plt.Figure:
    """History and forecast of 12-month rolling totals with 50% / 90% bands per model, and the target path.

    ``rolls`` maps a model name to :meth:`Tracked.rolling_12m` output (history rows identical across models).
    """
    fig, ax = plt.subplots(figsize=(10, 4.6))
    first = next(iter(rolls.values()))
    hist = first[~first["forecast"]]["q50"]
    ax.plot(hist.index, hist.to_numpy(), color="#222222", linewidth=1.8, label="recorded (12-month total)")
    for i, (name, roll) in enumerate(rolls.items()):
        fut = roll[roll["forecast"]]
        if fut.empty:
            continue
        # Join the fan to the last recorded point.
        fut = pd.concat([roll[~roll["forecast"]].tail(1), fut])
        colour = PALETTE[(i + 1) % len(PALETTE)]
        ax.fill_between(fut.index, fut["q05"], fut["q95"], color=colour, alpha=0.15, linewidth=0)
        ax.fill_between(fut.index, fut["q25"], fut["q75"], color=colour, alpha=0.3, linewidth=0)
        ax.plot(fut.index, fut["q50"], color=colour, linewidth=1.6, label=f"{name}: median, 50% and 90% bands")
    ax.plot(target.index, target.to_numpy(), color="#c00000", linestyle="--", marker="o", linewidth=1.4,
            label="target path (constant rate)")
    if baseline_end is not None:
        ax.axvline(baseline_end, color="#888888", linewidth=0.8, linestyle=":")
    ax.set_title(title(heading, label), loc="left", fontsize=11)
    ax.set_ylabel("12-month total")
    ax.set_ylim(bottom=0)
    _counts_axis(ax.yaxis)
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    _style(ax)
    fig.tight_layout()
    return fig


def forest(table: pd.DataFrame, heading: str, label: str, pooled: tuple[float, float, float] | None = None) -> plt.Figure:
    """Per-unit effects (% change, median and interval) as a forest plot; ``pooled`` = (median, lo, hi) drawn on top."""
    t = table.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.28 * len(t) + 1.6))
    y = range(len(t))
    ax.errorbar(t["effect % (median)"], list(y), xerr=[t["effect % (median)"] - t["lo %"], t["hi %"] - t["effect % (median)"]],
                fmt="o", color=PALETTE[0], ecolor="#9db3cc", markersize=4, capsize=0, linewidth=2)
    if pooled is not None:
        med, lo, hi = pooled
        ax.axvspan(lo, hi, color=PALETTE[1], alpha=0.12, linewidth=0)
        ax.axvline(med, color=PALETTE[1], linewidth=1.2, label=f"all hotspots: {med:+.1f}% ({lo:+.1f} to {hi:+.1f})")
        ax.legend(frameon=False, fontsize=8, loc="lower right")
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.set_yticks(list(y), t["area_name"].astype(str).tolist(), fontsize=8)
    ax.set_xlabel("% change against the counterfactual")
    ax.set_title(title(heading, label), loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def observed_vs_counterfactual(months: pd.DatetimeIndex, observed: "np.ndarray", fitted: "np.ndarray",
                               counterfactual: "np.ndarray", start: pd.Timestamp, heading: str, label: str,
                               ylabel: str = "count per month, all hotspots", names: tuple[str, str] = (
                                   "model (fitted)", "without the patrols"), monthly: bool = True) -> plt.Figure:
    """Observed totals, the fitted expectation and the counterfactual after ``start`` (90% bands over draws)."""
    import numpy as np

    fig, ax = plt.subplots(figsize=(10, 4.2))
    obs = pd.Series(observed, index=months)
    ax.plot(_gapped(obs) if monthly else obs, color="#222222", marker="o", markersize=2.5, linewidth=1.0,
            label="recorded")
    for arr, colour, name in ((fitted, PALETTE[0], names[0]), (counterfactual, PALETTE[1], names[1])):
        q = np.quantile(arr, [LO_Q, 0.5, HI_Q], axis=0)
        after = months >= start if name != names[0] else np.ones(len(months), bool)
        ax.fill_between(months[after], q[0][after], q[2][after], color=colour, alpha=0.18, linewidth=0)
        ax.plot(months[after], q[1][after], color=colour, linewidth=1.5, label=f"{name}: median and 90% band")
    ax.axvline(start, color="#888888", linestyle=":", linewidth=1)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(ylabel)
    _counts_axis(ax.yaxis)
    ax.set_title(title(heading, label), loc="left", fontsize=11)
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    _style(ax)
    fig.tight_layout()
    return fig


def concentration(curve: pd.DataFrame, heading: str, label: str, marks: tuple[float, ...] = (0.01, 0.05, 0.10)) -> plt.Figure:
    """Share of the measure held by the top share of areas (a Lorenz-style concentration curve)."""
    import numpy as np

    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    x, y = curve["share of areas"].to_numpy(), curve["share of total"].to_numpy()
    ax.plot(np.r_[0, x] * 100, np.r_[0, y] * 100, color=PALETTE[0], linewidth=1.8)
    ax.plot([0, 100], [0, 100], color="#aaaaaa", linestyle="--", linewidth=0.8, label="even spread")
    for m in marks:
        i = max(0, int(np.ceil(m * len(x))) - 1)
        ax.annotate(f"top {m:.0%}: {y[i]:.0%}", (x[i] * 100, y[i] * 100), textcoords="offset points", xytext=(8, -12), fontsize=8)
        ax.plot(x[i] * 100, y[i] * 100, "o", color=PALETTE[1], markersize=4)
    ax.set_xlabel("% of areas (busiest first)")
    ax.set_ylabel("% of the total")
    ax.set_title(title(heading, label), loc="left", fontsize=10)
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    _style(ax)
    fig.tight_layout()
    return fig


def prior_posterior(draws: dict[str, "np.ndarray"], heading: str, label: str, xlabel: str = "% change") -> plt.Figure:
    """Posterior densities of one quantity under several priors (histograms on shared bins)."""
    import numpy as np

    fig, ax = plt.subplots(figsize=(8, 3.6))
    allv = np.concatenate(list(draws.values()))
    bins = np.linspace(np.quantile(allv, 0.001), np.quantile(allv, 0.999), 50)
    for i, (name, v) in enumerate(draws.items()):
        ax.hist(v, bins=bins, density=True, alpha=0.45, color=PALETTE[i % len(PALETTE)], label=name)
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.set_xlabel(xlabel)
    ax.set_yticks([])
    ax.set_title(title(heading, label), loc="left", fontsize=11)
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right", "left"]].set_visible(False)
    fig.tight_layout()
    return fig


def _histogram_done(fig: plt.Figure, ax: plt.Axes, heading: str, label: str) -> plt.Figure:
    """The finish of a one-row histogram with marked values: no y axis, legend, titled."""
    ax.set_yticks([])
    ax.legend(frameon=False, fontsize=8)
    ax.set_title(title(heading, label), loc="left", fontsize=11)
    ax.spines[["top", "right", "left"]].set_visible(False)
    fig.tight_layout()
    return fig


def placebo_hist(actual: float, stats: "np.ndarray", p: float, heading: str, label: str) -> plt.Figure:
    """Placebo statistics (log DiD of random control sets) as % changes, with the hotspots' own marked."""
    import numpy as np

    fig, ax = plt.subplots(figsize=(8, 3.2))
    ax.hist(100 * (np.exp(stats) - 1), bins=40, color="#9db3cc")
    ax.axvline(100 * (np.exp(actual) - 1), color=PALETTE[1], linewidth=2, label=f"the hotspots (placebo p = {p:.3f})")
    ax.set_xlabel("difference-in-differences, % change")
    return _histogram_done(fig, ax, heading, label)


def ratio_posterior(draws: "np.ndarray", marks: dict[float, str], heading: str, label: str) -> plt.Figure:
    """Posterior of a benefit-cost ratio with reference ratios marked and the share of draws above each."""
    import numpy as np

    fig, ax = plt.subplots(figsize=(8, 3.2))
    lo, hi = np.quantile(draws, [0.01, 0.99])
    ax.hist(np.clip(draws, lo, hi), bins=60, color="#9db3cc")
    for i, (x, name) in enumerate(sorted(marks.items())):
        ax.axvline(x, color=PALETTE[1 + i], linewidth=2, label=f"{name}: P(ratio >= {x:g}) = {np.mean(draws >= x):.2f}")
    ax.set_xlabel("benefit-cost ratio (1st-99th percentile of draws)")
    return _histogram_done(fig, ax, heading, label)


def tornado(table: pd.DataFrame, base: float, heading: str, label: str) -> plt.Figure:
    """Tornado chart: the ratio with each input at its low and high value (rows ``input, low, high, bcr_at_low, bcr_at_high``)."""
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(table) + 1.2))
    rows = table.iloc[::-1].reset_index(drop=True)
    for i, r in rows.iterrows():
        ax.barh(i, r["bcr_at_low"] - base, left=base, color=PALETTE[0], height=0.6)
        ax.barh(i, r["bcr_at_high"] - base, left=base, color=PALETTE[1], height=0.6)
        ax.text(min(r["bcr_at_low"], r["bcr_at_high"]), i, f"{r['low']:g} ", va="center", ha="right", fontsize=8)
        ax.text(max(r["bcr_at_low"], r["bcr_at_high"]), i, f" {r['high']:g}", va="center", ha="left", fontsize=8)
    ax.set_yticks(range(len(rows)), [str(x).replace("_", " ") for x in rows["input"]])
    ax.axvline(base, color="#222222", linewidth=1)
    ax.set_xlabel(f"median benefit-cost ratio (as given: {base:.2f}); blue = low value, orange = high value")
    ax.set_title(title(heading, label), loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def placebo_ratios(table: pd.DataFrame, p: float, heading: str, label: str) -> plt.Figure:
    """Post/pre prediction-error ratio of every unit (``unit, treated, ratio``), the treated one highlighted."""
    t = table.sort_values("ratio")
    fig, ax = plt.subplots(figsize=(8, 0.22 * len(t) + 1.2))
    colours = [PALETTE[1] if tr else "#9db3cc" for tr in t["treated"]]
    ax.barh(range(len(t)), t["ratio"], color=colours)
    ax.set_yticks(range(len(t)), t["unit"], fontsize=7)
    ax.set_xlabel(f"post / pre root mean squared prediction error (treated in orange; placebo p = {p:.3f})")
    ax.set_title(title(heading, label), loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


SPC_COLOURS = {"improving": "#2e75b6", "deteriorating": "#c55a11", "neutral": "#7030a0", "common": "#7f7f7f"}


def spc_charts(items: list, heading: str, label: str, ncols: int = 3) -> plt.Figure:
    """Small-multiple XmR charts: values, mean (solid), process limits (dashed) per phase, target (green),
    and points that signal coloured blue (improving), orange (concerning) or purple (no better direction)."""
    import numpy as np

    n = len(items)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.3 * ncols, 2.6 * nrows), squeeze=False)
    for ax, it in zip(axes.flat, items):
        c = it.chart
        ax.plot(c.index, c["value"], color=SPC_COLOURS["common"], linewidth=1.0, marker="o", markersize=2.5)
        for _, ph in c.groupby("phase"):
            ax.plot(ph.index, ph["mean"], color="#333333", linewidth=0.9)
            ax.plot(ph.index, ph["ucl"], color="#333333", linewidth=0.8, linestyle="--")
            ax.plot(ph.index, ph["lcl"], color="#333333", linewidth=0.8, linestyle="--")
        for sign in (1, -1):
            pts = c[c["signal"] == sign]
            if len(pts) == 0:
                continue
            if it.good in ("up", "down"):
                good = (sign > 0) == (it.good == "up")
                colour = SPC_COLOURS["improving" if good else "deteriorating"]
            else:
                colour = SPC_COLOURS["neutral"]
            ax.plot(pts.index, pts["value"], "o", color=colour, markersize=4)
        if len(it.targets):
            ax.step(it.targets.index, it.targets.to_numpy(), where="post", color=PALETTE[2], linewidth=1.0)
        ax.set_title(f"{it.name}\n{it.reading.status}", fontsize=8.5, loc="left")
        ax.tick_params(labelsize=7)
        ax.set_ylabel(it.unit, fontsize=7)
        if it.unit == "count" or np.nanmin(c["value"]) >= 0:
            ax.set_ylim(bottom=max(0.0, ax.get_ylim()[0]))  # limits below zero are not drawn below the axis
        _dates(ax, c.index)
        _style(ax)
    return _grid_done(fig, axes, n, heading, label)


def claims_chart(readings: pd.DataFrame, heading: str, label: str) -> plt.Figure:
    """Dot and interval per reading of every claim: the recomputed change (dot) with its interval (line), the
    claimed change (cross), zero (grey line); readings that cannot be tested are listed with the words saying so."""
    rows = readings.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(10, 0.34 * len(rows) + 1.4))
    y = list(range(len(rows)))[::-1]
    colours = {"reproduced": PALETTE[2], "close": PALETTE[4], "not reproduced": PALETTE[1]}
    for yi, (_, r) in zip(y, rows.iterrows(), strict=True):
        if r["verdict"] in colours:
            c = colours[r["verdict"]]
            ax.plot([r["lo_pct"], r["hi_pct"]], [yi, yi], color=c, linewidth=2, solid_capstyle="butt")
            ax.plot(r["change_pct"], yi, "o", color=c, markersize=6)
        else:
            ax.text(0, yi, "  not testable", va="center", fontsize=7, color="#777777")
        claimed = r.get("claimed_pct")
        if pd.isna(claimed) and pd.notna(r.get("claimed_count")) and pd.notna(r.get("before")):
            claimed = 100 * r["claimed_count"] / r["before"]  # a count claim, as % of the earlier total
        if pd.notna(claimed) and r["verdict"] in colours:
            ax.plot(claimed, yi, "x", color="black", markersize=7)
    ax.axvline(0, color="#999999", linewidth=0.8)
    ax.set_yticks(y, [f"{r['id']}: {r['reading']} ({r['source_key']})" if r["source_key"] else str(r["id"])
                      for _, r in rows.iterrows()], fontsize=7)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel("% change (dot: recomputed, line: interval, x: claimed; green reproduced, gold close, orange not)")
    ax.set_title(title(heading, label).replace(" — ", "\n— "), loc="left", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    fig.tight_layout()
    return fig


def sources_chart(obs: pd.DataFrame, bands: pd.DataFrame, latest: pd.Timestamp, target: pd.Series | None,
                  heading: str, label: str) -> plt.Figure:
    """Every source's observations as monthly rates on one time axis, the latent path with its 50% / 90% bands
    (a fan after ``latest``) and the target path as a monthly rate.

    ``obs`` has columns source, mid (the window's middle), monthly (count / months), months; ``bands`` the latent
    monthly total's quantiles (q05 ... q95) by month (:func:`workbench.evaluations.nowcast.observations_chart_data`).
    """
    fig, ax = plt.subplots(figsize=(10, 4.8))
    ax.fill_between(bands.index, bands["q05"], bands["q95"], color=PALETTE[0], alpha=0.15, linewidth=0)
    ax.fill_between(bands.index, bands["q25"], bands["q75"], color=PALETTE[0], alpha=0.3, linewidth=0)
    past = bands.index <= latest
    ax.plot(bands.index[past], bands["q50"][past], color=PALETTE[0], linewidth=1.4, label="latent path (median, 50%, 90%)")
    ax.plot(bands.index[~past], bands["q50"][~past], color=PALETTE[0], linewidth=1.4, linestyle="--",
            label="forecast from the same draws")
    markers = "os^vDP"
    for i, (name, rows) in enumerate(obs.groupby("source")):
        ax.scatter(rows["mid"], rows["monthly"], s=12 if rows["months"].iloc[0] == 1 else 22,
                   marker=markers[i % len(markers)], color=PALETTE[(i + 1) % len(PALETTE)],
                   label=f"{name} (per month)", zorder=3)
    if target is not None:
        ax.plot(target.index, target.to_numpy() / 12, color="#c00000", linestyle="--", linewidth=1.2,
                label="target path (per month)")
    ax.axvline(latest, color="#888888", linewidth=0.8, linestyle=":")
    ax.set_title(title(heading, label), loc="left", fontsize=11)
    ax.set_ylabel("count per month")
    ax.set_ylim(bottom=0)
    _counts_axis(ax.yaxis)
    ax.legend(frameon=False, fontsize=7, loc="lower left", ncol=2)
    _style(ax)
    fig.tight_layout()
    return fig
