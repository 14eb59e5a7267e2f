"""The review workflow: submit, approve, reject, return, and the route it follows.

`submit` evaluates the risk checks and the approval rules for the contract's current
version, records the route (with the hash of the rule files that produced it) and
creates one task per approver and stage; the first stage is due at once, later
stages when the one before completes. Only an assigned approver of the current stage,
or their delegate while the delegation runs, may decide. Every decision is an audit
event. Each write takes the store's write lock first (BEGIN IMMEDIATE), so two
approvers deciding one `any` stage at the same moment are serialised: one wins, the
other is told the stage is already decided.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from contractctl.approval.route_rules import load_rules
from contractctl.approval.route_table import Facts, RuleSet, Stage
from contractctl.dates import local_today
from contractctl.errors import ConfigError, InvalidInput, NotAllowed
from contractctl.records import lifecycle
from contractctl.records.contracts import Contract, get_contract
from contractctl.records.people import People, load_people
from contractctl.store import Store, Tx
from contractctl.store.audit import OPERATOR, canonical_json, now_iso

RULE_FILES = ("rules/approval.toml", "rules/risk.toml", "people.toml")


@dataclass(frozen=True)
class Policy:
    """Everything that decides a route: rules, people, risk rules, and their version."""

    rules: RuleSet
    people: People
    risk: Any
    version: str


def load_policy(home: Path) -> Policy:
    """Load and cross-check approval rules, people and risk rules."""
    people = load_people(home)
    path = home / "rules" / "approval.toml"
    if not path.exists():
        raise ConfigError(
            "rules/approval.toml: file not found",
            hint="restore the shipped rules with: contractctl init",
        )
    risk = None
    risk_path = home / "rules" / "risk.toml"
    if risk_path.exists():
        from contractctl.approval.risk import load_risk_rules

        risk = load_risk_rules(risk_path, display="rules/risk.toml")
    if not people.by_id:
        raise ConfigError(
            "people.toml lists nobody yet: approval routes need people for their roles "
            "(department heads, legal, finance, ceo)",
            hint="add [[people]] entries with roles, and [departments] heads, to people.toml",
        )
    rules = load_rules(
        path,
        display="rules/approval.toml",
        known_roles=people.roles,
        known_people=people.by_id,
        known_flags=risk.codes() if risk is not None else None,
    )
    digest = hashlib.sha256()
    for name in RULE_FILES:
        file = home / name
        digest.update(name.encode() + b"\0" + (file.read_bytes() if file.exists() else b"") + b"\0")
    return Policy(rules, people, risk, digest.hexdigest()[:16])


# --- facts ---------------------------------------------------------------------------


def _version_row(store: Store, contract: Contract, n: int | None = None) -> Any:
    return store.conn.execute(
        "SELECT * FROM versions WHERE contract_id = ? AND n = ?",
        (contract.id, n or contract.version),
    ).fetchone()


def version_text(store: Store, contract: Contract) -> str:
    """The current version's extracted text ('' when none was stored)."""
    row = _version_row(store, contract)
    if row is None or not row["text_sha"]:
        return ""
    return store.objects.read_bytes(row["text_sha"]).decode("utf-8")


def risk_flags_for(store: Store, contract: Contract, policy: Policy) -> list[Any]:
    """Run the risk checks on the contract's current version."""
    if policy.risk is None:
        return []
    from contractctl.approval.risk import check

    template_text = None
    standard: tuple[int, ...] = ()
    specs: tuple[Any, ...] = ()
    if contract.template:
        from contractctl.drafting.draft import template_text_of
        from contractctl.drafting.versions import load_spec, resolve

        row = store.conn.execute(
            "SELECT template_version FROM contracts WHERE id = ?", (contract.id,)
        ).fetchone()
        version = resolve(store.conn, f"{contract.template}@{row['template_version']}")
        template_text = template_text_of(store, version)
        spec = load_spec(store, version)
        standard, specs = spec.standard_clauses, spec.fields
    return list(
        check(
            policy.risk,
            contract_type=contract.type,
            text=version_text(store, contract),
            fields=contract.fields,
            template_text=template_text,
            standard_clauses=standard,
            field_specs=specs,
        )
    )


