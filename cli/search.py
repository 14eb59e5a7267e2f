"""`contractctl search QUERY [filters]`: full-text search, Chinese and English."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from contractctl.cli import filters as F
from contractctl.cli.context import app_context
from contractctl.cli.output import emit_json

if TYPE_CHECKING:
    from contractctl.cli.context import AppContext

    from contractctl.search import Results

QUERY_HELP = (
    "Words to find, all of them (AND). Chinese matches inside text, English whole words "
    'in any case; pay* for prefixes; "a phrase" in quotes; -word to leave out; a OR b.'
)


def search_command(
    ctx: typer.Context,
    query: Annotated[list[str], typer.Argument(metavar="QUERY", help=QUERY_HELP)],
    type_: F.Type = None,
    status: F.Status = None,
    party: F.Party = None,
    signed_from: F.SignedFrom = None,
    signed_to: F.SignedTo = None,
    expires_before: F.ExpiresBefore = None,
    min_amount: F.MinAmount = None,
    max_amount: F.MaxAmount = None,
    limit: Annotated[int, typer.Option(help="At most this many hits, best first.")] = 20,
) -> None:
    """Find contracts by their text, title, parties and metadata, best match first.

    Each hit shows the passage that matched, the match marked «like this» when the
    output is not a terminal. Write -- before a query that starts with -word.
    """
    from contractctl.search import search

    app = app_context(ctx)
    store = app.store()
    flt = F.build_filter(
        store,
        status=status,
        type_=type_,
        party=party,
        signed_from=signed_from,
        signed_to=signed_to,
        expires_before=expires_before,
        min_amount=min_amount,
        max_amount=max_amount,
    )
    text = " ".join(query)
    results = search(store.conn, text, flt, limit=limit)
    if app.json:
        emit_json([hit.to_dict() for hit in results.hits])
    else:
        _render(app, results)
    if not results.hits:
        if not app.quiet:
            from contractctl.i18n import translate

            said = text if len(text) <= 60 else text[:59] + "…"  # a pasted page: its start
            app.err.print(translate(f"no contracts match {said}"))
        return
    shown = f"{len(results.hits)} contract{'s' if len(results.hits) != 1 else ''}"
    common = ", ".join(str(t) for t in results.common)
    if results.ranking == "newest":
        app.note(
            f"{shown}, most recently added first: {common} "
            f"{'is' if len(results.common) == 1 else 'are'} in too many contracts to rank "
            "by relevance; add a rarer word to rank"
        )
    elif results.windowed:
        app.note(
            f"{shown}, best match first among the {results.window:,} most recently added "
            "matches; add words or filters to narrow the search"
        )
    else:
        app.note(f"{shown}, best match first")


def _render(app: AppContext, results: Results) -> None:
    from rich.text import Text

    terminal = app.out.is_terminal
    for hit in results.hits:
        c = hit.contract
        line = Text()
        line.append(c.id, style="bold")
        line.append(f"  {c.title}")
        if c.counterparty:
            line.append(f"  {c.counterparty['name']}", style="cyan" if terminal else "")
        score = "" if hit.score is None else f"  score {hit.score:.3g}"
        line.append(f"  {c.status}  {c.type}{score}", style="dim")
        app.out.print(line)
        snippet = hit.snippet
        if terminal:
            body = Text("  " + snippet.text)
            for start, end in snippet.spans:
                body.stylize("bold reverse", start + 2, end + 2)
        else:
            body = Text("  " + snippet.marked())
        app.out.print(body)


def register(app: typer.Typer) -> None:
    """Attach `search` to the root app."""
    app.command("search", context_settings={"ignore_unknown_options": True})(search_command)
