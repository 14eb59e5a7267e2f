"""An imported contract's lifecycle from what its text says about its end.

A fixed term with no renewal expires on its expiry date. A contract that renews itself
does not: when its first term has passed it is active in a renewed term, and what
matters is the next renewal date and the last day to give notice against it
(the notice counted in the unit the contract wrote: 12 months before 2027-03-31 is
2026-03-31, not 360 days). The renewal period is read from the renewal clause
("successive one-year periods", 自动续期一年, month-to-month); when the clause does not
say, the contract's own term, else one year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from contractctl.dates import add_months
from contractctl.metadata.model import Term
from contractctl.metadata.terms import en_number, zh_number

_MONTHLY: Final = re.compile(r"(?i)month[\s-]to[\s-]month|按月")
_EN_PERIOD: Final = re.compile(
    r"(?i)(?:successive|additional|further|consecutive|renewal)\s+(?:periods?\s+of\s+)?"
    r"(?P<num>\d+|[a-z]+(?:\s*\(\s*\d+\s*\))?)[\s-]*(?P<unit>year|month)"
    r"|(?:successive|additional|further)\s+(?P<annual>annual|yearly)\b"
)
_ZH_PERIOD: Final = re.compile(
    r"(?:续期|续约|延期|延长|续签)(?P<num>[\d一二两三四五六七八九十]{1,3})(?P<unit>年|个月)"
)
#: A renewal with no period written renews for this long.
DEFAULT_PERIOD: Final = Term(12, "months")


def renewal_period(source: str, term: Term | None) -> Term:
    """How long one renewal lasts, from the renewal clause, else the term, else a year."""
    if _MONTHLY.search(source):
        return Term(1, "months")
    en = _EN_PERIOD.search(source)
    if en:
        if en.group("annual"):
            return Term(12, "months")
        number = en_number(en.group("num"))
        if number:
            return Term(number * (12 if en.group("unit").lower() == "year" else 1), "months")
    zh = _ZH_PERIOD.search(source)
    if zh:
        number = zh_number(zh.group("num"))
        if number:
            return Term(number * (12 if zh.group("unit") == "年" else 1), "months")
    return term if term is not None and term.count > 0 else DEFAULT_PERIOD


def _advance(day: date, period: Term) -> date:
    if period.unit == "months":
        return add_months(day + timedelta(days=1), period.count) - timedelta(days=1)
    return day + timedelta(days=period.count)


def before(day: date, notice: Term) -> date:
    """The day ``notice`` before ``day``, counted in its own unit."""
    if notice.unit == "months":
        return add_months(day, -notice.count)
    return day - timedelta(days=notice.count)


@dataclass(frozen=True)
class Lifecycle:
    """Where an imported contract stands on ``today``."""

    status: str  # active | expired
    end_date: date | None  # the end of the term in force (renewed terms rolled forward)
    renewals: int  # how many times it has renewed itself by today
    obligations: tuple[tuple[str, date, str], ...]  # (kind, due date, description)


def lifecycle(
    expiry: date | None,
    renews: bool | None,
    notice: Term | None,
    period: Term,
    today: date,
) -> Lifecycle:
    """Status, current end and obligations of a contract that ends on ``expiry``.

    Only a fixed term without renewal expires; one that renews itself is active in its
    renewed term, with the next renewal and the notice deadline as obligations.
    """
    if expiry is None:
        return Lifecycle("active", None, 0, ())
    if not renews:
        status = "expired" if expiry < today else "active"
        return Lifecycle(status, expiry, 0, (("expiry", expiry, "contract expires"),))
    end, renewals = expiry, 0
    while end < today and renewals < 1200:
        end, renewals = _advance(end, period), renewals + 1
    length = f"{period.count} {'month' if period.unit == 'months' else 'day'}"
    length += "s" if period.count != 1 else ""
    found: list[tuple[str, date, str]] = [
        ("expiry", end, f"term ends; renews automatically for {length} unless notice is given")
    ]
    if notice is not None and notice.count > 0:
        unit = notice.unit if notice.count != 1 else notice.unit.rstrip("s")
        renewal = end
        while before(renewal, notice) < today:  # too late to stop this one: the next
            renewal = _advance(renewal, period)
        found.append(
            (
                "renewal_notice",
                before(renewal, notice),
                f"last day to give notice ({notice.count} {unit}) against automatic renewal",
            )
        )
    return Lifecycle("active", end, renewals, tuple(found))


def term_of(value: object) -> Term | None:
    """A Term from its stored form ({"months": 12}, {"days": 30}) or a count of days."""
    if isinstance(value, Term):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Term(value, "days")
    if isinstance(value, dict) and len(value) == 1:
        ((unit, count),) = value.items()
        if unit in ("months", "days") and isinstance(count, int):
            return Term(count, unit)
    return None
