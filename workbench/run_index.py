"""The run index: one page that ties a run's notebooks together, and what moved since the last run.

:func:`write_index` writes ``index.html`` into a run folder from what the folder holds (``run.json`` and
``results/NAME.json``): every notebook with its status, its headline figures in words and numbers a board
paper can quote, links to both HTML versions, the executed notebook and the results JSON; the run's facts
(data, params hash, commit, seed, duration); and, when the same ``run_name`` ran before in the same output
root, which headline figures moved since then and whether the data, the params or the code changed.
:func:`write_matrix_index` writes one page over the members of a matrix run.

The results JSON keeps its machine keys and full precision; only this page formats them.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

INDEX_NAME = "index.html"
MINUS = "\u2212"
#: A run folder's name: a UTC stamp, with ``-N`` when two runs started in the same second.
STAMP_RE = re.compile(r"^\d{8}T\d{6}Z(-\d+)?$")


# ----------------------------------------------------------------------------- formatting


def _num(x: float, digits: int) -> str:
    return f"{x:,.{digits}f}".replace("-", MINUS)


def _signed(x: float, digits: int) -> str:
    s = _num(abs(x), digits)
    if round(x, digits) == 0:
        return s
    return ("+" if x > 0 else MINUS) + s


def format_value(value: Any, kind: str) -> str:
    """A figure as a reader sees it.

    Parameters
    ----------
    value
        The figure as stored in the results JSON.
    kind
        ``count`` (whole number, thousands separators), ``pct`` (already in percent, signed),
        ``pct_plain`` (in percent, unsigned), ``prob`` (a fraction shown as a whole percent),
        ``share`` (a fraction shown as a signed percent with one decimal), ``share_plain`` (unsigned),
        ``ratio`` (two decimals), ``p`` (a p-value, three decimals), ``gbp`` (pounds), ``month``
        (``2025-12`` → ``Dec 2025``), ``bool`` (passed / failed), ``yesno`` or ``text``.

    Returns
    -------
    str
        ``"–"`` for a missing figure.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if kind in ("bool", "yesno"):
        words = ("passed", "failed") if kind == "bool" else ("yes", "no")
        return words[0] if value else words[1]
    if kind == "month":
        return _month(str(value))
    if kind == "text" or not isinstance(value, (int, float)):
        return str(value)
    x = float(value)
    if kind == "count":
        return _num(x, 0)
    if kind == "pct":
        return _signed(x, 1) + "%"
    if kind == "pct_plain":
        return _num(x, 1) + "%"
    if kind == "prob":
        return _num(100 * x, 0) + "%"
    if kind == "share":
        return _signed(100 * x, 1) + "%"
    if kind == "share_plain":
        return _num(100 * x, 1) + "%"
    if kind == "ratio":
        return _num(x, 2)
    if kind == "p":
        return _num(x, 3)
    if kind == "gbp":
        if abs(x) >= 1e6:
            return ("" if x >= 0 else MINUS) + "£" + _num(abs(x) / 1e6, 1) + "m"
        return ("" if x >= 0 else MINUS) + "£" + _num(abs(x), 0)
    raise ValueError(f"unknown figure kind {kind!r}")


_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _month(s: str) -> str:
    m = re.fullmatch(r"(\d{4})-(\d{2})", s)
    return f"{_MONTHS[int(m.group(2)) - 1]} {m.group(1)}" if m else s


def format_change(before: float, after: float, kind: str) -> str:
    """How far a figure moved: points for percentages, a signed count with its percent change for counts."""
    d = after - before
    if kind in ("pct", "pct_plain"):
        return _signed(d, 1) + " points"
    if kind in ("prob", "share", "share_plain"):
        return _signed(100 * d, 1) + " points"
    if kind == "count":
        rel = f" ({_signed(100 * d / before, 1)}%)" if before else ""
        return _signed(d, 0) + rel
    if kind == "gbp":
        return ("+" if d > 0 else MINUS if d < 0 else "") + format_value(abs(d), "gbp")
    if kind == "ratio":
        return _signed(d, 2)
    if kind == "p":
        return _signed(d, 3)
    return ""


