"""Reading an upright page by parts: its columns one by one, each in its own language.

Two things a whole-page reading gets wrong on archives of scans (see ``layout``):
columns glued line by line, and the language. Tesseract's ``chi_sim+eng`` costs ~1.66x
``eng`` on an English page and reads it no better; a side-by-side Chinese/English
contract wants ``chi_sim+eng`` on one half and ``eng`` on the other.

The language (``AUTO``) is chosen per column. Rows of square glyphs (``_square_glyphs``,
from the small copy's ink, no Tesseract) are Chinese at once. Otherwise a probe: up to
``PROBE_LINES`` text
lines spread over it (the first and the last among them: a signature block written in
Chinese under English text counts), cut out and stacked into one small image, read
once with ``chi_sim+eng`` (~0.1-0.3 s). Han characters in the probe: ``chi_sim+eng``;
only Latin letters: ``eng``; too little to tell: ``chi_sim+eng``, which reads both.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from contractctl.ocr import deskew, layout
from contractctl.ocr.model import Word
from contractctl.ocr.tesseract import Reading, read_page

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray
    from PIL.Image import Image as PILImage

#: ``lang`` value asking for the language to be chosen per page (per column).
AUTO = "auto"
#: What AUTO chooses between.
BOTH = "chi_sim+eng"
LATIN_ONLY = "eng"
#: Lines read to tell the script of a column.
PROBE_LINES = 4
#: Share of each probe line read, from its start.
PROBE_WIDTH = 0.5
#: Page segmentation of the probe (one block of lines) and of each column.
PROBE_PSM = 6
#: Han characters in the probe that make a column Chinese: at least this many ...
HAN_MIN = 3
#: ... and this share of its Latin letters (an English page's noisy lines read as 2
#: stray Han among 297 letters; a Chinese form's as 34 Han and 5 letters).
HAN_SHARE = 0.02
#: Latin letters in the probe (and no Han) that make a column English.
LATIN_MIN = 12
#: Median glyph run / line height of a page of Han characters (``_square_glyphs``).
SQUARE_LOW, SQUARE_HIGH = 0.8, 1.3
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def read_parts(
    upright: PILImage,
    stem: Path,
    *,
    lang: str,
    dpi: int | None,
    timeout: float,
    psm: int,
    split_columns: bool,
    source: Path | None = None,
) -> Reading:
    """Read the upright page column by column (one column: the whole page), each in
    ``lang`` or, for ``AUTO``, the language its probe shows: the texts joined by a blank
    line, the words' boxes in pixels of the whole page, ``lang`` the languages used.

    ``source`` is the page's own file when ``upright`` is that file untouched: a page
    of one column is then read from it as scanned. Tesseract binarises a colour scan
    itself, and better than from our grey copy: on a Chinese form's 300 dpi scan the
    file read at 0.818 and its grey PGM at 0.742 (the values on fill-in lines).
    Columns are cut from ``upright`` in its own colours, losslessly.
    """
    import numpy as np

    small, scale = _small(upright)
    dark = deskew.dark_mask(np.asarray(small.convert("L"), dtype=np.uint8))
    spans = layout.columns(dark) if split_columns else [(0, dark.shape[1])]
    readings: list[tuple[Reading, int]] = []
    for number, (left, right) in enumerate(spans):
        x0 = 0 if number == 0 else round(left * scale)
        x1 = upright.width if number == len(spans) - 1 else round(right * scale)
        whole = (x0, x1) == (0, upright.width)
        part = upright if whole else upright.crop((x0, 0, x1, upright.height))
        part_lang = lang
        if lang == AUTO:
            part_lang = _probe(part, dark[:, left:right], scale, stem, dpi=dpi, timeout=timeout)
        if whole and source is not None:
            reading = read_page(source, stem, lang=part_lang, dpi=dpi, timeout=timeout, psm=psm)
        else:
            target = stem.with_name(f"{stem.name}-col{number}.png")
            part.save(target, compress_level=1)
            try:
                reading = read_page(target, stem, lang=part_lang, dpi=dpi, timeout=timeout, psm=psm)
            finally:
                target.unlink(missing_ok=True)
        readings.append((reading, x0))
    return _joined(readings)


def _small(image: PILImage) -> tuple[PILImage, float]:
    """A copy with its long side near deskew.ANALYSIS_SIZE, and the scale back."""
    from PIL import Image

    ratio = max(image.size) / deskew.ANALYSIS_SIZE
    if ratio <= 1.25:
        return image, 1.0
    size = (max(1, round(image.width / ratio)), max(1, round(image.height / ratio)))
    return image.resize(size, Image.Resampling.BOX), ratio


def _probe(
    part: PILImage, dark: object, scale: float, stem: Path, *, dpi: int | None, timeout: float
) -> str:
    """The language of a column, from a few of its lines read once (module docstring)."""
    import numpy as np
    from PIL import Image

    mask = np.asarray(dark, dtype=bool)
    bands = layout.text_bands(mask)
    if bands:
        # lines, not blocks: a ruled table's rows run together into one band, which
        # read whole made the probe cost more than the page (5.4 s of CPU against 4.0)
        usual = float(np.median([bottom - top for top, bottom in bands]))
        bands = [(top, bottom) for top, bottom in bands if bottom - top <= 2 * usual]
    if not bands or _square_glyphs(mask, bands):
        return BOTH
    picks = sorted(
        {round(i * (len(bands) - 1) / max(1, PROBE_LINES - 1)) for i in range(PROBE_LINES)}
    )
    strips = []
    for index in picks:
        top, bottom = bands[index]
        pad = max(2, (bottom - top) // 2)  # a tilt left over must not cut the line
        # the line's first half: enough characters to tell, half the cost of reading
        # (a dense Chinese line of 40 characters is ~0.5 s of chi_sim)
        ink = np.flatnonzero(mask[top:bottom].any(axis=0))
        x0, x1 = (int(ink[0]), int(ink[-1]) + 1) if len(ink) else (0, mask.shape[1])
        box = (
            max(0, round(x0 * scale) - 8),
            max(0, round((top - pad) * scale)),
            min(part.width, round((x0 + (x1 - x0) * PROBE_WIDTH) * scale) + 8),
            min(part.height, round((bottom + pad) * scale)),
        )
        strips.append(part.crop(box).convert("L"))
    if _square_glyphs_in(strips):
        return BOTH
    gap = 12
    stacked = Image.new("L", (part.width, sum(s.height for s in strips) + gap * len(strips)), 255)
    y = 0
    for strip in strips:
        stacked.paste(strip, (0, y))
        y += strip.height + gap
    target = stem.with_name(f"{stem.name}-probe-{uuid.uuid4().hex[:6]}.pgm")
    stacked.save(target)
    try:
        text = read_page(
            target, target.with_suffix(""), lang=BOTH, dpi=dpi, timeout=timeout, psm=PROBE_PSM
        ).text
    finally:
        target.unlink(missing_ok=True)
    han, latin = len(_HAN.findall(text)), len(_LATIN.findall(text))
    if han >= HAN_MIN and han >= HAN_SHARE * latin:
        return BOTH
    return LATIN_ONLY if latin >= LATIN_MIN else BOTH


def _square_glyphs(dark: NDArray[np.bool_], bands: list[tuple[int, int]]) -> bool:
    """The lines are rows of square characters: Chinese, read with BOTH, no probe.

    At ~75 dpi a Han character is one run of inked columns about as wide as its line
    is tall (median run / line height 0.88-0.91 on 95% of corpus pages), while Latin
    letters are separate runs half as wide (0.41-0.67 on the English NDA's pages, scans
    included) or, blurred together, words twice as wide. Only the clear case skips the
    probe (~0.9 s of Tesseract on a Chinese page, 20% of reading it); anything else is
    probed, so a page taken for Chinese here is at worst read as before.
    """
    import numpy as np

    widths: list[float] = []
    for top, bottom in bands:
        inked = dark[top:bottom].any(axis=0).astype(np.int8)
        edges = np.flatnonzero(np.diff(np.concatenate(([0], inked, [0]))))
        widths.extend((edges[1::2] - edges[::2]) / max(1, bottom - top))
    return bool(widths) and SQUARE_LOW <= float(np.median(widths)) <= SQUARE_HIGH


def _square_glyphs_in(strips: list[PILImage]) -> bool:
    """``_square_glyphs`` on the probe's lines at the page's own resolution, where a
    scan's blur no longer runs a line's characters together as it does at 75 dpi."""
    import numpy as np

    masks, lines = [], []
    for strip in strips:
        mask = deskew.dark_mask(np.asarray(strip, dtype=np.uint8))
        bands = layout.text_bands(mask)
        if bands:
            masks.append(mask)
            lines.append(max(bands, key=lambda band: band[1] - band[0]))
    if not masks:
        return False
    width = max(mask.shape[1] for mask in masks)
    padded = [np.pad(mask, ((0, 0), (0, width - mask.shape[1]))) for mask in masks]
    offsets = np.cumsum([0] + [mask.shape[0] for mask in padded[:-1]])
    bands = [
        (top + int(o), bottom + int(o)) for (top, bottom), o in zip(lines, offsets, strict=True)
    ]
    return _square_glyphs(np.vstack(padded), bands)


def _joined(readings: list[tuple[Reading, int]]) -> Reading:
    """One reading of several columns: texts joined by a blank line, each column's words
    moved by its left edge, their offsets by its place in the text, and their line keys
    kept apart (block numbers of column k start at k * 1000)."""
    if len(readings) == 1 and readings[0][1] == 0:
        return readings[0][0]
    texts: list[str] = []
    words: list[Word] = []
    offset = 0
    for number, (reading, x0) in enumerate(readings):
        if texts:
            offset += 2  # the "\n\n" before this column
        for word in reading.words:
            left, top, width, height = word.box
            block, paragraph, line = word.line
            words.append(
                replace(
                    word,
                    box=(left + x0, top, width, height),
                    line=(block + number * 1000, paragraph, line),
                    start=word.start + offset,
                    end=word.end + offset,
                )
            )
        texts.append(reading.text)
        offset += len(reading.text)
    langs = "+".join(dict.fromkeys(c for r, _ in readings for c in r.lang.split("+") if c))
    return Reading("\n\n".join(texts), tuple(words), langs)
