"""Financial years and quarters: the one home of the calendar every evaluation counts in.

A financial year runs April to March; ``FY 2023`` means 2023/24. Quarters start in January, April, July and October.
"""

from __future__ import annotations

import pandas as pd


def fy_label(year: int) -> str:
    """``2023`` -> ``"2023/24"``."""
    return f"{year}/{(year + 1) % 100:02d}"


def fy_periods(year: int, step: int) -> pd.DatetimeIndex:
    """First month of each period of financial year ``year`` (April ``year`` to March ``year+1``)."""
    return pd.date_range(f"{year}-04-01", f"{year + 1}-03-01", freq=f"{step}MS")


def financial_year(period: pd.Timestamp) -> int:
    """2021 for any month of April 2021 - March 2022."""
    return period.year if period.month >= 4 else period.year - 1


def quarter_of(month: str) -> pd.Timestamp:
    """The first month of the quarter (Jan/Apr/Jul/Oct) containing ``month`` (``YYYY-MM``)."""
    m = pd.Timestamp(f"{month}-01")
    return pd.Timestamp(year=m.year, month=3 * ((m.month - 1) // 3) + 1, day=1)
