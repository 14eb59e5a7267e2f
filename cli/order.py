"""`contractctl order create/list/show` and the steps of an order's course
(`order confirm/ship/deliver/accept/invoice/pay/close/cancel ORDER`).

Exit codes: 0 done; 2 bad input (a line, a quantity, a date, a file, an unknown id);
3 refused (more than the contract has open, a step the order's state does not allow,
a contract that is not a signed purchase or sales contract, not yours); 4 store problems.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from contractctl.cli.context import app_context
from contractctl.cli.output import emit_json, money_text, table

order_app = typer.Typer(
    help="Orders from signed purchase and sales contracts, one per delivery batch.",
    no_args_is_help=True,
)

OrderArg = Annotated[str, typer.Argument(metavar="ORDER", help="Order id (C-2026-0001-O1).")]

STEP_HELP = {
    "confirm": "The other side confirmed the order.",
    "ship": "The goods left the seller (never more than the contract has).",
    "deliver": "The goods arrived; the contract's delivery is done once every line is.",
    "accept": "The goods passed inspection (验收); the contract's acceptance follows.",
    "invoice": "The invoice for the order was issued or received.",
    "pay": "The order was paid (record the money with `payment add`).",
    "close": "Nothing more to do on the order.",
    "cancel": "Cancel an order that has not shipped; its quantities are open again.",
}


def _lines(specs: list[str]) -> dict[int, Any] | None:
    from contractctl.errors import InvalidInput
    from contractctl.orders.orders import quantity

    if not specs:
        return None
    out: dict[int, Any] = {}
    for spec in specs:
        item, sep, qty = spec.partition("=")
        if not sep or not item.strip().isdigit():
            raise InvalidInput(f"--line {spec!r}: write ITEM=QUANTITY, e.g. 1=10")
        out[int(item)] = out.get(int(item), 0) + quantity(qty, f"--line {spec}")
    return out


def create_command(
    ctx: typer.Context,
    contract_id: Annotated[str, typer.Argument(metavar="ID", help="Contract id (C-2026-0001).")],
    line: Annotated[
        list[str] | None,
        typer.Option(
            "--line",
            metavar="ITEM=QTY",
            help="Line item number and quantity (repeatable); default: all still open.",
        ),
    ] = None,
    due: Annotated[
        str | None,
        typer.Option("--due", metavar="DATE", help="Delivery due (default: the contract's)."),
    ] = None,
    note: Annotated[str, typer.Option("--note", "-m", help="A note kept with it.")] = "",
) -> None:
    """Create an order (a delivery batch) from a signed contract's line items."""
    from contractctl.dates import parse_date
    from contractctl.orders.orders import create_order

    app = app_context(ctx)
    lines = _lines(line or [])
    day = parse_date(due, what="--due") if due else None
    with app.store().transaction(app.user) as tx:
        order = create_order(tx, contract_id, lines, due=day, note=note)
    if app.json:
        emit_json(order)
        return
    typer.echo(order["id"])
    app.note(
        f"{len(order['lines'])} line(s), {money_text(order['amount'])}, due {order['due'] or '-'}"
    )


def list_command(
    ctx: typer.Context,
    contract_id: Annotated[
        str | None, typer.Argument(metavar="[ID]", help="Only this contract's orders.")
    ] = None,
    state: Annotated[str | None, typer.Option("--state", help="Only orders in this state.")] = None,
) -> None:
    """Orders, by contract and number, with their state, amount and due date."""
    from contractctl.errors import InvalidInput
    from contractctl.orders.orders import list_orders
    from contractctl.store.execution_tables import ORDER_STATES

    app = app_context(ctx)
    if state is not None and state not in ORDER_STATES:
        raise InvalidInput(f"--state: {state!r} is not one of {', '.join(ORDER_STATES)}")
    rows = list_orders(app.store().conn, contract_id, state=state)
    if app.json:
        emit_json(rows)
    elif rows:
        table(
            app,
            ["order", "contract", "state", "due", "amount"],
            [
                (o["id"], o["contract_id"], o["state"], o["due"], money_text(o["amount"]))
                for o in rows
            ],
        )
    else:
        app.note("No orders")


def show_command(ctx: typer.Context, order_id: OrderArg) -> None:
    """An order's lines and every step of its course."""
    from contractctl.orders.orders import order_detail

    app = app_context(ctx)
    order = order_detail(app.store().conn, order_id)
    if app.json:
        emit_json(order)
        return
    app.out.print(
        f"{order['id']}  {order['state']}  {money_text(order['amount'])}  due {order['due'] or '-'}"
    )
    table(
        app,
        ["item", "name", "quantity", "amount"],
        [
            (x["item"], x["name"], f"{x['quantity']} {x['unit']}", money_text(x["amount"]))
            for x in order["lines"]
        ],
        title="lines",
    )
    table(
        app,
        ["state", "on", "by", "note"],
        [(s["state"], s["on"], s["by"], s["note"]) for s in order["steps"]],
        title="steps",
    )


def _step(action: str) -> Callable[..., None]:
    def command(
        ctx: typer.Context,
        order_id: OrderArg,
        on: Annotated[
            str,
            typer.Option("--date", metavar="DATE", help="The day it happened (default: today)."),
        ] = "today",
        note: Annotated[str, typer.Option("--note", "-m", help="A note kept with it.")] = "",
        evidence: Annotated[
            Path | None,
            typer.Option("--evidence", metavar="FILE", help="Proof (delivery note, 验收单 ...)."),
        ] = None,
    ) -> None:
        from contractctl.dates import parse_date
        from contractctl.orders.steps import advance

        app = app_context(ctx)
        day = parse_date(on, what="--date")
        with app.store().transaction(app.user) as tx:
            result = advance(tx, order_id, action, on=day, note=note, evidence=evidence)
        if app.json:
            emit_json(result)
            return
        typer.echo(f"{result['order']['id']} {result['order']['state']}")
        for settled in result["settled"]:
            app.note(f"the contract's obligation {settled} is done")

    command.__doc__ = STEP_HELP[action]
    return command


def register(app: typer.Typer) -> None:
    """Attach `order` to the root app."""
    order_app.command("create")(create_command)
    order_app.command("list")(list_command)
    order_app.command("show")(show_command)
    for action in STEP_HELP:
        order_app.command(action)(_step(action))
    app.add_typer(order_app, name="order")
