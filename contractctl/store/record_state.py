"""What the audit log says a contract's rows are, and how fsck holds the rows to it.

The audit chain proves that no event was edited, but the rows themselves (a contract's
status and amount, its versions, approval tasks and signatures) are plain SQLite rows
that anyone who can open the database can change. So the last event a transaction
writes about a contract carries ``rows``: the contract's status, amount and version in
clear, and a short SHA-256 of every version, approval task and signature row as they
stand when the transaction commits (:func:`contract_state`, called by
``Store.transaction`` before COMMIT). The event is part of the keyed, anchored chain, so
changing ``rows`` means recomputing the chain, which ``audit verify`` catches against
an anchor.

``fsck`` replays the log: for every contract the latest ``rows`` its events recorded
is what the tables must hold now (:func:`compare`), and each row that disagrees is
named (a changed status or amount with both values, a version, approval task or
signature row changed, added or deleted). A contract row no event is about was
inserted by hand. Contracts last changed before this record existed carry no
``rows`` and are counted as such, not judged.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import Any

#: The key of the recorded rows in an event's data.
KEY = "rows"
#: The contract columns recorded in clear (and compared by name).
CONTRACT_COLUMNS = (
    "status",
    "amount_minor",
    "currency",
    "current_version",
    "in_force_version",
    "in_force_status",
    "counterparty_id",
)
VERSION_COLUMNS = (
    "n",
    "kind",
    "parent_n",
    "docx_sha",
    "pdf_sha",
    "text_sha",
    "sha256",
    "unsigned_pdf_sha",
    "outcome",
    "created_by",
)
TASK_COLUMNS = (
    "id",
    "route_id",
    "stage_n",
    "approver",
    "role",
    "state",
    "decided_by",
    "decided_at",
    "comment",
)
SIGNATURE_COLUMNS = (
    "id",
    "version_n",
    "seq",
    "party",
    "key_name",
    "signer",
    "fingerprint",
    "level",
    "pdf_before",
    "pdf_after",
    "signed_by",
)


def _digest(values: list[Any]) -> str:
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def is_contract(conn: sqlite3.Connection, subject: str | None) -> bool:
    """Whether ``subject`` names a contract row (events about parties, keys and
    templates carry no rows)."""
    if not subject:
        return False
    return conn.execute("SELECT 1 FROM contracts WHERE id = ?", (subject,)).fetchone() is not None


def contract_state(conn: sqlite3.Connection, contract_id: str) -> dict[str, Any]:
    """The recorded shape of one contract's rows, as they are now."""
    row = conn.execute(
        f"SELECT {', '.join(CONTRACT_COLUMNS)} FROM contracts WHERE id = ?", (contract_id,)
    ).fetchone()
    contract = dict(zip(CONTRACT_COLUMNS, tuple(row), strict=True)) if row else {}
    versions = {
        str(r[0]): _digest(list(r))
        for r in conn.execute(
            f"SELECT {', '.join(VERSION_COLUMNS)} FROM versions WHERE contract_id = ? ORDER BY n",
            (contract_id,),
        )
    }
    tasks = {
        str(r[0]): [r[5], r[6], _digest(list(r))]
        for r in conn.execute(
            f"SELECT {', '.join('t.' + c for c in TASK_COLUMNS)} FROM approval_tasks t "
            "JOIN approval_routes r ON r.id = t.route_id WHERE r.contract_id = ? ORDER BY t.id",
            (contract_id,),
        )
    }
    routes = {
        str(r[0]): _digest(list(r))
        for r in conn.execute(
            "SELECT id, version_n, state, submitted_by FROM approval_routes "
            "WHERE contract_id = ? ORDER BY id",
            (contract_id,),
        )
    }
    signatures = {
        f"{r[1]}.{r[2]}": _digest(list(r))
        for r in conn.execute(
            f"SELECT {', '.join(SIGNATURE_COLUMNS)} FROM signatures WHERE contract_id = ? "
            "ORDER BY version_n, seq",
            (contract_id,),
        )
    }
    return {
        "contract": contract,
        "versions": versions,
        "routes": routes,
        "approvals": tasks,
        "signatures": signatures,
    }


def recorded_states(conn: sqlite3.Connection) -> dict[str, tuple[int, dict[str, Any] | None]]:
    """Per subject: its latest event's sequence number and the rows that event recorded
    (None when it recorded none)."""
    latest: dict[str, tuple[int, dict[str, Any] | None]] = {}
    for seq, subject, data in conn.execute(
        "SELECT seq, subject, data FROM events WHERE subject IS NOT NULL ORDER BY seq"
    ):
        try:
            rows = json.loads(data).get(KEY)
        except (ValueError, AttributeError):
            rows = None
        latest[subject] = (seq, rows if isinstance(rows, dict) else None)
    return latest


_NAMES = {"amount_minor": "amount (minor units)", "counterparty_id": "counterparty"}


def compare(contract_id: str, recorded: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """Every row of ``contract_id`` that disagrees with what its last event recorded."""
    problems: list[str] = []
    want, have = recorded.get("contract", {}), now.get("contract", {})
    if not have:
        return [f"contract {contract_id}: its row was deleted (the audit log records it)"]
    for column in CONTRACT_COLUMNS:
        if column in want and want.get(column) != have.get(column):
            problems.append(
                f"contract {contract_id}: {_NAMES.get(column, column)} is "
                f"{_shown(have.get(column))} but the audit log records {_shown(want.get(column))}"
            )
    problems += _rows(contract_id, "version", recorded, now, "versions")
    problems += _rows(contract_id, "approval route", recorded, now, "routes")
    problems += _tasks(contract_id, recorded.get("approvals", {}), now.get("approvals", {}))
    problems += _rows(contract_id, "signature (version.seq)", recorded, now, "signatures")
    return problems


def _rows(
    contract_id: str, what: str, recorded: dict[str, Any], now: dict[str, Any], key: str
) -> list[str]:
    want: dict[str, str] = recorded.get(key, {})
    have: dict[str, str] = now.get(key, {})
    out: list[str] = []
    for name in sorted(set(want) | set(have)):
        if name not in have:
            out.append(f"contract {contract_id}: {what} {name} was deleted")
        elif name not in want:
            out.append(f"contract {contract_id}: {what} {name} was added outside contractctl")
        elif want[name] != have[name]:
            out.append(f"contract {contract_id}: {what} {name} was changed")
    return out


def _tasks(contract_id: str, want: dict[str, Any], have: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for task in sorted(set(want) | set(have), key=lambda t: int(t) if t.isdigit() else 0):
        if task not in have:
            out.append(f"contract {contract_id}: approval task {task} was deleted")
        elif task not in want:
            out.append(
                f"contract {contract_id}: approval task {task} was added outside contractctl"
            )
        elif list(want[task]) != list(have[task]):
            (w_state, w_by, _), (h_state, h_by, _) = want[task], have[task]
            detail = []
            if w_state != h_state:
                detail.append(f"state {_shown(h_state)}, recorded {_shown(w_state)}")
            if w_by != h_by:
                detail.append(f"decided by {_shown(h_by)}, recorded {_shown(w_by)}")
            out.append(
                f"contract {contract_id}: approval task {task} was changed"
                + (f" ({'; '.join(detail)})" if detail else "")
            )
    return out


def _shown(value: Any) -> str:
    return "(none)" if value is None else str(value)
