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


def show_table(df: pd.DataFrame, heading: str, label: str, digits: int = 1) -> None:
    """Display a table under a heading that names its data; numbers rounded for stable, readable output."""
    from IPython.display import Markdown, display

    display(Markdown(f"**{title(heading, label)}**"))
    display(rounded(df, digits))


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
