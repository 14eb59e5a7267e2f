"""OCR of scanned contracts, and ``ocr-check``, which proves a scan is the approved text.

Two halves, imports pointing one way: the check sits above the scan pipeline and
imports its modules directly; the pipeline knows nothing of the check.

The scan pipeline, what ``ocr-check`` and the import of scanned historical contracts
build on (re-exported here):

- ``scan_pages``: a scan (PDF, PNG, JPEG, TIFF, multi-page TIFF) to page image files
  (``pages``);
- ``ocr_pages`` / ``ocr_scan``: one Tesseract per core, pages turned upright and
  deskewed first, every word with its confidence and box (``pipeline``, ``deskew``;
  ``PageText``, ``ScanText``, ``Word`` in ``model``);
- ``check_languages``: Tesseract language codes checked, the missing pack named
  (``tesseract``, where OCR runs Tesseract);
- ``find_red_seals``: red seals on a page image (``seal_detect``);
- ``simulate_scan``: a contract PDF "printed and scanned", for tests, demo, benchmarks
  (``simulate``).

The check (``ocr-check``; not re-exported: import ``contractctl.ocr.check``):

- ``check``: the command's core: the approved PDF and the scan read alike, compared,
  judged, stored; ``check_scan``, ``check_files`` and ``checks_view``;
- ``readings``: the approved PDF rendered at the scan's resolution and read once with
  the same engine, kept in the store;
- ``differences``: pages matched by their readings, differences judged and named;
- ``registered``: two readings of a page compared position by position, a difference
  kept only where the registered page images differ;
- ``project``: kept differences made in the approved text, Tesseract's misreadings of
  it turned back, for the compare engine to name.

The earlier check (scan lines, gaps, second readings of suspect lines, settling
between readings: 1,700 lines) compared the scan's OCR with the approved *text*, so
every systematic misreading was a difference to explain away; comparing two readings
made alike replaced it.

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
