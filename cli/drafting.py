"""`contractctl draft` and `draft-batch`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from contractctl.cli.context import AppContext, app_context
from contractctl.cli.output import emit_json


def draft_command(
    ctx: typer.Context,
    template: Annotated[str, typer.Argument(metavar="TEMPLATE", help="Template name.")],
    data: Annotated[
        Path | None, typer.Option("--data", help="Field values: a TOML or JSON file.")
    ] = None,
    sets: Annotated[
        list[str] | None, typer.Option("--set", help="key=value, overriding --data (repeatable).")
    ] = None,
    party: Annotated[
        str | None, typer.Option("--party", help="Counterparty: id, credit code or name.")
    ] = None,
    key: Annotated[
        str | None,
        typer.Option("--key", help="Your idempotency key: the same key returns the same contract."),
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also make the PDF.")] = True,
    title: Annotated[str | None, typer.Option("--title", help="Contract title.")] = None,
    department: Annotated[str, typer.Option("--department", help="Owning department.")] = "",
) -> None:
    """Draft a contract from a template; prints its id."""
    from contractctl.drafting import DraftRequest, draft, load_data_file, parse_sets

    app = app_context(ctx)
    store = app.store()
    request = DraftRequest(
        template=template,
        data=load_data_file(data) if data else {},
        sets=parse_sets(sets or []),
        party=party,
        key=key,
        pdf=pdf,
        title=title,
        department=department,
    )
    ask = _prompter(app) if sys.stdin.isatty() and not app.json else None
    result = draft(store, app.user, request, ask=ask)
    if app.json:
        emit_json(result.to_dict())
        return
    typer.echo(result.contract.id)
    if not result.created:
        app.note(f"Key {key!r} already made {result.contract.id}; nothing new was drafted")
        return
    from contractctl.contracts import versions

    files = versions(store, result.contract.id)[0]
    app.note(
        f"Drafted {result.contract.id} {result.contract.title} "
        f"({'standard' if result.contract.standard else 'NON-STANDARD: clauses '}"
        f"{'' if result.contract.standard else ', '.join(map(str, result.deviations))})"
    )
    for kind in ("pdf", "docx"):
        if files[kind]:
            app.note(f"  {kind}: {files[kind]}")


def _prompter(app: AppContext) -> Any:
    def ask(spec_field: Any) -> str:
        label = spec_field.label
        hint = f" ({' / '.join(spec_field.choices)})" if spec_field.choices else ""
        return str(typer.prompt(f"{label}{hint}", err=True))

    return ask


def draft_batch_command(
    ctx: typer.Context,
    template: Annotated[str, typer.Argument(metavar="TEMPLATE", help="Template name.")],
    csv_file: Annotated[Path, typer.Option("--csv", help="One contract per row (UTF-8 CSV).")],
    key_column: Annotated[
        str, typer.Option(help="Column holding each row's idempotency key.")
    ] = "key",
    party_column: Annotated[
        str, typer.Option(help="Column naming each row's counterparty.")
    ] = "party",
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also make PDFs.")] = True,
    workers: Annotated[
        int | None, typer.Option(help="LibreOffice workers (default: one per core, up to 2).")
    ] = None,
) -> None:
    """Draft one contract per CSV row, validating every row first; prints the ids made."""
    from contractctl.drafting import draft_batch, rows_from_csv

    app = app_context(ctx)
    store = app.store()
    rows = rows_from_csv(csv_file)
    with _progress(app) as progress:
        result = draft_batch(
            store,
            app.user,
            template,
            rows,
            key_column=key_column,
            party_column=party_column,
            pdf=pdf,
            workers=workers,
            progress=progress,
        )
    if app.json:
        emit_json(result.to_dict())
    else:
        for made in result.made:
            typer.echo(made.contract.id)
        app.note(
            f"{len(result.made)} drafted, {len(result.existing)} already existed, "
            f"{len(result.failed)} failed"
        )
        for row, error in result.failed:
            app.err.print(f"row {row}: {error}")
    if result.failed:
        raise typer.Exit(1)


class _RichProgress:
    """The core's Progress protocol as a Rich bar on stderr (only on a terminal)."""

    def __init__(self, app: AppContext) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=app.err,
            transient=True,
        )
        self.task: Any = None
        self._start = 0.0

    def __enter__(self) -> _RichProgress:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def start(self, total: int, description: str) -> None:
        import time

        self._start = time.monotonic()
        self.task = self.bar.add_task(description, total=total, rate="")

    def advance(self, units: int = 1) -> None:
        import time

        self.bar.advance(self.task, units)
        done = self.bar.tasks[-1].completed
        elapsed = time.monotonic() - self._start
        if elapsed > 0:
            self.bar.update(self.task, rate=f"{done / elapsed:.1f}/s")

    def finish(self) -> None:
        if self.task is not None:
            self.bar.remove_task(self.task)
            self.task = None


class _Silent:
    def __enter__(self) -> Any:
        from contractctl.progress import NullProgress

        return NullProgress()

    def __exit__(self, *exc: object) -> None:
        return None


def _progress(app: AppContext) -> Any:
    if app.quiet or app.json or not app.err.is_terminal:
        return _Silent()
    return _RichProgress(app)


def register(app: typer.Typer) -> None:
    """Attach `draft` and `draft-batch` to the root app."""
    app.command("draft")(draft_command)
    app.command("draft-batch")(draft_batch_command)
