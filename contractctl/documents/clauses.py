"""Numbered clauses in contract text: 第X条 in Chinese, "N. Title" in English.

Drafting uses this to check that a draft's standard clauses still read as the
template's; the compare engine builds on the same segmentation. The template linter
finds a DOCX template's clause headings here too, and words standard clauses 第X条.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_HEADING = re.compile(r"^\s*第\s*([一二两三四五六七八九十百零〇\d]+)\s*条[\s　]*(.*)$")
_EN_HEADING = re.compile(r"^\s*(\d{1,3})\.\s+(\S.*)$")
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_NUMERAL_DIGITS = "一二三四五六七八九"
_CLAUSE_NUMERAL = re.compile(r"(?:[一二三四五六七八九]?十)?[一二三四五六七八九]?")
_ZH_PARAGRAPH_HEADING = re.compile(r"^第([一二三四五六七八九十]{1,4})条(?:\s+|$)")
_EN_PARAGRAPH_HEADING = re.compile(r"^(\d{1,3})\.\s+(\S.{0,79})$")


def chinese_number(text: str) -> int:
    """一 → 1, 十二 → 12, 二十一 → 21, 一百零五 → 105; Arabic digits pass through."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or any(c not in _DIGITS and c not in "十百" for c in text):
        raise ValueError(f"not a Chinese number: {text!r}")
    total, current = 0, 0
    for char in text:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _DIGITS[char]
    return total + current


def clause_number(numeral: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十 → 20, 九十九 → 99; ValueError for anything else.

    The number of a 第X条 heading, read by :func:`chinese_number` but only in the forms
    headings write (一 to 九十九): 零, 十十, 二二 or 一百 are refused, not read as 0, 20, 2
    or 100, so a paragraph that merely starts with 第…条 is not taken for a heading.
    """
    if not numeral or _CLAUSE_NUMERAL.fullmatch(numeral) is None:
        raise ValueError(f"not a Chinese numeral from 一 to 九十九: {numeral!r}")
    return chinese_number(numeral)


def clause_numeral(number: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一 (1..99), as clause headings write them."""
    if not 1 <= number <= 99:
        raise ValueError(f"clause numbers run from 1 to 99, not {number}")
    tens, units = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _NUMERAL_DIGITS[tens - 1] + "十")
    return head + (_NUMERAL_DIGITS[units - 1] if units else "")


def paragraph_headings(paragraphs: Iterable[str]) -> list[tuple[int, str]]:
    """The clause headings among a document's body paragraphs: ``(number, text)`` in order.

    A heading is a paragraph that starts with ``第一条`` … ``第九十九条`` in Chinese
    contracts, or reads ``12. Governing Law`` in English ones (a title that neither starts
    in lower case nor ends like a sentence, so numbered obligations do not count), which
    are used only when there are no Chinese headings. The text is the whole paragraph,
    stripped. Unlike :func:`split_clauses`, which reads lines of extracted text, every
    heading is returned, so that the linter can point at skipped or repeated numbers.
    """
    chinese: list[tuple[int, str]] = []
    english: list[tuple[int, str]] = []
    for paragraph in paragraphs:
        text = paragraph.strip()
        match = _ZH_PARAGRAPH_HEADING.match(text)
        if match:
            with contextlib.suppress(ValueError):
                chinese.append((clause_number(match.group(1)), text))
            continue
        match = _EN_PARAGRAPH_HEADING.match(text)
        if match:
            title = match.group(2)
            if not title[0].islower() and not title.rstrip().endswith((".", ";", ",", ":")):
                english.append((int(match.group(1)), text))
    return chinese or english


def split_clauses(text: str) -> dict[int, str]:
    """Clause number → the clause's text (heading line included), in document order.

    A line counts as a heading when it starts with 第X条 (Chinese) or "N. " (English)
    and its number follows the previous heading's, so numbered sub-lists inside a
    clause ("1. Delivery ...") are not taken for clauses.
    """
    clauses: dict[int, list[str]] = {}
    current: int | None = None
    for line in text.splitlines():
        number = _heading_number(line)
        if number is not None and (current is None or number == current + 1):
            current = number
            clauses[current] = [line]
        elif current is not None:
            clauses[current].append(line)
    return {n: "\n".join(lines) for n, lines in clauses.items()}


def _heading_number(line: str) -> int | None:
    match = _CN_HEADING.match(line)
    if match:
        try:
            return chinese_number(match.group(1))
        except ValueError:
            return None
    match = _EN_HEADING.match(line)
    if match and not match.group(2)[0].isdigit():
        return int(match.group(1))
    return None


def normalise(text: str) -> str:
    """Whitespace-insensitive form for comparing clause wording."""
    return re.sub(r"\s+", "", text)


def template_pattern(template_clause: str) -> re.Pattern[str]:
    """A pattern that matches any rendering of a template clause.

    Literal wording outside control blocks must match exactly (ignoring whitespace);
    each ``{{ value }}`` matches any text; whatever sits inside an ``{% if %}`` or
    ``{% for %}`` block (any branch, any number of times) matches any text, because
    which branch applies depends on the data.
    """
    parts: list[str] = []
    position = 0
    depth = 0
    for match in _TAG.finditer(template_clause):
        if depth == 0:
            parts.append(re.escape(normalise(template_clause[position : match.start()])))
        tag = match.group(0)
        if tag.startswith("{%"):
            words = tag[2:-2].split()
            if words and words[0] in ("p", "r", "tr", "tc"):
                words = words[1:]
            keyword = words[0] if words else ""
            if keyword in ("if", "for"):
                if depth == 0:
                    parts.append(".*?")
                depth += 1
            elif keyword in ("endif", "endfor"):
                depth = max(0, depth - 1)
        elif tag.startswith("{{") and depth == 0:
            parts.append(".*?")
        position = match.end()
    if depth == 0:
        parts.append(re.escape(normalise(template_clause[position:])))
    else:
        parts.append(".*?")
    return re.compile("".join(parts), re.S)


def deviations(template_text: str, draft_text: str, standard: tuple[int, ...]) -> list[int]:
    """The standard clauses whose wording in the draft is not the template's."""
    template_clauses = split_clauses(
        _TAG.sub(lambda m: m.group(0).replace("\n", " "), template_text)
    )
    draft_clauses = split_clauses(draft_text)
    changed: list[int] = []
    for number in standard:
        template_clause = template_clauses.get(number)
        draft_clause = draft_clauses.get(number)
        if template_clause is None:
            continue
        if draft_clause is None or not template_pattern(template_clause).fullmatch(
            normalise(draft_clause)
        ):
            changed.append(number)
    return changed
