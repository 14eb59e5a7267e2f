"""Revoke: an approver takes back an approval before the next stage decides.

An approval given by mistake (the wrong contract, a figure not checked) can be taken
back by the person who gave it, as long as nobody after them relied on it: no later
stage has decided, and no one has signed. The stage is open again (its other approvers'
skipped tasks are pending again), a later stage that had opened waits again, and an
approved contract goes back into review. The revocation is an audit event; the
original approval stays in the audit log.
"""

from __future__ import annotations

from typing import Any

from contractctl.approval.decide import route_view
from contractctl.errors import InvalidInput, NotAllowed
from contractctl.records import lifecycle
from contractctl.records.contracts import get_contract
from contractctl.store import Tx

_DECIDED = ("approved", "rejected", "returned")


def revoke(tx: Tx, contract_id: str, comment: str) -> dict[str, Any]:
    """Take back ``tx.actor``'s approval of the contract's latest route; the route view."""
    if not comment.strip():
        raise InvalidInput("say why: contractctl revoke ID --as YOU -m REASON")
    contract = get_contract(tx.conn, contract_id)
    route = tx.conn.execute(
        "SELECT * FROM approval_routes WHERE contract_id = ? ORDER BY id DESC LIMIT 1",
        (contract.id,),
    ).fetchone()
    if route is None or route["state"] not in ("open", "approved"):
        raise NotAllowed(f"{contract.id} has no approval under way to revoke ({contract.status})")
    if route["state"] == "approved" and contract.status != "approved":
        raise NotAllowed(
            f"{contract.id} is {contract.status}: signing has started, so its approval stands"
        )
    tasks = tx.conn.execute(
        "SELECT * FROM approval_tasks WHERE route_id = ? ORDER BY stage_n, id", (route["id"],)
    ).fetchall()
    mine = [t for t in tasks if t["state"] == "approved" and t["decided_by"] == tx.actor]
    if not mine:
        raise NotAllowed(f"{tx.actor} has no approval of {contract.id} to revoke")
    task = mine[-1]
    stage = task["stage_n"]
    later = [t for t in tasks if t["stage_n"] > stage and t["state"] in _DECIDED]
    if later:
        first = later[0]
        raise NotAllowed(
            f"too late to revoke: stage {first['stage_n']} ({first['stage_name']}) of "
            f"{contract.id} was decided by {first['decided_by']} at {first['decided_at'][:19]}"
        )
    tx.conn.execute(
        "UPDATE approval_tasks SET state = 'pending', decided_by = NULL, decided_at = NULL, "
        "comment = '' WHERE id = ?",
        (task["id"],),
    )
    tx.conn.execute(
        "UPDATE approval_tasks SET state = 'pending' WHERE route_id = ? AND stage_n = ? "
        "AND state = 'skipped'",
        (route["id"], stage),
    )
    tx.conn.execute(
        "UPDATE approval_tasks SET state = 'waiting', due_at = NULL WHERE route_id = ? "
        "AND stage_n > ? AND state = 'pending'",
        (route["id"], stage),
    )
    tx.audit(
        "approval.revoke",
        contract.id,
        {
            "route_id": route["id"],
            "stage": stage,
            "stage_name": task["stage_name"],
            "approver": task["approver"],
            "approved_at": task["decided_at"],
            "comment": comment.strip(),
        },
    )
    if route["state"] == "approved":
        tx.conn.execute(
            "UPDATE approval_routes SET state = 'open', closed_at = NULL WHERE id = ?",
            (route["id"],),
        )
        lifecycle.transition(tx, contract.id, "revoke", route_id=route["id"], stage=stage)
    return route_view(tx.store, contract.id)
