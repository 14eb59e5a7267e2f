"""`contractctl amend` and `contractctl diff`: new versions and clause-aware redlines."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from contractctl.cli.context import AppContext, app_context
from contractctl.cli.output import emit_json

if TYPE_CHECKING:
    from rich.text import Text

FORMATS = ("text", "html", "json")


def amend_command(
    ctx: typer.Context,
    contract_id: Annotated[
        str, typer.Argument(metavar="ID", help="The signed or active contract.")
    ],
    message: Annotated[
        str,
        typer.Option("--message", "-m", help="Why the contract changes (kept with the version)."),
    ],
    data: Annotated[
        Path | None, typer.Option("--data", help="Changed field values: a TOML or JSON file.")
    ] = None,
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", help="key=value, e.g. items[1].quantity=24 (repeatable)."),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="The counterparty's edited document (.docx or .pdf)."),
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also make the PDF.")] = True,
) -> None:
    """Make a new draft version of a signed or active contract, to route and sign again."""
    from contractctl.drafting.amend import AmendRequest, amend
    from contractctl.drafting.draft import load_data_file, parse_sets

    app = app_context(ctx)
    request = AmendRequest(
        reason=message,
        data=load_data_file(data) if data else {},
        sets=parse_sets(sets or []),
        file=file,
        pdf=pdf,
    )
    result = amend(app.store(), app.user, contract_id, request)
    if app.json:
        emit_json(result.to_dict())
        return
    typer.echo(f"{result.contract.id} v{result.version}")
    app.note(
        f"Amendment v{result.version} of {result.contract.id} (from v{result.parent}) is a "
        f"draft: {result.changes} clause(s) changed"
    )
    for change in result.semantic:
        app.note(f"  {_semantic_line(change)}")
    app.note(f"Route it for approval with: contractctl submit {result.contract.id}")


def diff_command(
    ctx: typer.Context,
    targets: Annotated[
        list[str],
        typer.Argument(metavar="ID | FILE_A FILE_B", help="A contract id, or two files."),
    ],
    from_version: Annotated[
        int | None, typer.Option("--from", help="Older version (default: the parent of --to).")
    ] = None,
    to_version: Annotated[
        int | None, typer.Option("--to", help="Newer version (default: the current one).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text, html or json.")] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the redline to this file.")
    ] = None,
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 when the versions differ (like git diff).")
    ] = False,
) -> None:
    """Compare two versions clause by clause, with amounts and dates called out."""
    from contractctl.errors import InvalidInput

    app = app_context(ctx)
    if fmt not in FORMATS:
        raise InvalidInput(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    if app.json:
        fmt = "json"
    old_text, new_text, old_label, new_label, title = _sides(app, targets, from_version, to_version)
    from contractctl.compare import compare, render_html

    comparison = compare(old_text, new_text)
    if fmt == "json":
        body = comparison.to_dict() | {"from": old_label, "to": new_label}
        if output is None:
            emit_json(body)
        else:
            import json

            _write(output, json.dumps(body, ensure_ascii=False, indent=2) + "\n")
    elif fmt == "html":
        page = render_html(
            comparison, old_label=old_label, new_label=new_label, title=title, made_by=app.user
        )
        if output is None:
            typer.echo(page, nl=False)
        else:
            _write(output, page)
    else:
        data = comparison.to_dict()
        if output is None:
            _print_redline(app, data, old_label, new_label)
        else:
            _write(output, "\n".join(t.plain for t in _redline(data, old_label, new_label)) + "\n")
    if output is not None:
        app.note(f"Wrote {output}")
    if exit_code and comparison.verdict != "same":
        raise typer.Exit(1)


def _sides(
    app: AppContext, targets: list[str], from_n: int | None, to_n: int | None
) -> tuple[str, str, str, str, str]:
    """The two texts to compare and their labels: two versions, or two files."""
    from contractctl.errors import InvalidInput

    if len(targets) == 2:
        if from_n is not None or to_n is not None:
            raise InvalidInput("--from/--to pick versions of a contract, not of two files")
        from contractctl.drafting.amend import file_text

        a, b = Path(targets[0]), Path(targets[1])
        for target, path in zip(targets, (a, b), strict=True):
            ref = re.fullmatch(r"(.+?)[@:#]v?\d+", target)
            if ref and not path.exists():  # git's rev@n habit: C-2026-0001@1
                versions = f"contractctl diff {ref.group(1)} --from 1 --to 2"
                raise InvalidInput(
                    f"{target}: no such file; to compare two versions of a contract, "
                    f"give its id with the versions: {versions}"
                )
        return file_text(a), file_text(b), a.name, b.name, f"{a.name} → {b.name}"
    if len(targets) != 1:
        raise InvalidInput("diff takes a contract id, or two files to compare")
    if Path(targets[0]).suffix.lower() in (".pdf", ".docx", ".txt", ".md") or "/" in targets[0]:
        raise InvalidInput(  # a file alone: not a contract id that was mistyped
            f"{targets[0]}: diff compares two files (give the other one too), "
            "or two versions of a contract in the store (give its id)"
        )
    from contractctl.drafting.amend import version_row, version_text
    from contractctl.records.contracts import get_contract

    store = app.store()
    contract = get_contract(store.conn, targets[0])
    new_n = to_n if to_n is not None else contract.version
    new_row = version_row(store, contract.id, new_n)
    if from_n is None:
        from_n = new_row["parent_n"] or (new_n - 1)
        if from_n < 1:
            raise InvalidInput(
                f"{contract.id} has only version {new_n}: nothing to compare it with",
                hint="name two versions with --from N --to M",
            )
    version_row(store, contract.id, from_n)
    return (
        version_text(store, contract.id, from_n),
        version_text(store, contract.id, new_n),
        f"{contract.id} v{from_n}",
        f"{contract.id} v{new_n}",
        contract.title,
    )


def _write(path: Path, text: str) -> None:
    from contractctl.errors import InvalidInput

    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot write {path}: {exc.strerror or exc}") from exc


# --- the text redline -------------------------------------------------------------

_KIND = {
    "added": "added",
    "deleted": "deleted",
    "modified": "changed",
    "moved": "moved",
    "renumbered": "renumbered",
}


def _semantic_line(change: dict[str, Any]) -> str:
    where = f"  ({change['clause']})" if change.get("clause") else ""
    if change.get("text"):
        return f"{change['text']}{where}"
    label = change.get("label") or change["what"]
    old, new = change.get("old"), change.get("new")
    old_shown = old if old is not None else "(none)"
    new_shown = new if new is not None else "(removed)"
    return f"{label} {old_shown} → {new_shown}{where}"


def _redline(data: dict[str, Any], old_label: str, new_label: str) -> list[Text]:
    """The redline as Rich Text lines: summary first, then each changed clause.

    Styles carry the meaning on a terminal; markers ``[-deleted-]`` and ``{+inserted+}``
    (as git's word diff writes them) carry it in plain text, so a pipe or a file loses
    nothing.
    """
    from rich.text import Text

    lines: list[Text] = [Text(f"--- {old_label}\n+++ {new_label}", style="bold")]
    if data["verdict"] == "same":
        lines.append(Text("No differences (formatting aside)."))
        return lines
    if data["semantic"]:
        lines.append(Text("\nWhat changes:", style="bold"))
        for change in data["semantic"]:
            lines.append(Text(f"  • {_semantic_line(change)}", style="yellow"))
    counts: dict[str, int] = {}
    for change in data["changes"]:
        counts[change["kind"]] = counts.get(change["kind"], 0) + 1
    summary = ", ".join(f"{n} {_KIND.get(k, k)}" for k, n in counts.items())
    lines.append(Text(f"\nClauses: {summary}", style="bold"))
    for change in data["changes"]:
        head = Text(f"\n@@ {change['clause']}", style="bold cyan")
        if change.get("title"):
            head.append(f" {change['title']}", style="bold cyan")
        kind = change["kind"]
        extra = ""
        if (
            kind in ("moved", "renumbered")
            and change.get("old_clause")
            and change.get("old_clause") != change.get("clause")
        ):
            extra = f" (was {change.get('old_clause')})"
        page = f", p.{change['page']}" if change.get("page") else ""
        head.append(f"  [{_KIND.get(kind, kind)}{extra}{page}]", style="dim")
        lines.append(head)
        body = Text("  ")
        if kind == "added":
            body.append("{+" + (change.get("new") or "") + "+}", style="green")
        elif kind == "deleted":
            body.append("[-" + (change.get("old") or "") + "-]", style="red strike")
        elif change.get("ops"):
            for op, text in change["ops"]:
                if op == "equal":
                    body.append(_elide(text))
                elif op == "delete":
                    body.append("[-" + text + "-]", style="red strike")
                else:
                    body.append("{+" + text + "+}", style="green")
        lines.append(body)
    return lines


def _elide(text: str, keep: int = 60) -> str:
    """Long unchanged stretches inside a clause shrink to their ends."""
    if len(text) <= 2 * keep + 5:
        return text
    return f"{text[:keep]} … {text[-keep:]}"


def _print_redline(app: AppContext, data: dict[str, Any], old_label: str, new_label: str) -> None:
    for line in _redline(data, old_label, new_label):
        app.out.print(line, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add amend and diff to the root command."""
    app.command("amend")(amend_command)
    app.command("diff")(diff_command)