# ----------------------------------------------------------------------------- headline figures


@dataclass(frozen=True)
class Figure:
    """One headline figure: a machine key, a label, the value, its interval and how to show it."""

    key: str
    label: str
    value: Any
    kind: str
    lo: Any = None
    hi: Any = None

    @property
    def text(self) -> str:
        main = format_value(self.value, self.kind)
        if self.lo is None or self.hi is None:
            return main
        return f"{main} ({format_value(self.lo, self.kind)} to {format_value(self.hi, self.kind)})"

    @property
    def numeric(self) -> bool:
        return isinstance(self.value, (int, float)) and not isinstance(self.value, bool) and self.kind not in ("text", "month")


def _get(figures: dict, path: str) -> Any:
    cur: Any = figures
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def _has(figures: dict, path: str) -> bool:
    head, _, rest = path.partition(".")
    if not isinstance(figures, dict) or head not in figures:
        return False
    return _has(figures[head], rest) if rest else True


#: Per notebook: (key, label, kind); a key ending ``_~`` is a median with its interval (``_median``, ``_lo``, ``_hi``).
#: Labels may name other figures in braces, e.g. ``{target_year}``.
_SPEC = tuple[str, str, str]
HEADLINES: dict[str, list[_SPEC]] = {
    "00-data-overview": [
        ("crime_latest_12m", "Recorded crime, latest 12 months", "count"),
        ("crime_change_pct", "Change on the 12 months before", "pct"),
        ("asb_latest_12m", "Anti-social behaviour, latest 12 months", "count"),
        ("asb_change_pct", "ASB change on the 12 months before", "pct"),
        ("share_in_top_10pct_areas", "Share of crime in the busiest 10% of areas", "pct_plain"),
        ("top_category", "Largest crime category", "text"),
        ("last_month", "Latest month of data", "month"),
        ("months_missing", "Area-months missing", "count"),
    ],
    "10-goal-tracking": [
        ("p_goal_met", "Chance of meeting the goal in {target_year}", "prob"),
        ("forecast_target_~", "Forecast crime in {target_year}", "count"),
        ("target_total", "Goal for {target_year}", "count"),
        ("baseline_total", "Baseline, {baseline_year}", "count"),
        ("required_annual_reduction_now", "Reduction needed each year from now", "share_plain"),
        ("forecast_annual_change", "Forecast change each year", "share"),
        ("diagnostics.ok", "Sampler checks", "bool"),
    ],
    "20-hotspot-policing": [
        ("effect_pct_~", "Effect on crime in the hotspots", "pct"),
        ("p_reduction", "Chance that crime fell", "prob"),
        ("crimes_averted_~", "Crimes averted", "count"),
        ("spillover_pct_~", "Change in the surrounding ring", "pct"),
        ("placebo_p", "Placebo test p-value", "p"),
        ("n_hotspots", "Hotspots", "count"),
        ("n_controls", "Control areas", "count"),
    ],
    "30-vvu-return": [
        ("effect_pct_~", "Effect on the outcome offences", "pct"),
        ("p_reduction", "Chance that offences fell", "prob"),
        ("offences_averted_~", "Offences averted", "count"),
        ("bcr_~", "Benefit–cost ratio", "ratio"),
        ("p_bcr_ge_1", "Chance that benefits exceed costs", "prob"),
        ("cost_total_gbp", "Cost", "gbp"),
        ("placebo_p", "Placebo test p-value", "p"),
    ],
    "40-scorecard": [
        ("harm_total_latest_12m", "Crime harm, latest 12 months ({harm_scheme} {harm_unit})", "count"),
        ("harm_change_pct_vs_baseline", "Harm change on {harm_baseline_year}", "pct"),
        ("crimes_latest_12m", "Recorded crime, latest 12 months", "count"),
        ("crimes_change_pct_vs_baseline", "Crime change on {harm_baseline_year}", "pct"),
        ("cost_latest_12m_gbp", "Cost of crime, latest 12 months", "gbp"),
        ("harm_weights_verified", "Harm weights verified", "yesno"),
    ],
}


