"""The ``workbench`` command.

::

    workbench run PARAMS.yaml [--out DIR] [--only NOTEBOOK] [--parallel N | --scheduler ADDRESS] [--pdf]
    workbench pdf RUN_DIR
    workbench prune RUN_ROOT --keep N
    workbench check PARAMS.yaml
    workbench golden PARAMS.yaml [--dest tests/golden]
    workbench notebooks
    workbench fetch policeuk --force essex --from 2023-01 --to 2025-12 [--dest data/policeuk]

Exit codes: 0 success; 1 a notebook failed (the run folder is written and
marked failed); 2 bad input (params, data, arguments), with nothing written.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from workbench.errors import WorkbenchError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="workbench", description="Evaluation and forecasting workbench for police and crime analysts.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    r = sub.add_parser("run", help="run the notebooks a params file lists and write an evaluation report")
    r.add_argument("params", help="YAML params file, e.g. params/demo.yaml")
    r.add_argument("--out", help="folder for run folders (default: outputs/ at the repository root)")
    r.add_argument("--only", metavar="NOTEBOOK", help="run just this notebook of the params file")
    r.add_argument("--parallel", type=int, metavar="N",
                   help="run the notebooks (and matrix members) on N local Dask worker processes")
    r.add_argument("--scheduler", metavar="ADDRESS",
                   help="run them on a Dask cluster (e.g. tcp://10.0.0.5:8786); per-series fits use it too")
    r.add_argument("--pdf", action="store_true",
                   help="also print each publication report and the run index to PDF (needs Chromium)")

    d = sub.add_parser("pdf", help="print a run folder's publication reports and index to PDF with headless Chromium")
    d.add_argument("run_dir", help="a run folder, e.g. outputs/ci/latest")

    k = sub.add_parser("prune", help="delete all but the newest N run folders of one run name")
    k.add_argument("run_root", help="the folder holding one run name's run folders, e.g. outputs/essex-policeuk")
    k.add_argument("--keep", type=int, required=True, metavar="N", help="how many of the newest runs to keep (at least 1)")

    c = sub.add_parser("check", help="validate a params file and its data without running anything")
    c.add_argument("params")

    g = sub.add_parser("golden", help="re-execute the golden notebooks that nbval checks")
    g.add_argument("params", help="params file, normally params/ci.yaml")
    g.add_argument("--dest", default="tests/golden", help="folder of the golden notebooks (default: tests/golden)")

    sub.add_parser("notebooks", help="list the notebooks and their own parameters")

    f = sub.add_parser("fetch", help="download data.police.uk street files into the folder layout the loaders read")
    f.add_argument("what", choices=["policeuk"], help="what to fetch")
    f.add_argument("--force", required=True, help="force slug as in data.police.uk file names, e.g. essex")
    f.add_argument("--from", dest="start", required=True, metavar="YYYY-MM", help="first month")
    f.add_argument("--to", dest="end", required=True, metavar="YYYY-MM", help="last month")
    f.add_argument("--dest", default="data/policeuk", help="folder to fill (default: data/policeuk)")
    f.add_argument("--outcomes", action="store_true", help="also fetch the -outcomes.csv files")
    f.add_argument("--base-url", default=None, help="archive location (default: https://data.police.uk/data/archive/)")
    f.add_argument("--cache", default=None, help="folder for downloaded archives (default: ~/.cache/workbench/policeuk)")
    return p


def _quiet_environment() -> None:
    # Kernels inherit this: no pydevd warnings about frozen modules in notebook stderr.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _quiet_environment()
    try:
        if args.command == "run":
            from workbench.run_index import INDEX_NAME
            from workbench.runner import run

            if args.pdf:
                from workbench.browser import require_chromium

                require_chromium()  # before the run, not after it
            result = run(args.params, out_dir=args.out, only=args.only, parallel=args.parallel, scheduler=args.scheduler)
            runs = getattr(result, "members", None) or {None: result}
            matrix = len(runs) > 1 or None not in runs
            if matrix:
                print(f"matrix {result.status}: {len(runs)} runs, listed in {result.folder}")
            for one in runs.values():
                print(f"run {one.status}: {one.folder}")
                for nb in one.notebooks:
                    if "html" in nb.files:
                        print(f"  {nb.name}: {one.folder / nb.files['html']}")
                if args.pdf:
                    from workbench.browser import pdf_run

                    pdf_run(one.folder)
            if result.status != "ok":
                failed = ", ".join(f"{m}/{nb.name}" if m else nb.name
                                   for m, one in runs.items() for nb in one.notebooks if nb.status != "ok")
                print(f"failed notebook(s): {failed} — open the executed .ipynb or .html above to see the error.", file=sys.stderr)
            index = result.folder.with_suffix(".html") if matrix else result.folder / INDEX_NAME
            if index.is_file():
                print(f"index: {index}")
            return result.exit_code
        if args.command == "pdf":
            from workbench.browser import pdf_run

            pdf_run(Path(args.run_dir))
            return 0
        if args.command == "prune":
            from workbench.run_index import prune

            for gone in prune(Path(args.run_root), args.keep):
                print(f"removed {gone}")
            return 0
        if args.command == "check":
            from workbench.checks import CHECKS
            from workbench.data import coverage
            from workbench.params import load_params
            from workbench.runner import check_members

            params = load_params(args.params)
            checked = check_members(params)
            with_checks = sum(e.name in CHECKS for e in params.notebooks)
            said = f"{len(params.notebooks)} notebook(s), the parameters of {with_checks} checked against the data"
            if params.matrix is not None:
                for member, _, panel in checked:
                    print(f"  {member}: {len(panel):,} panel rows")
                print(f"{args.params}: ok — matrix of {len(params.matrix.values)} runs over {params.matrix.over}, "
                      f"{said} of each")
                return 0
            panel = checked[0][2]
            print(f"{args.params}: ok — run '{params.run_name}', {said}, {len(panel):,} panel rows")
            print(coverage(panel).to_string(index=False))
            return 0
        if args.command == "golden":
            from workbench.runner import make_golden

            for path in make_golden(args.params, Path(args.dest)):
                print(path)
            return 0
        if args.command == "fetch":
            from workbench.fetch import DEFAULT_BASE_URL, fetch_policeuk

            fetch_policeuk(
                args.force, args.start, args.end, args.dest, outcomes=args.outcomes,
                base_url=args.base_url or DEFAULT_BASE_URL, cache=args.cache,
            )
            return 0
        if args.command == "notebooks":
            from workbench.params import NOTEBOOK_PARAMS

            for name, model in NOTEBOOK_PARAMS.items():
                fields = ", ".join(f"{k}={v.default!r}" for k, v in model.model_fields.items())
                print(f"{name}: {fields}")
            return 0
    except WorkbenchError as exc:
        lines = str(exc).splitlines() or [type(exc).__name__]
        print(f"error: {lines[0]}", file=sys.stderr)
        for line in lines[1:]:
            print(f"       {line}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted; no run folder was written", file=sys.stderr)
        return 130
    return 2  # pragma: no cover - argparse requires a command


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
