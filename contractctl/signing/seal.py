"""Visible seals for `sign`: what the signature looks like on the page, and where it goes.

``auto`` draws the seal from the signing identity: an organisation gets a red round seal
with its name along the upper arc (each glyph turned to the tangent) and a five-pointed
star in the middle; a person gets a red square seal with their name. The name is set in
Noto Sans CJK SC Bold, embedded as a subset (an OpenType CFF font, so Chinese renders in
any viewer). Debian ships that face inside a TTC, which pyHanko cannot open by index, so
fontTools cuts a small OTF with just the glyphs of the name first.

Placement: the signing party's line of the signature block on the last page
("甲方（盖章）", "For and on behalf of Party A", found with ``pdftotext -bbox-layout``),
else the bottom right of the last page; ``--page`` and ``--box`` override.

pyHanko and fontTools are imported inside the functions that use them.
"""

from __future__ import annotations

import functools
import html
import io
import math
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contractctl import tools
from contractctl.errors import InvalidInput, ToolMissing

if TYPE_CHECKING:
    from pyhanko.stamp import BaseStampStyle

#: The Noto CJK collections Debian installs (fonts-noto-cjk), and the SC face in them.
FONT_FILES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"),
)
FONT_FACE = 2  # "Noto Sans CJK SC" / "Noto Serif CJK SC" (fc-query)
RED = (0.83, 0.0, 0.0)
ROUND_SIZE = 113.0  # 4 cm in PDF points
SQUARE_SIZE = 80.0  # 2.8 cm
PDFTOTEXT_TIMEOUT = 60.0
SEAL_MODES = ("auto", "none")
#: Labels of each party's line in the signature block, zh and en.
_BLOCK_LABELS = {
    "company": (r"甲方\s*[（(]\s*盖章", r"on\s+behalf\s+of\s+Party\s+A\b"),
    "counterparty": (r"乙方\s*[（(]\s*盖章", r"on\s+behalf\s+of\s+Party\s+B\b"),
}


@dataclass(frozen=True)
class Placement:
    """Where the seal goes: a 0-based page index and a box in PDF points."""

    page: int
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class SealRequest:
    """What `sign --seal/--page/--box` asked for: mode is auto, none or an image path."""

    mode: str = "auto"
    page: int | None = None  # 1-based, as the user writes it
    box: tuple[float, float, float, float] | None = None

    @property
    def visible(self) -> bool:
        """False for ``--seal none``: today's invisible signature field."""
        return self.mode != "none"


def parse_box(text: str) -> tuple[float, float, float, float]:
    """``x1,y1,x2,y2`` in PDF points, lower-left then upper-right (exit 2 if malformed)."""
    parts = text.split(",")
    try:
        x1, y1, x2, y2 = (float(p) for p in parts)
    except ValueError:
        raise InvalidInput(
            f"--box {text!r}: expected x1,y1,x2,y2 in PDF points, e.g. 350,100,463,213"
        ) from None
    if not all(math.isfinite(v) and v >= 0 for v in (x1, y1, x2, y2)):
        raise InvalidInput(f"--box {text!r}: coordinates must be non-negative numbers")
    if x2 - x1 < 10 or y2 - y1 < 10:
        raise InvalidInput(
            f"--box {text!r}: x2 must exceed x1 and y2 exceed y1 (at least 10 points each)"
        )
    return (x1, y1, x2, y2)


def check_request(mode: str, page: int | None, box: str | None) -> SealRequest:
    """Validate `sign`'s seal options before anything is signed (exit 2 when bad)."""
    if mode not in SEAL_MODES:
        path = Path(mode)
        if path.suffix.lower() not in (".png", ".jpg", ".jpeg"):
            raise InvalidInput(f"--seal {mode!r}: expected auto, none or a PNG/JPEG image")
        if not path.is_file():
            raise InvalidInput(f"--seal {mode!r}: no such image file")
        mode = str(path.resolve())
    if page is not None and page < 1:
        raise InvalidInput(f"--page {page}: pages are numbered from 1")
    if mode == "none" and (page is not None or box is not None):
        raise InvalidInput("--page and --box place a visible seal: not with --seal none")
    return SealRequest(mode=mode, page=page, box=parse_box(box) if box is not None else None)


# -- placement --------------------------------------------------------------------------


