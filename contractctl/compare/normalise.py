"""Comparison form of contract text: what is left when formatting is taken away.

The same contract reaches the compare engine as DOCX text (one paragraph per line, table
rows joined with `` | ``), as PDF text from ``pdftotext`` (pages separated by form feeds,
lines wrapped, spaces between CJK characters, page headers and footers, table cells one
per line) and as OCR output. Two texts that differ only in those ways must compare equal,
so this module removes them, in two steps:

* :func:`clean_lines` works on lines and pages: it drops page headers and footers (lines
  repeated at the same edge of most pages) and page-number lines (``第 1 页 共 6 页``,
  ``Page 1 of 6``, ``- 3 -``), joins words hyphenated across a line break and values a
  narrow table cell wrapped (``1,280,000.0`` | ``0元``), and keeps the page on which
  every remaining line stood, so clauses can say where they start;
* :func:`fold` and :func:`normalise` work on characters: NFKC width folding (full-width
  digits, letters and punctuation), one form for each punctuation variant (``，`` and
  ``,``, ``“`` and ``"``, the dashes), and whitespace removed wherever it does not
  separate two Latin words or numbers (so ``2026 年 11 月`` equals ``2026年11月``).

:func:`tokenise` splits text into the units the inline diff compares: one CJK character,
one Latin word, one number (digits with their ``,`` and ``.``) or one punctuation mark.
Each token keeps the original text it came from for display, and remembers whether it
starts or ends a line or table cell and whether it opens a page; the layout-tolerant
comparison in :mod:`contractctl.compare.inline` needs those.

With ``ocr=True`` the common OCR confusions are folded too (``0/O/o``, ``1/l/I/|``,
``5/S``, ``8/B`` inside numbers; 己/已/巳, 末/未, 士/土, 曰/日, 人/入, 千/干, 签/等:
chi_sim reads a clean 千 as 干 with confidence 0 and 签收 as 等收 at 87-95 on a 300 dpi
scan, and no forgery turns one into the other to any end). Letters are read as
digits only inside a token that already has digits, and a digit is never folded into
another digit: a number OCR read with digits on both sides is compared digit by digit.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from contractctl.compare.wrapped import value_cut
from contractctl.documents.symbols import readable

__all__ = [
    "Line",
    "Token",
    "clean_lines",
    "fold",
    "fold_ocr_values",
    "normalise",
    "normalise_lines",
    "running_form",
    "running_lines",
    "tokenise",
]

#: Punctuation variants folded to one form (after NFKC, which already folds the
#: full-width forms ，：；（）！？ and the ideographic space).
_PUNCTUATION: Final = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "「": '"',
        "」": '"',
        "『": '"',
        "』": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "【": "[",
        "】": "]",
        "〔": "(",
        "〕": ")",
        "—": "-",
        "–": "-",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "―": "-",
        "−": "-",
        "〜": "~",
        "○": "〇",
        "\u00ad": None,  # soft hyphen
        "\u200b": None,  # zero-width space
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
    }
)
_INVISIBLE: Final = str.maketrans(
    dict.fromkeys(["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
)

#: OCR confusions between CJK characters, folded to the commoner one.
_OCR_CJK: Final = str.maketrans(
    {"己": "已", "巳": "已", "末": "未", "士": "土", "曰": "日", "入": "人", "干": "千", "等": "签"}
)
#: Letters OCR reads for digits, inside a token that has digits.
_OCR_TO_DIGIT: Final = str.maketrans(
    {"O": "0", "o": "0", "l": "1", "I": "1", "|": "1", "S": "5", "B": "8"}
)
#: Digits OCR reads for letters, inside a word that has letters.
_OCR_TO_LETTER: Final = str.maketrans({"0": "o", "1": "l", "|": "l", "5": "s", "8": "b"})
_OCR_DIGIT_LOOKALIKES: Final = frozenset("OolI|SB")

_LETTERS: Final = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_LATIN: Final = "0-9A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_SPACE_AT_EDGE: Final = re.compile(rf"(?<![{_LATIN}]) | (?![{_LATIN}])")
_SPACES: Final = re.compile(r"\s+")
_LETTER_HYPHEN: Final = re.compile(rf"(?<=[{_LETTERS}])-(?=[{_LETTERS}])")
_ALNUM_RUN: Final = re.compile(rf"[0-9|{_LETTERS}]+(?:[.,][0-9A-Za-z|]+)*")

# A token: a Latin word or number (hyphens and apostrophes inside words, , and . inside
# numbers), or any other single visible character. Full-width forms count as Latin.
_W: Final = (
    "0-9A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
)
_D: Final = "0-9\uff10-\uff19"
_TOKEN: Final = re.compile(rf"[{_W}]+(?:[\-‐‑'’][{_W}]+|(?<=[{_D}])[.,，．](?=[{_D}])[{_W}]+)*|\S")
# A table-cell separator as extract.docx_text writes it: " | " (or at a line's edge).
_CELL: Final = re.compile(r"(?:(?<=\s)|^)\|(?=\s|$)", re.M)
_CELL_OR_TAB: Final = re.compile(r"[ \t\u3000]*(?:(?<=\s)|^)\|(?=\s|$)[ \t\u3000]*", re.M)

# Page-number lines, matched against the folded line with spaces removed, lower case.
_PAGE_NUMBER_STRICT: Final = re.compile(
    r"^(?:第\d+页(?:[,/]?共\d+页)?|共\d+页[,/]?第\d+页|page\d+(?:of\d+)?|-\d+-|—\d+—)$"
)
_PAGE_NUMBER_EDGE: Final = re.compile(r"^(?:(\d{1,4})|(\d{1,4})/\d{1,4}|\[(\d{1,4})\])$")
_EDGE_LINES: Final = 3
#: Once a line is known to be a running header or footer, it is removed this far from
#: the page's edge (pdftotext sometimes reads a footer before the last lines of a table).
_EDGE_REMOVE: Final = 8


@dataclass(frozen=True)
class Line:
    """A line of cleaned text and the 1-based page it stood on."""

    text: str
    page: int


@dataclass(frozen=True)
class Token:
    """One comparison unit of a text.

    ``key`` is what is compared (folded), ``text`` the original text shown in redlines,
    including the whitespace before it; ``starts``/``ends`` say whether the token opens or
    closes a line or table cell, ``page_start`` whether it is the first token of a page.
    """

    key: str
    text: str
    starts: bool
    ends: bool
    page_start: bool


_BLANKS: Final = re.compile(r"_{2,}|…{2,}|\.{6,}")
_BLANKS_RAW: Final = re.compile(r"[_＿]{2,}|…{2,}|\.{6,}")


def fold(text: str) -> str:
    """Width and punctuation folding: NFKC, one form for each punctuation variant, and
    fill-in blanks (``____``, dot leaders) read as spaces."""
    folded = readable(unicodedata.normalize("NFKC", text)).translate(_PUNCTUATION)
    return _BLANKS.sub(" ", folded) if ("__" in folded or "..." in folded) else folded


def _ocr_alnum(match: re.Match[str]) -> str:
    word = match.group(0)
    has_digit = any(c.isdigit() for c in word)
    if has_digit and all(c.isdigit() or c in _OCR_DIGIT_LOOKALIKES or c in ".," for c in word):
        return word.translate(_OCR_TO_DIGIT)
    if has_digit:
        # A word with letters and digits: a digit between letters is a misread letter,
        # a run of digits stays digits (model numbers such as IPC-15A).
        return re.sub(
            r"(?<=[A-Za-z])[0158|](?=[A-Za-z])",
            lambda m: m.group(0).translate(_OCR_TO_LETTER),
            word,
        ).lower()
    return word.replace("|", "l").replace("I", "l").lower()


def _ocr_fold(text: str) -> str:
    """Fold OCR confusions in already folded text (see the module docstring)."""
    return _ALNUM_RUN.sub(_ocr_alnum, text.translate(_OCR_CJK))


def _ocr_number(match: re.Match[str]) -> str:
    word = match.group(0)
    if any(c.isdigit() for c in word) and all(
        c.isdigit() or c in _OCR_DIGIT_LOOKALIKES or c in ".," for c in word
    ):
        return word.translate(_OCR_TO_DIGIT)
    return word


def fold_ocr_values(text: str) -> str:
    """OCR confusions folded only where values are read: letters inside a number
    (``2O7,l22.OO`` is ``207,122.00``) and the CJK look-alikes (``5曰`` is ``5日``).

    Lengths are kept, so positions found in the result hold for ``text``; words keep
    their case, so roles such as ``Party A`` are still recognised.
    """
    return _ALNUM_RUN.sub(_ocr_number, text.translate(_OCR_CJK))


def squeeze(text: str) -> str:
    """Whitespace removed except one space between two Latin words or numbers."""
    return _SPACE_AT_EDGE.sub("", _SPACES.sub(" ", text)).strip()


def _cells_to_tabs(text: str) -> str:
    return _CELL_OR_TAB.sub("\t", text) if "|" in text else text


def comparison_form(text: str, *, ocr: bool = False) -> str:
    """The comparison form of already cleaned text (no page or header handling)."""
    folded = _LETTER_HYPHEN.sub("", fold(_cells_to_tabs(text)))
    if ocr:
        folded = _ocr_fold(folded)
    return squeeze(folded)


def normalise(text: str, *, ocr_tolerant: bool = False) -> str:
    """The comparison form of a contract text.

    Page headers and footers and page-number lines are dropped (pages are separated by
    ``\\f``), words hyphenated across a line break are joined, full-width forms and
    punctuation variants folded, table-cell separators and whitespace removed except one
    space between two Latin words or numbers. Two texts that differ only in formatting
    have the same comparison form. ``ocr_tolerant`` also folds the OCR confusions.
    """
    return normalise_lines(clean_lines(text), ocr_tolerant=ocr_tolerant)


def normalise_lines(lines: list[Line], *, ocr_tolerant: bool = False) -> str:
    """:func:`normalise` for lines that went through :func:`clean_lines` already."""
    return comparison_form("\n".join(line.text for line in lines), ocr=ocr_tolerant)


# --- lines and pages -------------------------------------------------------------------


def _signature(line: str) -> str:
    """A line with its digits blurred: how a running header or footer is recognised."""
    return re.sub(r"\d+", "#", squeeze(fold(line)).replace(" ", "").lower())


def _edge_indexes(lines: list[str], depth: int = _EDGE_LINES) -> tuple[list[int], list[int]]:
    """The first and last ``depth`` non-blank lines; on a short page, each half at most."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    half = len(filled) // 2
    top = min(depth, half)
    bottom = min(depth, len(filled) - half)
    return filled[:top], filled[len(filled) - bottom :]


