"""Every word of a DOCX as Word shows it: one reader for import, drafting and compare.

python-docx's ``Paragraph.text`` reads the runs directly under a paragraph, so text that
Word shows but keeps elsewhere went missing: tracked insertions (``w:ins``), text boxes
(``w:txbxContent``, twice over when Word writes both a DrawingML and a VML copy inside
``mc:AlternateContent``), content controls (``w:sdt``), fields' results, headers,
footers and footnotes. ``read_docx`` walks the XML itself:

- a paragraph's text is every ``w:t`` inside it (through ``w:ins``, ``w:sdt``,
  ``w:hyperlink``, ``w:fldSimple``, ``w:smartTag``), ``w:tab`` as a tab and ``w:br`` as
  a line break, ``w:sym`` as the symbol (a Wingdings check box as ☑ or □,
  :mod:`~contractctl.documents.symbols`); ``w:delText`` (deleted text) and
  ``w:instrText`` (a field's code, whose result is the ``w:t`` after it) are not text,
  nor the cached result of a page number or page count field (``PAGE``, ``NUMPAGES``:
  Word shows another on every page) or of a page reference to a bookmark that is there
  (``PAGEREF``, a table of contents' page numbers; other cross-references read as Word
  last showed them, as our PDFs print them); a footnote's or endnote's reference shows
  its number, as does the note itself;
- a text box is read after the paragraph that anchors it, one line per paragraph, and of
  an ``mc:AlternateContent`` only the first branch that holds text is read;
- a table row is one line, its cells joined by `` | `` (a merged cell once: Word keeps
  a horizontally merged cell as one ``w:tc``, so two equal neighbours are two cells);
- a numbered paragraph starts with the number Word shows (``第一条``, ``1.1``, ``（一）``,
  :mod:`~contractctl.documents.docx_numbering`);
- headers come first, then the body, footnotes, endnotes and footers, as a reader meets
  them on a page; each part's text once, however many sections repeat it.

The file is opened through :func:`~contractctl.documents.docx_safety.safe_members`, so a
zip bomb or an XML entity declaration is refused before anything is parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contractctl.documents.docx_numbering import Numbering
from contractctl.documents.docx_safety import safe_members
from contractctl.documents.symbols import symbol

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_P, _T, _TBL, _TR, _TC = (_W + n for n in ("p", "t", "tbl", "tr", "tc"))
_TXBX = _W + "txbxContent"
_INSTR, _FLDCHAR, _FLDSIMPLE = (_W + n for n in ("instrText", "fldChar", "fldSimple"))
_ALTERNATE = _MC + "AlternateContent"
_SKIPPED = frozenset(_W + n for n in ("del", "delText", "instrText", "moveFrom"))
_BREAKS = {_W + "tab": "\t", _W + "br": "\n", _W + "cr": "\n", _W + "noBreakHyphen": "-"}
_NOTES = {_W + "footnote": "footnote", _W + "endnote": "endnote"}
_REFERENCES = {_W + "footnoteReference": "footnote", _W + "endnoteReference": "endnote"}
_OWN_MARKS = frozenset((_W + "footnoteRef", _W + "endnoteRef"))
_MARK = _W + "bookmarkStart"
_SYM = _W + "sym"
_ORDER = ("header", "document", "footnotes", "endnotes", "footer")


def read_docx(path: Path) -> str:
    """The text of the DOCX at ``path``, one line per paragraph or table row.

    Raises InvalidInput when the file is not a readable, safe DOCX.
    """
    from lxml import etree  # type: ignore[import-untyped]

    members = safe_members(path)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    numbers = Numbering(members.get("word/numbering.xml"), members.get("word/styles.xml"), parser)
    reading = _Reading(numbers)
    roots = [
        (name, etree.fromstring(members[name], parser))
        for name in sorted(members, key=_part_order)
        if _part_order(name)[0] < len(_ORDER)
    ]
    reading.bookmarks = {
        (mark.get(_W + "name") or "").casefold() for _, root in roots for mark in root.iter(_MARK)
    }
    lines: list[str] = []
    for name, root in roots:
        container = root.find(_W + "body") if name == "word/document.xml" else root
        if container is None:
            continue
        numbers.restart()
        for child in container:
            _block(child, lines, reading)
    return "\n".join(lines)


def _part_order(name: str) -> tuple[int, str]:
    match = re.fullmatch(r"word/([a-z]+?)\d*\.xml", name)
    kind = match.group(1) if match else ""
    return (_ORDER.index(kind) if kind in _ORDER else len(_ORDER), name)


@dataclass
class _Reading:
    """What reading one file keeps track of: list counters and note numbers."""

    numbers: Numbering
    notes: dict[str, int] = field(default_factory=dict)  # "footnote:3" -> 1, as Word counts
    note: str = ""  # the note being read (in footnotes.xml, endnotes.xml)
    bookmarks: set[str] = field(default_factory=set)  # every bookmark's name, casefolded

    def mark(self, kind: str, ident: str) -> str:
        """The number Word shows for a note's reference (the next one the first time)."""
        key = f"{kind}:{ident}"
        if key not in self.notes:
            self.notes[key] = 1 + sum(k.startswith(kind) for k in self.notes)
        return str(self.notes[key])


