"""`contractctl notify [--dry-run] [--fail-on-error]`: for cron. Sends each person what is
new or due since the last run, by e-mail and the robots people.toml and notify.toml name;
never the same thing twice."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from contractctl.cli.context import app_context
from contractctl.cli.output import emit_json, table

if TYPE_CHECKING:
    from contractctl.cli.context import AppContext


def notify_command(
    ctx: typer.Context,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print what would be sent; send and record nothing."),
    ] = False,
    fail_on_error: Annotated[
        bool,
        typer.Option(
            "--fail-on-error",
            help="Exit 1 when a message failed in this run (it is still retried later).",
        ),
    ] = False,
) -> None:
    """Send approvals waiting, reminders and escalations of overdue ones, what happened
    to contracts (submitted, approved, returned, rejected, signed) and obligations coming
    due, to each person's e-mail, 钉钉, 企业微信 or 飞书, once; retry failures with backoff."""
    from contractctl.errors import CheckFailed

    app = app_context(ctx)
    report = run_notify(app, dry_run=dry_run)
    if app.json:
        emit_json(report.to_dict())
    else:
        show_report(app, report)
    if fail_on_error and report.errors:
        error = CheckFailed(
            f"{report.errors} notifications failed ({len(report.retrying)} to be retried)"
        )
        if app.json:
            raise typer.Exit(error.exit_code)
        raise error


def run_notify(app: AppContext, *, dry_run: bool) -> Any:
    """One notify run (a RunReport); shared by `notify` and `remind --notify`."""
    from contractctl.notify.deliver import run
    from contractctl.notify.settings import load_settings
    from contractctl.records.people import load_people

    store = app.store()
    people = load_people(store.home)
    calendar, currency = _calendar(store.home)
    settings = load_settings(store.home, currency)
    return run(store, people, settings, calendar, dry_run=dry_run)


def _calendar(home: Any) -> tuple[Any, str]:
    """The approval rules' business-day calendar (holidays, 调休) and home currency."""
    from contractctl.approval.business_days import Calendar
    from contractctl.approval.route_rules import load_rules

    path = home / "rules" / "approval.toml"
    if not path.exists():
        return Calendar(), "CNY"
    rules = load_rules(path, display="rules/approval.toml")
    return rules.calendar, rules.default_currency


def show_report(app: AppContext, report: Any) -> None:
    """A run's messages as a table on stdout, and a one-line summary on stderr."""
    if report.dry_run:
        rows = [(r["recipient"], r["channel"], r["subject"]) for r in report.new]
        if rows:
            table(app, ["to", "channel", "message"], rows, title="Would send")
        app.note(f"Dry run: {len(rows)} new messages; nothing sent or recorded")
        return
    done = [("sent", r) for r in report.sent] + [("failed", r) for r in report.failed]
    done += [("retry", r) for r in report.retrying]
    if done:
        table(
            app,
            ["outcome", "to", "channel", "message", "detail"],
            [(s, r["recipient"], r["channel"], r["subject"], r["outcome"]) for s, r in done],
        )
    parts = [f"{len(report.sent)} sent"]
    if report.failed:
        parts.append(f"{len(report.failed)} failed")
    if report.retrying:
        parts.append(f"{len(report.retrying)} to retry")
    if report.deferred:
        parts.append(f"{report.deferred} held back by rate limits")
    if report.held:
        parts.append(f"{report.held} waiting for the digest")
    if report.quiet_until:
        from contractctl.dates import local_time_text

        parts.append(f"quiet hours until {local_time_text(report.quiet_until)}")
    app.note(", ".join(parts))
    if report.unreachable:
        app.note(f"No channel for: {', '.join(report.unreachable)} (add email or a robot)")


def register(app: typer.Typer) -> None:
    """Attach `notify` to the root app."""
    app.command("notify")(notify_command)
