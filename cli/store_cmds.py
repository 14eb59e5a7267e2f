"""`contractctl init`, `doctor`, `audit` and `demo`: the store and its health."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from contractctl.cli.context import AppContext, app_context
from contractctl.cli.output import emit_json, table

if TYPE_CHECKING:
    from contractctl.store import Store
    from contractctl.store.fsck import FsckReport


def init_command(ctx: typer.Context) -> None:
    """Create a store, or upgrade an older one; never overwrites edited files."""
    from contractctl.bootstrap import initialise

    app = app_context(ctx)
    report = initialise(app.home, app.user)
    if app.json:
        emit_json(report.to_dict())
        return
    typer.echo(str(report.home))
    if report.registered:
        app.note(f"Registered templates: {', '.join(report.registered)}")
    if report.schema_before == 0:
        app.note(f"Created a store at {report.home} (schema version {report.schema_after})")
    elif report.schema_before != report.schema_after:
        app.note(f"Upgraded the store from schema {report.schema_before} to {report.schema_after}")
    else:
        app.note(
            f"The store at {report.home} is up to date; kept {len(report.kept)} files as they are"
        )


def doctor_command(ctx: typer.Context) -> None:
    """Check external tools (soffice, tesseract + languages, pdftoppm, fonts) and the store."""
    from contractctl.doctor import run_checks
    from contractctl.errors import EnvironmentProblem

    app = app_context(ctx)
    checks = run_checks(app.home)
    failed = [c for c in checks if c.required and not c.ok]
    if app.json:
        emit_json({"ok": not failed, "checks": [c.to_dict() for c in checks]})
    else:
        table(
            app,
            ["check", "status", "found", "needed for"],
            [
                (
                    c.name,
                    "ok" if c.ok else ("MISSING" if c.required else "optional, missing"),
                    c.detail,
                    c.used_for,
                )
                for c in checks
            ],
        )
        for check in checks:
            if not check.ok and check.hint:
                app.err.print(f"{check.name}: {check.hint}")
    if failed:
        names = ", ".join(c.name for c in failed)
        error = EnvironmentProblem(f"doctor found problems: {names}")
        if app.json:  # the report is already on stdout; only the exit code remains
            raise typer.Exit(error.exit_code)
        raise error


def audit_command(
    ctx: typer.Context,
    target: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID|verify|anchor]",
            help="A contract or party id (or another subject such as key:org or "
            "purchase-zh@2) to show its events, 'verify' to check the chain, or 'anchor' "
            "to sign its head with the organisation key.",
        ),
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Only the last N events.")] = None,
    to: Annotated[
        Path | None,
        typer.Option("--to", metavar="FILE", help="anchor: also write the anchor to FILE."),
    ] = None,
    key: Annotated[
        str, typer.Option("--key", metavar="NAME", help="anchor: the identity that signs it.")
    ] = "org",
    anchor: Annotated[
        Path | None,
        typer.Option(
            "--anchor", metavar="FILE", help="verify: also hold the chain to this exported anchor."
        ),
    ] = None,
) -> None:
    """Show the audit log; `audit verify` recomputes its keyed hash chain and holds it to
    the latest anchor (exit 1 if broken); `audit anchor [--to FILE]` signs its head."""
    app = app_context(ctx)
    if target == "verify":
        _audit_verify(app, anchor)
        return
    if target == "anchor":
        _audit_anchor(app, key, to)
        return
    from contractctl.dates import local_time_text
    from contractctl.errors import NotFound
    from contractctl.store import audit

    store = app.store()
    subject = None
    if target:
        subject = target.strip()
        upper = subject.upper()
        if store.conn.execute(
            "SELECT 1 FROM contracts WHERE id = ? UNION SELECT 1 FROM parties WHERE id = ?",
            (upper, upper),
        ).fetchone():
            subject = upper
        elif not store.conn.execute(
            "SELECT 1 FROM events WHERE subject = ? LIMIT 1", (subject,)
        ).fetchone():
            raise NotFound(f"no contract, party or other subject {target!r} in the audit log")
    events = audit.events(store.conn, subject, limit)
    if app.json:
        emit_json([e.to_dict() for e in events])
        return
    table(
        app,
        ["#", "at", "actor", "action", "subject", "hash"],
        [
            (e.seq, local_time_text(e.at), e.actor, e.action, e.subject or "", e.hash[:12])
            for e in events
        ],
    )


def _audit_anchor(app: AppContext, key: str, to: Path | None) -> None:
    from contractctl.cli.keys import passphrase

    from contractctl.signing.anchor import make_anchor
    from contractctl.signing.keys import get_identity

    store = app.store()
    get_identity(store.home, key)  # an unknown key is reported before any prompt
    made = make_anchor(store, app.user, key=key, passphrase=passphrase(confirm=False), to=to)
    if app.json:
        emit_json(made)
        return
    typer.echo(made["sha256"])
    app.note(f"Anchored event {made['seq']} ({made['hash'][:12]}), signed with {key}")
    if to is not None:
        app.note(f"Anchor written to {to}: keep it outside this machine")


def _audit_verify(app: AppContext, exported: Path | None = None) -> None:
    from contractctl.errors import CheckFailed
    from contractctl.signing.anchor import check_anchor, latest_anchors, read_anchor_file
    from contractctl.store import audit

    store = app.store()
    report = audit.verify(store.conn)
    anchors = latest_anchors(store)
    if exported is not None:
        anchors.append((str(exported), read_anchor_file(exported)))
    if report.ok:
        for label, data in anchors:
            problem = check_anchor(store, data)
            if problem is not None:
                report = audit.ChainReport(report.checked, None, f"{label}: {problem}")
                break
    if report.ok:
        from contractctl.approval.signed_decisions import check_log

        unsigned = check_log(store)  # signed approval decisions hold with their keys
        if unsigned:
            report = audit.ChainReport(report.checked, None, "; ".join(unsigned[:5]))
    if app.json:
        emit_json({**report.to_dict(), "anchors": len(anchors)})
    elif report.ok:
        held = f", held to {len(anchors)} anchor(s)" if anchors else ", no anchor yet"
        typer.echo(f"ok: {report.checked} events, hash chain intact{held}")
    if not report.ok:
        error = CheckFailed(f"audit chain broken: {report.reason}")
        if app.json:
            raise typer.Exit(error.exit_code)
        raise error


def fsck_command(
    ctx: typer.Context,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="First store again each missing object whose imported original is still "
            "at its recorded path with the same SHA-256; report the rest.",
        ),
    ] = False,
) -> None:
    """Check the store read-only: database, every stored file against its SHA-256, and
    the audit chain. Exit 1 if anything is missing, damaged or falsified."""
    from contractctl.errors import CheckFailed
    from contractctl.store.fsck import fsck

    app = app_context(ctx)
    store = app.store()
    repaired = None
    if repair:
        from contractctl.store.repair import repair as repair_store

        repaired = repair_store(store, app.user)
    report = fsck(store)
    _hold_to_anchors(store, report)
    if app.json:
        data = report.to_dict()
        if repaired is not None:
            data["repair"] = repaired.to_dict()
        emit_json(data)
    else:
        for line in repaired.restored if repaired else []:
            app.note(f"repaired: {line}")
        for line in repaired.unrestorable if repaired else []:
            app.err.print(f"not repaired: {line}", markup=False, highlight=False)
        for warning in report.warnings:
            app.note(f"warning: {warning}")
        for problem in report.problems:
            app.err.print(f"problem: {problem}", markup=False, highlight=False)
        checked = report.checked
        summary = (
            f"{checked.get('objects', 0)} files, {checked.get('references', 0)} references, "
            f"{checked.get('events', 0)} audit events"
        )
        if report.ok:
            typer.echo(
                f"ok: {summary} checked"
                + (f"; {len(report.warnings)} warnings" if report.warnings else "")
            )
    if not report.ok:
        error = CheckFailed(f"fsck found {len(report.problems)} problems in {store.home}")
        if app.json:
            raise typer.Exit(error.exit_code)
        raise error


def _hold_to_anchors(store: Store, report: FsckReport) -> None:
    """fsck holds the chain to the latest signed anchors too, as `audit verify` does (the
    anchors are the signing stage's; fsck itself is the store's)."""
    from contractctl.signing.anchor import check_anchor, latest_anchors

    if any(p.startswith("audit chain broken") for p in report.problems):
        return
    for label, data in latest_anchors(store):
        problem = check_anchor(store, data)
        if problem is not None:
            report.problems.append(f"audit chain broken: {label}: {problem}")
            return


def backup_command(
    ctx: typer.Context,
    dest: Annotated[
        Path,
        typer.Argument(metavar="DEST", help="A new folder for the backup (never overwritten)."),
    ],
) -> None:
    """Back up the store to a new folder: a consistent snapshot of the database (writers
    carry on), every file it refers to (each hashed on the way), config, rules,
    templates and keys. `contractctl --home DEST fsck` checks a backup."""
    from contractctl.cli.progress import progress_bar

    from contractctl.store.backup import backup

    app = app_context(ctx)
    store = app.store()
    with progress_bar(app) as progress:
        report = backup(store, dest, progress=progress)
    if app.json:
        emit_json(report.to_dict())
        return
    typer.echo(str(report.path))
    app.note(
        f"Backed up {report.contracts} contracts, {report.objects} files "
        f"({report.bytes / 1e6:.1f} MB), {report.events} audit events to {report.path}"
    )


def restore_command(
    ctx: typer.Context,
    source: Annotated[
        Path, typer.Argument(metavar="SRC", help="A folder written by `contractctl backup`.")
    ],
) -> None:
    """Restore a backup into the --home folder, which must hold no store; then check it
    as fsck does (exit 1 if the restored store has problems)."""
    from contractctl.errors import CheckFailed
    from contractctl.store.backup import restore

    app = app_context(ctx)
    report = restore(source, app.home)
    check = report.check
    if app.json:
        emit_json(report.to_dict())
    else:
        typer.echo(str(report.path))
        app.note(
            f"Restored {report.contracts} contracts, {report.objects} files and "
            f"{report.events} audit events into {report.path}"
        )
        for problem in check.problems if check else []:
            app.err.print(f"problem: {problem}", markup=False, highlight=False)
    if check is not None and not check.ok:
        error = CheckFailed(f"the restored store has {len(check.problems)} problems")
        if app.json:
            raise typer.Exit(error.exit_code)
        raise error


def demo_command(ctx: typer.Context) -> None:
    """Walk the contract lifecycle on a throw-away store, narrated (the README's first command)."""
    from contractctl.demo import run_demo

    app = app_context(ctx)
    home = app.home if app.home_option else None
    narrator = _ConsoleNarrator(app)
    result = run_demo(home, app.user, narrator)
    if app.json:
        emit_json({"home": str(result.home), "steps": result.steps})


class _ConsoleNarrator:
    def __init__(self, app: AppContext) -> None:
        self.app = app
        self.count = 0

    def step(self, title: str) -> None:
        if self.app.json:
            return
        self.count += 1
        self.app.out.print()
        self.app.out.print(f"== {self.count}. {title}", style="bold cyan")

    def say(self, text: str) -> None:
        if not self.app.json:
            self.app.out.print(text)


def register(app: typer.Typer) -> None:
    """Attach the store commands to the root app."""
    app.command("init")(init_command)
    app.command("doctor")(doctor_command)
    app.command("audit")(audit_command)
    app.command("fsck")(fsck_command)
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
    app.command("demo")(demo_command)
