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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Final

from contractctl.compare.normalise import Line, clean_lines, comparison_form, fold, squeeze
from contractctl.documents.clauses import Heading, chinese_number, read_heading

__all__ = ["Clause", "segment", "segment_lines"]

_ROMAN: Final = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")

#: Styles that number list items: accepted only when they continue or start a list.
_LIST_STYLES: Final = frozenset(
    {"cn_paren", "dotted1", "paren_num", "alpha", "roman", "roman_upper"}
)
#: Styles whose ids are qualified by the parent's (（一） under 第五条 is 第五条（一）).
_RELATIVE: Final = frozenset({"cn_paren", "paren_num", "alpha", "roman"})
#: Chinese article and chapter markers are never mistaken for wrapped text.
_UNAMBIGUOUS: Final = frozenset({"article", "chapter", "section_cn"})
#: A line that ends mid-sentence (a lower-case word or a comma, but not "; and"): the
#: next line continues it, even if it starts like "(1) year" or "Clause 7.3", unless
#: its number is the next one of its list and its text starts like a sentence.
_CONTINUES: Final = re.compile(r"[a-z,]$(?<!;\sand)(?<!;\sor)(?<!;and)(?<!;or)")
_TITLE_MAX: Final = 40
_TITLE_SMALL_WORDS: Final = frozenset(
    ("a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to")
)
_SENTENCE_END: Final = ("。", ";", ",", ".", "!", "?", "、")
#: 第N条 inside a line, after a tab, two spaces or a sentence's end, or after one space
#: when a space or tab follows it as a heading's (a form's value typed over the tab:
#: ``（¥800,000.00） 第二条   保管场所``): a paragraph that Word (or a PDF converter) ran
#: into the one before it.
_INLINE_ARTICLE: Final = re.compile(
    r"(?:\t|[ \u3000]{2,}|(?<=[。；;：:])[ \u3000]*|(?<=\S) (?=第[^条\s]{1,9}条[ \t\u3000]))"
    r"[ \t\u3000]*"
    r"(第\s*([一二三四五六七八九十百零〇\d](?: ?[一二三四五六七八九十百零〇\d]){0,4})\s*条)"
)
#: A line naming a contract (二手车买卖合同, 第一部分 合同协议书, "SERVICES AGREEMENT").
_CONTRACT_TITLE: Final = re.compile(
    r"[^\s。；;，,：:]{0,38}?(?:合同书|合同|协议书|协议|合约|契约)(?:\([^()]{1,16}\))?"
    r"|(?i:(?:[\w&'-]+ ){0,8}(?:agreement|contract))"
)
_CONTRACT_WORD: Final = re.compile(r"合\s*同|协\s*议|合\s*约|契\s*约|(?i:agreement|contract)")
#: ...but not an annex's, a list item's or a sentence's (附件3 供电协议, （1）总价合同).
_NOT_TITLE: Final = re.compile(
    r"(?i)^(?:附件|附表|附录|补充|annex|appendix|schedule|exhibit|本|this |the |[(\[]|\d|"
    r"第[一二三四五六七八九十百零〇\d]+[条章节])"
)
#: The lines that open a contract's own front matter: its number, its parties.
_FRONT: Final = re.compile(
    r"^(?:合同编号|协议编号|编号[:：]|[甲乙丙丁]方|"
    r"[\u4e00-\u9fff]{1,8}(?:人|方|社)(?:[(（][^()（）]{1,12}[)）])?\s*[:：]|"
    r"本(?:合同|协议)[\u4e00-\u9fff]{0,4}当事人|.{0,16}由下列[\u4e00-\u9fff]{1,3}签[署订]|"
    r"(?i:this \w+(?: \w+){0,5} (?:agreement|contract) is|by and between|between\b))"
)
_SIGNS: Final = re.compile(r"盖章|签字|签章|签名|(?i:signature|signed)")
#: How many non-blank lines after a title the parties must start within.
_FRONT_WINDOW: Final = 4
#: A table of contents: at least this many headings with nothing but short lines.
_TOC_MIN: Final = 3
_TOC_LINE_MAX: Final = 60


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


