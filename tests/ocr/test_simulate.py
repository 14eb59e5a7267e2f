"""Simulated scans: deterministic for a seed, image-only, pages in the order asked, the
degradations really applied.

Real Poppler; pages at 100 dpi so each scan takes a fraction of a second.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from contractctl.errors import InvalidInput
from contractctl.ocr import page_count, scan_pages, simulate_scan
from contractctl.ocr.deskew import analyse, gray_array, thumbnail
from tests.ocr_samples import EN_LINES, save_pdf, text_page

DEGRADED: dict[str, Any] = {
    "rotation": 1.5,
    "noise": 8.0,
    "blur": 0.7,
    "jpeg_quality": 50,
    "scale": 0.98,
}


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("simulate")
    # page n has n*2 lines, so the pages can be told apart by their ink
    pages = [text_page(EN_LINES[: n * 2]) for n in (1, 2, 3)]
    return save_pdf(pages, folder / "source.pdf")


def _ink(page: Path) -> float:
    return analyse(gray_array(thumbnail(page).image)).ink


def test_the_same_seed_gives_the_same_bytes(source: Path, tmp_path: Path) -> None:
    first = simulate_scan(source, tmp_path / "a.pdf", dpi=100, seed=4, **DEGRADED)
    second = simulate_scan(source, tmp_path / "b.pdf", dpi=100, seed=4, **DEGRADED)
    other = simulate_scan(source, tmp_path / "c.pdf", dpi=100, seed=5, **DEGRADED)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_the_scan_is_image_only_with_one_image_per_page(source: Path, tmp_path: Path) -> None:
    scan = simulate_scan(source, tmp_path / "scan.pdf", dpi=100, **DEGRADED)
    text = subprocess.run(
        ["pdftotext", str(source), "-"], capture_output=True, check=True, timeout=60
    ).stdout
    assert text.strip() == b""  # the source is image-only too: check the scan the same way
    scanned = subprocess.run(
        ["pdftotext", str(scan), "-"], capture_output=True, check=True, timeout=60
    ).stdout
    assert scanned.replace(b"\f", b"").strip() == b""
    listing = subprocess.run(
        ["pdfimages", "-list", str(scan)], capture_output=True, check=True, timeout=60, text=True
    ).stdout.splitlines()[2:]
    assert [int(line.split()[0]) for line in listing] == [1, 2, 3]
    assert all(" jpeg " in line and " 100 " in line for line in listing)
    assert page_count(scan) == 3


def test_page_order_reorders_and_drops_pages(source: Path, tmp_path: Path) -> None:
    scan = simulate_scan(source, tmp_path / "swapped.pdf", dpi=100, page_order=[3, 1])
    pages = scan_pages(scan, tmp_path / "pages", dpi=100)
    assert len(pages) == 2
    assert _ink(pages[0]) > 2 * _ink(pages[1])  # six lines, then two


def test_the_degradations_are_applied(source: Path, tmp_path: Path) -> None:
    from PIL import Image, ImageStat

    clean = simulate_scan(source, tmp_path / "clean.pdf", dpi=100, page_order=[3])
    rough = simulate_scan(
        source, tmp_path / "rough.pdf", dpi=100, page_order=[3], rotation=2.0, noise=12
    )
    [clean_page] = scan_pages(clean, tmp_path / "clean", dpi=100)
    [rough_page] = scan_pages(rough, tmp_path / "rough", dpi=100)
    assert analyse(gray_array(thumbnail(clean_page).image)).skew == pytest.approx(0, abs=0.3)
    assert analyse(gray_array(thumbnail(rough_page).image)).skew == pytest.approx(2.0, abs=0.3)
    with Image.open(clean_page) as a, Image.open(rough_page) as b:
        assert a.size == b.size == pytest.approx((827, 1169), abs=2)
        corner = (0, 0, 60, 60)  # blank paper: flat when clean, grainy when noisy
        assert ImageStat.Stat(b.crop(corner).convert("L")).stddev[0] > 5
        assert ImageStat.Stat(a.crop(corner).convert("L")).stddev[0] < 2


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"rotation": 90.0}, "rotation 90"),
        ({"jpeg_quality": 0}, "jpeg_quality 0"),
        ({"page_order": [4]}, "no page 4"),
        ({"page_order": []}, "at least one page"),
        ({"scale": 3.0}, "scale 3"),
    ],
)
def test_bad_arguments_are_refused(
    source: Path, tmp_path: Path, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        simulate_scan(source, tmp_path / "bad.pdf", dpi=100, **options)
    assert not (tmp_path / "bad.pdf").exists()