def _backtest(figures: dict, period: str = "months") -> list[Figure]:
    """The backtest's longest horizon: each model's accuracy (MASE) and 95% interval coverage."""
    horizons = sorted(int(k[1:]) for k in figures if re.fullmatch(r"h\d+", k))
    if not horizons:
        return []
    h = horizons[-1]
    out = []
    for model, row in figures[f"h{h}"].items():
        name = _model_name(model)
        out.append(Figure(f"h{h}.{model}.MASE", f"{name}: accuracy (MASE), {h} {period} ahead", row.get("MASE"), "ratio"))
        cov = next((k for k in row if k.startswith("95%")), None)
        if cov:
            out.append(Figure(f"h{h}.{model}.{cov}", f"{name}: 95% interval coverage, {h} {period} ahead", row[cov], "prob"))
    return out


def _model_name(key: str) -> str:
    return {"bayesian_negbin": "Bayesian NegBin", "prophet": "Prophet"}.get(key, _humanise(key))


#: Notebooks whose headline figures are computed rather than listed.
HEADLINE_BUILDERS: dict[str, Callable[..., list[Figure]]] = {"90-backtest": _backtest}


def _humanise(key: str) -> str:
    words = key.replace("_", " ").replace(" pct", " %").strip()
    words = re.sub(r"^n ", "number of ", words)
    words = re.sub(r"^p ", "chance ", words)
    return words[:1].upper() + words[1:]


