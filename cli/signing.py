"""`contractctl sign`, `verify` and `accept`: PAdES signatures and click-through acceptance.

The key passphrase comes from CONTRACTCTL_KEY_PASSPHRASE, else a hidden prompt when stdin
is a terminal, else the command stops with exit 2; never from an option. `verify` exits 0
only when every signature holds, 1 otherwise (also when the file cannot be verified).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from contractctl.cli.context import AppContext, app_context
from contractctl.cli.output import emit_json, table

if TYPE_CHECKING:
    from contractctl.signing.report import VerifyReport

IdArg = Annotated[str, typer.Argument(metavar="ID", help="Contract id (C-2026-0001).")]


class Party(StrEnum):
    """Who signs: the company or the counterparty."""

    company = "company"
    counterparty = "counterparty"


def sign_command(
    ctx: typer.Context,
    contract_id: IdArg,
    key: Annotated[
        str, typer.Option("--key", metavar="NAME", help="Signing identity (see: keys list).")
    ],
    party: Annotated[
        Party | None,
        typer.Option("--party", help="Who signs (default: the next party due to sign)."),
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Reason recorded in the signature.")
    ] = None,
    location: Annotated[
        str | None, typer.Option("--location", help="Location recorded in the signature.")
    ] = None,
    seal: Annotated[
        str,
        typer.Option(
            "--seal",
            metavar="auto|none|IMAGE",
            help="Visible seal: auto (drawn from the key: round for an organisation, "
            "square for a person; the default), none (invisible signature) or a "
            "PNG/JPEG file. A certifying first seal also makes the empty seal fields of "
            "the later signatories; without it, later seals cannot be visible.",
        ),
    ] = "auto",
    page: Annotated[
        int | None,
        typer.Option("--page", metavar="N", help="Page of the seal (default: the last page)."),
    ] = None,
    box: Annotated[
        str | None,
        typer.Option(
            "--box",
            metavar="x1,y1,x2,y2",
            help="Seal box in PDF points (default: the party's line of the signature block). "
            "Only for the first signature: later seals fill the field it made.",
        ),
    ] = None,
    tsa: Annotated[
        str | None,
        typer.Option(
            "--tsa",
            metavar="URL",
            help="Add an RFC 3161 timestamp from this timestamp authority (level B-T). "
            "If it fails or times out, nothing is signed (exit 4) unless --tsa-optional.",
        ),
    ] = None,
    tsa_optional: Annotated[
        bool,
        typer.Option(
            "--tsa-optional",
            help="If the TSA fails, sign without a timestamp (level B-B) and say why.",
        ),
    ] = False,
    tsa_timeout: Annotated[
        float,
        typer.Option(
            "--tsa-timeout",
            metavar="SECONDS",
            help="How long to wait for the TSA's answer, and at B-LT for each OCSP/CRL "
            "request (default 10, at most 300).",
        ),
    ] = 10.0,
    level: Annotated[
        str | None,
        typer.Option(
            "--level",
            metavar="B-B|B-T|B-LT|B-LTA",
            help="PAdES level (default: B-T with --tsa, else B-B). B-LT also embeds the "
            "certificate chains and revocation data (CRL/OCSP) for validation after the "
            "certificates expire; B-LTA adds a document timestamp over them. Both need --tsa.",
        ),
    ] = None,
    trust: Annotated[
        list[Path] | None,
        typer.Option(
            "--trust",
            metavar="PEM",
            help="At B-LT/B-LTA: also trust the CA certificate(s) in this PEM file when "
            "building the signer's and the TSA's chains (repeatable).",
        ),
    ] = None,
) -> None:
    """Sign the current version's PDF (PAdES) of an approved contract; prints its status.

    The key passphrase is read from CONTRACTCTL_KEY_PASSPHRASE, or asked for on a terminal.
    """
    from contractctl.cli.keys import passphrase

    from contractctl.errors import InvalidInput
    from contractctl.signing.keys import get_identity, trust_anchors
    from contractctl.signing.ltv import LONG_TERM, check_tsa_timeout, resolve_level
    from contractctl.signing.seal import check_request
    from contractctl.signing.sign import check_tsa_url, sign

    app = app_context(ctx)
    seal_request = check_request(seal, page, box)  # bad options: exit 2 before any prompt
    if tsa is not None:
        check_tsa_url(tsa)
    elif tsa_optional:
        raise InvalidInput("--tsa-optional needs --tsa URL")
    wanted = resolve_level(level, tsa, tsa_optional)
    if trust and wanted not in LONG_TERM:
        raise InvalidInput("--trust is for --level B-LT or B-LTA (building the chains)")
    extra = trust_anchors(app.home, trust) if trust else []
    check_tsa_timeout(tsa_timeout)
    if tsa is None and tsa_timeout != 10.0:
        raise InvalidInput("--tsa-timeout needs --tsa URL")
    store = app.store()
    get_identity(store.home, key)  # an unknown key is reported before any prompt
    result = sign(
        store,
        app.user,
        contract_id,
        key=key,
        passphrase=passphrase(confirm=False),
        party=party.value if party else None,
        reason=reason,
        location=location,
        seal=seal_request,
        tsa_url=tsa,
        tsa_optional=tsa_optional,
        tsa_timeout=tsa_timeout,
        level=wanted,
        trust=extra,
    )
    if app.json:
        emit_json(result.to_dict())
        return
    typer.echo(result.status)
    kind = "certified" if result.certify else "signed"
    app.note(
        f"{result.contract_id} v{result.version}: {kind} by {result.signer} for the "
        f"{result.party} ({result.level}, field {result.field})"
    )
    if result.timestamp is not None:
        app.note(f"Timestamp: {result.timestamp} from {result.tsa}")
    if result.document_timestamp is not None:
        app.note(f"Document timestamp (B-LTA): {result.document_timestamp}")
    if result.timestamp_skipped is not None:
        app.note(f"Timestamp skipped (--tsa-optional): {result.timestamp_skipped}")
    if result.remaining:
        app.note(f"Next to sign: {', '.join(result.remaining)}")
    app.note(f"Signed PDF: {result.pdf_path}")


def verify_command(
    ctx: typer.Context,
    target: Annotated[
        str, typer.Argument(metavar="FILE_OR_ID", help="A PDF file, or a contract id.")
    ],
    trust: Annotated[
        list[Path] | None,
        typer.Option(
            "--trust",
            metavar="PEM",
            help="Also trust the CA certificate(s) in this PEM file (repeatable).",
        ),
    ] = None,
    at: Annotated[
        str,
        typer.Option(
            "--at",
            metavar="WHEN",
            help="Validation time: now, signing-time (each signature's claimed time) "
            "or YYYY-MM-DD.",
        ),
    ] = "now",
    allow_form_filling: Annotated[
        bool,
        typer.Option(
            "--allow-form-filling", help="Accept form filling added after the last signature."
        ),
    ] = False,
) -> None:
    """Check every signature in a PDF or a contract's current PDF; exit 1 unless all hold."""
    from contractctl.signing.keys import trust_anchors
    from contractctl.signing.verify import parse_at, verify_contract, verify_pdf

    app = app_context(ctx)
    parse_at(at)  # a bad --at is bad usage (exit 2), before any work
    roots = trust_anchors(app.home, trust or [])
    path = Path(target)
    if path.is_file() or target.lower().endswith(".pdf"):
        report = verify_pdf(path, trust=roots, at=at, allow_form_filling=allow_form_filling)
    else:
        report = verify_contract(
            app.store(), target, trust=roots, at=at, allow_form_filling=allow_form_filling
        )
    if app.json:
        emit_json(report.to_dict())
    else:
        _render(app, report)
    if not report.ok:
        raise typer.Exit(1)


