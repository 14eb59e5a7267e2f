"""A comparison as one standalone HTML redline page.

The page needs nothing but a browser: inline CSS, no scripts, no external fonts or
images (a CJK font stack picks whatever the reader's system has). It speaks the
contract's language (Chinese headings and labels for a Chinese contract). On top, what a
reviewer needs to trust it: both versions' labels and SHA-256, who made the redline and
when, and a summary of the changes by severity; then the changed values (amounts, dates,
percentages, durations, parties), then the new version clause by clause: insertions in
``<ins>``, deletions in ``<del>``, deleted clauses where they used to stand, moved
clauses linked both ways between their old and new position, and table rows (cells
separated by `` | `` in extracted text) as tables. Contract text is untrusted, so every
piece of it goes through ``html.escape``.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from datetime import UTC, datetime
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
table.severity { width: auto; }
.clause table.cells { width: auto; margin: .2rem 0; white-space: normal; }
.clause table.cells td { padding: .1rem .4rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem;
  font-size: .85rem; color: #444; }
dl.meta dt { font-weight: bold; } dl.meta dd { margin: 0; font-family: monospace; }
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

#: The page's words, in the contract's language.
_WORDS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "added": "added", "deleted": "deleted", "modified": "modified", "moved": "moved",
        "renumbered": "renumbered", "critical": "critical", "major": "major",
        "minor": "minor", "amount": "amount", "date": "date", "percentage": "percentage",
        "duration": "duration", "party": "party", "values": "Changed values",
        "redline": "Redline", "summary": "Summary by severity", "clause": "Clause",
        "what": "What", "label": "Label", "old": "Old", "new": "New", "page": "p. {}",
        "from": "from", "was": "was", "moved_to": "moved to", "same":
        "No differences: the two versions read the same.", "changed":
        "{} changed clauses ({}).", "old_version": "Old version", "new_version":
        "New version", "made": "Made", "by": "by", "severity": "Severity",
        "count": "Changes", "where": "Clauses", "none": "—",
    },
    "zh": {
        "added": "新增", "deleted": "删除", "modified": "修改", "moved": "移动",
        "renumbered": "重新编号", "critical": "严重", "major": "重要", "minor": "轻微",
        "amount": "金额", "date": "日期", "percentage": "比例", "duration": "期限",
        "party": "当事人", "values": "变更的数值", "redline": "逐条修订",
        "summary": "变更概要（按严重程度）", "clause": "条款", "what": "类别", "label": "项目",
        "old": "原值", "new": "新值", "page": "第{}页", "from": "原位于", "was": "原编号",
        "moved_to": "已移至", "same": "两个版本内容一致（格式差异除外）。",
        "changed": "共{}处条款变更（{}）。", "old_version": "原版本", "new_version": "新版本",
        "made": "生成", "by": "生成人", "severity": "严重程度", "count": "数量",
        "where": "条款", "none": "—", "preamble": "首部", "cover": "封面",
    },
}  # fmt: skip
_SEVERITIES: Final = ("critical", "major", "minor")
_CELL_SPLIT: Final = re.compile(r"(?:(?<=\s)|^)\|(?=\s|$)")


def _language(comparison: Comparison) -> str:
    """``zh`` when the contract's text is mostly Chinese, else ``en``."""
    sample = "".join(c.text for c in comparison.new_clauses or comparison.old_clauses)[:8000]
    cjk = sum(1 for c in sample if "\u4e00" <= c <= "\u9fff")
    latin = sum(1 for c in sample if c.isascii() and c.isalpha())
    return "zh" if cjk * 2 >= latin and cjk else "en"


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _value(text: str | None) -> str:
    return _e(text) if text is not None else "—"


def _mark(op: str, text: str) -> str:
    if not text:
        return ""
    if op == "insert":
        return f"<ins>{_e(text)}</ins>"
    if op == "delete":
        return f"<del>{_e(text)}</del>"
    return _e(text)


