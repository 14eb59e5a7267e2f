"""Reading a template DOCX as paragraphs, with their runs and the tags hidden around them.

Word keeps a paragraph's text in runs, and an edit can split one Jinja tag over several
of them; docxtpl patches and renders the body, headers, footers, footnotes and document
properties each on its own. ``template_parts`` reads a document that way, and
``paragraphs`` gives every ``w:p`` as the text the author sees, the run of every
character, the table row and cell around it, plus the tags hidden in XML attributes and
field codes. ``shorten`` cuts that text to a context the author can find with Ctrl-F.

This is separate from :mod:`contractctl.drafting.lint` because it only reads the
document and judges nothing, and two callers share it: the linter, which checks the tags
in these paragraphs, and ``clause_headings``, which reads a contract's clause headings
from the same paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from contractctl.documents.docx_safety import MAX_UNCLOSED_TAGS, TAG_OPENING, xml_parts

#: How many characters of the document a problem's context shows.
CONTEXT_WIDTH = 80

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _R, _T, _TR, _TC, _TXBX = (_W + n for n in ("p", "r", "t", "tr", "tc", "txbxContent"))
_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")


@dataclass
class Para:
    """One paragraph (or document property) as the author sees it in Word."""

    text: str
    spans: list[tuple[int, int, int]] = field(default_factory=list)  # (start, end, run)
    row: int | None = None
    cell: int | None = None
    scope: str = ""  # the paragraph, or the whole table row around it
    offset: int = 0  # where the paragraph's text starts in ``scope``
    top_level: bool = False  # a body paragraph outside tables and text boxes
    runs: dict[int, Any] = field(default_factory=dict)  # run number -> its w:r element

    def context(self, start: int = 0, end: int = 0) -> str:
        """The paragraph (or its table row) around ``start``..``end``, shortened."""
        return shorten(self.scope or self.text, self.offset + start, self.offset + end)


@dataclass
class Part:
    """A piece docxtpl renders on its own: the body, a header, a footer, a property."""

    label: str  # "" for the body, else "the footer (word/footer1.xml)"...
    source: str | None  # what Jinja parses; None when too broken to patch safely
    paras: list[Para]
    patched: bool = True  # docxtpl's {%tr/{%p/{%tc/{%r prefixes apply
    unclosed: int = 0


def template_parts(document: Any) -> list[Part]:
    """The body, headers, footers, footnotes and properties, as docxtpl renders them.

    A part with more tags left open than docxtpl's patching can take in reasonable time
    is kept unpatched (``source`` None), to be reported as a syntax problem.
    """
    from docxtpl import DocxTemplate

    patcher = DocxTemplate.__new__(DocxTemplate)  # patch_xml uses no instance state
    parts: list[Part] = []
    for xml_part in xml_parts(document):  # raises InvalidInput for too many tags
        label, root, unclosed = xml_part.label, xml_part.root, xml_part.unclosed
        if unclosed > MAX_UNCLOSED_TAGS:  # docxtpl's regexes are quadratic in these
            parts.append(Part(label, None, paragraphs(root), unclosed=unclosed))
            continue
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", patcher.patch_xml(xml_part.xml))
        parts.append(Part(label, source, paragraphs(root)))
    properties = document.core_properties
    for name in _PROPERTIES:
        value = getattr(properties, name) or ""
        if TAG_OPENING.search(value):
            label = f"the document property '{name}'"
            parts.append(Part(label, value, [Para(value, scope=value)], patched=False))
    return parts


def paragraphs(root: Any) -> list[Para]:
    """Each w:p's text with the run of every character; tags hidden in XML attributes too.

    One pass of lxml's iterwalk with stacks of the open runs, rows, cells and text boxes
    (asking each element for its ancestors is several times slower on a long contract).
    """
    from lxml import etree  # type: ignore[import-untyped]

    paras: list[Para] = []
    hidden: list[Para] = []
    open_paras: list[tuple[Para, list[str]]] = []
    stacks: dict[str, list[int]] = {_R: [], _TR: [], _TC: [], _TXBX: []}
    count = 0
    raw_text = etree.ElementBase.text.__get__  # python-docx's CT_P.text joins its runs
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag
        if not isinstance(tag, str):  # comments, processing instructions
            continue
        if event == "end":
            if tag == _P:
                para, texts = open_paras.pop()
                para.text = "".join(texts)
            elif tag in stacks:
                stacks[tag].pop()
            continue
        hiding = [(f"attribute {k.rsplit('}', 1)[-1]}", v) for k, v in element.attrib.items()]
        text = raw_text(element)
        if tag != _T and text:  # field codes (w:instrText) and the like
            hiding.append((f"element {tag.rsplit('}', 1)[-1]}", text))
        for where, value in hiding:
            if "{" in value and TAG_OPENING.search(value):
                scope = f"(hidden in the XML {where}) {value}"
                hidden.append(Para(value, scope=scope, offset=len(scope) - len(value)))
        if tag == _P:
            rows, cells = stacks[_TR], stacks[_TC]
            para = Para("", row=rows[-1] if rows else None, cell=cells[-1] if cells else None)
            para.top_level = not rows and not stacks[_TXBX]
            paras.append(para)
            open_paras.append((para, []))
        elif tag == _T and open_paras and text:
            para, texts = open_paras[-1]
            start = para.spans[-1][1] if para.spans else 0
            run = stacks[_R][-1] if stacks[_R] else -1
            para.spans.append((start, start + len(text), run))
            texts.append(text)
        elif tag in stacks:
            count += 1
            stacks[tag].append(count)
            if tag == _R and open_paras:
                open_paras[-1][0].runs[count] = element
    by_row: dict[int, list[Para]] = {}
    for para in paras:
        if para.row is not None:
            by_row.setdefault(para.row, []).append(para)
    for members in by_row.values():
        _give_row_scope(members)
    return paras + hidden


def _give_row_scope(members: list[Para]) -> None:
    """Let every paragraph of a table row show the row's text: cells joined by |."""
    scope = ""
    previous_cell: int | None = None
    for para in members:
        if para.text:
            if scope:
                scope += " | " if para.cell != previous_cell else " "
            para.offset = len(scope)
            scope += para.text
            previous_cell = para.cell
    for para in members:
        para.scope = scope
        if not para.text:
            para.offset = len(scope)


def shorten(text: str, start: int, end: int, width: int = CONTEXT_WIDTH) -> str:
    """At most ``width`` characters of ``text``, keeping ``start``..``end`` in view."""
    low = 0 if len(text) <= width else max(0, min((start + end - width) // 2, len(text) - width))
    if end - start > width:
        low = start
    high = low + width
    shown = text[low:high].translate(_BLANKS).strip()
    return ("…" if low > 0 else "") + shown + ("…" if high < len(text) else "")


_BLANKS = str.maketrans("\t\r\n", "   ")
