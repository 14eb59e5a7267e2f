"""The lines of an OCR'd scan page as ``ocr-check`` compares them.

Tesseract's text of a page is not yet what the compare engine should see: page headers
and footers that OCR misread just enough to escape the engine's own furniture removal,
specks read as letters, words read twice, and clause headings whose marker OCR misread
("4, Exceptions", "六条 租金支付", "2 1 本合同") would each count as a difference.
:func:`scan_lines` blanks and mends them; :func:`stray_words` and :func:`mend` are also
used by the second readings (contractctl.ocr.cells, contractctl.ocr.second_reading).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contractctl.ocr.model import PageText

#: A word smaller than this share of its line's height both ways is a speck.
SPECK = 0.45
#: A scan line this similar to a page header or footer of the approved text is one.
FURNITURE_MATCH = 0.8
_OCR_ARTICLE = re.compile(r"^(\s*)([一二三四五六七八九十百]{1,4}条)(?=\s*\S)")
_OCR_DOTTED = re.compile(r"^(\s*\d{1,2}(?:\.\d{1,3})*)[,，](?=\s+[A-Z\u4e00-\u9fff])")
#: A clause number "2.1" whose dot OCR read as a space or lost ("2 1", "34") at a line's
#: start, before a word.
_OCR_UNDOTTED = re.compile(r"^(\s*)(\d{1,2}) ?(\d{1,3})(?=\s+[A-Z\u4e00-\u9fff])")


def _signature(line: str) -> str:
    """A line without spaces, case or digits: how page headers and footers are known."""
    from contractctl.compare.normalise import fold

    return re.sub(r"\d+", "#", "".join(fold(line).split()).lower())


def stray_words(page: PageText) -> set[int]:
    """Words of a page (indexes into ``page.words``) that are not text:

    - specks read as a letter or digit, far smaller than their line's characters;
    - flat "words" lying inside a taller word's box: Tesseract read the top of the line
      "第二条 交货" once more as a line "第一 六化" four to eighteen pixels high;
    - words read twice (``--psm 4`` found two overlapping lines through a table row
      whose cells wrap, and "工业以太网交换" came out in both).
    """
    heights: dict[tuple[int, int, int], list[int]] = {}
    for word in page.words:
        heights.setdefault(word.line, []).append(word.box[3])
    stray: set[int] = set()
    words = [(k, w) for k, w in enumerate(page.words) if w.end > w.start]
    for k, word in words:
        line = sorted(heights[word.line])
        size = line[len(line) // 2]
        _, top, width, height = word.box
        if (
            height < SPECK * size
            and width < SPECK * size
            and re.fullmatch(r"[0-9A-Za-z]{1,2}", word.text)
        ):
            stray.add(k)
            continue
        for j, other in words:
            if j == k or other.box[3] < 2 * height or abs(other.box[1] - top) > other.box[3]:
                continue
            if _overlap(word.box, other.box) >= 0.6 * width * height:
                stray.add(k)  # flat, inside a word twice its height
                break
    for n, (k, word) in enumerate(words):
        if k in stray:
            continue
        area = word.box[2] * word.box[3]
        for j, other in words[max(0, n - 80) : n]:
            if j in stray or not (word.text in other.text or other.text in word.text):
                continue
            if _overlap(word.box, other.box) >= 0.6 * min(area, other.box[2] * other.box[3]):
                stray.add(k)
                break
    return stray


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> int:
    """The area two boxes (left, top, width, height) have in common."""
    across = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    down = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return across * down if across > 0 and down > 0 else 0


def scan_lines(approved: list[str], pages: Sequence[PageText]) -> list[list[str]]:
    """Each scan page's lines as they are compared (as many as its text has):

    - a line like one of the approved text's page headers or footers (which the compare
      engine drops from it) is blanked, as OCR may misread it just enough (``Page lof
      5``) for the engine not to know it for one;
    - specks and words read twice (``stray_words``) are blanked;
    - a heading whose marker OCR misread is mended: ``4, Exceptions`` is ``4.
      Exceptions``, ``六条 租金支付`` is ``第六条 租金支付`` (else the clause would count
      as deleted and its text as added to the clause before); ``2 1 本合同`` and ``34
      定金`` are ``2.1`` and ``3.4`` when the approved text numbers a clause so and
      starts no line with those figures as they were read.
    """
    from difflib import SequenceMatcher

    from contractctl.compare.normalise import clean_lines

    kept: dict[int, set[str]] = {}
    markers: set[str] = set()  # clause numbers (2.1) and the figures lines start with
    for cleaned in clean_lines("\f".join(approved)):
        kept.setdefault(cleaned.page, set()).add(cleaned.text)
        if found := re.match(r"\s*([\d. ]*\d)(?=\s)", cleaned.text):
            markers.add(found.group(1))
    furniture: set[str] = set()
    text_edges: set[str] = set()  # lines of contract text at the pages' edges
    for number, approved_page in enumerate(approved, start=1):
        filled = [row.rstrip() for row in approved_page.split("\n") if row.strip()]
        for row in filled[:4] + filled[-4:]:
            if row not in kept.get(number, set()):
                furniture.add(_signature(row))
            else:
                text_edges.add(_signature(row))

    def likeness(sig: str, known: set[str]) -> float:
        return max(
            (SequenceMatcher(None, sig, k, autojunk=False).ratio() for k in known), default=0.0
        )

    out: list[list[str]] = []
    for page in pages:
        text = page.text
        for k in sorted(stray_words(page)):
            word = page.words[k]
            text = text[: word.start] + " " * (word.end - word.start) + text[word.end :]
        lines = text.split("\n")
        written = [n for n, line in enumerate(lines) if line.strip()]
        for n in written[:4] + written[-4:]:
            sig = _signature(lines[n])
            if len(sig) < 6 or not furniture:
                continue
            near = likeness(sig, furniture)
            if near >= FURNITURE_MATCH and near > likeness(sig, text_edges):
                lines[n] = ""
        out.append([_mend_marker(mend(line), markers) for line in lines])
    return out


def _mend_marker(line: str, markers: set[str]) -> str:
    """A clause number whose dot OCR lost (``_OCR_UNDOTTED``) mended, when exactly one
    way of putting the dot back gives a clause number of ``markers`` (the figures the
    approved text's lines start with) and the figures as read start none of them."""
    found = _OCR_UNDOTTED.match(line)
    if found is None:
        return line
    lead, major, minor = found.groups()
    if f"{major} {minor}" in markers or f"{major}{minor}" in markers:
        return line
    figures = major + minor
    mended = {f"{figures[:k]}.{figures[k:]}" for k in range(1, len(figures))} & markers
    if len(mended) != 1:
        return line
    return lead + mended.pop() + line[found.end() :]


def mend(line: str) -> str:
    """A heading whose marker OCR misread, mended (see ``scan_lines``)."""
    line = _OCR_DOTTED.sub(r"\1.", line)
    if not line.lstrip().startswith("第"):
        line = _OCR_ARTICLE.sub(r"\1第\2", line)
    return line