def facts_for(store: Store, contract: Contract, flags: list[Any]) -> Facts:
    """What the rules match on, for the contract's current version."""
    party_risk = "low"
    if contract.counterparty:
        row = store.conn.execute(
            "SELECT risk_level FROM parties WHERE id = ?", (contract.counterparty["id"],)
        ).fetchone()
        party_risk = row["risk_level"] if row else "low"
    current = _version_row(store, contract)
    amendment = current is not None and current["kind"] == "amendment"
    change_pct: Decimal | None = None
    term_extended = False
    if amendment and current["parent_n"]:
        parent = json.loads(_version_row(store, contract, current["parent_n"])["fields"])
        mine = json.loads(current["fields"])
        old, new = parent.get("amount"), mine.get("amount")
        if old and new and old.get("currency") == new.get("currency") and old["minor"]:
            change_pct = (
                Decimal(new["minor"] - old["minor"]) * 100 / Decimal(old["minor"])
            ).quantize(Decimal("0.01"))
        old_end, new_end = parent.get("end_date"), mine.get("end_date")
        term_extended = bool(old_end and new_end and new_end > old_end)
    severities = [f.severity for f in flags]
    order = ("low", "medium", "high")
    worst = max(severities, key=order.index) if severities else None
    return Facts(
        type=contract.type,
        amount=contract.amount,
        standard=contract.standard,
        counterparty_risk=party_risk,
        department=contract.department,
        amendment=amendment,
        risk_flags=tuple(sorted({f.code for f in flags})),
        risk_severity=worst,
        template=contract.template,
        amount_change_pct=change_pct,
        term_extended=term_extended,
    )


# --- submit -------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _approvers(stage: Stage, people: People, department: str) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for role in stage.roles:
        resolved = people.resolve_role(role, department) or (
            people.resolve_role(role, "default") if role == "dept_head" else []
        )
        if not resolved:
            where = f" for department {department!r}" if role == "dept_head" else ""
            raise ConfigError(
                f"people.toml: nobody holds the role {role!r}{where}, which the route needs",
                hint="add the person to people.toml ([departments] heads, or roles)",
            )
        found.extend((person, role) for person in resolved)
    found.extend((person, None) for person in stage.people)
    unique: list[tuple[str, str | None]] = []
    for person, via in found:
        if person not in [p for p, _ in unique]:
            unique.append((person, via))
    return unique


def submit(tx: Tx, contract_id: str) -> dict[str, Any]:
    """Route the contract for approval: risk flags, route, tasks, status in_review."""
    store = tx.store
    contract = get_contract(tx.conn, contract_id)
    lifecycle.next_status(contract.status, "submit")  # refuse early, before any work
    policy = load_policy(store.home)
    flags = risk_flags_for(store, contract, policy)
    facts = facts_for(store, contract, flags)
    decision = policy.rules.decide(facts)
    if not decision.stages:
        raise ConfigError(
            f"rules/approval.toml: no route matches {contract.id}",
            hint="add a route with `when = {}` as a catch-all",
        )
    now = _now()
    cursor = tx.conn.execute(
        "INSERT INTO approval_routes (contract_id, version_n, state, route_ids, rules_hash, "
        "facts, submitted_by, submitted_at) VALUES (?, ?, 'open', ?, ?, ?, ?, ?)",
        (
            contract.id,
            contract.version,
            json.dumps(list(decision.route_ids)),
            policy.version,
            canonical_json(facts.to_dict()),
            tx.actor,
            now_iso(),
        ),
    )
    route_id = int(cursor.lastrowid or 0)
    for n, stage in enumerate(decision.stages, start=1):
        due = policy.rules.calendar.due(now, stage.due_hours, stage.calendar) if n == 1 else None
        for person, role in _approvers(stage, policy.people, contract.department):
            tx.conn.execute(
                "INSERT INTO approval_tasks (route_id, stage_n, stage_name, mode, approver, "
                "role, state, due_hours, calendar, due_at, escalate_to) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    route_id,
                    n,
                    stage.label,
                    stage.mode,
                    person,
                    role,
                    "pending" if n == 1 else "waiting",
                    stage.due_hours,
                    stage.calendar,
                    _iso(due) if due else None,
                    json.dumps(list(stage.escalate_to)),
                ),
            )
    for flag in flags:
        tx.conn.execute(
            "INSERT INTO risk_flags (contract_id, version_n, route_id, code, severity, clause, "
            "text, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                contract.id,
                contract.version,
                route_id,
                flag.code,
                flag.severity,
                flag.clause,
                flag.text,
                flag.message,
            ),
        )
    lifecycle.transition(
        tx,
        contract.id,
        "submit",
        route_id=route_id,
        routes=list(decision.route_ids),
        rules_version=policy.version,
        stages=[s.label for s in decision.stages],
        risk_flags=[f.code for f in flags],
    )
    return route_view(store, contract.id)


