"""Figures an analyst would paste into a board paper.

Every figure's title names the data it is built on (e.g. "synthetic demo data").
Functions return the matplotlib Figure; notebooks show it.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd

from workbench.report import title

PALETTE = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#843c0c")


def _style(ax: plt.Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def _gapped(series: pd.Series) -> pd.Series:
    """Reindex a monthly series to every month so missing months show as gaps, not straight lines."""
    full = pd.date_range(series.index.min(), series.index.max(), freq="MS")
    return series.reindex(full)


def lines(wide: pd.DataFrame, heading: str, label: str, ylabel: str = "count per month") -> plt.Figure:
    """One line per column on shared axes; missing months are gaps."""
    fig, ax = plt.subplots(figsize=(10, 4.2))
    for i, col in enumerate(wide.columns):
        ax.plot(_gapped(wide[col]), label=str(col), color=PALETTE[i % len(PALETTE)], linewidth=1.6)
    ax.set_title(title(heading, label), loc="left", fontsize=11)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize=8, ncols=min(4, len(wide.columns)))
    _style(ax)
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
        _style(ax)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.suptitle(title(heading, label), x=0.01, ha="left", fontsize=11)
    fig.tight_layout()
    return fig


def bars(values: pd.Series, heading: str, label: str, xlabel: str = "", reference: float | None = None) -> plt.Figure:
    """Horizontal bars, largest at the top; an optional reference line (e.g. 1 for an index)."""
    values = values.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(values) + 1.2))
    ax.barh([str(i) for i in values.index], values.to_numpy(), color=PALETTE[0])
    if reference is not None:
        ax.axvline(reference, color="#444444", linewidth=0.8, linestyle="--")
    ax.set_title(title(heading, label), loc="left", fontsize=11)
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
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
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    _style(ax)
    fig.tight_layout()
    return fig