def _title(rest: str) -> str:
    """The heading's title: a short rest of line that does not read like a sentence."""
    if len(rest) - rest.count(" ") > _TITLE_MAX:
        return ""  # cheap: most headings run on into their clause's first sentence
    cjk = re.sub(r"[\u4e00-\u9fff]", "", rest)
    spaced = re.fullmatch(r"(?:\S{1,2} )+\S{1,2}", rest.strip())  # 违 约 责 任：
    if cjk != rest and " " in rest.strip() and not spaced:
        return ""  # a fill-in blank inside: 自 ____ 时起转移 is a sentence to complete
    rest = squeeze(rest)
    if rest.endswith(":") and not rest.endswith("::"):
        rest = rest[:-1].rstrip()  # 违约责任： is the title 违约责任
    if not rest or len(rest) > _TITLE_MAX or rest.endswith(_SENTENCE_END):
        return ""
    if re.search(r"[\u4e00-\u9fff]", rest):
        return rest if len(rest) <= 20 and ":" not in rest else ""
    rest = rest.replace("**", "").strip(" .")  # a Markdown heading: 1. **Term**.
    words = re.findall(r"[A-Za-z][\w'’-]*", rest)
    if '"' in rest or len(words) > 8 or ":" in rest:
        return ""
    if any(w[0].islower() and w.lower() not in _TITLE_SMALL_WORDS for w in words):
        return ""  # "Fees" means the fees: a sentence
    return rest


_RANKS: Final = {"chapter": 0, "chapter_en": 0, "section_cn": 1, "article": 2}
_LIST_RANKS: Final = {"cn_enum": 3, "cn_paren": 4, "dotted1": 5, "paren_num": 6, "alpha": 7}


def _rank(style: str) -> int | None:
    """The fixed outline rank of a style (chapter, section, article), None for lists."""
    if style.startswith("en_article"):
        return 2
    return _RANKS.get(style)


class _Outline:
    """The stack of open heading styles, and the last number seen per style and parent."""

    def __init__(self) -> None:
        self.stack: list[tuple[str, int, tuple[int, ...]]] = []  # (style, index, number)
        self.last: dict[tuple[int | None, str], tuple[int, ...]] = {}
        self.anywhere: dict[str, tuple[int, ...]] = {}  # numbering that runs on across parents

    def parent_for(self, style: str) -> tuple[int, int | None]:
        """(level, parent clause index) a heading of ``style`` would get.

        Chapters, sections and articles have a rank: an article closes every list above
        it (一、, （一）, 1.) and stands only under a chapter or a section, whatever the
        order styles appeared in.
        """
        styles = [s for s, _, _ in self.stack]
        rank = _rank(style)
        if rank is not None:
            depth = 0
            while depth < len(styles):
                above = _rank(styles[depth])
                if above is None or above >= rank:
                    break
                depth += 1
        elif style in _LIST_RANKS:
            # Lists nest by convention (一、 > （一） > 1. > (1) > (a)), whatever order
            # they first appeared in: 一、 after a preamble's 1. 2. 3. is not under 3.
            depth = len(styles)
            for k, other in enumerate(styles):
                above = _LIST_RANKS.get(other, -1) if _rank(other) is None else -1
                if other == style or above >= _LIST_RANKS[style]:
                    depth = k
                    break
        else:
            depth = styles.index(style) if style in styles else len(self.stack)
        parent = self.stack[depth - 1][1] if depth else None
        return depth + 1, parent

    def _parent_number(self, style: str) -> tuple[int, ...]:
        level, _ = self.parent_for(style)
        return self.stack[level - 2][2] if level >= 2 else ()

    def continues(self, heading: Heading) -> bool:
        """Whether the heading's number is the next of its list: one more than its
        previous sibling's, or the first child of the open heading (2.1 under 2.)."""
        _, parent = self.parent_for(heading.style)
        previous = self.last.get((parent, heading.style))
        number = heading.number
        if previous is not None:
            return number[:-1] == previous[:-1] and number[-1] == previous[-1] + 1
        if number[-1] != 1:
            last = self.anywhere.get(heading.style)
            return len(number) == 1 and last is not None and number[-1] == last[-1] + 1
        if len(number) > 1:
            return number[:-1] == self._parent_number(heading.style)[-len(number) + 1 :]
        return True

    def accepts(self, heading: Heading) -> bool:
        """Whether a list-style marker continues its list (or starts one at 1)."""
        if heading.style not in _LIST_STYLES:
            return True
        _, parent = self.parent_for(heading.style)
        previous = self.last.get((parent, heading.style))
        n = heading.number[-1]
        if previous is None:  # an excerpt may start at its first clause
            return n == 1 or not self.stack
        return n == 1 or previous[-1] <= n <= previous[-1] + 3

    def push(self, heading: Heading, index: int) -> tuple[int, int | None]:
        level, parent = self.parent_for(heading.style)
        del self.stack[level - 1 :]
        self.stack.append((heading.style, index, heading.number))
        self.last[(parent, heading.style)] = heading.number
        self.anywhere[heading.style] = heading.number
        return level, parent


def _resolve_roman(heading: Heading, outline: _Outline) -> Heading:
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
        and previous[-1] + 1 == alpha
        and any(s == "alpha" for s, _, _ in outline.stack)
    ):
        return Heading("alpha", (alpha,), heading.label, heading.rest)
    return heading


