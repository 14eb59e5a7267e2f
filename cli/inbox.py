"""`contractctl inbox [--for PERSON]`: what waits for you (approvals, returns, signatures,
obligations), most urgent first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from contractctl.cli.context import app_context
from contractctl.cli.output import emit_json, money_text, table

if TYPE_CHECKING:
    from datetime import date

    from contractctl.records.people import People


def inbox_command(
    ctx: typer.Context,
    person: Annotated[
        str | None,
        typer.Option(
            "--for",
            metavar="PERSON",
            help="Someone else's inbox (for their department head, their delegate while "
            "the delegation runs, and admins).",
        ),
    ] = None,
    within: Annotated[
        str,
        typer.Option(
            "--within",
            metavar="DURATION",
            help="How far ahead obligations are shown: 30d, 2w, 3m (overdue ones always).",
        ),
    ] = "30d",
) -> None:
    """Approvals waiting at your stage (also as a delegate), contracts returned to you,
    signatures due from you, and the obligations you own, with due dates and lateness."""
    from contractctl.dates import local_time_text, local_today, parse_duration_days
    from contractctl.errors import NotAllowed, NotFound
    from contractctl.notify.inbox import inbox
    from contractctl.records.people import load_people

    app = app_context(ctx)
    days = parse_duration_days(within, what="--within")
    store = app.store()
    people = load_people(store.home)
    who = person or app.user
    today = local_today()
    if person is not None and person != app.user:
        if person not in people.by_id:
            raise NotFound(f"no person {person} in people.toml")
        if not _may_see(people, app.user, person, today):
            raise NotAllowed(
                f"{app.user} may not see {person}'s inbox",
                hint="their own, their department head's, their delegate's or an admin's",
            )
    items = inbox(store, people, who, today=today, within_days=days)
    if app.json:
        emit_json({"person": who, "items": [i.to_dict() for i in items]})
        return
    if not items:
        app.note(f"Nothing waits for {who}")
        return
    table(
        app,
        ["due", "late", "kind", "contract", "title", "counterparty", "amount", "what"],
        [
            (
                (local_time_text(i.due) if "T" in i.due else i.due) if i.due else "",
                _late(i.late_hours) if i.overdue else "",
                i.kind,
                i.contract_id,
                i.title,
                i.counterparty or "",
                money_text(i.amount.to_dict()) if i.amount else "",
                i.what
                + (f" (for {i.on_behalf_of})" if i.on_behalf_of else "")
                + (f": {i.comment}" if i.comment else ""),
            )
            for i in items
        ],
        title=f"Inbox of {who}",
    )


def _late(hours: int) -> str:
    days, rest = divmod(hours, 24)
    if days and rest:
        return f"{days}d {rest}h late"
    return f"{days}d late" if days else f"{rest}h late"


def _may_see(people: People, actor: str, person: str, today: date) -> bool:
    target = people.by_id[person]
    if actor in people.admins:
        return True
    if people.heads.get(target.department) == actor:
        return True
    return people.delegate_of(person, today) == actor


def register(app: typer.Typer) -> None:
    """Attach `inbox` to the root app."""
    app.command("inbox")(inbox_command)
