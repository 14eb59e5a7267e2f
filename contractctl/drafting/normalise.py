"""Making a template as Word wrote it readable as one run per tag, before it is linted.

Word splits the text of a paragraph into runs for reasons the author never sees: the
spell checker's ``w:proofErr`` marks, bookmarks, revision ids (``w:rsidR``...) and
``w:lastRenderedPageBreak`` render marks, empty runs, ``w:lang`` and ``w:noProof`` set
on half a word. A tag such as ``{{ contract_no }}`` then lies over several runs of the
same look, and retyping it does not help: Word puts the markers back. ``normalise_docx``
undoes that in the body, headers, footers, footnotes and endnotes:

- everywhere: ``w:proofErr`` and ``w:lastRenderedPageBreak`` are dropped, and every
  ``w:rsid*`` attribute (they only record which editing session wrote what);
- inside a tag split over runs: bookmarks and empty runs between its parts are dropped,
  and adjacent runs that look the same are merged into the first of them.

What is left split is a tag whose parts really differ in formatting (bold, a font, a
colour), or lie in different containers (a hyperlink, a tracked change): the linter
refuses those, naming the two formats with :func:`describe_format`. Everything else in
the file is copied byte for byte; the normalised copy is what gets linted and stored.
"""

from __future__ import annotations

import itertools
import zipfile
from pathlib import Path
from typing import Any

from contractctl.documents.docx_safety import safe_members, scan_tags

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = "{" + _W_NS + "}"
_P, _R, _T, _RPR = (_W + n for n in ("p", "r", "t", "rPr"))
_DROPPED = frozenset({_W + "proofErr", _W + "lastRenderedPageBreak"})
_INSIDE_TAG = frozenset({_W + "bookmarkStart", _W + "bookmarkEnd"})
#: Run properties that change nothing the reader sees.
_INVISIBLE = frozenset({_W + "lang", _W + "noProof", _W + "webHidden"})
#: The parts of a document that hold paragraphs with tags.
_PARTS = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml")
_PART_PREFIXES = ("word/header", "word/footer")


def normalise_docx(src: Path, dst: Path) -> int:
    """Write ``src`` to ``dst`` with Word's markers removed and split tags joined.

    Returns the number of changes made. ``src`` passes :func:`safe_members` first, so a
    zip bomb or an XML entity declaration is refused (InvalidInput) before anything is
    parsed; other members are copied unchanged.
    """
    members = safe_members(src)
    changes = 0
    out: dict[str, bytes] = {}
    for name, blob in members.items():
        if name in _PARTS or (name.startswith(_PART_PREFIXES) and name.endswith(".xml")):
            blob, changed = normalise_part(blob)
            changes += changed
        out[name] = blob
    with zipfile.ZipFile(src) as archive:
        infos = archive.infolist()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in infos:
            archive.writestr(info, out[info.filename], compress_type=zipfile.ZIP_DEFLATED)
    return changes


def normalise_part(blob: bytes) -> tuple[bytes, int]:
    """One XML part normalised, and the number of changes (the bytes unchanged if none)."""
    from lxml import etree  # type: ignore[import-untyped]

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(blob, parser)
    except etree.XMLSyntaxError:
        return blob, 0  # safe_members only lets a part through that parses: not reached
    changes = normalise_tree(root)
    if not changes:
        return blob, 0
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), changes


def normalise_tree(root: Any) -> int:
    """Normalise an lxml tree in place; the number of changes."""
    changes = 0
    for element in list(root.iter(*_DROPPED)):
        element.getparent().remove(element)
        changes += 1
    for element in root.iter():
        for key in [k for k in element.attrib if k.startswith(_W + "rsid")]:
            del element.attrib[key]
            changes += 1
    for para in list(root.iter(_P)):
        changes += _join_tags(para)
    return changes


def run_text(run: Any) -> str:
    """The text of a run's own ``w:t`` elements."""
    return "".join(t.text or "" for t in run.iterchildren(_T))


def describe_format(run: Any) -> str:
    """How a run looks, in words: ``bold, font SimSun``; ``plain`` without formatting."""
    return ", ".join(_format_words(run)) or "plain"


def format_difference(first: Any, second: Any) -> tuple[str, str]:
    """How two runs differ, in words: ``("plain", "bold")``; what they share is left out."""
    one, two = _format_words(first), _format_words(second)
    return (
        ", ".join(w for w in one if w not in two) or "plain",
        ", ".join(w for w in two if w not in one) or "plain",
    )


