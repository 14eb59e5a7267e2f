"""The check's image side: a scan page turned straight and registered to its approved
page in one resampling lands where the two steps (straighten, then register) put it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from contractctl.ocr import deskew
from contractctl.ocr.ink import fast_size as _fast_size


def _page() -> Image.Image:
    """A page of ruled lines and blocks: ink whose place is easy to check."""
    page = Image.new("RGB", (850, 1100), "white")
    draw = ImageDraw.Draw(page)
    for y in range(100, 1000, 60):
        draw.rectangle((80, y, 760, y + 18), fill="black")
    draw.rectangle((300, 500, 420, 620), fill="black")
    return page


def test_straightening_and_registering_in_one_step_matches_the_two_steps() -> None:
    scan = _page().rotate(1.3, resample=Image.Resampling.BILINEAR, fillcolor="white")
    skew = 1.3
    register = (1.01, 0.002, -6.0, -0.003, 0.99, 9.0)  # approved pixels -> straight scan
    straight = deskew.correct(scan, 0, skew, fill=(255, 255, 255)).convert("L")
    two_steps = straight.transform(
        (850, 1100), Image.Transform.AFFINE, register, Image.Resampling.BILINEAR, fillcolor=255
    )
    one = scan.convert("L").transform(
        (850, 1100),
        Image.Transform.AFFINE,
        deskew.skew_affine(scan.size, skew, register),
        Image.Resampling.BILINEAR,
        fillcolor=255,
    )
    a = np.asarray(two_steps) < 150
    b = np.asarray(one) < 150
    # the same ink, up to the edges one resampling blurs less than two
    assert (a ^ b).sum() < 0.02 * a.sum()


def test_a_page_turned_upside_down_then_straightened_in_one_step() -> None:
    upside = _page().rotate(180)
    turned = deskew.turned(upside, 180)
    assert np.array_equal(np.asarray(turned), np.asarray(_page()))
    # no skew: the registration alone
    assert deskew.skew_affine(turned.size, 0.0, (1, 0, 5, 0, 1, 7)) == (1, 0, 5, 0, 1, 7)


def test_fft_sizes_have_only_small_prime_factors() -> None:
    for n in (1, 7, 97, 211, 257, 1031, 2477):
        size = _fast_size(n)
        assert size >= n
        rest = size
        for p in (2, 3, 5):
            while rest % p == 0:
                rest //= p
        assert rest == 1
        assert size < 1.25 * n + 2


def test_a_misread_sign_is_judged_on_its_own_ink_not_on_the_whole_amount() -> None:
    from contractctl.ocr.model import PageText, Word
    from contractctl.ocr.registered import _span_box

    text = "合计 ¥248,546.40"
    words = (
        Word("合计", 95.0, (100, 50, 60, 30), (1, 1, 1), 0, 2),
        Word("¥248,546.40", 90.0, (200, 50, 220, 30), (1, 1, 1), 3, 14),
    )
    page = PageText(1, words, text, 92.0, 0, 0.0, None, 1000, 1000)
    owner = [-1] * len(text)
    for index, word in enumerate(words):
        for k in range(word.start, word.end):
            owner[k] = index
    pos = [k for k, ch in enumerate(text) if not ch.isspace()]  # the squashed reading
    sign = pos.index(3)
    box = _span_box(page, owner, pos, sign, sign + 1)
    assert box is not None
    left, _, width, _ = box
    assert left == 200 and width <= 45  # the sign and a character's margin, not 220 px
    digit = pos.index(12)  # the "4" of ".40"
    box = _span_box(page, owner, pos, digit, digit + 1)
    assert box is not None
    left, _, width, _ = box
    assert left >= 340 and left + width <= 420
    # a CJK word: each character twice as wide as a digit
    whole = _span_box(page, owner, pos, 0, 2)
    assert whole == (100, 50, 60, 30)


def test_a_changed_number_read_with_lookalikes_is_named_by_its_digits() -> None:
    from contractctl.ocr.project import _as_number

    assert _as_number("]1") == "11"  # 4月]1日: the day changed to 11
    assert _as_number("_8") == "8"  # a digit written on a fill-in line
    assert _as_number("1O,000.00") == "10,000.00"
    # words and anything but a number are left as read
    assert _as_number("Il") == "Il"
    assert _as_number("l0 days") == "l0 days"
    assert _as_number("¥1O") == "¥1O"
    assert _as_number("第]1条") == "第]1条"


def test_an_added_sentence_is_shown_with_the_scans_word_spaces() -> None:
    """The readings are compared without spaces; what the scan added is shown with its
    own word spaces (none beside Chinese characters, where OCR puts spaces print has
    not), misreadings turned back as before."""
    from contractctl.ocr.project import Projection
    from contractctl.ocr.registered import Difference

    approved = "Term.\nThis MNDA ends in 2 years."
    page = Projection(approved, approved)
    at = len("Term.")
    added = "The Receiving Party shall pay USD 50,000."
    squashed = added.replace(" ", "")
    d = Difference(at, at, 0, len(squashed), squashed, True, 0.3, added)
    shown = page.apply([d], {})
    assert shown.startswith("Term.\n") and shown.endswith("This MNDA ends in 2 years.")
    assert "The Receiving Party shall pay USD 50,000." in shown
    zh = Projection("第一条 付款", "第一条 付款")
    d = Difference(3, 3, 0, 6, "甲方应于3日", True, 0.3, "甲方 应于 3 日")
    assert "甲方应于3日" in zh.apply([d], {})


def test_a_region_registered_alone_is_the_whole_page_registered_then_cut(tmp_path: Path) -> None:
    """The check registers only the regions it looks at; each must hold the pixels the
    whole page's registration gives there, red ink (a seal) dropped and masked alike,
    paper where a region leaves the page."""
    from contractctl.ocr.pipeline import drop_red
    from contractctl.ocr.seal_detect import red_mask
    from contractctl.ocr.warp import RegisteredScan

    page = _page()
    ImageDraw.Draw(page).ellipse((500, 300, 700, 500), outline=(220, 30, 40), width=8)
    scan = page.rotate(0.9, resample=Image.Resampling.BILINEAR, fillcolor="white")
    path = tmp_path / "scan.png"
    scan.save(path)
    skew, register = 0.9, (1.01, 0.002, -6.0, -0.003, 0.99, 9.0)
    affine = deskew.skew_affine(scan.size, skew, register)
    whole = drop_red(scan).transform(
        (850, 1100), Image.Transform.AFFINE, affine, Image.Resampling.BILINEAR, fillcolor=255
    )
    red = Image.fromarray(red_mask(np.asarray(scan)).astype(np.uint8) * 255)
    whole_red = np.asarray(
        red.transform((850, 1100), Image.Transform.AFFINE, affine, Image.Resampling.BILINEAR)
    )
    registered = RegisteredScan(path, 0, skew, register, (850, 1100))
    boxes = [(90, 95, 400, 160), (480, 280, 720, 520), (-30, -20, 120, 90), (800, 1050, 900, 1150)]
    for left, top, right, bottom in boxes:
        inside = (max(0, left), max(0, top), min(850, right), min(1100, bottom))
        expected = np.full((bottom - top, right - left), 255, dtype=np.uint8)
        cut = np.asarray(whole.crop(inside))
        expected[inside[1] - top : inside[3] - top, inside[0] - left : inside[2] - left] = cut
        assert np.array_equal(np.asarray(registered.crop((left, top, right, bottom))), expected)
        mask = registered.red((left, top, right, bottom))
        want = np.zeros_like(expected, dtype=bool)
        want[inside[1] - top : inside[3] - top, inside[0] - left : inside[2] - left] = (
            whole_red[inside[1] : inside[3], inside[0] : inside[2]] > 0
        )
        assert (mask is None and not want.any()) or np.array_equal(mask, want)
    assert registered.red((480, 280, 720, 520)) is not None  # the seal's ring is there
    assert registered.red((90, 95, 400, 160)) is None


def test_a_word_box_over_two_lines_is_judged_on_its_own_line() -> None:
    """Tesseract now and then draws a word's box over the fill-in line below it and
    the line above (94 px where the page's words are 40): the ink judged is its own
    line's, cut about the box's centre, not its neighbours' (which moved on a page a
    deleted sentence reflowed)."""
    from contractctl.ocr.registered import _line_high

    assert _line_high((1079, 1983, 24, 94), 40.0) == (1079, 1998, 24, 64)
    assert _line_high((10, 20, 30, 44), 40.0) == (10, 20, 30, 44)  # a line's own height
    assert _line_high(None, 40.0) is None
