"""Cross-references frozen to what Word shows, before LibreOffice lays a DOCX out.

Word keeps each field's last result in the file and shows it as it is; LibreOffice
recomputes cross-references when it opens the file. Where the bookmark a ``REF``,
``PAGEREF`` or ``NOTEREF`` field points to is missing (deleted with its heading,
renamed, left in another file), LibreOffice prints ``Error: Reference source not found``
(``错误！未找到引用源``) where Word shows ``第 7.3 条`` or ``附件 4``: a PDF our
conversion made would carry the error text into an approved document, and ``diff``
reports it against the DOCX. LibreOffice also renders a reference whose bookmark is
there in its own way (a paragraph number, the bookmark's whole text), not always as
Word's result reads.

So, as Word's "unlink fields" does, every ``REF`` and ``NOTEREF`` field, and every
``PAGEREF`` whose bookmark is missing, is replaced by its cached result before
LibreOffice opens the file: the PDF then says what Word shows and what the one DOCX
reader (:mod:`~contractctl.documents.docx_reader`, which reads fields' results) reads. A
``PAGEREF`` whose bookmark is there keeps its field: page numbers are the layout's, and
LibreOffice's pages are the ones printed. A reference that was a link (``\\h``) stays a
link to its bookmark. The user's file is never touched: the result is a copy in a
temporary folder, made only when the DOCX holds such a field (a look at the raw XML,
a few ms; nothing parsed otherwise).

The same copy keeps a numbered paragraph that holds nothing but a section break:
Word shows its number (``第14章`` on a line of its own before the break, a stray number
a model contract carries), LibreOffice drops such a paragraph with its number, so the
PDF lacked what Word shows. It gets one space, and LibreOffice sets it as Word does.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from contractctl.drafting.docx_parts import parse_part, read_parts, rewritten_copy

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R, _HYPERLINK = _W + "r", _W + "hyperlink"
_FLDCHAR, _INSTR, _FLDSIMPLE = _W + "fldChar", _W + "instrText", _W + "fldSimple"
_BOOKMARK = _W + "bookmarkStart"
#: The parts whose fields a reader sees: the body, headers, footers and notes.
_PARTS = re.compile(r"word/(?:document|header\d*|footer\d*|footnotes|endnotes)\.xml")
#: A field code that may be a cross-reference (cheap test on the raw bytes).
_CANDIDATE = re.compile(rb"(?:instrText|w:instr=)[^<]{0,40}REF", re.I)
#: A paragraph that ends right after its section break: maybe one with nothing else.
_BARE_SECTION = re.compile(rb"</w:sectPr>\s*</w:pPr>\s*</w:p>")
_PPR, _NUMPR, _NUMID, _SECTPR, _T = (_W + n for n in ("pPr", "numPr", "numId", "sectPr", "t"))


def unlinked_copy(src: Path, folder: Path) -> Path:
    """``src``, or a copy of it in ``folder`` whose cross-references are their results
    (and whose numbered paragraphs holding only a section break hold a space).

    Returns ``src`` itself when it holds neither, or when it cannot be read as a DOCX
    (LibreOffice then says what is wrong with it).
    """
    return rewritten_copy(src, folder, _unlinked_parts)


def _unlinked_parts(src: Path) -> dict[str, bytes]:
    """The XML parts of ``src`` that change, as they read once unlinked."""
    from lxml import etree  # type: ignore[import-untyped]

    raw = read_parts(src, _PARTS)
    wanted = {
        name
        for name, data in raw.items()
        if _CANDIDATE.search(data) or (b"numPr" in data and _BARE_SECTION.search(data))
    }
    if not wanted:
        return {}
    roots = {name: parse_part(name, data) for name, data in raw.items()}
    bookmarks = {  # Word matches bookmark names whatever their case
        (b.get(_W + "name") or "").casefold()
        for root in roots.values()
        for b in root.iter(_BOOKMARK)
    }
    changed = {}
    for name, root in roots.items():
        unlinked = name in wanted and _CANDIDATE.search(raw[name]) and _unlink(root, bookmarks)
        if name in wanted and (_numbered_breaks_kept(root) or unlinked):
            changed[name] = etree.tostring(
                root, xml_declaration=True, encoding="UTF-8", standalone=True
            )
    return changed


def _numbered_breaks_kept(root: Any) -> bool:
    """Give each numbered paragraph that holds only a section break one space, so that
    LibreOffice keeps it and its number as Word shows them; whether any was."""
    from lxml import etree

    done = False
    for ppr in root.iter(_PPR):
        para = ppr.getparent()
        numbered = ppr.find(f"{_NUMPR}/{_NUMID}")
        if (
            para is None
            or para.tag != _W + "p"
            or ppr.find(_SECTPR) is None
            or numbered is None
            or numbered.get(_W + "val") in (None, "0")
            or any(True for _ in para.iter(_T))
        ):
            continue
        run = etree.SubElement(para, _R)
        text = etree.SubElement(run, _T)
        text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        text.text = " "
        done = True
    return done


def _target(code: str, bookmarks: set[str]) -> tuple[bool, str, bool]:
    """Whether a field with ``code`` is unlinked, its bookmark and whether it links."""
    words = code.split()
    if len(words) < 2 or words[0].upper() not in ("REF", "NOTEREF", "PAGEREF"):
        return False, "", False
    bookmark = words[1]
    there = bookmark.casefold() in bookmarks
    unlink = words[0].upper() != "PAGEREF" or not there
    return unlink, bookmark, there and any(w.lower() == "\\h" for w in words[2:])


class _Field:
    """One complex field met while walking a part: its code and its pieces."""

    def __init__(self, begin: Any) -> None:
        self.begin = begin
        self.code = ""
        self.separate: Any = None
        self.code_runs: list[Any] = []  # runs between begin and separate: the code
        self.result_runs: list[Any] = []  # runs between separate and end: what shows


def _unlink(root: Any, bookmarks: set[str]) -> bool:
    """Unlink the cross-reference fields under ``root``; whether any was."""
    done = False
    for simple in list(root.iter(_FLDSIMPLE)):
        unlink, bookmark, link = _target(simple.get(_W + "instr") or "", bookmarks)
        if unlink:
            _replace(simple, list(simple), bookmark if link else None)
            done = True
    stack: list[_Field] = []
    for element in list(root.iter(_R, _FLDCHAR, _INSTR)):
        if element.tag == _R:
            for open_field in stack:
                (
                    open_field.code_runs if open_field.separate is None else open_field.result_runs
                ).append(element)
            continue
        if element.tag == _INSTR:
            if stack and stack[-1].separate is None:
                stack[-1].code += element.text or ""
            continue
        kind = element.get(_W + "fldCharType")
        if kind == "begin":
            stack.append(_Field(element))
        elif kind == "separate" and stack:
            stack[-1].separate = element
        elif kind == "end" and stack:
            field = stack.pop()
            unlink, bookmark, link = _target(field.code, bookmarks)
            if unlink and field.separate is not None:
                _drop_field(field, element, bookmark if link else None)
                done = True
    return done


def _drop_field(field: _Field, end: Any, link: str | None) -> None:
    """Remove a complex field's code and markers, keeping the runs of its result."""
    for marker in (field.begin, field.separate, end):
        _remove(marker)
    for run in field.code_runs:
        for child in list(run):
            if child.tag in (_INSTR, _FLDCHAR):
                run.remove(child)
        if all(child.tag == _W + "rPr" for child in run):
            _remove(run)
    for run in field.result_runs:
        if all(child.tag == _W + "rPr" for child in run):
            _remove(run)
    results = [r for r in field.result_runs if r.getparent() is not None]
    if link and results and _side_by_side(results):
        _replace(None, results, link)


def _side_by_side(runs: list[Any]) -> bool:
    """Whether ``runs`` are neighbours under one parent, nothing between them."""
    parent = runs[0].getparent()
    first = parent.index(runs[0])
    return all(r.getparent() is parent and parent.index(r) == first + n for n, r in enumerate(runs))


def _replace(element: Any, runs: list[Any], link: str | None) -> None:
    """Put ``runs`` where ``element`` stood (or where they stand), in a link if given."""
    anchor = element if element is not None else runs[0]
    parent = anchor.getparent()
    if parent is None:
        return
    index = parent.index(anchor)
    if element is not None:
        parent.remove(element)
    if link is not None and parent.tag != _HYPERLINK:
        from lxml import etree

        wrapper = etree.Element(_HYPERLINK)
        wrapper.set(_W + "anchor", link)
        for run in runs:
            wrapper.append(run)
        parent.insert(index, wrapper)
    else:
        for offset, run in enumerate(runs):
            parent.insert(index + offset, run)


def _remove(element: Any) -> None:
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)
