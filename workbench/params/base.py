"""Building blocks of every params schema: strict sections, months, and figures that carry their source.

Defaults that are evidence (literature priors, cost assumptions, the forces with VRU funding) are not written here:
they are rows of the reference tables in ``params/reference/`` (:mod:`workbench.reference`), read by
:func:`reference_default` when a schema needs its default.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, Field

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class Strict(BaseModel):
    """Base for every params section: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


def _month(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if not MONTH_RE.match(text):
        raise ValueError(f"expected a month as 'YYYY-MM' (e.g. '2025-12'), got {value!r}")
    return text


class EffectPrior(Strict):
    """A Normal prior on a log rate ratio, with where it comes from."""

    mean: float = Field(..., ge=-3, le=3, description="prior mean of the log rate ratio (log(0.84) = -0.174)")
    sd: float = Field(..., gt=0, le=3, description="prior sd of the log rate ratio")
    source: str = Field(..., min_length=1, description="where the prior comes from")
    verified: bool = Field(..., description="whether the source was checked at first hand")


class Figure(Strict):
    """One figure used in an evaluation, with where it comes from."""

    value: float = Field(..., description="the figure")
    source: str = Field(..., min_length=1, description="where it comes from")
    verified: bool = Field(..., description="whether the source was checked at first hand")


def reference_default(model: type[BaseModel], table: str, *args: str) -> Callable[[], BaseModel]:
    """A ``default_factory`` that builds ``model`` from a reference table's row.

    ``reference_default(EffectPrior, "prior", "hotspot_effect")`` reads the row ``hotspot_effect`` of
    ``params/reference/priors.csv`` through :func:`workbench.reference.prior`; a missing or malformed row raises a
    :class:`~workbench.errors.DataError` naming the file and line.
    """

    def make() -> BaseModel:
        from workbench import reference

        return model(**getattr(reference, table)(*args))

    return make
