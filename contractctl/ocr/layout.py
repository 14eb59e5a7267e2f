"""Where the text sits on an upright page: its lines, its columns, which way is up.

All three are read from the ink mask of a small copy of the page (``deskew.dark_mask``
of a ~75 dpi grey image), in milliseconds, before Tesseract is asked anything:

- **lines** (``text_bands``): runs of rows with ink, from the row profile;
- **columns** (``columns``): Tesseract reads a page in one column of lines
  (``--psm 4``, see pipeline), which on a two-column page glued each left line to the
  right line beside it (0.58 character accuracy on a two-column English page, 1.00
  for each column read on its own), and on a Chinese/English side-by-side contract
  mixed the languages line by line. A column gap is a vertical band, inside the text,
  that (almost) no text line crosses, with a real column of text on each side: at
  least ``MIN_COLUMN_SHARE`` of the text's width and of its ink. A line-item table
  does not qualify (the running text above and below crosses its gaps, ruled tables
  have their rules), nor does a form's label column (too narrow);
- **upside down** (``looks_upside_down``): short lines (a paragraph's last, ragged
  right text) stop short on the right; turned over, on the left. Where that is plain,
  Tesseract's orientation check (OSD, ~0.7 s) runs *before* the page is read, so the
  page is read once, the right way up; otherwise the pipeline's low-confidence check
  remains the safety net.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

#: A row with fewer ink pixels than this share of the width is paper (specks, noise).
ROW_INK = 0.002
#: A column gap lets through at most this share of the text lines ...
GAP_CROSSINGS = 0.12
#: ... and is at least this share of the text's width (~2 characters at 75 dpi on A4).
MIN_GAP_SHARE = 0.02
#: Each column holds at least this share of the text's width and of its ink.
MIN_COLUMN_SHARE = 0.2
#: Fewer text lines than this tell nothing about columns or edges.
MIN_LINES = 4
#: Columns: at least this share of the lines have text in two columns or more.
PARALLEL_SHARE = 0.5
#: A line stops short on a side when it ends this share of the text's width from it.
SHORT_LINE = 0.12
#: Turned over: at least this many lines stop short on the left only ...
SHORT_LINES_MIN = 2
#: ... and this many times as many as stop short on the right only.
SHORT_LINES_RATIO = 3


def text_bands(dark: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """The text lines as (top, bottom) row ranges (bottom exclusive)."""
    import numpy as np

    width = dark.shape[1]
    inked = dark.sum(axis=1) >= max(2, round(width * ROW_INK))
    edges = np.flatnonzero(np.diff(np.concatenate(([0], inked.astype(np.int8), [0]))))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def columns(dark: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """The page's text columns as (left, right) pixel ranges, left to right; one range
    (the whole width) when the text is one column."""
    import numpy as np

    width = dark.shape[1]
    whole = [(0, width)]
    bands = text_bands(dark)
    if len(bands) < MIN_LINES:
        return whole
    crossed = np.zeros(width, dtype=np.int32)
    for top, bottom in bands:
        crossed += dark[top:bottom].any(axis=0)
    ink_x = np.flatnonzero(crossed)
    if not len(ink_x):
        return whole
    left, right = int(ink_x[0]), int(ink_x[-1]) + 1
    text_width = right - left
    open_ = crossed[left:right] <= GAP_CROSSINGS * len(bands)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], open_.astype(np.int8), [0]))))
    gaps = [
        (left + int(a), left + int(b))
        for a, b in zip(edges[::2], edges[1::2], strict=True)
        if b - a >= max(3, MIN_GAP_SHARE * text_width)
    ]
    if not gaps:
        return whole
    ink_per_x = dark.sum(axis=0)
    total_ink = float(ink_per_x[left:right].sum()) or 1.0
    cuts = [left, *(round((a + b) / 2) for a, b in gaps), right]
    spans = list(pairwise(cuts))

    def real(span: tuple[int, int]) -> bool:
        a, b = span
        return (
            b - a >= MIN_COLUMN_SHARE * text_width
            and float(ink_per_x[a:b].sum()) >= MIN_COLUMN_SHARE * total_ink
        )

    if len(spans) < 2 or not all(real(span) for span in spans):
        return whole
    # columns run side by side: most lines have text in more than one of them (a
    # centred heading over a short paragraph has a "gap" in no line's way, but no
    # second column)
    side_by_side = sum(
        sum(bool(dark[top:bottom, a:b].any()) for a, b in spans) >= 2 for top, bottom in bands
    )
    if side_by_side < PARALLEL_SHARE * len(bands):
        return whole
    # the outer columns reach the page's edges, so nothing in the margins is cut off
    return [
        (0 if i == 0 else a, width if i == len(spans) - 1 else b) for i, (a, b) in enumerate(spans)
    ]


def looks_upside_down(dark: NDArray[np.bool_]) -> bool:
    """Lines stop short on the left, not on the right: a page turned over.

    Upright, a line that does not fill the text's width stops short on the right (the
    last line of a paragraph, ragged-right text); a centred heading stops short on both
    sides and a first-line indent by a few characters, so neither counts. Turned over,
    the short lines stop short on the left. On 430 pages of corpus contracts (justified
    Chinese text, forms, tables) this called no upright page turned over and 335 of the
    same pages turned over (78%); the rest are left to the low-confidence check.
    """
    import numpy as np

    bands = text_bands(dark)
    if len(bands) < MIN_LINES:
        return False
    lefts, rights = [], []
    for top, bottom in bands:
        xs = np.flatnonzero(dark[top:bottom].any(axis=0))
        lefts.append(int(xs[0]))
        rights.append(int(xs[-1]))
    left_margin = float(np.percentile(lefts, 10))
    right_margin = float(np.percentile(rights, 90))
    short = SHORT_LINE * (right_margin - left_margin)
    short_left = short_right = 0
    for left, right in zip(lefts, rights, strict=True):
        gap_left, gap_right = left - left_margin > short, right_margin - right > short
        short_left += gap_left and not gap_right
        short_right += gap_right and not gap_left
    return short_left >= SHORT_LINES_MIN and short_left >= SHORT_LINES_RATIO * short_right