def place(
    pdf: bytes,
    request: SealRequest,
    *,
    page_count: int,
    page_size: tuple[float, float],
    party: str,
    name: str,
    size: float,
) -> Placement:
    """The page and box of the seal: ``--box``/``--page`` if given, else the party's line
    of the signature block, else the bottom right corner of the page."""
    index = page_count - 1 if request.page is None else request.page - 1
    if index >= page_count:
        raise InvalidInput(f"--page {request.page}: the PDF has {page_count} page(s)")
    width, height = page_size
    if request.box is not None:
        x1, y1, x2, y2 = request.box
        if x2 > width or y2 > height:
            raise InvalidInput(
                f"--box {x1:g},{y1:g},{x2:g},{y2:g} lies outside the page "
                f"({width:g} x {height:g} points)"
            )
        return Placement(index, request.box)
    anchor = _find_block_line(pdf, index, party, name)
    if anchor is None:
        cx, cy = width - 72 - size / 2, 72 + size / 2
    else:
        # pdftotext gives top-left coordinates; the seal covers the label and the name
        x_min, y_min, x_max, y_max = anchor
        cx = min(x_min + size * 0.75, x_max - size / 4) if x_max > x_min + size / 2 else x_min
        cx = max(cx, x_min + size / 2 - 10)
        cy = height - (y_min + y_max) / 2 - size * 0.15
    cx = min(max(cx, size / 2), width - size / 2)
    cy = min(max(cy, size / 2), height - size / 2)
    return Placement(index, (cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2))


_LINE = re.compile(r"<line\b[^>]*>(.*?)</line>", re.S)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', re.S
)


def text_lines(pdf: bytes, page_index: int) -> list[tuple[str, tuple[float, float, float, float]]]:
    """The text lines of one page with their boxes (top-left origin, points), via Poppler."""
    with tempfile.TemporaryDirectory(prefix="contractctl-seal-") as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        out = Path(tmp) / "out.html"
        n = str(page_index + 1)
        tools.run(
            ["pdftotext", "-bbox-layout", "-f", n, "-l", n, source, out],
            timeout=PDFTOTEXT_TIMEOUT,
            expect_file=out,
        )
        markup = out.read_text(encoding="utf-8", errors="replace")
    lines = []
    for block in _LINE.findall(markup):
        words = _WORD.findall(block)
        if not words:
            continue
        text = " ".join(html.unescape(w[4]) for w in words)
        box = (
            min(float(w[0]) for w in words),
            min(float(w[1]) for w in words),
            max(float(w[2]) for w in words),
            max(float(w[3]) for w in words),
        )
        lines.append((text, box))
    return lines


def _find_block_line(
    pdf: bytes, page_index: int, party: str, name: str
) -> tuple[float, float, float, float] | None:
    try:
        lines = text_lines(pdf, page_index)
    except ToolMissing:
        raise
    labels = _BLOCK_LABELS.get(party, ())
    squeezed = re.sub(r"\s+", "", name)
    # the line that names the signer wins; then the party's own label
    for text, box in lines:
        flat = re.sub(r"\s+", "", text)
        if squeezed and squeezed in flat and re.search(r"盖章|签字|on\s*behalf", text, re.I):
            return box
    for pattern in labels:
        for text, box in lines:
            if re.search(pattern, text, re.I):
                return box
    return None


# -- appearance -------------------------------------------------------------------------


def stamp_style(mode: str, *, kind: str, name: str, natural_size: bool = False) -> BaseStampStyle:
    """The pyHanko stamp style for ``--seal auto`` (drawn seal) or an image file.

    The drawn seal fills its box; with ``natural_size`` (a box made in advance, as large
    as a round seal) it keeps its own size (seal_size) and sits in the middle of the box.
    """
    from pyhanko.stamp import StaticStampStyle

    if mode == "auto":
        return _drawn_style(
            round_seal=kind != "person",
            name=name,
            max_size=seal_size(kind) if natural_size else None,
        )
    try:
        from pyhanko.pdf_utils.images import PdfImage
    except ImportError as exc:  # Pillow is optional in pyHanko
        raise InvalidInput(
            "--seal IMAGE needs Pillow", hint="pip install 'pyHanko[image-support]'"
        ) from exc
    return StaticStampStyle(background=PdfImage(mode), background_opacity=1.0, border_width=0)