def _render(app: AppContext, report: VerifyReport) -> None:
    table(
        app,
        ["field", "signer", "intact", "valid", "trusted", "expired", "coverage", "after", "level"],
        [
            (
                s.field,
                s.signer,
                _yes(s.intact),
                _yes(s.valid),
                _yes(s.trusted),
                "?" if s.expired is None else ("EXPIRED" if s.expired else "no"),
                s.coverage,
                s.modifications,
                s.level,
            )
            for s in report.signatures
        ],
    )
    for s in report.signatures:
        for line in [*s.problems, *s.notes]:
            app.out.print(f"{s.field}: {line}")
    for t in report.document_timestamps:
        state = "holds" if t.holds else "DOES NOT HOLD"
        app.out.print(f"{t.field}: document timestamp {t.timestamp} by {t.tsa}, {state}")
        for line in [*t.problems, *t.notes]:
            app.out.print(f"{t.field}: {line}")
    from contractctl.i18n import translate

    for problem in report.problems:
        app.out.print(translate(problem), markup=False)
    app.out.print(translate(f"{report.verdict} (validated at {report.validation_time})"))


def _yes(flag: bool) -> str:
    return "yes" if flag else "NO"


def accept_command(
    ctx: typer.Context,
    contract_id: IdArg,
    by: Annotated[
        str, typer.Option("--by", metavar="NAME", help="The person who accepted the PDF.")
    ],
) -> None:
    """Record a click-through acceptance of the current PDF (evidence, not a signature)."""
    from contractctl.signing.acceptances import accept

    app = app_context(ctx)
    record = accept(app.store(), app.user, contract_id, by=by)
    if app.json:
        emit_json(record)
        return
    typer.echo(record["pdf_sha256"])
    app.note(
        f"Recorded the acceptance of {record['contract']} v{record['version']} by "
        f"{record['accepted_by']} (click-through acceptance, not a digital signature)"
    )


