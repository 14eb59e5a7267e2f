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
        found = _matches_in(prefix, terms, whole)
        if whole:
            return found
        firsts: dict[int, int] = {}
        for start, _, index in found:
            firsts.setdefault(index, start)
        if len(firsts) == len(terms) and max(firsts.values()) + WIDTH <= prefix.end - _EDGE:
            return found


def _matches_in(prefix: FoldedPrefix, terms: list[Term], whole: bool) -> list[tuple[int, int, int]]:
    """The matches in the folded prefix; when it is not the ``whole`` text, matches
    reaching into its last ``_EDGE`` characters are left out (they may continue past
    the cut)."""
    limit = prefix.end if whole else prefix.end - _EDGE
    found: list[tuple[int, int, int]] = []
    for index, term in enumerate(terms):
        for count, match in enumerate(term.pattern.finditer(prefix.folded)):
            if count >= _MAX_MATCHES:
                break
            start, end = match.span()
            if end == start:
                continue
            start, end = prefix.original(start), prefix.original(end - 1) + 1
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
    out: list[str] = []
    mapping: list[int] = []  # original offset in piece -> offset in out
    position = 0
    for match in _SPACE.finditer(piece):
        for offset in range(position, match.start()):
            mapping.append(len(out))
            out.append(piece[offset])
        for _ in range(match.start(), match.end()):
            mapping.append(len(out))
        out.append(" ")
        position = match.end()
    for offset in range(position, len(piece)):
        mapping.append(len(out))
        out.append(piece[offset])
    mapping.append(len(out))
    text = "".join(out)
    lead = len(text) - len(text.lstrip())
    text = text.strip()
    moved = [(mapping[s] - lead, mapping[e] - lead) for s, e in spans]
    prefix = "…" if cut_before else ""
    suffix = "…" if cut_after else ""
    shift = len(prefix)
    return Snippet(
        name,
        prefix + text + suffix,
        tuple((max(0, s) + shift, min(len(text), e) + shift) for s, e in moved if e > s),
    )
