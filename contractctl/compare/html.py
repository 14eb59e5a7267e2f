"""A comparison as one standalone HTML redline page.

The page needs nothing but a browser: inline CSS, no scripts, no external fonts or
images (a CJK font stack picks whatever the reader's system has). On top, the changed
values (amounts, dates, percentages, durations, parties), then the new version clause by
clause: insertions in ``<ins>``, deletions in ``<del>``, deleted clauses where they used
to stand, and moved clauses linked both ways between their old and new position.
Contract text is untrusted, so every piece of it goes through ``html.escape``.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import Final

from contractctl.compare.model import ClauseChange, Comparison, SemanticChange

__all__ = ["render_html"]

_CSS: Final = """
:root { color-scheme: light; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
  "Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans", Arial,
  sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1b1b1b;
  line-height: 1.6; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
h2 { font-size: 1.15rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; }
.versions { color: #555; margin-top: 0; }
.verdict { font-weight: bold; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1rem; }
th, td { border: 1px solid #ddd; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.old { color: #a40000; } td.new { color: #005a00; }
.clause { margin: .6rem 0; padding: .4rem .6rem; border-left: 4px solid transparent; }
.clause .text { white-space: pre-wrap; margin: 0; }
.clause.same { color: #666; }
.clause.changed { border-left-color: #e0a800; background: #fffdf3; }
.clause.critical { border-left-color: #c00000; background: #fff6f6; }
.clause.minor { border-left-color: #7aa7d8; background: #f6f9fd; }
.head { font-size: .9rem; margin-bottom: .2rem; }
.badge { display: inline-block; font-size: .75rem; padding: 0 .4rem; border-radius: .6rem;
  background: #eee; margin-right: .3rem; }
.badge.critical { background: #c00000; color: #fff; }
.badge.major { background: #e0a800; color: #000; }
.badge.minor { background: #7aa7d8; color: #000; }
ins { background: #d4f7d4; color: #004d00; text-decoration: none; }
del { background: #ffd6d6; color: #8a0000; }
.placeholder { color: #555; font-style: italic; }
ul.values { margin: .2rem 0 .2rem 1.2rem; padding: 0; font-size: .9rem; }
a { color: #0645ad; }
@media print { .clause { break-inside: avoid; } body { margin: 0; } }
"""

_KIND_WORDS: Final = {
    "added": "added",
    "deleted": "deleted",
    "modified": "modified",
    "moved": "moved",
    "renumbered": "renumbered",
}


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _value(text: str | None) -> str:
    return _e(text) if text is not None else "—"


def _redline(ops: list[tuple[str, str]]) -> str:
    parts: list[str] = []
    for op, text in ops:
        if op == "insert":
            parts.append(f"<ins>{_e(text)}</ins>")
        elif op == "delete":
            parts.append(f"<del>{_e(text)}</del>")
        else:
            parts.append(_e(text))
    return "".join(parts)


def _values_list(items: list[SemanticChange]) -> str:
    if not items:
        return ""
    rows = "".join(
        f"<li>{_e(s.label)}: <del>{_value(s.old)}</del> → <ins>{_value(s.new)}</ins></li>"
        for s in items
    )
    return f'<ul class="values">{rows}</ul>'


def _class(change: ClauseChange) -> str:
    if change.severity == "critical":
        return "clause critical"
    return "clause minor" if change.severity == "minor" else "clause changed"


def _head(change: ClauseChange, anchor: str) -> str:
    title = f" {_e(change.title)}" if change.title else ""
    extra = ""
    if change.kind == "moved" and change.old_index is not None:
        extra = (
            f' — from <a href="#o-{change.old_index}">{_e(change.old_clause)}</a>'
            f" (p. {_e(change.old_page)})"
        )
    elif change.kind == "renumbered":
        extra = f" — was {_e(change.old_clause)}"
    return (
        f'<div class="head"><a href="#{anchor}"><b>{_e(change.clause)}</b></a>{title} '
        f'<span class="badge {change.severity}">{_e(change.severity)}</span>'
        f'<span class="badge">{_e(_KIND_WORDS[change.kind])}</span>'
        f'<span class="badge">p. {_e(change.page)}</span>{extra}</div>'
    )


def _changed_clause(change: ClauseChange, anchor: str) -> str:
    if change.ops:
        body = _redline(change.ops)
    else:
        body = _e(change.new if change.new is not None else change.old or "")
    return (
        f'<div class="{_class(change)}" id="{anchor}">{_head(change, anchor)}'
        f'{_values_list(change.semantic)}<p class="text">{body}</p></div>'
    )


def _summary(comparison: Comparison, anchors: dict[str, str]) -> str:
    counts = Counter(c.kind for c in comparison.changes)
    if comparison.verdict == "same":
        verdict = "No differences: the two versions read the same."
    else:
        listed = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
        verdict = f"{len(comparison.changes)} changed clauses ({listed})."
    parts = [f'<p class="verdict">{_e(verdict)}</p>']
    if comparison.semantic:
        rows = []
        for item in comparison.semantic:
            anchor = anchors.get(item.clause)
            where = f'<a href="#{anchor}">{_e(item.clause)}</a>' if anchor else _e(item.clause)
            rows.append(
                f"<tr><td>{where}</td><td>{_e(item.what)}</td><td>{_e(item.label)}</td>"
                f'<td class="old">{_value(item.old)}</td>'
                f'<td class="new">{_value(item.new)}</td></tr>'
            )
        parts.append(
            "<h2>Changed values</h2><table><thead><tr><th>Clause</th><th>What</th>"
            "<th>Label</th><th>Old</th><th>New</th></tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table>"
        )
    return "".join(parts)


def render_html(comparison: Comparison, *, old_label: str, new_label: str, title: str) -> str:
    """One standalone HTML page for a comparison (see the module docstring)."""
    by_new = {
        c.new_index: c
        for c in comparison.changes
        if c.new_index is not None and c.kind != "deleted"
    }
    deleted = [c for c in comparison.changes if c.kind == "deleted"]
    moved_away = {
        c.old_index: c for c in comparison.changes if c.kind == "moved" and c.old_index is not None
    }
    covered: set[int] = set()  # new clauses shown inside an added parent's change
    for change in comparison.changes:
        if change.kind == "added" and change.new_index is not None:
            start = change.new_index
            clauses = comparison.new_clauses
            for k in range(start + 1, len(clauses)):
                if clauses[k].level <= clauses[start].level:
                    break
                if k not in by_new:
                    covered.add(k)
    # Old clauses are shown where they stood: after the new position of the nearest
    # earlier old clause that stayed in place.
    moved_to = {c.new_index for c in moved_away.values()}
    stayed = {i: j for i, j in comparison.matches.items() if j not in moved_to}

    def position(i: int) -> int:
        return max((j for k, j in stayed.items() if k < i), default=-1)

    placeholders: dict[int, list[str]] = {}
    for i in sorted(moved_away):
        change = moved_away[i]
        placeholders.setdefault(position(i), []).append(
            f'<div class="clause minor placeholder" id="o-{i}">{_e(change.old_clause)} '
            f'moved to <a href="#n-{change.new_index}">{_e(change.clause)}</a></div>'
        )
    for change in deleted:
        i = change.old_index if change.old_index is not None else -1
        placeholders.setdefault(position(i), []).append(_changed_clause(change, f"o-{i}"))
    anchors: dict[str, str] = {}
    for change in comparison.changes:
        if change.kind == "deleted":
            anchors.setdefault(change.clause, f"o-{change.old_index}")
        else:
            anchors.setdefault(change.clause, f"n-{change.new_index}")
    body: list[str] = list(placeholders.get(-1, []))
    for j, clause in enumerate(comparison.new_clauses):
        if j in covered:
            continue
        found = by_new.get(j)
        anchor = f"n-{j}"
        if found is not None:
            body.append(_changed_clause(found, anchor))
        elif clause.text.strip():
            text = _e(clause.text)
            body.append(f'<div class="clause same" id="{anchor}"><p class="text">{text}</p></div>')
        body += placeholders.get(j, [])
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{_e(title)}</h1>"
        f'<p class="versions"><del>{_e(old_label)}</del> → <ins>{_e(new_label)}</ins></p>'
        f"</header>\n<section>{_summary(comparison, anchors)}</section>\n"
        f"<section><h2>Redline</h2>\n{''.join(body)}\n</section>\n</body>\n</html>\n"
    )
