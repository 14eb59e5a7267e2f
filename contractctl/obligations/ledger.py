"""The obligations of contracts in force: list them, add one, mark one done or waived.

An obligation is stored ``open``, ``done`` (who, on which day, recorded when, with what
evidence), ``waived`` (the other side's performance given up, with the reason) or
``cancelled`` (the contract ended early, or an amendment dropped it). What a reader
sees is computed for the day asked about (``status``):

- ``waiting``: open, but its date waits for an event (acceptance after delivery);
- ``overdue``: open and its due date has passed;
- ``due``: open and due today or within ``DUE_SOON`` days;
- ``open``: open and due later; ``done``, ``waived``, ``cancelled`` as stored.

Marking a milestone done (or waived) dates the obligations that waited for it
(contractctl.obligations.schedule.event_recorded): acceptance's 7 days start the day
delivery is recorded. A money obligation is done by the payments allocated to it
(contractctl.obligations.payments), not by hand, unless ``force`` says it was settled
another way. Who may do what: contractctl.obligations.permissions.

``open_obligations`` is the list for reminders and inboxes: every open obligation that is
due within a window or overdue, with its owner.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from contractctl.dates import local_today
from contractctl.errors import InvalidInput, NotAllowed, NotFound
from contractctl.money import Money
from contractctl.obligations.permissions import require_keeper_or_owner
from contractctl.store import Tx
from contractctl.store.audit import now_iso
from contractctl.store.execution_tables import OBLIGATION_KINDS

#: Open obligations due within this many days count as ``due``.
DUE_SOON = 7
MONEY_KINDS = ("deposit", "prepayment", "balance", "retention", "payment")
#: What a contract must be for its obligations to change.
IN_FORCE = ("signed", "active")


def status_of(row: sqlite3.Row | dict[str, Any], today: date) -> str:
    """The computed status of an obligation row on ``today`` (see the module docstring)."""
    if row["state"] != "open":
        return str(row["state"])
    if row["due_date"] is None:
        return "waiting"
    due = date.fromisoformat(row["due_date"])
    if due < today:
        return "overdue"
    return "due" if due <= today + timedelta(days=DUE_SOON) else "open"


def obligation_dict(row: sqlite3.Row, today: date, paid: int | None = None) -> dict[str, Any]:
    """The `--json` shape of one obligation."""
    amount = Money(row["amount_minor"], row["currency"]).to_dict() if row["currency"] else None
    out: dict[str, Any] = {
        "id": row["id"],
        "contract_id": row["contract_id"],
        "kind": row["kind"],
        "milestone": row["milestone"],
        "party": row["party"],
        "due": row["due_date"],
        "after": row["after"] if row["due_date"] is None else None,
        "expected": row["expected_date"] if row["due_date"] is None else None,
        "description": row["description"],
        "amount": amount,
        "paid": (
            None if paid is None or not row["currency"] else Money(paid, row["currency"]).to_dict()
        ),
        "state": row["state"],
        "status": status_of(row, today),
        "days": (date.fromisoformat(row["due_date"]) - today).days if row["due_date"] else None,
        "owner": row["owner"],
        "source": row["source"],
        "done_on": row["done_on"],
        "done_by": row["done_by"],
        "note": row["note"],
        "evidence": row["evidence_sha"],
    }
    return out


def paid_by_obligation(conn: sqlite3.Connection, contract_id: str | None = None) -> dict[int, int]:
    """Minor units allocated to each obligation by payments."""
    sql = "SELECT a.obligation_id, SUM(a.amount_minor) FROM payment_allocations a "
    args: tuple[Any, ...] = ()
    if contract_id:
        sql += "JOIN obligations o ON o.id = a.obligation_id WHERE o.contract_id = ? "
        args = (contract_id,)
    return {int(r[0]): int(r[1]) for r in conn.execute(sql + "GROUP BY a.obligation_id", args)}


def list_obligations(
    conn: sqlite3.Connection,
    contract_id: str | None = None,
    *,
    status: str | None = None,
    owner: str | None = None,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """Obligations (of one contract, or all), by due date then id; ``status`` filters on
    the computed status (``open`` means every open one)."""
    today = today or local_today()
    sql = "SELECT o.* FROM obligations o"
    where, args = [], []
    if contract_id:
        where.append("o.contract_id = ?")
        args.append(contract_id)
    if owner:
        where.append("o.owner = ?")
        args.append(owner)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY COALESCE(o.due_date, o.expected_date, '9999') , o.id"
    paid = paid_by_obligation(conn, contract_id)
    out = [obligation_dict(r, today, paid.get(r["id"], 0)) for r in conn.execute(sql, args)]
    if status == "open":
        return [o for o in out if o["state"] == "open"]
    return [o for o in out if status is None or o["status"] == status]


def open_obligations(
    conn: sqlite3.Connection,
    *,
    owner: str | None = None,
    within_days: int | None = 30,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """Every open obligation with a due date within ``within_days`` of ``today`` or
    overdue (``within_days=None``: all of them), of contracts not ended, each with its
    owner, contract title and counterparty; the list reminders and inboxes are made of."""
    today = today or local_today()
    sql = (
        "SELECT o.*, c.title, p.name AS party_name FROM obligations o "
        "JOIN contracts c ON c.id = o.contract_id "
        "LEFT JOIN parties p ON p.id = c.counterparty_id "
        "WHERE o.state = 'open' AND o.due_date IS NOT NULL "
        "AND c.status NOT IN ('terminated', 'archived', 'rejected', 'withdrawn', 'completed')"
    )
    args: list[Any] = []
    if within_days is not None:
        sql += " AND o.due_date <= ?"
        args.append((today + timedelta(days=within_days)).isoformat())
    if owner:
        sql += " AND o.owner = ?"
        args.append(owner)
    rows = conn.execute(sql + " ORDER BY o.due_date, o.id", args).fetchall()
    out = []
    for r in rows:
        item = obligation_dict(r, today)
        item["title"] = r["title"]
        item["counterparty"] = r["party_name"]
        out.append(item)
    return out


def get_obligation(conn: sqlite3.Connection, obligation_id: int) -> sqlite3.Row:
    """One obligation row; NotFound (exit 2) when there is none."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM obligations WHERE id = ?", (obligation_id,)
    ).fetchone()
    if row is None:
        raise NotFound(f"no obligation {obligation_id}", hint="contractctl obligation list ID")
    return row