def _guess_kind(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "yesno"
    if not isinstance(value, (int, float)):
        return "month" if re.fullmatch(r"\d{4}-\d{2}", str(value)) else "text"
    if key.endswith("_gbp"):
        return "gbp"
    if "_pct" in key:
        return "pct"
    if key.startswith("p_"):
        return "prob"
    if isinstance(value, int) or key.startswith("n_"):
        return "count"
    return "ratio"


def headline_figures(notebook: str, figures: dict, period: str = "months") -> list[Figure]:
    """A notebook's headline figures, labelled; a notebook not listed in :data:`HEADLINES` shows every
    top-level figure that is a single value, with a label made from its key. ``period`` names the data's
    periods (``months`` or ``quarters``) in labels."""
    if notebook in HEADLINE_BUILDERS:
        return HEADLINE_BUILDERS[notebook](figures, period)
    spec = HEADLINES.get(notebook)
    if spec is None:
        return [Figure(k, _humanise(k), v, _guess_kind(k, v)) for k, v in figures.items()
                if not isinstance(v, (dict, list))]
    words = {k: v for k, v in figures.items() if isinstance(v, str)}
    if "harm_scheme" in words:
        words["harm_scheme"] = words["harm_scheme"].upper()
    out = []
    for key, label, kind in spec:
        try:
            label = label.format(**words)
        except KeyError:
            label = re.sub(r"\s*\(?\{[^}]*\}\)?", "", label).rstrip(", ") or key
        if key.endswith("_~"):
            stem = key[:-1]
            value = _get(figures, stem + "median")
            if value is None:
                continue
            out.append(Figure(stem + "median", label, value, kind, _get(figures, stem + "lo"), _get(figures, stem + "hi")))
            continue
        if not _has(figures, key):
            continue
        value = _get(figures, key)
        out.append(Figure(key, label, value, kind))
    return out


# ----------------------------------------------------------------------------- reading runs


@dataclass
class RunRecord:
    """What a finished run folder holds: its manifest and each notebook's results figures."""

    folder: Path
    manifest: dict
    figures: dict[str, dict]

    @classmethod
    def read(cls, folder: Path) -> "RunRecord":
        manifest = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        figures = {}
        for name, rel in manifest.get("results", {}).items():
            path = folder / rel
            if path.is_file():
                figures[name] = json.loads(path.read_text(encoding="utf-8")).get("figures", {})
        return cls(folder, manifest, figures)

    def headlines(self, notebook: str) -> list[Figure]:
        source = self.manifest.get("params", {}).get("data", {}).get("source")
        period = "quarters" if source == "homeoffice_quarterly" else "months"
        return headline_figures(notebook, self.figures.get(notebook, {}), period)


def previous_run(run_root: Path, run_name: str, before: str) -> Path | None:
    """The newest finished run of ``run_name`` in ``run_root`` whose folder name sorts before ``before``.

    Run folders are named by their UTC start stamp, so name order is time order. Hidden (unfinished)
    folders, the ``latest`` link and folders of another run name are passed over.
    """
    candidates = []
    for p in run_root.iterdir() if run_root.is_dir() else []:
        if p.is_symlink() or not STAMP_RE.match(p.name) or not (p / "run.json").is_file():
            continue
        if _stamp_key(p.name) >= _stamp_key(before):
            continue
        try:
            name = json.loads((p / "run.json").read_text(encoding="utf-8")).get("run_name")
        except (OSError, json.JSONDecodeError):
            continue
        if name == run_name:
            candidates.append(p)
    return max(candidates, key=lambda p: _stamp_key(p.name), default=None)


def _stamp_key(name: str) -> tuple[str, int]:
    stamp, _, n = name.partition("-")
    return stamp, int(n) if n else 1


# ----------------------------------------------------------------------------- comparison


@dataclass
class Moved:
    notebook: str
    label: str
    before: str
    after: str
    change: str


@dataclass
class Comparison:
    """This run against the previous run of the same name."""

    previous: Path
    previous_started: str | None
    data_changed: bool
    data_detail: str
    params_changed: bool
    code_changed: bool | None
    code_detail: str
    moved: list[Moved]
    unchanged: int
    not_compared: list[str]


def _inputs(manifest: dict) -> dict[str, str]:
    return {i["path"]: i["sha256"] for i in manifest.get("inputs", [])}


def _data_change(prev: dict, cur: dict) -> tuple[bool, str]:
    a, b = _inputs(prev), _inputs(cur)
    if a or b:
        if a == b:
            return False, f"same {len(b)} input file(s), same sha256"
        added = sorted(set(b) - set(a))
        gone = sorted(set(a) - set(b))
        edited = sorted(p for p in set(a) & set(b) if a[p] != b[p])
        parts = []
        if edited:
            parts.append(f"{len(edited)} file(s) changed ({', '.join(Path(p).name for p in edited[:3])}"
                         + (", …" if len(edited) > 3 else "") + ")")
        if added:
            parts.append(f"{len(added)} new file(s) ({', '.join(Path(p).name for p in added[:3])}"
                         + (", …" if len(added) > 3 else "") + ")")
        if gone:
            parts.append(f"{len(gone)} file(s) no longer read")
        return True, "; ".join(parts)
    # Generated (demo) data: the data section of the params defines them.
    da, db = prev.get("params", {}).get("data"), cur.get("params", {}).get("data")
    if da == db:
        return False, "same generated data settings"
    return True, "the generated data's settings changed"


def _code_change(prev: dict, cur: dict) -> tuple[bool | None, str]:
    """Whether the code changed: ``None`` when the commit is the same but either work tree had uncommitted changes."""
    a, b = prev.get("git", {}), cur.get("git", {})
    if a.get("commit") != b.get("commit"):
        return True, f"commit {_short(a.get('commit'))} → {_short(b.get('commit'))}"
    if a.get("dirty") or b.get("dirty"):
        return None, f"same commit {_short(b.get('commit'))}, but uncommitted changes: the code may differ"
    return False, f"same commit {_short(b.get('commit'))}"


def _short(commit: str | None) -> str:
    return commit[:10] if commit else "unknown"


def compare(prev: RunRecord, cur: RunRecord) -> Comparison:
    """Which headline figures moved between two runs, and whether their data, params or code differ."""
    data_changed, data_detail = _data_change(prev.manifest, cur.manifest)
    code_changed, code_detail = _code_change(prev.manifest, cur.manifest)
    moved, unchanged, not_compared = [], 0, []
    for nb in cur.manifest.get("notebooks", []):
        name = nb["name"]
        if name not in prev.figures or name not in cur.figures:
            not_compared.append(name)
            continue
        before = {f.key: f for f in prev.headlines(name)}
        for f in cur.headlines(name):
            b = before.get(f.key)
            if b is None:
                continue
            if b.value == f.value and b.lo == f.lo and b.hi == f.hi:
                unchanged += 1
                continue
            if b.text == f.text:
                unchanged += 1  # moved below the shown precision
                continue
            change = format_change(float(b.value), float(f.value), f.kind) if f.numeric and b.numeric else ""
            moved.append(Moved(name, f.label, b.text, f.text, change))
    return Comparison(
        previous=prev.folder, previous_started=prev.manifest.get("started_utc"),
        data_changed=data_changed, data_detail=data_detail,
        params_changed=prev.manifest.get("params_sha256") != cur.manifest.get("params_sha256"),
        code_changed=code_changed, code_detail=code_detail,
        moved=moved, unchanged=unchanged, not_compared=not_compared,
    )


# ----------------------------------------------------------------------------- HTML

_CSS = """
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1b1b1b; margin: 0; background: #f6f7f9; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 30px 0 10px; }
.sub { color: #4a4f57; margin: 0 0 18px; font-size: 15px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 12px; font-size: 13px; font-weight: bold; vertical-align: middle; }
.ok { background: #dcefe0; color: #11612a; } .failed { background: #f8dcdc; color: #9b1c1c; }
.changed { background: #fff1cc; color: #7a5300; } .same { background: #e6e9ee; color: #3a3f47; }
.box { background: #fff; border: 1px solid #d7dbe1; border-radius: 6px; padding: 14px 18px; margin: 0 0 16px; }
.facts { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 4px 18px; font-size: 14px; margin: 0; }
.facts dt { color: #4a4f57; } .facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; font-size: 14px; background: #fff; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #e3e6ea; vertical-align: top; }
th { background: #eef1f5; font-weight: bold; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.card { background: #fff; border: 1px solid #d7dbe1; border-radius: 6px; margin: 0 0 14px; }
.card h3 { font-size: 17px; margin: 0; padding: 12px 16px; border-bottom: 1px solid #e3e6ea; display: flex; gap: 12px; align-items: center; }
.card h3 .file { color: #6a7079; font-weight: normal; font-size: 13px; }
.card .body { padding: 6px 16px 12px; }
.card table { font-size: 14px; } .card td:first-child { width: 60%; }
.links { margin: 10px 0 0; font-size: 14px; } .links a { margin-right: 16px; }
.error { color: #9b1c1c; font-family: monospace; font-size: 13px; white-space: pre-wrap; }
a { color: #0b5cad; }
.note { color: #4a4f57; font-size: 13px; }
@media print { body { background: #fff; } main { padding: 0; } .card, .box { break-inside: avoid; } }
"""


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{_e(title)}</title>\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<style>{_CSS}</style>\n</head>\n'
            f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n")


def _when(iso: str | None) -> str:
    if not iso:
        return "unknown time"
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})", iso)
    if not m:
        return iso
    y, mo, d, hh, mm = m.groups()
    return f"{int(d)} {_MONTHS[int(mo) - 1]} {y}, {hh}:{mm} UTC"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m} min {s:02d} s"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min"


