"""Two readings of one page compared position by position: the approved page as
rendered and read, and its scan as read, each difference kept only where the page
images differ too.

The readings' texts are compared character by character (spaces left out). Where they
differ, the words on either side locate the difference on both pages; the scanned
page is registered to the approved one there (the offset of the nearest words both
readings read alike), and both crops are compared as ink: black pixels of one page
with no black pixel of the other within ``TOLERANCE`` pixels, each character-sized
window at the best of the small shifts round the fit (the fit is a few pixels off at
the ends of a long line). Red ink in the scan (a seal stamped over the text) is dropped
from its grey image and never counts as ink the approved page lacks; approved ink under
a seal must still be there. Where no character-sized window holds more than
``CHANGED_INK`` of its area in changed pixels, the images agree and there is nothing to
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

from contractctl.ocr.ink import (
    INK_LEVEL,
    PRESENT_LEVEL,
    best_share,
    dilate,
    fast_size,
)
from contractctl.ocr.model import Box, PageText
from contractctl.ocr.reread import numeric, read_again
from contractctl.ocr.warp import RegisteredScan

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

#: A character-sized window with more than this share of changed ink is a real change.
CHANGED_INK = 0.05
#: The same for a digit both readings read as another digit: one stroke tells 6 from 8
#: (3.3% of a window on a 200 dpi scan, 4.9% at another place), while a digit misread
#: from the same ink shows none (0.000 on every clean scan we measured).
CHANGED_DIGIT = 0.025
#: Pixels (at 300 dpi) each window is searched round the affine fit of the words.
SEARCH = 6
#: Inches of neighbourhood round a region whose ink locates it in the scan, and the
#: largest shift (inches) that location may be from the affine fit.
CONTEXT = 0.35
MAX_SHIFT = 0.08
#: How much further (inch) the ink is looked for where the text moved: the move is
#: told from two readings' boxes, which can be a character apart.
MOVED_SEARCH = 0.15
#: A text removed here and added there is taken for moved when the shorter is this
#: share of the longer at least.
MOVED_SHARE = 0.6
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
    #: ``scanned`` with the scan's word spaces (one space for each run of whitespace):
    #: what an added English sentence is shown as
    spaced: str = ""


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
    a_line, s_line = _line_height(approved), _line_height(scan)
    images = _Images(approved_image, scan, pairs, dpi) if approved_image is not None else None
    out = []
    for _, i1, i2, j1, j2 in ops:
        # a side that read nothing is not looked at: the other side's place, registered,
        # says whether the ink is there. Its neighbours are no place: across a line
        # break they span two lines, and a change on the other line then counted here
        a_box = _span_box(approved, a_owner, a_pos, i1, i2) if i2 > i1 else None
        s_box = _span_box(scan, s_owner, s_pos, j1, j2) if j2 > j1 else None
        if a_box is None and s_box is None:  # no word holds it: where its neighbours are
            a_box = _span_box(approved, a_owner, a_pos, i1, i2)
            s_box = _span_box(scan, s_owner, s_pos, j1, j2)
        a_box, s_box = _line_high(a_box, a_line), _line_high(s_box, s_line)
        if numeric(a_text[i1:i2], s_text[j1:j2]):  # the whole digit, however it is cut
            a_box, s_box = _digit_room(a_box, a_line), _digit_room(s_box, s_line)
        changed, ink = True, 1.0
        if images is not None and (a_box or s_box):
            beside = [
                (
                    _part(approved, a_owner[a_pos[i]], [a_pos[i]]),
                    _part(scan, s_owner[s_pos[j]], [s_pos[j]]),
                )
                for i, j in ((i1 - 1, j1 - 1), (i2, j2))
                if 0 <= i < len(a_pos)
                and 0 <= j < len(s_pos)
                and a_owner[a_pos[i]] >= 0
                and s_owner[s_pos[j]] >= 0
            ]
            digit = _digit_for_digit(a_text[i1:i2], s_text[j1:j2])
            limit = CHANGED_DIGIT if digit else CHANGED_INK
            changed, ink = images.differ(a_box, s_box, pairs, dpi, beside, limit)
        scanned = s_text[j1:j2]
        spaced = " ".join(scan.text[s_pos[j1] : s_pos[j2 - 1] + 1].split()) if j2 > j1 else ""
        if changed and images is not None and a_box and numeric(a_text[i1:i2], scanned):
            lang = scan.lang or approved.lang or "chi_sim+eng"
            first_conf = min(
                (
                    scan.words[s_owner[s_pos[k]]].conf
                    for k in range(j1, j2)
                    if s_owner[s_pos[k]] >= 0
                ),
                default=0.0,
            )
            again = read_again(
                images.scan_image(), a_box, a_text, i1, i2, scanned, first_conf,
                lang=lang, dpi=dpi, page_size=images.approved.size,
            )  # fmt: skip
            if again is not None:
                i1, i2, scanned = again
                spaced = scanned
        out.append(Difference(i1, i2, j1, j2, scanned, changed, ink, spaced))
    return _moved(out, a_text)


#: A box taller than this many of the page's usual word heights is cut to that height
#: about its centre: Tesseract now and then draws a word's box over a fill-in line and
#: the line above it (94 px where the line is 40), and the ink of those neighbours, which
#: moved otherwise on a reflowed page, then counted as a change of the word.
TALL_BOX = 1.6


def _line_height(page: PageText) -> float:
    """The page's usual word height (the median), or 0 without words."""
    heights = sorted(w.box[3] for w in page.words if w.box[3] > 0)
    return float(heights[len(heights) // 2]) if heights else 0.0


def _line_high(box: Box | None, usual: float) -> Box | None:
    """``box`` cut to ``TALL_BOX`` usual word heights about its centre, if taller."""
    if box is None or not usual or box[3] <= TALL_BOX * usual:
        return box
    height = round(TALL_BOX * usual)
    return (box[0], box[1] + (box[3] - height) // 2, box[2], height)


#: Usual word heights a digit's place is widened by on either side (a digit is about
#: half a line high in width).
DIGIT_ROOM = 0.5


def _digit_for_digit(approved: str, scanned: str) -> bool:
    """Digits read in the scan where the approved reading has as many other digits: a
    digit is never folded into another, however little ink tells them apart."""
    digits = set("0123456789")
    return (
        bool(approved)
        and set(approved + scanned) <= digits
        and len(approved) == len(scanned)
        and approved != scanned
    )


def _digit_room(box: Box | None, usual: float) -> Box | None:
    """``box`` widened by ``DIGIT_ROOM`` usual word heights left and right.

    A difference's place is its characters' box: the CJK model's box of a one-character
    word, or the part of a longer word's box told from the characters' count
    (``_part``); either can lie a third of a digit from the digit's ink (chi_sim boxed
    the 5 of 2026年5月31日 from its middle). That date changed to 2026年8月31日 on a
    scan was judged on a crop holding the 5's and the 8's right halves alone, which
    differ little, and was taken for OCR noise (4.6% changed ink, the limit 5%; 8.5%
    with the digit whole).
    The windows stay character-sized, so more room round the digit never dilutes its
    change; it only makes sure the whole glyph is compared."""
    if box is None or not usual:
        return box
    grow = round(DIGIT_ROOM * usual)
    return (max(0, box[0] - grow), box[1], box[2] + 2 * grow, box[3])


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
        if any(_alike(gone, t) for t in added.values()):
            same.add(k)
        if any(_alike(d.scanned, t) for t in removed.values()):
            same.add(k)
    return [replace(d, changed=False) if k in same else d for k, d in enumerate(found)]


def _alike(one: str, other: str) -> bool:
    """One text inside the other, and nearly as long (a line read in another order):
    a two-character fragment read elsewhere ("20", "答复") is no reason to take a
    deleted sentence for moved."""
    short, long = sorted((one, other), key=len)
    return len(short) >= 2 and short in long and len(short) >= MOVED_SHARE * len(long)


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
    """Where characters ``start:end`` (the neighbours of an insertion point) are on the
    page: in each word holding some of them, the part of its box those characters take.

    Not the whole word: a word is often a whole amount (``¥248,546.40``), and a
    misread ``¥`` at its start must be judged on the ``¥``'s ink, not on the whole
    amount's, which differs where a digit was changed further along (the misreading
    then counted as a change too and spoilt the value shown: ``2248,546.70``)."""
    keys = range(start, end) if end > start else (start - 1, start)
    held: dict[int, list[int]] = {}
    for k in keys:
        if 0 <= k < len(pos) and owner[pos[k]] >= 0:
            held.setdefault(owner[pos[k]], []).append(pos[k])
    boxes = [_part(page, index, chars) for index, chars in held.items()]
    if not boxes:
        return None
    left = min(b[0] for b in boxes)
    top = min(b[1] for b in boxes)
    right = max(b[0] + b[2] for b in boxes)
    bottom = max(b[1] + b[3] for b in boxes)
    return (left, top, right - left, bottom - top)


def _part(page: PageText, index: int, chars: list[int]) -> Box:
    """The part of word ``index``'s box that its characters at page-text positions
    ``chars`` take, by their widths (a CJK character twice a Latin one), with one
    narrow character more on each side for the estimate's error."""
    import unicodedata

    word = page.words[index]
    text = page.text[word.start : word.end]
    widths = [2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text]
    total = sum(widths)
    if not total or len(chars) >= len(text):
        return word.box
    first, last = min(chars) - word.start, max(chars) - word.start
    unit = word.box[2] / total
    left = max(0.0, (sum(widths[:first]) - 1) * unit)
    right = min(float(word.box[2]), (sum(widths[: last + 1]) + 1) * unit)
    return (word.box[0] + round(left), word.box[1], max(1, round(right - left)), word.box[3])


class _Images:
    """The two page images, opened once, the scan corrected as its reading was."""

    def __init__(
        self,
        approved_image: Path,
        scan: PageText,
        pairs: list[tuple[float, float, float, float]],
        dpi: int = 300,
    ) -> None:
        from PIL import Image

        with Image.open(approved_image) as image:
            if image.format == "JPEG":
                image.draft("L", image.size)  # its luma only: no colour decoded, then dropped
            self.approved = image.convert("L")
        self.scan_page = scan
        self._scan: RegisteredScan | None = None
        self.affine = _fit(pairs, dpi)

    def scan_image(self) -> RegisteredScan:
        """The scan registered to the approved page, made region by region (``warp``)."""
        if self._scan is None:
            assert self.scan_page.image is not None
            self._scan = RegisteredScan(
                self.scan_page.image,
                self.scan_page.rotation_applied,
                self.scan_page.skew_degrees,
                self.affine,
                self.approved.size,
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
        beside: Sequence[tuple[Box, Box]] = (),
        limit: float = CHANGED_INK,
    ) -> tuple[bool, float]:
        """Do the pages differ in the region of a difference? (changed, worst ink share)

        First at the same place on both pages: on a page where nothing moved that is
        right whatever the readings made of it. Where it differs there, the text may
        have moved (a sentence deleted above moves every line after it up): the two
        readings' places of its characters (or, when one side read nothing, of the
        characters both read alike just before and after it, ``beside``, when both
        moved alike) say by how much, and it is a change only if the ink differs there
        too. OCR noise in moved text is then no change, and a garbled reading's places,
        which say nothing, cannot make an unmoved page differ. ``limit``: the share of
        changed ink above which it differs (``CHANGED_INK``, or ``CHANGED_DIGIT``)."""
        boxes = [b for b in (a_box,) if b is not None]
        base = (0, 0)
        search = max(3, round(SEARCH * dpi / 300))
        moved: list[Box] = []
        if s_box is not None:
            x0, y0 = self.to_approved(s_box[0], s_box[1])
            x1, y1 = self.to_approved(s_box[0] + s_box[2], s_box[1] + s_box[3])
            mapped = (round(x0), round(y0), round(x1 - x0), round(y1 - y0))
            boxes.append(mapped)
            if a_box is not None:
                base = _centre_offset(a_box, mapped, far=2 * search)
                shifted = (mapped[0] - base[0], mapped[1] - base[1], mapped[2], mapped[3])
                moved = [a_box, shifted]
            elif beside:  # read in the scan only: where it would have been before the move
                base = self._moved_by(beside, far=2 * search)
                moved = [(mapped[0] - base[0], mapped[1] - base[1], mapped[2], mapped[3])]
        elif beside and a_box is not None:
            base = self._moved_by(beside, far=2 * search)
            moved = [a_box]
        share = self._share(boxes, (0, 0), search, dpi)
        if share > limit and base != (0, 0):
            share = min(share, self._share(moved, base, search, dpi))
        return share > limit, share

    def _share(self, boxes: Sequence[Box], base: tuple[int, int], search: int, dpi: int) -> float:
        """The worst window's share of changed ink in the region round ``boxes``,
        looked for ``base`` away in the scan."""
        import numpy as np

        pad = max(4, round(dpi / 50))
        left = min(b[0] for b in boxes) - pad
        top = min(b[1] for b in boxes) - pad
        right = max(b[0] + b[2] for b in boxes) + pad
        bottom = max(b[1] + b[3] for b in boxes) + pad
        width, height = self.approved.size
        left, top = max(0, left), max(0, top)
        right, bottom = min(width, right), min(height, bottom)
        if right <= left or bottom <= top:
            return 1.01
        if (right - left) * (bottom - top) > MAX_REGION * width * height:
            return 1.02
        approved = np.asarray(self.approved.crop((left, top, right, bottom))) < INK_LEVEL
        scan_image = self.scan_image()
        dx, dy = self._local_shift(scan_image, (left, top, right, bottom), dpi, base)
        box = (left + dx - search, top + dy - search, right + dx + search, bottom + dy + search)
        grey = np.asarray(scan_image.crop(box))
        scanned = grey < INK_LEVEL
        seal = scan_image.red(box)
        if seal is not None:
            seal = dilate(seal, max(1, round(dpi / 100)))
        return best_share(approved, scanned, search, dpi, seal, grey < PRESENT_LEVEL)

    def _moved_by(self, beside: Sequence[tuple[Box, Box]], *, far: int) -> tuple[int, int]:
        """How far the neighbours' text lies from its approved place in the registered
        scan, when they agree (both moved alike); else nothing."""
        found = []
        for a_box, s_box in beside:
            x0, y0 = self.to_approved(s_box[0], s_box[1])
            x1, y1 = self.to_approved(s_box[0] + s_box[2], s_box[1] + s_box[3])
            mapped = (round(x0), round(y0), round(x1 - x0), round(y1 - y0))
            found.append(_centre_offset(a_box, mapped, far=far))
        (dx, dy), *rest = found
        if all(abs(x - dx) < far and abs(y - dy) < far for x, y in rest):
            return dx, dy
        return 0, 0

    def _local_shift(
        self,
        scan_image: RegisteredScan,
        region: tuple[int, int, int, int],
        dpi: int,
        base: tuple[int, int] = (0, 0),
    ) -> tuple[int, int]:
        """Where the region's neighbourhood (``CONTEXT`` inch round it: lines above and
        below that agree) lies in the registered scan, as a shift of at most
        ``MAX_SHIFT`` inch: the peak of the two ink images' cross-correlation.

        The affine fit rests on word boxes, a few pixels off each, and on no word at all
        where a reading garbled a line, so far from good anchors it can be off by more
        than the windows' search; the ink itself says where the text is."""
        import numpy as np

        context, limit = round(CONTEXT * dpi), round(MAX_SHIFT * dpi)
        if base != (0, 0):  # told from boxes, a character or so off: look further
            limit += round(MOVED_SEARCH * dpi)
        width, height = self.approved.size
        left, top, right, bottom = region
        box = (
            max(0, left - context),
            max(0, top - context),
            min(width, right + context),
            min(height, bottom + context),
        )
        a = (np.asarray(self.approved.crop(box)) < INK_LEVEL).astype(np.float32)
        moved = (box[0] + base[0], box[1] + base[1], box[2] + base[0], box[3] + base[1])
        s = (np.asarray(scan_image.crop(moved)) < INK_LEVEL).astype(np.float32)
        if a.sum() < 50 or s.sum() < 50:
            return base
        # sizes whose only prime factors are 2, 3 and 5: pocketfft is several times
        # slower on a size with a large prime factor
        shape = (fast_size(a.shape[0] + limit), fast_size(a.shape[1] + limit))
        corr = np.fft.irfft2(
            np.conj(np.fft.rfft2(a, shape)) * np.fft.rfft2(s, shape), shape
        )  # corr[dy, dx] = sum a[y, x] * s[y + dy, x + dx], negative shifts wrapped
        rows = np.r_[0 : limit + 1, shape[0] - limit : shape[0]]
        cols = np.r_[0 : limit + 1, shape[1] - limit : shape[1]]
        near = corr[np.ix_(rows, cols)]
        y, x = np.unravel_index(int(np.argmax(near)), near.shape)
        dy, dx = int(rows[y]), int(cols[x])
        dy = dy - shape[0] if dy > limit else dy
        dx = dx - shape[1] if dx > limit else dx
        return base[0] + dx, base[1] + dy


def _centre_offset(a: Box, b: Box, *, far: int) -> tuple[int, int]:
    """How far box ``b``'s centre lies from box ``a``'s, when it is ``far`` or more on
    either axis (else none: two readings' boxes of the same place differ by a few
    pixels, which the local shift finds better)."""
    dx = round(b[0] + b[2] / 2 - a[0] - a[2] / 2)
    dy = round(b[1] + b[3] / 2 - a[1] - a[3] / 2)
    return (dx, dy) if abs(dx) >= far or abs(dy) >= far else (0, 0)


def _fit(pairs: list[tuple[float, float, float, float]], dpi: int = 300) -> tuple[float, ...]:
    """The affine map from approved to scan pixels that the anchor words agree on.

    Many anchors can be wrong: a filler repeated on every line ("按双方约定执行") pairs
    one line's words with another's wherever a reading dropped or garbled text, and a
    least-squares fit over them all came out 11% short on one axis. So the map is
    found by consensus first (RANSAC over pairs of anchors, a rotation, scale and shift
    as paper goes through a scanner, deterministic), then fitted as an affine map by
    least squares to the anchors within ``dpi / 30`` pixels of it, twice.
    """
    import numpy as np

    if len(pairs) < 4:
        if pairs:
            dx = sorted(p[2] - p[0] for p in pairs)[len(pairs) // 2]
            dy = sorted(p[3] - p[1] for p in pairs)[len(pairs) // 2]
            return (1.0, 0.0, dx, 0.0, 1.0, dy)
        return (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
    points = np.array(pairs, dtype=np.float64)
    tolerance = max(6.0, dpi / 30)
    keep = _consensus(points, tolerance)
    coef_x = coef_y = np.zeros(3)
    full = np.column_stack([points[:, 0], points[:, 1], np.ones(len(points))])
    for _ in range(2):
        design = full[keep]
        coef_x = np.linalg.lstsq(design, points[keep, 2], rcond=None)[0]
        coef_y = np.linalg.lstsq(design, points[keep, 3], rcond=None)[0]
        error = np.hypot(full @ coef_x - points[:, 2], full @ coef_y - points[:, 3])
        nearer = error <= tolerance
        if nearer.sum() < 4:
            break
        keep = nearer
    return (*(float(v) for v in coef_x), *(float(v) for v in coef_y))


def _consensus(points: NDArray[np.float64], tolerance: float) -> NDArray[np.bool_]:
    """The anchors that agree with the similarity map (rotation, uniform scale, shift)
    most anchors agree with: tried from pairs of anchors far enough apart."""
    import numpy as np

    rng = np.random.default_rng(0)
    count = len(points)
    a = points[:, 0] + 1j * points[:, 1]
    s = points[:, 2] + 1j * points[:, 3]
    best = np.ones(count, dtype=bool)
    best_count = -1
    tries = min(300, count * (count - 1) // 2)
    for _ in range(tries):
        i, k = rng.choice(count, size=2, replace=False)
        span = a[k] - a[i]
        if abs(span) < 20 * tolerance:
            continue
        m = (s[k] - s[i]) / span
        if not 0.85 <= abs(m) <= 1.15:
            continue
        inliers = np.abs(m * (a - a[i]) + s[i] - s) <= tolerance
        n = int(inliers.sum())
        if n > best_count:
            best, best_count = inliers, n
    if best_count < 4:
        return np.ones(count, dtype=bool)
    return best
