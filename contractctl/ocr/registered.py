"""Two readings of one page compared position by position: the approved page as
rendered and read, and its scan as read, each difference kept only where the page
images differ too.

The readings' texts are compared character by character (spaces left out). Where they
differ, the words on either side locate the difference on both pages; the scanned
page is registered to the approved one there (the offset of the nearest words both
readings read alike), and both crops are compared as ink: black pixels of one page
with no black pixel of the other within ``TOLERANCE`` pixels, for the best of the
small shifts round that offset. Where no character-sized window holds more than
``CHANGED_INK`` of its area in such pixels, the images agree and there is nothing to
report, however OCR read them (scan noise, a fold, a seal over the text). Where they
differ, the difference stands, with the scan's reading: no second reading ever removes
text the scan shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import TYPE_CHECKING

from contractctl.ocr.model import Box, PageText

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

#: Grey level below which a pixel is ink.
INK_LEVEL = 150
#: Pixels an ink pixel may move (blur, resampling, JPEG) and still count as the same.
TOLERANCE = 1
#: A character-sized window with more than this share of changed ink is a real change.
CHANGED_INK = 0.05
#: Pixels (at 300 dpi) searched round the offset the nearest words give.
SEARCH = 6
#: Regions larger than this share of the page are not compared (a difference that big
#: is no OCR noise).
MAX_REGION = 0.25


@dataclass(frozen=True)
class Difference:
    """One difference between the readings: the approved reading's characters
    ``a_start:a_end`` and the scan's ``s_start:s_end`` (indices into the readings'
    texts with spaces left out), the scan's text there, and whether the images
    differ (``changed``) with the worst window's share of changed ink."""

    a_start: int
    a_end: int
    s_start: int
    s_end: int
    scanned: str
    changed: bool
    ink: float


def squashed(text: str) -> tuple[str, list[int]]:
    """``text`` without whitespace, and each kept character's position in ``text``."""
    positions = [k for k, ch in enumerate(text) if not ch.isspace()]
    return "".join(text[k] for k in positions), positions


def page_differences(
    approved: PageText,
    approved_image: Path | None,
    scan: PageText,
    dpi: int,
) -> list[Difference]:
    """Every difference between the two readings of a page, judged on the images
    (without images, every difference counts as changed)."""
    a_text, a_pos = squashed(approved.text)
    s_text, s_pos = squashed(scan.text)
    matcher = SequenceMatcher(None, a_text, s_text, autojunk=False)
    opcodes = matcher.get_opcodes()
    ops = [op for op in opcodes if op[0] != "equal"]
    if not ops:
        return []
    a_owner = _owners(approved, len(approved.text))
    s_owner = _owners(scan, len(scan.text))
    pairs = _anchors(approved, scan, opcodes, a_pos, s_pos, a_owner, s_owner)
    images = _Images(approved_image, scan, pairs) if approved_image is not None else None
    out = []
    for _, i1, i2, j1, j2 in ops:
        a_box = _span_box(approved, a_owner, a_pos, i1, i2)
        s_box = _span_box(scan, s_owner, s_pos, j1, j2)
        changed, ink = True, 1.0
        if images is not None and (a_box or s_box):
            changed, ink = images.differ(a_box, s_box, pairs, dpi)
        out.append(Difference(i1, i2, j1, j2, s_text[j1:j2], changed, ink))
    return _moved(out, a_text)


def _moved(found: list[Difference], a_text: str) -> list[Difference]:
    """Text one reading has here and the other there (a line read in another order)
    is the same text: both differences are taken for alike."""
    from dataclasses import replace

    removed = {d.a_start: a_text[d.a_start : d.a_end] for d in found if d.a_end > d.a_start}
    added = {d.s_start: d.scanned for d in found if d.scanned}
    same: set[int] = set()
    for k, d in enumerate(found):
        gone = a_text[d.a_start : d.a_end]
        if gone == d.scanned:
            continue
        if len(gone) >= 2 and any(gone in t or t in gone for t in added.values() if len(t) >= 2):
            same.add(k)
        if len(d.scanned) >= 2 and any(
            d.scanned in t or t in d.scanned for t in removed.values() if len(t) >= 2
        ):
            same.add(k)
    return [replace(d, changed=False) if k in same else d for k, d in enumerate(found)]


def _owners(page: PageText, size: int) -> list[int]:
    owner = [-1] * size
    for index, word in enumerate(page.words):
        for k in range(word.start, min(word.end, size)):
            owner[k] = index
    return owner


