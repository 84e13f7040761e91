"""The shape every evaluation's result has: ``figures()``, ``checks()`` and ``summary(label)``."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass
class Summary:
    """What a summary gives: the table to show and the paragraph a board paper can quote."""

    table: pd.DataFrame
    paragraph: str


class Result:
    """Base of every evaluation's result type.

    ``figures()`` is the results JSON; ``checks()`` a table with at least the columns ``check`` and ``passed``;
    ``summary(label)`` a :class:`Summary`, ``label`` naming the data in the paragraph.
    """

    def figures(self) -> dict:  # pragma: no cover - the contract
        raise NotImplementedError

    def checks(self) -> pd.DataFrame:  # pragma: no cover - the contract
        raise NotImplementedError

    def summary(self, label: str) -> Summary:  # pragma: no cover - the contract
        raise NotImplementedError

    def checks_passed(self) -> bool:
        """Whether every check passed."""
        return bool(self.checks()["passed"].all())
