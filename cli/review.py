"""`review ID`: go through what an import flagged, one value at a time."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from contractctl.cli.context import app_context
from contractctl.cli.output import emit_json, table

_ASK = "Enter confirms; type a new value, 'none' to clear, 's' to skip, 'q' to stop"


def review_command(
    ctx: typer.Context,
    contract_id: Annotated[str, typer.Argument(metavar="ID", help="An imported contract.")],
    ask: Annotated[
        bool | None,
        typer.Option(
            "--ask/--no-ask",
            help="Ask about each flagged value (default: when stdin is a terminal).",
        ),
    ] = None,
) -> None:
    """Review an import: each flagged value with its confidence, source and reason; confirm,
    correct or clear it (the same as `edit --set`)."""
    from contractctl.importer.edit import pending_review
    from contractctl.importer.review import to_review

    app = app_context(ctx)
    store = app.store()
    items = to_review(store.conn, contract_id)
    if app.json:
        emit_json(items)
        return
    if not items:
        app.note(f"{contract_id}: nothing to review")
        return
    if not (ask if ask is not None else sys.stdin.isatty()):
        _table(app, items)
        return
    for item in items:
        app.out.print(f"\n{item['field']}: {item['shown']}  (confidence {item['confidence']:.2f})")
        app.out.print(f"  why: {item['reason']}")
        if item["source"]:
            app.out.print(f"  text: {' '.join(item['source'].split())}")
        if item["edit"] is None:
            app.out.print("  (settled by correcting the fields it comes from)")
            continue
        if _ask(app, store, contract_id, item["edit"]) == "q":
            break
    pending = pending_review(store.conn, contract_id)
    left = f"still to review: {', '.join(pending)}" if pending else "reviewed"
    app.note(f"{contract_id}: {left}")


def _ask(app: Any, store: Any, contract_id: str, field: str) -> str:
    """Ask until the answer is taken, skipped or the review stopped; returns the answer."""
    from contractctl.errors import ContractctlError
    from contractctl.importer.edit import edit

    while True:
        answer = str(typer.prompt(_ASK, default="", show_default=False)).strip()
        if answer.lower() in ("q", "s"):
            return answer.lower()
        try:
            with store.transaction(app.user) as tx:
                edit(tx, contract_id, {field: answer or "confirm"})
        except ContractctlError as exc:
            app.out.print(f"  not changed: {exc.message}")
            continue
        return answer


def _table(app: Any, items: list[dict[str, Any]]) -> None:
    table(
        app,
        ["field", "value", "conf", "why", "from the text"],
        [
            (
                x["field"],
                x["shown"],
                f"{x['confidence']:.2f}",
                x["reason"],
                " ".join(x["source"].split())[:70],
            )
            for x in items
        ],
        title="to review",
    )


def register(app: typer.Typer) -> None:
    """Add review to the root command."""
    app.command("review")(review_command)
