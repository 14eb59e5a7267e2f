"""An order's course: created -> confirmed -> shipped -> delivered -> accepted ->
invoiced -> paid -> closed, or cancelled before it ships.

Each step is one action (``confirm``, ``ship``, ``deliver``, ``accept``, ``invoice``,
``pay``, ``close``, ``cancel``) taken on a day, by someone allowed to
(contractctl.obligations.permissions), with an optional note and evidence file (kept as
an attachment of the contract, linked to the order), and written both as an order step
and as the audit event ``order.<action>``. A step the table does not allow is refused
(exit 3) naming the one that is.

Shipping re-checks the contract: an order may not ship more of a line item than the
contract has (an amendment may have lowered it since the order was made), counting
every other order that has shipped.

Deliveries and acceptance drive the contract's obligations: when the orders delivered
hold every line item in full, the contract's delivery obligation is done on that day
(so acceptance falls due from it); when every delivered order is accepted as well, the
acceptance obligation is done (so the balance and the warranty fall due from it).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from contractctl.dates import local_today
from contractctl.errors import InvalidInput, NotAllowed
from contractctl.obligations.ledger import contract_obligation, mark_done
from contractctl.obligations.permissions import require_keeper_or_owner
from contractctl.orders.orders import items, order_detail, order_row
from contractctl.records.contracts import get_contract
from contractctl.store import Tx
from contractctl.store.audit import now_iso

#: action -> (the states it may start from, the state it leads to)
STEPS: dict[str, tuple[tuple[str, ...], str]] = {
    "confirm": (("created",), "confirmed"),
    "ship": (("confirmed",), "shipped"),
    "deliver": (("shipped",), "delivered"),
    "accept": (("delivered",), "accepted"),
    "invoice": (("accepted",), "invoiced"),
    "pay": (("invoiced",), "paid"),
    "close": (("paid",), "closed"),
    "cancel": (("created", "confirmed"), "cancelled"),
}
#: States in which an order's goods have left the seller.
SHIPPED = ("shipped", "delivered", "accepted", "invoiced", "paid", "closed")
DELIVERED = ("delivered", "accepted", "invoiced", "paid", "closed")
ACCEPTED = ("accepted", "invoiced", "paid", "closed")


def advance(
    tx: Tx,
    order_id: str,
    action: str,
    *,
    on: date | None = None,
    note: str = "",
    evidence: Path | None = None,
) -> dict[str, Any]:
    """Take ``action`` on an order; returns the order and the obligations it settled."""
    if action not in STEPS:
        raise InvalidInput(f"{action!r} is not an order step ({', '.join(STEPS)})")
    row = order_row(tx.conn, order_id)
    starts, target = STEPS[action]
    if row["state"] not in starts:
        allowed = [a for a, (s, _) in STEPS.items() if row["state"] in s]
        raise NotAllowed(
            f"order {row['id']} is {row['state']}: it cannot {action} "
            f"(it can: {', '.join(allowed) or 'nothing'})"
        )
    day = on or local_today()
    if day > local_today():
        raise InvalidInput(f"--date {day.isoformat()} is in the future: record what happened")
    require_keeper_or_owner(tx, row["contract_id"], None, f"{action} orders of")
    contract = get_contract(tx.conn, row["contract_id"])
    if action == "ship":
        _check_shippable(tx, row["id"], contract)
    sha = None
    if evidence is not None:
        from contractctl.obligations.attachments import store_attachment

        kind = {"deliver": "delivery-note", "accept": "acceptance", "invoice": "invoice"}
        sha = store_attachment(
            tx,
            contract.id,
            evidence,
            kind=kind.get(action, "receipt" if action == "pay" else "other"),
            order_id=row["id"],
            note=note,
        )["sha256"]
    (seq,) = tx.conn.execute(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM order_steps WHERE order_id = ?", (row["id"],)
    ).fetchone()
    tx.conn.execute(
        "INSERT INTO order_steps (order_id, seq, state, on_date, note, evidence_sha, by, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (row["id"], seq, target, day.isoformat(), note, sha, tx.actor, now_iso()),
    )
    tx.conn.execute(
        "UPDATE orders SET state = ?, updated_at = ? WHERE id = ?",
        (target, now_iso(), row["id"]),
    )
    settled = _drive_obligations(tx, contract.id, action, day)
    tx.audit(
        f"order.{action}",
        contract.id,
        {
            "order": row["id"],
            "from": row["state"],
            "to": target,
            "on": day.isoformat(),
            "note": note,
            "evidence": sha,
            "settled": settled,
        },
    )
    return {"order": order_detail(tx.conn, row["id"]), "settled": settled}


def _check_shippable(tx: Tx, order_id: str, contract: Any) -> None:
    shipped_states = ", ".join(f"'{s}'" for s in SHIPPED)
    shipped: dict[int, Decimal] = {}
    for r in tx.conn.execute(
        "SELECT l.item, l.quantity FROM order_lines l JOIN orders o ON o.id = l.order_id "
        f"WHERE o.contract_id = ? AND o.id != ? AND o.state IN ({shipped_states})",
        (contract.id, order_id),
    ):
        shipped[r["item"]] = shipped.get(r["item"], Decimal(0)) + Decimal(r["quantity"])
    known = {i.n: i for i in items(tx.conn, contract)}
    for r in tx.conn.execute("SELECT * FROM order_lines WHERE order_id = ?", (order_id,)):
        item = known.get(r["item"])
        have = item.quantity if item else Decimal(0)
        left = have - shipped.get(r["item"], Decimal(0))
        if Decimal(r["quantity"]) > left:
            raise NotAllowed(
                f"order {order_id} would ship {r['quantity']} {r['unit']} of line {r['item']} "
                f"({r['name']}), but the contract has only {left} {r['unit']} not yet shipped",
                hint="cancel the order and create one for what is open",
            )


def _totals(tx: Tx, contract_id: str, states: tuple[str, ...]) -> dict[int, Decimal]:
    marks = ", ".join("?" for _ in states)
    out: dict[int, Decimal] = {}
    for r in tx.conn.execute(
        "SELECT l.item, l.quantity FROM order_lines l JOIN orders o ON o.id = l.order_id "
        f"WHERE o.contract_id = ? AND o.state IN ({marks})",
        (contract_id, *states),
    ):
        out[r["item"]] = out.get(r["item"], Decimal(0)) + Decimal(r["quantity"])
    return out


def _drive_obligations(tx: Tx, contract_id: str, action: str, day: date) -> list[int]:
    """Delivery and acceptance of the whole contract, done from its orders."""
    if action not in ("deliver", "accept"):
        return []
    contract = get_contract(tx.conn, contract_id)
    known = items(tx.conn, contract)
    delivered = _totals(tx, contract_id, DELIVERED)
    if not known or any(delivered.get(i.n, Decimal(0)) < i.quantity for i in known):
        return []  # a partial delivery: the contract's delivery is not done yet
    settled: list[int] = []
    delivery = contract_obligation(tx.conn, contract_id, "delivery")
    if delivery is not None:
        mark_done(tx, int(delivery["id"]), on=day, note="delivered by its orders", check=False)
        settled.append(int(delivery["id"]))
    if action == "accept":
        accepted = _totals(tx, contract_id, ACCEPTED)
        if all(accepted.get(i.n, Decimal(0)) >= i.quantity for i in known):
            acceptance = contract_obligation(tx.conn, contract_id, "acceptance")
            if acceptance is not None:
                mark_done(
                    tx, int(acceptance["id"]), on=day, note="accepted by its orders", check=False
                )
                settled.append(int(acceptance["id"]))
    return settled
