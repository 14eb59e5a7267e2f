"""`contractctl renew-timestamp`: extend a B-LTA contract's archive timestamp chain."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from contractctl.cli.context import app_context
from contractctl.cli.output import emit_json


def renew_command(
    ctx: typer.Context,
    contract_id: Annotated[str, typer.Argument(metavar="ID", help="Contract id (C-2026-0001).")],
    tsa: Annotated[
        str,
        typer.Option(
            "--tsa",
            metavar="URL",
            help="The RFC 3161 timestamp authority for the new document timestamp.",
        ),
    ],
    tsa_timeout: Annotated[
        float,
        typer.Option(
            "--tsa-timeout",
            metavar="SECONDS",
            help="How long to wait for the TSA, and for each OCSP/CRL request (default 10, "
            "at most 300).",
        ),
    ] = 10.0,
    trust: Annotated[
        list[Path] | None,
        typer.Option(
            "--trust",
            metavar="PEM",
            help="Also trust the CA certificate(s) in this PEM file, e.g. the TSAs' roots "
            "(repeatable).",
        ),
    ] = None,
) -> None:
    """Add a document timestamp over a B-LTA contract's signed PDF, before the last one's
    TSA certificate expires (`verify` says when); prints the new PDF's SHA-256."""
    from contractctl.signing.keys import trust_anchors
    from contractctl.signing.ltv import check_tsa_timeout
    from contractctl.signing.renewal import renew_chain

    app = app_context(ctx)
    check_tsa_timeout(tsa_timeout)
    extra = trust_anchors(app.home, trust) if trust else []
    result = renew_chain(
        app.store(), app.user, contract_id, tsa_url=tsa, tsa_timeout=tsa_timeout, trust=extra
    )
    if app.json:
        emit_json(result.to_dict())
        return
    typer.echo(result.pdf_sha)
    app.note(
        f"{result.contract_id} v{result.version}: document timestamp {result.document_timestamp}"
        f" from {result.tsa} added after the one of {result.previous} (its TSA certificate "
        f"expires on {result.previous_tsa_valid_to})"
    )