def segment(
    text: str,
    *,
    forms: dict[str, str] | None = None,
    headings: dict[str, Heading | None] | None = None,
    running: Mapping[str, int] | None = None,
) -> list[Clause]:
    """The clauses of a contract text, in document order, the preamble first.

    ``text`` is DOCX text (``extract.docx_text``), PDF text (``extract.pdf_text``, pages
    separated by ``\\f``) or OCR output; page furniture is removed first
    (:func:`contractctl.compare.normalise.clean_lines`). ``forms`` memoises comparison
    forms: segmenting two versions with one dict computes each shared clause's once;
    ``headings`` does the same for the lines' headings; ``running`` are the other
    version's running headers and footers (:func:`~contractctl.compare.normalise.running_lines`).
    """
    return segment_lines(clean_lines(text, running=running), forms=forms, headings=headings)


def _split_inline(line: Line, expected: int) -> list[Line]:
    """The line cut before each 第N条 inside it that continues the article sequence."""
    if "条" not in line.text:
        return [line]
    parts: list[Line] = []
    text = line.text
    while True:
        cut = None
        for match in _INLINE_ARTICLE.finditer(text):
            try:
                n = chinese_number(match.group(2).replace(" ", ""))
            except ValueError:
                continue
            if n == expected and match.start(1) > 0:
                cut = match.start(1)
                break
        if cut is None:
            break
        parts.append(Line(text[:cut].rstrip(), line.page))
        text = text[cut:]
        expected += 1
    return [*parts, Line(text, line.page)] if parts else [line]


_Group = tuple[Heading | None, int, int | None, list[Line]]


def _opens_contract(lines: list[Line], position: int) -> bool:
    """Whether a line is the title of the contract proper after a cover's numbered pages.

    Model contracts open with a cover and a 使用说明 page numbered 一、…五、; the contract
    itself starts again with its title and its parties. Without this the title and the
    parties are read as the instructions' last item, and a party's change is cited there.
    The title must stand alone (not a sentence, not an annex's or a list item's) and the
    parties (甲方：, 合同编号, "by and between") must follow within a few lines.
    """
    text = lines[position].text.strip()
    if len(text) > 96 or not _CONTRACT_WORD.search(text):
        return False  # cheap: most lines are sentences, and name no contract
    key = squeeze(fold(text))
    if not key or len(key) > 48 or _NOT_TITLE.match(key) or not _CONTRACT_TITLE.fullmatch(key):
        return False
    seen = 0
    for line in lines[position + 1 :]:
        following = squeeze(fold(line.text))  # 甲 方 ： letter-spaced
        if not following:
            continue
        if _FRONT.match(following):
            label = re.split(r"[:：]", following, maxsplit=1)[0]
            return not _SIGNS.search(label)  # 甲方（盖章）： closes a contract
        seen += 1
        if seen >= _FRONT_WINDOW:
            return False
    return False


def _group(
    lines: list[Line], skip: frozenset[int], headings: dict[str, Heading | None]
) -> tuple[list[_Group], list[int]]:
    """Lines grouped under their headings, and the line index that opens each group."""
    outline = _Outline()
    groups: list[_Group] = [(None, 0, None, [])]
    starts = [0]
    previous = ""  # the last non-blank line, folded, when it was not a heading
    last_article = 0
    for position, whole in enumerate(lines):
        pieces = [whole]
        while pieces:
            line = pieces.pop(0)
            if position in skip:
                heading = None
            elif line.text in headings:
                heading = headings[line.text]
            else:
                heading = headings[line.text] = read_heading(line.text)
            if heading is None and len(groups) > 1 and _opens_contract(lines, position):
                outline, last_article, previous = _Outline(), 0, ""  # numbering starts again
                groups.append((None, 0, None, [line]))
                starts.append(position)
                continue
            if heading is not None:
                heading = _resolve_roman(heading, outline)
                if _starts_clause(heading, outline, previous):
                    if heading.style == "article":
                        last_article = heading.number[-1]
                    line, *rest = _split_inline(line, last_article + 1)
                    if rest:  # the heading's text ends where the next article starts
                        pieces[:0] = rest
                        reread = read_heading(line.text)
                        if reread is not None:
                            heading = replace(heading, rest=reread.rest)
                    level, parent = outline.push(heading, len(groups))
                    groups.append((heading, level, parent, [line]))
                    starts.append(position)
                    previous = "" if _title(heading.rest) else heading.rest
                    continue
            if last_article:
                line, *rest = _split_inline(line, last_article + 1)
                pieces[:0] = rest
            groups[-1][3].append(line)
            if line.text.strip():
                previous = fold(line.text).strip()
    return groups, starts