def notebook_title(folder: Path, name: str) -> str:
    """The executed notebook's first ``# `` heading (without its data label), else the notebook's name."""
    path = folder / f"{name}.ipynb"
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return name
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        src = "".join(cell.get("source", []))
        m = re.search(r"^#\s+(.+)$", src, re.M)
        if m:
            return re.sub(r"\s*[—–(-]+\s*(synthetic demo data|analyst-supplied data).*$", "", m.group(1)).strip()
    return name


def _data_words(manifest: dict, short: bool = False) -> str:
    from workbench.params import SOURCE_LABELS

    data = manifest.get("params", {}).get("data", {})
    source = data.get("source", "unknown")
    words = SOURCE_LABELS.get(source, source)
    if source == "demo":
        demo = data.get("demo", {})
        return f"{words}, {_month(str(demo.get('start', '?')))} to {_month(str(demo.get('end', '?')))}"
    inputs = manifest.get("inputs", [])
    total = sum(i.get("bytes", 0) for i in inputs)
    path = Path(str(data.get("path"))).name if short else data.get("path")
    return f"{words}: {path} ({len(inputs)} file(s), {total / 1e6:,.1f} MB)"


def _facts(manifest: dict) -> str:
    git = manifest.get("git", {})
    commit = _short(git.get("commit")) + (" (with uncommitted changes)" if git.get("dirty") else "")
    inputs = manifest.get("inputs", [])
    hashes = ", ".join(f"{Path(i['path']).name} {i['sha256'][:12]}" for i in inputs[:4])
    if len(inputs) > 4:
        hashes += f", … ({len(inputs)} files; all in run.json)"
    rows = [
        ("Data", _data_words(manifest)),
        ("Input files (sha256)", hashes or "none (generated data)"),
        ("Params file", manifest.get("params_file", "–")),
        ("Params hash (sha256)", (manifest.get("params_sha256") or "–")[:16]),
        ("Code (git commit)", commit),
        ("Seed", manifest.get("seed", "–")),
        ("Started", _when(manifest.get("started_utc"))),
        ("Duration", _duration(manifest.get("duration_s"))),
    ]
    if manifest.get("matrix_member"):
        rows.insert(0, ("Matrix member", manifest["matrix_member"]))
    if manifest.get("only"):
        rows.append(("Notebooks run", f"only {manifest['only']}"))
    cells = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows)
    return f'<dl class="facts">{cells}</dl>'


