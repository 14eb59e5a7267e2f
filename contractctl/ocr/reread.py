"""A changed number read again, from its line alone, before it is named.

Where the ink says a number changed (an amount, a date, a percentage), the report
names both values, and the scanned one is what the page's reading made of it. On a
page read whole, Tesseract sometimes loses a digit of a number on a fill-in line or
under a fold (`4月11日` read `4月1日`, confidence ~50), and the check then names the
wrong new value (`2025-04-08 → 2025-04-01`). Read again from a crop of its line alone
(``--psm 7``: one text line), the number comes out whole in our runs.

The second reading only ever names the value of a difference the ink already found:
it never makes one and never removes one. It is taken only where it read the place
with more confidence than the first reading did, and where it differs from the
approved text too (a second reading that saw no change there is not trusted over the
ink). Only numeric differences are read again, so a clean page costs nothing.
"""

from __future__ import annotations

import re
import tempfile
import uuid
from difflib import SequenceMatcher
from pathlib import Path
from typing import TYPE_CHECKING

from contractctl.ocr.model import Box

if TYPE_CHECKING:
    from contractctl.ocr.tesseract import Reading
    from contractctl.ocr.warp import RegisteredScan

_DIGIT = re.compile(r"\d")
#: Characters of approved text on either side of the difference the second reading is
#: aligned by, and how far (line heights) the crop reaches beyond the difference.
_CONTEXT_CHARS, _REACH = 12, 4.0
#: Seconds one line's reading may take.
_TIMEOUT = 60.0


def numeric(*texts: str) -> bool:
    """Whether a difference between these texts involves a digit (worth reading again)."""
    return any(_DIGIT.search(t) for t in texts)


def read_again(
    scan: RegisteredScan,
    box: Box,
    approved: str,
    start: int,
    end: int,
    first: str,
    first_conf: float,
    *,
    lang: str,
    dpi: int,
    page_size: tuple[int, int],
) -> tuple[int, int, str] | None:
    """What the scan holds in place of ``approved[start:end]`` (squashed text), read
    again from the line round ``box`` (approved pixels), as (start, end, text): the
    approved characters it replaces (what both hold alike at either end left out) and
    the scan's; None to keep ``first``.

    ``first``/``first_conf``: the first reading there and its words' confidence."""
    from contractctl.ocr.tesseract import read_page

    left, top, width, height = box
    reach = round(_REACH * max(height, 1))
    pad = max(2, height // 8)  # a line alone: more and the next line is in it
    page_w, page_h = page_size
    region = (
        max(0, left - reach),
        max(0, top - pad),
        min(page_w, left + width + reach),
        min(page_h, top + height + pad),
    )
    if region[2] <= region[0] or region[3] <= region[1]:
        return None
    with tempfile.TemporaryDirectory(prefix="reread-") as folder:
        image = Path(folder) / f"line-{uuid.uuid4().hex[:8]}.png"
        scan.crop(region).save(image)
        reading = read_page(
            image, image.with_suffix(""), lang=lang, dpi=dpi, timeout=_TIMEOUT, psm=7
        )
    text = "".join(ch for ch in reading.text if not ch.isspace())  # as registered squashes
    lo, hi = max(0, start - _CONTEXT_CHARS), min(len(approved), end + _CONTEXT_CHARS)
    placed = _aligned(approved[lo:hi], text, start - lo, end - lo)
    if placed is None:
        return None
    again = text[placed[0] : placed[1]]
    if again in (first, approved[start:end]) or not numeric(again):
        return None
    if _confidence(reading, placed) <= first_conf:
        return None
    while start < end and again and again[0] == approved[start]:
        start, again = start + 1, again[1:]
    while start < end and again and again[-1] == approved[end - 1]:
        end, again = end - 1, again[:-1]
    return start, end, again


def _aligned(window: str, text: str, start: int, end: int) -> tuple[int, int] | None:
    """Where ``window[start:end]`` is in ``text``: between the text both hold alike
    just before it and just after it (None when either side has no anchor)."""
    left_end: int | None = None
    right_start: int | None = None
    for block in SequenceMatcher(None, window, text, autojunk=False).get_matching_blocks():
        if not block.size:
            continue
        if block.a < start:  # its part before the place
            left_end = block.b + min(block.a + block.size, start) - block.a
        if block.a + block.size > end and right_start is None:  # its part after
            right_start = block.b + max(block.a, end) - block.a
    if left_end is None or right_start is None or right_start < left_end:
        return None
    return left_end, right_start


def _confidence(reading: Reading, placed: tuple[int, int]) -> float:
    """The lowest confidence of the second reading's words over the placed characters."""
    kept = [k for k, ch in enumerate(reading.text) if not ch.isspace()]
    if placed[1] <= placed[0] or placed[1] > len(kept):
        return 0.0
    first, last = kept[placed[0]], kept[placed[1] - 1]
    confs = [w.conf for w in reading.words if w.start <= last and w.end > first]
    return min(confs) if confs else 0.0
