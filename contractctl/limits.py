"""Bounds on every input contractctl parses, and the parsers that keep to them.

A hand-edited rule file, a CSV from a spreadsheet or a bundle from a stranger can be
hostile or simply huge. Python's parsers then fail in ways that say nothing to a user:
nested brackets exhaust the interpreter's recursion (``RecursionError``), a long CSV
cell hits the csv module's field limit. Every such input is read through here, so each
failure is an :class:`~contractctl.errors.InvalidInput` (exit 2) that names the limit.
"""

from __future__ import annotations

import json
from typing import Any

from contractctl.errors import InvalidInput

#: Deepest nesting of arrays and tables (TOML) or arrays and objects (JSON) accepted.
MAX_DEPTH = 64
#: Largest TOML file (configuration, people, rules, template schemas, data files).
MAX_TOML_BYTES = 4 << 20
#: Largest JSON document read from a user (data files, manifests).
MAX_JSON_BYTES = 64 << 20
#: Largest CSV cell, in characters (Python's csv module's own default limit).
MAX_CSV_CELL = 131_072
#: Most rows one `draft-batch` CSV may hold.
MAX_CSV_ROWS = 1_000_000
#: Most pages of a PDF that is read (`import --max-pages` sets it for one run). Reading
#: is page by page in bounded memory; the bound is on time (5-12 ms a page) and on the
#: text kept (~1 KB a page).
MAX_PDF_PAGES = 10_000


def too_deep(what: str) -> InvalidInput:
    """The error for input nested deeper than :data:`MAX_DEPTH`."""
    return InvalidInput(
        f"{what}: nested deeper than {MAX_DEPTH} levels (the limit)",
        hint="flatten the nesting; no contractctl file needs that many levels",
    )


def depth(value: Any) -> int:
    """How deeply lists and dicts nest in ``value`` (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        level += 1
        if level > MAX_DEPTH:
            return level
        deepest = max(deepest, level)
        stack.extend((child, level) for child in children)
    return deepest


def check_depth(value: Any, what: str) -> None:
    """Refuse parsed data nested deeper than :data:`MAX_DEPTH`."""
    if depth(value) > MAX_DEPTH:
        raise too_deep(what)


def check_pages(count: int, limit: int, option: str = "--max-pages") -> None:
    """Refuse a PDF of more than ``limit`` pages before any page is read, naming the
    limit and the option that changes it."""
    if count > limit:
        raise InvalidInput(
            f"{count:,} pages: more than the limit of {limit:,} pages",
            hint=f"{option} {count} reads it, if it is one contract",
        )


def check_size(size: int, limit: int, what: str) -> None:
    """Refuse an input of ``size`` bytes over ``limit``, naming both."""
    if size > limit:
        raise InvalidInput(
            f"{what}: {_mb(size)} is over the limit of {_mb(limit)}",
        )


def json_loads(text: str | bytes, what: str) -> Any:
    """Parse JSON from a user, bounded in size and depth; errors are InvalidInput."""
    check_size(len(text), MAX_JSON_BYTES, what)
    try:
        value = json.loads(text)
    except RecursionError:
        raise too_deep(what) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{what}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{what}: invalid JSON: {exc}") from None
    check_depth(value, what)
    return value


def _mb(size: int) -> str:
    if size >= 1 << 20:
        return f"{size / (1 << 20):.1f} MB"
    return f"{size:,} bytes"
