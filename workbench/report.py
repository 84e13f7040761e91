"""Reporting helpers: results JSON, labelled tables and the plain-English text.

Each notebook writes its headline figures with :func:`write_results` to
``results/<notebook>.json``; the runner indexes them in ``run.json``. Results
files hold no timestamps, so the same run twice gives identical files.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.params import NotebookConfig

RESULTS_SCHEMA_VERSION = 1


def _clean(value: Any) -> Any:
    """JSON-safe, stable values: NaN → None, numpy scalars → Python, floats rounded to 6 significant digits."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return float(f"{value:.6g}")
    return value


def results_document(cfg: NotebookConfig, figures: dict[str, Any]) -> dict[str, Any]:
    """The content of a notebook's results JSON."""
    return {
        "schema_version": RESULTS_SCHEMA_VERSION,
        "notebook": cfg.name,
        "run_name": cfg.run.run_name,
        "seed": cfg.seed,
        "data_source": cfg.data.source,
        "data_label": cfg.label,
        "figures": _clean(figures),
    }


def write_results(cfg: NotebookConfig, figures: dict[str, Any]) -> pd.DataFrame:
    """Write ``results/<notebook>.json`` (when the run gives a results folder) and return the figures as a table.

    The table is what the notebook shows, so the reader sees exactly what was written.
    """
    doc = results_document(cfg, figures)
    if cfg.results_dir:
        folder = Path(cfg.results_dir)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{cfg.name}.json"
        path.write_text(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    table = pd.DataFrame({"value": [_display(v) for v in doc["figures"].values()]}, index=list(doc["figures"]))
    table.index.name = f"headline figures ({cfg.label})"
    return table


def _display(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def title(text: str, label: str) -> str:
    """A table or figure title that always says what data it is built on."""
    return f"{text} — {label}"


def show_table(df: pd.DataFrame, heading: str, label: str, digits: int = 1,
               counts: list[str] | dict[str, list] | None = None, disclosure=None) -> None:
    """Display a table under a heading that names its data; numbers rounded for stable, readable output.

    ``counts`` names the cells that are counts of crimes or people: whole columns
    (a list) or some rows of some columns (a dict column -> row labels). With a
    ``disclosure`` section (``threshold`` > 0), counts from 1 to threshold - 1 are
    suppressed in the *publication* HTML (see :func:`suppressed`); the notebook
    and the analyst's HTML keep every value.
    """
    from IPython.display import Markdown, display

    display(Markdown(f"**{title(heading, label)}**"))
    shown = rounded(df, digits)
    if counts is not None and disclosure is not None and disclosure.threshold > 0:
        pub, n = suppressed(shown, counts, disclosure.threshold, disclosure.symbol)
        if n:
            note = (f"<p><em>{disclosure.symbol}: a count from 1 to {disclosure.threshold - 1}, suppressed "
                    f"(disclosure control; {n} cell{'s' if n > 1 else ''}).</em></p>")
            publication = {"text/html": pub.to_html() + note, "text/plain": repr(pub)}
            display({"text/html": shown._repr_html_(), "text/plain": repr(shown)}, raw=True,
                    metadata={PUBLICATION_KEY: publication})
            return
    display(shown)


#: Output metadata key holding what the publication HTML shows in place of an output.
PUBLICATION_KEY = "workbench_publication"


def suppressed(df: pd.DataFrame, counts: list[str] | dict[str, list], threshold: int, symbol: str) -> tuple[pd.DataFrame, int]:
    """A copy of ``df`` with small counts (1 to ``threshold`` - 1) replaced by ``symbol``, and how many were.

    Zeros are shown, as in published crime tables; a count that is not a whole
    number >= 0 in a cell named as a count is an error.
    """
    cells = {c: list(df.index) for c in counts} if isinstance(counts, list) else dict(counts)
    missing = [c for c in cells if c not in df.columns]
    if missing:
        raise KeyError(f"disclosure control: no column {missing} in the table")
    out = df.astype(object).copy()
    n = 0
    for col, rows in cells.items():
        for r in rows:
            v = df.at[r, col]
            if v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            if 0 < float(v) < threshold:
                out.at[r, col] = symbol
                n += 1
    return out, n


def show_notes(panel: pd.DataFrame) -> None:
    """Show what the loader noticed (``panel.attrs``): warnings first, then notes; nothing when there is nothing."""
    from IPython.display import Markdown, display

    warnings, notes = panel.attrs.get("warnings") or [], panel.attrs.get("notes") or []
    lines = [f"- **Warning:** {w}" for w in warnings] + [f"- {n}" for n in notes]
    if lines:
        display(Markdown("**What loading the data found**\n\n" + "\n".join(lines)))


def rounded(df: pd.DataFrame, digits: int = 1) -> pd.DataFrame:
    """Round float columns; leave integers and text alone."""
    out = df.copy()
    for col in out.select_dtypes("float").columns:
        out[col] = out[col].round(digits)
    return out


def pct(x: float | None, digits: int = 1, signed: bool = True) -> str:
    """``-3.21`` → ``"-3.2%"``; ``None``/NaN → ``"n/a"``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:+.{digits}f}%" if signed else f"{x:.{digits}f}%"
