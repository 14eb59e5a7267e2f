"""Approval deadlines: the business-day calendar and the due time of a stage.

A stage is due some hours after it opens (``48h``, ``3d`` in rules/approval.toml), on
one of two clocks: ``calendar`` counts every hour, ``business`` only the hours of
workdays (Mon-Fri, minus the table's holidays, plus its 调休 make-up workdays). This is
date arithmetic with no knowledge of routes, kept apart so the decision table and the
file reader share it and it can be tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from contractctl.errors import InvalidInput

#: The clocks a stage's deadline may run on.
CALENDARS = ("business", "calendar")


def parse_due(text: Any) -> int:
    """``48h`` or ``3d`` as hours."""
    if (
        not isinstance(text, str)
        or len(text) < 2
        or text[-1] not in "hd"
        or not text[:-1].isdigit()
    ):
        raise ValueError("a duration like 48h or 3d")
    number = int(text[:-1])
    return number * 24 if text[-1] == "d" else number


@dataclass(frozen=True)
class Calendar:
    """Which days count for ``business`` deadlines: Mon-Fri, minus holidays, plus 调休 days."""

    holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()

    def is_workday(self, day: date) -> bool:
        """Mon-Fri unless a holiday; a weekend make-up workday counts."""
        if day in self.extra_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def due(self, start: datetime, hours: int, kind: str) -> datetime:
        """``hours`` after ``start``; on the business calendar only workdays' hours count."""
        if kind == "calendar":
            return start + timedelta(hours=hours)
        from contractctl.dates import zone

        # Workdays are the store's days: count them in its zone, not UTC's.
        remaining = timedelta(hours=hours)
        current = start.astimezone(zone()) if start.tzinfo is not None else start
        for _ in range(10_000):
            day_end = datetime.combine(
                current.date() + timedelta(days=1), datetime.min.time(), tzinfo=current.tzinfo
            )
            if self.is_workday(current.date()):
                available = day_end - current
                if remaining <= available:
                    end = current + remaining
                    return end.astimezone(start.tzinfo) if start.tzinfo is not None else end
                remaining -= available
            current = day_end
        raise InvalidInput("a deadline could not be placed within 10,000 days")
