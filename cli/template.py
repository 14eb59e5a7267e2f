"""`contractctl template list/show/fields/add/from-docx/approve/preview`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from contractctl.cli.context import AppContext, app_context
from contractctl.cli.output import emit_json, key_values, table
from contractctl.cli.output import shown as output_shown

template_app = typer.Typer(
    help="Contract templates, their fields and versions.", no_args_is_help=True
)

NameArg = Annotated[
    str, typer.Argument(metavar="NAME[@VERSION]", help="Template name, optionally @version.")
]


@template_app.command("list")
def list_(ctx: typer.Context) -> None:
    """Templates with their latest approved and pending versions."""
    from contractctl.drafting.versions import list_versions

    app = app_context(ctx)
    versions = list_versions(app.store().conn)
    if app.json:
        emit_json([v.to_dict() for v in versions])
        return
    latest: dict[str, Any] = {}
    for version in versions:
        entry = latest.setdefault(version.name, {"v": version, "approved": None, "pending": []})
        if version.status == "approved":
            entry["approved"] = version.version
            entry["v"] = version
        else:
            entry["pending"].append(str(version.version))
    table(
        app,
        ["name", "type", "lang", "title", "approved", "pending"],
        [
            (
                name,
                e["v"].type,
                e["v"].language,
                e["v"].title,
                e["approved"] or "-",
                ", ".join(e["pending"]),
            )
            for name, e in latest.items()
        ],
    )


def _spec(app: AppContext, ref: str) -> tuple[Any, Any]:
    from contractctl.drafting.versions import load_spec, resolve

    store = app.store()
    version = resolve(store.conn, ref)
    return version, load_spec(store, version)


@template_app.command("show")
def show(ctx: typer.Context, name: NameArg) -> None:
    """A template: identity, status, signatories, standard clauses, fields."""
    app = app_context(ctx)
    version, spec = _spec(app, name)
    if app.json:
        emit_json(
            {
                **version.to_dict(),
                "description": spec.description,
                "signatories": list(spec.signatories),
                "standard_clauses": list(spec.standard_clauses),
                "fields": [f.to_dict() for f in spec.fields],
            }
        )
        return
    key_values(
        app,
        [
            ("template", version.ref),
            ("status", version.status),
            ("type", spec.type),
            ("language", spec.language),
            ("title", spec.title),
            ("description", spec.description),
            ("signatories", ", ".join(spec.signatories)),
            ("standard clauses", ", ".join(map(str, spec.standard_clauses))),
            ("fields", ", ".join(f.name for f in spec.fields)),
            ("added", f"{version.added_at[:19]} by {version.added_by}"),
            (
                "approved",
                f"{(version.approved_at or '')[:19]} by {version.approved_by}"
                if version.approved_by
                else None,
            ),
        ],
    )


@template_app.command("fields")
def fields(ctx: typer.Context, name: NameArg) -> None:
    """The fields a draft needs: type, required, default, limits, labels."""
    app = app_context(ctx)
    _, spec = _spec(app, name)
    if app.json:
        emit_json([f.to_dict() for f in spec.fields])
        return
    rows = []
    for spec_field in spec.fields:
        rows.append(_field_row(spec_field, ""))
        rows.extend(_field_row(column, "  ") for column in spec_field.columns)
    table(app, ["field", "type", "req", "default", "limits", "label"], rows)


def _field_row(spec_field: Any, indent: str) -> tuple[str, ...]:
    limits = []
    if spec_field.choices:
        limits.append(" | ".join(spec_field.choices))
    from contractctl.money import Money, format_money

    for key in ("min", "max"):
        value = getattr(spec_field, key)
        if value is not None:
            shown = format_money(value) if isinstance(value, Money) else str(value)
            limits.append(f"{key} {shown}")
    if spec_field.pattern:
        limits.append(f"pattern {spec_field.pattern}")
    kind = spec_field.type + (f" {spec_field.currency}" if spec_field.currency else "")
    return (
        indent + spec_field.name,
        kind,
        "yes" if spec_field.required else "",
        "" if spec_field.default is None else output_shown(spec_field.default),
        "; ".join(limits),
        spec_field.label,
    )


@template_app.command("add")
def add(
    ctx: typer.Context,
    docx: Annotated[Path, typer.Argument(help="The template DOCX.")],
    schema: Annotated[Path, typer.Option("--schema", help="Its sidecar TOML field schema.")],
) -> None:
    """Lint and add a template version; it stays pending until legal approves it."""
    from contractctl.drafting.versions import add_template

    app = app_context(ctx)
    store = app.store()
    with store.transaction(app.user) as tx:
        version = add_template(tx, docx, schema)
    if app.json:
        emit_json(version.to_dict())
        return
    typer.echo(version.ref)
    app.note(
        f"Added {version.ref} (pending); legal approves it with: "
        f"contractctl template approve {version.ref}"
    )


@template_app.command("from-docx")
def from_docx(
    ctx: typer.Context,
    docx: Annotated[Path, typer.Argument(help="A Word contract with blanks to fill in.")],
    name: Annotated[
        str | None,
        typer.Option("--name", help="Template name (default: its GF number or a stable id)."),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the template DOCX and schema TOML made.")
    ] = Path("."),
) -> None:
    """Turn a contract's blanks into fields: a pending template plus a schema skeleton."""
    from contractctl.drafting.from_docx import add_from_docx

    app = app_context(ctx)
    store = app.store()
    with store.transaction(app.user) as tx:
        added = add_from_docx(tx, docx, out, name=name)
    made, version = added.made, added.version
    if app.json:
        emit_json(
            {
                **version.to_dict(),
                "warnings": list(added.warnings),
                "docx": str(made.docx),
                "schema": str(made.schema),
                "fields": [
                    {"name": f.name, "type": f.type, "label": f.label, "sample": str(f.sample)}
                    for f in made.skeleton.fields
                ],
            }
        )
        return
    typer.echo(version.ref)
    kinds: dict[str, int] = {}
    for spec_field in made.skeleton.fields:
        kinds[spec_field.type] = kinds.get(spec_field.type, 0) + 1
    app.note(
        f"Added {version.ref} (pending): {len(made.skeleton.fields)} fields ("
        + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        + f") from {docx.name}; review {made.schema} and {made.docx}, then: "
        f"contractctl template preview {version.ref}; contractctl template approve {version.ref}"
    )
    for warning in added.warnings:
        app.note(f"  warning: {warning}")


@template_app.command("approve")
def approve(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="NAME@VERSION", help="The version to approve.")],
) -> None:
    """Approve a pending template version (legal role only)."""
    from contractctl.drafting.versions import approve_template

    app = app_context(ctx)
    store = app.store()
    with store.transaction(app.user) as tx:
        version = approve_template(tx, store.home, ref)
    if app.json:
        emit_json(version.to_dict())
        return
    typer.echo(version.ref)
    app.note(f"Approved {version.ref}; new drafts use it")


@template_app.command("preview")
def preview(
    ctx: typer.Context,
    name: NameArg,
    out: Annotated[Path, typer.Option("--out", help="Folder for the preview files.")] = Path("."),
) -> None:
    """Render the template with its sample values to DOCX, PDF and a PNG of page 1."""
    from contractctl.drafting.preview import render_preview

    app = app_context(ctx)
    files = render_preview(app.store(), name, out)
    if app.json:
        emit_json({k: str(v) for k, v in files.items()})
        return
    for path in files.values():
        typer.echo(str(path))


def register(app: typer.Typer) -> None:
    """Attach the template group to the root app."""
    app.add_typer(template_app, name="template")
