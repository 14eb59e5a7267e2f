"""Red seals on a page image: red ink, in a blob of seal size and shape.

On a small copy of the page (long side ~900 px, ~75 dpi for A4):

1. red pixels: red is the strongest channel by a margin, the hue within ~24 degrees of
   pure red, enough saturation and brightness (a faded or pink scanned seal passes;
   black text, grey paper, blue ink and the colour fringes JPEG leaves round black
   text do not);
2. the red pixels counted in 4x4 cells, a cell kept with 3 or more, the cells grown by
   one so a seal's ring, name and star join into one blob;
3. a blob counts as a seal when its box is 4.5-35% of the page's short side on both
   axes (a 4 cm company seal is 19% of A4's width, a 2.8 cm personal one 13%), roughly
   square (aspect 0.6-1.67), 3-80% red, and stamped on paper: at least 70% of the other
   pixels in its box are neutral (paper white, text black or grey). A red tick, an
   underline, a line of red text or a page number fail the size or shape; the red
   areas of a colour photo fail the paper test (seals measured 92-98% neutral, the
   reddish blobs of a photo 23-31%);
4. its shape: a round seal leaves the corners of its box empty while its ring touches
   the middle of each side; a square seal's border fills the corners too.
"""

from __future__ import annotations

import logging
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING

from contractctl.errors import InvalidInput
from contractctl.ocr.model import SealFinding

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

CELL = 4
CELL_MIN_RED = 3
MIN_SIDE, MAX_SIDE = 0.045, 0.35
MAX_ASPECT = 1.67
MIN_FILL, MAX_FILL = 0.03, 0.8
MIN_PAPER = 0.7
NEUTRAL_SPREAD = 50
MIN_RED_PIXELS = 150
_MAX_CELLS = 60_000

Region = tuple[float, float, float, float]


def find_red_seals(image: Path, *, region: Region | None = None) -> list[SealFinding]:
    """The red seals on a page image, largest first.

    ``region`` (x0, y0, x1, y1 as fractions of the page, top-left origin) keeps only the
    seals whose centre lies in it: where a seal is expected. Boxes are in the image's
    own pixels. InvalidInput for an unreadable image or a malformed region.
    """
    import numpy as np

    from contractctl.ocr.deskew import thumbnail

    check_region(region)
    thumb = thumbnail(Path(image))
    rgb = np.asarray(thumb.image, dtype=np.uint8)
    return detect(rgb, full_size=thumb.full_size, region=region)


def check_region(region: Region | None) -> None:
    """InvalidInput unless ``region`` is None or 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1."""
    if region is None:
        return
    if len(region) != 4:
        raise InvalidInput(f"seal region {region!r}: expected (x0, y0, x1, y1)")
    x0, y0, x1, y1 = region
    if not (0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1):
        raise InvalidInput(
            f"seal region {region!r}: expected fractions of the page with x0 < x1, y0 < y1"
        )


def red_mask(rgb: NDArray[np.uint8]) -> NDArray[np.bool_]:
    """Pixels of red ink (seal red to faded pink), from an H x W x 3 array."""
    import numpy as np

    r = rgb[..., 0].astype(np.int16)
    g = rgb[..., 1].astype(np.int16)
    b = rgb[..., 2].astype(np.int16)
    high = np.maximum(g, b)
    low = np.minimum(g, b)
    spread = r - low  # r is the maximum wherever the mask can be true
    mask: NDArray[np.bool_] = (
        (r - high >= 35)  # red leads the other channels clearly
        & (r >= 90)  # not a dark brown-black
        & (spread * 100 >= 28 * r)  # saturation >= 0.28
        & (np.abs(g - b) * 5 <= spread * 2)  # hue within ~24 degrees of red
    )
    return mask


