"""The contract lifecycle: one table of allowed transitions (DESIGN.md §3).

Every status change in contractctl goes through ``transition()``, which refuses any
move the table does not allow (exit 3, naming what the contract's status allows) and
writes the change as an audit event in the caller's transaction.
"""

from __future__ import annotations

from contractctl.errors import NotAllowed, NotFound
from contractctl.store import Tx
from contractctl.store.audit import now_iso

#: (status, action) -> new status. The one place the state machine lives.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "submit"): "in_review",
    ("returned", "submit"): "in_review",
    ("in_review", "approve"): "approved",
    ("in_review", "return"): "returned",
    ("in_review", "reject"): "rejected",
    ("approved", "sign"): "signing",
    ("approved", "complete_signing"): "signed",
    ("signing", "complete_signing"): "signed",
    ("signed", "activate"): "active",
    ("signed", "expire"): "expired",
    ("active", "expire"): "expired",
    # an imported contract whose expiry was misread, corrected with `edit` (only there)
    ("expired", "reactivate"): "active",
    ("signed", "terminate"): "terminated",
    ("active", "terminate"): "terminated",
    ("signed", "amend"): "draft",
    ("active", "amend"): "draft",
    ("signed", "archive"): "archived",
    ("active", "archive"): "archived",
    ("expired", "archive"): "archived",
    ("terminated", "archive"): "archived",
    # every obligation performed, waived or cancelled (履行完毕): contractctl close
    ("signed", "complete"): "completed",
    ("active", "complete"): "completed",
    ("completed", "archive"): "archived",
    # the drafter changes a draft, or what an approver asked for after `return`
    ("draft", "revise"): "draft",
    ("returned", "revise"): "draft",
    # the drafter takes it back before anyone signs; final
    ("draft", "withdraw"): "withdrawn",
    ("in_review", "withdraw"): "withdrawn",
    ("returned", "withdraw"): "withdrawn",
    # an approver takes back the last stage's approval before signing starts
    ("approved", "revoke"): "in_review",
    # a longer term agreed without new wording (an option to extend, a renewal letter)
    ("signed", "renew"): "signed",
    ("active", "renew"): "active",
    ("expired", "renew"): "active",
}


def allowed_actions(status: str) -> list[str]:
    """The actions the table allows from ``status``."""
    return sorted(action for (state, action) in TRANSITIONS if state == status)


def allowed_text(status: str) -> str:
    """What a contract in ``status`` allows, as a sentence: "an active contract allows:
    amend, archive, expire, terminate"."""
    allowed = allowed_actions(status)
    article = "an" if status[:1] in "aeiou" else "a"
    return f"{article} {status} contract allows: {', '.join(allowed) if allowed else 'nothing'}"


def next_status(status: str, action: str) -> str:
    """Where ``action`` leads from ``status``; NotAllowed when the table forbids it."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise NotAllowed(
            f"cannot {action.replace('_', ' ')} a contract that is {status} "
            f"({allowed_text(status)})"
        ) from None


def transition(tx: Tx, contract_id: str, action: str, **data: object) -> str:
    """Move a contract to its next status and record it; returns the new status."""
    row = tx.conn.execute("SELECT status FROM contracts WHERE id = ?", (contract_id,)).fetchone()
    if row is None:
        raise NotFound(f"no contract {contract_id}")
    old = row["status"]
    new = next_status(old, action)
    tx.conn.execute(
        "UPDATE contracts SET status = ?, updated_at = ? WHERE id = ?",
        (new, now_iso(), contract_id),
    )
    tx.audit(f"contract.{action}", contract_id, {"from": old, "to": new, **data})
    return new
