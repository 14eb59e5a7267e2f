"""Rendering helpers: JSON on stdout, Rich tables for people.

Contract text and names are always passed as plain strings or rich.text.Text, never
as markup, so a clause with [brackets] prints as written.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from contractctl.cli.context import AppContext


def emit_json(data: Any) -> None:
    """Machine output: one JSON document on stdout, UTF-8 characters unescaped."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def money_text(amount: Mapping[str, Any] | None) -> str:
    """An amount dict ``{"minor", "currency"}`` as people read it."""
    if not amount:
        return ""
    from contractctl.money import Money, format_money

    return format_money(Money(amount["minor"], amount["currency"]))


def shown(value: Any) -> str:
    """A value as people read it, never as Python writes it: yes/no for a flag,
    "(none)" for nothing, an amount with its currency, a list joined by commas."""
    from contractctl.i18n import _

    if value is None:
        return _("(none)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if hasattr(value, "to_dict") and hasattr(value, "minor"):
        return money_text(value.to_dict())
    if isinstance(value, Mapping) and {"minor", "currency"} <= set(value):
        return money_text(value)
    if isinstance(value, (frozenset, set)):
        return ", ".join(sorted(shown(v) for v in value)) or _("(none)")
    if isinstance(value, (list, tuple)):
        return ", ".join(shown(v) for v in value) or _("(none)")
    return str(value)


def table(
    app: AppContext,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str | None = None,
    justify_right: Sequence[str] = (),
) -> None:
    """A simple Rich table on stdout; its title and column headings in the user's language."""
    from rich import box
    from rich.table import Table

    from contractctl.i18n import _

    plain = not app.out.is_terminal
    grid = Table(
        title=_(title) if title else title,
        show_lines=False,
        header_style="bold",
        expand=False,
        box=None if plain else box.HEAVY_HEAD,
        title_justify="left",
    )
    for column in columns:
        grid.add_column(
            _(column), overflow="fold", justify="right" if column in justify_right else "left"
        )
    for row in rows:
        grid.add_row(*["" if v is None else str(v) for v in row])
    app.out.print(grid)


def key_values(
    app: AppContext, pairs: Iterable[tuple[str, Any]], *, title: str | None = None
) -> None:
    """Labelled values, one per line, empty ones skipped; labels in the user's language."""
    from rich.table import Table

    from contractctl.i18n import _

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for key, value in pairs:
        if value in (None, "", [], {}):
            continue
        grid.add_row(_(key), shown(value))
    if title:
        app.out.print(_(title), style="bold")
    app.out.print(grid)
