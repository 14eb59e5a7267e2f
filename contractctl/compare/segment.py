"""Clause segmentation: a contract text as a flat list of numbered clauses with levels.

A heading is a line that starts with a clause marker:

=============  ==================================================  ==================
style          examples                                            id
=============  ==================================================  ==================
chapter        ``第一章 总则``, ``第二节``, ``Chapter 2``, ``Part II``   ``第一章``
article        ``第五条 质量标准``, ``Article 5``, ``Section 5.1``     ``第五条``, ``Article 5``
cn_enum        ``一、合同标的``                                      ``一``
cn_paren       ``（一）``                                            ``第五条（一）``
dotted         ``5.``, ``5、``, ``5.1``, ``5.1.1``                    ``5``, ``5.1``
paren_num      ``(1)``, ``1)``                                       ``5.1(1)``
alpha, roman   ``(a)``, ``(iv)``                                     ``1.1(a)``
=============  ==================================================  ==================

Levels come from the order in which styles appear, as in an outline: the first style
seen is level 1, a new style under it level 2, and a style seen before closes everything
below it. Text before the first heading is the ``preamble`` clause (level 0): the title
and the parties block, which must be compared too. Markers that number list items
(``(a)``, ``（一）``, ``1.``) count only when they continue a list (same or next numbers)
or start one at 1, so that a wrapped line starting with ``(3)`` or ``12.`` is not taken
for a heading. Each clause keeps its original text and its comparison form (``norm``,
heading marker left out, so that a renumbered clause still matches its old self).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from contractctl.compare.normalise import Line, clean_lines, comparison_form, fold, squeeze
from contractctl.documents.clauses import chinese_number

__all__ = ["Clause", "segment", "segment_lines"]

_CN_NUM: Final = "零〇一二两三四五六七八九十百千"
_ROMAN: Final = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")

# Matched against the folded line (NFKC: （一） is (一), full-width digits are ASCII).
_CHAPTER: Final = re.compile(
    rf"^第\s*([{_CN_NUM}\d][{_CN_NUM}\d ]*?)\s*([章编节])(?:[\s:、.]+|$)(.*)$"
)
_CHAPTER_EN: Final = re.compile(
    r"^(Chapter|CHAPTER|Part|PART)\s+(\d{1,3}|[IVXLC]{1,6})\b[.:\-]?\s*(.*)$"
)
_ARTICLE: Final = re.compile(rf"^第\s*([{_CN_NUM}\d][{_CN_NUM}\d ]*?)\s*条(?:[\s:、.]+|$)(.*)$")
_ARTICLE_EN: Final = re.compile(
    r"^(Article|ARTICLE|Section|SECTION|Clause|CLAUSE)\s+(\d{1,3}(?:\.\d{1,3})*|[IVXLC]{1,6})"
    r"(?![\w.]*\s+(?:of|and|to|or|above|below|hereof)\b)\.?(?=[\s:\-]|$)[:\-]?\s*(.*)$"
)
_CN_ENUM: Final = re.compile(r"^([一二三四五六七八九十]{1,3})\s*[、.]\s*(.*)$")
_CN_PAREN: Final = re.compile(r"^\(\s*([一二三四五六七八九十]{1,3})\s*\)\s*(.*)$")
_DOTTED_MULTI: Final = re.compile(
    r"^(\d{1,3}(?:\.\d{1,3}){1,4})\.?(?:\s+|(?=[^\x00-\x7f]))(?![\d%])(.+)$"
)
_DOTTED_ONE: Final = re.compile(r"^(\d{1,3})(?:\.\s+|、\s*)(?![\d%])(.+)$")
_PAREN_NUM: Final = re.compile(r"^(?:\((\d{1,2})\)|(\d{1,2})\))\s*(\S.*)$")
_ALPHA: Final = re.compile(r"^(?:\(([a-z]{1,4})\)|([a-z]{1,4})\))\s*(\S.*)$")

#: Styles that number list items: accepted only when they continue or start a list.
_LIST_STYLES: Final = frozenset({"cn_paren", "dotted1", "paren_num", "alpha", "roman"})
#: Styles whose ids are qualified by the parent's (（一） under 第五条 is 第五条（一）).
_RELATIVE: Final = frozenset({"cn_paren", "paren_num", "alpha", "roman"})
#: Chinese article and chapter markers are never mistaken for wrapped text.
_UNAMBIGUOUS: Final = frozenset({"article", "chapter", "section_cn"})
#: A line that ends mid-sentence (a lower-case word or a comma, but not "; and"): the
#: next line continues it, even if it starts like "(1) year" or "Clause 7.3".
_CONTINUES: Final = re.compile(r"[a-z,]$(?<!;\sand)(?<!;\sor)(?<!;and)(?<!;or)")
_TITLE_MAX: Final = 40
_TITLE_SMALL_WORDS: Final = frozenset(
    ("a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to")
)
_SENTENCE_END: Final = ("。", ";", ":", ",", ".", "!", "?", "、")


@dataclass
class Clause:
    """One clause of a contract, as :func:`segment` finds it.

    ``id`` is a stable label (``第五条``, ``5.1``, ``Article 5``, ``1.1(a)``, ``preamble``),
    ``number`` the heading's number path as written (第五条 is ``(5,)``, 5.1 ``(5, 1)``),
    ``title`` the heading's title if it has one, ``text`` the original text (heading
    line included), ``norm`` its comparison form without the heading marker, ``page``
    the 1-based page where it starts, ``level`` its outline level (0 for the preamble).
    """

    id: str
    number: tuple[int, ...]
    title: str
    text: str
    norm: str
    page: int
    level: int
    style: str = "preamble"
    marker: str = ""
    index: int = 0
    parent: int | None = None
    page_breaks: tuple[int, ...] = field(default=(), repr=False)

    @property
    def body(self) -> str:
        """The text without the heading marker (what the inline diff compares)."""
        return self.text[len(self.marker) :] if self.marker else self.text

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready summary."""
        return {
            "id": self.id,
            "number": list(self.number),
            "title": self.title,
            "page": self.page,
            "level": self.level,
        }


