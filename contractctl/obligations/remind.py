"""`remind`: what falls due soon, for a person at a terminal or a cron job.

Four kinds of reminders, one list ordered by due date:

- **expiry**: a signed or active contract whose end date is within the window (or has
  passed while it is still active: nobody noticed), and expiry obligations; a contract
  under amendment counts by the status of the version in force (it still binds);
- every open **obligation** due within the window or overdue, by its kind (renewal
  notice, deposit, prepayment, delivery, acceptance, balance, retention, warranty, payment,
  other), with its owner as ``who``: the last day to give notice against an automatic
  renewal is the one date that costs money when it is missed; an obligation still waiting
  for its event (acceptance before delivery) has no date and is not reminded of;
- **order**: an order not yet delivered whose delivery is due within the window or
  overdue (its next step named);
- **approval**: approval tasks pending past their due time (the approver and the stage).

``days`` is how many days are left (negative: overdue by the day). ``overdue`` is past
the due moment: for a dated obligation the end of its day, for an approval its due time
to the second, judged exactly as `route` judges it (a stage due at 09:00 is overdue at
09:01 the same day, with ``days`` 0). Nothing is changed: reminding is
read-only, so cron may run it as often as it likes. `remind --fail-on-due` exits 1 when
there is anything to remind of, so a CI or cron job can alert on it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from contractctl.dates import local_today

#: Contract states whose end date still matters.
RUNNING = ("signed", "active")


@dataclass(frozen=True)
class Reminder:
    """One thing that falls due."""

    kind: str  # expiry | an obligation's kind | order | approval
    contract_id: str
    title: str
    counterparty: str | None
    due: str  # ISO date (approvals: ISO date-time)
    days: int  # days left; negative when overdue
    what: str
    amount: dict[str, Any] | None = None
    who: str | None = None  # approvals: the approver; obligations: the owner
    #: past the due moment; None: past the due day (days < 0)
    past_due: bool | None = None

    @property
    def overdue(self) -> bool:
        """Past its due time (approvals) or its due date (everything else)."""
        return self.days < 0 if self.past_due is None else self.past_due

    def to_dict(self) -> dict[str, Any]:
        """One entry of `remind --json`."""
        return {
            "kind": self.kind,
            "contract_id": self.contract_id,
            "title": self.title,
            "counterparty": self.counterparty,
            "due": self.due,
            "days": self.days,
            "overdue": self.overdue,
            "what": self.what,
            "amount": self.amount,
            "who": self.who,
        }


def reminders(
    conn: sqlite3.Connection,
    *,
    within_days: int = 30,
    today: date | None = None,
    now: datetime | None = None,
) -> list[Reminder]:
    """Everything due within ``within_days`` of ``today`` or overdue, by due date;
    approvals pending past their due time at ``now`` (UTC; default: this moment)."""
    today = today or local_today()
    until = (today + timedelta(days=within_days)).isoformat()
    out = _obligations(conn, today, until)
    covered = {(r.contract_id, r.due) for r in out if r.kind == "expiry"}
    out += [r for r in _expiries(conn, today, until) if (r.contract_id, r.due) not in covered]
    out += _orders(conn, today, until)
    out += _approvals(conn, today, now or datetime.now(UTC))
    return sorted(out, key=lambda r: (r.due[:10], r.kind, r.contract_id))


def _days(due: str, today: date) -> int:
    return (date.fromisoformat(due[:10]) - today).days


def _obligations(conn: sqlite3.Connection, today: date, until: str) -> list[Reminder]:
    rows = conn.execute(
        "SELECT o.*, c.title, COALESCE(c.in_force_status, c.status) AS status, "
        "p.name AS party_name FROM obligations o "
        "JOIN contracts c ON c.id = o.contract_id "
        "LEFT JOIN parties p ON p.id = c.counterparty_id "
        "WHERE o.state = 'open' AND o.due_date <= ? "
        "AND c.status NOT IN ('terminated', 'archived', 'rejected', 'withdrawn', 'completed') "
        "ORDER BY o.due_date",
        (until,),
    )
    out = []
    for r in rows:
        if r["kind"] == "expiry" and r["status"] not in RUNNING:
            continue  # an expired contract's expiry is history, not a reminder
        amount = {"minor": r["amount_minor"], "currency": r["currency"]} if r["currency"] else None
        out.append(
            Reminder(
                kind=r["kind"],
                contract_id=r["contract_id"],
                title=r["title"],
                counterparty=r["party_name"],
                due=r["due_date"],
                days=_days(r["due_date"], today),
                what=r["description"] or r["kind"].replace("_", " "),
                amount=amount,
                who=r["owner"],
            )
        )
    return out


def _expiries(conn: sqlite3.Connection, today: date, until: str) -> list[Reminder]:
    rows = conn.execute(
        "SELECT c.id, c.title, c.end_date, p.name AS party FROM contracts c "
        "LEFT JOIN parties p ON p.id = c.counterparty_id "
        f"WHERE COALESCE(c.in_force_status, c.status) IN ({', '.join('?' for _ in RUNNING)}) "
        "AND c.end_date IS NOT NULL AND c.end_date <= ? ORDER BY c.end_date",
        (*RUNNING, until),
    )
    return [
        Reminder(
            kind="expiry",
            contract_id=r["id"],
            title=r["title"],
            counterparty=r["party"],
            due=r["end_date"],
            days=_days(r["end_date"], today),
            what="contract expires"
            if r["end_date"] >= today.isoformat()
            else "contract end date passed; still marked running",
        )
        for r in rows
    ]


#: An order's next step while its goods are on their way: what is awaited by its due date.
ORDER_WAITING = {"created": "confirm", "confirmed": "ship", "shipped": "deliver"}


def _orders(conn: sqlite3.Connection, today: date, until: str) -> list[Reminder]:
    """Orders not yet delivered whose delivery is due within the window or overdue."""
    marks = ", ".join("?" for _ in ORDER_WAITING)
    rows = conn.execute(
        "SELECT o.*, c.title, p.name AS party_name FROM orders o "
        "JOIN contracts c ON c.id = o.contract_id "
        "LEFT JOIN parties p ON p.id = c.counterparty_id "
        f"WHERE o.state IN ({marks}) AND o.due_date IS NOT NULL AND o.due_date <= ? "
        "AND c.status NOT IN ('terminated', 'archived', 'completed') ORDER BY o.due_date",
        (*ORDER_WAITING, until),
    )
    return [
        Reminder(
            kind="order",
            contract_id=r["contract_id"],
            title=r["title"],
            counterparty=r["party_name"],
            due=r["due_date"],
            days=_days(r["due_date"], today),
            what=f"order {r['id']} is {r['state']}: next {ORDER_WAITING[r['state']]}, delivery due",
            amount={"minor": r["amount_minor"], "currency": r["currency"]},
            who=r["created_by"],
        )
        for r in rows
    ]


def _approvals(conn: sqlite3.Connection, today: date, now: datetime) -> list[Reminder]:
    # The form approval due times are stored in (decide._iso), so that the text
    # comparison is the one `route` makes.
    moment = now.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    rows = conn.execute(
        "SELECT t.*, r.contract_id, c.title, p.name AS party FROM approval_tasks t "
        "JOIN approval_routes r ON r.id = t.route_id AND r.state = 'open' "
        "JOIN contracts c ON c.id = r.contract_id "
        "LEFT JOIN parties p ON p.id = c.counterparty_id "
        "WHERE t.state = 'pending' AND t.due_at IS NOT NULL AND t.due_at < ? "
        "ORDER BY t.due_at",
        (moment,),
    )
    return [
        Reminder(
            kind="approval",
            contract_id=r["contract_id"],
            title=r["title"],
            counterparty=r["party"],
            due=r["due_at"],
            days=_days(r["due_at"], today),
            what=f"approval overdue: stage {r['stage_n']} ({r['stage_name']})",
            who=r["approver"],
            past_due=True,
        )
        for r in rows
    ]