def sign_import_command(
    ctx: typer.Context,
    contract_id: IdArg,
    file: Annotated[
        Path, typer.Argument(metavar="FILE.pdf", help="The PDF the other party signed.")
    ],
    party: Annotated[
        Party | None,
        typer.Option("--party", help="Whose signature it is (default: the party due)."),
    ] = None,
    trust: Annotated[
        list[Path] | None,
        typer.Option(
            "--trust",
            metavar="PEM",
            help="Also trust the CA certificate(s) in this PEM file: the signer's CA (repeatable).",
        ),
    ] = None,
) -> None:
    """Take back the PDF another party signed in its own tool; prints the new status.

    The file must be our stored PDF with one signature added (an incremental update),
    verify, and be signed with a certificate that names that party. Exit 3 when it is
    not an update of our PDF or adds more than a signature, 1 when it does not verify.
    """
    from contractctl.errors import NotFound
    from contractctl.signing.keys import trust_anchors
    from contractctl.signing.sign_import import import_signature

    app = app_context(ctx)
    if not file.is_file():
        raise NotFound(f"no file {file}")
    roots = trust_anchors(app.home, trust or [])
    result = import_signature(
        app.store(),
        app.user,
        contract_id,
        file,
        party=party.value if party else None,
        trust=roots,
    )
    if app.json:
        emit_json(result.to_dict())
        return
    typer.echo(result.status)
    app.note(
        f"{result.contract_id} v{result.version}: signed by {result.signer} for the "
        f"{result.party} ({result.level}, field {result.field}), imported from {file.name}"
    )
    if result.remaining:
        app.note(f"Next to sign: {', '.join(result.remaining)}")
    app.note(f"Signed PDF: {result.pdf_path}")


def register(app: typer.Typer) -> None:
    """Attach `sign`, `sign-import`, `verify` and `accept`."""
    app.command("sign")(sign_command)
    app.command("sign-import")(sign_import_command)
    app.command("verify")(verify_command)
    app.command("accept")(accept_command)
    from contractctl.cli.timestamps import renew_command

    app.command("renew-timestamp")(renew_command)