def _contract(tx: Tx, contract_id: str) -> sqlite3.Row:
    row: sqlite3.Row | None = tx.conn.execute(
        "SELECT id, status, created_by, department, currency FROM contracts WHERE id = ?",
        (contract_id.strip().upper(),),
    ).fetchone()
    if row is None:
        raise NotFound(f"no contract {contract_id}")
    return row


def add_obligation(
    tx: Tx,
    contract_id: str,
    *,
    kind: str,
    due: date,
    description: str,
    amount: Money | None = None,
    owner: str | None = None,
    party: str = "company",
) -> int:
    """An obligation written by hand (a promise made outside the template's milestones)."""
    contract = _contract(tx, contract_id)
    require_keeper_or_owner(tx, contract["id"], None, "add obligations to")
    if kind not in OBLIGATION_KINDS:
        raise InvalidInput(f"--kind: {kind!r} is not one of {', '.join(OBLIGATION_KINDS)}")
    if party not in ("company", "counterparty"):
        raise InvalidInput("--by: company or counterparty")
    if not description.strip():
        raise InvalidInput("--what: say what must be done")
    if amount is not None and amount.minor <= 0:
        raise InvalidInput("--amount: more than zero")
    if contract["status"] in ("withdrawn", "rejected", "completed", "archived"):
        raise NotAllowed(f"{contract['id']} is {contract['status']}: it takes no obligations")
    now = now_iso()
    cur = tx.conn.execute(
        "INSERT INTO obligations (contract_id, kind, party, due_date, description, "
        "amount_minor, currency, state, source, owner, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 'open', 'manual', ?, ?, ?)",
        (
            contract["id"],
            kind,
            party,
            due.isoformat(),
            description.strip(),
            amount.minor if amount else None,
            amount.currency if amount else None,
            owner or tx.actor,
            now,
            now,
        ),
    )
    new_id = int(cur.lastrowid or 0)
    tx.audit(
        "obligation.add",
        contract["id"],
        {
            "id": new_id,
            "kind": kind,
            "due": due.isoformat(),
            "amount": amount.to_dict() if amount else None,
            "owner": owner or tx.actor,
        },
    )
    return new_id


def _evidence(tx: Tx, row: sqlite3.Row, evidence: Path | None, kind: str) -> str | None:
    if evidence is None:
        return None
    from contractctl.obligations.attachments import store_attachment

    added = store_attachment(
        tx, row["contract_id"], evidence, kind=kind, obligation_id=int(row["id"])
    )
    return str(added["sha256"])


def _evidence_kind(kind: str) -> str:
    if kind in MONEY_KINDS:
        return "receipt"
    return {"delivery": "delivery-note", "acceptance": "acceptance"}.get(kind, "other")


