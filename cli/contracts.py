"""`contractctl list` and `contractctl show ID`."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from contractctl.cli import filters as F
from contractctl.cli.context import app_context
from contractctl.cli.output import emit_json, key_values, money_text, table


def list_command(
    ctx: typer.Context,
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
    overdue: F.Overdue = False,
    sort: F.Sort = "created",
    desc: F.Desc = False,
    limit: F.Limit = None,
) -> None:
    """List contracts, filtered and sorted."""
    from contractctl.records.contracts import list_contracts

    app = app_context(ctx)
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
        overdue=overdue,
        sort=sort,
        desc=desc,
        limit=limit,
    )
    found = list_contracts(store.conn, flt)
    if app.json:
        emit_json([c.to_dict() for c in found])
        return
    amending = any(c.in_force_status for c in found)
    table(
        app,
        ["id", "status", "type", "title", "counterparty", "amount", "ends"]
        + (["amendment under way"] if amending else []),
        [
            (
                c.id,
                c.in_force_status or c.status,
                c.type,
                c.title,
                c.counterparty["name"] if c.counterparty else "",
                money_text(_in_force_amount(c)),
                c.end_date,
                *([_pending_text(c)] if amending else []),
            )
            for c in found
        ],
        justify_right=["amount"],
    )
    app.note(f"{len(found)} contract{'s' if len(found) != 1 else ''}")


def _in_force_amount(c: Any) -> dict[str, Any] | None:
    """The amount that binds the parties: the version in force's, not an amendment's."""
    amount = c.in_force_amount if c.in_force_status else c.amount
    return amount.to_dict() if amount else None


def _pending_text(c: Any) -> str:
    """`v3 draft ¥200,000.00`: the amendment beside the version in force."""
    pending = c.pending_amendment()
    if pending is None:
        return ""
    return (
        f"v{pending['version']} {pending['status']} {money_text(pending['amount']) or ''}".strip()
    )


def show_command(
    ctx: typer.Context,
    contract_id: Annotated[str, typer.Argument(metavar="ID", help="Contract id (C-2026-0001).")],
) -> None:
    """Everything known about one contract: versions, route, signatures, events."""
    from contractctl.views import contract_detail

    app = app_context(ctx)
    detail = contract_detail(app.store(), contract_id)
    if app.json:
        emit_json(detail)
        return
    _render_detail(app, detail)


def _render_detail(app: Any, d: dict[str, Any]) -> None:
    from contractctl.dates import local_time_text  # times in the store's zone, labelled

    party = d["counterparty"]
    key_values(
        app,
        [
            ("id", d["id"]),
            ("title", d["title"]),
            ("type", d["type"]),
            ("status", _status_text(d)),
            ("counterparty", f"{party['name']} ({party['id']})" if party else None),
            ("amount", money_text((d["in_force"] or d)["amount"])),
            ("amendment", _amendment_text(d)),
            ("term", _term(d)),
            ("signed", d["signed_date"]),
            ("department", d["department"]),
            ("template", d["template"]),
            ("source", d["source"]),
            ("standard", None if d["standard"] is None else ("yes" if d["standard"] else "no")),
            ("needs review", "yes" if d["needs_review"] else None),
            ("version", _version_text(d)),
        ],
    )
    table(
        app,
        ["n", "kind", "parent", "created", "by", "reason", "document"],
        [
            (
                v["n"],
                v["kind"] + (f" ({v['outcome']})" if v.get("outcome") else ""),
                v["parent"] or "",
                local_time_text(v["created_at"]),
                v["created_by"],
                v["reason"],
                _document(v),
            )
            for v in d["versions"]
        ],
        title="versions",
    )
    if d.get("extracted"):
        table(
            app,
            ["field", "value", "conf", "review", "from the text"],
            [
                (
                    x["field"],
                    x["shown"],
                    f"{x['confidence']:.2f}",
                    x["reason"],
                    " ".join(x["source"].split())[:70],
                )
                for x in d["extracted"]
            ],
            title="extracted by the import",
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
        table(
            app,
            ["version", "#", "party", "signer", "level", "timestamp", "signed"],
            [
                (
                    s["version"],
                    s["seq"],
                    s["party"],
                    s["signer"],
                    s["level"],
                    local_time_text(s["timestamp"]),
                    local_time_text(s["signed_at"]),
                )
                for s in d["signatures"]
            ],
            title="signatures",
        )
    if d["acceptances"]:
        table(
            app,
            ["version", "accepted by", "recorded", "by", "pdf sha256", "check"],
            [
                (
                    a["version"],
                    a["accepted_by"],
                    local_time_text(a["recorded_at"]),
                    a["recorded_by"],
                    a["pdf_sha256"][:12],
                    a["check"],
                )
                for a in d["acceptances"]
            ],
            title="acceptances (click-through: evidence of assent, not signatures)",
        )
    if d["obligations"]:
        from contractctl.cli.obligation import print_after_signing

        print_after_signing(app, d)
    if d["ocr_checks"]:
        table(
            app,
            ["#", "checked", "version", "scan", "verdict", "critical", "major", "minor"],
            [
                (
                    c["id"],
                    local_time_text(c["checked_at"]),
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
        [(e["seq"], local_time_text(e["at"]), e["actor"], e["action"]) for e in d["events"]],
        title="events",
    )


def _status_text(d: dict[str, Any]) -> str:
    """The status that binds; a terminated contract's day and reason beside it."""
    if d["in_force"]:
        return str(d["in_force"]["status"])
    if d["status"] == "terminated":
        ended = next(
            (e for e in reversed(d["events"]) if e["action"] == "contract.terminate"), None
        )
        if ended:
            return f"terminated on {ended['data'].get('date')}: {ended['data'].get('reason')}"
    return str(d["status"])


def _document(version: dict[str, Any]) -> str:
    """The version's document, saying which it is (an imported Word file has no PDF)."""
    if version.get("pdf"):
        return f"PDF {version['pdf']}"
    if version.get("docx"):
        return f"DOCX {version['docx']}"
    return ""


def _version_text(d: dict[str, Any]) -> str:
    if d["in_force"]:
        return f"v{d['in_force']['version']} in force"
    return f"v{d['version']}"


def _amendment_text(d: dict[str, Any]) -> str | None:
    """`v3 in_review, ¥200,000.00` beside the version in force, or nothing."""
    pending = d["pending_amendment"]
    if not pending:
        return None
    amount = money_text(pending["amount"])
    return f"v{pending['version']} {pending['status']}" + (f", {amount}" if amount else "")


def _term(d: dict[str, Any]) -> str | None:
    if not (d["start_date"] or d["end_date"]):
        return None
    return f"{d['start_date'] or '?'} to {d['end_date'] or 'open-ended'}"


def register(app: typer.Typer) -> None:
    """Attach `list` and `show` to the root app."""
    app.command("list")(list_command)
    app.command("show")(show_command)
