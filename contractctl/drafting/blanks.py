"""Finding the blanks of a Word contract and putting a template tag in each.

Model contracts (合同示范文本) are written to be filled in by hand: a line of
underscores, underlined spaces or tabs, an empty pair of brackets ``（    ）``, a date
``    年  月  日``, a yes/no choice ``□是 □否``, an empty table cell beside or under its
label. :func:`fill_part` finds them in one XML part of a DOCX (the body, a header or a
footer) and replaces each with the text a ``namer`` returns (a docxtpl tag such as
``{{ party_a_name }}``), written into the run where the blank began so the tag keeps
the blank's formatting: an underlined blank gives an underlined value. The whole tag
goes into that one run, so Word's run splits can never split it.

The text around each blank is kept on the :class:`Blank` (``label``: what stands
before it, ``after``: what follows), so :mod:`~contractctl.drafting.skeleton` can guess a
field's name and type from it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = "{" + _W_NS + "}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_P, _R, _T, _TAB, _RPR, _PPR = (_W + n for n in ("p", "r", "t", "tab", "rPr", "pPr"))
_TC, _TR, _TBL, _TCPR = (_W + n for n in ("tc", "tr", "tbl", "tcPr"))
#: Containers of runs inside a paragraph whose text is shown (w:del is not).
_RUN_PARENTS = frozenset(_W + n for n in ("p", "ins", "hyperlink", "smartTag", "sdtContent"))

_GAP = r"[ \u3000\u00a0\t_]"
#: The kinds of blank, in the order they are looked for (an earlier kind wins).
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("checkbox", re.compile(r"[□☐]\s*(?:是\s*[□☐]\s*否|有\s*[□☐]\s*无)")),
    ("date", re.compile(rf"(?:(?:20|２０|二〇)?{_GAP}+|_+)年{_GAP}+月{_GAP}+日")),
    ("brackets", re.compile(r"[（(【\[][ \u3000\u00a0\t_]+[）)】\]]")),
    ("line", re.compile(r"_{2,}(?:[ \u3000]{0,3}_{2,})*")),
)
_LIST_MARK = re.compile(
    r"^[ \u3000]*(?:第?[一二三四五六七八九十\d]+[）)、.．]|[（(][一二三四五六七八九十\d]+[）)])"
)
_WHITE = frozenset(" \u3000\u00a0\t")
_DELIMITERS = "。；;，,：:（(【\t□、.！!？?"


@dataclass(frozen=True)
class Blank:
    """One blank: its kind, the words before and after it, where it is."""

    kind: str  # checkbox, date, brackets, line, underline, cell
    label: str  # the words before the blank (or the label cell), cleaned
    after: str  # the words after it, up to the next delimiter
    context: str  # the paragraph or row around it, the blank shown as ____
    in_table: bool = False
    text: str = ""  # the blank as written (``□是 □否``)


#: Given a blank, the text to put in its place (a template tag).
Namer = Callable[[Blank], str]


def fill_part(root: Any, namer: Namer) -> int:
    """Replace every blank of the XML part ``root`` by ``namer``'s tag; returns how many.

    Paragraphs are done first (a blank inside a label cell such as ``总金额：    元``),
    then the table cells that are still empty.
    """
    count = 0
    for para in list(root.iter(_P)):
        if not _ignored(para):
            count += _fill_paragraph(para, namer)
    for table in list(root.iter(_TBL)):
        if not _ignored(table):
            count += _fill_table(table, namer)
    return count


def has_template_text(root: Any) -> bool:
    """Whether the part's text already holds ``{{``, ``{%`` or ``{#`` (it would be run as a tag)."""
    return bool(re.search(r"\{[{%#]", "".join(t.text or "" for t in root.iter(_T))))


def _ignored(element: Any) -> bool:
    """Inside the fallback copy of a text box (Word shows the other branch)."""
    parent = element.getparent()
    while parent is not None:
        if parent.tag == _MC_FALLBACK:
            return True
        parent = parent.getparent()
    return False


# ------------------------------------------------------------------- paragraphs


def _runs(para: Any) -> list[Any]:
    """The runs of ``para`` whose text is shown, in order (not those of nested paragraphs)."""
    found = []
    for run in para.iter(_R):
        owner = run.getparent()
        while owner is not None and owner.tag != _P:
            if owner.tag not in _RUN_PARENTS and owner.tag != _W + "sdt":
                break
            owner = owner.getparent()
        if owner is para and run.getparent().tag in _RUN_PARENTS:
            found.append(run)
    return found