@dataclass(frozen=True)
class _Heading:
    style: str
    number: tuple[int, ...]
    label: str  # the marker as an id part: 第五条, 5.1, Article 5, (a)
    marker_len: int  # characters of the original line taken by the marker
    rest: str


def _roman_value(text: str) -> int | None:
    return _ROMAN.index(text) + 1 if text in _ROMAN else None


def _alpha_value(text: str) -> int | None:
    return ord(text) - ord("a") + 1 if len(text) == 1 else None


def _marker_len(line: str, rest: str) -> int:
    """How much of the original line is the marker: everything before ``rest``.

    ``rest`` is folded text; folding keeps lengths except for a few characters (``…``
    becomes ``...``), so the rest is normally the line's last ``len(rest)`` characters.
    """
    stripped = line.lstrip()
    lead = len(line) - len(stripped)
    if not rest:
        return len(line)
    cut = max(0, len(stripped) - len(rest))
    if fold(stripped[cut:]).strip() != rest:
        cut = next((k for k in range(len(stripped)) if fold(stripped[k:]).strip() == rest), cut)
    return lead + cut


#: Characters a heading can start with (before folding); anything else is body text.
_STARTS: Final = frozenset(
    "第一二三四五六七八九十(（0123456789０１２３４５６７８９ACSPＡＣＳＰabcdefghijklmnopqrstuvwxyz"
)


