"""`contractctl report`: counts and contracted value for management, as a table, JSON,
CSV, XLSX (with a native chart), PNG or SVG charts, or one self-contained HTML page."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from contractctl.cli import filters as F
from contractctl.cli.context import AppContext, app_context
from contractctl.cli.output import emit_json, table

FORMATS = ("table", "json", "csv", "xlsx", "png", "svg", "html")
_BINARY = ("xlsx", "png")


def report_command(
    ctx: typer.Context,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="month|type|counterparty|department|status",
            help="Group contracts by this (default: month).",
        ),
    ] = None,
    view: Annotated[
        str | None,
        typer.Option(
            "--view",
            metavar="pipeline|expiring|cycle",
            help="pipeline: in review/approved/signing by age; expiring: next 30/60/90 days; "
            "cycle: approval cycle times (median, p90) per stage and approver.",
        ),
    ] = None,
    top: Annotated[
        int | None,
        typer.Option("--top", metavar="N", help="Only the N largest groups, the rest as one row."),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period", metavar="PERIOD", help="A quarter, month or year: 2026Q3, 2026-11, 2026."
        ),
    ] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", metavar="DATE", help="Period starts on this day.")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", metavar="DATE", help="Period ends on this day.")
    ] = None,
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            metavar="auto|zh|en",
            help="Language of labels (auto: Chinese in a Chinese interface, else when the "
            "contracts are).",
        ),
    ] = "auto",
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="|".join(FORMATS),
            help="Output (default: from the -o file's suffix, else json with --json, "
            "else table). xlsx and png need -o.",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (replaced whole)."),
    ] = None,
    status: F.Status = None,
    type_: F.Type = None,
    party: F.Party = None,
    signed_from: F.SignedFrom = None,
    signed_to: F.SignedTo = None,
    expires_from: F.ExpiresFrom = None,
    expires_to: F.ExpiresTo = None,
    expires_within: F.ExpiresWithin = None,
    min_amount: F.MinAmount = None,
    max_amount: F.MaxAmount = None,
    source: F.Source = None,
    needs_review: F.NeedsReview = False,
) -> None:
    """Report contract counts and value (per currency, purchases and sales apart)."""
    from contractctl.errors import InvalidInput
    from contractctl.i18n import language
    from contractctl.reports.aggregate import ReportRequest, build_report
    from contractctl.reports.period import resolve_period

    app = app_context(ctx)
    if by and view:
        raise InvalidInput("give either --by or --view, not both")
    chosen = _format(fmt, output, app.json)
    if lang not in ("auto", "zh", "en"):
        raise InvalidInput(f"--lang: {lang!r} is not one of auto, zh, en")
    store = app.store()
    flt = F.build_filter(
        store,
        status=status,
        type_=type_,
        party=party,
        signed_from=signed_from,
        signed_to=signed_to,
        expires_from=expires_from,
        expires_to=expires_to,
        expires_within=expires_within,
        min_amount=min_amount,
        max_amount=max_amount,
        source=source,
        needs_review=needs_review,
    )
    request = ReportRequest(
        view=view or by or "month",
        flt=flt,
        period=resolve_period(period, date_from, date_to),
        top=top,
        lang="zh" if lang == "auto" and language() == "zh" else lang,
    )
    report = build_report(store.conn, request)
    if chosen == "table":
        _print_table(app, report)
        return
    data = _render(report, chosen)
    if output is None:
        sys.stdout.write(data.decode("utf-8"))
        sys.stdout.flush()
        return
    from contractctl.archive.archiving import write_output

    path = write_output(output, data, force=True)
    if app.json:
        emit_json(
            {"format": chosen, "path": str(path), "view": report.view, "rows": len(report.rows)}
        )
    app.note(f"{report.view} report ({len(report.rows)} rows) written to {path}")


def _format(fmt: str | None, output: Path | None, json_mode: bool) -> str:
    from contractctl.errors import InvalidInput

    suffix = output.suffix.lower().lstrip(".") if output is not None else ""
    if fmt:
        chosen = fmt.lower()
    elif suffix in FORMATS:
        chosen = suffix
    elif suffix == "htm":
        chosen = "html"
    else:
        chosen = "json" if json_mode else "table"
    if chosen not in FORMATS:
        raise InvalidInput(f"--format: {chosen!r} is not one of {', '.join(FORMATS)}")
    if chosen in _BINARY and output is None:
        raise InvalidInput(
            f"{chosen} is a binary file: give it a name with -o FILE.{chosen}",
            hint=f"contractctl report --format {chosen} -o report.{chosen}",
        )
    if chosen == "table" and output is not None:
        raise InvalidInput("the table is for the terminal; write a file as csv, xlsx or html")
    return chosen


def _render(report: object, chosen: str) -> bytes:
    import json

    from contractctl.reports import tabular
    from contractctl.reports.model import Report

    assert isinstance(report, Report)
    if chosen == "json":
        return (json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n").encode()
    if chosen == "csv":
        return tabular.to_csv(report).encode("utf-8")
    if chosen == "xlsx":
        return tabular.to_xlsx(report)
    if chosen == "html":
        from contractctl.reports.html import render_html

        return render_html(report).encode("utf-8")
    from contractctl.reports.charts import render_chart

    return render_chart(report, chosen)


def _print_table(app: AppContext, report: object) -> None:
    from contractctl.reports import labels as L
    from contractctl.reports.model import Report
    from contractctl.reports.tabular import heading_lines, table_cells, title_of

    assert isinstance(report, Report)
    app.out.print(title_of(report), style="bold")
    for key, value in heading_lines(report):
        app.out.print(f"{key}: {value}")
    heads, rows, numeric = table_cells(report)
    table(app, heads, rows, justify_right=[h for i, h in enumerate(heads) if i in numeric])
    for item in report.items:
        extra = item.get("age_days", item.get("days_left"))
        status = L.status_label(report.lang, item["status"])
        app.out.print(f"  {item['id']}  {status}  {extra}  {item['title']}")
    for note in report.notes:
        app.note(note)


def register(app: typer.Typer) -> None:
    """Attach `report` to the root app."""
    app.command("report")(report_command)
