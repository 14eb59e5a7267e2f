"""Dates as contractctl accepts them on the command line and stores them: ISO 8601.

Only unambiguous forms are accepted: ``2026-11-22``, ``today``, and relative offsets
``+30d`` / ``-2w`` / ``+6m`` / ``+1y`` from today. A date like 03/04/2026 means two
different days to two readers, so it is refused rather than guessed.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from contractctl.errors import InvalidInput

_RELATIVE = re.compile(r"^([+-]?)(\d{1,4})([dwmy])$")


def parse_date(text: str | date, *, what: str = "date", today: date | None = None) -> date:
    """Parse an ISO date, ``today`` or a relative offset; InvalidInput otherwise."""
    if isinstance(text, date):
        return text
    value = text.strip().lower()
    base = today or date.today()
    if value == "today":
        return base
    match = _RELATIVE.match(value)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        amount = int(match.group(2)) * sign
        unit = match.group(3)
        if unit == "d":
            return base + timedelta(days=amount)
        if unit == "w":
            return base + timedelta(weeks=amount)
        months = amount if unit == "m" else amount * 12
        return add_months(base, months)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{what}: {text!r} is not a date; use YYYY-MM-DD, 'today' or an offset like +30d"
        ) from None


def parse_duration_days(text: str, *, what: str = "duration") -> int:
    """A duration like ``30d``, ``2w``, ``3m`` (30 days each) or ``1y`` as days."""
    match = _RELATIVE.match(text.strip().lower())
    if not match or match.group(1) == "-":
        raise InvalidInput(f"{what}: {text!r} is not a duration; use e.g. 30d, 2w, 3m, 1y")
    amount = int(match.group(2))
    return amount * {"d": 1, "w": 7, "m": 30, "y": 365}[match.group(3)]


def add_months(day: date, months: int) -> date:
    """Calendar month arithmetic, clamping to the month's last day (Jan 31 + 1m = Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")
