"""What each person should be told now: the notices of one `notify` run.

Two sources, both read-only here:

- **States and deadlines**, recomputed on every run: an approval task waiting at its
  stage (to the approver, and to their delegate while the delegation runs), the same
  task past its due time (a reminder, again every ``remind_every`` up to
  ``max_reminders``), past due by ``escalate_after`` more (to the approver's department
  head or the stage's ``escalate_to``, on the stage's own business-day calendar), and
  obligations coming due (to their owner).
- **Audit events** after the cursor the last run stopped at: a submission, a stage
  approved, the route approved, returned, rejected, fully signed, an amendment in force.

Each notice carries a ``key`` that names the thing (``task:12:waiting``,
``task:12:overdue:2``, ``event:345``); the delivery records (key, person, channel) under
a UNIQUE constraint, so however often cron runs, the same thing reaches the same person
on the same channel once. Subscriptions (a department's or a role's group channel) get
the notice under ``group_key``, so the legal group hears once that a contract waits for
legal even when three lawyers each hold a task.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from contractctl.approval.business_days import Calendar
from contractctl.money import Money
from contractctl.notify.messages import Facts
from contractctl.notify.settings import NotifySettings, Subscription
from contractctl.records.contracts import Contract, contracts_by_id
from contractctl.records.people import People

#: Audit actions that announce something, and the notice kind they become.
EVENT_KINDS = {
    "contract.submit": "submitted",
    "approval.approve": "stage_advanced",
    "contract.approve": "approved",
    "contract.return": "returned",
    "contract.reject": "rejected",
    "contract.amendment_rejected": "rejected",
    "contract.complete_signing": "signed",
}


@dataclass(frozen=True)
class Notice:
    """One thing to tell: to ``people`` under ``key``, to subscribers under ``group_key``."""

    key: str
    facts: Facts
    people: tuple[str, ...]
    group_key: str
    department: str = ""
    roles: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Plan:
    """The notices of a run, and the audit event the next run starts after."""

    notices: list[Notice]
    cursor: int


def parse_moment(text: str) -> datetime:
    """A stored ISO 8601 UTC moment (``...Z``) as an aware datetime."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def make_plan(
    conn: sqlite3.Connection,
    people: People,
    settings: NotifySettings,
    calendar: Calendar,
    *,
    now: datetime,
    cursor: int,
    today: date,
) -> Plan:
    """Every notice due at ``now``; events after audit sequence number ``cursor``."""
    notices = _tasks(conn, people, settings, calendar, now, today)
    events, last = _events(conn, settings, now, cursor)
    notices += events
    notices += _obligations(conn, settings, today)
    return Plan(notices, last)


def _facts(contract: Contract, kind: str, **extra: Any) -> Facts:
    party = contract.counterparty["name"] if contract.counterparty else None
    return Facts(kind, contract.id, contract.title, party, contract.amount, **extra)


def _tasks(
    conn: sqlite3.Connection,
    people: People,
    settings: NotifySettings,
    calendar: Calendar,
    now: datetime,
    today: date,
) -> list[Notice]:
    rows = conn.execute(
        "SELECT t.*, r.contract_id FROM approval_tasks t "
        "JOIN approval_routes r ON r.id = t.route_id AND r.state = 'open' "
        "WHERE t.state = 'pending' ORDER BY t.id"
    ).fetchall()
    contracts = contracts_by_id(conn, sorted({r["contract_id"] for r in rows}))
    out: list[Notice] = []
    for task in rows:
        out += _task_notices(
            task, contracts[task["contract_id"]], people, settings, calendar, now, today
        )
    return out


def _task_notices(
    task: Any,
    contract: Contract,
    people: People,
    settings: NotifySettings,
    calendar: Calendar,
    now: datetime,
    today: date,
) -> list[Notice]:
    """A pending task: waiting; past due, reminded; later still, escalated."""
    approver = task["approver"]
    stage = f"{task['stage_n']} ({task['stage_name']})"
    to = [approver]
    delegate = people.delegate_of(approver, today)
    if delegate:
        to.append(delegate)
    roles = frozenset([task["role"]] if task["role"] else [])
    base = f"task:{task['id']}"
    group = f"stage:{task['route_id']}:{task['stage_n']}"
    out: list[Notice] = []

    def notice(kind: str, suffix: str, who: Iterable[str], **extra: Any) -> None:
        facts = _facts(contract, kind, due=task["due_at"], stage=stage, **extra)
        out.append(
            Notice(
                f"{base}:{suffix}",
                facts,
                tuple(dict.fromkeys(who)),
                f"{group}:{suffix}",
                contract.department,
                roles,
            )
        )

    notice("waiting", "waiting", to)
    if not task["due_at"]:
        return out
    due = parse_moment(task["due_at"])
    if now <= due:
        return out
    every = timedelta(minutes=settings.remind_every_minutes)
    n = min(settings.max_reminders, 1 + int((now - due) / every))
    notice("overdue", f"overdue:{n}", to)
    escalate_at = _after(calendar, due, settings.escalate_after_minutes, task["calendar"])
    if now >= escalate_at:
        heads = escalation_targets(people, settings, task, contract.department)
        name = people.by_id[approver].name if approver in people.by_id else approver
        notice("escalated", "escalated", heads, approver=name)
    return out


def _after(calendar: Calendar, start: datetime, minutes: int, kind: str) -> datetime:
    """``minutes`` after ``start`` on the stage's clock (business hours skip weekends
    and the rules' holidays)."""
    hours, rest = divmod(minutes, 60)
    return calendar.due(start, hours, kind) + timedelta(minutes=rest)


