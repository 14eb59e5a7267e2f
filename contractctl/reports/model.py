"""What a report is: rows of counts and totals, each total one direction and currency.

**Direction** follows from the contract type (contractctl.records.direction: sales is
money we are paid, purchase, service and lease money we pay, the rest none). Totals are
kept apart per (direction, currency) and never added across either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from contractctl.money import Money

# The direction rule lives with the records (party show uses it too); re-exported here.
from contractctl.records.direction import (
    DIRECTION_BY_TYPE,
    DIRECTION_SQL,
    DIRECTIONS,
    SIGNED_STATUSES,
    direction_of,
)
from contractctl.reports.period import Period

__all__ = [
    "DIRECTIONS",
    "DIRECTION_BY_TYPE",
    "DIRECTION_SQL",
    "GROUPINGS",
    "SIGNED_STATUSES",
    "VIEWS",
    "Report",
    "Row",
    "Total",
    "direction_of",
    "merge_totals",
    "sort_totals",
]

GROUPINGS = ("month", "type", "counterparty", "department", "status")
VIEWS = ("pipeline", "expiring", "cycle")


@dataclass(frozen=True)
class Total:
    """The contracts of one direction in one currency: how many, and their sum."""

    direction: str
    currency: str
    count: int
    minor: int

    @property
    def money(self) -> Money:
        """The sum as Money."""
        return Money(self.minor, self.currency)

    def to_dict(self) -> dict[str, Any]:
        """``{"direction", "count", "amount": {"minor", "currency"}}``."""
        return {"direction": self.direction, "count": self.count, "amount": self.money.to_dict()}


def merge_totals(groups: Iterable[Iterable[Total]]) -> list[Total]:
    """Totals summed per (direction, currency), never across them; stable order."""
    sums: dict[tuple[str, str], list[int]] = {}
    for totals in groups:
        for t in totals:
            acc = sums.setdefault((t.direction, t.currency), [0, 0])
            acc[0] += t.count
            acc[1] += t.minor
    return sort_totals(Total(d, c, n, m) for (d, c), (n, m) in sums.items())


def sort_totals(totals: Iterable[Total]) -> list[Total]:
    """Pay, receive, none; then by currency code."""
    return sorted(totals, key=lambda t: (DIRECTIONS.index(t.direction), t.currency))


@dataclass
class Row:
    """One group of a report: its key, label, count and totals.

    ``no_amount`` counts the contracts of the group that state no amount; ``detail`` holds
    what a view adds (counts per status in the pipeline, durations in cycle times).
    """

    key: str | None
    label: str
    count: int = 0
    totals: list[Total] = field(default_factory=list)
    no_amount: int = 0
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a row."""
        data: dict[str, Any] = {
            "key": self.key,
            "label": self.label,
            "count": self.count,
            "no_amount": self.no_amount,
            "totals": [t.to_dict() for t in self.totals],
        }
        data.update(self.detail)
        return data


@dataclass
class Report:
    """A whole report: what was asked, the rows, the grand totals, when it was made."""

    view: str  # month, type, counterparty, department, status, pipeline, expiring, cycle
    period: Period
    filters: dict[str, Any]
    made_at: str
    lang: str
    basis: str  # what the rows count, in words ("contracts signed in the period")
    rows: list[Row] = field(default_factory=list)
    totals: list[Total] = field(default_factory=list)
    count: int = 0
    no_amount: int = 0
    items: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_cycle(self) -> bool:
        """Cycle times have durations, not money."""
        return self.view == "cycle"

    @property
    def series(self) -> list[tuple[str, str]]:
        """The (direction, currency) pairs present in any row, in order."""
        seen = {(t.direction, t.currency) for r in self.rows for t in r.totals}
        order = sort_totals(Total(d, c, 0, 0) for d, c in seen)
        return [(t.direction, t.currency) for t in order]

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape (README, "For scripts")."""
        data: dict[str, Any] = {
            "view": self.view,
            "period": self.period.to_dict(),
            "filters": self.filters,
            "basis": self.basis,
            "made_at": self.made_at,
            "lang": self.lang,
            "count": self.count,
            "no_amount": self.no_amount,
            "totals": [t.to_dict() for t in self.totals],
            "rows": [r.to_dict() for r in self.rows],
        }
        if self.items:
            data["items"] = self.items
        if self.notes:
            data["notes"] = self.notes
        data.update(self.extra)
        return data