# --- decisions ----------------------------------------------------------------------


def _open_route(tx: Tx, contract: Contract) -> Any:
    route = tx.conn.execute(
        "SELECT * FROM approval_routes WHERE contract_id = ? AND state = 'open' "
        "ORDER BY id DESC LIMIT 1",
        (contract.id,),
    ).fetchone()
    if route is None:
        latest = tx.conn.execute(
            "SELECT * FROM approval_routes WHERE contract_id = ? ORDER BY id DESC LIMIT 1",
            (contract.id,),
        ).fetchone()
        mine = (
            latest is not None
            and tx.conn.execute(
                "SELECT 1 FROM approval_tasks WHERE route_id = ? AND approver = ?",
                (latest["id"], tx.actor),
            ).fetchone()
        )
        if latest is not None and mine:
            last = tx.conn.execute(
                "SELECT * FROM approval_tasks WHERE route_id = ? AND decided_at IS NOT NULL "
                "ORDER BY decided_at DESC LIMIT 1",
                (latest["id"],),
            ).fetchone()
            raise NotAllowed(
                f"{contract.id} was already decided: {latest['state']}, last by "
                f"{last['decided_by']} at {last['decided_at'][:19]}"
            )
        raise NotAllowed(
            f"{contract.id} is {contract.status}, not in review",
            hint=f"submit it first: contractctl submit {contract.id}"
            if "submit" in lifecycle.allowed_actions(contract.status)
            else lifecycle.allowed_text(contract.status),
        )
    return route


def decide(
    tx: Tx,
    contract_id: str,
    action: str,
    comment: str = "",
    *,
    today: date | None = None,
    passphrase: Callable[[], str] | None = None,
) -> dict[str, Any]:
    """Approve, reject or return on behalf of ``tx.actor`` (or as their delegate)."""
    if action not in ("approve", "reject", "return"):
        raise InvalidInput(f"unknown decision {action!r}")
    if action in ("reject", "return") and not comment.strip():
        raise InvalidInput(f"say why: contractctl {action} ID -m REASON")
    store = tx.store
    contract = get_contract(tx.conn, contract_id)
    route = _open_route(tx, contract)
    people = load_people(store.home)
    on = today or local_today()
    tasks = tx.conn.execute(
        "SELECT * FROM approval_tasks WHERE route_id = ? ORDER BY stage_n, id", (route["id"],)
    ).fetchall()
    pending = [t for t in tasks if t["state"] == "pending"]
    stage_n = pending[0]["stage_n"] if pending else None
    stage_tasks = [t for t in tasks if t["stage_n"] == stage_n]
    mine = [
        t
        for t in stage_tasks
        if t["state"] == "pending" and people.may_act_for(tx.actor, t["approver"], on)
    ]
    if not mine:
        _refuse(tx.actor, contract, tasks, stage_tasks, people, on)
    task = next((t for t in mine if t["approver"] == tx.actor), mine[0])
    if action == "approve":
        _check_duties(tx, contract, route)
    state = {"approve": "approved", "reject": "rejected", "return": "returned"}[action]
    stamp = now_iso()
    tx.conn.execute(
        "UPDATE approval_tasks SET state = ?, decided_by = ?, decided_at = ?, comment = ? "
        "WHERE id = ?",
        (state, tx.actor, stamp, comment, task["id"]),
    )
    on_behalf = task["approver"] if task["approver"] != tx.actor else None
    from contractctl.approval.signed_decisions import sign as sign_decision

    facts = {
        "route_id": route["id"],
        "stage": stage_n,
        "stage_name": task["stage_name"],
        "approver": task["approver"],
        "on_behalf_of": on_behalf,
        "comment": comment,
        "rules_version": route["rules_hash"],
    }
    facts = sign_decision(tx, contract.id, action, facts, passphrase, task["id"])
    tx.audit(f"approval.{action}", contract.id, facts)
    if action == "approve":
        _after_approval(tx, contract, route, task, stage_tasks, tasks)
    else:
        tx.conn.execute(
            "UPDATE approval_tasks SET state = 'skipped' WHERE route_id = ? "
            "AND state IN ('pending', 'waiting')",
            (route["id"],),
        )
        tx.conn.execute(
            "UPDATE approval_routes SET state = ?, closed_at = ? WHERE id = ?",
            (state, stamp, route["id"]),
        )
        restored = None
        if action == "reject":
            from contractctl.drafting.amend import abandon_rejected

            restored = abandon_rejected(
                tx,
                contract.id,
                route_id=route["id"],
                comment=comment,
                rules_version=route["rules_hash"],
            )
        if restored is None:
            lifecycle.transition(
                tx,
                contract.id,
                action,
                route_id=route["id"],
                comment=comment,
                rules_version=route["rules_hash"],
            )
    return route_view(store, contract.id)


