"""Periods as people write them."""

from __future__ import annotations

from datetime import date

import pytest

from contractctl.errors import InvalidInput
from contractctl.reports.period import parse_period, resolve_period


@pytest.mark.parametrize(
    "text,start,end,label",
    [
        ("2026Q3", date(2026, 7, 1), date(2026, 9, 30), "2026Q3"),
        ("2026-q1", date(2026, 1, 1), date(2026, 3, 31), "2026Q1"),
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30), "2026-11"),
        ("2024-2", date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "2026"),
        ("2025-12", date(2025, 12, 1), date(2025, 12, 31), "2025-12"),
    ],
)
def test_quarters_months_and_years(text: str, start: date, end: date, label: str) -> None:
    period = parse_period(text)
    assert (period.start, period.end, period.label) == (start, end, label)


@pytest.mark.parametrize("text", ["2026Q5", "2026-13", "26", "last year", "2026-11-01"])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="--period"):
        parse_period(text)


def test_from_and_to() -> None:
    period = resolve_period(None, "2026-01-15", "2026-02-10")
    assert (period.start, period.end) == (date(2026, 1, 15), date(2026, 2, 10))
    assert resolve_period(None, None, None).is_open
    assert resolve_period(None, "2026-01-01", None).end is None
    with pytest.raises(InvalidInput, match="before --from"):
        resolve_period(None, "2026-02-01", "2026-01-01")
    with pytest.raises(InvalidInput, match="not both"):
        resolve_period("2026", "2026-01-01", None)
