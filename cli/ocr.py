"""`contractctl ocr-check SCAN --against ID[@N]`: a scanned paper copy against the approved text."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from contractctl.cli.cluster import ClusterOption
from contractctl.cli.context import AppContext, app_context
from contractctl.cli.importing import PASSWORD_ENV
from contractctl.cli.output import emit_json, shown
from contractctl.cli.progress import progress_bar

_STYLE = {"critical": "bold red", "major": "red", "minor": "yellow"}


def ocr_check_command(
    ctx: typer.Context,
    scan: Annotated[Path, typer.Argument(metavar="SCAN", help="PDF, PNG, JPEG or TIFF scan.")],
    against: Annotated[
        str, typer.Option("--against", help="The approved contract: ID or ID@VERSION.")
    ],
    lang: Annotated[
        str, typer.Option("--lang", help="Tesseract languages as Tesseract spells them.")
    ] = "chi_sim+eng",
    dpi: Annotated[
        int,
        typer.Option("--dpi", help="Resolution to rasterise PDF scans at (and of image scans)."),
    ] = 300,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Pages OCR'd at once (default: one per core).")
    ] = None,
    cluster: ClusterOption = None,
    password_fd: Annotated[
        int | None,
        typer.Option(
            "--password-fd",
            metavar="FD",
            help="Read the password of an encrypted PDF scan from this file descriptor (its "
            f"first line), e.g. --password-fd 3 3<secret.txt. Or set {PASSWORD_ENV}.",
        ),
    ] = None,
    ask_password: Annotated[
        bool,
        typer.Option("--ask-password", help="Ask for the password of an encrypted PDF scan."),
    ] = False,
    password: Annotated[
        str | None,
        typer.Option("--password", hidden=True, help="Refused: it would show in ps."),
    ] = None,
) -> None:
    """OCR a scanned copy and compare it with the approved text; exit 1 on a real difference.

    Differences OCR may have made up are read a second time before they count; what is
    left as OCR noise is listed as minor, with the reason.
    """
    from contractctl.cli.importing import pdf_password

    from contractctl.ocr.check import check_scan

    app = app_context(ctx)
    secret = pdf_password(password, password_fd, ask_password)
    with progress_bar(app) as progress:
        check = check_scan(
            app.store(),
            app.user,
            scan,
            against,
            lang=lang,
            dpi=dpi,
            workers=workers,
            progress=progress,
            cluster=cluster,
            password=secret,
        )
    data = check.to_dict()
    if app.json:
        emit_json(data)
    else:
        _print(app, data)
    if check.verdict != "match":
        raise typer.Exit(1)


def _print(app: AppContext, data: dict[str, Any]) -> None:
    from rich.text import Text

    counts = data["counts"]
    head = Text(
        f"{data['verdict'].upper()}: {data['scan']['name']} against {data['contract']} "
        f"v{data['version']} ({data['scan']['pages']} page(s), mean OCR confidence "
        f"{data['mean_confidence']})",
        style="bold green" if data["verdict"] == "match" else "bold red",
    )
    app.out.print(head)
    app.out.print(
        f"{counts['critical']} critical, {counts['major']} major, {counts['minor']} minor",
        markup=False,
    )
    for change in data["changes"]:
        line = Text(f"[{change['severity']}] ", style=_STYLE.get(change["severity"], ""))
        where = f"p.{change['page']} " if change.get("page") else ""
        if change.get("message"):
            line.append(f"{where}{change['message']}")
            if change.get("note"):
                line.append(f"  [{change['note']}]", style="dim")
        else:
            line.append(f"{where}{change.get('clause') or ''} {change['kind']}: ")
            semantic = change.get("semantic") or []
            if semantic:
                line.append(
                    "; ".join(
                        s.get("text")
                        or f"{s['label'] or s['what']} {shown(s['old'])} → {shown(s['new'])}"
                        for s in semantic
                    )
                )
            runs = _runs(change.get("ops") or [])
            if runs:  # the words that differ, not a clipped start of the clause
                line.append(("  " if semantic else "") + runs)
            elif not semantic:
                line.append(
                    f"approved {_short(change.get('approved'))!r} / scanned "
                    f"{_short(change.get('scanned'))!r}"
                )
            if change.get("confidence") is not None:
                line.append(f"  (OCR confidence {change['confidence']})", style="dim")
            if change.get("note"):
                line.append(f"  [{change['note']}]", style="dim")
        app.out.print(line, soft_wrap=True)
    seal = data["seal"]
    if seal.get("expected"):
        found = "present" if seal["present"] else "NOT found"
        app.out.print(f"seal on the signature page (p.{seal['page']}): {found}", markup=False)


def _runs(ops: list[list[str]], most: int = 4) -> str:
    """The removed (−) and added (+) words of a change, each shortened: a deleted
    sentence beside a changed value is shown too."""
    shown_runs = [
        ("−" if op == "delete" else "+") + f"“{_short(text, 60)}”"
        for op, text in ops
        if op in ("delete", "insert") and text.strip()
    ]
    more = " …" if len(shown_runs) > most else ""
    return "  ".join(shown_runs[:most]) + more


def _short(text: str | None, limit: int = 80) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def register(app: typer.Typer) -> None:
    """Add ocr-check to the root command."""
    app.command("ocr-check")(ocr_check_command)