def seal_size(kind: str) -> float:
    """The default seal size in points: 4 cm round, 2.8 cm square."""
    return SQUARE_SIZE if kind == "person" else ROUND_SIZE


def font_file() -> Path:
    """The Noto CJK collection to cut the seal font from (exit 4 names the package)."""
    for path in FONT_FILES:
        if path.is_file():
            return path
    raise ToolMissing(
        "no Noto CJK font for the seal", hint="install it with: sudo apt-get install fonts-noto-cjk"
    )


@functools.lru_cache(maxsize=64)
def subset_font(text: str) -> bytes:
    """An OTF with only the glyphs of ``text`` from the SC face of the Noto CJK TTC.

    Cutting it costs 0.3-0.4 s (fontTools reads the 19 MB collection's tables), more than
    the signature itself; a batch signs for the same few names again and again, so the
    cuts are kept per process."""
    from fontTools import subset, ttLib  # type: ignore[import-untyped]

    font = ttLib.TTFont(str(font_file()), fontNumber=FONT_FACE, lazy=True)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _drawn_style(*, round_seal: bool, name: str, max_size: float | None = None) -> BaseStampStyle:
    from pyhanko.pdf_utils import content, generic, layout
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
    from pyhanko.stamp import BaseStamp, BaseStampStyle

    text = _seal_text(name, round_seal=round_seal)
    font_bytes = subset_font(text)

    class SealStamp(BaseStamp):
        def _render_inner_content(self) -> list[bytes]:
            writer = self.writer
            assert writer is not None  # pyHanko sets it before rendering
            engine = GlyphAccumulator(writer, io.BytesIO(font_bytes), font_size=1)
            self.set_resource(
                category=content.ResourceType.FONT,
                name=generic.pdf_name("/SealFont"),
                value=engine.as_resource(),
            )

            def advance(char: str) -> float:
                return float(engine.shape(char).x_advance)

            def glyph(char: str) -> bytes:
                return bytes(engine.shape(char).graphics_ops)

            # Red ink on paper darkens what it covers and never hides it: painted with
            # the Multiply blend mode, the text under the seal stays black on screen, on
            # a printout and on a scan of it (opaque red strokes erased the letters of
            # the signature block under them, and OCR of a returned copy misread them).
            self.set_resource(
                category=content.ResourceType.EXT_G_STATE,
                name=generic.pdf_name("/SealInk"),
                value=generic.DictionaryObject(  # type: ignore[no-untyped-call]
                    {
                        generic.pdf_name("/Type"): generic.pdf_name("/ExtGState"),
                        generic.pdf_name("/BM"): generic.pdf_name("/Multiply"),
                    }
                ),
            )
            width, height = float(self.box.width), float(self.box.height)
            size = min(width, height, max_size or width)
            draw = _round_seal if round_seal else _square_seal
            ops = draw(text, size, advance, glyph)
            dx, dy = (width - size) / 2, (height - size) / 2
            if dx or dy:
                ops = b"q 1 0 0 1 %.3f %.3f cm %s Q" % (dx, dy, ops)
            return [b"/SealInk gs " + ops]

    @dataclass(frozen=True)
    class SealStyle(BaseStampStyle):
        border_width: int = 0

        def create_stamp(
            self, writer: Any, box: layout.BoxConstraints, text_params: dict[str, Any]
        ) -> SealStamp:
            return SealStamp(writer=writer, style=self, box=box)

    return SealStyle()


def _seal_text(name: str, *, round_seal: bool) -> str:
    name = re.sub(r"\s+", " ", name).strip() or "?"
    if round_seal or not _all_cjk(name):
        return name
    if len(name) == 3:
        return name + "印"
    if len(name) == 2:
        return name + "之印"
    return name