def detect(
    rgb: NDArray[np.uint8],
    *,
    full_size: tuple[int, int] | None = None,
    region: Region | None = None,
) -> list[SealFinding]:
    """The seals on an RGB page array; boxes scaled to ``full_size`` (width, height) when
    the array is a reduced copy of a larger page."""
    import numpy as np

    height, width = rgb.shape[:2]
    full_w, full_h = full_size or (width, height)
    sx, sy = full_w / width, full_h / height
    mask = red_mask(rgb)
    if int(mask.sum()) < MIN_RED_PIXELS:
        return []
    ch, cw = height // CELL, width // CELL
    counts = mask[: ch * CELL, : cw * CELL].reshape(ch, CELL, cw, CELL).sum(axis=(1, 3))
    cells = counts >= CELL_MIN_RED
    grown = cells.copy()
    grown[1:] |= cells[:-1]
    grown[:-1] |= cells[1:]
    wide = grown.copy()
    grown[:, 1:] |= wide[:, :-1]
    grown[:, :-1] |= wide[:, 1:]
    if int(grown.sum()) > _MAX_CELLS:
        log.info("seal search: too much red on the page to tell seals apart")
        return []
    short = min(width, height)
    found: list[tuple[int, int, int, int, int]] = []
    for component in _components(grown):
        rows = np.array([c[0] for c in component])
        cols = np.array([c[1] for c in component])
        own = cells[rows, cols]
        if not own.any():
            continue
        r0, r1 = int(rows[own].min()), int(rows[own].max()) + 1
        c0, c1 = int(cols[own].min()), int(cols[own].max()) + 1
        x0, y0, x1, y1 = c0 * CELL, r0 * CELL, c1 * CELL, r1 * CELL
        bw, bh = x1 - x0, y1 - y0
        red = int(mask[y0:y1, x0:x1].sum())
        if not (MIN_SIDE * short <= bw <= MAX_SIDE * short):
            continue
        if not (MIN_SIDE * short <= bh <= MAX_SIDE * short):
            continue
        if not (1 / MAX_ASPECT <= bw / bh <= MAX_ASPECT):
            continue
        if red < MIN_RED_PIXELS or not MIN_FILL * bw * bh <= red <= MAX_FILL * bw * bh:
            continue
        if _paper(rgb[y0:y1, x0:x1], mask[y0:y1, x0:x1]) < MIN_PAPER:
            continue
        found.append((x0, y0, x1, y1, red))
    findings = []
    for x0, y0, x1, y1, red in found:
        if any(
            (a0, b0, a1, b1) != (x0, y0, x1, y1) and a0 <= x0 and b0 <= y0 and x1 <= a1 and y1 <= b1
            for a0, b0, a1, b1, _ in found
        ):
            continue  # a star or name inside a seal already found
        rel = (x0 / width, y0 / height, x1 / width, y1 / height)
        if region is not None:
            cx, cy = (rel[0] + rel[2]) / 2, (rel[1] + rel[3]) / 2
            if not (region[0] <= cx <= region[2] and region[1] <= cy <= region[3]):
                continue
        box = (
            round(x0 * sx),
            round(y0 * sy),
            round((x1 - x0) * sx),
            round((y1 - y0) * sy),
        )
        findings.append(
            SealFinding(
                box=box,
                rel=rel,
                red_pixels=round(red * sx * sy),
                shape=_shape(mask[y0:y1, x0:x1]),
            )
        )
    findings.sort(key=lambda f: -f.red_pixels)
    return findings


def _paper(box: NDArray[np.uint8], red: NDArray[np.bool_]) -> float:
    """The share of the box's other (not red) pixels that are neutral: paper or text."""
    import numpy as np

    other = ~red
    if not other.any():
        return 0.0
    pixels = box[other].astype(np.int16)
    spread = pixels.max(axis=1) - pixels.min(axis=1)
    return float((spread < NEUTRAL_SPREAD).mean())


def _components(grid: NDArray[np.bool_]) -> list[list[tuple[int, int]]]:
    """The 4-connected groups of true cells."""
    import numpy as np

    todo = {(int(r), int(c)) for r, c in np.argwhere(grid)}
    groups = []
    while todo:
        start = todo.pop()
        group = [start]
        queue = deque([start])
        while queue:
            r, c = queue.popleft()
            for nb in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                if nb in todo:
                    todo.remove(nb)
                    group.append(nb)
                    queue.append(nb)
        groups.append(group)
    return groups


def _shape(mask: NDArray[np.bool_]) -> str:
    """round, square or other, from red in the corners against red mid-side."""
    h, w = mask.shape
    ph, pw = max(1, round(h * 0.12)), max(1, round(w * 0.12))
    corners = [
        mask[:ph, :pw],
        mask[:ph, w - pw :],
        mask[h - ph :, :pw],
        mask[h - ph :, w - pw :],
    ]
    mh, mw = (h - ph) // 2, (w - pw) // 2
    sides = [
        mask[:ph, mw : mw + pw],
        mask[h - ph :, mw : mw + pw],
        mask[mh : mh + ph, :pw],
        mask[mh : mh + ph, w - pw :],
    ]
    corner = sum(float(p.mean()) for p in corners) / 4
    side = sum(float(p.mean()) for p in sides) / 4
    if side < 0.04:
        return "other"
    if corner < 0.3 * side:
        return "round"
    if corner >= 0.5 * side:
        return "square"
    return "other"
