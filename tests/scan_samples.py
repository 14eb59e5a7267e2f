"""Scans as archives hold them, with their ground truth: the shapes the OCR got wrong.

Each sample is a page image drawn with Pillow (Noto Sans CJK), so its text is known
exactly, in one of the shapes that came back empty, interleaved or upside down from
real archives: a small 1-bit TIFF (like Tesseract's own ``phototest.tif``), a
two-colour print saved with a palette, a one-line strip, a two-column page, a
Chinese/English side-by-side contract, a page scanned upside down, a plain English and
a plain Chinese page. ``raw_reading`` is the baseline every sample must match or beat:
Tesseract run by hand on the same file, in the page's own language, with its defaults.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tests.ocr_samples import font

if TYPE_CHECKING:
    from PIL.Image import Image

EN = [
    "The Supplier shall deliver the goods to the",
    "Buyer's warehouse within fifteen days after",
    "the Buyer pays the advance. Risk passes on",
    "delivery. Each party shall keep the other's",
    "confidential information secret for three",
    "years after this agreement ends.",
]
EN2 = [
    "Payment is due within thirty days of the",
    "invoice. Late payment bears interest of",
    "one percent per month. Either party may",
    "terminate on ninety days written notice.",
    "This agreement is governed by the laws of",
    "England and Wales.",
]
ZH = [
    "第五条 交货时间与地点",
    "乙方应于合同签订后十五日内",
    "将货物运至甲方指定仓库。",
    "第六条 付款方式",
    "甲方收到发票后三十日内付清",
    "全部货款，逾期按日万分之五支付违约金。",
]
SIDE_ZH = ["第五条 交货时间与地点", "乙方应于合同签订后", "十五日内将货物运至", "甲方指定仓库。"]
SIDE_EN = ["Art. 5 Delivery", "The Seller delivers the", "goods within fifteen", "days of signing."]
A4 = (1240, 1754)  # at 150 dpi


@dataclass(frozen=True)
class Sample:
    """A page image file, the text on it, and the language Tesseract should use."""

    name: str
    path: Path
    truth: str
    lang: str


def _page(
    columns: list[tuple[int, list[str]]], *, size: tuple[int, int] = A4, px: int = 30
) -> Image:
    from PIL import Image, ImageDraw

    page = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(page)
    for left, lines in columns:
        for n, line in enumerate(lines):
            draw.text((left, 150 + round(n * px * 1.8)), line, font=font(px), fill=(0, 0, 0))
    return page


def _strip(line: str, width: int) -> Image:
    from PIL import Image, ImageDraw

    strip = Image.new("RGB", (width, 90), "white")
    ImageDraw.Draw(strip).text((20, 20), line, font=font(40), fill="black")
    return strip


def make_samples(folder: Path) -> list[Sample]:
    """Write every sample into ``folder`` (150 dpi declared) and describe them."""
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    made: list[Sample] = []

    def add(
        name: str, image: Image, truth: list[str], lang: str, suffix: str = "png", **kw: object
    ) -> None:
        path = folder / f"{name}.{suffix}"
        image.save(path, dpi=(150, 150), **kw)
        made.append(Sample(name, path, "\n".join(truth), lang))

    tiny = _page([(30, EN)], size=(1000, 520), px=26).crop((0, 110, 1000, 520)).convert("1")
    add("tiny-1bit", tiny, EN, "eng", "tif", compression="group4")
    cream = Image.new("RGB", (1100, 560), (250, 240, 210))
    draw = ImageDraw.Draw(cream)
    for n, line in enumerate(EN2):
        draw.text((40, 40 + n * 54), line, font=font(28), fill=(20, 30, 120))
    add("two-colour", cream.quantize(2), EN2, "eng")
    add("one-line-en", _strip(EN[0], 1500), EN[:1], "eng")
    add("one-line-zh", _strip(ZH[1], 900), ZH[1:2], "chi_sim")
    left, right = [line[:22] for line in EN], [line[:22] for line in EN2]
    add("two-columns", _page([(60, left), (660, right)]), left + right, "eng")
    add(
        "side-by-side",
        _page([(60, SIDE_ZH), (660, SIDE_EN)], px=32),
        SIDE_ZH + SIDE_EN,
        "chi_sim+eng",
    )
    add("upside-down", _page([(100, EN + EN2)]).rotate(180), EN + EN2, "eng")
    add("upside-down-zh", _page([(100, ZH)]).rotate(180), ZH, "chi_sim")
    add("english-page", _page([(100, EN + EN2)]), EN + EN2, "eng")
    add("chinese-page", _page([(100, ZH)]), ZH, "chi_sim")
    return made


def raw_reading(sample: Sample) -> str:
    """What ``tesseract FILE - -l LANG`` prints: the baseline."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    done = subprocess.run(
        ["tesseract", str(sample.path), "-", "-l", sample.lang],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=120,
    )
    return done.stdout