def _parse_heading(line: str) -> _Heading | None:
    stripped = line.lstrip()
    if not stripped or stripped[0] not in _STARTS:
        return None
    text = fold(stripped).strip()
    if not text or len(text) > 2000:
        return None
    match = _ARTICLE.match(text)
    if match:
        try:
            n = chinese_number(match.group(1).replace(" ", ""))
        except ValueError:
            return None
        rest = match.group(2).strip()
        return _Heading("article", (n,), f"第{match.group(1).replace(' ', '')}条", 0, rest)
    match = _CHAPTER.match(text)
    if match:
        try:
            n = chinese_number(match.group(1).replace(" ", ""))
        except ValueError:
            return None
        kind = match.group(2)
        style = "chapter" if kind in "章编" else "section_cn"
        label = f"第{match.group(1).replace(' ', '')}{kind}"
        return _Heading(style, (n,), label, 0, match.group(3).strip())
    match = _ARTICLE_EN.match(text)
    if match:
        word, num = match.group(1), match.group(2)
        numbers = _number_path(num)
        if numbers is None:
            return None
        style = f"en_{word.lower()}{len(numbers)}"
        return _Heading(style, numbers, f"{word.title()} {num}", 0, match.group(3).strip())
    match = _CHAPTER_EN.match(text)
    if match:
        numbers = _number_path(match.group(2))
        if numbers is None:
            return None
        return _Heading(
            "chapter_en", numbers, f"{match.group(1).title()} {match.group(2)}", 0,
            match.group(3).strip(),
        )  # fmt: skip
    match = _CN_ENUM.match(text)
    if match:
        return _Heading("cn_enum", (chinese_number(match.group(1)),), match.group(1), 0,
                        match.group(2).strip())  # fmt: skip
    match = _CN_PAREN.match(text)
    if match:
        n = chinese_number(match.group(1))
        return _Heading("cn_paren", (n,), f"（{match.group(1)}）", 0, match.group(2).strip())
    match = _DOTTED_MULTI.match(text)
    if match:
        numbers = tuple(int(p) for p in match.group(1).split("."))
        return _Heading(f"dotted{len(numbers)}", numbers, match.group(1), 0, match.group(2).strip())
    match = _DOTTED_ONE.match(text)
    if match:
        n = int(match.group(1))
        return _Heading("dotted1", (n,), match.group(1), 0, match.group(2).strip())
    match = _PAREN_NUM.match(text)
    if match:
        n = int(match.group(1) or match.group(2))
        return _Heading("paren_num", (n,), f"({n})", 0, match.group(3).strip())
    match = _ALPHA.match(text)
    if match:
        letters = match.group(1) or match.group(2)
        roman, alpha = _roman_value(letters), _alpha_value(letters)
        if roman is not None:
            return _Heading("roman", (roman,), f"({letters})", 0, match.group(3).strip())
        if alpha is not None:
            return _Heading("alpha", (alpha,), f"({letters})", 0, match.group(3).strip())
    return None


def _number_path(text: str) -> tuple[int, ...] | None:
    if re.fullmatch(r"[IVXLC]+", text):
        value = _roman_to_int(text)
        return (value,) if value else None
    return tuple(int(p) for p in text.split("."))


