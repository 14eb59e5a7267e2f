"""OCR of scanned contracts: pages from a scan, Tesseract in parallel, deskew, red seals.

The pieces ``ocr-check`` and the import of scanned historical contracts build on:

- ``scan_pages``: a scan (PDF, PNG, JPEG, TIFF, multi-page TIFF) to page image files;
- ``ocr_pages`` / ``ocr_scan``: one Tesseract per core, pages turned upright and
  deskewed first, every word with its confidence and box;
- ``check_languages``: Tesseract language codes checked, the missing pack named;
- ``find_red_seals``: red seals on a page image;
- ``simulate_scan``: a contract PDF "printed and scanned", for tests, demo, benchmarks.

Nothing heavy is imported here: numpy, Pillow and pdf2image load when a function runs.
"""

from __future__ import annotations

from contractctl.ocr.model import PageText, ScanText, SealFinding, Word
from contractctl.ocr.pages import page_count, scan_pages
from contractctl.ocr.pipeline import ocr_pages, ocr_scan
from contractctl.ocr.seal_detect import find_red_seals
from contractctl.ocr.simulate import simulate_scan
from contractctl.ocr.tesseract import check_languages, language_package

__all__ = [
    "PageText",
    "ScanText",
    "SealFinding",
    "Word",
    "check_languages",
    "find_red_seals",
    "language_package",
    "ocr_pages",
    "ocr_scan",
    "page_count",
    "scan_pages",
    "simulate_scan",
]
