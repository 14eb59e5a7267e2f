"""Snippets: the stretch of a contract's original text where the query matched best.

FTS5 ranks the contracts, but its own snippet() would show the pair-split index text
("违约 约责 责任"), and the FTS table is contentless anyway. So the snippet is cut here,
from the original text kept in search_docs: each term's pattern is run over the folded
text (NFKC, lower case, no diacritics) as far as the first matches of every term, the
window of about ``WIDTH`` characters holding the most different terms wins, and the
matches inside it are returned as spans. A Chinese term matches across layout spaces
(质量标准 in "质 量 标 准"), as the index does.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from contractctl.search.query import Term
from contractctl.store.search_index import Document
from contractctl.store.search_text import FoldedPrefix

#: Characters of context in a snippet (Chinese is dense: 80 characters is a clause).
WIDTH = 80
#: Context kept before the first match of the window.
LEAD = 20
#: Fields searched for the snippet, in order of preference when they tie.
FIELDS = ("body", "title", "parties", "meta")
MARK_OPEN, MARK_CLOSE = "«", "»"
_MAX_MATCHES = 200
#: Characters of text first searched for a snippet, doubled until the matches are found.
_FIRST_READ = 4096
#: Matches this close to the end of a searched prefix wait for the next, longer prefix.
_EDGE = 256
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Snippet:
    """Original text around the best match, with the matched stretches as spans."""

    field: str
    text: str
    spans: tuple[tuple[int, int], ...]

    def marked(self, before: str = MARK_OPEN, after: str = MARK_CLOSE) -> str:
        """The text with each match wrapped in markers: "乙方«违约»的，应…"."""
        out: list[str] = []
        position = 0
        for start, end in self.spans:
            out.extend((self.text[position:start], before, self.text[start:end], after))
            position = end
        out.append(self.text[position:])
        return "".join(out)


def _matches(text: str, terms: list[Term]) -> list[tuple[int, int, int]]:
    """(start, end, term index) of the first matches in ``text``, in original offsets.

    Only as much of the text is folded and searched as the snippet needs: a prefix that
    doubles (from ``_FIRST_READ`` characters) until every term has matched and a
    snippet's width of text follows the last first match. Folding a whole 40 KB
    agreement per hit made snippets the cost of a search (15 ms a hit; 4-5 s for
    ``--limit 1000``); the first matches are usually in the first pages.
    """
    prefix = FoldedPrefix(text)
    while True:
        prefix.extend(max(_FIRST_READ, prefix.end * 2))
        whole = prefix.end == len(text)
        limit = prefix.end if whole else prefix.end - _EDGE
        firsts = [_first(prefix, term, limit) for term in terms]
        found = [f for f in firsts if f is not None]
        if whole or (len(found) == len(terms) and max(found) + WIDTH <= limit):
            cutoff = (max(found) if found else 0) + WIDTH
            return _collect(prefix, terms, cutoff, limit)


def _first(prefix: FoldedPrefix, term: Term, limit: int) -> int | None:
    """The original offset where ``term`` first matches in the prefix, if it ends before
    ``limit`` (a match reaching the prefix's last characters may continue past the cut)."""
    match = term.pattern.search(prefix.folded)
    if match is None or match.end() == match.start():
        return None
    if prefix.original(match.end() - 1) + 1 > limit:
        return None
    return prefix.original(match.start())


def _collect(
    prefix: FoldedPrefix, terms: list[Term], cutoff: int, limit: int
) -> list[tuple[int, int, int]]:
    """(start, end, term index) of the matches starting by ``cutoff`` and ending by
    ``limit`` (original offsets), sorted: all a snippet's window can hold."""
    found: list[tuple[int, int, int]] = []
    for index, term in enumerate(terms):
        for count, match in enumerate(term.pattern.finditer(prefix.folded)):
            if count >= _MAX_MATCHES:
                break
            if match.end() == match.start():
                continue
            start = prefix.original(match.start())
            if start > cutoff:
                break
            end = prefix.original(match.end() - 1) + 1
            if end > limit:
                break
            found.append((start, end, index))
    found.sort()
    return found


def _best_window(matches: list[tuple[int, int, int]]) -> tuple[int, int]:
    """The window start and end (in the text) holding the most different terms."""
    best: tuple[int, int, int] = (-1, 0, 0)
    best_span = (0, 0)
    for i, (start, _, _) in enumerate(matches):
        limit = start + WIDTH - LEAD
        inside = []
        for m in matches[i:]:
            if m[0] > limit:
                break
            if m[1] <= limit:
                inside.append(m)
        score = (len({m[2] for m in inside}), len(inside), -start)
        if score > best:
            best = score
            best_span = (start, max(m[1] for m in inside) if inside else matches[i][1])
    return best_span


def make_snippet(doc: Document, terms: list[Term]) -> Snippet:
    """The snippet of ``doc`` for these terms (the start of the text if none is found)."""
    chosen: tuple[str, str, list[tuple[int, int, int]]] | None = None
    best = 0
    for name in FIELDS:
        text = doc.field(name)
        if not text:
            continue
        matches = _matches(text, terms)
        distinct = len({m[2] for m in matches})
        if distinct > best:
            best, chosen = distinct, (name, text, matches)
    if chosen is None:
        name = "body" if doc.body else "title"
        return _cut(name, doc.field(name), 0, 0, [])
    name, text, matches = chosen
    first, last = _best_window(matches)
    return _cut(name, text, first, last, matches)


def _cut(
    name: str, text: str, first: int, last: int, matches: list[tuple[int, int, int]]
) -> Snippet:
    start = max(0, first - LEAD)
    end = min(len(text), max(start + WIDTH, last))
    # Never cut a CJK clause mid-way needlessly: start after a line break if one is close.
    newline = text.rfind("\n", start, first)
    if newline != -1:
        start = newline + 1
    spans = [(s, e) for s, e, _ in matches if s >= start and e <= end]
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return _flatten(
        name,
        text[start:end],
        [(s - start, e - start) for s, e in merged],
        start > 0,
        end < len(text),
    )


def _flatten(
    name: str, piece: str, spans: list[tuple[int, int]], cut_before: bool, cut_after: bool
) -> Snippet:
    """Whitespace runs (line breaks) become one space; spans follow the text."""
    runs = [(m.start(), m.end()) for m in _SPACE.finditer(piece)]
    starts = [start for start, _ in runs]
    removed: list[int] = []  # characters dropped before each run
    total = 0
    for start, end in runs:
        removed.append(total)
        total += end - start - 1

    def moved_to(offset: int) -> int:
        i = bisect_right(starts, offset) - 1
        if i < 0:
            return offset
        start, end = runs[i]
        if offset < end:  # inside the run: where its one space now stands
            return start - removed[i]
        return offset - removed[i] - (end - start - 1)

    text = _SPACE.sub(" ", piece)
    mapping = moved_to
    lead = len(text) - len(text.lstrip())
    text = text.strip()
    moved = [(mapping(s) - lead, mapping(e) - lead) for s, e in spans]
    prefix = "…" if cut_before else ""
    suffix = "…" if cut_after else ""
    shift = len(prefix)
    return Snippet(
        name,
        prefix + text + suffix,
        tuple((max(0, s) + shift, min(len(text), e) + shift) for s, e in moved if e > s),
    )
