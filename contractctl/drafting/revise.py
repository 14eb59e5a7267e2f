"""The drafter's own moves before signing: revise a draft, withdraw a contract.

`revise` makes a new draft version of a contract in draft or returned to its drafter:
after an approver's `return` ("付款条件改为 45 天") the drafter makes that change and
submits again. It works like an amendment (contractctl.drafting.amend): ``--set`` or
``--data`` re-render the contract's own template version with the current values
changed, ``--file`` takes an edited DOCX or PDF; the old version is kept, unchanged.

`withdraw` takes a contract out of the process before anyone signs (a draft, one in
review, or one returned): its open route is closed and it ends `withdrawn`. Withdrawing
an amendment puts the contract back as it was, like a rejected amendment.

Both are permission-checked (the contract's keepers: its drafter, its department's
head, legal) and audited.
"""

from __future__ import annotations

from contractctl.drafting.amend import (
    AmendRequest,
    AmendResult,
    make_version,
    restore_in_force,
)
from contractctl.errors import InvalidInput
from contractctl.records import lifecycle
from contractctl.records.actions import require_keeper
from contractctl.records.contracts import get_contract
from contractctl.store import Store, Tx
from contractctl.store.audit import now_iso


def revise(store: Store, actor: str, contract_id: str, request: AmendRequest) -> AmendResult:
    """A new draft version of a draft or returned contract, with the changes asked for.

    Validated, rendered and converted before the transaction opens; a revision that
    changes nothing in the text is refused (exit 2), nothing made.
    """
    contract = get_contract(store.conn, contract_id)
    lifecycle.next_status(contract.status, "revise")  # draft or returned only (exit 3)
    return make_version(
        store,
        actor,
        contract,
        request,
        request.reason.strip(),
        what="revision",
        check=lambda tx: require_keeper(tx, contract, "revise"),
    )


def withdraw(tx: Tx, contract_id: str, reason: str) -> str:
    """Take a draft, in-review or returned contract out of the process; the new status.

    An open approval route is closed (its waiting tasks skipped, state ``withdrawn``).
    A withdrawn amendment restores the version in force and its status.
    """
    if not reason.strip():
        raise InvalidInput("say why: contractctl withdraw ID -m REASON")
    contract = get_contract(tx.conn, contract_id)
    lifecycle.next_status(contract.status, "withdraw")
    require_keeper(tx, contract, "withdraw")
    stamp = now_iso()
    for route in tx.conn.execute(
        "SELECT id FROM approval_routes WHERE contract_id = ? AND state = 'open'", (contract.id,)
    ).fetchall():
        tx.conn.execute(
            "UPDATE approval_tasks SET state = 'skipped' WHERE route_id = ? "
            "AND state IN ('pending', 'waiting')",
            (route["id"],),
        )
        tx.conn.execute(
            "UPDATE approval_routes SET state = 'withdrawn', closed_at = ? WHERE id = ?",
            (stamp, route["id"]),
        )
    restored = restore_in_force(tx, contract.id, "withdraw", reason=reason.strip())
    if restored is not None:
        return restored
    return lifecycle.transition(tx, contract.id, "withdraw", reason=reason.strip())