def clean_lines(text: str, *, running: Mapping[str, int] | None = None) -> list[Line]:
    """Lines of ``text`` without page furniture, each with the page it stood on.

    Pages are separated by form feeds (``pdftotext`` ends each page with one). A line is
    a running header or footer when the same line (digits aside) stands among the first
    or last three lines of at least half of the pages, and at least two; such lines are
    dropped only near that edge, so the contract number in the title block survives a
    footer that repeats it. Page-number lines are dropped anywhere in their unambiguous
    forms (``第 2 页 共 6 页``, ``Page 2 of 6``, ``- 2 -``); a bare ``2`` or ``2/6`` only at
    a page's edge, and only when most pages carry their own number that way, so that a
    table's row number at the top of a page stays. A word hyphenated at a
    line's end is joined with the next line (``docu-`` + ``ment``), and so is a value
    a narrow table cell wrapped (``1,280,000.0`` + ``0元``).

    ``running`` holds the other version's running headers and footers
    (:func:`running_lines`): a DOCX's text has its headers first and its footers last,
    once, where its PDF had them on every page, so such lines among a text's first or
    last eight lines are layout in it too, as many of them as this text has more than
    the other kept (a title block that repeats the footer's contract number stays).
    """
    pages = _pages(text)
    drop = _furniture(pages)
    if running:  # a DOCX's text has its headers first and its footers last
        for p, page in enumerate(pages):
            drop.update((p, i) for i in _running_in(page, running, whole=len(pages) == 1))
    lines: list[Line] = []
    for p, page in enumerate(pages):
        for i, line in enumerate(page):
            if (p, i) in drop:
                continue
            if _maybe_page_number(line) and _PAGE_NUMBER_STRICT.match(
                squeeze(fold(line)).replace(" ", "").lower()
            ):
                continue
            lines.append(Line(line.rstrip(), p + 1))
    return _join_broken(lines)


