"""OCR with the real Tesseract: language packs checked and named, words with confidences,
pages turned upright and deskewed, blank pages reported, parallel the same as serial.

The pages are small (A4 at 150 dpi, a few lines of large type) and read with ``eng``
except where Chinese is the point, so the whole module costs a few seconds of OCR.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contractctl.errors import InvalidInput, ToolMissing
from contractctl.ocr import (
    PageText,
    check_languages,
    language_package,
    ocr_pages,
    ocr_scan,
    simulate_scan,
)
from contractctl.ocr.tesseract import locate, parse_tsv
from tests.ocr_samples import (
    A4,
    EN_LINES,
    ZH_LINES,
    save_image,
    save_pdf,
    similarity,
    text_page,
)

EN_TEXT = "\n".join(EN_LINES)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ocr")


@pytest.fixture(scope="module")
def english_page(folder: Path) -> Path:
    return save_image(text_page(EN_LINES), folder / "english.png")


@pytest.fixture(scope="module")
def english(english_page: Path) -> PageText:
    [page] = ocr_pages([english_page], lang="eng")
    return page


# -- languages ---------------------------------------------------------------------------


def test_languages_are_split_and_checked() -> None:
    assert check_languages("chi_sim+eng") == ["chi_sim", "eng"]
    assert check_languages("eng") == ["eng"]


def test_the_debian_spelling_is_refused_with_tesseracts_own() -> None:
    with pytest.raises(InvalidInput, match="spells the language chi_sim, not chi-sim") as caught:
        check_languages("chi-sim+eng")
    assert caught.value.exit_code == 2
    assert caught.value.hint == "use --lang chi_sim+eng"


@pytest.mark.parametrize(
    ("lang", "hint"),
    [
        ("en", "use --lang eng"),
        ("chi_sim+en", "use --lang chi_sim+eng"),
        ("zh", "use --lang chi_sim"),
    ],
)
def test_the_interface_language_names_are_refused_with_tesseracts_codes(
    lang: str, hint: str
) -> None:
    """`--lang en` is how the interface language is given; for OCR it is eng: exit 2
    and the spelling, never a hint to install a package that does not exist."""
    with pytest.raises(InvalidInput, match="Tesseract spells the language") as caught:
        check_languages(lang)
    assert caught.value.exit_code == 2
    assert caught.value.hint == hint


def test_two_letter_codes_are_refused_as_not_tesseracts() -> None:
    with pytest.raises(InvalidInput, match="three-letter codes"):
        check_languages("fr")


@pytest.mark.parametrize("lang", ["", "eng+", "+eng", "e n g", "chi_sim++eng"])
def test_malformed_language_values_are_bad_usage(lang: str) -> None:
    with pytest.raises(InvalidInput):
        check_languages(lang)


def test_a_missing_language_pack_names_its_debian_package() -> None:
    with pytest.raises(ToolMissing, match="chi_tra is not installed") as caught:
        check_languages("chi_tra+eng")
    assert caught.value.exit_code == 4
    assert caught.value.hint == "install it with: sudo apt-get install tesseract-ocr-chi-tra"
    with pytest.raises(ToolMissing) as caught:
        check_languages("deu")
    assert "tesseract-ocr-deu" in (caught.value.hint or "")


def test_package_names_follow_debian() -> None:
    assert language_package("chi_sim") == "tesseract-ocr-chi-sim"
    assert language_package("chi_tra") == "tesseract-ocr-chi-tra"
    assert language_package("eng") == "tesseract-ocr-eng"
    assert language_package("chi_sim_vert") == "tesseract-ocr-chi-sim-vert"


def test_without_tesseract_ocr_stops_with_exit_4(
    english_page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without tesseract
    with pytest.raises(ToolMissing, match="tesseract is not installed") as caught:
        check_languages("eng")
    assert caught.value.exit_code == 4
    assert caught.value.hint == "install it with: sudo apt-get install tesseract-ocr"
    with pytest.raises(ToolMissing):
        ocr_pages([english_page], lang="eng")


# -- one page ----------------------------------------------------------------------------


def test_words_carry_confidence_boxes_and_their_place_in_the_text(english: PageText) -> None:
    assert similarity(english.text, EN_TEXT) > 0.97
    assert english.text.splitlines()[0] == EN_LINES[0]
    assert english.number == 1 and not english.empty
    assert (english.width, english.height) == A4
    assert len(english.words) >= 40
    for word in english.words:
        assert 0 <= word.conf <= 100
        left, top, width, height = word.box
        assert left >= 0 and left + width <= A4[0] and top >= 0 and top + height <= A4[1]
        assert english.text[word.start : word.end] == word.text
    assert 80 < english.mean_conf <= 100
    # the words of a line share its (block, paragraph, line) key
    assert len({w.line for w in english.words}) == len(EN_LINES)


def test_conf_at_reports_the_words_covering_a_span(english: PageText) -> None:
    start = english.text.index("thirty")
    [word] = [w for w in english.words if w.start == start]
    assert english.conf_at(start, start + 6) == word.conf
    # a span over several words: the weakest, or the mean
    end = english.text.index("invoice")
    words = english.words_in(start, end)
    assert len(words) > 3
    assert english.conf_at(start, end) == min(w.conf for w in words)
    assert english.conf_at(start, end, mean=True) >= english.conf_at(start, end)
    # an insertion point gets its neighbours
    assert len(english.words_in(start, start)) == 2


def test_tsv_words_are_located_in_order_even_when_repeated() -> None:
    tsv = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
        "1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t91.5\tthe\n"
        "5\t1\t1\t1\t1\t2\t12\t0\t10\t10\t88\tthe\n"
        "5\t1\t1\t1\t2\t1\t0\t12\t10\t10\t-1\t \n"
        "5\t1\t1\t1\t2\t2\t0\t12\t10\t10\t70\t甲方\n"
    )
    words = locate(parse_tsv(tsv), "the  the\n甲方")
    assert [(w.text, w.start, w.end, w.line) for w in words] == [
        ("the", 0, 3, (1, 1, 1)),
        ("the", 5, 8, (1, 1, 1)),
        ("甲方", 9, 11, (1, 1, 2)),
    ]


def test_chinese_reads_without_spaces_between_characters(folder: Path) -> None:
    page_file = save_image(text_page(ZH_LINES), folder / "chinese.png")
    [page] = ocr_pages([page_file], lang="chi_sim+eng")
    assert similarity(page.text, "\n".join(ZH_LINES)) > 0.9
    assert "所有权与风险转移" in page.text.replace(" ", "") and "交付至交货地点" in page.text


# -- orientation and skew ----------------------------------------------------------------


@pytest.mark.parametrize("turned", [90, 180, 270])
def test_a_page_scanned_on_its_side_or_upside_down_is_turned_back(
    turned: int, folder: Path, english: PageText
) -> None:
    image = text_page(EN_LINES).rotate(turned, expand=True)  # counter-clockwise
    path = save_image(image, folder / f"turned-{turned}.png")
    [page] = ocr_pages([path], lang="eng")
    assert page.rotation_applied == turned  # turned back clockwise
    assert page.osd_used
    assert (page.width, page.height) == A4
    assert similarity(page.text, english.text) > 0.98


def test_a_2_degree_skew_is_undone_and_reads_as_well_as_straight(
    folder: Path, english: PageText
) -> None:
    from PIL import Image

    wide = [line + " " + line.split()[0] for line in EN_LINES]  # long lines tilt the most
    straight = save_image(text_page(wide, font_px=30, left=60), folder / "wide.png")
    tilted_image = text_page(wide, font_px=30, left=60).rotate(
        2.0, resample=Image.Resampling.BICUBIC, fillcolor="white"
    )
    tilted = save_image(tilted_image, folder / "tilted.png")
    flat, skewed = ocr_pages([straight, tilted], lang="eng")
    assert skewed.skew_degrees == pytest.approx(2.0, abs=0.3)
    assert flat.skew_degrees == 0.0
    truth = "\n".join(wide)
    assert similarity(skewed.text, truth) >= similarity(flat.text, truth) - 0.01
    assert skewed.mean_conf >= flat.mean_conf - 3


# -- blank pages, scans, parallel ----------------------------------------------------------


def test_a_white_page_is_empty_without_running_tesseract(folder: Path) -> None:
    from PIL import Image

    white = save_image(Image.new("RGB", A4, "white"), folder / "white.png")
    [page] = ocr_pages([white], lang="eng")
    assert page.text == "" and page.words == () and page.empty
    assert page.seconds < 1


def test_a_scan_reports_its_blank_pages_and_its_seal(folder: Path) -> None:
    from PIL import Image

    source = save_pdf(
        [text_page(EN_LINES[:4]), Image.new("RGB", A4, "white"), text_page(EN_LINES[4:])],
        folder / "three.pdf",
    )
    scan_pdf = simulate_scan(
        source,
        folder / "three-scan.pdf",
        dpi=150,
        rotation=-0.6,
        noise=6,
        blur=0.5,
        jpeg_quality=55,
        seed=3,
        stamp_seal_on_last_page=True,
    )
    scan = ocr_scan(scan_pdf, lang="eng", dpi=150)
    assert [p.number for p in scan.pages] == [1, 2, 3]
    assert scan.empty_pages == [2]
    assert scan.text.count("\f") == 2
    assert similarity(scan.text.split("\f")[0], "\n".join(EN_LINES[:4])) > 0.95
    assert all(p.image is None for p in scan.pages)  # the temporary pages are gone
    [seal] = scan.pages[2].seals
    assert seal.shape == "round"
    assert scan.pages[0].seals == ()
    # with keep_images the page files stay for the caller
    kept = ocr_scan(scan_pdf, lang="eng", dpi=150, keep_images=folder / "kept", seals=False)
    assert [p.image.name if p.image else None for p in kept.pages] == [
        "page-0001.jpg",
        "page-0002.jpg",
        "page-0003.jpg",
    ]
    assert [p.text for p in kept.pages] == [p.text for p in scan.pages]


def test_parallel_gives_the_same_pages_in_the_same_order_as_serial(folder: Path) -> None:
    files = [
        save_image(text_page(EN_LINES[i : i + 2], font_px=40), folder / f"short-{i}.png")
        for i in (0, 2, 4)
    ]
    events: list[tuple[str, int]] = []

    class Recorder:
        def start(self, total: int, description: str) -> None:
            events.append(("start", total))

        def advance(self, units: int = 1) -> None:
            events.append(("advance", units))

        def finish(self) -> None:
            events.append(("finish", 0))

    parallel = ocr_pages(files, lang="eng", workers=2, progress=Recorder())
    serial = ocr_pages(files, lang="eng", workers=1)
    assert [p.number for p in parallel] == [1, 2, 3]
    assert [p.text for p in parallel] == [p.text for p in serial]
    assert [p.words for p in parallel] == [p.words for p in serial]
    assert "PURCHASE AGREEMENT" in parallel[0].text and "0.05%" in parallel[2].text
    assert events == [("start", 3), ("advance", 1), ("advance", 1), ("advance", 1), ("finish", 0)]


def test_an_unreadable_page_image_is_bad_input(folder: Path) -> None:
    broken = folder / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    with pytest.raises(InvalidInput, match=r"broken\.png"):
        ocr_pages([broken], lang="eng")
    with pytest.raises(InvalidInput, match="workers must be at least 1"):
        ocr_pages([broken], lang="eng", workers=0)


def test_pages_can_carry_their_numbers_in_the_document(folder: Path) -> None:
    from PIL import Image

    white = save_image(Image.new("RGB", A4, "white"), folder / "white-2.png")
    pages = ocr_pages([white, white], lang="eng", numbers=[4, 7])
    assert [p.number for p in pages] == [4, 7]
    with pytest.raises(InvalidInput, match="1 page numbers for 2 pages"):
        ocr_pages([white, white], lang="eng", numbers=[1])


def test_a_bad_page_among_good_ones_stops_the_parallel_run(folder: Path) -> None:
    from PIL import Image

    white = save_image(Image.new("RGB", A4, "white"), folder / "white-3.png")
    broken = folder / "broken-2.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    with pytest.raises(InvalidInput, match=r"broken-2\.jpg"):
        ocr_pages([white, broken, white, white], lang="eng", workers=2)


def test_a_photo_that_is_no_document_reads_as_an_empty_page(folder: Path) -> None:
    import numpy as np
    from PIL import Image, ImageFilter

    noise = np.random.default_rng(1).integers(0, 256, (175, 124, 3), dtype=np.uint8)
    photo = Image.fromarray(noise, "RGB").resize(A4, Image.Resampling.BICUBIC)
    path = save_image(photo.filter(ImageFilter.GaussianBlur(3)), folder / "photo.jpg")
    [page] = ocr_pages([path], lang="eng")
    assert page.empty and page.seals == ()
