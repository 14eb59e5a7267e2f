"""`contractctl payment add/list/balance`: money paid under a contract, and what is owed.

Exit codes: 0 done; 2 bad input (amount, currency, date, file, unknown id); 3 refused
(over-payment without --force, more than the named obligation has open, a contract
that is not signed or carries no money, not finance); 4 store problems.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from contractctl.cli.context import app_context
from contractctl.cli.output import emit_json, money_text, table

payment_app = typer.Typer(
    help="Payments under contracts: record one, list them, balances.", no_args_is_help=True
)

IdArg = Annotated[str, typer.Argument(metavar="ID", help="Contract id (C-2026-0001).")]


def add_command(
    ctx: typer.Context,
    contract_id: IdArg,
    amount: Annotated[
        str, typer.Option("--amount", help="The amount paid (12000, ¥12,000.00, USD 500).")
    ] = "",
    on: Annotated[
        str, typer.Option("--date", metavar="DATE", help="The day it was paid (default: today).")
    ] = "today",
    obligation: Annotated[
        int | None,
        typer.Option("--obligation", metavar="N", help="The obligation it pays (first)."),
    ] = None,
    reference: Annotated[
        str, typer.Option("--reference", help="Bank reference or voucher number.")
    ] = "",
    evidence: Annotated[
        Path | None,
        typer.Option("--evidence", metavar="FILE", help="The receipt (付款凭证), kept."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Record it even when it over-pays.")
    ] = False,
) -> None:
    """Record a payment (incoming or outgoing by the contract's direction); it settles
    the contract's payment obligations, earliest first."""
    from contractctl.dates import parse_date
    from contractctl.errors import InvalidInput
    from contractctl.money import parse_money
    from contractctl.obligations.payments import add_payment

    app = app_context(ctx)
    if not amount:
        raise InvalidInput("--amount: give the amount paid")
    day = parse_date(on, what="--date")
    store = app.store()
    row = store.conn.execute(
        "SELECT currency FROM contracts WHERE id = ?", (contract_id.strip().upper(),)
    ).fetchone()
    money = parse_money(amount, (row and row[0]) or "CNY")
    with store.transaction(app.user) as tx:
        result = add_payment(
            tx,
            contract_id.strip().upper(),
            money,
            day,
            obligation_id=obligation,
            reference=reference,
            evidence=evidence,
            force=force,
        )
    if app.json:
        emit_json(result)
        return
    typer.echo(str(result["id"]))
    for part in result["allocations"]:
        settled = " (settled)" if part["obligation"] in result["completed"] else ""
        app.note(f"  {money_text(part['amount'])} to obligation {part['obligation']}{settled}")
    if result["balance"]:
        app.note(
            f"{result['contract_id']}: paid {money_text(result['balance']['paid'])} of "
            f"{money_text(result['balance']['price'])}, outstanding "
            f"{money_text(result['balance']['outstanding'])}"
        )


def list_command(ctx: typer.Context, contract_id: IdArg) -> None:
    """A contract's payments, oldest first, with the obligations each settled."""
    from contractctl.obligations.payments import payments_view
    from contractctl.records.contracts import get_contract

    app = app_context(ctx)
    store = app.store()
    contract = get_contract(store.conn, contract_id)
    rows = payments_view(store.conn, contract.id)
    if app.json:
        emit_json(rows)
    elif rows:
        table(
            app,
            ["#", "paid on", "direction", "amount", "to obligations", "reference", "by"],
            [
                (
                    p["id"],
                    p["paid_on"],
                    p["direction"],
                    money_text(p["amount"]) + (" (forced)" if p["forced"] else ""),
                    ", ".join(str(a["obligation"]) for a in p["allocations"]),
                    p["reference"],
                    p["recorded_by"],
                )
                for p in rows
            ],
        )
    else:
        app.note(f"No payments on {contract.id}")


def balance_command(
    ctx: typer.Context,
    contract_id: Annotated[
        str | None, typer.Argument(metavar="[ID]", help="One contract's balance.")
    ] = None,
    party: Annotated[
        str | None,
        typer.Option("--party", metavar="PARTY", help="Only this counterparty (P-0001)."),
    ] = None,
) -> None:
    """What is owed: one contract's price, paid and outstanding; without ID, per
    counterparty, direction and currency (never added across currencies)."""
    from contractctl.errors import NotAllowed
    from contractctl.obligations.payments import contract_balance, counterparty_balances
    from contractctl.records.contracts import get_contract

    app = app_context(ctx)
    store = app.store()
    if contract_id:
        contract = get_contract(store.conn, contract_id)
        balance = contract_balance(store.conn, contract)
        if balance is None:
            raise NotAllowed(f"{contract.id} has no price: there is no balance")
        if app.json:
            emit_json({"contract_id": contract.id, **balance})
            return
        _print_balances(app, [{"name": contract.id, "contracts": 1, **_as_party(balance)}])
        return
    rows = counterparty_balances(store.conn, party)
    if app.json:
        emit_json(rows)
    elif rows:
        _print_balances(app, rows)
    else:
        app.note("No signed contracts with a price")


def _as_party(balance: dict[str, Any]) -> dict[str, Any]:
    return {
        "direction": balance["direction"],
        "contracted": balance["price"],
        "paid": balance["paid"],
        "outstanding": balance["outstanding"],
    }


def _print_balances(app: Any, rows: list[dict[str, Any]]) -> None:
    table(
        app,
        ["counterparty", "direction", "contracts", "contracted", "paid", "outstanding"],
        [
            (
                r["name"] or "",
                r["direction"],
                r["contracts"],
                money_text(r["contracted"]),
                money_text(r["paid"]),
                money_text(r["outstanding"]),
            )
            for r in rows
        ],
        justify_right=("contracted", "paid", "outstanding"),
    )


def register(app: typer.Typer) -> None:
    """Attach `payment` to the root app."""
    payment_app.command("add")(add_command)
    payment_app.command("list")(list_command)
    payment_app.command("balance")(balance_command)
    app.add_typer(payment_app, name="payment")