def mark_done(
    tx: Tx,
    obligation_id: int,
    *,
    on: date,
    note: str = "",
    evidence: Path | None = None,
    force: bool = False,
    check: bool = True,
) -> list[int]:
    """Record that an obligation was performed on ``on``; returns the ids of obligations
    that fell due because of it (those waiting for this milestone)."""
    row = get_obligation(tx.conn, obligation_id)
    contract = _contract(tx, row["contract_id"])
    if check:
        require_keeper_or_owner(tx, contract["id"], row["owner"], "record obligations of")
    _require_open(row, contract)
    if on > local_today():
        raise InvalidInput(f"--date {on.isoformat()} is in the future: record what happened")
    if row["kind"] in MONEY_KINDS and row["currency"] and not force:
        paid = paid_by_obligation(tx.conn, row["contract_id"]).get(int(row["id"]), 0)
        if paid < int(row["amount_minor"]):
            left = Money(int(row["amount_minor"]) - paid, row["currency"])
            from contractctl.money import format_money

            raise NotAllowed(
                f"obligation {obligation_id} is a payment with {format_money(left)} unpaid",
                hint=f"record it: contractctl payment add {row['contract_id']} "
                f"--amount {left.major} --obligation {obligation_id} (or --force)",
            )
    sha = _evidence(tx, row, evidence, _evidence_kind(row["kind"]))
    return _close(tx, row, "done", on, note, sha)


def waive(tx: Tx, obligation_id: int, *, reason: str, on: date | None = None) -> list[int]:
    """Give up an obligation (the other side need not perform it), for ``reason``."""
    row = get_obligation(tx.conn, obligation_id)
    contract = _contract(tx, row["contract_id"])
    require_keeper_or_owner(tx, contract["id"], None, "waive obligations of")
    _require_open(row, contract)
    if not reason.strip():
        raise InvalidInput("--reason: say why it is waived (kept in the audit log)")
    return _close(tx, row, "waived", on or local_today(), reason.strip(), None)


def _require_open(row: sqlite3.Row, contract: sqlite3.Row) -> None:
    if row["state"] != "open":
        raise NotAllowed(f"obligation {row['id']} is already {row['state']}")
    if contract["status"] not in IN_FORCE:
        raise NotAllowed(
            f"{contract['id']} is {contract['status']}: obligations change only while it is "
            "signed or active"
        )


def _close(tx: Tx, row: sqlite3.Row, state: str, on: date, note: str, sha: str | None) -> list[int]:
    from contractctl.obligations.schedule import event_recorded

    tx.conn.execute(
        "UPDATE obligations SET state = ?, done_on = ?, done_by = ?, done_at = ?, note = ?, "
        "evidence_sha = COALESCE(?, evidence_sha), updated_at = ? WHERE id = ?",
        (state, on.isoformat(), tx.actor, now_iso(), note, sha, now_iso(), row["id"]),
    )
    fell_due = (
        event_recorded(tx, row["contract_id"], row["milestone"], on) if row["milestone"] else []
    )
    tx.audit(
        f"obligation.{'done' if state == 'done' else 'waive'}",
        row["contract_id"],
        {
            "id": row["id"],
            "kind": row["kind"],
            "on": on.isoformat(),
            "note": note,
            "evidence": sha,
            "fell_due": fell_due,
        },
    )
    return fell_due


def contract_obligation(
    conn: sqlite3.Connection, contract_id: str, milestone: str
) -> sqlite3.Row | None:
    """The contract's open obligation for a template milestone, if it has one."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM obligations WHERE contract_id = ? AND milestone = ? AND state = 'open' "
        "ORDER BY id LIMIT 1",
        (contract_id, milestone),
    ).fetchone()
    return row


@dataclass(frozen=True)
class Done:
    """What `obligation done` did: the obligation and those that fell due by it."""

    obligation: dict[str, Any]
    fell_due: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """The `--json` shape."""
        return {"obligation": self.obligation, "fell_due": self.fell_due}


def done_view(conn: sqlite3.Connection, obligation_id: int, fell_due: list[int]) -> Done:
    """The obligation as it now stands and the ones that fell due, for printing."""
    today = local_today()
    paid = paid_by_obligation(conn)
    one = obligation_dict(get_obligation(conn, obligation_id), today, paid.get(obligation_id, 0))
    due = [obligation_dict(get_obligation(conn, i), today, paid.get(i, 0)) for i in fell_due]
    return Done(one, due)
