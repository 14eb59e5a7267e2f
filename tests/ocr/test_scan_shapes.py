"""An archive's scans come in every shape; each reads at least as well as Tesseract by hand.

The story: a legal-ops engineer imports a drawer of old scans. A small 1-bit fax, a
two-colour print, a one-line slip, a two-column page, a Chinese/English contract set
side by side, a page fed upside down. Tesseract run by hand reads most of them; the
import must never read one worse (it used to read the first three as blank or
sideways, glue the columns line by line and keep the upside-down page as garbage).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contractctl.ocr import ocr_pages
from contractctl.ocr.regions import AUTO
from tests.ocr_samples import similarity
from tests.scan_samples import Sample, make_samples, raw_reading


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Sample]:
    return {s.name: s for s in make_samples(tmp_path_factory.mktemp("scans"))}


def _import_reading(sample: Sample) -> tuple[float, str]:
    """How the import reads the page: language chosen per column, columns kept apart."""
    [page] = ocr_pages([sample.path], lang=AUTO, workers=1, seals=False, columns=True)
    return similarity(page.text, sample.truth), page.lang


@pytest.mark.parametrize(
    ("name", "lang"),
    [
        ("tiny-1bit", "eng"),
        ("two-colour", "eng"),
        ("one-line-en", "eng"),
        ("one-line-zh", "chi_sim+eng"),
        ("two-columns", "eng"),
        ("side-by-side", "chi_sim+eng"),
        ("upside-down", "eng"),
        ("upside-down-zh", "chi_sim+eng"),
        ("english-page", "eng"),
        ("chinese-page", "chi_sim+eng"),
    ],
)
def test_every_shape_reads_at_least_as_well_as_tesseract_by_hand(
    samples: dict[str, Sample], name: str, lang: str
) -> None:
    sample = samples[name]
    baseline = similarity(raw_reading(sample), sample.truth)
    ours, used = _import_reading(sample)
    assert ours >= baseline - 0.005, f"{name}: {ours:.3f} against Tesseract's {baseline:.3f}"
    assert ours >= 0.97, f"{name}: read {ours:.3f}"
    assert used == lang  # an English page is not read with chi_sim (1.66x the time)


def test_side_by_side_columns_come_back_one_after_the_other(samples: dict[str, Sample]) -> None:
    [page] = ocr_pages([samples["side-by-side"].path], lang=AUTO, workers=1, columns=True)
    text = page.text
    assert text.index("甲方指定仓库") < text.index("Art. 5 Delivery")
    # the words keep their place on the whole page: the English column's are on the right
    english = [w for w in page.words if w.text.startswith("Seller")]
    assert english and english[0].box[0] > page.width // 2
    assert text[english[0].start : english[0].end] == english[0].text


@pytest.mark.parametrize(("name", "lang"), [("upside-down", "eng"), ("upside-down-zh", "chi_sim")])
def test_an_upside_down_page_is_turned_before_it_is_read(
    samples: dict[str, Sample], name: str, lang: str
) -> None:
    from contractctl.ocr import deskew, layout

    thumb = deskew.thumbnail(samples[name].path)
    assert layout.looks_upside_down(deskew.dark_mask(deskew.gray_array(thumb.image)))
    [page] = ocr_pages([samples[name].path], lang=lang, workers=1)
    assert page.rotation_applied == 180
    assert similarity(page.text, samples[name].truth) >= 0.97


def test_a_pdf_with_bytes_before_its_header_is_read(tmp_path: Path) -> None:
    from contractctl.ocr import ocr_scan
    from tests.ocr_samples import EN_LINES, pdf_bytes_of, text_page

    odd = tmp_path / "mailed.pdf"
    odd.write_bytes(b"\r\n\x00\x00" + pdf_bytes_of([text_page(EN_LINES)]))
    scan = ocr_scan(odd, lang=AUTO, dpi=150, workers=1)
    assert similarity(scan.pages[0].text, "\n".join(EN_LINES)) >= 0.97


@pytest.mark.parametrize(("background", "angle"), [(40, 3.0), (90, 5.0)])
def test_a_photo_of_a_page_turned_on_a_dark_table_is_read(
    tmp_path: Path, background: int, angle: float
) -> None:
    """A phone photo: the sheet a few degrees off on a dark desk, the desk round it. The
    desk's straight edges outweighed the text lines and the page was taken for one on
    its side: read as nothing at all (`ocr-check`: no readable text)."""
    from PIL import Image

    from tests.ocr_samples import EN_LINES, ZH_LINES, text_page

    page = text_page(ZH_LINES + EN_LINES)
    photo = page.rotate(
        angle, expand=True, fillcolor=(background,) * 3, resample=Image.Resampling.BICUBIC
    )
    path = tmp_path / "photo.png"
    photo.save(path, dpi=(150, 150))
    [read] = ocr_pages([path], lang="chi_sim+eng", workers=1, seals=False)
    assert similarity(read.text, "\n".join(ZH_LINES + EN_LINES)) > 0.9
    assert read.rotation_applied == 0