def _anchors(
    approved: PageText,
    scan: PageText,
    opcodes: Sequence[tuple[str, int, int, int, int]],
    a_pos: list[int],
    s_pos: list[int],
    a_owner: list[int],
    s_owner: list[int],
) -> list[tuple[float, float, float, float]]:
    """Words both readings read alike: (approved x, y, scan x, y) of their centres."""
    pairs = []
    seen: set[int] = set()
    for tag, i1, i2, j1, _ in opcodes:
        if tag != "equal":
            continue
        for k in range(i1, i2):
            a_word = a_owner[a_pos[k]]
            s_word = s_owner[s_pos[j1 + k - i1]]
            if a_word < 0 or s_word < 0 or a_word in seen:
                continue
            a, s = approved.words[a_word], scan.words[s_word]
            if a.text != s.text:
                continue
            seen.add(a_word)
            pairs.append(
                (
                    a.box[0] + a.box[2] / 2,
                    a.box[1] + a.box[3] / 2,
                    s.box[0] + s.box[2] / 2,
                    s.box[1] + s.box[3] / 2,
                )
            )
    return pairs


def _span_box(page: PageText, owner: list[int], pos: list[int], start: int, end: int) -> Box | None:
    """The union of the boxes of the words holding characters ``start:end`` (the
    neighbours of an insertion point)."""
    if end > start:
        indexes = {owner[pos[k]] for k in range(start, end)}
    else:
        indexes = {owner[pos[k]] for k in (start - 1, start) if 0 <= k < len(pos)}
    boxes = [page.words[i].box for i in indexes if i >= 0]
    if not boxes:
        return None
    left = min(b[0] for b in boxes)
    top = min(b[1] for b in boxes)
    right = max(b[0] + b[2] for b in boxes)
    bottom = max(b[1] + b[3] for b in boxes)
    return (left, top, right - left, bottom - top)


class _Images:
    """The two page images, opened once, the scan corrected as its reading was."""

    def __init__(
        self,
        approved_image: Path,
        scan: PageText,
        pairs: list[tuple[float, float, float, float]],
    ) -> None:
        from PIL import Image

        with Image.open(approved_image) as image:
            self.approved = image.convert("L")
        self.scan_page = scan
        self._scan: object | None = None
        self.affine = _fit(pairs)

    def _scan_image(self) -> object:
        if self._scan is None:
            from PIL import Image

            from contractctl.ocr import deskew
            from contractctl.ocr.pipeline import drop_red

            assert self.scan_page.image is not None
            with Image.open(self.scan_page.image) as image:
                image.load()
                straight = deskew.correct(
                    image.convert("RGB"),
                    self.scan_page.rotation_applied,
                    self.scan_page.skew_degrees,
                    fill=(255, 255, 255),
                )
            gray = drop_red(straight)
            a, b, c, d, e, f = self.affine
            self._scan = gray.transform(
                self.approved.size,
                Image.Transform.AFFINE,
                (a, b, c, d, e, f),
                resample=Image.Resampling.BILINEAR,
                fillcolor=255,
            )
        return self._scan

    def to_approved(self, x: float, y: float) -> tuple[float, float]:
        """A point of the scan in the approved page's pixels."""
        a, b, c, d, e, f = self.affine
        det = a * e - b * d or 1.0
        x, y = x - c, y - f
        return (e * x - b * y) / det, (a * y - d * x) / det

    def differ(
        self,
        a_box: Box | None,
        s_box: Box | None,
        pairs: list[tuple[float, float, float, float]],
        dpi: int,
    ) -> tuple[bool, float]:
        """Do the pages differ in the region of a difference? (changed, worst ink share)"""
        import numpy as np
        from PIL.Image import Image as PILImage

        dx, dy = 0, 0
        boxes = [b for b in (a_box,) if b is not None]
        if s_box is not None:
            x0, y0 = self.to_approved(s_box[0], s_box[1])
            x1, y1 = self.to_approved(s_box[0] + s_box[2], s_box[1] + s_box[3])
            boxes.append((round(x0), round(y0), round(x1 - x0), round(y1 - y0)))
        pad = max(4, round(dpi / 50))
        left = min(b[0] for b in boxes) - pad
        top = min(b[1] for b in boxes) - pad
        right = max(b[0] + b[2] for b in boxes) + pad
        bottom = max(b[1] + b[3] for b in boxes) + pad
        width, height = self.approved.size
        left, top = max(0, left), max(0, top)
        right, bottom = min(width, right), min(height, bottom)
        if right <= left or bottom <= top:
            return True, 1.01
        if (right - left) * (bottom - top) > MAX_REGION * width * height:
            return True, 1.02
        search = max(3, round(SEARCH * dpi / 300))
        approved = np.asarray(self.approved.crop((left, top, right, bottom))) < INK_LEVEL
        scan_image = self._scan_image()
        assert isinstance(scan_image, PILImage)
        box = (left + dx - search, top + dy - search, right + dx + search, bottom + dy + search)
        scanned = np.asarray(scan_image.crop(box)) < INK_LEVEL
        share = _best_share(approved, scanned, search, dpi)
        return share > CHANGED_INK, share


