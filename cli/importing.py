"""`contractctl import`, `watch` and `edit`: historical contracts in, and corrected."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from contractctl.cli.cluster import ClusterOption
from contractctl.cli.context import AppContext, app_context
from contractctl.cli.output import emit_json
from contractctl.cli.progress import progress_bar

from contractctl import limits

#: The password of encrypted PDFs for `import`, when not given by --password-fd.
PASSWORD_ENV = "CONTRACTCTL_PDF_PASSWORD"


def import_command(
    ctx: typer.Context,
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH...", help="Files and folders (recursive).")
    ],
    workers: Annotated[
        int | None, typer.Option("--workers", help="Reader processes (default: one per core).")
    ] = None,
    ocr: Annotated[
        str, typer.Option("--ocr", help="auto (pages without text), always, or never.")
    ] = "auto",
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            help="Tesseract languages, e.g. chi_sim+eng; auto: eng or chi_sim+eng for each "
            "page (each column), as its text shows.",
        ),
    ] = "auto",
    type_: Annotated[
        str | None, typer.Option("--type", help="Contract type for every file (else guessed).")
    ] = None,
    key_from: Annotated[
        str | None,
        typer.Option(
            "--key-from", help="Regex on the file name whose (first group) match is the key."
        ),
    ] = None,
    password_fd: Annotated[
        int | None,
        typer.Option(
            "--password-fd",
            metavar="FD",
            help="Read the password of encrypted PDFs from this file descriptor (its first "
            f"line), e.g. --password-fd 3 3<secret.txt. Or set {PASSWORD_ENV}.",
        ),
    ] = None,
    ask_password: Annotated[
        bool,
        typer.Option("--ask-password", help="Ask for the password of encrypted PDFs (hidden)."),
    ] = False,
    password: Annotated[
        str | None,
        typer.Option("--password", hidden=True, help="Refused: it would show in ps."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read and report; store nothing.")
    ] = False,
    cluster: ClusterOption = None,
    max_pages: Annotated[
        int,
        typer.Option(
            "--max-pages",
            metavar="N",
            help="Refuse a PDF of more pages (the file fails, naming the limit).",
        ),
    ] = limits.MAX_PDF_PAGES,
) -> None:
    """Import historical contracts (PDF, DOCX, scans): resumable, each file once."""
    from contractctl.importer import ImportOptions, import_paths

    app = app_context(ctx)
    options = ImportOptions(
        workers=workers,
        ocr=ocr,
        lang=lang,
        contract_type=type_,
        key_from=key_from,
        dry_run=dry_run,
        password=pdf_password(password, password_fd, ask_password),
        cluster=cluster,
        max_pages=max_pages,
    )
    with progress_bar(app) as progress:
        report = import_paths(app.store(), app.user, paths, options, progress=progress)
    data = report.to_dict()
    if app.json:
        emit_json(data)
    else:
        _print_report(app, data)
    if data["failed"]:
        raise typer.Exit(1)


def pdf_password(given: str | None, fd: int | None, ask: bool) -> str | None:
    """The password of encrypted PDFs: from a file descriptor, a hidden prompt or
    $CONTRACTCTL_PDF_PASSWORD; never from the command line, where `ps` shows it."""
    import os
    import sys

    from contractctl.errors import InvalidInput

    if given is not None:
        raise InvalidInput(
            "--password puts the password on the command line, where ps and the shell "
            "history show it",
            hint=f"use --password-fd FD, --ask-password or the {PASSWORD_ENV} variable",
        )
    if fd is not None:
        try:
            with os.fdopen(fd, encoding="utf-8", errors="replace") as handle:
                line = handle.readline(4096)
        except OSError as exc:
            raise InvalidInput(f"--password-fd {fd}: cannot read: {exc.strerror}") from None
        return line.rstrip("\r\n")
    if ask:
        if not sys.stdin.isatty():
            raise InvalidInput(
                "--ask-password needs a terminal",
                hint=f"use --password-fd FD or the {PASSWORD_ENV} variable",
            )
        return str(typer.prompt("PDF password", hide_input=True, err=True))
    return os.environ.get(PASSWORD_ENV) or None


def _print_report(app: AppContext, data: dict[str, Any]) -> None:
    for item in data["files"]:
        if item["state"] == "imported":
            typer.echo(item["id"])
        elif item["state"] == "would_import":
            meta = item.get("metadata") or {}
            title = (meta.get("title") or {}).get("value") or ""
            typer.echo(f"would import {item['file']}  {title}")
    for item in data["files"]:
        if item["state"] == "restored":
            app.note(f"restored: {item['file']}: {item['reason']} ({item['id']})")
    for item in data["files"]:
        if item["state"] == "skipped":
            app.note(f"skipped: {item['file']}: {item['reason']}")
    from contractctl.i18n import translate

    for item in data["files"]:
        if item["state"] in ("failed", "refused"):
            line = translate(f"failed: {item['file']}: {item['reason']}")
            app.err.print(line, markup=False)
    verb = "would import" if data["dry_run"] else "imported"
    counted = (
        data["imported"]
        if not data["dry_run"]
        else sum(1 for item in data["files"] if item["state"] == "would_import")
    )
    skipped = f", {data['skipped']} skipped" if data["skipped"] else ""
    app.note(
        f"{counted} {verb}, {data['duplicates']} duplicate(s), {len(data['failed'])} failed"
        f"{skipped}, {len(data['needs_review'])} need review"
    )
    if data["needs_review"]:
        app.note("See them with: contractctl list --needs-review; confirm with: contractctl edit")


def watch_command(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="The inbox folder.")],
    interval: Annotated[
        float, typer.Option("--interval", help="Seconds between looks at the folder.")
    ] = 5.0,
    settle: Annotated[
        float,
        typer.Option("--settle", help="Seconds a file must stop changing before it is taken."),
    ] = 3.0,
    events: Annotated[
        bool,
        typer.Option("--events/--poll-only", help="Also wake on file events (watchdog)."),
    ] = True,
    ocr: Annotated[str, typer.Option("--ocr", help="auto, always or never.")] = "auto",
    lang: Annotated[
        str, typer.Option("--lang", help="Tesseract languages (auto: chosen per page).")
    ] = "auto",
) -> None:
    """Import whatever lands in DIR; done/ and failed/ keep what was handled."""
    import signal
    import threading

    from contractctl.errors import InvalidInput
    from contractctl.importer import ImportOptions
    from contractctl.importer.discover import shown_path
    from contractctl.importer.watch import WatchOptions, watch

    app = app_context(ctx)
    store = app.store()
    if not folder.is_dir():  # before "Watching ..." is said and signal handlers change
        raise InvalidInput(f"{folder}: not a folder")
    stop = threading.Event()
    received: list[int] = []

    def request_stop(signum: int, frame: Any) -> None:
        received.append(signum)
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}

    def report(outcome: Any, path: Path) -> None:
        name = shown_path(path.name)
        if app.json:
            emit_json(outcome.to_dict())
        elif outcome.state == "imported":
            typer.echo(outcome.contract_id)
            app.note(f"imported {name} as {outcome.contract_id}")
        else:
            app.err.print(f"{outcome.state}: {name}: {outcome.reason}", markup=False)

    options = WatchOptions(
        interval=interval,
        settle=settle,
        use_events=events,
        import_options=ImportOptions(workers=1, ocr=ocr, lang=lang),
    )
    app.note(f"Watching {folder} (every {interval:g} s; Ctrl-C or SIGTERM stops)")
    try:
        handled = watch(store, app.user, folder, options, stop, report)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    app.note(f"Stopped; {handled} file(s) handled")
    if received:  # the documented codes of a stop by signal: 130 for Ctrl-C, 143 for SIGTERM
        raise typer.Exit(128 + received[0])


def edit_command(
    ctx: typer.Context,
    contract_id: Annotated[str, typer.Argument(metavar="ID", help="An imported contract.")],
    sets: Annotated[
        list[str],
        typer.Option("--set", help="field=value, or field=confirm to accept the extracted value."),
    ],
) -> None:
    """Confirm or correct an imported contract's extracted values."""
    from contractctl.drafting.draft import parse_sets
    from contractctl.importer.edit import edit, pending_review

    app = app_context(ctx)
    store = app.store()
    with store.transaction(app.user) as tx:
        contract = edit(tx, contract_id, parse_sets(sets))
    if app.json:
        emit_json(contract.to_dict())
        return
    typer.echo(contract.id)
    pending = ", ".join(pending_review(store.conn, contract.id))
    review = f"still to review: {pending}" if contract.needs_review else "reviewed"
    app.note(f"{contract.id}: {', '.join(parse_sets(sets))} set; {review}")


def register(app: typer.Typer) -> None:
    """Add import, watch and edit to the root command."""
    app.command("import")(import_command)
    app.command("watch")(watch_command)
    app.command("edit")(edit_command)
