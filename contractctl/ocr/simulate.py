"""Simulated scans: a PDF printed, stamped and scanned back, deterministically.

Used by the tests, ``contractctl demo`` and the benchmarks to make the scans that
``ocr-check`` meets in real life, from any contract PDF: rasterised by Poppler, then
per page, in this order, the way paper goes through a scanner:

1. (optional, on the document's last page) a red round seal stamped like a rubber
   stamp: a ring, a star, a name on the upper arc, uneven ink with gaps, slightly
   turned, multiplied into the page so the text shows through;
2. a slight change of scale (``scale``, the content centred on a page of the same size);
3. a rotation of ``rotation`` degrees counter-clockwise, white in the corners;
4. a Gaussian blur of ``blur`` pixels (radius);
5. Gaussian noise with a standard deviation of ``noise`` grey levels (0-255);
6. JPEG at ``jpeg_quality``, the way scanners store pages.

One real-world ``defect`` may be added to every page (before the scale): ``"fold"``, a
crease across the page (a soft grey shadow with a lighter edge, where a letter was
folded in three); ``"stamp"``, a red seal stamped over running text in the upper half
of the first page; ``"crop"``, a margin cut off by the scanner's glass (2-4% of the page
on one side, the content shifted, the page size kept).

The result is an image-only PDF (no text layer) written by Pillow one page at a time
(append mode), so pages are never all in memory. The same arguments and ``seed`` give
the same bytes.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from contractctl.errors import ContractctlError, InvalidInput

if TYPE_CHECKING:
    import numpy as np
    from PIL.Image import Image as PILImage

#: Seal ink and size (a 4 cm company seal, as contractctl.signing.seal draws).
SEAL_RGB = (205, 28, 40)
SEAL_MM = 40.0
SEAL_NAME = "示例科技有限公司"
CJK_FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"),
)
CJK_FACE = 2  # the SC face in Debian's Noto CJK collections
#: The creation date written into every simulated scan (so the bytes are reproducible).
FIXED_DATE = time.gmtime(946_684_800)  # 2000-01-01T00:00:00Z


def simulate_scan(
    pdf: Path,
    out: Path,
    *,
    dpi: int = 300,
    rotation: float = 0.0,
    noise: float = 0.0,
    blur: float = 0.0,
    jpeg_quality: int = 95,
    scale: float = 1.0,
    seed: int = 0,
    page_order: list[int] | None = None,
    stamp_seal_on_last_page: bool = False,
    defect: str | None = None,
) -> Path:
    """Write ``out``: an image-only PDF that looks like ``pdf`` printed and scanned.

    ``page_order`` lists the 1-based source pages to scan, in order (leave one out or
    swap two to simulate a missing or misplaced page); default all, in order.
    ``stamp_seal_on_last_page`` stamps a red seal on the source's last page where the
    company signs (the "甲方（盖章）" line, else bottom right). Returns ``out``.
    InvalidInput for out-of-range arguments or pages; errors of scan_pages otherwise.
    """
    from contractctl.ocr.pages import page_count, scan_pages

    _check_args(dpi, rotation, noise, blur, jpeg_quality, scale)
    if defect not in DEFECTS:
        raise InvalidInput(f"defect {defect!r}: expected one of {', '.join(map(str, DEFECTS))}")
    pdf, out = Path(pdf), Path(out)
    total = page_count(pdf)
    order = list(page_order) if page_order is not None else list(range(1, total + 1))
    if not order:
        raise InvalidInput("page_order: at least one page is needed")
    bad = [n for n in order if not 1 <= n <= total]
    if bad:
        raise InvalidInput(f"page_order: no page {bad[0]} (the PDF has {total})")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, partial_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(fd)
    partial = Path(partial_name)
    try:
        with tempfile.TemporaryDirectory(prefix="simulate-") as tmp:
            for index, number in enumerate(order):
                [page_file] = scan_pages(
                    pdf, Path(tmp), dpi=dpi, first_page=number, last_page=number
                )
                page = _scan_page(
                    page_file,
                    pdf=pdf,
                    number=number,
                    total=total,
                    dpi=dpi,
                    seed=(seed, index, number),
                    stamp=stamp_seal_on_last_page and number == total,
                    rotation=rotation,
                    noise=noise,
                    blur=blur,
                    scale=scale,
                    defect=defect if defect != "stamp" or index == 0 else None,
                )
                page_file.unlink()
                page.save(
                    partial,
                    "PDF",
                    resolution=float(dpi),
                    quality=jpeg_quality,
                    append=index > 0,
                    # fixed metadata: Pillow would write the file name and the time
                    title="simulated scan",
                    producer="contractctl simulate_scan",
                    creationDate=FIXED_DATE,
                    modDate=FIXED_DATE,
                )
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def _check_args(
    dpi: int, rotation: float, noise: float, blur: float, quality: int, scale: float
) -> None:
    if not 50 <= dpi <= 1200:
        raise InvalidInput(f"dpi {dpi}: expected 50 to 1200")
    if not -45 <= rotation <= 45:
        raise InvalidInput(f"rotation {rotation}: expected -45 to 45 degrees")
    if not 0 <= noise <= 100:
        raise InvalidInput(f"noise {noise}: expected 0 to 100 grey levels")
    if not 0 <= blur <= 20:
        raise InvalidInput(f"blur {blur}: expected a radius of 0 to 20 pixels")
    if not 1 <= quality <= 100:
        raise InvalidInput(f"jpeg_quality {quality}: expected 1 to 100")
    if not 0.5 <= scale <= 2:
        raise InvalidInput(f"scale {scale}: expected 0.5 to 2")


def _scan_page(
    page_file: Path,
    *,
    pdf: Path,
    number: int,
    total: int,
    dpi: int,
    seed: tuple[int, int, int],
    stamp: bool,
    rotation: float,
    noise: float,
    blur: float,
    scale: float,
    defect: str | None = None,
) -> PILImage:
    import numpy as np
    from PIL import Image, ImageFilter

    rng = np.random.default_rng(list(seed))
    with Image.open(page_file) as opened:
        image = opened.convert("RGB")
    if stamp:
        image = stamp_seal(image, _seal_centre(pdf, number, total, image.size, dpi), dpi, rng)
    if defect is not None:
        image = _defect(image, defect, dpi, rng)
    if scale != 1.0:
        width, height = image.size
        scaled = image.resize(
            (round(width * scale), round(height * scale)), Image.Resampling.BILINEAR
        )
        canvas = Image.new("RGB", (width, height), "white")
        canvas.paste(scaled, ((width - scaled.width) // 2, (height - scaled.height) // 2))
        image = canvas
    if rotation:
        image = image.rotate(
            rotation, resample=Image.Resampling.BILINEAR, fillcolor=(255, 255, 255)
        )
    if blur > 0:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    if noise > 0:
        pixels = np.asarray(image, dtype=np.float32)
        grain = rng.normal(0.0, noise, size=pixels.shape[:2]).astype(np.float32)
        pixels = np.clip(pixels + grain[..., None], 0, 255).astype(np.uint8)
        image = Image.fromarray(pixels, "RGB")
    return image


#: The real-world defects ``simulate_scan`` can add (None: none).
DEFECTS = (None, "fold", "stamp", "crop")


def _defect(image: PILImage, defect: str, dpi: int, rng: np.random.Generator) -> PILImage:
    """``image`` with a fold line, a seal over its text, or a margin cropped."""
    import numpy as np
    from PIL import Image

    width, height = image.size
    if defect == "stamp":
        centre = (
            round(width * float(rng.uniform(0.35, 0.65))),
            round(height * float(rng.uniform(0.25, 0.45))),
        )
        return stamp_seal(image, centre, dpi, rng)
    if defect == "crop":
        cut = round(width * float(rng.uniform(0.02, 0.04)))
        side = int(rng.integers(0, 4))
        box = [(cut, 0, width, height), (0, 0, width - cut, height)][side % 2]
        if side >= 2:
            box = [(0, cut, width, height), (0, 0, width, height - cut)][side % 2]
        canvas = Image.new("RGB", (width, height), "white")
        canvas.paste(image.crop(box), (0, 0))
        return canvas
    # fold: a soft shadow band with a light edge, across the page at a third of it
    pixels = np.asarray(image, dtype=np.float32).copy()
    y = round(height * float(rng.uniform(0.3, 0.4)))
    band = max(2, round(dpi / 60))
    rows = np.arange(height, dtype=np.float32)[:, None]
    shadow = 1 - 0.22 * np.exp(-(((rows - y) / band) ** 2))
    light = 1 + 0.05 * np.exp(-(((rows - y - 2 * band) / band) ** 2))
    pixels *= (shadow * light)[..., None]
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def _seal_centre(
    pdf: Path, number: int, total: int, size: tuple[int, int], dpi: int
) -> tuple[int, int]:
    """Where the company's seal goes on the page, in pixels (as `sign` places it)."""
    from contractctl.signing.seal import ROUND_SIZE, SealRequest, place

    width_pt, height_pt = size[0] * 72 / dpi, size[1] * 72 / dpi
    try:
        placement = place(
            pdf.read_bytes(),
            SealRequest(page=number),
            page_count=total,
            page_size=(width_pt, height_pt),
            party="company",
            name="",
            size=ROUND_SIZE,
        )
        x1, y1, x2, y2 = placement.box
    except ContractctlError:  # no text layer or no Poppler: the bottom right corner
        x1, y1 = width_pt - 72 - ROUND_SIZE, 72.0
        x2, y2 = x1 + ROUND_SIZE, y1 + ROUND_SIZE
    cx = (x1 + x2) / 2 * dpi / 72
    cy = (height_pt - (y1 + y2) / 2) * dpi / 72
    return round(cx), round(cy)