def _fit(pairs: list[tuple[float, float, float, float]]) -> tuple[float, ...]:
    """The affine map from approved to scan pixels that best fits the anchor words
    (least squares, twice: anchors more than 8 pixels off the first fit left out)."""
    import numpy as np

    if len(pairs) < 4:
        if pairs:
            dx = sorted(p[2] - p[0] for p in pairs)[len(pairs) // 2]
            dy = sorted(p[3] - p[1] for p in pairs)[len(pairs) // 2]
            return (1.0, 0.0, dx, 0.0, 1.0, dy)
        return (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
    points = np.array(pairs, dtype=np.float64)
    keep = np.ones(len(points), dtype=bool)
    coef_x = coef_y = np.zeros(3)
    for _ in range(2):
        design = np.column_stack([points[keep, 0], points[keep, 1], np.ones(int(keep.sum()))])
        coef_x = np.linalg.lstsq(design, points[keep, 2], rcond=None)[0]
        coef_y = np.linalg.lstsq(design, points[keep, 3], rcond=None)[0]
        full = np.column_stack([points[:, 0], points[:, 1], np.ones(len(points))])
        error = np.hypot(full @ coef_x - points[:, 2], full @ coef_y - points[:, 3])
        keep = error <= max(8.0, float(np.median(error)) * 3)
        if keep.sum() < 4:
            break
    return (*(float(v) for v in coef_x), *(float(v) for v in coef_y))


def _offset(
    pairs: list[tuple[float, float, float, float]], x: float, y: float, *, scan_side: bool
) -> tuple[float, float]:
    """The scan-minus-approved offset of the words nearest (x, y)."""
    if not pairs:
        return 0.0, 0.0
    key = 2 if scan_side else 0
    near = sorted(pairs, key=lambda p: (p[key] - x) ** 2 + 4 * (p[key + 1] - y) ** 2)[:5]
    dxs = sorted(p[2] - p[0] for p in near)
    dys = sorted(p[3] - p[1] for p in near)
    return dxs[len(dxs) // 2], dys[len(dys) // 2]


def _dilate(mask: NDArray[np.bool_], radius: int) -> NDArray[np.bool_]:
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


def _best_share(
    approved: NDArray[np.bool_], scanned: NDArray[np.bool_], search: int, dpi: int
) -> float:
    """The worst character window's share of changed ink, at the best shift."""
    import numpy as np

    h, w = approved.shape
    if scanned.shape != (h + 2 * search, w + 2 * search):
        return 1.03
    tolerance = max(1, round(TOLERANCE * dpi / 300))
    grown_a = _dilate(approved, tolerance)
    grown_s = _dilate(scanned, tolerance)
    window = max(8, round(dpi * 0.12))
    best = 1.0
    best_total = None
    for step in (2, 1):
        if best_total is None:
            shifts = [
                (y, x)
                for y in range(0, 2 * search + 1, step)
                for x in range(0, 2 * search + 1, step)
            ]
        else:
            by, bx = best_total[1]
            shifts = [(by + y, bx + x) for y in (-1, 0, 1) for x in (-1, 0, 1)]
            shifts = [(y, x) for y, x in shifts if 0 <= y <= 2 * search and 0 <= x <= 2 * search]
        for y, x in shifts:
            s = scanned[y : y + h, x : x + w]
            gs = grown_s[y : y + h, x : x + w]
            changed = (approved & ~gs) | (s & ~grown_a)
            total = int(changed.sum())
            if best_total is None or total < best_total[0]:
                best_total = (total, (y, x))
    assert best_total is not None
    y, x = best_total[1]
    s = scanned[y : y + h, x : x + w]
    changed = (approved & ~grown_s[y : y + h, x : x + w]) | (s & ~grown_a)
    if not changed.any():
        return 0.0
    win_h, win_w = min(window, h), min(window, w)
    integral = np.pad(changed.astype(np.int32).cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    sums = (
        integral[win_h:, win_w:]
        - integral[:-win_h, win_w:]
        - integral[win_h:, :-win_w]
        + integral[:-win_h, :-win_w]
    )
    best = float(sums.max()) / (window * window)
    return best
