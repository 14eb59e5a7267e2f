"""Import benchmark: text PDFs and scanned PDFs, beside the raw tools on the same files.

Text PDFs: BENCH_IMPORT_FILES (default 1,000) distinct PDFs (two contracts drafted from
the shipped templates by LibreOffice, each copied with its own bytes, as re-saves and
rescans make) imported with ``import_paths(workers=2)``: hashing, dedupe, text, metadata,
one transaction per file with the original stored, obligations, index and audit event.
Baseline: Poppler's ``pdftotext`` alone on the same files, two at a time, which is the
text extraction an import cannot do without (target: >= 40 files/s).

Scanned PDFs: BENCH_IMPORT_SCANS (default 2) two-page simulated scans of a Chinese
contract imported with OCR (``--ocr auto``), pages/s beside raw ``tesseract`` on the same
page images, two processes at a time with OMP_THREAD_LIMIT=1. Then one scan of each
drafted contract imported alone: its pages are read on both cores (they used to be read
one after another whenever the import had more than one worker), and the English one
with ``eng`` only (``--lang auto``), beside raw ``chi_sim+eng``, the old default.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from contractctl import tools
from contractctl.bootstrap import initialise
from contractctl.importer import ImportOptions, import_paths
from contractctl.store import Store
from tests.bench.harness import Row

FILES = int(os.environ.get("BENCH_IMPORT_FILES", "1000"))
SCANS = int(os.environ.get("BENCH_IMPORT_SCANS", "2"))


def _drafted(work: Path) -> dict[str, Path]:
    from contractctl.drafting.draft import DraftRequest, draft
    from contractctl.drafting.versions import latest_approved, load_spec
    from contractctl.records.contracts import versions

    home = work / "drafts"
    initialise(home, "bench")
    out: dict[str, Path] = {}
    with Store.open(home) as store:
        for name in ("purchase-zh", "service-en"):
            spec = load_spec(store, latest_approved(store.conn, name))
            made = draft(store, "bench", DraftRequest(template=name, data=dict(spec.sample)))
            pdf = versions(store, made.contract.id)[0]["pdf"]
            out[name] = Path(shutil.copy(pdf, work / f"{name}.pdf"))
    return out


def _text_rows(work: Path, sources: dict[str, Path]) -> list[Row]:
    folder = work / "pdfs"
    folder.mkdir()
    names = list(sources)
    for n in range(FILES):
        source = sources[names[n % len(names)]]
        (folder / f"{n:05d}-{source.name}").write_bytes(
            source.read_bytes() + f"\n% copy {n}\n".encode()
        )
    files = sorted(folder.iterdir())

    def pdftotext(path: Path) -> None:
        tools.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], timeout=60)

    start = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(pdftotext, files))
    raw = time.perf_counter() - start
    home = work / "store"
    initialise(home, "bench")
    with Store.open(home) as store:
        start = time.perf_counter()
        report = import_paths(store, "bench", [folder], ImportOptions(workers=2))
        ours = time.perf_counter() - start
        assert report.count("imported") == FILES, report.to_dict()["failed"][:3]
        start = time.perf_counter()
        again = import_paths(store, "bench", [folder], ImportOptions(workers=2))
        rerun = time.perf_counter() - start
        assert again.count("duplicate") == FILES
    return [
        Row(
            f"import {FILES} text PDFs (2 workers; target >= 40/s)",
            FILES / ours,
            FILES / raw,
            "files/s",
            "pdftotext alone, 2 at a time",
            higher_is_better=True,
        ),
        Row(
            f"rerun over the same {FILES} (all duplicates)",
            FILES / rerun,
            FILES / raw,
            "files/s",
            "pdftotext alone, 2 at a time",
            higher_is_better=True,
        ),
    ]


def _scan_rows(work: Path, sources: dict[str, Path]) -> list[Row]:
    from contractctl.ocr import scan_pages, simulate_scan

    folder = work / "scans"
    folder.mkdir()
    scans = [
        simulate_scan(
            sources["purchase-zh"],
            folder / f"scan-{n}.pdf",
            dpi=300,
            rotation=0.6 * (n + 1),
            noise=4.0,
            jpeg_quality=55,
            seed=n,
            page_order=[1, 2],
        )
        for n in range(SCANS)
    ]
    images: list[Path] = []
    for n, scan in enumerate(scans):
        pages = work / f"pages-{n}"
        pages.mkdir()
        images += scan_pages(scan, pages, dpi=300)

    raw = _raw_tesseract(images, "chi_sim+eng")
    home = work / "scan-store"
    initialise(home, "bench")
    with Store.open(home) as store:
        start = time.perf_counter()
        report = import_paths(store, "bench", [folder], ImportOptions(workers=2))
        ours = time.perf_counter() - start
    imported = report.count("imported")
    return [
        Row(
            f"import {len(scans)} scanned PDFs, {len(images)} pages, OCR ({imported} imported)",
            len(images) / ours,
            len(images) / raw,
            "pages/s",
            "raw tesseract, 2 at a time",
            higher_is_better=True,
        )
    ]


def _one_scan_rows(work: Path, sources: dict[str, Path]) -> list[Row]:
    """One long scan imported alone (its pages on every core), and an English scan read
    with the language it shows (``--lang auto``) beside the old default on every page."""
    from contractctl.ocr import scan_pages, simulate_scan

    rows: list[Row] = []
    for name, lang, baseline in (
        ("purchase-zh", "chi_sim+eng", "raw tesseract -l chi_sim+eng, 2 at a time"),
        (
            "service-en",
            "chi_sim+eng",
            "raw tesseract -l chi_sim+eng (the old default), 2 at a time",
        ),
    ):
        folder = work / f"one-{name}"
        folder.mkdir()
        scan = simulate_scan(
            sources[name], folder / f"{name}-scan.pdf", dpi=300, rotation=0.4, noise=4.0, seed=7
        )
        pages = work / f"one-pages-{name}"
        pages.mkdir()
        images = scan_pages(scan, pages, dpi=300)

        raw = _raw_tesseract(images, lang)
        home = work / f"one-store-{name}"
        initialise(home, "bench")
        with Store.open(home) as store:
            start = time.perf_counter()
            import_paths(store, "bench", [folder], ImportOptions(workers=2))
            ours = time.perf_counter() - start
        rows.append(
            Row(
                f"import one {len(images)}-page scan alone ({name}, --lang auto)",
                len(images) / ours,
                len(images) / raw,
                "pages/s",
                baseline,
                higher_is_better=True,
            )
        )
    return rows


def run() -> Iterator[tuple[str, list[Row]]]:
    """Yield the import tables."""
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        work = Path(tmp)
        sources = _drafted(work)
        yield "Import: text PDFs", _text_rows(work, sources)
        if SCANS:
            yield "Import: scanned PDFs", _scan_rows(work, sources) + _one_scan_rows(work, sources)


def _raw_tesseract(images: list[Path], lang: str) -> float:
    """Seconds for ``tesseract IMAGE OUT -l LANG txt`` on every image, two at a time with
    ``OMP_THREAD_LIMIT=1`` (the baseline the import's OCR is measured beside)."""

    def one(image: Path) -> None:
        tools.run(
            ["tesseract", str(image), str(image.with_suffix("")), "-l", lang, "txt"],
            timeout=600,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )

    start = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(one, images))
    return time.perf_counter() - start
