"""Numbered clauses in contract text: the one clause-heading reader of contractctl.

:func:`read_heading` reads a clause number from the start of a line or paragraph in every
numbering scheme contracts use (第N条/章/节, 一、, （一）, 1., 1.1, 1.1.1, (a), (iv),
Article/Section N, Roman numerals), whatever follows the number (a tab, spaces, a colon,
a fill-in line, a quote mark, or nothing) and whether or not the line ends with a full
stop. The compare engine (``diff``, ``ocr-check``) builds its outline on it
(:mod:`contractctl.compare.segment`), drafting checks that a draft's standard clauses
still read as the template's with :func:`split_clauses`, and the template linter finds a
DOCX template's clause headings with :func:`paragraph_headings`.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

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
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_NUMERAL_DIGITS = "一二三四五六七八九"
_CLAUSE_NUMERAL = re.compile(r"(?:[一二三四五六七八九]?十)?[一二三四五六七八九]?")
_ZH_PARAGRAPH_HEADING = re.compile(
    r"^第\s*([一二三四五六七八九十]{1,4})\s*条(?:[\s:：、.．_＿\"“]|$)"
)
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
    """The number of a top-level clause heading (第X条 or ``N. Title``), read by
    :func:`read_heading` like every other clause reader of contractctl."""
    heading = read_heading(line)
    if heading is None or heading.style not in ("article", "dotted1"):
        return None
    if heading.style == "dotted1" and (not heading.rest or heading.rest[0].isdigit()):
        return None
    return heading.number[0]


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


# --- the heading reader ------------------------------------------------------------------

_CN_NUM: Final = "零〇一二两三四五六七八九十百千"
_ROMAN: Final = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")
#: What may stand between a number and the clause's text: spaces, tabs, a colon, a dot,
#: a fill-in line (read as spaces), or nothing before a quote mark or CJK text.
_AFTER: Final = r"(?:[\s:、.]+|$|(?=[\"'\u4e00-\u9fff(\[]))"
_CHAPTER: Final = re.compile(rf"^第\s*([{_CN_NUM}\d][{_CN_NUM}\d ]*?)\s*([章编节]){_AFTER}(.*)$")
_CHAPTER_EN: Final = re.compile(
    r"^(Chapter|CHAPTER|Part|PART)\s+(\d{1,3}|[IVXLC]{1,6})\b[.:\-]?\s*(.*)$"
)
_ARTICLE: Final = re.compile(rf"^第\s*([{_CN_NUM}\d][{_CN_NUM}\d ]*?)\s*条{_AFTER}(.*)$")
_ARTICLE_EN: Final = re.compile(
    r"^(Article|ARTICLE|Section|SECTION|Clause|CLAUSE)\s+(\d{1,3}(?:\.\d{1,3})*|[IVXLC]{1,6})"
    r"(?![\w.]*\s+(?:of|and|to|or|above|below|hereof)\b)\.?(?=[\s:\-\"']|$)[:\-]?\s*(.*)$"
)
_CN_ENUM: Final = re.compile(
    r"^([一二三四五六七八九十](?: ?[一二三四五六七八九十]){0,2})\s*[、.]\s*(.*)$"
)
_CN_PAREN: Final = re.compile(
    r"^\(\s*([一二三四五六七八九十](?: ?[一二三四五六七八九十]){0,2})\s*\)\s*(.*)$"
)
_DOTTED_MULTI: Final = re.compile(
    r"^(\d{1,3}(?:\.\d{1,3}){1,4})\.?(?:\s+|(?=[^\x00-\x7f\"'])|$)(?![\d%])(.*)$"
)
_DOTTED_ONE: Final = re.compile(
    r"^(\d{1,3})(?:\.\s+|、\s*|\.(?=[\"'\u4e00-\u9fffA-Z])|\.$)(?![\d%])(.*)$"
)
_ROMAN_UPPER: Final = re.compile(r"^([IVX]{1,5})\.(?:\s+|$)(.*)$")
_PAREN_NUM: Final = re.compile(r"^(?:\((\d{1,2})\)|(\d{1,2})\))\s*(\S.*)$")
_ALPHA: Final = re.compile(r"^(?:\(([a-z]{1,4})\)|([a-z]{1,4})\))\s*(\S.*)$")
#: Characters a heading can start with (after folding); anything else is body text.
_STARTS: Final = frozenset("第一二三四五六七八九十(0123456789ACSPIVXabcdefghijklmnopqrstuvwxyz")
_QUOTES: Final = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "【": "[", "】": "]"})
_BLANK_RUN: Final = re.compile(r"[_＿]{2,}|…{2,}|\.{6,}")


@dataclass(frozen=True)
class Heading:
    """A clause number read from the start of a line.

    ``style`` names the numbering scheme (``article`` 第N条, ``chapter`` 第N章, ``section_cn``
    第N节, ``cn_enum`` 一、, ``cn_paren`` （一）, ``dotted1`` 1., ``dotted2`` 1.1 …,
    ``paren_num`` (1), ``alpha`` (a), ``roman`` (iv), ``roman_upper`` IV., ``en_article1``
    Article 1, ``en_section2`` Section 2.1, ``chapter_en``); ``number`` the number path as
    written (第五条 is ``(5,)``, 5.1 ``(5, 1)``); ``label`` the marker as an id part
    (第五条, 5.1, Article 5, (a)); ``rest`` the folded text after the marker.
    """

    style: str
    number: tuple[int, ...]
    label: str
    rest: str


def fold_heading(text: str) -> str:
    """The folded form headings are read in: NFKC width folding, straight quotes, and
    fill-in lines (``____``) as spaces."""
    folded = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return (
        _BLANK_RUN.sub(" ", folded)
        if ("__" in folded or "…" in folded or "..." in folded)
        else folded
    )


def _number_path(text: str) -> tuple[int, ...] | None:
    if re.fullmatch(r"[IVXLC]+", text):
        value = roman_to_int(text)
        return (value,) if value else None
    return tuple(int(p) for p in text.split("."))


def roman_to_int(text: str) -> int:
    """IV → 4, XII → 12 (upper-case Roman numerals)."""
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    for i, char in enumerate(text):
        value = values[char]
        total += -value if i + 1 < len(text) and values[text[i + 1]] > value else value
    return total


def _cn(text: str) -> int | None:
    try:
        return chinese_number(text.replace(" ", "").replace("两", "二"))
    except ValueError:
        return None


def read_heading(line: str) -> Heading | None:
    """The clause number a line or paragraph starts with, or None.

    Any numbering scheme of the module docstring is read, whatever follows the number
    and however the line ends; whether a list-like number (``(3)``, ``12.``) really
    starts a clause depends on its neighbours, which the caller judges (see
    :mod:`contractctl.compare.segment`).
    """
    stripped = line.lstrip()
    if not stripped or unicodedata.normalize("NFKC", stripped[0]) not in _STARTS:
        return None
    text = fold_heading(stripped).strip()
    if not text or len(text) > 4000:
        return None
    match = _ARTICLE.match(text)
    if match:
        n = _cn(match.group(1))
        if n is None:
            return None
        return Heading(
            "article", (n,), f"第{match.group(1).replace(' ', '')}条", match.group(2).strip()
        )
    match = _CHAPTER.match(text)
    if match:
        n = _cn(match.group(1))
        if n is None:
            return None
        kind = match.group(2)
        style = "chapter" if kind in "章编" else "section_cn"
        label = f"第{match.group(1).replace(' ', '')}{kind}"
        return Heading(style, (n,), label, match.group(3).strip())
    match = _ARTICLE_EN.match(text)
    if match:
        word, num = match.group(1), match.group(2)
        numbers = _number_path(num)
        if numbers is None:
            return None
        style = f"en_{word.lower()}{len(numbers)}"
        return Heading(style, numbers, f"{word.title()} {num}", match.group(3).strip())
    match = _CHAPTER_EN.match(text)
    if match:
        numbers = _number_path(match.group(2))
        if numbers is None:
            return None
        label = f"{match.group(1).title()} {match.group(2)}"
        return Heading("chapter_en", numbers, label, match.group(3).strip())
    return _read_list_heading(text)


def _read_list_heading(text: str) -> Heading | None:
    match = _CN_ENUM.match(text)
    if match:
        numeral = match.group(1).replace(" ", "")
        n = _cn(numeral)
        return None if n is None else Heading("cn_enum", (n,), numeral, match.group(2).strip())
    match = _CN_PAREN.match(text)
    if match:
        numeral = match.group(1).replace(" ", "")
        n = _cn(numeral)
        return (
            None
            if n is None
            else Heading("cn_paren", (n,), f"（{numeral}）", match.group(2).strip())
        )
    match = _DOTTED_MULTI.match(text)
    if match:
        numbers = tuple(int(p) for p in match.group(1).split("."))
        return Heading(f"dotted{len(numbers)}", numbers, match.group(1), match.group(2).strip())
    match = _DOTTED_ONE.match(text)
    if match:
        return Heading("dotted1", (int(match.group(1)),), match.group(1), match.group(2).strip())
    match = _ROMAN_UPPER.match(text)
    if match:
        value = roman_to_int(match.group(1))
        if 0 < value <= 40:
            return Heading("roman_upper", (value,), match.group(1), match.group(2).strip())
    match = _PAREN_NUM.match(text)
    if match:
        n = int(match.group(1) or match.group(2))
        return Heading("paren_num", (n,), f"({n})", match.group(3).strip())
    match = _ALPHA.match(text)
    if match:
        letters = match.group(1) or match.group(2)
        if letters in _ROMAN:
            return Heading("roman", (_ROMAN.index(letters) + 1,), f"({letters})",
                           match.group(3).strip())  # fmt: skip
        if len(letters) == 1:
            return Heading("alpha", (ord(letters) - ord("a") + 1,), f"({letters})",
                           match.group(3).strip())  # fmt: skip
    return None


_SPACED: Final = re.compile(r"^[\u4e00-\u9fff](?:[ \t\u3000]+[\u4e00-\u9fff]){1,20}$")


def spaced_title(line: str) -> str | None:
    """A letter-spaced title (``加  工  合  同``) read as one title (``加工合同``), else None."""
    text = line.strip()
    if not _SPACED.match(text):
        return None
    return re.sub(r"[ \t\u3000]+", "", text)