def stamp_seal(
    page: PILImage,
    centre: tuple[int, int],
    dpi: int,
    rng: np.random.Generator,
    *,
    name: str = SEAL_NAME,
    diameter_mm: float = SEAL_MM,
) -> PILImage:
    """``page`` with a red round rubber-stamp seal centred at ``centre`` (pixels)."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter

    size = max(16, round(diameter_mm / 25.4 * dpi))
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    line = max(2, round(size * 0.035))
    draw.ellipse(
        (line // 2, line // 2, size - line // 2 - 1, size - line // 2 - 1), outline=255, width=line
    )
    _star(draw, size / 2, size / 2, size * 0.17)
    _arc_text(mask, name, size, line)
    mask = mask.rotate(float(rng.uniform(-12, 12)), resample=Image.Resampling.BILINEAR)
    ink = np.asarray(mask, dtype=np.float32) / 255.0
    # uneven ink: a soft blotchy field, plus small gaps where the rubber did not print
    blotch = Image.fromarray(rng.integers(0, 256, (size, size), dtype=np.uint8), "L")
    blotch = blotch.filter(ImageFilter.GaussianBlur(max(1.0, size / 40)))
    field = np.asarray(blotch, dtype=np.float32) / 255.0
    field = 0.55 + 0.45 * (field - field.min()) / max(1e-6, float(field.max() - field.min()))
    gaps = rng.random((size, size)) > 0.1
    alpha = ink * field * gaps * 0.92
    left, top = centre[0] - size // 2, centre[1] - size // 2
    pixels = np.asarray(page, dtype=np.float32).copy()
    y0, x0 = max(0, top), max(0, left)
    y1, x1 = min(pixels.shape[0], top + size), min(pixels.shape[1], left + size)
    if y1 <= y0 or x1 <= x0:
        return page
    a = alpha[y0 - top : y1 - top, x0 - left : x1 - left, None]
    colour = np.array(SEAL_RGB, dtype=np.float32) / 255.0
    region = pixels[y0:y1, x0:x1]
    pixels[y0:y1, x0:x1] = region * (1 - a + a * colour)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def _star(draw: object, cx: float, cy: float, radius: float) -> None:
    from PIL import ImageDraw

    assert isinstance(draw, ImageDraw.ImageDraw)
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.382
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    draw.polygon(points, fill=255)


def _arc_text(mask: PILImage, text: str, size: int, line: int) -> None:
    """The name along the upper arc, each character turned to the tangent."""
    from PIL import Image, ImageDraw, ImageFont

    font_path = next((p for p in CJK_FONTS if p.is_file()), None)
    if font_path is None or not text:
        return
    font_size = max(8, round(size * 0.14))
    font = ImageFont.truetype(str(font_path), font_size, index=CJK_FACE)
    radius = size / 2 - line - font_size * 0.75
    span = math.radians(min(250.0, 27.0 * len(text)))
    for i, char in enumerate(text):
        theta = -math.pi / 2 - span / 2 + span * (i + 0.5) / len(text)
        glyph = Image.new("L", (font_size * 2, font_size * 2), 0)
        ImageDraw.Draw(glyph).text((font_size, font_size), char, font=font, fill=255, anchor="mm")
        turned = glyph.rotate(
            -math.degrees(theta + math.pi / 2), resample=Image.Resampling.BILINEAR
        )
        x = size / 2 + radius * math.cos(theta) - font_size
        y = size / 2 + radius * math.sin(theta) - font_size
        mask.paste(255, (round(x), round(y)), turned)