def escalation_targets(
    people: People, settings: NotifySettings, task: Any, department: str
) -> list[str]:
    """Who hears that ``task`` is late: the approver's department head, or the stage's
    ``escalate_to`` roles and people (notify.toml's ``escalate_to`` says which first);
    the other when the first gives nobody but the approver."""
    approver = task["approver"]
    person = people.by_id.get(approver)
    head = people.heads.get(person.department) if person else None
    by_head = [head] if head and head != approver else []
    by_stage: list[str] = []
    for name in json.loads(task["escalate_to"] or "[]"):
        if name in people.by_id:
            by_stage.append(name)
        else:
            by_stage += people.resolve_role(name, department)
    by_stage = [p for p in by_stage if p != approver]
    first, second = (by_head, by_stage)
    if settings.escalate_to == "stage":
        first, second = by_stage, by_head
    return list(dict.fromkeys(first or second))


def _events(
    conn: sqlite3.Connection, settings: NotifySettings, now: datetime, cursor: int
) -> tuple[list[Notice], int]:
    since = (now - timedelta(minutes=settings.events_within_minutes)).astimezone(UTC)
    floor = since.isoformat(timespec="microseconds").replace("+00:00", "Z")
    actions = tuple(EVENT_KINDS)
    rows = conn.execute(
        f"SELECT seq, at, actor, action, subject, data FROM events WHERE seq > ? "
        f"AND action IN ({', '.join('?' for _ in actions)}) ORDER BY seq",
        (cursor, *actions),
    ).fetchall()
    (last,) = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()
    rows = [r for r in rows if r["at"] >= floor and r["subject"]]
    contracts = contracts_by_id(conn, sorted({r["subject"] for r in rows}))
    finals = {
        json.loads(r["data"]).get("route_id") for r in rows if r["action"] == "contract.approve"
    }
    out: list[Notice] = []
    for row in rows:
        contract = contracts.get(row["subject"])
        if contract is None:
            continue
        data = json.loads(row["data"])
        kind = EVENT_KINDS[row["action"]]
        if kind == "stage_advanced" and data.get("route_id") in finals:
            continue  # the last stage: "approved" says it
        if kind == "signed" and _is_amendment(conn, contract):
            kind = "amendment_in_force"
        route = _route(conn, contract.id, data.get("route_id"))
        owners = {contract.created_by, route["submitted_by"] if route else contract.created_by}
        to = sorted(owners - {row["actor"]}) if kind != "submitted" else []
        extra: dict[str, Any] = {}
        if kind == "stage_advanced":
            extra["stage"] = f"{data.get('stage')} ({data.get('stage_name')})"
            extra["approver"] = data.get("approver") or row["actor"]
        if kind in ("returned", "rejected"):
            extra["comment"] = str(data.get("comment") or "")
        if kind == "submitted":
            extra["approvers"] = _first_approvers(conn, route)
        out.append(
            Notice(
                f"event:{row['seq']}",
                _facts(contract, kind, **extra),
                tuple(to),
                f"event:{row['seq']}",
                contract.department,
                _route_roles(conn, route),
            )
        )
    return out, int(last)


def _route(conn: sqlite3.Connection, contract_id: str, route_id: Any) -> Any:
    if isinstance(route_id, int):
        return conn.execute("SELECT * FROM approval_routes WHERE id = ?", (route_id,)).fetchone()
    return conn.execute(
        "SELECT * FROM approval_routes WHERE contract_id = ? ORDER BY id DESC LIMIT 1",
        (contract_id,),
    ).fetchone()


def _route_roles(conn: sqlite3.Connection, route: Any) -> frozenset[str]:
    if route is None:
        return frozenset()
    rows = conn.execute(
        "SELECT DISTINCT role FROM approval_tasks WHERE route_id = ? AND role IS NOT NULL",
        (route["id"],),
    )
    return frozenset(r["role"] for r in rows)


def _first_approvers(conn: sqlite3.Connection, route: Any) -> str:
    if route is None:
        return ""
    rows = conn.execute(
        "SELECT approver FROM approval_tasks WHERE route_id = ? AND stage_n = "
        "(SELECT MIN(stage_n) FROM approval_tasks WHERE route_id = ?) ORDER BY id",
        (route["id"], route["id"]),
    )
    return ", ".join(r["approver"] for r in rows)


def _is_amendment(conn: sqlite3.Connection, contract: Contract) -> bool:
    row = conn.execute(
        "SELECT kind FROM versions WHERE contract_id = ? AND n = ?", (contract.id, contract.version)
    ).fetchone()
    return row is not None and row["kind"] == "amendment"


def _obligations(conn: sqlite3.Connection, settings: NotifySettings, today: date) -> list[Notice]:
    from contractctl.notify.owners import open_items

    until = today + timedelta(days=settings.obligations_within_days)
    out: list[Notice] = []
    for item in open_items(conn, today, until):
        overdue = item.due < today
        kind = "obligation_overdue" if overdue else "obligation_due"
        facts = Facts(
            kind,
            item.contract_id,
            item.title,
            item.counterparty,
            item.amount,
            due=item.due.isoformat(),
            what=item.what,
        )
        key = f"{item.key}:{'overdue' if overdue else 'due'}"
        out.append(Notice(key, facts, item.owners, key, item.department))
    return out


def wants(sub: Subscription, notice: Notice) -> bool:
    """Whether a subscription hears of ``notice``: its kind, department, role, amount."""
    kind = notice.facts.kind
    kind = "obligation_due" if kind == "obligation_overdue" else kind
    if kind not in sub.events:
        return False
    if sub.department and notice.department != sub.department:
        return False
    if sub.role and sub.role not in notice.roles:
        return False
    if sub.amount_min is not None:
        amount: Money | None = notice.facts.amount
        if amount is None or amount.currency != sub.amount_min.currency:
            return False
        return amount.minor >= sub.amount_min.minor
    return True