def _common(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` share at their start."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _tidy(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A deletion and the insertion that replaces it, less the cell separators they share
    at either end (``| 5`` → ``| 8`` is the cell 5 → 8, not a change of the table's cells).
    """
    out: list[tuple[str, str]] = []
    n = 0
    while n < len(ops):
        op, text = ops[n]
        if op == "delete" and n + 1 < len(ops) and ops[n + 1][0] == "insert":
            added = ops[n + 1][1]
            shared = text[: _common(text, added)]
            head = shared.rfind("|") + 1  # up to a separator: a value stays whole
            ending = text[len(text) - _common(text[head:][::-1], added[head:][::-1]) :]
            tail = len(ending) - ending.find("|") if "|" in ending else 0
            out += [
                ("equal", text[:head]),
                ("delete", text[head : len(text) - tail]),
                ("insert", added[head : len(added) - tail]),
                ("equal", text[len(text) - tail :]),
            ]
            n += 2
            continue
        out.append((op, text))
        n += 1
    return [(op, text) for op, text in out if text]


def _lines(ops: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The redline runs cut into lines (a run that spans a line break is split)."""
    lines: list[list[tuple[str, str]]] = [[]]
    for op, text in _tidy(ops):
        for n, piece in enumerate(text.split("\n")):
            if n:
                lines.append([])
            if piece:
                lines[-1].append((op, piece))
    return lines


def _cells(line: list[tuple[str, str]]) -> list[list[tuple[str, str]]] | None:
    """A table row's cells (extracted text writes them ``a | b | c``), or None."""
    if not any(_CELL_SPLIT.search(text) for _, text in line):
        return None
    cells: list[list[tuple[str, str]]] = [[]]
    for op, text in line:
        for n, piece in enumerate(_CELL_SPLIT.split(text)):
            if n:
                cells.append([])
            if piece.strip():
                cells[-1].append((op, piece.strip(" ")))
    return cells


def _body(ops: list[tuple[str, str]]) -> str:
    """Text with its redline marks, table rows as rows of one table."""
    parts: list[str] = []
    rows: list[str] = []
    text: list[str] = []

    def flush_text() -> None:
        if text:
            parts.append('<p class="text">' + "\n".join(text) + "</p>")
            text.clear()

    def flush_rows() -> None:
        if rows:
            parts.append('<table class="cells"><tbody>' + "".join(rows) + "</tbody></table>")
            rows.clear()

    for line in _lines(ops):
        cells = _cells(line)
        if cells is None:
            flush_rows()
            text.append("".join(_mark(op, t) for op, t in line))
        else:
            flush_text()
            rows.append(
                "<tr>"
                + "".join("<td>" + "".join(_mark(op, t) for op, t in c) + "</td>" for c in cells)
                + "</tr>"
            )
    flush_text()
    flush_rows()
    return "".join(parts)


class _Page:
    """The page's parts, in one language."""

    def __init__(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self.lang = _language(comparison)
        self.words = _WORDS[self.lang]

    def w(self, key: str) -> str:
        return self.words.get(key, key)

    def id(self, clause: str | None) -> str:
        """A clause's id as the page's language says it: the front matter's names
        (preamble, cover) translated, the numbers as the contract writes them."""
        if clause is None:
            return ""
        head, space, rest = clause.partition(" ")
        return self.w(head) + space + rest if head in ("preamble", "cover") else clause

    def values_list(self, items: list[SemanticChange]) -> str:
        if not items:
            return ""
        rows = "".join(
            f"<li>{_e(s.label)}: <del>{_value(s.old)}</del> → <ins>{_value(s.new)}</ins></li>"
            for s in items
        )
        return f'<ul class="values">{rows}</ul>'

    def head(self, change: ClauseChange, anchor: str) -> str:
        title = f" {_e(change.title)}" if change.title else ""
        extra = ""
        if change.kind == "moved" and change.old_index is not None:
            old_page = f" ({_e(self.w('page').format(change.old_page))})" if change.old_page else ""
            extra = (
                f' — {_e(self.w("from"))} <a href="#o-{change.old_index}">'
                f"{_e(self.id(change.old_clause))}</a>{old_page}"
            )
        elif change.kind == "renumbered" and change.old_clause:
            extra = f" — {_e(self.w('was'))} {_e(self.id(change.old_clause))}"
        page = (
            f'<span class="badge">{_e(self.w("page").format(change.page))}</span>'
            if change.page
            else ""
        )
        return (
            f'<div class="head"><a href="#{anchor}"><b>{_e(self.id(change.clause))}</b></a>{title} '
            f'<span class="badge {change.severity}">{_e(self.w(change.severity))}</span>'
            f'<span class="badge">{_e(self.w(change.kind))}</span>{page}{extra}</div>'
        )

    def changed_clause(self, change: ClauseChange, anchor: str) -> str:
        if change.ops:
            body = _body(change.ops)
        elif change.kind == "added":
            body = _body([("insert", change.new or "")])
        elif change.kind == "deleted":
            body = _body([("delete", change.old or "")])
        else:
            body = _body([("equal", change.new if change.new is not None else change.old or "")])
        return (
            f'<div class="{_class(change)}" id="{anchor}">{self.head(change, anchor)}'
            f"{self.values_list(change.semantic)}{body}</div>"
        )

    def meta(self, old_label: str, new_label: str, made_by: str | None, made_at: datetime) -> str:
        c = self.comparison
        rows = [
            (self.w("old_version"), f"{old_label}  SHA-256 {c.old_sha256 or self.w('none')}"),
            (self.w("new_version"), f"{new_label}  SHA-256 {c.new_sha256 or self.w('none')}"),
            (self.w("made"), made_at.isoformat(timespec="seconds")),
        ]
        if made_by:
            rows.append((self.w("by"), made_by))
        items = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows)
        return f'<dl class="meta">{items}</dl>'

    def summary(self, anchors: dict[str, str]) -> str:
        c = self.comparison
        if c.verdict == "same":
            return f'<p class="verdict">{_e(self.w("same"))}</p>'
        counts = Counter(change.kind for change in c.changes)
        sep = "，" if self.lang == "zh" else ", "
        listed = sep.join(
            f"{n} {self.w(kind)}" if self.lang == "en" else f"{self.w(kind)}{n}"
            for kind, n in sorted(counts.items())
        )
        verdict = self.w("changed").format(len(c.changes), listed)
        rows = []
        for severity in _SEVERITIES:
            found = [change for change in c.changes if change.severity == severity]
            if not found:
                continue
            links = ", ".join(self.link(change.clause, anchors) for change in found)
            rows.append(
                f'<tr><td><span class="badge {severity}">{_e(self.w(severity))}</span></td>'
                f"<td>{len(found)}</td><td>{links}</td></tr>"
            )
        return (
            f'<p class="verdict">{_e(verdict)}</p><h2>{_e(self.w("summary"))}</h2>'
            f'<table class="severity"><thead><tr><th>{_e(self.w("severity"))}</th>'
            f"<th>{_e(self.w('count'))}</th><th>{_e(self.w('where'))}</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )

    def link(self, clause: str, anchors: dict[str, str]) -> str:
        anchor = anchors.get(clause)
        shown = _e(self.id(clause))
        return f'<a href="#{anchor}">{shown}</a>' if anchor else shown

    def values(self, anchors: dict[str, str]) -> str:
        c = self.comparison
        if not c.semantic:
            return ""
        rows = "".join(
            f"<tr><td>{self.link(item.clause, anchors)}</td><td>{_e(self.w(item.what))}</td>"
            f'<td>{_e(item.label)}</td><td class="old">{_value(item.old)}</td>'
            f'<td class="new">{_value(item.new)}</td></tr>'
            for item in c.semantic
        )
        head = "".join(
            f"<th>{_e(self.w(k))}</th>" for k in ("clause", "what", "label", "old", "new")
        )
        return (
            f"<h2>{_e(self.w('values'))}</h2><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )


def _class(change: ClauseChange) -> str:
    if change.severity == "critical":
        return "clause critical"
    return "clause minor" if change.severity == "minor" else "clause changed"


def render_html(
    comparison: Comparison,
    *,
    old_label: str,
    new_label: str,
    title: str,
    made_by: str | None = None,
    made_at: datetime | None = None,
) -> str:
    """One standalone HTML page for a comparison (see the module docstring).

    ``old_label``/``new_label`` name the versions (a contract id and version, or a file);
    ``made_by`` and ``made_at`` (default: now, UTC) say who made the redline and when.
    """
    page = _Page(comparison)
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
    stayed = sorted((i, j) for i, j in comparison.matches.items() if j not in moved_to)
    stayed_old = [i for i, _ in stayed]
    highest = list(itertools.accumulate((j for _, j in stayed), max, initial=-1))

    def position(i: int) -> int:
        return highest[bisect.bisect_left(stayed_old, i)]

    placeholders: dict[int, list[str]] = {}
    for i in sorted(moved_away):
        change = moved_away[i]
        placeholders.setdefault(position(i), []).append(
            f'<div class="clause minor placeholder" id="o-{i}">{_e(page.id(change.old_clause))} '
            f'{_e(page.w("moved_to"))} <a href="#n-{change.new_index}">'
            f"{_e(page.id(change.clause))}</a>"
            "</div>"
        )
    for change in deleted:
        i = change.old_index if change.old_index is not None else -1
        placeholders.setdefault(position(i), []).append(page.changed_clause(change, f"o-{i}"))
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
            body.append(page.changed_clause(found, anchor))
        elif clause.text.strip():
            text = _body([("equal", clause.text)])
            body.append(f'<div class="clause same" id="{anchor}">{text}</div>')
        body += placeholders.get(j, [])
    when = made_at or datetime.now(UTC)
    lang = "zh-CN" if page.lang == "zh" else "en"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{_e(title)}</h1>"
        f'<p class="versions"><del>{_e(old_label)}</del> → <ins>{_e(new_label)}</ins></p>'
        f"{page.meta(old_label, new_label, made_by, when)}"
        f"</header>\n<section>{page.summary(anchors)}{page.values(anchors)}</section>\n"
        f"<section><h2>{_e(page.w('redline'))}</h2>\n{''.join(body)}\n</section>\n"
        "</body>\n</html>\n"
    )
