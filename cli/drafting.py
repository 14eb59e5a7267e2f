"""`contractctl draft` and `draft-batch`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from contractctl.cli.cluster import ClusterOption
from contractctl.cli.context import AppContext, app_context
from contractctl.cli.output import emit_json
from contractctl.cli.progress import progress_bar


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
    from contractctl.drafting.draft import DraftRequest, draft, load_data_file, parse_sets

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
    from contractctl.records.contracts import versions

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
    def ask(spec_field: Any, problem: str | None) -> str:
        if problem:
            app.err.print(f"  {problem}; try again")
        label = spec_field.label
        hint = f" ({' / '.join(spec_field.choices)})" if spec_field.choices else ""
        return str(typer.prompt(f"{label}{hint}", err=True, default="", show_default=False))

    return ask


def draft_batch_command(
    ctx: typer.Context,
    template: Annotated[str, typer.Argument(metavar="TEMPLATE", help="Template name.")],
    csv_file: Annotated[
        Path,
        typer.Option("--csv", help="One contract per row (UTF-8 with or without BOM, or GBK)."),
    ],
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            metavar="NAME",
            help="The CSV's encoding: utf-8, gbk, gb18030... (default: detected).",
            show_default=False,
        ),
    ] = None,
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
    cluster: ClusterOption = None,
) -> None:
    """Draft one contract per CSV row, validating every row first; prints the ids made."""
    from contractctl.drafting.batch import draft_batch
    from contractctl.drafting.batch_csv import CsvRows

    app = app_context(ctx)
    store = app.store()
    rows = CsvRows(csv_file, encoding=encoding)
    with progress_bar(app) as progress:
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
            cluster=cluster,
        )
    if app.json:
        emit_json(result.to_dict())
    else:
        for made in result.made:
            typer.echo(made.id)
        app.note(
            f"{len(result.made)} drafted, {len(result.existing)} already existed, "
            f"{len(result.failed)} failed"
        )
        for row, error in result.failed:
            app.err.print(f"row {row}: {error}")
    if result.failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Attach `draft` and `draft-batch` to the root app."""
    app.command("draft")(draft_command)
    app.command("draft-batch")(draft_batch_command)