def _badge(status: str) -> str:
    cls = "ok" if status == "ok" else "failed"
    word = {"ok": "ran", "failed": "failed"}.get(status, status)
    return f'<span class="badge {cls}">{_e(word)}</span>'


def _yes_no(changed: bool | None, what: str, detail: str) -> str:
    if changed is None:
        cls, word = "changed", f"{what} may have changed"
    else:
        cls, word = ("changed", f"{what} changed") if changed else ("same", f"{what} unchanged")
    return f'<span class="badge {cls}">{_e(word)}</span> <span class="note">{_e(detail)}</span>'


def _comparison_html(c: Comparison | None, folder: Path) -> str:
    if c is None:
        return ('<div class="box"><h2 style="margin-top:0">What moved since the last run</h2>'
                '<p>This is the first run of this name in this output folder: nothing to compare with yet.</p></div>')
    try:
        rel = Path("..") / c.previous.relative_to(folder.parent)
    except ValueError:
        rel = c.previous
    head = (f'<h2 style="margin-top:0">What moved since the last run</h2>'
            f'<p class="sub">Against the run of {_e(_when(c.previous_started))} '
            f'(<a href="{_e(rel.as_posix())}/{INDEX_NAME}">its index</a>).</p>'
            f'<p>{_yes_no(c.data_changed, "data", c.data_detail)}<br>'
            f'{_yes_no(c.params_changed, "params", "params hash " + ("differs" if c.params_changed else "is the same"))}<br>'
            f'{_yes_no(c.code_changed, "code", c.code_detail)}</p>')
    if c.moved:
        rows = "".join(f"<tr><td>{_e(notebook_title(folder, m.notebook))}</td><td>{_e(m.label)}</td><td class=\"num\">{_e(m.before)}</td>"
                       f"<td class=\"num\">{_e(m.after)}</td><td class=\"num\">{_e(m.change)}</td></tr>" for m in c.moved)
        table = ("<table><thead><tr><th>Notebook</th><th>Figure</th><th>Last run</th><th>This run</th><th>Change</th>"
                 f"</tr></thead><tbody>{rows}</tbody></table>")
        tail = f'<p class="note">{c.unchanged} other headline figure(s) unchanged.</p>'
    else:
        table = "<p>No headline figure moved.</p>"
        tail = f'<p class="note">{c.unchanged} headline figure(s) compared.</p>' if c.unchanged else ""
    if c.not_compared:
        tail += f'<p class="note">Not in both runs: {_e(", ".join(c.not_compared))}.</p>'
    return f'<div class="box">{head}{table}{tail}</div>'


_LINKS = (("publication_pdf", "Report (PDF)"), ("publication_html", "Report"), ("html", "Analyst's version (with code)"),
          ("executed", "Executed notebook"), ("results", "Results JSON"))


