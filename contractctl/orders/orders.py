"""Orders from a signed purchase or sales contract: one per delivery batch (seed 001).

``create_order`` takes lines from the contract's line items (the version in force), by
item number and quantity, or everything still open when no line is given. A line may
not exceed what the contract still has open: its quantity less what orders that are not
cancelled already hold (exit 3, naming the item and both quantities). An order's amount
is its quantities times the unit prices, rounded half up to the minor unit.

Orders are numbered per contract (``C-2026-0001-O1``, ``-O2`` ...); their course
(confirmed, shipped, delivered, accepted, invoiced, paid, closed, or cancelled) is
contractctl.orders.steps.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from contractctl.dates import local_today
from contractctl.errors import InvalidInput, NotAllowed, NotFound
from contractctl.money import Money
from contractctl.obligations.permissions import require_keeper_or_owner
from contractctl.records.contracts import Contract, get_contract
from contractctl.store import Tx
from contractctl.store.audit import now_iso

#: Contract types whose line items are goods to order.
ORDERABLE_TYPES = ("purchase", "sales")
IN_FORCE = ("signed", "active")


@dataclass(frozen=True)
class Item:
    """One line item of the contract, with what is still open."""

    n: int
    name: str
    unit: str
    quantity: Decimal
    unit_price: Money
    ordered: Decimal

    @property
    def open(self) -> Decimal:
        """Quantity not yet in an order."""
        return self.quantity - self.ordered


def quantity(text: Any, what: str) -> Decimal:
    """A positive quantity (decimal, never float arithmetic); InvalidInput otherwise."""
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{what}: {text!r} is not a quantity") from None
    if not value.is_finite() or value <= 0:
        raise InvalidInput(f"{what}: a quantity more than zero")
    return value


def in_force_fields(conn: sqlite3.Connection, contract: Contract) -> dict[str, Any]:
    """The values of the version that binds (the parent while an amendment is under way)."""
    if contract.in_force_status is None or contract.in_force_version is None:
        return contract.fields
    row = conn.execute(
        "SELECT fields FROM versions WHERE contract_id = ? AND n = ?",
        (contract.id, contract.in_force_version),
    ).fetchone()
    return dict(json.loads(row["fields"])) if row else contract.fields


def items(conn: sqlite3.Connection, contract: Contract, *, skip: str | None = None) -> list[Item]:
    """The contract's line items with what orders (not cancelled; not ``skip``) hold."""
    raw = in_force_fields(conn, contract).get("items")
    if not isinstance(raw, list) or not raw:
        return []
    ordered: dict[int, Decimal] = {}
    for r in conn.execute(
        "SELECT l.item, l.quantity FROM order_lines l JOIN orders o ON o.id = l.order_id "
        "WHERE o.contract_id = ? AND o.state != 'cancelled' AND o.id != ?",
        (contract.id, skip or ""),
    ):
        ordered[r["item"]] = ordered.get(r["item"], Decimal(0)) + Decimal(r["quantity"])
    out = []
    for n, item in enumerate(raw, start=1):
        price = item.get("unit_price") if isinstance(item, dict) else None
        if not isinstance(price, dict):
            continue
        out.append(
            Item(
                n=n,
                name=str(item.get("name", "")),
                unit=str(item.get("unit", "")),
                quantity=Decimal(str(item.get("quantity", "0"))),
                unit_price=Money.from_dict(price),
                ordered=ordered.get(n, Decimal(0)),
            )
        )
    return out