def _format_words(run: Any) -> list[str]:
    props = _visible_props(run)
    if props is None:
        return []
    words: list[str] = []
    for child in props:
        name = etree_localname(child)
        value = _attr(child, "val")
        if name in ("b", "i", "strike", "caps", "smallCaps", "vanish") and value in ("0", "false"):
            continue
        if name == "rFonts":
            fonts = sorted({v for k, v in child.attrib.items() if not k.endswith("hint")})
            words.append("font " + "/".join(fonts))
        elif name in ("sz", "szCs") and value:
            words.append(f"size {int(value) / 2:g} pt" + (" (complex script)" * (name == "szCs")))
        elif name in ("color", "highlight") and value:
            words.append(f"{'colour' if name == 'color' else 'highlight'} {value}")
        else:
            words.append(_NAMES.get(name, name) + (f" {value}" if value else ""))
    return list(dict.fromkeys(words))


_NAMES = {"b": "bold", "bCs": "bold (complex script)", "i": "italic", "u": "underline"}


def etree_localname(element: Any) -> str:
    """``rFonts`` for ``{ns}rFonts``."""
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _attr(element: Any, name: str) -> str | None:
    value = element.get(_W + name)
    return None if value is None else str(value)


def _visible_props(run: Any) -> Any:
    """A copy of the run's ``w:rPr`` without what the reader cannot see, or None."""
    import copy

    props = run.find(_RPR)
    if props is None:
        return None
    props = copy.deepcopy(props)
    for child in list(props):
        if child.tag in _INVISIBLE:
            props.remove(child)
        elif child.tag == _W + "rFonts":
            for key in [k for k in child.attrib if k == _W + "hint"]:
                del child.attrib[key]
            if not child.attrib:
                props.remove(child)
    return props if len(props) else None


def same_format(first: Any, second: Any) -> bool:
    """Whether two runs look the same (``w:lang``, ``w:noProof``, font hints aside)."""
    from lxml import etree

    one, two = _visible_props(first), _visible_props(second)
    if one is None or two is None:
        return one is None and two is None
    return bool(etree.tostring(one) == etree.tostring(two))


def _text_only(run: Any) -> bool:
    return all(child.tag in (_RPR, _T) for child in run)


def _runs(para: Any) -> list[Any]:
    """The paragraph's own runs (not those of a text box inside it), in order."""
    return [r for r in para.iter(_R) if next(r.iterancestors(_P), None) is para]


def _join_tags(para: Any) -> int:
    """Join the tags of one paragraph split over runs that look the same."""
    changes = 0
    for _ in range(1000):  # each pass removes an element or merges two runs
        changed = _join_one(para)
        if not changed:
            return changes
        changes += changed
    return changes


def _join_one(para: Any) -> int:
    runs = [(run, run_text(run)) for run in _runs(para)]
    spans: list[tuple[int, int, Any]] = []
    position = 0
    for run, text in runs:
        if text:
            spans.append((position, position + len(text), run))
            position += len(text)
    text = "".join(t for _, t in runs)
    for begin, end in scan_tags(text):
        if end < 0:
            break
        inside = [run for start, stop, run in spans if start < end and stop > begin]
        if len(inside) < 2:
            continue
        changed = _tidy_between(inside[0], inside[-1])
        for first, second in itertools.pairwise(inside):
            if _mergeable(first, second):
                _merge(first, second)
                changed += 1
                break
        if changed:
            return changed
    return 0


def _tidy_between(first: Any, last: Any) -> int:
    """Drop the bookmarks and empty runs between two runs of one tag (same parent only)."""
    parent = first.getparent()
    if last.getparent() is not parent:
        return 0
    children = list(parent)
    removed = 0
    for element in children[children.index(first) + 1 : children.index(last)]:
        empty_run = element.tag == _R and not run_text(element) and _text_only(element)
        if element.tag in _INSIDE_TAG or empty_run:
            parent.remove(element)
            removed += 1
    return removed


def _mergeable(first: Any, second: Any) -> bool:
    return (
        first.getnext() is second
        and _text_only(first)
        and _text_only(second)
        and same_format(first, second)
    )


def _merge(first: Any, second: Any) -> None:
    """Append the text of ``second`` to ``first`` (one ``w:t``) and remove ``second``."""
    from lxml import etree

    text = run_text(first) + run_text(second)
    for t in list(first.iterchildren(_T)):
        first.remove(t)
    node = etree.SubElement(first, _T)
    node.text = text
    node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    second.getparent().remove(second)