def _roman_to_int(text: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    for i, char in enumerate(text):
        value = values[char]
        total += -value if i + 1 < len(text) and values[text[i + 1]] > value else value
    return total


def _title(rest: str) -> str:
    """The heading's title: a short rest of line that does not read like a sentence."""
    rest = squeeze(rest)
    if not rest or len(rest) > _TITLE_MAX or rest.endswith(_SENTENCE_END):
        return ""
    if re.search(r"[\u4e00-\u9fff]", rest):
        return rest if len(rest) <= 20 else ""
    words = re.findall(r"[A-Za-z][\w'’-]*", rest)
    if '"' in rest or len(words) > 8:
        return ""
    if any(w[0].islower() and w.lower() not in _TITLE_SMALL_WORDS for w in words):
        return ""  # "Fees" means the fees: a sentence
    return rest


class _Outline:
    """The stack of open heading styles, and the last number seen per style and parent."""

    def __init__(self) -> None:
        self.stack: list[tuple[str, int]] = []  # (style, clause index)
        self.last: dict[tuple[int | None, str], int] = {}

    def parent_for(self, style: str) -> tuple[int, int | None]:
        """(level, parent clause index) a heading of ``style`` would get."""
        styles = [s for s, _ in self.stack]
        depth = styles.index(style) if style in styles else len(self.stack)
        parent = self.stack[depth - 1][1] if depth else None
        return depth + 1, parent

    def accepts(self, heading: _Heading) -> bool:
        """Whether a list-style marker continues its list (or starts one at 1)."""
        if heading.style not in _LIST_STYLES:
            return True
        _, parent = self.parent_for(heading.style)
        previous = self.last.get((parent, heading.style))
        n = heading.number[-1]
        if previous is None:
            return n == 1 or not self.stack  # an excerpt may start at its first clause
        return n == 1 or previous <= n <= previous + 3

    def push(self, style: str, index: int, number: int) -> tuple[int, int | None]:
        level, parent = self.parent_for(style)
        del self.stack[level - 1 :]
        self.stack.append((style, index))
        self.last[(parent, style)] = number
        return level, parent


def _resolve_roman(heading: _Heading, outline: _Outline) -> _Heading:
    """``(i)``, ``(v)``, ``(x)``: a letter when they continue an alphabetic list."""
    if heading.style != "roman":
        return heading
    letters = heading.label.strip("()")
    alpha = _alpha_value(letters)
    if alpha is None:
        return heading
    _, parent = outline.parent_for("alpha")
    previous = outline.last.get((parent, "alpha"))
    if (
        previous is not None
        and previous + 1 == alpha
        and any(s == "alpha" for s, _ in outline.stack)
    ):
        return _Heading("alpha", (alpha,), heading.label, heading.marker_len, heading.rest)
    return heading


def segment(text: str, *, forms: dict[str, str] | None = None) -> list[Clause]:
    """The clauses of a contract text, in document order, the preamble first.

    ``text`` is DOCX text (``extract.docx_text``), PDF text (``extract.pdf_text``, pages
    separated by ``\\f``) or OCR output; page furniture is removed first
    (:func:`contractctl.compare.normalise.clean_lines`). ``forms`` memoises comparison
    forms: segmenting two versions with one dict computes each shared clause's once.
    """
    return segment_lines(clean_lines(text), forms=forms)


def segment_lines(lines: list[Line], *, forms: dict[str, str] | None = None) -> list[Clause]:
    """:func:`segment` for lines that went through ``clean_lines`` already."""
    memo: dict[str, str] = {} if forms is None else forms

    def form(text: str) -> str:
        if text not in memo:
            memo[text] = comparison_form(text)
        return memo[text]

    outline = _Outline()
    groups: list[tuple[_Heading | None, int, int | None, list[Line]]] = [(None, 0, None, [])]
    previous = ""  # the last non-blank line, folded, when it was not a heading
    for line in lines:
        heading = _parse_heading(line.text)
        if heading is not None:
            heading = _resolve_roman(heading, outline)
            if outline.accepts(heading) and not (
                heading.style not in _UNAMBIGUOUS and _CONTINUES.search(previous)
            ):
                level, parent = outline.push(heading.style, len(groups), heading.number[-1])
                groups.append((heading, level, parent, [line]))
                previous = "" if _title(heading.rest) else heading.rest
                continue
        groups[-1][3].append(line)
        if line.text.strip():
            previous = fold(line.text).strip()
    clauses: list[Clause] = []
    seen: dict[str, int] = {}
    for index, (heading, level, parent, group) in enumerate(groups):
        clause = _make_clause(index, heading, level, parent, group, clauses, form)
        count = seen.get(clause.id, 0)
        seen[clause.id] = count + 1
        if count:
            clause.id = f"{clause.id} ({count + 1})"
        clauses.append(clause)
    return clauses


def _make_clause(
    index: int,
    heading: _Heading | None,
    level: int,
    parent: int | None,
    lines: list[Line],
    before: list[Clause],
    form: Callable[[str], str],
) -> Clause:
    text = "\n".join(line.text for line in lines)
    breaks: list[int] = []
    offset = 0
    for n, line in enumerate(lines):
        if n and line.page != lines[n - 1].page:
            breaks.append(offset)
        offset += len(line.text) + 1
    page = lines[0].page if lines else (before[-1].page if before else 1)
    if heading is None:
        return Clause(
            id="preamble", number=(), title="", text=text, norm=form(text),
            page=page, level=0, index=index, page_breaks=tuple(breaks),
        )  # fmt: skip
    marker_len = _marker_len(lines[0].text, heading.rest)
    marker = text[:marker_len]
    label = heading.label
    if parent is not None and (
        heading.style in _RELATIVE
        or (heading.style == "dotted1" and not before[parent].style.startswith("dotted"))
    ):
        parent_id = before[parent].id
        label = f"{parent_id}.{label}" if heading.style == "dotted1" else f"{parent_id}{label}"
    return Clause(
        id=label,
        number=heading.number,
        title=_title(heading.rest),
        text=text,
        norm=form(text[marker_len:]),
        page=page,
        level=level,
        style=heading.style,
        marker=marker,
        index=index,
        parent=parent,
        page_breaks=tuple(b - marker_len for b in breaks),
    )