def _notebook_card(folder: Path, nb: dict, figures: list[Figure]) -> str:
    name = nb["name"]
    files = dict(nb)
    pdf = folder / f"{name}.publication.pdf"
    if pdf.is_file():
        files["publication_pdf"] = pdf.name
    links = " ".join(f'<a href="{_e(files[k])}">{_e(word)}</a>' for k, word in _LINKS if files.get(k))
    if figures:
        rows = "".join(f'<tr><td>{_e(f.label)}</td><td class="num">{_e(f.text)}</td></tr>' for f in figures)
        body = f"<table><tbody>{rows}</tbody></table>"
    elif nb.get("status") == "ok":
        body = '<p class="note">This notebook wrote no headline figures.</p>'
    else:
        body = ""
    if nb.get("error"):
        body += f'<p class="error">{_e(nb["error"])}</p>'
    return (f'<section class="card" id="{_e(name)}"><h3>{_e(notebook_title(folder, name))} {_badge(nb.get("status", "?"))}'
            f'<span class="file">{_e(name)} · {_e(_duration(nb.get("duration_s")))}</span></h3>'
            f'<div class="body">{body}<p class="links">{links}</p></div></section>')


def render_index(cur: RunRecord, comparison: Comparison | None) -> str:
    """The index page of a run folder as HTML."""
    m = cur.manifest
    nbs = m.get("notebooks", [])
    n_ok = sum(nb.get("status") == "ok" for nb in nbs)
    status = m.get("status", "?")
    title = f"Run “{m.get('run_name')}”" + (f" – {m['matrix_member']}" if m.get("matrix_member") else "")
    sub = (f"{_e(_when(m.get('started_utc')))} · {n_ok} of {len(nbs)} notebook(s) ran · "
           f"{_e(_data_words(m, short=True))}")
    summary = "".join(
        f'<tr><td><a href="#{_e(nb["name"])}">{_e(notebook_title(cur.folder, nb["name"]))}</a></td>'
        f'<td>{_badge(nb.get("status", "?"))}</td>'
        f'<td>{_e(_first_figure(cur.headlines(nb["name"])))}</td></tr>' for nb in nbs)
    body = (f"<h1>{_e(title)} {_badge(status)}</h1><p class=\"sub\">{sub}</p>"
            f'<table style="margin-bottom:18px"><thead><tr><th>Notebook</th><th>Status</th><th>Headline</th></tr>'
            f"</thead><tbody>{summary}</tbody></table>"
            f'<div class="box"><h2 style="margin-top:0">This run</h2>{_facts(m)}'
            f'<p class="links"><a href="run.json">Full manifest (run.json)</a></p>{_fits_html(cur.folder)}</div>'
            f"{_comparison_html(comparison, cur.folder)}"
            f'<h2>Notebooks</h2>{"".join(_notebook_card(cur.folder, nb, cur.headlines(nb["name"])) for nb in nbs)}')
    return _page(f"{title} – {_when(m.get('started_utc'))}", body)


def _fits_html(folder: Path) -> str:
    """Links to the run's saved fits (:mod:`workbench.fits`), or nothing when it saved none."""
    from workbench.fits import FITS_DIR, list_fits

    names = list_fits(folder)
    if not names:
        return ""
    links = " · ".join(f'<a href="{FITS_DIR}/{_e(n)}.nc">{_e(n)}</a>' for n in names)
    return (f'<p class="links">Saved fits (netCDF; reopen one in JupyterLab with '
            f'<code>workbench.fits.open_fit(run folder, name)</code>): {links}</p>')


def _first_figure(figures: list[Figure]) -> str:
    f = next((f for f in figures if f.value is not None), None)
    return f"{f.label}: {f.text}" if f else "–"


