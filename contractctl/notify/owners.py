"""Obligations still open and order steps awaited, with the people who own them: the
one seam between the inbox and reminders and the obligations stage.

Both lists come from contractctl.obligations (``ledger.open_obligations``: open
obligations due within a window or overdue, each with its owner; ``remind.reminders``:
orders whose next step is due, with who created them); this module only reshapes them
for the inbox and the notices, and adds the contract's department, which subscriptions
filter by. An obligation recorded before owners were (no owner) is the contract owner's.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from datetime import date

from contractctl.money import Money
from contractctl.records.contracts import contracts_by_id


@dataclass(frozen=True)
class OpenItem:
    """An open obligation, or an order's next step, due on ``due``."""

    key: str  # what the notices call it: obligation:7, order:C-2026-0001:3f2a...
    kind: str  # an obligation's kind, or order
    contract_id: str
    title: str
    counterparty: str | None
    department: str
    what: str
    due: date
    amount: Money | None
    owners: tuple[str, ...]


def open_items(conn: sqlite3.Connection, today: date, until: date) -> list[OpenItem]:
    """Open obligations and awaited order steps due on or before ``until`` (overdue
    ones included), by due date."""
    from contractctl.obligations.ledger import open_obligations
    from contractctl.obligations.remind import reminders

    within = max(0, (until - today).days)
    obligations = open_obligations(conn, within_days=within, today=today)
    orders = [r for r in reminders(conn, within_days=within, today=today) if r.kind == "order"]
    contracts = contracts_by_id(
        conn, sorted({o["contract_id"] for o in obligations} | {r.contract_id for r in orders})
    )
    out: list[OpenItem] = []
    for item in obligations:
        contract = contracts.get(item["contract_id"])
        owner = item["owner"] or (contract.created_by if contract else "")
        amount = item["amount"]
        out.append(
            OpenItem(
                key=f"obligation:{item['id']}",
                kind=item["kind"],
                contract_id=item["contract_id"],
                title=item["title"],
                counterparty=item["counterparty"],
                department=contract.department if contract else "",
                what=item["description"] or item["kind"].replace("_", " "),
                due=date.fromisoformat(item["due"][:10]),
                amount=Money(amount["minor"], amount["currency"]) if amount else None,
                owners=(owner,) if owner else (),
            )
        )
    for step in orders:
        contract = contracts.get(step.contract_id)
        digest = hashlib.sha256(f"{step.due}|{step.what}".encode()).hexdigest()[:12]
        amount = step.amount
        out.append(
            OpenItem(
                key=f"order:{step.contract_id}:{digest}",
                kind="order",
                contract_id=step.contract_id,
                title=step.title,
                counterparty=step.counterparty,
                department=contract.department if contract else "",
                what=step.what,
                due=date.fromisoformat(step.due[:10]),
                amount=Money(amount["minor"], amount["currency"])
                if amount and amount.get("currency")
                else None,
                owners=(step.who,) if step.who else (),
            )
        )
    return sorted(out, key=lambda i: (i.due, i.key))