def _block(element: Any, lines: list[str], reading: _Reading) -> None:
    """Append the lines of one body-level element (paragraph, table, content control)."""
    tag = element.tag
    if tag == _P:
        boxes: list[Any] = []
        lines.append(reading.numbers.number(element) + _paragraph(element, boxes, reading))
        for box in boxes:
            for child in box:
                _block(child, lines, reading)
    elif tag == _TBL:
        for row in element.iter(_TR):
            if _nearest(row, _TBL) is element:
                lines.append(_row(row, reading))
    elif tag in _SKIPPED:
        return
    elif isinstance(tag, str):
        if tag in _NOTES:
            reading.note = f"{_NOTES[tag]}:{element.get(_W + 'id')}"
        for child in element:  # w:sdt, w:sdtContent, w:customXml, w:ins around blocks
            _block(child, lines, reading)


def _row(row: Any, reading: _Reading) -> str:
    cells: list[str] = []
    for cell in row.iterchildren(_TC, _W + "sdt", _W + "customXml"):
        cell_lines: list[str] = []
        for child in cell.iter(_TC) if cell.tag != _TC else [cell]:
            for block in child:
                _block(block, cell_lines, reading)
        cells.append("\n".join(cell_lines))
    return " | ".join(cells)


def _paragraph(para: Any, boxes: list[Any], reading: _Reading) -> str:
    """The paragraph's own text; the text boxes it anchors are added to ``boxes``."""
    pieces: list[str] = []
    _inline(para, pieces, boxes, [], reading)
    return "".join(pieces)


def _inline(
    element: Any, pieces: list[str], boxes: list[Any], fields: list[list[str]], reading: _Reading
) -> None:
    """``fields``: the complex fields open here, each [code, "result"] once separated."""
    for child in element:
        tag = child.tag
        if tag == _INSTR and fields:
            fields[-1][0] += child.text or ""
        if not isinstance(tag, str) or tag in _SKIPPED:
            continue
        if tag == _T:
            if not any(len(f) > 1 and _page_field(f[0], reading) for f in fields):
                pieces.append(child.text or "")
        elif tag == _FLDCHAR:
            kind = child.get(_W + "fldCharType")
            if kind == "begin":
                fields.append([""])
            elif kind == "separate" and fields:
                fields[-1].append("result")
            elif kind == "end" and fields:
                fields.pop()
        elif tag in _BREAKS:
            pieces.append(_BREAKS[tag])
        elif tag == _SYM:  # Insert > Symbol: a Wingdings check box (documents.symbols)
            pieces.append(symbol(child.get(_W + "char")))
        elif tag in _REFERENCES:
            if child.get(_W + "customMarkFollows") not in ("1", "true", "on"):
                pieces.append(reading.mark(_REFERENCES[tag], child.get(_W + "id") or ""))
        elif tag in _OWN_MARKS:
            kind, _, ident = reading.note.partition(":")
            pieces.append(reading.mark(kind, ident) + " " if kind else "")
        elif tag == _TXBX:
            boxes.append(child)
        elif tag == _ALTERNATE:
            branch = next((b for b in child if _has_text(b)), None)
            if branch is not None:
                _inline(branch, pieces, boxes, fields, reading)
        elif tag == _FLDSIMPLE and _page_field(child.get(_W + "instr") or "", reading):
            continue
        elif tag != _P:
            _inline(child, pieces, boxes, fields, reading)


def _page_field(code: str, reading: _Reading) -> bool:
    """A page number, count or reference (a table of contents' page numbers): Word shows
    what the layout gives, the file keeps the last one. A page reference to a bookmark
    that is not there is no longer the layout's: the PDF shows its last result, as Word
    does (:mod:`~contractctl.drafting.unlink_fields`), and so is it read."""
    words = code.split(maxsplit=2)
    if words[:1] == ["PAGEREF"]:
        return len(words) > 1 and words[1].casefold() in reading.bookmarks
    return words[:1] in (["PAGE"], ["NUMPAGES"], ["SECTIONPAGES"])


def _has_text(element: Any) -> bool:
    return any((t.text or "").strip() for t in element.iter(_T))


def _nearest(element: Any, tag: str) -> Any:
    return next(element.iterancestors(tag), None)
