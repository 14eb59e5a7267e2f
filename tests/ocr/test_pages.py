"""A scan becomes page image files: PDFs through Poppler, PNG/JPEG/TIFF frame by frame,
and every kind of bad input is one clear error with its exit code.

Real Poppler (pdfinfo, pdftocairo through pdf2image); no OCR here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from contractctl.errors import InvalidInput, NotFound, ToolMissing
from contractctl.ocr import page_count, scan_pages
from tests.ocr_samples import EN_LINES, save_image, save_pdf, text_page


@pytest.fixture(scope="module")
def two_page_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pages")
    first = text_page(EN_LINES[:3])
    second = text_page(EN_LINES[3:6], font_px=40)
    return save_pdf([first, second], folder / "scan.pdf")


def _size(path: Path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as image:
        return image.size


def _mode(path: Path) -> str:
    from PIL import Image

    with Image.open(path) as image:
        return image.mode


def test_a_pdf_becomes_one_colour_jpeg_per_page_at_the_dpi(
    two_page_pdf: Path, tmp_path: Path
) -> None:
    pages = scan_pages(two_page_pdf, tmp_path / "work", dpi=100)
    assert [p.name for p in pages] == ["page-0001.jpg", "page-0002.jpg"]
    # A4 at 100 dpi; colour kept (seal detection needs it)
    assert _size(pages[0]) == pytest.approx((827, 1169), abs=2)
    assert _mode(pages[0]) == "RGB"
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == [p.name for p in pages]
    assert page_count(two_page_pdf) == 2


def test_a_page_range_rasterises_only_those_pages(two_page_pdf: Path, tmp_path: Path) -> None:
    pages = scan_pages(two_page_pdf, tmp_path, dpi=72, first_page=2, last_page=2)
    assert [p.name for p in pages] == ["page-0002.jpg"]
    with pytest.raises(InvalidInput, match=r"pages 3-3: the scan has 2 page"):
        scan_pages(two_page_pdf, tmp_path, dpi=72, first_page=3, last_page=3)


def test_a_multi_page_tiff_gives_each_frame_in_order(tmp_path: Path) -> None:
    from PIL import Image

    frames = [
        text_page(["first"], size=(400, 300)),
        text_page(["second"], size=(500, 300)).convert("L"),
        text_page(["third"], size=(600, 300)).convert("1"),  # fax-style 1-bit
    ]
    tiff = tmp_path / "scan.tiff"
    frames[0].save(tiff, save_all=True, append_images=frames[1:], compression="tiff_lzw")
    pages = scan_pages(tiff, tmp_path / "work")
    assert [p.name for p in pages] == ["page-0001.png", "page-0002.png", "page-0003.png"]
    assert [_size(p) for p in pages] == [(400, 300), (500, 300), (600, 300)]
    assert page_count(tiff) == 3
    with Image.open(pages[2]) as third:
        assert third.mode == "1"


def test_a_jpeg_is_one_page_copied_as_it_is(tmp_path: Path) -> None:
    jpeg = save_image(text_page(EN_LINES[:2]), tmp_path / "photo.jpg", quality=80)
    [page] = scan_pages(jpeg, tmp_path / "work")
    assert page.name == "page-0001.jpg"
    assert page.read_bytes() == jpeg.read_bytes()


def test_a_damaged_pdf_is_bad_input(two_page_pdf: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(two_page_pdf.read_bytes()[:400])
    with pytest.raises(InvalidInput, match="not a readable PDF") as caught:
        scan_pages(truncated, tmp_path / "work")
    assert caught.value.exit_code == 2
    assert "\n" not in caught.value.message


def test_an_encrypted_pdf_says_so(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("secret")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(InvalidInput, match="encrypted"):
        scan_pages(locked, tmp_path / "work")


def test_a_pdf_without_pages_is_bad_input(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    empty = tmp_path / "empty.pdf"
    with empty.open("wb") as fh:
        PdfWriter().write(fh)
    with pytest.raises(InvalidInput, match="has no pages"):
        scan_pages(empty, tmp_path / "work")


def test_a_file_that_is_not_an_image_or_pdf_is_bad_input(tmp_path: Path) -> None:
    notes = tmp_path / "contract.txt"
    notes.write_text("This is not a scan.\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not a PDF or an image") as caught:
        scan_pages(notes, tmp_path / "work")
    assert caught.value.exit_code == 2


def test_a_small_image_that_would_inflate_to_gigabytes_is_refused(tmp_path: Path) -> None:
    """A 280 KB PNG claiming 40000 x 40000 pixels: refused before it is decoded."""
    from PIL import Image

    bomb = tmp_path / "scan.png"
    Image.new("1", (40_000, 40_000), 1).save(bomb, optimize=True)
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(InvalidInput, match="refused as a decompression bomb"):
        page_count(bomb)
    with pytest.raises(InvalidInput, match="refused as a decompression bomb"):
        scan_pages(bomb, tmp_path / "work")


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        scan_pages(tmp_path / "nowhere.pdf", tmp_path / "work")
    empty = tmp_path / "empty.png"
    empty.touch()
    with pytest.raises(InvalidInput, match="the file is empty"):
        scan_pages(empty, tmp_path / "work")


def test_a_dpi_out_of_range_is_refused(two_page_pdf: Path, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="--dpi 20"):
        scan_pages(two_page_pdf, tmp_path, dpi=20)


def test_without_poppler_the_error_names_poppler_utils(
    two_page_pdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare = tmp_path / "bin"
    bare.mkdir()
    monkeypatch.setenv("PATH", str(bare))
    with pytest.raises(ToolMissing, match="pdfinfo") as caught:
        scan_pages(two_page_pdf, tmp_path / "work")
    assert caught.value.exit_code == 4
    assert "poppler-utils" in (caught.value.hint or "")


def test_pdftocairo_missing_alone_is_named(
    two_page_pdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    bare = tmp_path / "bin"
    bare.mkdir()
    pdfinfo = shutil.which("pdfinfo")
    assert pdfinfo is not None
    os.symlink(pdfinfo, bare / "pdfinfo")
    monkeypatch.setenv("PATH", str(bare))
    with pytest.raises(ToolMissing, match="pdftocairo") as caught:
        scan_pages(two_page_pdf, tmp_path / "work")
    assert "poppler-utils" in (caught.value.hint or "")


def _stored_jpegs(pdf: Path) -> list[bytes]:
    """The JPEG streams the PDF draws its pages with, as stored."""
    from pypdf import PdfReader

    found = []
    for page in PdfReader(pdf).pages:
        [image] = page["/Resources"]["/XObject"].values()
        found.append(image.get_object().get_data())  # a DCT stream is not decoded
    return found


def test_a_scan_at_the_asked_resolution_gives_its_own_jpeg_untouched(
    two_page_pdf: Path, tmp_path: Path
) -> None:
    """A scanned page is one JPEG over the whole page: that JPEG is the page image,
    with no second decoding, scaling and JPEG loss (and no pdftocairo run)."""
    from tests.ocr_samples import DPI

    pages = scan_pages(two_page_pdf, tmp_path / "work", dpi=DPI)
    assert [p.read_bytes() for p in pages] == _stored_jpegs(two_page_pdf)
    assert _size(pages[0]) == (1240, 1754)
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == [p.name for p in pages]


def test_a_scan_at_another_resolution_is_rendered_at_the_asked_one(
    two_page_pdf: Path, tmp_path: Path
) -> None:
    [page] = scan_pages(two_page_pdf, tmp_path, dpi=100, first_page=1, last_page=1)
    assert _size(page) == pytest.approx((827, 1169), abs=2)


def test_a_page_with_more_than_its_scan_is_rendered_whole(
    two_page_pdf: Path, tmp_path: Path
) -> None:
    """A turned page, or one with a note (an annotation) over the scan, is drawn as a
    reader sees it: the stored JPEG alone would lose the turn or the note."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import FreeText

    from tests.ocr_samples import DPI

    writer = PdfWriter(clone_from=PdfReader(two_page_pdf))
    writer.pages[0].rotate(90)
    writer.add_annotation(1, FreeText(text="PAID", rect=(50, 50, 200, 100)))
    edited = tmp_path / "edited.pdf"
    writer.write(edited)
    turned, annotated = scan_pages(edited, tmp_path / "work", dpi=DPI)
    stored = _stored_jpegs(two_page_pdf)
    assert _size(turned) == pytest.approx((1754, 1240), abs=2)
    assert annotated.read_bytes() != stored[1]
    assert _size(annotated) == pytest.approx((1240, 1754), abs=2)


def test_pages_taken_on_many_threads_at_once_are_each_right(
    two_page_pdf: Path, tmp_path: Path
) -> None:
    """PDFium is one call at a time per process; the OCR threads take pages together."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.ocr_samples import DPI

    stored = _stored_jpegs(two_page_pdf)

    def take(index: int) -> bool:
        number = index % 2 + 1
        folder = tmp_path / f"t{index}"
        [page] = scan_pages(two_page_pdf, folder, dpi=DPI, first_page=number, last_page=number)
        return page.read_bytes() == stored[number - 1]

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(take, range(32)))
