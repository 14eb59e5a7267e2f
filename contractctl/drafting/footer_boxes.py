"""Text boxes of headers and footers given a fixed height, before LibreOffice lays a DOCX out.

WPS and old Word put the page number in a floating VML text box in the footer whose
``v:textbox`` style says ``mso-fit-shape-to-text:t``: "grow the box to its text". In
LibreOffice (7.4 measured) such an auto-growing frame in a footer can make the layout
loop forever: the page's footer is sized, the body reflows, the footer is sized again,
and ``soffice --convert-to pdf`` never ends. The model contract
危险化学品生产经营企业自建网站销售合同 was still being laid out after 730 s; the same file
without that one style declaration converts in 3.5 s. Whether a file loops depends on
where its pages break (its first 63 paragraphs convert, its first 64 loop), so no check
of the body can tell the files that loop from the ones that do not; the box is what we
change.

So, in a temporary copy that LibreOffice opens instead of the user's file (never the
file itself), each VML text box of a header or footer loses ``mso-fit-shape-to-text``
and keeps a fixed height: its own, or a generous estimate of its text's height when
its own is smaller (so that no line is cut off). Its text, its place (the text sits at
the top of the box either way) and its page number field are untouched: LibreOffice
placed the text the same way when the box grew (measured: same baseline), and the
box of a page number is invisible (no fill, no line). A file without such a box is
converted as it is (a look at the raw bytes of its header and footer parts, a few ms).

DrawingML text boxes (``wps:bodyPr`` with ``a:spAutoFit``) are left alone: none was
seen to loop.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from contractctl.drafting.docx_parts import parse_part, read_parts, rewritten_copy

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_V = "{urn:schemas-microsoft-com:vml}"
#: The parts whose text boxes are laid out on every page.
_PARTS = re.compile(r"word/(?:header|footer)\d*\.xml")
#: The style declaration that makes a VML text box grow to its text.
_FIT = re.compile(r"\s*mso-fit-shape-to-text\s*:\s*(?:t|true)\s*;?", re.I)
_FIT_BYTES = re.compile(rb"mso-fit-shape-to-text\s*:\s*(?:t|true)", re.I)
#: A CSS length in a VML style, and how many points each unit is.
_LENGTH = re.compile(r"(^|;)(\s*height\s*:\s*)([0-9.]+)\s*(pt|in|cm|mm|px)?\s*(?=;|$)", re.I)
_POINTS = {"pt": 1.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "px": 0.75, "": 0.75}
#: Word's default font size (10.5 pt, 五号) when a box's runs name none, in half-points.
_DEFAULT_HALF_POINTS = 21
#: A line's height as a multiple of its font size, generously (Word's single spacing is
#: ~1.2-1.3 for CJK fonts), and the VML default insets top and bottom (0.05 in each).
_LINE_FACTOR, _INSETS_PT = 1.6, 7.2


def fixed_boxes_copy(src: Path, folder: Path) -> Path:
    """``src``, or a copy of it in ``folder`` whose header and footer text boxes have a
    fixed height instead of growing to their text.

    Returns ``src`` itself when it has no such box, or when it cannot be read as a DOCX
    (LibreOffice then says what is wrong with it).
    """
    return rewritten_copy(src, folder, _fixed_parts)


def _fixed_parts(src: Path) -> dict[str, bytes]:
    """The header and footer parts of ``src`` that change, as they read once fixed."""
    raw = read_parts(src, _PARTS)
    wanted = {name: data for name, data in raw.items() if _FIT_BYTES.search(data)}
    if not wanted:
        return {}
    from lxml import etree  # type: ignore[import-untyped]

    changed = {}
    for name, data in wanted.items():
        root = parse_part(name, data)
        if _fix_boxes(root):
            changed[name] = etree.tostring(
                root, xml_declaration=True, encoding="UTF-8", standalone=True
            )
    return changed


def _fix_boxes(root: Any) -> bool:
    """Give every growing VML text box under ``root`` a fixed height; whether any was."""
    done = False
    for textbox in root.iter(_V + "textbox"):
        style = textbox.get("style") or ""
        if not _FIT.search(style):
            continue
        textbox.set("style", _FIT.sub("", style).strip().lstrip(";"))
        if not textbox.get("style"):
            del textbox.attrib["style"]
        shape = textbox.getparent()
        if shape is not None:
            _at_least(shape, _text_height(textbox))
        done = True
    return done


def _text_height(textbox: Any) -> float:
    """A generous estimate of the height, in points, the text of ``textbox`` needs."""
    paragraphs = list(textbox.iter(_W + "p")) or [None]
    height = _INSETS_PT
    for para in paragraphs:
        sizes = [
            int(size.get(_W + "val") or 0)
            for size in (para.iter(_W + "sz") if para is not None else ())
            if (size.get(_W + "val") or "").isdigit()
        ]
        lines = 1 + sum(1 for _ in para.iter(_W + "br")) if para is not None else 1
        half_points = max(sizes, default=_DEFAULT_HALF_POINTS) or _DEFAULT_HALF_POINTS
        height += lines * half_points / 2 * _LINE_FACTOR
    return height


def _at_least(shape: Any, points: float) -> None:
    """Raise the ``height`` in ``shape``'s style to ``points`` if it is smaller.

    A height in a unit we do not know, or none, is left alone: LibreOffice then sizes
    the box as it always did.
    """
    style = shape.get("style") or ""
    match = _LENGTH.search(style)
    if match is None:
        return
    value, unit = float(match.group(3)), (match.group(4) or "").lower()
    if value * _POINTS[unit] >= points:
        return
    fixed = f"{match.group(1)}{match.group(2)}{points:.1f}pt"
    shape.set("style", style[: match.start()] + fixed + style[match.end() :])
