"""What happens to a contract in force: activate, terminate, expire, renew.

Each is a move in the lifecycle table (contractctl.records.lifecycle), refused with exit 3
and one line when the contract's status does not allow it, and recorded as an audit
event with who did it and why. Each is permission-checked: only a keeper of the contract
may change it (see ``require_keeper``). `expire` without ids is the calendar's own
move, for cron: it touches only contracts whose end date has passed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from contractctl.errors import InvalidInput, NotAllowed
from contractctl.records import lifecycle
from contractctl.records.contracts import Contract, get_contract
from contractctl.records.people import load_people
from contractctl.store import Tx

#: Statuses in which a contract is running (it binds the parties and has not ended).
RUNNING = ("signed", "active")


def keepers(tx: Tx, contract: Contract) -> list[str]:
    """Who may change a contract's course: its drafter, its department's head and
    everyone with the ``legal`` role in people.toml."""
    people = load_people(tx.store.home)
    found = [contract.created_by]
    found.extend(people.resolve_role("dept_head", contract.department or "default"))
    if contract.department and not people.resolve_role("dept_head", contract.department):
        found.extend(people.resolve_role("dept_head", "default"))
    found.extend(p.id for p in people.with_role("legal"))
    return list(dict.fromkeys(found))


def require_keeper(tx: Tx, contract: Contract, action: str) -> None:
    """NotAllowed (exit 3) unless ``tx.actor`` is one of the contract's keepers."""
    allowed = keepers(tx, contract)
    if tx.actor not in allowed:
        raise NotAllowed(
            f"{tx.actor} may not {action} {contract.id}; who may: {', '.join(allowed)}",
            hint="act as one of them with --as USER (the drafter, the department head, "
            "or legal in people.toml)",
        )


def _load(tx: Tx, contract_id: str, action: str) -> Contract:
    contract = get_contract(tx.conn, contract_id)
    if _amendment_pending(tx, contract.id):
        raise NotAllowed(
            f"{contract.id} has an amendment under way (v{contract.version}); "
            "finish or withdraw it first",
            hint=f"contractctl withdraw {contract.id} -m REASON",
        )
    lifecycle.next_status(contract.status, action)  # refuse early, naming what is allowed
    require_keeper(tx, contract, action)
    return contract


def _amendment_pending(tx: Tx, contract_id: str) -> bool:
    row = tx.conn.execute(
        "SELECT in_force_version FROM contracts WHERE id = ?", (contract_id,)
    ).fetchone()
    return row is not None and row["in_force_version"] is not None


def activate(tx: Tx, contract_id: str) -> str:
    """A signed contract takes effect (its start date came, or a condition was met)."""
    contract = _load(tx, contract_id, "activate")
    return lifecycle.transition(tx, contract.id, "activate")


def terminate(tx: Tx, contract_id: str, reason: str, on: date) -> str:
    """End a signed or active contract early, on ``on``, for ``reason``.

    Open obligations due after that day are cancelled (they will not fall due any more);
    the reason and the day are kept in the audit event.
    """
    if not reason.strip():
        raise InvalidInput("say why the contract ends: --reason REASON")
    contract = _load(tx, contract_id, "terminate")
    start = contract.signed_date or contract.start_date
    if start and on.isoformat() < start:
        raise InvalidInput(f"--date {on} is before {contract.id} was signed or started ({start})")
    if contract.end_date and on.isoformat() > contract.end_date:
        raise InvalidInput(
            f"--date {on} is after {contract.id} ends ({contract.end_date}); it expires then",
            hint=f"record its expiry with: contractctl expire {contract.id}",
        )
    cancelled = tx.conn.execute(
        "UPDATE obligations SET state = 'cancelled' WHERE contract_id = ? AND state = 'open' "
        "AND due_date > ?",
        (contract.id, on.isoformat()),
    ).rowcount
    return lifecycle.transition(
        tx,
        contract.id,
        "terminate",
        reason=reason.strip(),
        date=on.isoformat(),
        obligations_cancelled=cancelled,
    )


def expire(tx: Tx, contract_id: str, today: date) -> str:
    """A signed or active contract whose end date has passed is expired."""
    contract = _load(tx, contract_id, "expire")
    if not contract.end_date or contract.end_date >= today.isoformat():
        ends = f"ends on {contract.end_date}" if contract.end_date else "has no end date"
        raise NotAllowed(
            f"{contract.id} {ends}; it has not expired",
            hint=f"to end it early: contractctl terminate {contract.id} --reason R --date D",
        )
    return lifecycle.transition(tx, contract.id, "expire", end_date=contract.end_date)


def due_to_expire(tx: Tx, today: date) -> list[str]:
    """Running contracts whose end date is before ``today`` (what `expire` alone ends)."""
    rows = tx.conn.execute(
        "SELECT id FROM contracts WHERE status IN ('signed', 'active') AND end_date < ? "
        "AND in_force_version IS NULL ORDER BY end_date, id",
        (today.isoformat(),),
    )
    return [r["id"] for r in rows]


def expire_due(tx: Tx, today: date) -> list[str]:
    """Expire every running contract whose end date has passed; the ids expired.

    The calendar decides, not a person, so no keeper is needed; each move is still an
    audit event under the acting user.
    """
    done = []
    for contract_id in due_to_expire(tx, today):
        contract = get_contract(tx.conn, contract_id)
        lifecycle.transition(
            tx, contract.id, "expire", end_date=contract.end_date, by_calendar=True
        )
        done.append(contract.id)
    return done


def renew(tx: Tx, contract_id: str, until: date, reason: str = "") -> dict[str, Any]:
    """Extend a running or expired contract's term to ``until`` (an expired one runs again).

    The open expiry obligation moves with the end date. The wording does not change: a
    renewal that changes terms is an amendment (`contractctl amend`).
    """
    contract = _load(tx, contract_id, "renew")
    if contract.end_date and until.isoformat() <= contract.end_date:
        raise InvalidInput(
            f"--until {until} does not extend {contract.id}, which ends on {contract.end_date}"
        )
    tx.conn.execute(
        "UPDATE contracts SET end_date = ? WHERE id = ?", (until.isoformat(), contract.id)
    )
    if contract.end_date:
        tx.conn.execute(
            "UPDATE obligations SET due_date = ? WHERE contract_id = ? AND kind = 'expiry' "
            "AND state = 'open' AND due_date = ?",
            (until.isoformat(), contract.id, contract.end_date),
        )
    status = lifecycle.transition(
        tx,
        contract.id,
        "renew",
        end_date={"from": contract.end_date, "to": until.isoformat()},
        reason=reason.strip(),
    )
    return {
        "id": contract.id,
        "status": status,
        "end_date": until.isoformat(),
        "was": contract.end_date,
    }