def _after_approval(
    tx: Tx, contract: Contract, route: Any, task: Any, stage_tasks: list[Any], tasks: list[Any]
) -> None:
    stage_done = task["mode"] == "any" or all(
        t["state"] == "approved" or t["id"] == task["id"] for t in stage_tasks
    )
    if not stage_done:
        return
    tx.conn.execute(
        "UPDATE approval_tasks SET state = 'skipped' WHERE route_id = ? AND stage_n = ? "
        "AND state = 'pending'",
        (route["id"], task["stage_n"]),
    )
    later = sorted({t["stage_n"] for t in tasks if t["stage_n"] > task["stage_n"]})
    if later:
        policy_calendar = load_policy(tx.store.home).rules.calendar
        nxt = [t for t in tasks if t["stage_n"] == later[0]]
        due = policy_calendar.due(_now(), nxt[0]["due_hours"], nxt[0]["calendar"])
        tx.conn.execute(
            "UPDATE approval_tasks SET state = 'pending', due_at = ? WHERE route_id = ? "
            "AND stage_n = ?",
            (_iso(due), route["id"], later[0]),
        )
        return
    tx.conn.execute(
        "UPDATE approval_routes SET state = 'approved', closed_at = ? WHERE id = ?",
        (now_iso(), route["id"]),
    )
    lifecycle.transition(
        tx, contract.id, "approve", route_id=route["id"], rules_version=route["rules_hash"]
    )


def _check_duties(tx: Tx, contract: Contract, route: Any) -> None:
    """Separation of duties (contractctl.approval.duties): the drafter of the contract or
    of the version under review, and whoever submitted it, do not approve it."""
    from contractctl.approval.duties import check_separation, load_duties

    drafted = [contract.created_by]
    row = tx.conn.execute(
        "SELECT c.created_by, v.created_by FROM contracts c LEFT JOIN versions v "
        "ON v.contract_id = c.id AND v.n = ? WHERE c.id = ?",
        (route["version_n"], contract.id),
    ).fetchone()
    drafted += [str(value) for value in (row or ()) if value]
    duties = load_duties(tx.store.home)
    check_separation(duties, tx.actor, contract.id, route, drafted)
    operator = OPERATOR.get()  # who did it, when the act counts for someone else
    if operator is not None and operator != tx.actor:
        people = load_people(tx.store.home)
        person = people.by_id.get(operator)
        admin = operator in people.admins or (person is not None and person.login in people.admins)
        if not admin:  # a delegate acting as the approver is held to the same rule
            check_separation(duties, operator, contract.id, route, drafted)