def write_index(folder: Path, run_root: Path | None = None) -> Path:
    """Write ``index.html`` into a run folder, compared with the previous run of its name in ``run_root``.

    Parameters
    ----------
    folder
        A run folder holding ``run.json`` (it may still be the hidden folder being written).
    run_root
        The folder holding this run name's run folders (default: ``folder``'s parent).

    Returns
    -------
    Path
        The index file.
    """
    folder = Path(folder)
    cur = RunRecord.read(folder)
    run_root = Path(run_root) if run_root is not None else folder.parent
    final_name = re.sub(r"^\.incomplete-(.+)-\d+$", r"\1", folder.name)
    prev = previous_run(run_root, cur.manifest.get("run_name"), final_name)
    comparison = None
    if prev is not None:
        try:
            comparison = compare(RunRecord.read(prev), cur)
        except (OSError, json.JSONDecodeError, KeyError):
            comparison = None
    path = folder / INDEX_NAME
    path.write_text(render_index(cur, comparison), encoding="utf-8")
    return path


_OVER = {"data.forces": "Force", "areas": "Area"}


def write_matrix_index(matrix_json: Path) -> Path:
    """Write ``matrix-<stamp>.html`` beside a matrix run's JSON: one row per member, its status, headline and index."""
    matrix_json = Path(matrix_json)
    doc = json.loads(matrix_json.read_text(encoding="utf-8"))
    root = matrix_json.parent
    rows = []
    for member, info in doc.get("members", {}).items():
        folder = root / info["folder"]
        rec = RunRecord.read(folder)
        figs = "; ".join(f"{notebook_title(folder, nb['name'])}: {_first_figure(rec.headlines(nb['name']))}"
                         for nb in rec.manifest.get("notebooks", []))
        rows.append(f'<tr><td><a href="{_e(info["folder"])}/{INDEX_NAME}">{_e(member)}</a></td>'
                    f'<td>{_badge(info.get("status", "?"))}</td><td>{_e(figs)}</td></tr>')
    title = f"Matrix run “{doc.get('run_name')}” over {doc.get('over')}"
    body = (f"<h1>{_e(title)} {_badge(doc.get('status', '?'))}</h1>"
            f'<p class="sub">{_e(_when(doc.get("started_utc")))} · {len(rows)} run(s) · params {_e(doc.get("params_file"))}</p>'
            f"<table><thead><tr><th>{_e(_OVER.get(str(doc.get('over')), 'Member'))}</th><th>Status</th>"
            f"<th>Headline</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f'<p class="links"><a href="{_e(matrix_json.name)}">Matrix JSON</a></p>')
    path = matrix_json.with_suffix(".html")
    path.write_text(_page(title, body), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- keeping the last N runs


def run_folders(run_root: Path) -> list[Path]:
    """The finished run folders in ``run_root``, oldest first (hidden unfinished folders and ``latest`` left out)."""
    found = [p for p in Path(run_root).iterdir()
             if not p.is_symlink() and p.is_dir() and STAMP_RE.match(p.name) and (p / "run.json").is_file()]
    return sorted(found, key=lambda p: _stamp_key(p.name))


def prune(run_root: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` run folders in ``run_root``; return the folders deleted.

    Only folders that ``workbench run`` wrote (a UTC stamp name and a ``run.json``) are touched; the folder
    that ``latest`` points at is always kept.

    Raises
    ------
    WorkbenchError
        ``keep`` is below 1, or ``run_root`` is not a folder of run folders.
    """
    import shutil

    from workbench.errors import WorkbenchError

    run_root = Path(run_root)
    if keep < 1:
        raise WorkbenchError(f"--keep {keep}: expected 1 or more (the newest run is always kept). Fix: e.g. --keep 12.")
    if not run_root.is_dir():
        raise WorkbenchError(f"{run_root}: no such folder. Fix: give the folder holding one run name's runs, "
                             "e.g. outputs/essex-policeuk.")
    folders = run_folders(run_root)
    if not folders:
        members = sorted(p.name for p in run_root.iterdir() if p.is_dir() and run_folders(p))
        hint = (f" It holds matrix members ({', '.join(members)}): prune each, e.g. {run_root / members[0]}."
                if members else "")
        raise WorkbenchError(f"{run_root}: holds no run folders (UTC-stamped folders with a run.json).{hint}")
    latest = run_root / "latest"
    pinned = latest.resolve() if latest.is_symlink() else None
    gone = []
    for p in folders[:-keep]:
        if pinned is not None and p.resolve() == pinned:
            continue
        shutil.rmtree(p)
        gone.append(p)
    return gone
