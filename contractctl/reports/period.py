"""The period a report covers: ``--period 2026Q3|2026-11|2026`` or ``--from/--to``.

A period is a closed range of days; either end may be open. Quarters, months and years
are written as people say them; anything else is refused naming the option.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from contractctl.dates import parse_date
from contractctl.errors import InvalidInput

_QUARTER = re.compile(r"(\d{4})-?[Qq]([1-4])")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_YEAR = re.compile(r"\d{4}")


@dataclass(frozen=True)
class Period:
    """Days from ``start`` to ``end`` inclusive; None is open. ``label`` as given."""

    start: date | None = None
    end: date | None = None
    label: str = ""

    @property
    def is_open(self) -> bool:
        """True when the period restricts nothing."""
        return self.start is None and self.end is None

    def to_dict(self) -> dict[str, str | None]:
        """The JSON shape: ``{"from", "to", "label"}`` with ISO dates or null."""
        return {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "label": self.label or None,
        }


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def parse_period(text: str) -> Period:
    """``2026Q3`` (or ``2026-Q3``), ``2026-11`` or ``2026`` as a Period of whole days."""
    value = text.strip()
    if match := _QUARTER.fullmatch(value):
        year, quarter = int(match[1]), int(match[2])
        first = 3 * (quarter - 1) + 1
        return Period(date(year, first, 1), _month_end(year, first + 2), f"{year}Q{quarter}")
    if match := _MONTH.fullmatch(value):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise InvalidInput(f"--period: {text!r} has no month {month}")
        return Period(date(year, month, 1), _month_end(year, month), f"{year}-{month:02d}")
    if _YEAR.fullmatch(value):
        year = int(value)
        return Period(date(year, 1, 1), date(year, 12, 31), str(year))
    raise InvalidInput(
        f"--period: {text!r} is not a period",
        hint="write a quarter, month or year: 2026Q3, 2026-11 or 2026",
    )


def resolve_period(period: str | None, start: str | None, end: str | None) -> Period:
    """The period from ``--period`` or ``--from/--to`` (not both); open when none given."""
    if period and (start or end):
        raise InvalidInput("give either --period or --from/--to, not both")
    if period:
        return parse_period(period)
    first = parse_date(start, what="--from") if start else None
    last = parse_date(end, what="--to") if end else None
    if first and last and last < first:
        raise InvalidInput(f"--to {last} is before --from {first}")
    label = f"{first or '…'} – {last or '…'}" if (first or last) else ""
    return Period(first, last, label)