def _underlined(run: Any) -> bool:
    props = run.find(_RPR)
    if props is None:
        return False
    line = props.find(_W + "u")
    return line is not None and line.get(_W + "val", "single") != "none"


def _chars(para: Any) -> tuple[str, list[tuple[Any, int, bool]]]:
    """The paragraph's text (tabs as ``\\t``) and, per character, (element, index, underlined)."""
    text: list[str] = []
    where: list[tuple[Any, int, bool]] = []
    for run in _runs(para):
        under = _underlined(run)
        for child in run:
            if child.tag == _T:
                for index, char in enumerate(child.text or ""):
                    text.append(char)
                    where.append((child, index, under))
            elif child.tag == _TAB:
                text.append("\t")
                where.append((child, -1, under))
    return "".join(text), where


def _spans(text: str, where: list[tuple[Any, int, bool]]) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, kind) of the blanks in ``text``."""
    taken = [False] * len(text)
    spans: list[tuple[int, int, str]] = []

    def claim(start: int, end: int, kind: str) -> None:
        if end > start and not any(taken[start:end]):
            taken[start:end] = [True] * (end - start)
            spans.append((start, end, kind))

    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            claim(start, end, kind)
    index = 0
    while index < len(text):  # underlined spaces and tabs: a blank line drawn by Word
        if text[index] in _WHITE and where[index][2] and not taken[index]:
            end = index
            while end < len(text) and text[end] in _WHITE and where[end][2] and not taken[end]:
                end += 1
            width = sum(2 if text[i] in "\t\u3000" else 1 for i in range(index, end))
            if width >= 2:
                claim(index, end, "underline")
            index = end
        else:
            index += 1
    return sorted(spans)


def _fill_paragraph(para: Any, namer: Namer) -> int:
    text, where = _chars(para)
    if not text.strip():
        return 0
    spans = _spans(text, where)
    if not spans:
        return 0
    tags = []
    previous_end = 0
    for start, end, kind in spans:
        blank = Blank(
            kind=kind,
            label=label_before(text[previous_end:start]) or _left_label(para, text[:start]),
            after=words_after(text[end:]),
            context=_context(text, start, end),
            in_table=_in_table(para),
            text=text[start:end],
        )
        tags.append(namer(blank))
        previous_end = end
    for (start, end, _), tag in reversed(list(zip(spans, tags, strict=True))):
        _replace(where[start:end], tag)
    return len(spans)


def _replace(chars: list[tuple[Any, int, bool]], tag: str) -> None:
    """Put ``tag`` where the first character was and remove the rest of the span."""
    by_element: dict[Any, list[int]] = {}
    order: list[Any] = []
    for element, index, _ in chars:
        if element not in by_element:
            by_element[element] = []
            order.append(element)
        by_element[element].append(index)
    first_text = next((e for e in order if e.tag == _T), None)
    placed = False
    for element in order:
        if element.tag == _TAB:
            if first_text is None and not placed:
                new = element.makeelement(_T, {})
                new.text = tag
                new.set(_XML_SPACE, "preserve")
                element.addprevious(new)
                placed = True
            element.getparent().remove(element)
            continue
        indices = by_element[element]
        lo, hi = min(indices), max(indices) + 1
        value = element.text or ""
        insert = tag if element is first_text else ""
        element.text = value[:lo] + insert + value[hi:]
        element.set(_XML_SPACE, "preserve")
        if insert:
            _unsqueeze(element.getparent())


def _unsqueeze(run: Any) -> None:
    """Undo what only drew a blank line: a run scaled to a sliver (``w:w`` 7%) or with
    its letters pushed together would print the value unreadable."""
    props = run.find(_RPR) if run is not None else None
    if props is None:
        return
    for name in ("w", "spacing"):
        found = props.find(_W + name)
        value = found.get(_W + "val", "") if found is not None else ""
        if found is not None and value.lstrip("-").isdigit():
            squeezed = int(value) < 100 if name == "w" else int(value) < 0
            if squeezed:
                props.remove(found)


def label_before(text: str) -> str:
    """The words just before a blank: ``甲方（出卖人）`` from ``...。甲方（出卖人）：``."""
    segment = text.rstrip(" \u3000\u00a0\t：:（(【[")
    keep = ""
    if segment.endswith(("）", ")")):
        opener = "（" if segment.endswith("）") else "("
        at = segment.rfind(opener)
        if at > 0:
            keep, segment = segment[at:], segment[:at]
    cut = max(segment.rfind(d) for d in _DELIMITERS)
    label = _LIST_MARK.sub("", segment[cut + 1 :] + keep).strip(" \u3000\u00a0\t_")
    return label[-24:]


def words_after(text: str) -> str:
    """The words just after a blank, up to the next delimiter."""
    words = text.lstrip(" \u3000\u00a0\t")
    cut = min((i for i in (words.find(d) for d in _DELIMITERS + "_") if i >= 0), default=len(words))
    return words[:cut][:12]


def _context(text: str, start: int, end: int) -> str:
    before = text[max(0, start - 20) : start]
    after = text[end : end + 12]
    return " ".join(f"{before}____{after}".split())


def _left_label(para: Any, before: str) -> str:
    """For a blank that opens a table cell: the label in the cell to its left."""
    cell = para.getparent()
    if before.strip() or cell is None or cell.tag != _TC:
        return ""
    left = cell.getprevious()
    while left is not None and left.tag != _TC:
        left = left.getprevious()
    text = _cell_text(left) if left is not None else ""
    return _clean_label(text) if _label_like(text) and "{{" not in text else ""


def _in_table(element: Any) -> bool:
    parent = element.getparent()
    while parent is not None:
        if parent.tag == _TC:
            return True
        parent = parent.getparent()
    return False


# ----------------------------------------------------------------------- tables


def _cell_text(cell: Any) -> str:
    return "".join(t.text or "" for t in cell.iter(_T))


def _continues_merge(cell: Any) -> bool:
    props = cell.find(_TCPR)
    if props is None:
        return False
    merge = props.find(_W + "vMerge")
    return merge is not None and merge.get(_W + "val", "continue") != "restart"


def _span(cell: Any) -> int:
    props = cell.find(_TCPR)
    grid = props.find(_W + "gridSpan") if props is not None else None
    try:
        return max(1, int(grid.get(_W + "val", "1"))) if grid is not None else 1
    except ValueError:
        return 1


def _grid(table: Any) -> list[list[tuple[int, Any]]]:
    """Each row of ``table`` as (first grid column, cell)."""
    rows = []
    for row in table.findall(_TR):
        column = 0
        cells = []
        for cell in row.findall(_TC):
            cells.append((column, cell))
            column += _span(cell)
        rows.append(cells)
    return rows


def _label_like(text: str) -> bool:
    words = " ".join(text.split())
    return 0 < len(words) <= 30 and not re.fullmatch(r"[\d.,\s%％-]+", words)


def _clean_label(text: str) -> str:
    return " ".join(text.split()).strip("：: ")[:24]


def _fill_table(table: Any, namer: Namer) -> int:
    count = 0
    rows = _grid(table)
    texts = {id(cell): _cell_text(cell) for cells in rows for _, cell in cells}  # as found
    for number, cells in enumerate(rows):
        above = {col: cell for col, cell in rows[number - 1]} if number else {}
        for position, (column, cell) in enumerate(cells):
            if texts[id(cell)].strip() or _continues_merge(cell) or cell.find(_TBL) is not None:
                continue
            label = ""
            if position:
                left = texts[id(cells[position - 1][1])]
                if _label_like(left) and "{{" not in left:
                    label = _clean_label(left)
            if not label and column in above:
                up = texts[id(above[column])]
                if _label_like(up) and "{{" not in up:
                    label = _clean_label(up)
            if not label:
                continue
            row_text = " | ".join(" ".join(_cell_text(c).split()) or "____" for _, c in cells)
            tag = namer(Blank("cell", label, "", row_text[:60], in_table=True))
            _put_in_cell(cell, tag)
            count += 1
    return count


def _put_in_cell(cell: Any, tag: str) -> None:
    """A run holding ``tag`` in the cell's first paragraph, formatted as its paragraph mark."""
    para = cell.find(_P)
    if para is None:
        para = cell.makeelement(_P, {})
        cell.append(para)
    run = para.makeelement(_R, {})
    props = para.find(_PPR)
    mark = props.find(_RPR) if props is not None else None
    if mark is not None:
        run_props = deepcopy(mark)
        for child in list(run_props):
            if child.tag in (
                _W + "ins",
                _W + "del",
                _W + "rPrChange",
                _W + "moveFrom",
                _W + "moveTo",
            ):
                run_props.remove(child)
        run.append(run_props)
    text = run.makeelement(_T, {})
    text.text = tag
    text.set(_XML_SPACE, "preserve")
    run.append(text)
    for old in para.findall(_R):
        para.remove(old)  # empty runs only: the cell has no text
    para.append(run)
