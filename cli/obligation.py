"""`contractctl obligation list/add/done/waive` and `close`: what a contract obliges each
side to do after signing, and closing it once everything is performed (履行完毕).

Exit codes: 0 done; 2 bad input (a date, an amount, a kind, a missing file or an unknown
id); 3 refused (already done, the contract not in force, a payment still unpaid, not
yours to record, something still open at `close`); 4 store problems.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from contractctl.cli.context import app_context
from contractctl.cli.output import emit_json, money_text, table

obligation_app = typer.Typer(
    help="Obligations after signing: list, add, mark done (with evidence), waive.",
    no_args_is_help=True,
)

IdArg = Annotated[str, typer.Argument(metavar="ID", help="Contract id (C-2026-0001).")]
NumberArg = Annotated[int, typer.Argument(metavar="N", help="Obligation number (from list).")]
DateOpt = Annotated[
    str, typer.Option("--date", metavar="DATE", help="The day it happened (default: today).")
]


def _when(o: dict[str, Any]) -> str:
    if o["due"]:
        return str(o["due"])
    after = f"after {o['after']}" if o["after"] else ""
    return f"{after} (~{o['expected']})" if o["expected"] else after


def _amount(o: dict[str, Any]) -> str:
    if not o["amount"]:
        return ""
    paid = o.get("paid")
    if paid and paid["minor"] and paid["minor"] < o["amount"]["minor"]:
        return f"{money_text(paid)} of {money_text(o['amount'])}"
    return money_text(o["amount"])


def print_obligations(app: Any, rows: list[dict[str, Any]], *, title: str | None = None) -> None:
    """The obligations table `obligation list` and `show` print."""
    table(
        app,
        ["#", "contract", "due", "kind", "by", "status", "amount", "owner", "what"],
        [
            (
                o["id"],
                o["contract_id"],
                _when(o),
                o["kind"],
                o["party"],
                o["status"] + (f" {o['done_on']}" if o["done_on"] else ""),
                _amount(o),
                o["owner"] or "",
                o["description"],
            )
            for o in rows
        ],
        title=title,
    )


def list_command(
    ctx: typer.Context,
    contract_id: Annotated[
        str | None, typer.Argument(metavar="[ID]", help="Only this contract's obligations.")
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="open, waiting, due, overdue, done, waived or cancelled (open: every open one).",
        ),
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", metavar="PERSON", help="Only this owner's.")
    ] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Only yours (the --as user).")] = False,
) -> None:
    """Obligations by due date, with their computed status (waiting for an event, due
    within 7 days, overdue) and what has been paid of a payment."""
    from contractctl.errors import InvalidInput
    from contractctl.obligations.ledger import list_obligations

    app = app_context(ctx)
    known = ("open", "waiting", "due", "overdue", "done", "waived", "cancelled")
    if status is not None and status not in known:
        raise InvalidInput(f"--status: {status!r} is not one of {', '.join(known)}")
    store = app.store()
    cid = contract_id.strip().upper() if contract_id else None
    if cid:
        from contractctl.records.contracts import get_contract

        get_contract(store.conn, cid)  # an unknown id is exit 2, not an empty list
    rows = list_obligations(store.conn, cid, status=status, owner=app.user if mine else owner)
    if app.json:
        emit_json(rows)
    elif rows:
        print_obligations(app, rows)
    else:
        app.note("No obligations" + (f" of {cid}" if cid else ""))


def add_command(
    ctx: typer.Context,
    contract_id: IdArg,
    what: Annotated[str, typer.Option("--what", help="What must be done (required).")] = "",
    due: Annotated[str, typer.Option("--due", metavar="DATE", help="Due date (required).")] = "",
    kind: Annotated[str, typer.Option("--kind", help="payment, delivery, other ...")] = "other",
    by: Annotated[
        str, typer.Option("--by", help="Who must perform: company or counterparty.")
    ] = "company",
    amount: Annotated[
        str | None, typer.Option("--amount", help="For a payment: the amount (¥12,000.00).")
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", metavar="PERSON", help="Who follows it up.")
    ] = None,
) -> None:
    """Add an obligation by hand (a promise made outside the template's milestones)."""
    from contractctl.dates import parse_date
    from contractctl.errors import InvalidInput
    from contractctl.money import parse_money
    from contractctl.obligations.ledger import add_obligation, list_obligations

    app = app_context(ctx)
    if not due:
        raise InvalidInput("--due: give the due date")
    day = parse_date(due, what="--due")
    store = app.store()
    currency = store.conn.execute(
        "SELECT currency FROM contracts WHERE id = ?", (contract_id.strip().upper(),)
    ).fetchone()
    money = parse_money(amount, (currency and currency[0]) or "CNY") if amount else None
    with store.transaction(app.user) as tx:
        new_id = add_obligation(
            tx,
            contract_id,
            kind=kind,
            due=day,
            description=what,
            amount=money,
            owner=owner,
            party=by,
        )
    listed = list_obligations(store.conn, contract_id.strip().upper())
    row = next(o for o in listed if o["id"] == new_id)
    if app.json:
        emit_json(row)
        return
    typer.echo(str(new_id))
    app.note(f"Obligation {new_id} of {row['contract_id']}: {row['description']}, due {row['due']}")


def done_command(
    ctx: typer.Context,
    number: NumberArg,
    on: DateOpt = "today",
    evidence: Annotated[
        Path | None,
        typer.Option("--evidence", metavar="FILE", help="Proof (验收单, delivery note ...)."),
    ] = None,
    note: Annotated[str, typer.Option("--note", "-m", help="A note kept with it.")] = "",
    force: Annotated[
        bool, typer.Option("--force", help="A payment settled outside `payment add`.")
    ] = False,
) -> None:
    """Mark an obligation done (who: the --as user; when: --date); obligations waiting
    for it (acceptance after delivery) fall due from that day."""
    from contractctl.dates import parse_date
    from contractctl.obligations.ledger import done_view, mark_done

    app = app_context(ctx)
    day = parse_date(on, what="--date")
    store = app.store()
    with store.transaction(app.user) as tx:
        fell = mark_done(tx, number, on=day, note=note, evidence=evidence, force=force)
    _report(app, done_view(store.conn, number, fell).to_dict(), "done")


def waive_command(
    ctx: typer.Context,
    number: NumberArg,
    reason: Annotated[str, typer.Option("--reason", "-m", help="Why (required).")] = "",
    on: DateOpt = "today",
) -> None:
    """Waive an obligation (it need not be performed); the contract's keepers only."""
    from contractctl.dates import parse_date
    from contractctl.obligations.ledger import done_view, waive

    app = app_context(ctx)
    day = parse_date(on, what="--date")
    store = app.store()
    with store.transaction(app.user) as tx:
        fell = waive(tx, number, reason=reason, on=day)
    _report(app, done_view(store.conn, number, fell).to_dict(), "waived")


def _report(app: Any, view: dict[str, Any], word: str) -> None:
    if app.json:
        emit_json(view)
        return
    one = view["obligation"]
    typer.echo(f"{one['id']} {word}")
    for o in view["fell_due"]:
        app.note(f"now due: obligation {o['id']} {o['description']} on {o['due']}")


def close_command(
    ctx: typer.Context,
    contract_id: IdArg,
    note: Annotated[str, typer.Option("--note", "-m", help="A note for the audit log.")] = "",
) -> None:
    """Close a contract whose obligations are all done or waived and whose orders are
    closed: its status becomes completed (履行完毕)."""
    from contractctl.obligations.completion import close

    app = app_context(ctx)
    with app.store().transaction(app.user) as tx:
        result = close(tx, contract_id, note=note)
    if app.json:
        emit_json(result)
        return
    typer.echo(result["status"])
    app.note(f"{result['id']} is performed (履行完毕): {result['obligations']} obligations settled")


def register(app: typer.Typer) -> None:
    """Attach `obligation` and `close` to the root app."""
    obligation_app.command("list")(list_command)
    obligation_app.command("add")(add_command)
    obligation_app.command("done")(done_command)
    obligation_app.command("waive")(waive_command)
    app.add_typer(obligation_app, name="obligation")
    app.command("close")(close_command)


def print_after_signing(app: Any, d: dict[str, Any]) -> None:
    """`show`'s part after the signature: progress, obligations, orders, payments, files."""
    from contractctl.obligations.progress import progress_line

    line = progress_line(d["execution"])
    if line:
        app.out.print(f"execution: {line}")
    print_obligations(app, d["obligations"], title="obligations")
    if d["orders"]:
        table(
            app,
            ["order", "state", "due", "amount"],
            [(o["id"], o["state"], o["due"], money_text(o["amount"])) for o in d["orders"]],
            title="orders",
        )
    if d["payments"]:
        table(
            app,
            ["#", "paid on", "direction", "amount", "reference"],
            [
                (p["id"], p["paid_on"], p["direction"], money_text(p["amount"]), p["reference"])
                for p in d["payments"]
            ],
            title="payments",
        )
    if d["attachments"]:
        table(
            app,
            ["#", "kind", "name", "for", "added by", "file"],
            [
                (
                    a["id"],
                    a["kind"],
                    a["name"],
                    f"obligation {a['obligation']}"
                    if a["obligation"]
                    else (f"payment {a['payment']}" if a["payment"] else (a["order"] or "")),
                    a["added_by"],
                    a["path"],
                )
                for a in d["attachments"]
            ],
            title="attachments",
        )
