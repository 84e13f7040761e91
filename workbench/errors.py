"""Errors meant for people.

Every error the workbench raises on bad input is a :class:`WorkbenchError`: its
message names the file (and line or key where there is one), what was expected
and what to do. The command line prints it as one line and exits with code 2.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """A problem with the user's input, explained in the message."""

    exit_code = 2


class ParamsError(WorkbenchError):
    """A params file is missing, unreadable or does not match the schema."""


class DataError(WorkbenchError):
    """An input data file or folder is missing or malformed."""


class ClaimsError(DataError):
    """A claims file is malformed: the message names the file, line and column."""
