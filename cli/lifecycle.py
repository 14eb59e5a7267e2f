"""`contractctl revise/withdraw/revoke/activate/terminate/expire/renew`: a contract's
course outside drafting, approval and signing. Each prints the contract's new status
(or, for `revise`, its id and new version) and is refused with exit 3 and one line
when the contract's status or the acting user does not allow it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from contractctl.cli.context import app_context
from contractctl.cli.output import emit_json

if TYPE_CHECKING:
    from contractctl.store import Tx

IdArg = Annotated[str, typer.Argument(metavar="ID", help="Contract id (C-2026-0001).")]
Why = Annotated[str, typer.Option("--message", "-m", help="Why (required; kept in the audit log).")]


def revise_command(
    ctx: typer.Context,
    contract_id: IdArg,
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", help="key=value, e.g. payment_days=45 (repeatable)."),
    ] = None,
    data: Annotated[
        Path | None, typer.Option("--data", help="Changed field values: a TOML or JSON file.")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="An edited document (.docx or .pdf) instead.")
    ] = None,
    message: Annotated[
        str, typer.Option("--message", "-m", help="What changed (kept with the version).")
    ] = "",
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also make the PDF.")] = True,
) -> None:
    """Make a new draft version of a draft or returned contract (the change an approver
    asked for); then `submit` it again."""
    from contractctl.drafting.amend import AmendRequest
    from contractctl.drafting.draft import load_data_file, parse_sets
    from contractctl.drafting.revise import revise

    app = app_context(ctx)
    request = AmendRequest(
        reason=message or "revised",
        data=load_data_file(data) if data else {},
        sets=parse_sets(sets or []),
        file=file,
        pdf=pdf,
    )
    result = revise(app.store(), app.user, contract_id, request)
    if app.json:
        emit_json(result.to_dict())
        return
    typer.echo(f"{result.contract.id} v{result.version}")
    app.note(
        f"Revision v{result.version} of {result.contract.id} (from v{result.parent}): "
        f"{result.changes} clause(s) changed"
    )
    app.note(f"Submit it again with: contractctl submit {result.contract.id}")


def withdraw_command(ctx: typer.Context, contract_id: IdArg, message: Why = "") -> None:
    """Withdraw a draft, in-review or returned contract (its route is closed); an
    amendment withdrawn leaves the contract as it was."""
    from contractctl.drafting.revise import withdraw

    _move(ctx, contract_id, lambda tx: withdraw(tx, contract_id, message))


def revoke_command(ctx: typer.Context, contract_id: IdArg, message: Why = "") -> None:
    """Take back your approval (give --as) before the next stage decides or anyone signs."""
    from contractctl.approval.revoke import revoke

    app = app_context(ctx)
    store = app.store()
    with store.transaction(app.user) as tx:
        view = revoke(tx, contract_id, message)
    status = store.conn.execute(
        "SELECT status FROM contracts WHERE id = ?", (contract_id.strip().upper(),)
    ).fetchone()[0]
    if app.json:
        emit_json({**view, "status": status})
        return
    typer.echo(status)
    pending = [s for s in view["stages"] if s["state"] == "pending"]
    if pending:
        who = ", ".join(a["person"] for a in pending[0]["approvers"] if a["state"] == "pending")
        app.note(f"Stage {pending[0]['n']} ({pending[0]['name']}) is open again: {who}")


def activate_command(ctx: typer.Context, contract_id: IdArg) -> None:
    """A signed contract takes effect: signed -> active."""
    from contractctl.records.actions import activate

    _move(ctx, contract_id, lambda tx: activate(tx, contract_id))


def terminate_command(
    ctx: typer.Context,
    contract_id: IdArg,
    reason: Annotated[str, typer.Option("--reason", help="Why it ends (required).")] = "",
    on: Annotated[
        str, typer.Option("--date", metavar="DATE", help="The day it ends (default: today).")
    ] = "today",
) -> None:
    """End a signed or active contract early; open obligations after that day are cancelled."""
    from contractctl.dates import parse_date
    from contractctl.records.actions import terminate

    day = parse_date(on, what="--date")
    _move(ctx, contract_id, lambda tx: terminate(tx, contract_id, reason, day))


def expire_command(
    ctx: typer.Context,
    contract_ids: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ID]...", help="Contracts to expire (default: every one whose end passed)."
        ),
    ] = None,
) -> None:
    """Mark contracts whose end date has passed as expired (without ids: all of them, for
    cron); prints each id expired."""
    from datetime import date

    from contractctl.records.actions import expire, expire_due

    app = app_context(ctx)
    store = app.store()
    today = date.today()
    with store.transaction(app.user) as tx:
        if contract_ids:
            done = []
            for contract_id in contract_ids:
                expire(tx, contract_id, today)
                done.append(contract_id.strip().upper())
        else:
            done = expire_due(tx, today)
    if app.json:
        emit_json({"expired": done})
        return
    for contract_id in done:
        typer.echo(contract_id)
    app.note(f"{len(done)} contract{'s' if len(done) != 1 else ''} expired")


def renew_command(
    ctx: typer.Context,
    contract_id: IdArg,
    until: Annotated[str, typer.Option("--until", metavar="DATE", help="The new end date.")],
    message: Annotated[str, typer.Option("--message", "-m", help="Why (optional).")] = "",
) -> None:
    """Extend a signed, active or expired contract's term to a new end date (same wording;
    changed terms are an `amend`)."""
    from contractctl.dates import parse_date
    from contractctl.records.actions import renew

    app = app_context(ctx)
    day = parse_date(until, what="--until")
    store = app.store()
    with store.transaction(app.user) as tx:
        result = renew(tx, contract_id, day, message)
    if app.json:
        emit_json(result)
        return
    typer.echo(result["status"])
    app.note(f"{result['id']} now ends on {result['end_date']} (was {result['was'] or 'open'})")


def _move(ctx: typer.Context, contract_id: str, action: Callable[[Tx], str]) -> None:
    """Run one lifecycle move in a transaction; print the new status (JSON: id, status)."""
    app = app_context(ctx)
    store = app.store()
    with store.transaction(app.user) as tx:
        status = action(tx)
    if app.json:
        emit_json({"id": contract_id.strip().upper(), "status": status})
        return
    typer.echo(status)


def register(app: typer.Typer) -> None:
    """Attach the lifecycle verbs to the root app."""
    app.command("revise")(revise_command)
    app.command("withdraw")(withdraw_command)
    app.command("revoke")(revoke_command)
    app.command("activate")(activate_command)
    app.command("terminate")(terminate_command)
    app.command("expire")(expire_command)
    app.command("renew")(renew_command)
