"""`contractctl keys init/import/list/bind/unbind` and `keys trust add/list`: signing identities.

The passphrase comes from CONTRACTCTL_KEY_PASSPHRASE, else a hidden prompt when stdin is
a terminal; never from a command-line option (it would land in shell history and `ps`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from contractctl.cli.context import app_context
from contractctl.cli.output import emit_json, table

if TYPE_CHECKING:
    from contractctl.signing.keys import KeyInfo, TrustRoot

PASSPHRASE_ENV = "CONTRACTCTL_KEY_PASSPHRASE"

keys_app = typer.Typer(
    help="Signing identities (PKCS#12) and the trust roots used to verify signatures.",
    no_args_is_help=True,
)
trust_app = typer.Typer(help="CA certificates trusted when verifying.", no_args_is_help=True)
keys_app.add_typer(trust_app, name="trust")

Name = Annotated[
    str | None,
    typer.Option(
        "--name", help="File name of the identity under keys/ (default: org, person-<name>)."
    ),
]


def passphrase(*, confirm: bool, prompt: str = "Key passphrase") -> str:
    """$CONTRACTCTL_KEY_PASSPHRASE, else a hidden prompt on a terminal, else exit 2."""
    from contractctl.errors import InvalidInput
    from contractctl.signing.keyfiles import NO_PASSPHRASE_HINT

    value = os.environ.get(PASSPHRASE_ENV)
    if value is not None:
        if not value:
            raise InvalidInput(f"{PASSPHRASE_ENV} is set but empty; a key needs a passphrase")
        return value
    if not sys.stdin.isatty():
        raise InvalidInput(f"no passphrase: {NO_PASSPHRASE_HINT}")
    answer = str(typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True))
    if not answer:
        raise InvalidInput("an empty passphrase cannot protect a key")
    return answer


@keys_app.command("init")
def init(
    ctx: typer.Context,
    org: Annotated[
        str | None,
        typer.Option("--org", help="Organisation name; needed the first time (makes the CA)."),
    ] = None,
    person: Annotated[
        str | None, typer.Option("--person", help="Also make a person's identity.")
    ] = None,
    name: Name = None,
    person_org: Annotated[
        str | None,
        typer.Option(
            "--person-org",
            metavar="NAME",
            help="The organisation in the person's certificate (default: the CA's), e.g. "
            "the counterparty a signatory signs for.",
        ),
    ] = None,
) -> None:
    """Make TEST identities (and a local test CA) for trying contractctl out; prints names."""
    from contractctl.signing.keys import init_test_identities, plan_test_identities

    app = app_context(ctx)
    store = app.store()
    plan = plan_test_identities(store.home, org=org, person=person, name=name, employer=person_org)
    secret = passphrase(
        confirm=plan.new_ca,
        prompt="New key passphrase" if plan.new_ca else "Passphrase of the test CA key",
    )
    created = init_test_identities(
        store, app.user, org=org, person=person, passphrase=secret, name=name, employer=person_org
    )
    if app.json:
        emit_json([k.to_dict() for k in created])
        return
    for info in created:
        typer.echo(info.name)
    if plan.new_ca:
        app.note(f"Created a TEST CA for {plan.org} and added it to the trust roots")
    for info in created:
        app.note(f"Created TEST identity {info.name}: {info.subject}")
    app.note("TEST identities are for trying contractctl out, never for real contracts")


@keys_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE.p12", help="PKCS#12 file (.p12/.pfx).")],
    name: Annotated[str, typer.Option("--name", help="Name to sign with (sign --key NAME).")],
) -> None:
    """Import a signing identity issued by a real CA; prints its name."""
    from contractctl.errors import NotFound
    from contractctl.signing.keys import check_new_name, import_identity

    app = app_context(ctx)
    store = app.store()
    check_new_name(store.home, name)
    if not file.is_file():
        raise NotFound(f"no file {file}")
    info = import_identity(
        store, app.user, file, name=name, passphrase=passphrase(confirm=False, prompt="Passphrase")
    )
    if app.json:
        emit_json(info.to_dict())
        return
    typer.echo(info.name)
    label = "TEST identity" if info.test else "identity"
    app.note(f"Imported {label} {info.name}: {info.subject}, issued by {info.issuer}")
    if info.expired:
        app.err.print(f"warning: the certificate EXPIRED on {info.valid_to[:10]}")


@keys_app.command("list")
def list_(ctx: typer.Context) -> None:
    """List signing identities: subject, issuer, validity, key usage, fingerprint, TEST or real."""
    from contractctl.signing.keys import list_identities

    app = app_context(ctx)
    identities = list_identities(app.store().home)
    if app.json:
        emit_json([k.to_dict() for k in identities])
        return
    if not identities:
        app.note("no signing identities yet; try: contractctl keys init --org NAME")
        return
    table(
        app,
        ["name", "kind", "test", "subject", "issuer", "valid", "key usage", "fingerprint"],
        [
            (
                k.name,
                k.kind,
                _test_label(k),
                k.subject,
                k.issuer,
                _validity(k),
                ", ".join(k.key_usage),
                k.fingerprint,
            )
            for k in identities
        ],
    )
    if any(k.test for k in identities):
        app.note("TEST identities are for trying contractctl out, never for real contracts")


@keys_app.command("bind")
def bind(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="KEY", help="Signing identity (keys list).")],
    party: Annotated[
        str,
        typer.Option(
            "--party",
            metavar="REF",
            help="'company', or the party (id, credit code or exact name) the key signs for.",
        ),
    ],
) -> None:
    """Let a key sign for a party its certificate does not name (audited as key.bind).

    Needed only when the certificate names neither the party's name nor its credit code;
    a key that names our company is never bound to a counterparty, nor the reverse.
    """
    from contractctl.signing.binding import bind as bind_key

    app = app_context(ctx)
    record = bind_key(app.store(), app.user, key, party)
    if app.json:
        emit_json(record)
        return
    typer.echo(record["party"])
    app.note(f"{key} now signs for {record['party_name'] or record['party']} ({record['party']})")


@keys_app.command("unbind")
def unbind(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="KEY", help="Signing identity (keys list).")],
) -> None:
    """End a key's binding to a party (audited as key.unbind)."""
    from contractctl.signing.binding import unbind as unbind_key

    app = app_context(ctx)
    record = unbind_key(app.store(), app.user, key)
    if app.json:
        emit_json(record)
        return
    typer.echo(record["party"])
    app.note(f"{key} no longer signs for {record['party']}")