def _starts_clause(heading: Heading, outline: _Outline, previous: str) -> bool:
    """Whether a line that starts with a number starts a clause, from its neighbours."""
    if not outline.accepts(heading):
        return False
    if heading.style in _UNAMBIGUOUS:
        # 第N条 far from the last article's number at a line start is a cross-reference
        # that a line wrapped ("及第 17 条（不可抗力）约定的情形"), unless it is titled.
        last = outline.anywhere.get(heading.style)
        n = heading.number[-1]
        return last is None or n == 1 or last[-1] <= n <= last[-1] + 3 or bool(_title(heading.rest))
    continues = outline.continues(heading)
    if not heading.rest and not (continues or _near(heading, outline)):
        return False  # a bare "3." or "2.1" line is a clause only in sequence
    if not _CONTINUES.search(previous):
        return True
    # The line before ends mid-sentence: only the next number of a list, with text that
    # starts like a sentence or a title, starts a clause there.
    return continues and not (heading.rest[:1].islower())


def _near(heading: Heading, outline: _Outline) -> bool:
    """Whether a worded heading (``ARTICLE 6``) is near its scheme's last number: a gap
    (an article deleted) or a repeat (one renumbered by hand) still heads a clause."""
    if not heading.style.startswith(("en_", "chapter")):
        return False
    last = outline.anywhere.get(heading.style)
    return last is not None and last[-1] <= heading.number[-1] <= last[-1] + 3


def _table_of_contents(groups: list[_Group], starts: list[int]) -> frozenset[int]:
    """Heading lines of a table of contents: a run of headings with only short lines,
    from a top-level number 1 to where the same scheme starts again at 1."""
    skip: set[int] = set()
    n = 1
    while n < len(groups):
        heading, level = groups[n][0], groups[n][1]
        if heading is None or level != 1 or heading.number[-1] != 1:
            n += 1
            continue
        restart = next(
            (
                m
                for m in range(n + _TOC_MIN, len(groups))
                if (other := groups[m][0]) is not None
                and groups[m][1] == 1
                and other.style == heading.style
                and other.number == heading.number
            ),
            None,
        )
        if restart is None:
            n += 1
            continue
        # The last entry's lines run on into what stands between the contents and
        # the text (the parties, a preamble): only its heading line must be short.
        lines = [line for _, _, _, group in groups[n : restart - 1] for line in group]
        short = all(
            len("".join(line.text.split())) <= _TOC_LINE_MAX and "。" not in line.text
            for line in [*lines, groups[restart - 1][3][0]]
        )
        if short:
            skip.update(starts[k] for k in range(n, restart))
            n = restart
        else:
            n += 1
    return frozenset(skip)


def segment_lines(
    lines: list[Line],
    *,
    forms: dict[str, str] | None = None,
    headings: dict[str, Heading | None] | None = None,
) -> list[Clause]:
    """:func:`segment` for lines that went through ``clean_lines`` already."""
    memo: dict[str, str] = {} if forms is None else forms
    heads: dict[str, Heading | None] = {} if headings is None else headings

    def form(text: str) -> str:
        if text not in memo:
            memo[text] = comparison_form(text)
        return memo[text]

    groups, starts = _group(lines, frozenset(), heads)
    skip = _table_of_contents(groups, starts)
    if skip:
        groups, _ = _group(lines, skip, heads)
    # Cover pages before the contract proper (a 使用说明 numbered 一、…, a table of
    # contents): the contract's own title and parties are its preamble, its own 一、 is
    # 一, and what the cover numbered is cited as ``cover 一``.
    opens = next((k for k in range(1, len(groups)) if groups[k][0] is None), 0)
    clauses: list[Clause] = []
    seen: dict[str, int] = {}
    for index, (heading, level, parent, group) in enumerate(groups):
        clause = _make_clause(index, heading, level, parent, group, clauses, form)
        if index < opens and not clause.id.startswith("cover"):
            clause.id = f"cover {clause.id}" if index else "cover"
        count = seen.get(clause.id, 0)
        seen[clause.id] = count + 1
        if count:
            clause.id = f"{clause.id} ({count + 1})"
        clauses.append(clause)
    return clauses


def _make_clause(
    index: int,
    heading: Heading | None,
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
        or heading.style == "cn_enum"
        or (heading.style == "dotted1" and not before[parent].style.startswith("dotted"))
    ):
        parent_id = before[parent].id
        if heading.style == "dotted1":
            label = f"{parent_id}.{label}"
        elif heading.style == "cn_enum":
            label = f"{parent_id} {label}、"  # 二、 inside 第五条
        else:
            label = f"{parent_id}{label}"
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
