"""Obligations still open, with the people who own them: the one seam between the
inbox and reminders and the obligations stage.

An obligation (a payment, a renewal notice, an expiry) is owned by the contract's
owner, the person who drafted or imported it, until the obligations stage records
owners of its own; when it does, this module asks it instead, and nothing else in
contractctl.notify changes.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from contractctl.money import Money

#: Contract states whose obligations nobody needs to be reminded of.
CLOSED = ("terminated", "archived", "rejected", "withdrawn", "expired")


@dataclass(frozen=True)
class OpenObligation:
    """An obligation still open, due on ``due``."""

    id: int
    contract_id: str
    title: str
    counterparty: str | None
    department: str
    kind: str
    what: str
    due: date
    amount: Money | None
    owners: tuple[str, ...]


def open_obligations(conn: sqlite3.Connection, until: date) -> list[OpenObligation]:
    """Open obligations due on or before ``until`` (overdue ones included), by due date."""
    rows = conn.execute(
        "SELECT o.*, c.title, c.department, c.created_by, p.name AS party_name FROM obligations o "
        "JOIN contracts c ON c.id = o.contract_id "
        "LEFT JOIN parties p ON p.id = c.counterparty_id "
        f"WHERE o.state = 'open' AND o.due_date <= ? "
        f"AND c.status NOT IN ({', '.join('?' for _ in CLOSED)}) "
        "ORDER BY o.due_date, o.id",
        (until.isoformat(), *CLOSED),
    )
    return [
        OpenObligation(
            id=r["id"],
            contract_id=r["contract_id"],
            title=r["title"],
            counterparty=r["party_name"],
            department=r["department"],
            kind=r["kind"],
            what=r["description"] or r["kind"].replace("_", " "),
            due=date.fromisoformat(r["due_date"][:10]),
            amount=Money(r["amount_minor"], r["currency"]) if r["currency"] else None,
            owners=(r["created_by"],),
        )
        for r in rows
    ]
