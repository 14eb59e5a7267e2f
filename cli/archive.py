"""`contractctl archive`, `verify-bundle` and `export`.

`archive ID` moves a signed, active, expired or terminated contract to archived and stores
its dossier; `--bundle OUT.zip` also writes the dossier to a file. `verify-bundle` checks a
bundle with nothing but the file (no store needed): exit 0 valid, 1 problems found, 2 not a
readable ZIP. `export` writes the contracts `list` would show as CSV, JSON or XLSX.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from contractctl.cli import filters as F
from contractctl.cli.context import AppContext, app_context
from contractctl.cli.output import emit_json

if TYPE_CHECKING:
    from contractctl.archive.bundle import BundleReport


def archive_command(
    ctx: typer.Context,
    contract_id: Annotated[str, typer.Argument(metavar="ID", help="Contract id (C-2026-0001).")],
    bundle: Annotated[
        Path | None,
        typer.Option(
            "--bundle",
            metavar="OUT.zip",
            help="Also write the dossier (with its manifest of SHA-256 hashes) to this file; "
            "for an archived contract, write its stored dossier.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing --bundle file.")
    ] = False,
) -> None:
    """Archive a signed, active, expired or terminated contract and store its dossier."""
    from contractctl.cli.keys import passphrase

    from contractctl.archive.archiving import archive

    app = app_context(ctx)
    result = archive(
        app.store(),
        app.user,
        contract_id,
        bundle=bundle,
        force=force,
        passphrase=lambda: passphrase(confirm=False),
    )
    if app.json:
        emit_json(result.to_dict())
        return
    typer.echo(result.dossier_sha)
    if result.changed and result.status == "archived":
        app.note(f"{result.contract_id} is archived; its dossier of {result.files} files is stored")
    if result.bundle:
        app.note(f"Dossier written to {result.bundle}")
        app.note(f"Check it anywhere with: contractctl verify-bundle {result.bundle}")


def verify_bundle_command(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE.zip", help="A bundle written by archive --bundle.")
    ],
    at: Annotated[
        str,
        typer.Option(
            "--at",
            metavar="WHEN",
            help="Validation time of the signatures: signing-time (each signature's own "
            "time; the default, so an archive still verifies after certificates expire), "
            "now or YYYY-MM-DD.",
        ),
    ] = "signing-time",
) -> None:
    """Check a bundle offline: hashes, no files added or missing, signatures, audit events."""
    from contractctl.archive.bundle import verify_bundle

    app = app_context(ctx)
    report = verify_bundle(file, at=at)
    if app.json:
        emit_json(report.to_dict())
    else:
        _render_bundle(app, report)
    if not report.ok:
        raise typer.Exit(1)


def _render_bundle(app: AppContext, report: BundleReport) -> None:
    what = f"{report.contract}, " if report.contract else ""
    app.out.print(f"{report.path}: {what}{report.files} files, sha256 {report.sha256}")
    if report.signatures:
        signers = ", ".join(str(s["signer"]) for s in report.signatures)
        app.out.print(f"signatures: {signers}")
    if report.manifest_signer:
        app.out.print(f"manifest signed by {report.manifest_signer}")
    elif report.contract:
        app.out.print("manifest unsigned (the company did not sign this contract)")
    for problem in report.problems:
        app.out.print(f"  - {problem}")
    count = len(report.problems)
    tail = f" ({count} problem{'s' if count != 1 else ''})" if count else ""
    app.out.print(f"{report.verdict}{tail}")


def export_command(
    ctx: typer.Context,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="csv|json|xlsx",
            help="csv, json or xlsx (default: from the -o file's suffix, else json with "
            "--json, else csv).",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write to FILE (replaced whole, never half-written); xlsx needs it. "
            "Default: stdout.",
        ),
    ] = None,
    bom: Annotated[
        bool,
        typer.Option("--bom", help="Start CSV with a UTF-8 BOM (Excel on Windows, Chinese)."),
    ] = False,
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
    sort: F.Sort = "created",
    desc: F.Desc = False,
    limit: F.Limit = None,
) -> None:
    """Export the contracts `list` would show (same filters) as CSV, JSON or XLSX."""

    from contractctl.archive.archiving import write_output
    from contractctl.archive.export import FORMATS, render
    from contractctl.errors import InvalidInput
    from contractctl.records.contracts import list_contracts

    app = app_context(ctx)
    suffix = output.suffix.lower().lstrip(".") if output is not None else ""
    if fmt:
        chosen = fmt.lower()
    elif suffix in FORMATS:
        chosen = suffix  # -o contracts.xlsx
    else:
        chosen = "json" if app.json and output is None else "csv"
    if chosen not in FORMATS:
        raise InvalidInput(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    if chosen == "xlsx" and output is None:
        raise InvalidInput(
            "xlsx is a binary file: give it a name with -o FILE.xlsx",
            hint="contractctl export --format xlsx -o contracts.xlsx",
        )
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
        sort=sort,
        desc=desc,
        limit=limit,
    )
    found = list_contracts(store.conn, flt)
    data = render(found, chosen, bom=bom)
    if output is None:
        sys.stdout.write(data.decode("utf-8"))
        sys.stdout.flush()
        return
    path = write_output(output, data, force=True)
    if app.json:
        emit_json({"format": chosen, "path": str(path), "rows": len(found)})
    app.note(f"{len(found)} contract{'s' if len(found) != 1 else ''} written to {path}")


def register(app: typer.Typer) -> None:
    """Attach `archive`, `verify-bundle` and `export` to the root app."""
    app.command("archive")(archive_command)
    app.command("verify-bundle")(verify_bundle_command)
    app.command("export")(export_command)
