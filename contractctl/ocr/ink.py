"""Ink images compared: the numpy side of ``registered`` (which says where to look).

Masks of ink (grey level under ``INK_LEVEL``) are cut out of the approved page image
and the registered scan; a region counts as changed by the share of ink one has and
the other lacks in its worst character window (``best_share``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

#: Grey level below which a pixel is ink.
INK_LEVEL = 150
#: Grey level below which a scan's pixel holds the approved page's ink: a hairline
#: (a rule, a fill-in line) comes back from the scanner grey, not black.
PRESENT_LEVEL = 210
#: Pixels an ink pixel may move (blur, resampling, JPEG) and still count as the same.
TOLERANCE = 1


def fast_size(n: int) -> int:
    """The smallest 2^i 3^j 5^k >= n."""
    best = 1 << max(0, (n - 1).bit_length())
    five = 1
    while five < best:
        three = five
        while three < best:
            size = three
            while size < n:
                size *= 2
            best = min(best, size)
            three *= 3
        five *= 5
    return best


def dilate(mask: NDArray[np.bool_], radius: int) -> NDArray[np.bool_]:
    import numpy as np

    out = mask.copy()
    for _ in range(radius):
        grown = out.copy()
        grown[1:, :] |= out[:-1, :]
        grown[:-1, :] |= out[1:, :]
        grown[:, 1:] |= out[:, :-1]
        grown[:, :-1] |= out[:, 1:]
        out = grown
    return np.asarray(out, dtype=bool)


def best_share(
    approved: NDArray[np.bool_],
    scanned: NDArray[np.bool_],
    search: int,
    dpi: int,
    seal: NDArray[np.bool_] | None = None,
    present: NDArray[np.bool_] | None = None,
) -> float:
    """The worst character window's share of changed ink, each window at its own best
    shift.

    One shift for a whole region is not enough: the affine fit is a few pixels off at
    the ends of a long line (scale and rotation estimated from word boxes), and a
    region spanning a line and a half then differs at both ends though every character
    agrees. So the region is cut into blocks of a third of a character; every shift
    (in steps of 2 pixels, the 1-pixel tolerance covering the rest) is scored per
    window of 3 x 3 blocks and each window keeps its best. ``seal`` marks the scan's
    pixels of red ink: they are never extra ink (a seal is expected on paper), while
    approved ink under a seal must still be there. ``present``: where the scan has
    ink enough for the approved ink to count as there (lighter than ``scanned``'s: a
    hairline, a table rule, a fill-in line, blurred and lightened by the scanner, is
    still there), when given.
    """
    import numpy as np

    h, w = approved.shape
    if scanned.shape != (h + 2 * search, w + 2 * search):
        return 1.03
    tolerance = max(1, round(TOLERANCE * dpi / 300))
    grown_a = dilate(approved, tolerance)
    grown_s = dilate(scanned if present is None else present, tolerance)
    extra = scanned if seal is None else scanned & ~seal
    window = max(8, round(dpi * 0.12))
    block = max(2, window // 3)
    rows, cols = -(-h // block), -(-w // block)
    # one buffer, padded to whole blocks, written in place at every shift (a fresh
    # padded array per shift cost a third of the check's comparison time)
    changed = np.zeros((rows * block, cols * block), dtype=np.uint8)
    inside = changed[:h, :w]
    missing = np.empty((h, w), dtype=bool)
    best: NDArray[np.int64] | None = None
    step = 2 if tolerance >= 1 else 1
    offsets = sorted({*range(0, 2 * search + 1, step), 2 * search})
    for y in offsets:
        for x in offsets:
            # approved ink the scan lacks, or scan ink the approved page lacks
            np.greater(approved, grown_s[y : y + h, x : x + w], out=missing)
            np.greater(extra[y : y + h, x : x + w], grown_a, out=inside)
            inside |= missing
            blocks = changed.reshape(rows, block, cols, block).sum(axis=(1, 3), dtype=np.int64)
            sums = _window_sums(blocks)
            best = sums if best is None else np.minimum(best, sums)
    assert best is not None
    return float(best.max()) / (window * window)


def _window_sums(blocks: NDArray[np.int64]) -> NDArray[np.int64]:
    """Sums over every 3 x 3 group of blocks (fewer at a small region's edges)."""
    import numpy as np

    rows, cols = blocks.shape
    wr, wc = min(3, rows), min(3, cols)
    integral = np.pad(blocks.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    out: NDArray[np.int64] = (
        integral[wr:, wc:] - integral[:-wr, wc:] - integral[wr:, :-wc] + integral[:-wr, :-wc]
    )
    return out
