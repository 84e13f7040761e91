"""Papermill orchestration: params file → executed notebooks → evaluation report.

:func:`run` validates the params file and the data *before* anything is
written, then executes each listed notebook with Papermill in a hidden
temporary folder ``outputs/<run-name>/.incomplete-<stamp>-<pid>/``. When every
notebook has run (whether it passed or failed) the folder gets its manifest
``run.json`` and is renamed to ``outputs/<run-name>/<UTC stamp>/`` in one step,
so no half-written run is ever visible. An interrupted or crashed run removes
its temporary folder.

What a run folder holds, per notebook ``NAME``:

* ``NAME.ipynb`` -- the executed notebook (with the error, if it failed);
* ``NAME.html`` -- the analyst's report (code and outputs);
* ``NAME.publication.html`` -- the same without code cells;
* ``results/NAME.json`` -- the headline figures the notebook wrote;
* ``fits/NAME/FIT.nc`` -- every Bayesian fit it drew, as netCDF (:mod:`workbench.fits`);

``index.html``, the page that ties them together with the previous run (:mod:`workbench.run_index`),
and ``run.json``: params as resolved, sha256 of every input file, package
versions, git commit, seed, per-notebook status and duration.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from workbench.errors import ParamsError, WorkbenchError
from workbench.params import NOTEBOOKS_DIR, RunParams, load_params

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "outputs"
KERNEL_NAME = "python3"
MANIFEST_VERSION = 1
#: Packages whose versions go into every manifest.
PACKAGES = (
    "workbench", "pymc", "pytensor", "arviz", "nutpie", "pandas", "numpy", "scipy", "xarray", "prophet",
    "cmdstanpy", "papermill", "nbconvert", "nbformat", "ipykernel", "matplotlib", "pydantic", "pyyaml",
    "h5netcdf", "h5py", "pyarrow", "dask", "distributed",
)


@dataclass
class NotebookRun:
    name: str
    status: str = "pending"
    duration_s: float = 0.0
    error: str | None = None
    files: dict[str, str] = field(default_factory=dict)


@dataclass
class RunResult:
    """What :func:`run` did: where the run folder is and how each notebook went."""

    folder: Path
    status: str
    notebooks: list[NotebookRun]

    @property
    def exit_code(self) -> int:
        return 0 if self.status == "ok" else 1


# ----------------------------------------------------------------------------- manifest parts


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def package_versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def git_state(root: Path = REPO_ROOT) -> dict[str, Any]:
    """Commit and whether the work tree has uncommitted changes (``None`` outside a git checkout)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        if commit.returncode != 0:
            return {"commit": None, "dirty": None}
        status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, timeout=10)
        return {"commit": commit.stdout.strip(), "dirty": bool(status.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def utc_stamp(now: datetime | None = None) -> str:
    return (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")


# ----------------------------------------------------------------------------- HTML


def export_html(executed: Path, html: Path, publication: Path) -> None:
    """The analyst's HTML (code and outputs) and the publication HTML (outputs and text only)."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    body, _ = HTMLExporter().from_notebook_node(nb)
    html.write_text(body, encoding="utf-8")
    pub = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = pub.from_notebook_node(publication_copy(nb))
    publication.write_text(body, encoding="utf-8")


#: Paragraphs of a notebook's text written for the analyst who opens the notebook (where its code lives), which the
#: publication HTML leaves out.
ANALYST_ONLY = ("The logic lives in ",)


def analyst_text_removed(markdown: str) -> str:
    """``markdown`` without its paragraphs that begin with one of :data:`ANALYST_ONLY`."""
    import re

    paragraphs = re.split(r"\n\s*\n", markdown)
    return "\n\n".join(p for p in paragraphs if not p.lstrip().startswith(ANALYST_ONLY))


def publication_copy(nb):
    """The notebook as the publication HTML shows it: outputs with a publication version (small counts
    suppressed, :func:`workbench.report.show_table`) replaced by it, and the text for the analyst
    (:data:`ANALYST_ONLY`) left out."""
    import copy

    from workbench.report import PUBLICATION_KEY

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = analyst_text_removed(cell.source)
        for out in cell.get("outputs", []):
            pub = out.get("metadata", {}).get(PUBLICATION_KEY)
            if pub:
                out["data"] = pub
                del out["metadata"][PUBLICATION_KEY]
    return nb


# ----------------------------------------------------------------------------- running


def notebook_parameters(params: RunParams, name: str, results_dir: str | None) -> dict[str, Any]:
    """What Papermill injects into notebook ``name``: ``params``, one mapping of the shared sections and its own
    parameters (resolved, defaults filled in), and ``results_dir`` (:func:`workbench.params.notebook_config`)."""
    return {"params": {**params.shared(), **params.notebook(name).parameters}, "results_dir": results_dir}


KERNEL_START_ATTEMPTS = 3


def _kernel_did_not_start(exc: BaseException) -> bool:
    """A kernel that died before it answered: no cell has run, so the notebook can safely start again.

    Kernels started at the same moment (a matrix run on several workers) can be handed the same free port;
    the loser dies before replying to ``kernel_info``.
    """
    return isinstance(exc, RuntimeError) and "before replying to kernel_info" in str(exc)


def _progress_engine(on_cell):
    """A Papermill engine that tells ``on_cell(index, total, section)`` as each code cell starts."""
    from papermill.engines import NBClientEngine, papermill_engines

    from workbench.progress import section_of

    class ProgressEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            start = nb_man.cell_start
            cells = nb_man.nb.cells
            code = [i for i, c in enumerate(cells) if c.get("cell_type") == "code"]

            def cell_start(cell, cell_index=None, **kw):
                if cell_index is not None and cell_index in code:
                    on_cell(code.index(cell_index), len(code), section_of(cells, cell_index))
                return start(cell, cell_index, **kw)

            nb_man.cell_start = cell_start
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register("workbench-progress", ProgressEngine)
    return "workbench-progress"


def execute_notebook(name: str, output: Path, parameters: dict[str, Any], cwd: Path, on_cell=None) -> None:
    """Execute ``notebooks/<name>.ipynb`` with Papermill into ``output``.

    ``on_cell(index, total, section)`` is told as each code cell starts (progress in the terminal; nothing of
    it goes into the notebook). A kernel that fails to start is started again, up to ``KERNEL_START_ATTEMPTS``
    times in all; an error in a cell is never retried.
    """
    import papermill as pm

    engine = _progress_engine(on_cell) if on_cell is not None else None
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        try:
            with _quiet_papermill():
                pm.execute_notebook(
                    str(NOTEBOOKS_DIR / f"{name}.ipynb"),
                    str(output),
                    parameters=parameters,
                    kernel_name=KERNEL_NAME,
                    engine_name=engine,
                    cwd=str(cwd),
                    progress_bar=False,
                    log_output=False,
                    # Kernel log warnings (e.g. about TCP transport on loopback) are not the analyst's concern.
                    extra_arguments=["--IPKernelApp.log_level=ERROR"],
                )
            return
        except Exception as exc:
            if attempt == KERNEL_START_ATTEMPTS or not _kernel_did_not_start(exc):
                raise
            time.sleep(0.5 * attempt)


@contextlib.contextmanager
def _quiet_papermill():
    import logging

    logger = logging.getLogger("papermill")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _error_text(exc: BaseException) -> str:
    ename = getattr(exc, "ename", None)
    if ename:
        return f"{ename}: {getattr(exc, 'evalue', '')}".strip()
    return f"{type(exc).__name__}: {exc}"


def execute_unit(name: str, tmp: Path, parameters: dict[str, Any], scheduler: str | None = None,
                 progress=None) -> NotebookRun:
    """Execute one notebook into the run folder ``tmp`` and export its HTML: a :class:`NotebookRun`, never an exception.

    Runs in the calling process or as a task on a Dask worker; with ``scheduler`` the notebook's per-series
    work goes to that Dask scheduler (:mod:`workbench.distributed`).
    """
    from workbench.distributed import SCHEDULER_ENV

    if scheduler:
        os.environ[SCHEDULER_ENV] = scheduler  # the kernel inherits it
    nb = NotebookRun(name)
    executed = tmp / f"{name}.ipynb"
    start = time.perf_counter()
    try:
        execute_notebook(name, executed, parameters, tmp, progress.cell if progress is not None else None)
        nb.status = "ok"
    except Exception as exc:  # a failing notebook is recorded; the others still run
        nb.status, nb.error = "failed", _error_text(exc)
    finally:
        if scheduler:
            os.environ.pop(SCHEDULER_ENV, None)
    nb.duration_s = round(time.perf_counter() - start, 2)
    if executed.exists():
        nb.files["executed"] = executed.name
        if progress is not None:
            progress.step("writing the HTML reports")
        try:
            export_html(executed, tmp / f"{name}.html", tmp / f"{name}.publication.html")
            nb.files["html"] = f"{name}.html"
            nb.files["publication_html"] = f"{name}.publication.html"
        except Exception as exc:  # the executed notebook is still there to read
            nb.status = "failed"
            nb.error = nb.error or f"HTML export failed: {_error_text(exc)}"
    result_file = tmp / "results" / f"{name}.json"
    if result_file.exists():
        nb.files["results"] = f"results/{name}.json"
    elif nb.status == "ok":
        nb.status, nb.error = "failed", f"the notebook wrote no results/{name}.json"
    return nb


@dataclass
class _Member:
    """One run being written: its params, input files and hidden folder."""

    name: str | None
    params: RunParams
    inputs: list[dict[str, Any]]
    run_root: Path
    final: Path
    tmp: Path


def _prepare(name: str | None, params: RunParams, base: Path, stamp: str) -> _Member:
    from workbench.data import input_files

    run_root = base / params.run_name / name if name else base / params.run_name
    run_root.mkdir(parents=True, exist_ok=True)
    final = run_root / stamp
    n = 1
    while final.exists():
        n += 1
        final = run_root / f"{stamp}-{n}"
    tmp = run_root / f".incomplete-{final.name}-{os.getpid()}"
    tmp.mkdir()
    inputs = [{"path": str(p), "bytes": p.stat().st_size, "sha256": sha256(p)} for p in input_files(params)]
    return _Member(name, params, inputs, run_root, final, tmp)


def check_members(params: RunParams, names: list[str] | None = None) -> list[tuple[str | None, RunParams, Any]]:
    """Each run of a params file (one, or one per matrix value) with its loaded panel; errors name the member.

    Every member's data are loaded and each notebook's parameters (of ``names``, default all) are checked against
    them (:mod:`workbench.checks`) before anything runs.
    """
    from workbench.checks import check_notebooks
    from workbench.data import load_panel

    out = []
    for member, mp in params.members():
        try:
            panel = load_panel(mp)
            check_notebooks(mp, panel, names)
            out.append((member, mp, panel))
        except WorkbenchError as exc:
            if member is None:
                raise
            raise type(exc)(f"matrix member '{member}': {exc}") from None
    return out


def check_out_dir(folder: Path, label: str | None = None) -> None:
    """Stop before anything is written when ``folder`` (made if missing) cannot be a folder there.

    ``label`` names the folder in the message (e.g. ``--out PATH``).
    """
    flag = label or f"output folder {folder}"
    at = folder
    while not at.exists() and at != at.parent:
        at = at.parent
    if not at.is_dir():
        what = "is a file" if at == folder else f"lies under {at}, which is a file"
        raise ParamsError(f"{flag}: {what}, not a folder. Fix: give a folder (it is made if missing), e.g. "
                          f"--out {at.parent / 'reports'}.")
    if not os.access(at, os.W_OK | os.X_OK):
        raise ParamsError(f"{flag}: cannot write in {at}. Fix: a folder you may write to.")


@dataclass
class MatrixResult:
    """What a matrix run did: one :class:`RunResult` per member, and the index file listing them."""

    folder: Path
    status: str
    members: dict[str, RunResult]

    @property
    def exit_code(self) -> int:
        return 0 if self.status == "ok" else 1


def run(
    params_path: str | Path,
    out_dir: str | Path | None = None,
    only: str | None = None,
    log: TextIO | None = None,
    parallel: int | None = None,
    scheduler: str | None = None,
) -> RunResult | MatrixResult:
    """Run every notebook a params file lists (or just ``only``) and write the run folder.

    With a ``matrix:`` section every member is a run of its own, in ``outputs/<run_name>/<member>/<stamp>/``
    with its own manifest, and ``outputs/<run_name>/matrix-<stamp>.json`` lists them. ``parallel`` (a
    local Dask cluster of that many workers) or ``scheduler`` (a Dask scheduler's address) runs the
    notebooks as Dask tasks; otherwise they run one after another in this process.

    Raises
    ------
    WorkbenchError
        Bad params or data (of any member), before anything is written.
    """
    from workbench import distributed as dist

    log = log or sys.stderr
    params_path = Path(params_path)
    params = load_params(params_path)
    names = [e.name for e in params.notebooks]
    if only is not None:
        if only not in names:
            raise ParamsError(
                f"--only {only}: not a notebook of {params_path} (it lists: {', '.join(names)}). Fix: use one of those."
            )
        names = [only]
    base = Path(out_dir) if out_dir is not None else DEFAULT_OUT
    check_out_dir(base, f"--out {out_dir}" if out_dir is not None else None)
    # Check every member's data and notebook parameters before writing anything: bad input stops here.
    members = [(member, mp) for member, mp, _ in check_members(params, names)]
    for member, mp in members:
        check_out_dir(base / mp.run_name / member if member else base / mp.run_name)

    started = datetime.now(timezone.utc)
    stamp = utc_stamp(started)
    with dist.cluster(parallel, scheduler) as client:
        prepared: list[_Member] = []
        try:
            for member, mp in members:
                prepared.append(_prepare(member, mp, base, stamp))
            t0 = time.perf_counter()
            outcomes = _execute(prepared, names, client, scheduler, log)
            results = {m.name: _finish(m, [outcomes[(m.name, n)] for n in names], params_path, started, only, t0)
                       for m in prepared}
        except BaseException:
            for m in prepared:
                shutil.rmtree(m.tmp, ignore_errors=True)
            raise
    for m in prepared:
        _point_latest(m.run_root, m.final)
    if params.matrix is None:
        return results[None]
    status = "ok" if all(r.status == "ok" for r in results.values()) else "failed"
    index = base / params.run_name / f"matrix-{stamp}.json"
    index.write_text(json.dumps({
        "run_name": params.run_name, "status": status, "over": params.matrix.over,
        "started_utc": started.isoformat(timespec="seconds"), "params_file": str(params_path.resolve()),
        "parallel": parallel, "scheduler": scheduler,
        "members": {k: {"status": r.status, "folder": str(r.folder.relative_to(base / params.run_name)),
                        "failed": [nb.name for nb in r.notebooks if nb.status != "ok"]} for k, r in results.items()},
    }, indent=2) + "\n", encoding="utf-8")
    from workbench.run_index import write_matrix_index

    write_matrix_index(index)
    return MatrixResult(index, status, results)


def _execute(members: list[_Member], names: list[str], client, scheduler: str | None,
             log: TextIO) -> dict[tuple[str | None, str], NotebookRun]:
    """Every (member, notebook) execution: in this process one by one, or as Dask tasks."""
    units = [(m, n) for m in members for n in names]
    label = lambda m, n: f"{m.name}/{n}" if m.name else n  # noqa: E731
    out: dict[tuple[str | None, str], NotebookRun] = {}
    if client is None:
        import tempfile

        from workbench.progress import Printer

        with tempfile.TemporaryDirectory(prefix="workbench-progress-") as tmpdir, \
                Printer(Path(tmpdir) / "events.jsonl", log) as progress:
            for i, (m, n) in enumerate(units, 1):
                print(f"[{i}/{len(units)}] {label(m, n)} …", file=log, flush=True)
                progress.notebook(label(m, n))
                nb = execute_unit(n, m.tmp, notebook_parameters(m.params, n, "results"), progress=progress)
                progress.notebook("")
                progress.clear()
                _say(nb, log)
                out[(m.name, n)] = nb
        return out
    from distributed import as_completed

    from workbench.distributed import NOTEBOOK_RESOURCE, workers

    print(f"running {len(units)} notebook(s) on {workers(client)} Dask worker(s)"
          + (f" at {scheduler}" if scheduler else " (local)") + " …", file=log, flush=True)
    futures = {}
    for m, n in units:
        fut = client.submit(execute_unit, n, m.tmp, notebook_parameters(m.params, n, "results"), scheduler,
                            resources={NOTEBOOK_RESOURCE: 1}, pure=False,
                            key=f"notebook-{m.name or 'run'}-{n}-{uuid.uuid4().hex[:8]}")
        futures[fut] = (m, n)
    for k, fut in enumerate(as_completed(list(futures)), 1):
        m, n = futures[fut]
        try:
            nb = fut.result()
        except Exception as exc:  # the worker was lost: this notebook failed, the others go on
            nb = NotebookRun(n, status="failed", error=f"Dask worker lost: {_error_text(exc)}")
        print(f"[{k}/{len(units)}] {label(m, n)}", file=log, flush=True)
        _say(nb, log)
        out[(m.name, n)] = nb
    return out


def _say(nb: NotebookRun, log: TextIO) -> None:
    print(f"      {nb.status} ({nb.duration_s:.1f} s)" + (f": {nb.error}" if nb.error else ""), file=log, flush=True)


def _finish(m: _Member, results: list[NotebookRun], params_path: Path, started: datetime, only: str | None,
            t0: float) -> RunResult:
    """Write a member's manifest and make its folder visible."""
    from workbench.fits import list_fits

    status = "ok" if all(r.status == "ok" for r in results) else "failed"
    finished = datetime.now(timezone.utc)
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "run_name": m.params.run_name,
        "matrix_member": m.name,
        "status": status,
        "started_utc": started.isoformat(timespec="seconds"),
        "finished_utc": finished.isoformat(timespec="seconds"),
        "duration_s": round(time.perf_counter() - t0, 2),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else None,
        "params_file": str(params_path.resolve()),
        "params_sha256": sha256(params_path),
        "params": m.params.model_dump(mode="json"),
        "seed": m.params.seed,
        "only": only,
        "inputs": m.inputs,
        "git": git_state(),
        "packages": package_versions(),
        "platform": platform.platform(),
        "notebooks": [
            {"name": r.name, "status": r.status, "duration_s": r.duration_s, "error": r.error, **r.files}
            for r in results
        ],
        "results": {r.name: r.files["results"] for r in results if "results" in r.files},
        "fits": list_fits(m.tmp),  # fits/<name>.nc: every Bayesian fit, reopened by workbench.fits.open_fit
    }
    (m.tmp / "run.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    _write_index(m)
    os.rename(m.tmp, m.final)
    return RunResult(m.final, status, results)


def _write_index(m: _Member) -> None:
    """The run's ``index.html`` (:mod:`workbench.run_index`); a failure to write it never loses the run."""
    from workbench.run_index import write_index

    try:
        write_index(m.tmp, m.run_root)
    except Exception as exc:  # the notebooks' own files are all there
        print(f"warning: the run index was not written: {_error_text(exc)}", file=sys.stderr)


def _point_latest(run_root: Path, final: Path) -> None:
    """``outputs/<run-name>/latest`` → the newest run folder (best effort; not on every file system)."""
    link = run_root / "latest"
    tmp_link = run_root / f".latest-{os.getpid()}"
    with contextlib.suppress(OSError):
        if tmp_link.is_symlink():
            tmp_link.unlink()
        tmp_link.symlink_to(final.name)
        os.replace(tmp_link, link)


# ----------------------------------------------------------------------------- golden notebooks

#: Metadata that changes on every execution and would only add noise to diffs.
_VOLATILE_NB_META = ("start_time", "end_time", "duration", "input_path", "output_path")
_VOLATILE_CELL_META = ("start_time", "end_time", "duration", "status")
_PICTURES = ("image/png", "image/jpeg", "image/svg+xml")


def make_golden(params_path: str | Path, dest: str | Path, log: TextIO | None = None) -> list[Path]:
    """Execute each notebook of a params file into ``dest`` for nbval, without writing results.

    Execution timestamps are removed so that a re-run changes only what the
    notebooks show. Pictures are dropped too (nbval does not compare them; the
    figures' text form, e.g. ``<Figure size 1000x420 with 1 Axes>``, stays), so
    the golden files stay small and their diffs show numbers.
    """
    import nbformat

    log = log or sys.stderr
    params = load_params(params_path)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for entry in params.notebooks:
        out = dest / f"{entry.name}.ipynb"
        print(f"golden: {entry.name} …", file=log, flush=True)
        execute_notebook(entry.name, out, notebook_parameters(params, entry.name, None), dest)
        nb = nbformat.read(out, as_version=4)
        meta = nb.metadata.get("papermill", {})
        for key in _VOLATILE_NB_META:
            meta.pop(key, None)
        meta.pop("environment_variables", None)
        for cell in nb.cells:
            cmeta = cell.metadata.get("papermill", {})
            for key in _VOLATILE_CELL_META:
                cmeta.pop(key, None)
            cell.metadata.pop("execution", None)
            if "injected-parameters" in cell.metadata.get("tags", []):
                cell.id = "injected-parameters"  # Papermill draws a random id on every run
            for output in cell.get("outputs", []):
                for mime in _PICTURES:
                    output.get("data", {}).pop(mime, None)
        nbformat.write(nb, out)
        written.append(out)
    return written
