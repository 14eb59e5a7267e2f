"""Numbered clauses in contract text: 第X条 in Chinese, "N. Title" in English.

Drafting uses this to check that a draft's standard clauses still read as the
template's; the compare engine builds on the same segmentation.
"""

from __future__ import annotations

import re

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
