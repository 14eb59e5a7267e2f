"""Page geometry before OCR: is there ink, which way do the text lines run, how tilted.

Everything is measured on a small copy of the page (long side ~900 px, about 75 dpi
for A4; a JPEG is decoded near that size directly, ~15 ms) with a projection profile:
the dark pixels are sheared by each candidate angle and counted per row; text lines
make the row counts peaky, and they are peakiest at the angle that undoes the tilt.
The same count per column tells a page lying on its side (text lines run top to
bottom). Tesseract's own OSD (``--psm 0``) costs ~0.7 s a page, 10-25% of the OCR
itself, so it runs only when a page lies on its side (to tell 90 from 270) or reads
badly (to catch an upside-down page); see contractctl.ocr.pipeline.

Why deskew at all: Tesseract copes with a tilt up to ~1 degree, but at 2 degrees a
Chinese contract page lost 8 points of character accuracy (98.3% -> 90.0%) and its
mean word confidence fell from 91 to 82; deskewed (bilinear), it read 98.5% again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from contractctl.errors import InvalidInput

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray
    from PIL.Image import Image as PILImage

#: Long side of the analysis copy of a page, in pixels (~75 dpi for A4: characters are
#: still ~11 px tall, the gaps between lines ~9 px).
ANALYSIS_SIZE = 900
#: Tilts smaller than this are left to Tesseract: it read a page tilted 0.5 and 1.0
#: degree as well as the straight one (98.6-99.1% against 98.3%).
DESKEW_MIN = 1.0
#: The largest tilt searched for, in degrees either way.
MAX_SKEW = 10.0
#: A row (or column) profile at least this peaky has text lines; a photo or noise is ~1.
LINE_MIN = 1.5
#: Columns must beat rows by this factor before a page is taken to lie on its side. On
#: upright contract pages (Chinese, English, tables, scans) rows scored 2.5-5.4 and
#: columns 1.2-1.5 (Chinese characters sit on a grid, so columns are a little peaky).
SIDEWAYS_RATIO = 1.25
#: Ink this many times wider than tall is a line of text across, never a page on its side.
ONE_ROW_RATIO = 4.0
#: Fewer dark pixels than this fraction of the analysis copy: nothing to read.
BLANK_INK = 0.0002
_MAX_POINTS = 150_000


@dataclass(frozen=True)
class Layout:
    """What the analysis found: ink, the tilt, and whether the page lies on its side."""

    ink: float
    skew: float  # counter-clockwise tilt of the text lines, degrees (0: none found)
    sideways: bool
    row_score: float
    column_score: float

    @property
    def blank(self) -> bool:
        """Practically no ink at all: no need to run Tesseract."""
        return self.ink < BLANK_INK

    @property
    def has_lines(self) -> bool:
        """The page shows text lines (a photo or a noise-only page does not)."""
        return max(self.row_score, self.column_score) >= LINE_MIN


@dataclass
class Thumbnail:
    """The small colour copy of a page and the size of the page it stands for."""

    image: PILImage
    full_size: tuple[int, int]
    dpi: float | None

    @property
    def scale(self) -> float:
        """Full-size pixels per thumbnail pixel."""
        return self.full_size[0] / self.image.size[0]


def thumbnail(path: Path, *, size: int = ANALYSIS_SIZE) -> Thumbnail:
    """A colour copy of the page image with its long side near ``size`` pixels.

    JPEGs are decoded at reduced scale (libjpeg's DCT scaling), then box-filtered to
    size. InvalidInput when the file is not a readable image.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            full = image.size
            dpi = _declared_dpi(image)
            ratio = max(full) / size
            if image.format == "JPEG" and ratio > 1:
                image.draft("RGB", (int(full[0] / ratio), int(full[1] / ratio)))
            small = image.convert("RGB")
    except UnidentifiedImageError:
        raise InvalidInput(f"{path.name}: not an image") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise InvalidInput(f"{path.name}: cannot read the image: {exc}") from None
    ratio = max(small.size) / size
    if ratio > 1.25:
        target = (max(1, round(small.size[0] / ratio)), max(1, round(small.size[1] / ratio)))
        small = small.resize(target, Image.Resampling.BOX)
    return Thumbnail(small, full, dpi)


def _declared_dpi(image: PILImage) -> float | None:
    dpi = image.info.get("dpi")
    if isinstance(dpi, tuple) and dpi and float(dpi[0]) > 1:
        return float(dpi[0])
    return None


def analyse(gray: NDArray[np.uint8]) -> Layout:
    """Ink, tilt and orientation of a page from its (small) grey copy."""
    import numpy as np

    dark = dark_mask(gray)
    ink = float(dark.mean())
    if ink < BLANK_INK:
        return Layout(ink, 0.0, False, 1.0, 1.0)
    ys, xs = np.nonzero(dark)
    if len(xs) > _MAX_POINTS:
        step = len(xs) // _MAX_POINTS + 1
        ys, xs = ys[::step], xs[::step]
    # whole-pixel centre: with a half-pixel one, rounding folds two rows into one bin at
    # angle 0 and doubles the score there (a bias towards "no tilt" on odd sizes)
    xc = (xs - gray.shape[1] // 2).astype(np.float64)
    yc = (ys - gray.shape[0] // 2).astype(np.float64)
    row_angle, row_score = _best_angle(xc, yc)
    _, column_score = _best_angle(yc, xc)
    sideways = (
        column_score >= LINE_MIN
        and column_score > row_score * SIDEWAYS_RATIO
        and not _one_row(xs, ys)
    )
    skew = -row_angle if row_score >= LINE_MIN and not sideways else 0.0
    return Layout(ink, round(skew, 2), sideways, row_score, column_score)


def _one_row(xs: NDArray[np.intp], ys: NDArray[np.intp]) -> bool:
    """The ink lies in a band much wider than tall: a line (or two) of text across.

    Its characters make a column profile peakier than its one row's profile, so the
    scores alone took a one-line image for a page on its side and read it sideways
    (empty). Text lines turned a quarter make a band taller than wide instead.
    """
    import numpy as np

    left, right = np.percentile(xs, (1, 99))
    top, bottom = np.percentile(ys, (1, 99))
    return bool(right - left >= ONE_ROW_RATIO * max(1.0, bottom - top))


def dark_mask(gray: NDArray[np.uint8]) -> NDArray[np.bool_]:
    """Ink pixels: darker than Otsu's threshold and clearly darker than the paper.

    The second bound keeps a blank page's scanner noise (and JPEG ringing) out: Otsu
    alone splits even pure noise in two.
    """
    import numpy as np

    paper = float(np.percentile(gray[:: max(1, gray.shape[0] // 200)], 75))
    # Otsu's level belongs to the dark class: on a two-level image (a 1-bit scan, a
    # two-colour print) it *is* the ink's level, and ``<`` found no ink at all.
    threshold = min(otsu(gray), paper - 60)
    return gray <= threshold


def otsu(gray: NDArray[np.uint8]) -> int:
    """Otsu's threshold of a grey image (the level that best splits ink from paper)."""
    import numpy as np

    hist = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    levels = np.arange(256, dtype=np.float64)
    w0 = np.cumsum(hist)
    w1 = total - w0
    m0 = np.cumsum(hist * levels)
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (m0[-1] * w0 / total - m0) ** 2 / (w0 * w1)
    between = np.nan_to_num(between, nan=0.0, posinf=0.0)
    return int(np.argmax(between))


def _profile_score(coord: NDArray[np.float64], n: int) -> float:
    """How peaky the histogram of ``coord`` (one bin per pixel) is: 1.0 when flat."""
    import numpy as np

    bins = np.rint(coord).astype(np.int64)
    bins -= bins.min()
    counts = np.bincount(bins).astype(np.float64)
    return float((counts * counts).sum() * len(counts) / (n * n))


def _best_angle(xc: NDArray[np.float64], yc: NDArray[np.float64]) -> tuple[float, float]:
    """The shear angle (degrees) that makes the row profile of the points peakiest:
    a coarse pass every 0.5 degree, then a fine one every 0.05 around the best."""
    import numpy as np

    def search(angles: NDArray[np.float64]) -> tuple[float, float]:
        scores = [_profile_score(yc - xc * np.tan(np.radians(a)), len(xc)) for a in angles]
        best = int(np.argmax(scores))
        return float(angles[best]), float(scores[best])

    coarse, _ = search(np.arange(-MAX_SKEW, MAX_SKEW + 0.001, 0.5))
    return search(np.arange(coarse - 0.5, coarse + 0.501, 0.05))


def correct(
    image: PILImage, rotation: int, skew: float, *, fill: int | tuple[int, ...]
) -> PILImage:
    """The page turned ``rotation`` degrees clockwise, then its ``skew`` (counter-
    clockwise tilt) undone, bilinear, the uncovered corners filled with ``fill``.

    The size stays the page's own (swapped for 90/270): a 2-degree turn moves a corner
    by ~2% of the page, inside any contract's margin.
    """
    from PIL import Image

    image = _turned(image, rotation)
    if abs(skew) >= DESKEW_MIN:
        image = image.rotate(-skew, resample=Image.Resampling.BILINEAR, fillcolor=fill)
    return image


def turned(image: PILImage, rotation: int) -> PILImage:
    """The page turned ``rotation`` (0, 90, 180 or 270) degrees clockwise: lossless, the
    first half of ``correct``."""
    return _turned(image, rotation)


def skew_affine(
    size: tuple[int, int], skew: float, then: Sequence[float] = (1, 0, 0, 0, 1, 0)
) -> tuple[float, float, float, float, float, float]:
    """The affine data (``Image.transform``: output pixel -> input pixel) that undoes
    ``skew`` on a turned page of ``size``, as ``correct`` does, after ``then`` (an
    affine from another image's pixels into the corrected page's): one resampling
    where ``correct`` and a registration made two (each ~0.2 s on a 300 dpi page)."""
    import math

    a, b, c, d, e, f = then
    if abs(skew) < DESKEW_MIN:
        return (a, b, c, d, e, f)
    # PIL turns about the page's centre: a point p of the corrected page comes from
    # R(p - centre) + centre of the page as turned (R: the turn by ``skew``)
    t = math.radians(skew)
    cos, sin = math.cos(t), math.sin(t)
    cx, cy = size[0] / 2, size[1] / 2
    return (
        cos * a + sin * d,
        cos * b + sin * e,
        cos * (c - cx) + sin * (f - cy) + cx,
        -sin * a + cos * d,
        -sin * b + cos * e,
        -sin * (c - cx) + cos * (f - cy) + cy,
    )


def needs_correction(rotation: int, skew: float) -> bool:
    """Whether the page must be redrawn before OCR (turned, or tilted enough to matter)."""
    return rotation != 0 or abs(skew) >= DESKEW_MIN


def gray_array(image: PILImage) -> NDArray[np.uint8]:
    """The image as a 2-D uint8 array of grey levels."""
    import numpy as np

    return np.asarray(image.convert("L"), dtype=np.uint8)


#: Below this grey level a border pixel is not paper (a table under a photographed
#: sheet, the dark wedges a turned photo or scan leaves); how much of the border must be
#: so before the page is looked for inside it.
_BACKGROUND_LEVEL, _DARK_BORDER = 110, 0.2


def paper_only(gray: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """The grey copy with the dark background round the sheet made paper-white.

    A phone photo of a page, or a page scanned turned on a dark lid, has dark regions
    joined to the image's edges; their straight edges outweighed the text lines and the
    page was taken for one on its side (a 3-degree photo read as nothing at all). Dark
    pixels joined to the border are grown from it (the text stays: the paper's bright
    margin parts it from the edge). A page whose border is paper is returned as it is."""
    import numpy as np

    dark = gray < _BACKGROUND_LEVEL
    border = np.concatenate([dark[0], dark[-1], dark[:, 0], dark[:, -1]])
    if border.mean() < _DARK_BORDER:
        return gray
    reached = np.zeros_like(dark)
    reached[0], reached[-1], reached[:, 0], reached[:, -1] = (
        dark[0],
        dark[-1],
        dark[:, 0],
        dark[:, -1],
    )
    while True:
        grown = reached.copy()
        grown[1:] |= reached[:-1]
        grown[:-1] |= reached[1:]
        grown[:, 1:] |= reached[:, :-1]
        grown[:, :-1] |= reached[:, 1:]
        grown &= dark
        if np.array_equal(grown, reached):
            break
        reached = grown
    out = gray.copy()
    out[reached] = 255
    return out


def rotate_array(gray: NDArray[np.uint8], rotation: int) -> NDArray[np.uint8]:
    """A grey array turned ``rotation`` degrees clockwise."""
    import numpy as np

    return np.ascontiguousarray(np.rot90(gray, k=-(rotation // 90) % 4))


def _turned(image: PILImage, rotation: int) -> PILImage:
    """The page turned ``rotation`` (0, 90, 180 or 270) degrees clockwise."""
    from PIL import Image

    turns = {
        0: None,
        90: Image.Transpose.ROTATE_270,
        180: Image.Transpose.ROTATE_180,
        270: Image.Transpose.ROTATE_90,
    }
    if rotation not in turns:
        raise ValueError(f"rotation must be 0, 90, 180 or 270, not {rotation}")
    turn = turns[rotation]
    return image if turn is None else image.transpose(turn)
