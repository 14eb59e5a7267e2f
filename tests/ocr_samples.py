"""Small page images and PDFs for the OCR tests, drawn with Pillow in milliseconds.

Pages are A4 at 150 dpi with large type, so Tesseract reads one in well under a second
with ``eng``; the Chinese page is short for the same reason. The PDFs made from them are
image-only, like a scanner's.
"""

from __future__ import annotations

import difflib
import io
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL.Image import Image
    from PIL.ImageFont import FreeTypeFont

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FONT_FACE = 2  # Noto Sans CJK SC
DPI = 150
A4 = (1240, 1754)

EN_LINES = [
    "PURCHASE AGREEMENT No. 2026-0417",
    "The Buyer shall pay the full contract price",
    "by bank transfer within thirty days of",
    "receiving the Seller's valid invoice.",
    "Late payment accrues a penalty of 0.05%",
    "of the overdue amount for each day.",
    "Delivery: Building 3, 1388 Zhangjiang Road.",
    "Governing law: the laws of the PRC.",
]
ZH_LINES = [
    "第八条 所有权与风险转移",
    "货物的所有权自货物交付至交货地点",
    "并经甲方签收之时起转移至甲方。",
    "合同总价为人民币贰拾万元整。",
]


def font(size: int) -> FreeTypeFont:
    """Noto Sans CJK SC at ``size`` pixels (it has Latin letters too)."""
    from PIL import ImageFont

    return ImageFont.truetype(str(FONT), size, index=FONT_FACE)


def text_page(
    lines: list[str],
    *,
    size: tuple[int, int] = A4,
    font_px: int = 34,
    top: int = 160,
    left: int = 110,
    pitch: float = 1.9,
) -> Image:
    """A white RGB page with ``lines`` of black text."""
    from PIL import Image, ImageDraw

    page = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(page)
    face = font(font_px)
    for n, line in enumerate(lines):
        draw.text((left, top + round(n * font_px * pitch)), line, font=face, fill=(0, 0, 0))
    page.info["dpi"] = (DPI, DPI)
    return page


def save_image(page: Image, path: Path, **options: Any) -> Path:
    """Save a page image (format from the suffix) with its 150 dpi."""
    page.save(path, dpi=(DPI, DPI), **options)
    return path


def save_pdf(pages: list[Image], path: Path) -> Path:
    """An image-only PDF of the pages (A4 at 150 dpi), like a scanner writes."""
    first, *rest = pages
    first.save(path, "PDF", resolution=float(DPI), save_all=True, append_images=rest, quality=90)
    return path


def normalise(text: str) -> str:
    """For comparing readings: NFKC, no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def similarity(a: str, b: str) -> float:
    """difflib ratio of the normalised texts (1.0: the same characters in the same order)."""
    return difflib.SequenceMatcher(None, normalise(a), normalise(b), autojunk=False).ratio()


def pdf_bytes_of(pages: list[Image]) -> bytes:
    """The image-only PDF of ``pages`` as bytes."""
    out = io.BytesIO()
    first, *rest = pages
    first.save(out, "PDF", resolution=float(DPI), save_all=True, append_images=rest)
    return out.getvalue()
