"""`contractctl attach ID FILE --kind invoice|receipt|delivery-note|acceptance|other`:
evidence of performance kept with the contract (listed by `show`, carried by the archive
bundle). Exit codes: 0 kept; 2 a missing or empty file, an unknown kind or id; 3 not
yours to attach; 4 store problems."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from contractctl.cli.context import app_context
from contractctl.cli.output import emit_json


def attach_command(
    ctx: typer.Context,
    contract_id: Annotated[str, typer.Argument(metavar="ID", help="Contract id (C-2026-0001).")],
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The file to keep.")],
    kind: Annotated[
        str,
        typer.Option("--kind", help="invoice, receipt, delivery-note, acceptance or other."),
    ] = "other",
    obligation: Annotated[
        int | None, typer.Option("--obligation", metavar="N", help="The obligation it proves.")
    ] = None,
    order: Annotated[
        str | None, typer.Option("--order", metavar="ORDER", help="The order it belongs to.")
    ] = None,
    note: Annotated[str, typer.Option("--note", "-m", help="A note kept with it.")] = "",
) -> None:
    """Keep an invoice, receipt (付款凭证), delivery note or 验收单 with a contract."""
    from contractctl.obligations.attachments import attach

    app = app_context(ctx)
    with app.store().transaction(app.user) as tx:
        added = attach(
            tx,
            contract_id,
            file,
            kind=kind,
            obligation_id=obligation,
            order_id=order.strip().upper() if order else None,
            note=note,
        )
    if app.json:
        emit_json(added)
        return
    typer.echo(str(added["id"]))
    app.note(f"{added['kind']} {added['name']} kept with {added['contract_id']}: {added['path']}")


def register(app: typer.Typer) -> None:
    """Attach `attach` to the root app."""
    app.command("attach")(attach_command)
