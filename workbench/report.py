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
               counts: list[str] | dict[str, list] | None = None, disclosure=None, suppress: bool = True,
               **options) -> None:
    """Display a presentation table under a title that names its data (see :func:`workbench.tables.show`).

    Columns get human labels and formats by kind (counts with thousands separators, percentages as %,
    intervals as one cell, yes/no as ✔/✘). Disclosure control applies by default to every count cell in the
    *publication* HTML: counts from 1 to ``disclosure.threshold`` - 1 are shown as the symbol (the notebook
    and the analyst's HTML keep every value). ``counts`` names the count cells explicitly: whole columns (a
    list) or some rows of some columns (a dict column -> row labels); ``suppress=False`` opts the table out.
    ``options`` go to :func:`workbench.tables.show` (``kinds``, ``labels``, ``intervals``, ``by``).
    """
    from workbench import tables

    tables.show(df, heading, label, digits=digits, counts=counts, disclosure=disclosure, suppress=suppress, **options)


def show_figures(figures: dict[str, Any], heading: str, label: str, **options) -> None:
    """Display a notebook's headline figures (the top-level, non-nested ones) as a labelled table."""
    flat = {k: v for k, v in figures.items() if not isinstance(v, (dict, list))}
    table = pd.DataFrame({"value": pd.Series(flat, dtype=object)})
    show_table(table, heading, label, by="rows", **options)


def wall_time(seconds: float | dict[str, float], what: str = "the evaluation") -> None:
    """Say how long the work took, in a sentence (it varies from machine to machine)."""
    from IPython.display import Markdown, display

    def fmt(s: float) -> str:
        return f"{s:,.0f} s" if s >= 10 else f"{s:.1f} s"

    if isinstance(seconds, dict):
        text = "; ".join(f"{k} {fmt(float(v))}" for k, v in seconds.items())
    else:
        text = fmt(float(seconds))
    display(Markdown(f"*Wall time of {what}: {text} (it varies from machine to machine).*"))


def key_findings_placeholder(display_id: str = "key-findings") -> None:
    """Reserve the place of the key-findings box at the top of a notebook's output; :func:`key_findings` fills it.

    The box is computed at the end of the notebook and shown here, first, through the display's id (Jupyter,
    Papermill and nbconvert keep the updated output in place).
    """
    from IPython.display import display

    text = "Key findings: filled in when the notebook has run to its end."
    display({"text/html": _box(f"<p><em>{text}</em></p>"), "text/plain": text}, raw=True, display_id=display_id)


def _box(inner: str) -> str:
    return ('<div class="wb-key-findings" style="border: 2px solid #1f4e79; border-radius: 4px; padding: 10px 16px; '
            'margin: 8px 0 16px 0; background: #f3f7fb; max-width: 60em;">' + inner + "</div>")


def _checks_html(checks) -> str:
    if checks is None or len(checks) == 0:
        return "none recorded"
    from workbench.tables import NO, YES

    items = [f"{YES[0] if ok else NO[0]} {name}" for name, ok in checks]
    passed = sum(bool(ok) for _, ok in checks)
    return f"{passed} of {len(checks)} passed: " + "; ".join(items)


def validated_text(figures: dict[str, Any] | None) -> str:
    """Whether the settings are validated, from a ``validated`` figure when the results carry one."""
    v = (figures or {}).get("validated")
    reason = ((figures or {}).get("settings") or {}).get("reason")
    if v is None:
        return "not recorded"
    if isinstance(v, bool):
        word = "✔ yes" if v else "✘ no"
        return f"{word}: {reason}" if reason else word
    return str(v)


def key_findings_html(question: str, answer: str, checks=None, data: str = "", validated: str = "not recorded") -> str:
    """The key-findings box: the question, the answer in one sentence, the checks, the data, the settings."""
    import html as _h

    rows = [("Question", _h.escape(question)), ("Answer", answer), ("Checks", _checks_html(checks)),
            ("Data", _h.escape(data)), ("Settings validated", _h.escape(validated))]
    body = "".join(f'<tr><th style="text-align: left; vertical-align: top; padding: 2px 12px 2px 0; '
                   f'white-space: nowrap;">{k}</th><td style="text-align: left; padding: 2px 0;">{v}</td></tr>'
                   for k, v in rows)
    return _box('<p style="margin: 0 0 6px 0; font-size: 1.15em; font-weight: bold; color: #1f4e79;">Key findings</p>'
                f'<table style="border: none; margin: 0;">{body}</table>')


def key_findings(question: str, answer: str, checks=None, data: str = "", validated: str = "not recorded",
                 display_id: str = "key-findings") -> None:
    """Fill the key-findings box reserved by :func:`key_findings_placeholder` (the box itself shows nothing here).

    Parameters
    ----------
    question
        The question the notebook answers.
    answer
        The answer in one sentence with its interval (HTML allowed, e.g. ``<b>``).
    checks
        ``[(name, passed), ...]``; None or empty: "none recorded".
    data
        The data and their coverage, e.g. "synthetic demo data, 2017-04 to 2025-12, 105 months, none missing".
    validated
        Whether the settings are validated (see :func:`validated_text`).
    """
    from IPython.display import update_display

    text = key_findings_html(question, answer, checks, data, validated)
    plain = key_findings_plain(question, answer, checks, data, validated)
    update_display({"text/html": text, "text/plain": plain}, raw=True, display_id=display_id)


def key_findings_plain(question: str, answer: str, checks=None, data: str = "", validated: str = "not recorded") -> str:
    """The key findings as plain text (the form nbval compares): the HTML tags go, a figure such as "<1%" stays."""
    import re

    rows = (("Question", question), ("Answer", answer), ("Checks", _checks_html(checks)), ("Data", data),
            ("Settings validated", validated))
    return "Key findings\n" + "\n".join(f"{k}: {re.sub(r'</?[A-Za-z][^>]*>', '', v)}" for k, v in rows)


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
