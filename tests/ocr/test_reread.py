"""A changed number is named with the value the paper shows: where the page's reading
lost a digit (`4月11日` read `4月1日`), the line is read again alone before the value
is named; a second reading never makes or removes a difference."""

from __future__ import annotations

import pytest

from contractctl.ocr.reread import numeric, read_again
from contractctl.ocr.warp import RegisteredScan
from tests.ocr_samples import DPI, save_image, text_page

LINE = "定作人在2025年4月11日前向承揽人预付材料款"
APPROVED = "第十二条定作人在2025年4月8日前向承揽人预付材料款"
AT = APPROVED.index("8")


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> RegisteredScan:
    page = text_page([LINE], font_px=34, top=200, left=110)
    path = save_image(page, tmp_path_factory.mktemp("reread") / "page.png")
    return RegisteredScan(path, 0, 0.0, (1, 0, 0, 0, 1, 0), page.size)


def _box_of_eight() -> tuple[int, int, int, int]:
    """Where the approved page's `8` is: after `定作人在2025年4月` on the line."""
    from tests.ocr_samples import font

    left = 110 + round(font(34).getlength("定作人在2025年4月"))
    return (left, 200, 24, 44)


def test_a_digit_the_first_reading_lost_is_read_again_from_the_line(
    scan: RegisteredScan,
) -> None:
    again = read_again(
        scan, _box_of_eight(), APPROVED, AT, AT + 1, "1", 40.0,
        lang="chi_sim", dpi=DPI, page_size=(1240, 1754),
    )  # fmt: skip
    assert again == (AT, AT + 1, "11")


def test_the_first_reading_stands_when_it_was_surer(scan: RegisteredScan) -> None:
    again = read_again(
        scan, _box_of_eight(), APPROVED, AT, AT + 1, "1", 100.0,
        lang="chi_sim", dpi=DPI, page_size=(1240, 1754),
    )  # fmt: skip
    assert again is None


def test_a_second_reading_that_sees_the_approved_text_is_not_taken(
    scan: RegisteredScan,
) -> None:
    """Approved `11` where the first reading read `1`: the line says `11`, no change to
    name there, so the first reading's value stays (the ink decided the difference)."""
    approved = APPROVED.replace("8", "11")
    again = read_again(
        scan, _box_of_eight(), approved, AT, AT + 2, "1", 0.0,
        lang="chi_sim", dpi=DPI, page_size=(1240, 1754),
    )  # fmt: skip
    assert again is None


def test_only_numbers_are_read_again() -> None:
    assert numeric("8", "11")
    assert not numeric("甲方", "乙方")
    assert numeric("", "2025年")
