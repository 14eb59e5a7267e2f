"""Dates as contractctl accepts them on the command line and stores them: ISO 8601.

Only unambiguous forms are accepted: ``2026-11-22``, ``today``, and relative offsets
``+30d`` / ``-2w`` / ``+6m`` / ``+1y`` from today. A date like 03/04/2026 means two
different days to two readers, so it is refused rather than guessed.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo

from contractctl.errors import InvalidInput

_RELATIVE = re.compile(r"^([+-]?)(\d{1,4})([dwmy])$")


def parse_date(text: str | date, *, what: str = "date", today: date | None = None) -> date:
    """Parse an ISO date, ``today`` or a relative offset; InvalidInput otherwise."""
    if isinstance(text, date):
        return text
    value = text.strip().lower()
    base = today or local_today()
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


# -- the store's time zone ----------------------------------------------------------------
# Times are stored and given in JSON as UTC ISO 8601; people read them in the store's zone
# (contractctl.toml [store] timezone, else the system's), labelled. `today` and the
# business-day clock run in the same zone, so a deadline falls on the day people see.

_zone: tzinfo | None = None


def zone_named(name: str) -> tzinfo:
    """The IANA zone ``name`` (Asia/Shanghai, UTC); InvalidInput when unknown."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"unknown time zone {name!r} (an IANA name such as Asia/Shanghai or UTC)"
        ) from None


def system_zone() -> tzinfo:
    """The system's zone: $TZ when it names one, else the local offset in force."""
    import os

    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            return zone_named(name)
        except InvalidInput:
            pass
    return datetime.now().astimezone().tzinfo or UTC


def set_zone(name: str | None) -> tzinfo:
    """Use zone ``name`` (empty or None: the system's) for this process."""
    global _zone
    _zone = zone_named(name) if name else None
    return zone()


def zone() -> tzinfo:
    """The zone times are shown in and `today` is counted in."""
    return _zone if _zone is not None else system_zone()


def local_now() -> datetime:
    """Now, in the store's zone."""
    return datetime.now(zone())


def local_today() -> date:
    """Today's date in the store's zone."""
    return local_now().date()


def local_time_text(moment: str | datetime | None, *, seconds: bool = False) -> str:
    """A stored UTC time as people read it: ``2026-12-09 13:47 CST`` (the zone's
    abbreviation, or its offset ``+08:00`` where it has none); empty for nothing."""
    if moment is None or moment == "":
        return ""
    when = moment if isinstance(moment, datetime) else _parse_iso(moment)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    shown = when.astimezone(zone())
    label = shown.tzname() or ""
    if not label or label[0] in "+-" or label.startswith("UTC+") or label.startswith("UTC-"):
        offset = shown.strftime("%z")
        label = f"{offset[:3]}:{offset[3:]}" if offset else "UTC"
    return shown.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + f" {label}"


def _parse_iso(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"not an ISO 8601 time: {text!r}") from None
