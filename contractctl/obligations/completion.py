"""Closing a contract as performed (履行完毕): ``close``.

A signed or active contract whose obligations are all done, waived or cancelled, and
whose orders are all closed or cancelled, can be closed: its status becomes
``completed`` (a lifecycle move, contractctl.records.lifecycle, audited as
``contract.complete``), which `list --status completed` finds and reminders skip. A
contract with anything still open is refused (exit 3), naming what is open; an
amendment under way must be finished first. Closing is the keepers' decision.
"""

from __future__ import annotations

from typing import Any

from contractctl.errors import NotAllowed
from contractctl.obligations.ledger import list_obligations
from contractctl.records import lifecycle
from contractctl.records.actions import require_keeper
from contractctl.records.contracts import get_contract
from contractctl.store import Tx


def close(tx: Tx, contract_id: str, *, note: str = "") -> dict[str, Any]:
    """Move a performed contract to ``completed``; returns what was closed."""
    contract = get_contract(tx.conn, contract_id)
    lifecycle.next_status(contract.status, "complete")  # refuse early, naming what is allowed
    if contract.in_force_status is not None:
        raise NotAllowed(
            f"{contract.id} has an amendment under way (v{contract.version}); "
            "finish or withdraw it first"
        )
    require_keeper(tx, contract, "close")
    obligations = list_obligations(tx.conn, contract.id)
    if not obligations:
        raise NotAllowed(
            f"{contract.id} has no obligations to have performed",
            hint="record what was done with contractctl obligation add, or expire/terminate it",
        )
    still = [o for o in obligations if o["state"] == "open"]
    orders = [
        r[0]
        for r in tx.conn.execute(
            "SELECT id FROM orders WHERE contract_id = ? AND state NOT IN ('closed', 'cancelled') "
            "ORDER BY n",
            (contract.id,),
        )
    ]
    if still or orders:
        named = [f"obligation {o['id']} {o['milestone'] or o['kind']}" for o in still[:5]]
        named += [f"order {o}" for o in orders[:5]]
        more = len(still) + len(orders) - len(named)
        raise NotAllowed(
            f"{contract.id} cannot be closed: still open: {', '.join(named)}"
            + (f" and {more} more" if more > 0 else ""),
            hint="mark them done or waive them (contractctl obligation done/waive N), "
            "close or cancel the orders",
        )
    status = lifecycle.transition(
        tx, contract.id, "complete", note=note, obligations=len(obligations)
    )
    return {"id": contract.id, "status": status, "obligations": len(obligations)}
