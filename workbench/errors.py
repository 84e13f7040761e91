"""Errors meant for people.

Every error the workbench raises on bad input is a :class:`WorkbenchError`: its
message names the file (and line or key where there is one), what was expected
and what to do. The command line prints it as one line and exits with code 2.
"""

from __future__ import annotations

import re


class WorkbenchError(Exception):
    """A problem with the user's input, explained in the message."""

    exit_code = 2


class ParamsError(WorkbenchError):
    """A params file is missing, unreadable or does not match the schema."""


class DataError(WorkbenchError):
    """An input data file or folder is missing or malformed."""


class ClaimsError(DataError):
    """A claims file is malformed: the message names the file, line and column."""


def key_text(key: tuple) -> str:
    """``("hotspots", 3)`` → ``hotspots[3]``; ``("model", "shocks")`` → ``model.shocks``."""
    out = ""
    for part in key:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(part)):
            out += f"[{str(part)!r}]"  # a name as a key: breaks['999 calls answered']
        else:
            out += f".{part}" if out else str(part)
    return out


class ParamDataError(DataError, ValueError):
    """A notebook parameter that the data cannot support (a hotspot not in the data, a baseline year they do not cover).

    ``key`` is the parameter's place among the notebook's own parameters, e.g. ``("hotspots", 3)``, and ``detail``
    says what is wrong with its value and the fix. Inside a notebook the message reads ``hotspots[3]: detail``; the
    checks made before a run (:mod:`workbench.checks`) put the params file's line and the notebook in front.
    """

    def __init__(self, key: str | tuple, detail: str) -> None:
        self.key = tuple(key) if isinstance(key, (tuple, list)) else (key,)
        self.detail = detail
        super().__init__(f"{key_text(self.key)}: {detail}")

    def __reduce__(self):
        return type(self), (self.key, self.detail)
