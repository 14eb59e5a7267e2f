"""OCR of many pages: one Tesseract per core, each page through the same small steps.

Per page, in the worker thread that owns it (costs measured on 300 dpi A4 scans, where
Tesseract chi_sim+eng takes 2-10 s of CPU a page):

1. (PDF scans) rasterise just this page (pdf2image/pdftocairo -> JPEG), ~0.13 s;
2. look at a ~75 dpi copy (deskew.thumbnail + analyse), 20-70 ms: blank (then no
   Tesseract at all)? lying on its side? tilted?  A page on its side is turned a
   quarter and Tesseract's OSD asked whether it is then upright or upside down;
3. if it must be turned, or is tilted by 1 degree or more, redraw it upright and
   straight (grey, bilinear), 0.12-0.18 s; otherwise Tesseract reads the page file.
   Where a red seal is stamped (seal_detect on the same small copy, ~20 ms), the grey
   page takes the red channel inside the seal's box, in which red ink is nearly white
   and black text stays black: a seal stamped over the signature block otherwise hid
   "For and on behalf of Party A" and the company's name from Tesseract altogether;
4. Tesseract (``read_page``) in page segmentation mode 4 (``PAGE_PSM``, see below):
   text, words, confidences. On a straightened page it needed 5-8% less CPU than on the
   same page tilted, which pays for steps 1-3;
5. a page that reads badly (mean word confidence under 50) gets OSD after all: an
   upside-down page reads at ~30 where an upright scan reads 75-95. If OSD says to turn
   it, it is read again the right way up and the better reading kept. OSD costs ~0.7 s
   and a second reading, so it is kept off the normal path;
6. red seals on the corrected ~75 dpi colour copy, ~20 ms, so their boxes share the
   words' coordinates.

Page segmentation: Tesseract's default (``--psm 3``, automatic layout analysis) lost
whole blocks of text on deskewed contract pages: on the 2-page test contract, page 2
straightened by 1.1 degrees came back *empty*; on purchase-zh (8 pages, 300 dpi
simulated scan) it read the cover page's parties block as two columns, labels first
and values after. ``--psm 6`` (one uniform block) dropped the line-item table rows
(rows 1-3 and the total on pages 1-2 of purchase-zh). ``--psm 4`` (one column of
lines of varying size) read every line of every page, table rows as lines in reading
order: ordered accuracy against pdftotext 0.933 on purchase-zh page 1 (psm 3: 0.741,
psm 6: 0.899), the same as psm 3 on running text (pages 3-8: 0.985-0.999 either way),
at the same speed (49.1 s against 48.9 s for the 8 pages). On purchase-en, psm 3 and 4
read the same. So pages are read with ``PAGE_PSM = 4``.

Parallelism: ``workers`` threads (default: the CPUs this process may run on), each
driving one Tesseract process at a time with OMP_THREAD_LIMIT=1; the Python steps
release the GIL in numpy and Pillow. Results come back in page order whatever order
pages finish in. Progress is reported as pages finish; the core never prints. The first
error stops the run: pages not started are cancelled, the ones being read finish first
(a Tesseract in hand cannot be interrupted from here: Ctrl-C waits up to one page).
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from contractctl.errors import InvalidInput
from contractctl.ocr import deskew
from contractctl.ocr.model import Box, PageText, ScanText, SealFinding
from contractctl.ocr.tesseract import (
    PAGE_TIMEOUT,
    Orientation,
    Reading,
    check_languages,
    detect_orientation,
    read_page,
)
from contractctl.progress import NullProgress, Progress

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray
    from PIL.Image import Image as PILImage

log = logging.getLogger(__name__)

#: A page reading below this mean word confidence is checked for orientation.
LOW_CONF = 50.0
#: OSD must be at least this sure before a page is turned on its word alone.
OSD_MIN_CONF = 1.5
#: Long side of the page copy OSD reads (~150 dpi for A4).
OSD_SIZE = 1800
#: Fewer words than this is too little to judge a page by its confidence.
MIN_WORDS_TO_JUDGE = 3
#: Tesseract's page segmentation mode for whole pages (see the module docstring).
PAGE_PSM = 4
#: In the red channel, seal ink at or above this grey level is taken for paper.
RED_INK_LEVEL = 180
_RED_LEVELS = [255 if v >= RED_INK_LEVEL else v for v in range(256)]

PageSource = Callable[[], Path]


@dataclass(frozen=True)
class _Job:
    number: int
    source: PageSource
    dpi: int | None
    discard_image: bool


def ocr_pages(
    pages: list[Path],
    *,
    lang: str,
    workers: int | None = None,
    progress: Progress | None = None,
    dpi: int | None = None,
    seals: bool = True,
    timeout: float = PAGE_TIMEOUT,
    numbers: Sequence[int] | None = None,
    columns: bool = False,
) -> list[PageText]:
    """OCR page image files in parallel; one PageText per page, in the order given.

    ``lang`` is checked first (check_languages: exit 2 for a malformed code, exit 4
    naming the package for a missing one). ``workers`` Tesseract processes run at once
    (default: one per available CPU). ``dpi`` is the scan resolution for files that do not
    declare one. ``seals`` also looks for red seals on every page (~20 ms a page).
    ``progress`` hears of each page as it finishes. Page numbers are the 1-based
    positions in ``pages``, or ``numbers`` (one per page: the pages' numbers in their
    document, when only some pages are read). ``columns`` reads a page of side-by-side
    columns column by column (``layout.columns``); ``lang`` may be ``regions.AUTO``:
    English or Chinese+English per column, as its text shows (``regions``).
    """
    check_languages(_checked(lang))
    if numbers is not None and len(numbers) != len(pages):
        raise InvalidInput(f"{len(numbers)} page numbers for {len(pages)} pages")
    jobs = [
        _Job(number, _given(Path(page)), dpi, discard_image=False)
        for number, page in zip(numbers or range(1, len(pages) + 1), pages, strict=True)
    ]
    return _run(
        jobs,
        lang=lang,
        workers=workers,
        progress=progress,
        seals=seals,
        timeout=timeout,
        columns=columns,
    )


def ocr_scan(
    path: Path,
    *,
    lang: str = "chi_sim+eng",
    dpi: int = 300,
    workers: int | None = None,
    progress: Progress | None = None,
    keep_images: Path | None = None,
    seals: bool = True,
    timeout: float = PAGE_TIMEOUT,
    columns: bool = False,
    runner: Callable[..., list[PageText]] | None = None,
    on_page: Callable[[int, PageText], None] | None = None,
) -> ScanText:
    """OCR a whole scan (a PDF or an image file, multi-page TIFF included).

    ``runner`` reads the pages elsewhere (``cluster_pages.on_cluster``: a Dask cluster).

    A PDF's pages are rasterised at ``dpi``, each by the worker that reads it, into a
    temporary folder removed at the end (so PageText.image is None), or into
    ``keep_images`` when given (PageText.image then names each page's file there).
    ``columns`` and ``lang``: see ocr_pages. ``on_page(index, page)`` is called with each
    page as soon as it is read, in this thread (not with a ``runner``). Errors: see
    scan_pages and check_languages.
    """
    from contractctl.ocr.pages import is_pdf, page_count, rasterise, scan_pages

    path = Path(path)
    check_languages(_checked(lang))
    total = page_count(path)
    with ExitStack() as stack:
        if keep_images is not None:
            workdir = Path(keep_images)
            workdir.mkdir(parents=True, exist_ok=True)
        else:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ocr-")))
        discard = keep_images is None
        if is_pdf(path):

            def page_of(number: int) -> PageSource:
                return lambda: rasterise(path, workdir, dpi, number, number, total=total)[0]

            jobs = [_Job(n, page_of(n), dpi, discard) for n in range(1, total + 1)]
        else:
            files = scan_pages(path, workdir)
            jobs = [_Job(n, _given(f), None, discard) for n, f in enumerate(files, start=1)]
        pages = (runner or partial(_run, on_page=on_page))(
            jobs,
            lang=lang,
            workers=workers,
            progress=progress,
            seals=seals,
            timeout=timeout,
            columns=columns,
        )
    return ScanText(source=path, lang=lang, pages=tuple(pages))


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity, which containers narrow; else
    os.cpu_count())."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _checked(lang: str) -> str:
    """The languages to check are installed: AUTO chooses among English and Chinese."""
    from contractctl.ocr.regions import AUTO, BOTH

    return BOTH if lang == AUTO else lang


def _given(page: Path) -> PageSource:
    return lambda: page


def _run(
    jobs: list[_Job],
    *,
    lang: str,
    workers: int | None,
    progress: Progress | None,
    seals: bool,
    timeout: float,
    columns: bool = False,
    on_page: Callable[[int, PageText], None] | None = None,
) -> list[PageText]:
    if workers is not None and workers < 1:
        raise InvalidInput(f"workers must be at least 1, not {workers}")
    count = workers or available_cpus()
    count = max(1, min(count, len(jobs)))
    report = progress or NullProgress()
    results: dict[int, PageText] = {}
    report.start(len(jobs), "OCR")
    try:
        with tempfile.TemporaryDirectory(prefix="ocr-work-") as tmp:
            scratch = Path(tmp)

            def one(job: _Job) -> PageText:
                return _page(job, scratch, lang=lang, seals=seals, timeout=timeout, columns=columns)

            if count == 1:
                for index, job in enumerate(jobs):
                    results[index] = one(job)
                    report.advance()
                    if on_page is not None:
                        on_page(index, results[index])
            else:
                _parallel(jobs, one, count, results, report, on_page)
    finally:
        report.finish()
    return [results[index] for index in range(len(jobs))]


def _parallel(
    jobs: list[_Job],
    one: Callable[[_Job], PageText],
    count: int,
    results: dict[int, PageText],
    report: Progress,
    on_page: Callable[[int, PageText], None] | None = None,
) -> None:
    """Run ``one`` over the jobs on ``count`` threads; the first error cancels the pages
    not yet started and is raised once the running ones are done (Ctrl-C likewise).

    Each page is handed to ``on_page`` as soon as it is read (FIRST_COMPLETED): with
    FIRST_EXCEPTION, ``wait`` returns only when every page is done, and the check's
    comparison of the early pages waited for the last page's reading (1.1 s of a 7.3 s
    three-page check)."""
    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="ocr") as pool:
        futures: dict[Future[PageText], int] = {
            pool.submit(one, job): index for index, job in enumerate(jobs)
        }
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    results[futures[future]] = future.result()
                    report.advance()
                    if on_page is not None:
                        on_page(futures[future], results[futures[future]])
        except BaseException:
            for future in pending:
                future.cancel()
            raise


def _page(
    job: _Job, scratch: Path, *, lang: str, seals: bool, timeout: float, columns: bool = False
) -> PageText:
    """The whole treatment of one page (see the module docstring)."""
    import numpy as np

    started = time.perf_counter()
    source = job.source()
    thumb = deskew.thumbnail(source)
    dpi = job.dpi or (round(thumb.dpi) if thumb.dpi else None)
    gray = deskew.paper_only(deskew.gray_array(thumb.image))
    layout = deskew.analyse(gray)
    full_w, full_h = thumb.full_size
    stem = scratch / f"p{job.number:05d}-{uuid.uuid4().hex[:8]}"
    if layout.blank:
        page = PageText(
            number=job.number,
            words=(),
            text="",
            mean_conf=0.0,
            rotation_applied=0,
            skew_degrees=0.0,
            image=source,
            width=full_w,
            height=full_h,
        )
        return _finish(page, job, source, started)
    red = _seal_boxes(thumb) if seals else ()
    reading, rotation, skew, osd_used = _orient_and_read(
        job,
        source,
        stem,
        gray,
        layout,
        lang=lang,
        dpi=dpi,
        timeout=timeout,
        red=red,
        columns=columns,
    )
    if not deskew.needs_correction(0, skew):
        skew = 0.0
    width, height = (full_h, full_w) if rotation in (90, 270) else (full_w, full_h)
    found: tuple[SealFinding, ...] = ()
    if seals:
        from contractctl.ocr.seal_detect import detect

        upright = deskew.correct(thumb.image, rotation, skew, fill=(255, 255, 255))
        found = tuple(detect(np.asarray(upright, dtype=np.uint8), full_size=(width, height)))
    page = PageText(
        number=job.number,
        words=reading.words,
        text=reading.text,
        mean_conf=reading.mean_conf,
        rotation_applied=rotation,
        skew_degrees=skew,
        image=source,
        width=width,
        height=height,
        seals=found,
        osd_used=osd_used,
        lang=reading.lang,
    )
    return _finish(page, job, source, started)


def _orient_and_read(
    job: _Job,
    source: Path,
    stem: Path,
    gray: NDArray[np.uint8],
    layout: deskew.Layout,
    *,
    lang: str,
    dpi: int | None,
    timeout: float,
    red: tuple[Box, ...] = (),
    columns: bool = False,
) -> tuple[Reading, int, float, bool]:
    """Read the page the right way up: (reading, clockwise turn, skew, OSD used)."""
    from contractctl.ocr import layout as page_layout

    osd_used = False
    rotation, skew = 0, layout.skew
    if not layout.sideways and page_layout.looks_upside_down(deskew.dark_mask(gray)):
        # ragged on the left: ask OSD before reading, so the page is read once
        answer = _osd(source, 0, stem, dpi)
        osd_used = True
        if answer is not None and answer.rotate == 180 and answer.confidence >= OSD_MIN_CONF:
            rotation = 180
            skew = deskew.analyse(deskew.rotate_array(gray, rotation)).skew
    if layout.sideways:
        # OSD cannot read text lines that run top to bottom (too few characters, it
        # says); turned a quarter, the page is upright or upside down, which it tells.
        rotation = 90
        answer = _osd(source, rotation, stem, dpi)
        osd_used = True
        if answer is not None and answer.rotate == 180 and answer.confidence >= OSD_MIN_CONF:
            rotation = 270
        skew = deskew.analyse(deskew.rotate_array(gray, rotation)).skew
    settings = _Settings(lang, dpi, timeout, red, columns)
    reading = _read(source, stem, rotation, skew, settings)
    if reading.mean_conf >= LOW_CONF or len(reading.words) < MIN_WORDS_TO_JUDGE:
        return reading, rotation, skew, osd_used
    # reads badly: upside down (or on its side the other way)?
    answer = _osd(source, rotation, stem, dpi)
    if answer is None or answer.rotate == 0 or answer.confidence < OSD_MIN_CONF:
        return reading, rotation, skew, True
    turned = (rotation + answer.rotate) % 360
    turned_skew = deskew.analyse(deskew.rotate_array(gray, turned)).skew
    second = _read(source, stem, turned, turned_skew, settings)
    log.info(
        "page %d: read at %.0f, turned %d by OSD: %.0f",
        job.number,
        reading.mean_conf,
        turned,
        second.mean_conf,
    )
    if second.mean_conf > reading.mean_conf:
        return second, turned, turned_skew, True
    return reading, rotation, skew, True


def _finish(page: PageText, job: _Job, source: Path, started: float) -> PageText:
    from dataclasses import replace

    if job.discard_image:
        source.unlink(missing_ok=True)
        page = replace(page, image=None)
    return replace(page, seconds=round(time.perf_counter() - started, 3))


@dataclass(frozen=True)
class _Settings:
    """How a page is read, whichever way up it is."""

    lang: str
    dpi: int | None
    timeout: float
    red: tuple[Box, ...] = ()
    columns: bool = False


def _read(source: Path, stem: Path, rotation: int, skew: float, how: _Settings) -> Reading:
    """Tesseract on the page, redrawn upright and straight first when it needs it, the
    seals in ``how.red`` (boxes of the page as scanned) dropped out; by columns and with
    a language per column (``regions``) when asked."""
    from contractctl.ocr.regions import AUTO, read_parts

    by_parts = how.columns or how.lang == AUTO
    untouched = not how.red and not deskew.needs_correction(rotation, skew)
    if untouched and not by_parts:
        return read_page(
            source, stem, lang=how.lang, dpi=how.dpi, timeout=how.timeout, psm=PAGE_PSM
        )
    from PIL import Image

    with Image.open(source) as image:
        if untouched:  # by parts: the page as scanned, in its own colours
            image.load()
            fixed = image if image.mode in ("1", "L", "RGB") else image.convert("RGB")
        else:
            if how.red:
                gray = drop_red(image, how.red)
            else:
                if image.format == "JPEG":
                    image.draft("L", image.size)  # decode the luma only
                gray = image.convert("L")
            fixed = deskew.correct(gray, rotation, skew, fill=255)
    if by_parts:
        return read_parts(
            fixed,
            stem,
            lang=how.lang,
            dpi=how.dpi,
            timeout=how.timeout,
            psm=PAGE_PSM,
            split_columns=how.columns,
            source=source if untouched else None,
        )
    target = stem.with_name(stem.name + "-upright.pgm")
    fixed.save(target)
    try:
        return read_page(
            target, stem, lang=how.lang, dpi=how.dpi, timeout=how.timeout, psm=PAGE_PSM
        )
    finally:
        target.unlink(missing_ok=True)


def _seal_boxes(thumb: deskew.Thumbnail) -> tuple[Box, ...]:
    """The seals on the page as scanned (before any turn), in full-size pixels."""
    import numpy as np

    from contractctl.ocr.seal_detect import detect

    found = detect(np.asarray(thumb.image, dtype=np.uint8), full_size=thumb.full_size)
    return tuple(seal.box for seal in found)


def drop_red(image: PILImage, boxes: Sequence[Box] | None = None) -> PILImage:
    """The page in grey, with red ink dropped out: the red channel (where seal red is
    nearly paper white and black text stays black, ``RED_INK_LEVEL`` and lighter made
    white) inside ``boxes``, or everywhere when ``boxes`` is None; the luma elsewhere."""
    if image.mode not in ("RGB", "RGBA", "CMYK", "P"):
        return image.convert("L")
    rgb = image.convert("RGB")
    # seal ink measured 196-243 in the red channel, black text 41-84 (its anti-aliased
    # edges up to ~150), paper ~250: the ink made paper, the text left as it is (a
    # contrast stretch lightened thin strokes: 自 read as 目)
    red_channel = rgb.getchannel("R").point(_RED_LEVELS)
    if boxes is None:
        return red_channel
    gray = rgb.convert("L")
    for left, top, width, height in boxes:
        pad = max(width, height) // 20
        area = (
            max(0, left - pad),
            max(0, top - pad),
            min(gray.width, left + width + pad),
            min(gray.height, top + height + pad),
        )
        gray.paste(red_channel.crop(area), area[:2])
    return gray


def _osd(source: Path, rotation: int, stem: Path, dpi: int | None) -> Orientation | None:
    """Tesseract OSD on the page turned ``rotation`` degrees clockwise, at about 150 dpi
    (at 75 dpi OSD too often finds too few characters)."""
    from PIL import Image

    with Image.open(source) as image:
        full = max(image.size)
        ratio = full / OSD_SIZE
        if image.format == "JPEG" and ratio > 1:
            image.draft("L", (int(image.width / ratio), int(image.height / ratio)))
        gray = image.convert("L")
    ratio = max(gray.size) / OSD_SIZE
    if ratio > 1.25:
        gray = gray.resize(
            (round(gray.width / ratio), round(gray.height / ratio)), Image.Resampling.BOX
        )
    scale = max(gray.size) / full
    gray = deskew.correct(gray, rotation, 0.0, fill=255)
    target = stem.with_name(f"{stem.name}-osd{rotation}.pgm")
    gray.save(target)
    try:
        return detect_orientation(target, dpi=round(dpi * scale) if dpi else None)
    finally:
        target.unlink(missing_ok=True)
