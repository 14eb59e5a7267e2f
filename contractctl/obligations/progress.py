"""A contract's execution at a glance: what `show` prints above its obligations.

``execution`` answers the three questions asked of a contract in force: how much has
been delivered (per line item, from the orders delivered; or all of it once the
delivery obligation is done), how much has been paid of the price, and what is next
(the open obligation that falls due first, or the one expected first while it waits
for an event). ``can_close`` says whether it may be closed as performed (履行完毕):
every obligation done, waived or cancelled, and no order still under way.

Order rows are read here with SQL (the orders package writes them and imports this
one, so this module never imports it back).
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from typing import Any

from contractctl.dates import local_today
from contractctl.money import Money
from contractctl.obligations.ledger import list_obligations
from contractctl.obligations.payments import contract_balance
from contractctl.records.contracts import Contract

#: Order states in which the goods have arrived.
DELIVERED_STATES = ("delivered", "accepted", "invoiced", "paid", "closed")
#: Order states still under way.
OPEN_ORDER_STATES = ("created", "confirmed", "shipped", "delivered", "accepted", "invoiced", "paid")


def _decimal(text: Any) -> Decimal:
    try:
        return Decimal(str(text))
    except ArithmeticError:
        return Decimal(0)


def delivered_lines(conn: sqlite3.Connection, contract: Contract) -> list[dict[str, Any]]:
    """Per line item of the contract: quantity, ordered (orders not cancelled) and
    delivered (orders delivered or later)."""
    items = contract.fields.get("items")
    if not isinstance(items, list) or not items:
        return []
    states = ", ".join(f"'{s}'" for s in DELIVERED_STATES)
    ordered: dict[int, Decimal] = {}
    delivered: dict[int, Decimal] = {}
    rows = conn.execute(
        "SELECT l.item, l.quantity, o.state FROM order_lines l JOIN orders o ON o.id = l.order_id "
        "WHERE o.contract_id = ? AND o.state != 'cancelled'",
        (contract.id,),
    )
    for r in rows:
        ordered[r["item"]] = ordered.get(r["item"], Decimal(0)) + _decimal(r["quantity"])
        if r["state"] in states:
            delivered[r["item"]] = delivered.get(r["item"], Decimal(0)) + _decimal(r["quantity"])
    return [
        {
            "item": n,
            "name": str(item.get("name", "")),
            "unit": str(item.get("unit", "")),
            "quantity": str(item.get("quantity", "")),
            "ordered": str(ordered.get(n, Decimal(0))),
            "delivered": str(delivered.get(n, Decimal(0))),
        }
        for n, item in enumerate(items, start=1)
        if isinstance(item, dict)
    ]


def execution(conn: sqlite3.Connection, contract: Contract) -> dict[str, Any]:
    """The `show --json` ``execution`` section (see the module docstring)."""
    today = local_today()
    obligations = list_obligations(conn, contract.id, today=today)
    lines = delivered_lines(conn, contract)
    delivery_done = any(o["kind"] == "delivery" and o["state"] == "done" for o in obligations)
    if delivery_done and not any(_decimal(x["delivered"]) for x in lines):
        for line in lines:  # delivered without orders: the whole contract at once
            line["delivered"] = line["quantity"]
    full = sum(_decimal(x["delivered"]) >= _decimal(x["quantity"]) for x in lines)
    balance = contract_balance(conn, contract)
    open_ = [o for o in obligations if o["state"] == "open"]
    dated = sorted(open_, key=lambda o: (o["due"] or o["expected"] or "9999", o["id"]))
    upcoming = dated[0] if dated else None
    orders_open = conn.execute(
        f"SELECT COUNT(*) FROM orders WHERE contract_id = ? AND state IN "
        f"({', '.join('?' for _ in OPEN_ORDER_STATES)})",
        (contract.id, *OPEN_ORDER_STATES),
    ).fetchone()[0]
    counts: dict[str, int] = {}
    for o in obligations:
        counts[o["status"]] = counts.get(o["status"], 0) + 1
    return {
        "delivered": {"lines": lines, "complete": full, "of": len(lines)} if lines else None,
        "paid": (
            {"paid": balance["paid"], "of": balance["price"]} if balance is not None else None
        ),
        "outstanding": balance["outstanding"] if balance is not None else None,
        "next": (
            None
            if upcoming is None
            else {
                key: upcoming[key]
                for key in ("id", "milestone", "kind", "description", "due", "expected", "status")
            }
        ),
        "obligations": counts,
        "orders_open": int(orders_open),
        "can_close": bool(obligations) and not open_ and not orders_open,
    }


def progress_line(section: dict[str, Any]) -> str:
    """One line for people: delivered 2 of 3 lines · paid ¥a of ¥b · next: ... on date."""
    from contractctl.money import format_money

    parts = []
    delivered = section.get("delivered")
    if delivered:
        parts.append(f"delivered {delivered['complete']} of {delivered['of']} line items")
    paid = section.get("paid")
    if paid:
        parts.append(
            f"paid {format_money(Money.from_dict(paid['paid']))} "
            f"of {format_money(Money.from_dict(paid['of']))}"
        )
    upcoming = section.get("next")
    if upcoming:
        when = upcoming["due"] or (
            f"expected {upcoming['expected']}" if upcoming["expected"] else "when due"
        )
        parts.append(f"next: {upcoming['description']} ({when}, {upcoming['status']})")
    elif section.get("can_close"):
        parts.append("every obligation settled: it can be closed (contractctl close)")
    return " · ".join(parts)
