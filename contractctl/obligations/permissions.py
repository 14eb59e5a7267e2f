"""Who may record what happens after the signature (people.toml roles).

- **Obligations and orders** (add, done, attach, order steps): the contract's keepers
  (its drafter, its department's head, everyone with ``legal``; see
  contractctl.records.actions.keepers), the obligation's owner, and ``finance``.
- **Waiving** an obligation gives something up: the keepers only.
- **Payments** move money: people with the ``finance`` role. A store whose people.toml
  names nobody with ``finance`` (a one-person store) lets the keepers record them.

Every refusal is exit 3 and names who may.
"""

from __future__ import annotations

from contractctl.errors import NotAllowed
from contractctl.records.actions import keepers
from contractctl.records.contracts import get_contract
from contractctl.records.people import load_people
from contractctl.store import Tx


def _keepers(tx: Tx, contract_id: str) -> list[str]:
    return keepers(tx, get_contract(tx.conn, contract_id))


def require_keeper_or_owner(tx: Tx, contract_id: str, owner: str | None, action: str) -> None:
    """NotAllowed unless the actor keeps the contract, owns the obligation or is finance
    (``owner`` None: the keepers only when ``action`` gives something up)."""
    allowed = _keepers(tx, contract_id)
    if not action.startswith("waive"):
        people = load_people(tx.store.home)
        allowed += [p.id for p in people.with_role("finance")]
        if owner:
            allowed.append(owner)
    allowed = list(dict.fromkeys(allowed))
    if tx.actor not in allowed:
        raise NotAllowed(
            f"{tx.actor} may not {action} {contract_id}; who may: {', '.join(allowed)}",
            hint="act as one of them with --as USER (see docs/obligations.md: who may)",
        )


def require_finance(tx: Tx, contract_id: str) -> None:
    """NotAllowed unless the actor may record a payment on ``contract_id``."""
    people = load_people(tx.store.home)
    finance = [p.id for p in people.with_role("finance")]
    allowed = finance or _keepers(tx, contract_id)
    if tx.actor not in allowed:
        who = "finance" if finance else "the contract's keepers (nobody has the finance role)"
        raise NotAllowed(
            f"{tx.actor} may not record payments on {contract_id}; who may ({who}): "
            f"{', '.join(allowed)}",
            hint="act as one of them with --as USER (see docs/obligations.md: who may)",
        )