def _all_cjk(text: str) -> bool:
    return all("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text)


def _glyph_at(glyph: bytes, x: float, y: float, angle: float, font_size: float) -> bytes:
    """One glyph with its left baseline at (x, y), turned by ``angle`` radians."""
    c, s = math.cos(angle) * font_size, math.sin(angle) * font_size
    return b"BT /SealFont 1 Tf %.3f %.3f %.3f %.3f %.3f %.3f Tm %s ET" % (
        c,
        s,
        -s,
        c,
        x,
        y,
        glyph,
    )


def _round_seal(text: str, size: float, advance: Any, glyph: Any) -> bytes:
    """Circle outline, the name along the upper arc, a star in the middle."""
    r, g, b = RED
    line = size * 0.035
    centre = size / 2
    radius = size / 2 - line / 2 - 0.5
    ops = [b"q %g %g %g RG %g %g %g rg %.3f w" % (r, g, b, r, g, b, line), _circle(centre, radius)]
    ops.append(b"S")
    font_size = size * 0.15
    chars = list(text)
    gap = 0.12
    widths = [advance(ch) for ch in chars]
    max_span = math.radians(250)
    while True:
        baseline = radius - line - font_size * 0.95
        total = sum(widths) + gap * (len(chars) - 1)
        span = total * font_size / baseline
        if span <= max_span or font_size < size * 0.06:
            break
        font_size *= 0.92
    if len(chars) > 1 and span < math.radians(150):  # short names spread over the arc
        gap = (math.radians(150) * baseline / font_size - sum(widths)) / (len(chars) - 1)
        total = sum(widths) + gap * (len(chars) - 1)
        span = total * font_size / baseline
    position = 0.0
    for ch, w in zip(chars, widths, strict=True):
        mid = position + w / 2
        theta = math.pi / 2 + span / 2 - mid * font_size / baseline
        tilt = theta - math.pi / 2
        px = centre + baseline * math.cos(theta)
        py = centre + baseline * math.sin(theta)
        half = w * font_size / 2
        ops.append(
            _glyph_at(
                glyph(ch), px - half * math.cos(tilt), py - half * math.sin(tilt), tilt, font_size
            )
        )
        position += w + gap
    ops.append(_star(centre, centre - size * 0.02, size * 0.17))
    ops.append(b"f Q")
    return b" ".join(ops)


def _square_seal(text: str, size: float, advance: Any, glyph: Any) -> bytes:
    """Square outline and the name: a 2x2 grid read right column first, or one line."""
    r, g, b = RED
    line = size * 0.045
    inner = size - 2 * line
    ops = [
        b"q %g %g %g RG %g %g %g rg %.3f w" % (r, g, b, r, g, b, line),
        b"%.3f %.3f %.3f %.3f re S" % (line / 2, line / 2, size - line, size - line),
    ]
    if len(text) == 4 and _all_cjk(text):
        font_size = inner * 0.46
        cell = inner / 2
        cells = [(1, 1), (1, 0), (0, 1), (0, 0)]  # right column top-down, then left
        for ch, (col, row) in zip(text, cells, strict=True):
            w = advance(ch) * font_size
            x = line + col * cell + (cell - w) / 2
            y = line + row * cell + (cell - font_size) / 2 + font_size * 0.12
            ops.append(_glyph_at(glyph(ch), x, y, 0.0, font_size))
    else:
        total = sum(advance(ch) for ch in text) or 1.0
        font_size = min(inner * 0.9 / total, inner * 0.5)
        x = (size - total * font_size) / 2
        y = (size - font_size) / 2 + font_size * 0.12
        for ch in text:
            ops.append(_glyph_at(glyph(ch), x, y, 0.0, font_size))
            x += advance(ch) * font_size
    ops.append(b"Q")
    return b" ".join(ops)


def _circle(c: float, r: float) -> bytes:
    k = 0.5523 * r
    return (
        b"%.3f %.3f m %.3f %.3f %.3f %.3f %.3f %.3f c %.3f %.3f %.3f %.3f %.3f %.3f c "
        b"%.3f %.3f %.3f %.3f %.3f %.3f c %.3f %.3f %.3f %.3f %.3f %.3f c h"
        % (
            c + r, c,
            c + r, c + k, c + k, c + r, c, c + r,
            c - k, c + r, c - r, c + k, c - r, c,
            c - r, c - k, c - k, c - r, c, c - r,
            c + k, c - r, c + r, c - k, c + r, c,
        )
    )  # fmt: skip


def _star(cx: float, cy: float, outer: float) -> bytes:
    inner = outer * 0.382
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    path = [b"%.3f %.3f m" % points[0]]
    path.extend(b"%.3f %.3f l" % p for p in points[1:])
    path.append(b"h")
    return b" ".join(path)