def _refuse(
    actor: str,
    contract: Contract,
    tasks: list[Any],
    stage_tasks: list[Any],
    people: People,
    on: date,
) -> None:
    decided = [t for t in stage_tasks if t["state"] in ("approved", "rejected", "returned")]
    own = [t for t in tasks if people.may_act_for(actor, t["approver"], on)]
    if own and any(t["state"] == "skipped" for t in own) and decided:
        first = decided[0]
        raise NotAllowed(
            f"stage {first['stage_n']} ({first['stage_name']}) of {contract.id} was already "
            f"decided by {first['decided_by']} at {first['decided_at'][:19]}"
        )
    if (
        own
        and all(t["state"] != "pending" for t in own)
        and not any(t["state"] == "waiting" for t in own)
    ):
        done = next(t for t in own if t["state"] != "waiting")
        raise NotAllowed(f"{actor} already decided on {contract.id} ({done['state']})")
    waiting = [t for t in own if t["state"] == "waiting"]
    if waiting:
        raise NotAllowed(
            f"{contract.id} is not at {actor}'s stage yet "
            f"(stage {waiting[0]['stage_n']}, {waiting[0]['stage_name']})"
        )
    current = [t for t in stage_tasks if t["state"] == "pending"]
    who = []
    for t in current:
        delegate = people.delegate_of(t["approver"], on)
        who.append(t["approver"] + (f" (or {delegate}, delegate)" if delegate else ""))
    raise NotAllowed(
        f"{actor} is not an approver of the current stage of {contract.id}; "
        f"who may decide: {', '.join(who) or 'nobody'}"
    )


# --- views --------------------------------------------------------------------------


def route_view(store: Store, contract_id: str, *, now: datetime | None = None) -> dict[str, Any]:
    """The latest route of a contract: the `route ID --json` shape."""
    from contractctl.approval.signed_decisions import task_checks

    contract = get_contract(store.conn, contract_id)
    route = store.conn.execute(
        "SELECT * FROM approval_routes WHERE contract_id = ? ORDER BY id DESC LIMIT 1",
        (contract.id,),
    ).fetchone()
    if route is None:
        return {"route_ids": [], "state": None, "stages": [], "rules_version": None}
    moment = _iso(now or _now())
    people = load_people(store.home)
    tasks = store.conn.execute(
        "SELECT * FROM approval_tasks WHERE route_id = ? ORDER BY stage_n, id", (route["id"],)
    ).fetchall()
    stages: list[dict[str, Any]] = []
    checks = task_checks(store, route["contract_id"])  # signed decisions, when signed
    for n in sorted({t["stage_n"] for t in tasks}):
        group = [t for t in tasks if t["stage_n"] == n]
        states = {t["state"] for t in group}
        if "pending" in states:
            state = "pending"
        elif states & {"rejected", "returned"}:
            state = next(iter(states & {"rejected", "returned"}))
        elif "approved" in states:
            state = "approved"
        elif states == {"waiting"}:
            state = "waiting"
        else:
            state = "skipped"
        due = group[0]["due_at"]
        stages.append(
            {
                "n": n,
                "name": group[0]["stage_name"],
                "mode": group[0]["mode"],
                "state": state,
                "due": due,
                "overdue": bool(state == "pending" and due and due < moment),
                "escalate_to": json.loads(group[0]["escalate_to"]),
                "approvers": [
                    {
                        "person": t["approver"],
                        "name": people.by_id[t["approver"]].name
                        if t["approver"] in people.by_id
                        else t["approver"],
                        "role": t["role"],
                        "state": t["state"],
                        "decided_by": t["decided_by"],
                        "decided_at": t["decided_at"],
                        "comment": t["comment"],
                        **({"signature": checks[t["id"]]} if t["id"] in checks else {}),
                    }
                    for t in group
                ],
            }
        )
    return {
        "route": route["id"],
        "route_ids": json.loads(route["route_ids"]),
        "state": route["state"],
        "rules_version": route["rules_hash"],
        "submitted_by": route["submitted_by"],
        "submitted_at": route["submitted_at"],
        "stages": stages,
    }


def flags_view(store: Store, contract_id: str) -> list[dict[str, Any]]:
    """Risk flags of the latest submission."""
    rows = store.conn.execute(
        "SELECT * FROM risk_flags WHERE contract_id = ? AND route_id = (SELECT max(id) FROM "
        "approval_routes WHERE contract_id = ?) ORDER BY id",
        (contract_id, contract_id),
    )
    return [
        {
            "code": r["code"],
            "severity": r["severity"],
            "clause": r["clause"],
            "text": r["text"],
            "message": r["message"],
        }
        for r in rows
    ]
