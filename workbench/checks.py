"""Checks made before anything runs: each notebook's parameters against the loaded data.

Every evaluation module that has preconditions on the data keeps them in a ``check(p, run, panel)`` function
beside the code that needs them, built from the same functions its notebook calls, so the check and the
notebook cannot disagree; none of them fits anything. :func:`check_notebooks` runs those of the notebooks a run
will execute; ``workbench check`` and the start of ``workbench run`` call it (through
:func:`workbench.runner.check_members`) before any folder is written.

A failed check is a :class:`~workbench.errors.WorkbenchError` (exit code 2). When the failure is about one
parameter (a :class:`~workbench.errors.ParamDataError`) the message names the params file's line, the notebook
and the key, then says what is wrong with the value and the fix.
"""

from __future__ import annotations

import importlib
from typing import Any

from workbench.errors import DataError, ParamDataError, ParamsError, WorkbenchError, key_text
from workbench.params import NOTEBOOK_PARAMS, RunParams

#: The module whose ``check(p, run, panel)`` checks each notebook (a notebook not listed has no checks of its own).
CHECKS: dict[str, str] = {
    "10-goal-tracking": "workbench.evaluations.goal",
    "15-where-we-stand": "workbench.evaluations.nowcast",
    "20-hotspot-policing": "workbench.evaluations.hotspot",
    "30-vvu-return": "workbench.evaluations.vvu",
    "40-scorecard": "workbench.evaluations.scorecard",
    "90-backtest": "workbench.evaluations.backtest",
}


def check_notebooks(run: RunParams, panel: Any, names: list[str] | None = None) -> list[str]:
    """Check the parameters of each notebook of ``run`` (or only those in ``names``) against ``panel``.

    Returns the notebooks checked. Raises the first failure, naming the params file, line, notebook and key.
    """
    checked = []
    for i, entry in enumerate(run.notebooks):
        if (names is not None and entry.name not in names) or entry.name not in CHECKS:
            continue
        p = NOTEBOOK_PARAMS[entry.name].model_validate(entry.parameters)
        try:
            importlib.import_module(CHECKS[entry.name]).check(p, run, panel)
        except ParamDataError as exc:
            raise ParamsError(_keyed(run, i, entry.name, exc)) from None
        except WorkbenchError as exc:
            raise type(exc)(f"{run.where()[0]}: notebook {entry.name}: {exc}") from None
        except ValueError as exc:  # the same error the notebook would stop on, raised before anything runs
            raise DataError(f"{run.where()[0]}: notebook {entry.name}: {exc}") from None
        checked.append(entry.name)
    return checked


def _keyed(run: RunParams, index: int, name: str, exc: ParamDataError) -> str:
    where, in_file = run.where(("notebooks", index, "parameters", *exc.key))
    default = "" if in_file else " (not set in the file: its default)"
    return f"{where}: key 'notebooks[{name}].{key_text(exc.key)}'{default}: {exc.detail}"