def _pages(text: str) -> list[list[str]]:
    """The lines of each page; the empty page after the last form feed is no page (nor
    counts among the pages a running header must head)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_INVISIBLE)
    pages = [page.split("\n") for page in text.split("\f")]
    while len(pages) > 1 and not any(line.strip() for line in pages[-1]):
        pages.pop()
    return pages


def running_lines(text: str) -> dict[str, int]:
    """The running headers and footers :func:`clean_lines` drops from ``text``, in the
    form that recognises them anywhere (digits aside: a DOCX keeps no page numbers),
    each with how many times the cleaned text still holds it (in a title block)."""
    pages = _pages(text)
    if len(pages) < 2:
        return {}
    drop = _furniture(pages)
    found = {_blurred(pages[p][i]) for p, i in drop}
    found = {line for line in found if re.search(r"[^\W\d_]", line)}
    kept = Counter(
        _blurred(line)
        for p, page in enumerate(pages)
        for i, line in enumerate(page)
        if (p, i) not in drop
    )
    return {line: kept[line] for line in found}


def _running_in(lines: list[str], running: Mapping[str, int], *, whole: bool) -> set[int]:
    """The lines at the edges of a page that are running headers or footers: a line
    whose parts (a footer's parts share one line, between tabs) all are, and, with
    ``whole`` (a one-page text), a line that is one, as many times as this text holds
    it more often than the other kept it; the outermost go first."""
    first, last = _edge_indexes(lines, _EDGE_REMOVE)
    edges = sorted((*first, *last), key=lambda i: min(i, len(lines) - 1 - i))
    wanted: dict[int, str] = {}
    for i in edges:
        parts = [_blurred(part) for part in re.split(r"\t| {4,}|\u3000{2,}", lines[i])]
        parts = [part for part in parts if part]
        composite = bool(parts) and _blurred(lines[i]) != parts[0]
        if parts and all(part in running for part in parts) and (whole or composite):
            wanted[i] = parts[0]
    if not wanted:
        return set()
    held = Counter(_blurred(line) for line in lines)
    budget = {key: held[key] - running[key] for key in set(wanted.values())}
    drop: set[int] = set()
    for i, key in wanted.items():
        if _blurred(lines[i]) != key:  # parts of a footer, never a title block's line
            drop.add(i)
        elif budget[key] > 0:
            drop.add(i)
            budget[key] -= 1
    return drop


def running_form(line: str) -> str:
    """The form in which :func:`running_lines` knows a running header or footer."""
    return _blurred(line)


def _blurred(line: str) -> str:
    """A running line as found anywhere: digits and punctuation aside (a header
    ``附表 {PAGE} ：`` in a text box too narrow for LibreOffice's fonts prints
    ``附表 12``; the DOCX, which keeps no page numbers, reads ``附表 ：``)."""
    return re.sub(r"[\W_]", "", _signature(line).replace("#", ""))


def _furniture(pages: list[list[str]]) -> set[tuple[int, int]]:
    """(page, line) of every running header, footer and page-number line at an edge."""
    drop: set[tuple[int, int]] = set()
    if len(pages) > 1:
        top: Counter[str] = Counter()
        bottom: Counter[str] = Counter()
        edges = [_edge_indexes(page) for page in pages]
        for page, (first, last) in zip(pages, edges, strict=True):
            top.update({_signature(page[i]) for i in first})
            bottom.update({_signature(page[i]) for i in last})
        # more than half the pages: a title that heads pages 1 and 2 of a 4-page text
        # (a cover, then the first page of the body) is text, not a running header
        needed = max(2, (len(pages) + 2) // 2)
        # bare numbers at the edges, outermost first: page, edge, line, number - page
        numbered: list[tuple[int, str, int, int]] = []
        for p, page in enumerate(pages):
            first, last = edges[p]
            wide_first, wide_last = _edge_indexes(page, _EDGE_REMOVE)
            for wide, counts in ((wide_first, top), (wide_last[::-1], bottom)):
                seen: set[str] = set()  # one per page and edge: a title under a header stays
                if p == 0 and counts is top:
                    # Page 1's first lines are the title block: a line there that is also
                    # every later page's header is dropped only when page 1 has it twice.
                    sigs = Counter(_signature(page[i]) for i in wide)
                    seen = {sig for sig, n in sigs.items() if n < 2}
                for i in wide:
                    sig = _signature(page[i])
                    if sig not in seen and counts[sig] >= needed and re.search(r"[^\W\d_#]", sig):
                        drop.add((p, i))
                        seen.add(sig)
            for edge, wide in (("top", wide_first), ("bottom", wide_last[::-1])):
                for i in wide:
                    match = _PAGE_NUMBER_EDGE.match(squeeze(fold(page[i])).replace(" ", ""))
                    if match:
                        number = int(next(g for g in match.groups() if g))
                        numbered.append((p, edge, i, number - p))
        # Bare numbers that count the pages, whatever page the count starts on (a cover
        # page is seldom numbered): one offset from the page's index on most pages.
        # One number an edge: a table's last row number ``3`` read just before page 3's
        # own ``3`` is the table's.
        offsets = Counter(offset for *_, offset in numbered)
        if offsets:
            offset, _ = offsets.most_common(1)[0]
            outermost: dict[tuple[int, str], int] = {}
            for p, edge, i, o in numbered:
                if o == offset:
                    outermost.setdefault((p, edge), i)
            if len({p for p, _ in outermost}) >= needed:
                drop.update((p, i) for (p, _), i in outermost.items())
    return drop


def _maybe_page_number(line: str) -> bool:
    """A cheap test before the real one: page-number lines are short and say so."""
    return len(line) < 40 and any(mark in line for mark in ("页", "age", "AGE", "-", "—", "－"))


def _join_broken(lines: list[Line]) -> list[Line]:
    """Lines with a word hyphenated at a line's end joined to the next line, and a
    value a narrow table cell wrapped (:func:`contractctl.compare.wrapped.value_cut`)."""
    joined: list[Line] = []
    for line in lines:
        if (
            joined
            and re.search(r"[A-Za-z]-$", joined[-1].text)
            and re.match(r"\s*[a-z]", line.text)
        ):
            previous = joined.pop()
            joined.append(Line(previous.text + line.text.lstrip(), previous.page))
        elif joined and value_cut(joined[-1].text, line.text):
            previous = joined.pop()
            joined.append(Line(previous.text.rstrip() + line.text.lstrip(), previous.page))
        else:
            joined.append(line)
    return joined


# --- tokens ----------------------------------------------------------------------------


def _is_boundary(gap: str) -> bool:
    """Whether the text between two tokens separates lines or table cells."""
    return "\n" in gap or "\t" in gap or "\u3000" in gap or "|" in gap or len(gap) >= 2


def tokenise(text: str, *, page_breaks: tuple[int, ...] = (), ocr: bool = False) -> list[Token]:
    """The tokens of ``text`` (one clause, cleaned), for the inline diff.

    ``page_breaks`` are offsets in ``text`` where a new page begins; the first token at or
    after each is marked ``page_start``.
    """
    if "__" in text or "…" in text or "......" in text:
        text = _BLANKS_RAW.sub(lambda m: " " * len(m.group(0)), text)
    cells = {m.start() for m in _CELL.finditer(text)} if "|" in text else set()
    found: list[tuple[int, int]] = [
        (m.start(), m.end()) for m in _TOKEN.finditer(text) if m.start() not in cells
    ]
    breaks = sorted(page_breaks)
    tokens: list[Token] = []
    previous_end = 0
    b = 0
    for n, (start, end) in enumerate(found):
        gap = text[previous_end:start]
        next_gap = text[end : found[n + 1][0]] if n + 1 < len(found) else "\n"
        page_start = False
        while b < len(breaks) and breaks[b] <= start:
            page_start = True
            b += 1
        raw = text[start:end]
        key = _LETTER_HYPHEN.sub("", fold(raw))
        if ocr:
            key = _ocr_fold(key)
        tokens.append(
            Token(
                key=key,
                text=text[previous_end:end] if n else raw,
                starts=n == 0 or _is_boundary(gap),
                ends=_is_boundary(next_gap),
                page_start=page_start,
            )
        )
        previous_end = end
    return tokens
