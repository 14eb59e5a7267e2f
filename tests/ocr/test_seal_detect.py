"""Red seal detection: it fires on the seals contractctl draws into signed PDFs (drawn by
contractctl.signing.seal's own stamp styles through pyHanko, rendered by Poppler), on the same
seal after a degrading scan and on a rubber-stamped scan; it stays quiet on black text,
on a grey scan of a sealed page and on small red marks.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from contractctl.errors import InvalidInput
from contractctl.ocr import find_red_seals, scan_pages, simulate_scan
from tests.ocr_samples import EN_LINES, pdf_bytes_of, save_image, save_pdf, text_page

#: Where the seal goes: lower-left corner in PDF points (the page is A4, 595 x 842).
SEAL_AT = (380.0, 120.0)


def _sealed_pdf(path: Path, *, kind: str, name: str) -> Path:
    """A text page with a seal stamped exactly as `sign --seal auto` draws it."""
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    from contractctl.signing.seal import seal_size, stamp_style

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes_of([text_page(EN_LINES)])), strict=False)
    size = seal_size(kind)
    style = stamp_style("auto", kind=kind, name=name)
    stamp = style.create_stamp(writer, layout.BoxConstraints(width=size, height=size), {})
    assert stamp is not None
    stamp.apply(0, round(SEAL_AT[0]), round(SEAL_AT[1]))
    out = io.BytesIO()
    writer.write(out)
    path.write_bytes(out.getvalue())
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("seal")


@pytest.fixture(scope="module")
def company_pdf(folder: Path) -> Path:
    return _sealed_pdf(folder / "company.pdf", kind="organisation", name="示例科技有限公司")


@pytest.fixture(scope="module")
def company_page(company_pdf: Path, folder: Path) -> Path:
    [page] = scan_pages(company_pdf, folder / "company", dpi=100)
    return page


def test_our_round_company_seal_is_found_where_it_was_drawn(company_page: Path) -> None:
    [seal] = find_red_seals(company_page)
    assert seal.shape == "round"
    scale = 100 / 72  # pixels per point
    left, top, width, height = seal.box
    assert left == pytest.approx(SEAL_AT[0] * scale, abs=8)
    assert top == pytest.approx((842 - SEAL_AT[1] - 113) * scale, abs=8)
    assert width == pytest.approx(113 * scale, abs=10) and height == pytest.approx(width, abs=6)
    x0, y0, x1, y1 = seal.rel
    assert 0.6 < x0 < x1 < 0.9 and 0.6 < y0 < y1 < 0.95
    assert seal.red_pixels > 1500


def test_our_square_personal_seal_is_found_as_square(folder: Path) -> None:
    pdf = _sealed_pdf(folder / "person.pdf", kind="person", name="李雷")
    [page] = scan_pages(pdf, folder / "person", dpi=100)
    [seal] = find_red_seals(page)
    assert seal.shape == "square"


def test_the_seal_survives_a_degrading_scan(company_pdf: Path, folder: Path) -> None:
    scan = simulate_scan(
        company_pdf,
        folder / "company-scan.pdf",
        dpi=150,
        rotation=1.8,
        noise=10,
        blur=1.0,
        jpeg_quality=40,
        scale=0.97,
        seed=5,
    )
    [page] = scan_pages(scan, folder / "scanned", dpi=150)
    [seal] = find_red_seals(page)
    assert seal.shape == "round"
    assert 0.6 < seal.centre[0] < 0.9 and 0.7 < seal.centre[1] < 0.9


def test_a_rubber_stamped_scan_is_found(folder: Path) -> None:
    source = save_pdf([text_page(EN_LINES)], folder / "plain.pdf")
    scan = simulate_scan(
        source,
        folder / "stamped.pdf",
        dpi=150,
        noise=8,
        blur=0.8,
        jpeg_quality=45,
        seed=2,
        stamp_seal_on_last_page=True,
    )
    [page] = scan_pages(scan, folder / "stamped", dpi=150)
    [seal] = find_red_seals(page)
    assert seal.shape == "round"
    # no "甲方（盖章）" line on this page: the seal goes bottom right, as `sign` would put it
    assert seal.centre[0] > 0.6 and seal.centre[1] > 0.7


def test_the_region_keeps_only_seals_where_one_is_expected(company_page: Path) -> None:
    assert find_red_seals(company_page, region=(0.0, 0.0, 0.5, 0.5)) == []
    assert len(find_red_seals(company_page, region=(0.5, 0.5, 1.0, 1.0))) == 1
    with pytest.raises(InvalidInput, match="seal region"):
        find_red_seals(company_page, region=(0.5, 0.0, 0.2, 1.0))


def test_black_text_finds_nothing(folder: Path) -> None:
    page = save_image(text_page(EN_LINES, font_px=60), folder / "black.jpg", quality=40)
    assert find_red_seals(page) == []


def test_a_grey_scan_of_a_sealed_page_finds_nothing(company_page: Path, folder: Path) -> None:
    from PIL import Image

    with Image.open(company_page) as image:
        grey = image.convert("L").convert("RGB")
    path = save_image(grey, folder / "grey.jpg", quality=60)
    assert find_red_seals(path) == []


def test_small_red_marks_are_not_seals(folder: Path) -> None:
    from PIL import ImageDraw

    from tests.ocr_samples import font

    page = text_page(EN_LINES)
    draw = ImageDraw.Draw(page)
    red = (210, 20, 30)
    draw.line([(900, 300), (915, 318), (945, 270)], fill=red, width=5)  # a tick
    draw.line([(110, 520), (900, 520)], fill=red, width=4)  # an underline
    draw.text((110, 1400), "CONFIDENTIAL DRAFT", font=font(44), fill=red)
    draw.text((600, 1650), "- 3 -", font=font(30), fill=red)
    draw.ellipse((1000, 1500, 1040, 1540), outline=red, width=4)  # a small circle
    path = save_image(page, folder / "marks.jpg", quality=60)
    assert find_red_seals(path) == []


def test_a_file_that_is_not_an_image_is_bad_input(folder: Path) -> None:
    notes = folder / "notes.txt"
    notes.write_text("not an image", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not an image"):
        find_red_seals(notes)


def test_the_red_areas_of_a_colour_photo_are_not_seals(folder: Path) -> None:
    import numpy as np
    from PIL import Image, ImageFilter

    noise = np.random.default_rng(1).integers(0, 256, (175, 124, 3), dtype=np.uint8)
    photo = Image.fromarray(noise, "RGB").resize((1240, 1754), Image.Resampling.BICUBIC)
    path = save_image(photo.filter(ImageFilter.GaussianBlur(3)), folder / "photo.jpg")
    assert find_red_seals(path) == []
