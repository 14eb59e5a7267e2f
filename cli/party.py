"""`contractctl party add/list/show/edit`: counterparties."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from contractctl.cli.context import app_context
from contractctl.cli.output import emit_json, key_values, money_text, table

from contractctl.i18n import _

party_app = typer.Typer(help="Counterparties (companies and people).", no_args_is_help=True)

Kind = Annotated[str | None, typer.Option("--kind", help="company or person.")]
Uscc = Annotated[
    str | None,
    typer.Option("--uscc", help="统一社会信用代码 (18 characters, check digit verified)."),
]
Address = Annotated[str | None, typer.Option("--address", help="Registered address.")]
LegalRep = Annotated[str | None, typer.Option("--legal-rep", help="法定代表人.")]
Contact = Annotated[str | None, typer.Option("--contact", help="Contact person.")]
Phone = Annotated[str | None, typer.Option("--phone", help="Phone number.")]
Email = Annotated[str | None, typer.Option("--email", help="E-mail address.")]
Bank = Annotated[str | None, typer.Option("--bank", help="Bank (开户行).")]
Account = Annotated[str | None, typer.Option("--account", help="Bank account number.")]
Risk = Annotated[str | None, typer.Option("--risk", help="Risk level: low, medium or high.")]
Notes = Annotated[str | None, typer.Option("--notes", help="Free notes.")]


def _given(**values: Any) -> dict[str, Any]:
    renamed = {"risk": "risk_level"}
    return {renamed.get(k, k): v for k, v in values.items() if v is not None}


@party_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Registered name of the company or person.")],
    kind: Kind = None,
    uscc: Uscc = None,
    address: Address = None,
    legal_rep: LegalRep = None,
    contact: Contact = None,
    phone: Phone = None,
    email: Email = None,
    bank: Bank = None,
    account: Account = None,
    risk: Risk = None,
    notes: Notes = None,
) -> None:
    """Add a counterparty; prints its id (P-0001)."""
    from contractctl.records.parties import add_party

    app = app_context(ctx)
    store = app.store()
    details = _given(
        uscc=uscc,
        address=address,
        legal_rep=legal_rep,
        contact=contact,
        phone=phone,
        email=email,
        bank=bank,
        account=account,
        risk=risk,
        notes=notes,
    )
    with store.transaction(app.user) as tx:
        party = add_party(tx, name=name, kind=kind or "company", **details)
    if app.json:
        emit_json(party.to_dict())
    else:
        typer.echo(party.id)
        app.note(f"Added {party.id} {party.name}")


@party_app.command("list")
def list_(
    ctx: typer.Context,
    kind: Kind = None,
    risk: Risk = None,
    name: Annotated[str | None, typer.Option("--name", help="Name contains this text.")] = None,
) -> None:
    """List counterparties."""
    from contractctl.records.parties import list_parties

    app = app_context(ctx)
    parties = list_parties(app.store().conn, kind=kind, risk_level=risk, name_contains=name)
    if app.json:
        emit_json([p.to_dict() for p in parties])
        return
    table(
        app,
        ["id", "kind", "name", "credit code", "risk", "contact"],
        [(p.id, p.kind, p.name, p.uscc or "", p.risk_level, p.contact) for p in parties],
    )


_DIRECTION_WORDS = {"pay": "we pay", "receive": "we are paid", "none": "no payment"}


def _totals_text(rows: list[dict[str, Any]]) -> str:
    """``we pay ¥1,200.00 (2), we are paid US$300.00 (1)``: one sum per direction and
    currency, never added across."""
    return ", ".join(
        f"{_(_DIRECTION_WORDS[r['direction']])} {money_text(r)} ({r['count']})" for r in rows
    )


def _by_status(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["status"], []).append(row)
    return grouped


@party_app.command("show")
def show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Party id, credit code or exact name.")],
) -> None:
    """Show a counterparty with its contracts and totals: what is contracted (signed and
    after), then each status apart, by direction (we pay / we are paid) and currency."""
    from contractctl.records.parties import get_party, party_summary

    app = app_context(ctx)
    store = app.store()
    summary = party_summary(store, get_party(store.conn, ref))
    if app.json:
        emit_json(summary)
        return
    key_values(
        app,
        [
            ("id", summary["id"]),
            ("name", summary["name"]),
            ("kind", summary["kind"]),
            ("credit code", summary["uscc"]),
            ("address", summary["address"]),
            ("legal rep", summary["legal_rep"]),
            ("contact", summary["contact"]),
            ("phone", summary["phone"]),
            ("email", summary["email"]),
            ("bank", summary["bank"]),
            ("account", summary["account"]),
            ("risk", summary["risk_level"]),
            ("notes", summary["notes"]),
            ("contracted", _totals_text(summary["totals"]) or _("none")),
            *(
                (f"  {status}", _totals_text(rows))
                for status, rows in _by_status(summary["by_status"]).items()
            ),
        ],
    )
    if summary["contracts"]:
        table(
            app,
            ["contract", "status", "type", "title", "amount", "ends"],
            [
                (
                    c["id"],
                    c["status"],
                    c["type"],
                    c["title"],
                    money_text(c["amount"]),
                    c["end_date"],
                )
                for c in summary["contracts"]
            ],
            title="contracts",
            justify_right=["amount"],
        )
    else:
        app.out.print(_("no contracts yet"))


@party_app.command("edit")
def edit(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Party id, credit code or exact name.")],
    name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    kind: Kind = None,
    uscc: Uscc = None,
    address: Address = None,
    legal_rep: LegalRep = None,
    contact: Contact = None,
    phone: Phone = None,
    email: Email = None,
    bank: Bank = None,
    account: Account = None,
    risk: Risk = None,
    notes: Notes = None,
) -> None:
    """Change a counterparty's details; the audit log keeps old and new values."""
    from contractctl.records.parties import edit_party

    app = app_context(ctx)
    changes = _given(
        name=name,
        kind=kind,
        uscc=uscc,
        address=address,
        legal_rep=legal_rep,
        contact=contact,
        phone=phone,
        email=email,
        bank=bank,
        account=account,
        risk=risk,
        notes=notes,
    )
    store = app.store()
    with store.transaction(app.user) as tx:
        party = edit_party(tx, ref, changes)
    if app.json:
        emit_json(party.to_dict())
    else:
        typer.echo(party.id)
        app.note(f"Updated {party.id} {party.name}")


def register(app: typer.Typer) -> None:
    """Attach the party group to the root app."""
    app.add_typer(party_app, name="party")
