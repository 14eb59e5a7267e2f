"""`contractctl list` and `contractctl show ID`."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from contractctl.cli.context import app_context
from contractctl.cli.output import emit_json, key_values, money_text, table


def list_command(
    ctx: typer.Context,
    status: Annotated[
        list[str] | None, typer.Option("--status", help="Only this status (repeatable).")
    ] = None,
    type_: Annotated[
        list[str] | None, typer.Option("--type", help="Only this contract type (repeatable).")
    ] = None,
    party: Annotated[
        str | None, typer.Option("--party", help="Counterparty id, credit code or name.")
    ] = None,
    signed_from: Annotated[
        str | None, typer.Option(help="Signed on or after (YYYY-MM-DD).")
    ] = None,
    signed_to: Annotated[str | None, typer.Option(help="Signed on or before.")] = None,
    expires_from: Annotated[str | None, typer.Option(help="Ends on or after.")] = None,
    expires_to: Annotated[str | None, typer.Option(help="Ends on or before.")] = None,
    expires_within: Annotated[
        str | None, typer.Option(help="Ends between today and this far ahead (30d, 3m).")
    ] = None,
    min_amount: Annotated[
        str | None, typer.Option(help="At least this amount (¥100,000 or 'USD 5000').")
    ] = None,
    max_amount: Annotated[str | None, typer.Option(help="At most this amount.")] = None,
    source: Annotated[str | None, typer.Option(help="draft or import.")] = None,
    needs_review: Annotated[
        bool, typer.Option("--needs-review", help="Only contracts flagged for review.")
    ] = False,
    sort: Annotated[
        str, typer.Option(help="created, title, amount, status, type, start, end, signed, party.")
    ] = "created",
    desc: Annotated[bool, typer.Option("--desc", help="Sort descending.")] = False,
    limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
) -> None:
    """List contracts, filtered and sorted."""
    from datetime import date, timedelta

    from contractctl.contracts import ListFilter, list_contracts
    from contractctl.dates import parse_duration_days
    from contractctl.money import parse_money

    app = app_context(ctx)
    store = app.store()
    currency = store.settings.store.default_currency
    if expires_within:
        days = parse_duration_days(expires_within, what="--expires-within")
        expires_from = expires_from or date.today().isoformat()
        expires_to = expires_to or (date.today() + timedelta(days=days)).isoformat()
    flt = ListFilter(
        statuses=status or [],
        types=type_ or [],
        party=party,
        signed_from=signed_from,
        signed_to=signed_to,
        expires_from=expires_from,
        expires_to=expires_to,
        min_amount=parse_money(min_amount, currency) if min_amount else None,
        max_amount=parse_money(max_amount, currency) if max_amount else None,
        source=source,
        needs_review=needs_review,
        sort=sort,
        descending=desc,
        limit=limit,
    )
    found = list_contracts(store.conn, flt)
    if app.json:
        emit_json([c.to_dict() for c in found])
        return
    table(
        app,
        ["id", "status", "type", "title", "counterparty", "amount", "ends"],
        [
            (
                c.id,
                c.status,
                c.type,
                c.title,
                c.counterparty["name"] if c.counterparty else "",
                money_text(c.amount.to_dict() if c.amount else None),
                c.end_date,
            )
            for c in found
        ],
        justify_right=["amount"],
    )
    app.note(f"{len(found)} contract{'s' if len(found) != 1 else ''}")


def show_command(
    ctx: typer.Context,
    contract_id: Annotated[str, typer.Argument(metavar="ID", help="Contract id (C-2026-0001).")],
) -> None:
    """Everything known about one contract: versions, route, signatures, events."""
    from contractctl.contracts import contract_detail

    app = app_context(ctx)
    detail = contract_detail(app.store(), contract_id)
    if app.json:
        emit_json(detail)
        return
    _render_detail(app, detail)


def _render_detail(app: Any, d: dict[str, Any]) -> None:
    party = d["counterparty"]
    key_values(
        app,
        [
            ("id", d["id"]),
            ("title", d["title"]),
            ("type", d["type"]),
            ("status", d["status"]),
            ("counterparty", f"{party['name']} ({party['id']})" if party else None),
            ("amount", money_text(d["amount"])),
            ("term", _term(d)),
            ("signed", d["signed_date"]),
            ("department", d["department"]),
            ("template", d["template"]),
            ("source", d["source"]),
            ("standard", None if d["standard"] is None else ("yes" if d["standard"] else "no")),
            ("needs review", "yes" if d["needs_review"] else None),
            ("version", d["version"]),
            (
                "in force",
                f"v{d['in_force_version']}"
                if d["in_force_version"] and d["in_force_version"] != d["version"]
                else None,
            ),
        ],
    )
    table(
        app,
        ["n", "kind", "parent", "created", "by", "reason", "pdf"],
        [
            (
                v["n"],
                v["kind"] + (f" ({v['outcome']})" if v.get("outcome") else ""),
                v["parent"] or "",
                v["created_at"][:19],
                v["created_by"],
                v["reason"],
                v["pdf"] or v["docx"] or "",
            )
            for v in d["versions"]
        ],
        title="versions",
    )
    route = d["route"]
    if route.get("stages"):
        from contractctl.cli.approval import render_stages

        app.out.print(f"route {', '.join(route['route_ids'])} ({route['state']})")
        render_stages(app, route["stages"])
    if d["risk_flags"]:
        table(
            app,
            ["severity", "clause", "flag", "text"],
            [(f["severity"], f["clause"] or "", f["message"], f["text"]) for f in d["risk_flags"]],
            title="risk flags",
        )
    if d["signatures"]:
        app.out.print(f"signatures: {len(d['signatures'])}")
    if d["obligations"]:
        table(
            app,
            ["due", "kind", "state", "what"],
            [(o["due"], o["kind"], o["state"], o["description"]) for o in d["obligations"]],
            title="obligations",
        )
    if d["ocr_checks"]:
        table(
            app,
            ["#", "checked", "version", "scan", "verdict", "critical", "major", "minor"],
            [
                (
                    c["id"],
                    c["checked_at"][:19],
                    c["version"],
                    c["scan"],
                    c["verdict"],
                    c["critical"],
                    c["major"],
                    c["minor"],
                )
                for c in d["ocr_checks"]
            ],
            title="OCR checks",
        )
    table(
        app,
        ["#", "at", "actor", "action"],
        [(e["seq"], e["at"][:19], e["actor"], e["action"]) for e in d["events"]],
        title="events",
    )


def _term(d: dict[str, Any]) -> str | None:
    if not (d["start_date"] or d["end_date"]):
        return None
    return f"{d['start_date'] or '?'} to {d['end_date'] or 'open-ended'}"


def register(app: typer.Typer) -> None:
    """Attach `list` and `show` to the root app."""
    app.command("list")(list_command)
    app.command("show")(show_command)
