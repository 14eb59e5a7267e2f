"""`inbox`: what waits for one person, in one list, most urgent first.

Before this, an approver had to run `list --status in_review` and `route` for each id
to learn what waited for them. The inbox gathers, for a person:

- **approvals** pending at their stage, assigned to them or to someone they stand in for
  while a delegation runs (``for`` names whom), with the due time and how late;
- contracts **returned** to them (they submitted or own it), with the approver's comment;
- **signatures** due: their approved contracts whose next signature is the company's;
- **obligations** they own and **order steps** of orders they created, due within the
  window or overdue (contractctl.notify.owners asks the obligations stage).

It only reads the store, so it is as safe to run from a shell prompt as from a script.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from contractctl.money import Money
from contractctl.notify.owners import open_items
from contractctl.notify.plan import parse_moment
from contractctl.records.contracts import Contract, contracts_by_id
from contractctl.records.people import People

#: Where the kinds sort when their due times are equal.
ORDER = {"approval": 0, "returned": 1, "signature": 2, "obligation": 3, "order": 4}


@dataclass(frozen=True)
class InboxItem:
    """One thing waiting for the person."""

    kind: str  # approval | returned | signature | obligation | order
    contract_id: str
    title: str
    counterparty: str | None
    amount: Money | None
    what: str
    due: str | None  # ISO date-time (approvals) or date
    overdue: bool
    late_hours: int  # how late, in whole hours (0 when not overdue)
    on_behalf_of: str | None = None
    comment: str = ""

    def to_dict(self) -> dict[str, Any]:
        """One entry of `inbox --json`."""
        return {
            "kind": self.kind,
            "contract_id": self.contract_id,
            "title": self.title,
            "counterparty": self.counterparty,
            "amount": self.amount.to_dict() if self.amount else None,
            "what": self.what,
            "due": self.due,
            "overdue": self.overdue,
            "late_hours": self.late_hours,
            "on_behalf_of": self.on_behalf_of,
            "comment": self.comment,
        }


def inbox(
    store: Any,
    people: People,
    person: str,
    *,
    now: datetime | None = None,
    today: date,
    within_days: int = 30,
) -> list[InboxItem]:
    """Everything waiting for ``person``: overdue first, then by due time."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    conn = store.conn
    items = _approvals(conn, people, person, now, today)
    items += _returned(conn, person)
    items += _signatures(store, person)
    until = today + timedelta(days=within_days)
    for item in open_items(conn, today, until):
        if person not in item.owners:
            continue
        late = max(0, (today - item.due).days) * 24
        items.append(
            InboxItem(
                "order" if item.kind == "order" else "obligation",
                item.contract_id,
                item.title,
                item.counterparty,
                item.amount,
                item.what,
                item.due.isoformat(),
                item.due < today,
                late,
            )
        )
    return sorted(
        items,
        key=lambda i: (
            not i.overdue,
            i.due is None,
            (i.due or "")[:19],
            ORDER[i.kind],
            i.contract_id,
        ),
    )


def _party(contract: Contract) -> str | None:
    return contract.counterparty["name"] if contract.counterparty else None


def _approvals(
    conn: sqlite3.Connection, people: People, person: str, now: datetime, today: date
) -> list[InboxItem]:
    rows = conn.execute(
        "SELECT t.*, r.contract_id FROM approval_tasks t "
        "JOIN approval_routes r ON r.id = t.route_id AND r.state = 'open' "
        "WHERE t.state = 'pending' ORDER BY t.due_at, t.id"
    ).fetchall()
    mine = [r for r in rows if people.may_act_for(person, r["approver"], today)]
    contracts = contracts_by_id(conn, sorted({r["contract_id"] for r in mine}))
    out = []
    seen: set[tuple[int, int]] = set()
    for task in mine:
        stage = (task["route_id"], task["stage_n"])
        own = task["approver"] == person
        if stage in seen and not own:
            continue  # a delegate standing in for two people at one stage decides once
        seen.add(stage)
        contract = contracts[task["contract_id"]]
        late = 0
        overdue = False
        if task["due_at"]:
            due = parse_moment(task["due_at"])
            overdue = now > due
            late = int((now - due).total_seconds() // 3600) if overdue else 0
        out.append(
            InboxItem(
                "approval",
                contract.id,
                contract.title,
                _party(contract),
                contract.amount,
                f"approve stage {task['stage_n']} ({task['stage_name']})",
                task["due_at"],
                overdue,
                late,
                on_behalf_of=None if own else task["approver"],
            )
        )
    return out


def _returned(conn: sqlite3.Connection, person: str) -> list[InboxItem]:
    rows = conn.execute(
        "SELECT c.id, r.submitted_by, r.closed_at, "
        "(SELECT comment FROM approval_tasks t WHERE t.route_id = r.id AND t.state = 'returned' "
        " ORDER BY t.decided_at DESC LIMIT 1) AS comment FROM contracts c "
        "JOIN approval_routes r ON r.id = (SELECT MAX(id) FROM approval_routes "
        " WHERE contract_id = c.id) "
        "WHERE c.status = 'returned' AND (r.submitted_by = ? OR c.created_by = ?)",
        (person, person),
    ).fetchall()
    contracts = contracts_by_id(conn, [r["id"] for r in rows])
    return [
        InboxItem(
            "returned",
            r["id"],
            contracts[r["id"]].title,
            _party(contracts[r["id"]]),
            contracts[r["id"]].amount,
            "revise and submit again",
            None,
            False,
            0,
            comment=r["comment"] or "",
        )
        for r in rows
    ]


def _signatures(store: Any, person: str) -> list[InboxItem]:
    from contractctl.signing.plan import signatories, signed_parties

    rows = store.conn.execute(
        "SELECT c.id FROM contracts c WHERE c.status IN ('approved', 'signing') AND "
        "(c.created_by = ? OR EXISTS (SELECT 1 FROM approval_routes r WHERE "
        " r.contract_id = c.id AND r.state = 'approved' AND r.submitted_by = ?))",
        (person, person),
    ).fetchall()
    contracts = contracts_by_id(store.conn, [r["id"] for r in rows])
    out = []
    for contract in contracts.values():
        order = signatories(store, contract)
        signed = signed_parties(store.conn, contract.id, contract.version)
        pending = [p for p in order if p not in signed]
        if not pending or pending[0] != "company":
            continue
        out.append(
            InboxItem(
                "signature",
                contract.id,
                contract.title,
                _party(contract),
                contract.amount,
                "sign for the company",
                None,
                False,
                0,
            )
        )
    return out