def _amount(item: Item, qty: Decimal) -> int:
    return int((qty * item.unit_price.minor).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def create_order(
    tx: Tx,
    contract_id: str,
    lines: dict[int, Decimal] | None = None,
    *,
    due: date | None = None,
    note: str = "",
) -> dict[str, Any]:
    """A new order (state ``created``) for ``lines`` (item number -> quantity), or for
    everything still open; returns the order's detail."""
    contract = get_contract(tx.conn, contract_id)
    if contract.type not in ORDERABLE_TYPES:
        raise NotAllowed(
            f"{contract.id} is a {contract.type} contract: orders come from purchase and "
            "sales contracts"
        )
    status = contract.in_force_status or contract.status
    if status not in IN_FORCE:
        raise NotAllowed(f"{contract.id} is {status}: orders come from signed contracts")
    require_keeper_or_owner(tx, contract.id, None, "create orders for")
    known = {i.n: i for i in items(tx.conn, contract)}
    if not known:
        raise NotAllowed(f"{contract.id} has no line items to order")
    if lines is None:
        lines = {n: i.open for n, i in known.items() if i.open > 0}
        if not lines:
            raise NotAllowed(f"every line item of {contract.id} is already ordered")
    if not lines:
        raise InvalidInput("--line: give at least one ITEM=QUANTITY")
    for n, qty in lines.items():
        item = known.get(n)
        if item is None:
            raise InvalidInput(f"--line {n}: {contract.id} has line items 1 to {max(known)}")
        if qty > item.open:
            raise NotAllowed(
                f"line {n} ({item.name}): {qty} {item.unit} asked, but only {item.open} of "
                f"{item.quantity} {item.unit} are still open on {contract.id}",
                hint=f"contractctl order list {contract.id} shows what the orders hold",
            )
    currency = next(iter(known.values())).unit_price.currency
    total = sum(_amount(known[n], q) for n, q in lines.items())
    (last,) = tx.conn.execute(
        "SELECT COALESCE(MAX(n), 0) FROM orders WHERE contract_id = ?", (contract.id,)
    ).fetchone()
    n = int(last) + 1
    order_id = f"{contract.id}-O{n}"
    now = now_iso()
    tx.conn.execute(
        "INSERT INTO orders (id, contract_id, n, state, due_date, amount_minor, currency, note, "
        "created_by, created_at, updated_at) VALUES (?, ?, ?, 'created', ?, ?, ?, ?, ?, ?, ?)",
        (
            order_id,
            contract.id,
            n,
            due.isoformat() if due else _delivery_date(contract),
            total,
            currency,
            note,
            tx.actor,
            now,
            now,
        ),
    )
    for item_n, qty in sorted(lines.items()):
        item = known[item_n]
        tx.conn.execute(
            "INSERT INTO order_lines (order_id, item, name, unit, quantity, amount_minor, "
            "currency) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (order_id, item_n, item.name, item.unit, str(qty), _amount(item, qty), currency),
        )
    tx.conn.execute(
        "INSERT INTO order_steps (order_id, seq, state, on_date, note, by, at) "
        "VALUES (?, 1, 'created', ?, ?, ?, ?)",
        (order_id, local_today().isoformat(), note, tx.actor, now),
    )
    tx.audit(
        "order.create",
        contract.id,
        {
            "order": order_id,
            "lines": {str(k): str(v) for k, v in sorted(lines.items())},
            "amount": Money(total, currency).to_dict(),
        },
    )
    return order_detail(tx.conn, order_id)


def _delivery_date(contract: Contract) -> str | None:
    value = contract.fields.get("delivery_date")
    return str(value) if value else None


def order_row(conn: sqlite3.Connection, order_id: str) -> sqlite3.Row:
    """One order; NotFound (exit 2) naming how to list them."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM orders WHERE id = ?", (order_id.strip().upper(),)
    ).fetchone()
    if row is None:
        raise NotFound(f"no order {order_id}", hint="contractctl order list ID")
    return row


def _summary(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "contract_id": row["contract_id"],
        "n": row["n"],
        "state": row["state"],
        "due": row["due_date"],
        "amount": Money(row["amount_minor"], row["currency"]).to_dict(),
        "note": row["note"],
        "created_by": row["created_by"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def order_detail(conn: sqlite3.Connection, order_id: str) -> dict[str, Any]:
    """An order with its lines and its steps (the `order show --json` shape)."""
    row = order_row(conn, order_id)
    out = _summary(row)
    out["lines"] = [
        {
            "item": r["item"],
            "name": r["name"],
            "unit": r["unit"],
            "quantity": r["quantity"],
            "amount": Money(r["amount_minor"], r["currency"]).to_dict(),
        }
        for r in conn.execute(
            "SELECT * FROM order_lines WHERE order_id = ? ORDER BY item", (row["id"],)
        )
    ]
    out["steps"] = [
        {
            "state": r["state"],
            "on": r["on_date"],
            "note": r["note"],
            "evidence": r["evidence_sha"],
            "by": r["by"],
            "at": r["at"],
        }
        for r in conn.execute(
            "SELECT * FROM order_steps WHERE order_id = ? ORDER BY seq", (row["id"],)
        )
    ]
    return out


def list_orders(
    conn: sqlite3.Connection, contract_id: str | None = None, *, state: str | None = None
) -> list[dict[str, Any]]:
    """Orders (of one contract, or all), by contract and number."""
    sql, args = "SELECT * FROM orders", []
    where = []
    if contract_id:
        where.append("contract_id = ?")
        args.append(contract_id.strip().upper())
    if state:
        where.append("state = ?")
        args.append(state)
    if where:
        sql += " WHERE " + " AND ".join(where)
    return [_summary(r) for r in conn.execute(sql + " ORDER BY contract_id, n", args)]
