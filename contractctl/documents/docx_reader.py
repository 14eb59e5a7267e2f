"""Every word of a DOCX as Word shows it: one reader for import, drafting and compare.

python-docx's ``Paragraph.text`` reads the runs directly under a paragraph, so text that
Word shows but keeps elsewhere went missing: tracked insertions (``w:ins``), text boxes
(``w:txbxContent``, twice over when Word writes both a DrawingML and a VML copy inside
``mc:AlternateContent``), content controls (``w:sdt``), fields' results, headers,
footers and footnotes. ``read_docx`` walks the XML itself:

- a paragraph's text is every ``w:t`` inside it (through ``w:ins``, ``w:sdt``,
  ``w:hyperlink``, ``w:fldSimple``, ``w:smartTag``), ``w:tab`` as a tab and ``w:br`` as a
  line break; ``w:delText`` (deleted text) and ``w:instrText`` (a field's code, whose
  result is the ``w:t`` after it) are not text;
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
from pathlib import Path
from typing import Any

from contractctl.documents.docx_numbering import Numbering
from contractctl.documents.docx_safety import safe_members

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_P, _T, _TBL, _TR, _TC = (_W + n for n in ("p", "t", "tbl", "tr", "tc"))
_TXBX = _W + "txbxContent"
_ALTERNATE = _MC + "AlternateContent"
_SKIPPED = frozenset(_W + n for n in ("del", "delText", "instrText", "moveFrom"))
_BREAKS = {_W + "tab": "\t", _W + "br": "\n", _W + "cr": "\n", _W + "noBreakHyphen": "-"}
_ORDER = ("header", "document", "footnotes", "endnotes", "footer")


def read_docx(path: Path) -> str:
    """The text of the DOCX at ``path``, one line per paragraph or table row.

    Raises InvalidInput when the file is not a readable, safe DOCX.
    """
    from lxml import etree  # type: ignore[import-untyped]

    members = safe_members(path)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    numbers = Numbering(members.get("word/numbering.xml"), members.get("word/styles.xml"), parser)
    lines: list[str] = []
    for name in sorted(members, key=_part_order):
        if _part_order(name)[0] == len(_ORDER):
            continue
        root = etree.fromstring(members[name], parser)
        container = root.find(_W + "body") if name == "word/document.xml" else root
        if container is None:
            continue
        numbers.restart()
        for child in container:
            _block(child, lines, numbers)
    return "\n".join(lines)


def _part_order(name: str) -> tuple[int, str]:
    match = re.fullmatch(r"word/([a-z]+?)\d*\.xml", name)
    kind = match.group(1) if match else ""
    return (_ORDER.index(kind) if kind in _ORDER else len(_ORDER), name)


def _block(element: Any, lines: list[str], numbers: Numbering) -> None:
    """Append the lines of one body-level element (paragraph, table, content control)."""
    tag = element.tag
    if tag == _P:
        boxes: list[Any] = []
        lines.append(numbers.number(element) + _paragraph(element, boxes))
        for box in boxes:
            for child in box:
                _block(child, lines, numbers)
    elif tag == _TBL:
        for row in element.iter(_TR):
            if _nearest(row, _TBL) is element:
                lines.append(_row(row, numbers))
    elif tag in _SKIPPED:
        return
    elif isinstance(tag, str):
        for child in element:  # w:sdt, w:sdtContent, w:customXml, w:ins around blocks
            _block(child, lines, numbers)


def _row(row: Any, numbers: Numbering) -> str:
    cells: list[str] = []
    for cell in row.iterchildren(_TC, _W + "sdt", _W + "customXml"):
        cell_lines: list[str] = []
        for child in cell.iter(_TC) if cell.tag != _TC else [cell]:
            for block in child:
                _block(block, cell_lines, numbers)
        cells.append("\n".join(cell_lines))
    return " | ".join(cells)


def _paragraph(para: Any, boxes: list[Any]) -> str:
    """The paragraph's own text; the text boxes it anchors are added to ``boxes``."""
    pieces: list[str] = []
    _inline(para, pieces, boxes)
    return "".join(pieces)


def _inline(element: Any, pieces: list[str], boxes: list[Any]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            continue
        if tag == _T:
            pieces.append(child.text or "")
        elif tag in _BREAKS:
            pieces.append(_BREAKS[tag])
        elif tag == _TXBX:
            boxes.append(child)
        elif tag == _ALTERNATE:
            branch = next((b for b in child if _has_text(b)), None)
            if branch is not None:
                _inline(branch, pieces, boxes)
        elif tag != _P:
            _inline(child, pieces, boxes)


def _has_text(element: Any) -> bool:
    return any((t.text or "").strip() for t in element.iter(_T))


def _nearest(element: Any, tag: str) -> Any:
    return next(element.iterancestors(tag), None)
