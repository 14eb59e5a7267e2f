"""`contractctl remind [--within 30d] [--fail-on-due]`: what falls due, for people and cron."""

from __future__ import annotations

from typing import Annotated

import typer
from contractctl.cli.context import app_context
from contractctl.cli.output import emit_json, table


def remind_command(
    ctx: typer.Context,
    within: Annotated[
        str,
        typer.Option(
            "--within",
            metavar="DURATION",
            help="How far ahead to look: 30d, 2w, 3m, 1y (overdue items are always shown).",
        ),
    ] = "30d",
    fail_on_due: Annotated[
        bool,
        typer.Option(
            "--fail-on-due", help="Exit 1 when there is anything to remind of (for cron and CI)."
        ),
    ] = False,
    notify: Annotated[
        bool,
        typer.Option(
            "--notify",
            help="Also send the reminders to the people concerned (as `notify` does, once).",
        ),
    ] = False,
) -> None:
    """Contracts expiring, renewal-notice deadlines, payments and other obligations due
    within the window or overdue, and approvals pending past their due time."""
    from contractctl.dates import local_time_text, parse_duration_days
    from contractctl.errors import CheckFailed
    from contractctl.i18n import translate
    from contractctl.obligations.remind import reminders

    app = app_context(ctx)
    days = parse_duration_days(within, what="--within")
    found = reminders(app.store().conn, within_days=days)
    sent = None
    if notify:
        from contractctl.cli.notify import run_notify

        sent = run_notify(app, dry_run=False)
    if app.json and sent is not None:
        emit_json({"reminders": [r.to_dict() for r in found], "notify": sent.to_dict()})
    elif app.json:
        emit_json([r.to_dict() for r in found])
    elif found:
        table(
            app,
            ["due", "in", "kind", "contract", "title", "counterparty", "what"],
            [
                (
                    local_time_text(r.due) if "T" in r.due else r.due,
                    translate(
                        (f"{-r.days}d overdue" if r.days < 0 else "overdue")
                        if r.overdue
                        else ("today" if r.days == 0 else f"{r.days}d")
                    ),
                    translate(r.kind),
                    r.contract_id,
                    r.title,
                    r.counterparty or "",
                    translate(r.what) + (f" ({r.who})" if r.who else ""),
                )
                for r in found
            ],
        )
    else:
        app.note(f"Nothing due within {days} days, and nothing overdue")
    if sent is not None and not app.json:
        from contractctl.cli.notify import show_report

        show_report(app, sent)
    if fail_on_due and found:
        overdue = sum(r.overdue for r in found)
        error = CheckFailed(f"{len(found)} reminders ({overdue} overdue)")
        if app.json:
            raise typer.Exit(error.exit_code)
        raise error


def register(app: typer.Typer) -> None:
    """Attach `remind` to the root app."""
    app.command("remind")(remind_command)