@trust_app.command("add")
def trust_add(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="CA.pem", help="CA certificate (PEM or DER).")],
) -> None:
    """Trust a CA certificate when verifying signatures; prints the file it is kept in."""
    from contractctl.signing.keys import add_trust_root

    app = app_context(ctx)
    added = add_trust_root(app.store(), app.user, file)
    if app.json:
        emit_json([r.to_dict() for r in added])
        return
    for root in added:
        typer.echo(root.name)
        app.note(f"Trusting {root.subject} ({'TEST' if root.test else 'real'} CA)")


@trust_app.command("list")
def trust_list(ctx: typer.Context) -> None:
    """List the trusted CA certificates."""
    from contractctl.signing.keys import trust_roots

    app = app_context(ctx)
    roots = trust_roots(app.store().home)
    if app.json:
        emit_json([r.to_dict() for r in roots])
        return
    if not roots:
        app.note("no trust roots yet; add one with: contractctl keys trust add CA.pem")
        return
    table(
        app,
        ["file", "test", "subject", "valid", "fingerprint"],
        [(r.name, _test_label(r), r.subject, _validity(r), r.fingerprint) for r in roots],
    )


def _test_label(item: KeyInfo | TrustRoot) -> str:
    return "TEST" if item.test else "real"


def _validity(item: KeyInfo | TrustRoot) -> str:
    span = f"{item.valid_from[:10]} to {item.valid_to[:10]}"
    return f"{span} EXPIRED" if item.expired else span


def register(app: typer.Typer) -> None:
    """Attach the keys group to the root app."""
    app.add_typer(keys_app, name="keys")
