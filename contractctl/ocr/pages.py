"""A scan (PDF or image file) to page image files in a work folder, one file per page.

PDF pages are rasterised by Poppler through pdf2image straight into the folder
(``paths_only``): never a page held in memory, never more of them on disk than asked
for (``first_page``/``last_page``: the OCR runner rasterises each page in the worker
that reads it, so a 300-page scan never has 300 page images on disk at once).

The page format is colour JPEG at quality 95, drawn by pdftocairo. Measured at 300 dpi
on A4 pages, a vector contract page / a scanned (image-only) page:

    format                    time           file     note
    pdftoppm JPEG q95 colour  0.05 / 0.26 s  1.2 MB   colour kept (seals on any page)
    pdftocairo JPEG q95       0.11 / 0.13 s  1.3 MB   half the time on scans: chosen
    pdftoppm PGM grey         0.04 / 0.19 s  8.7 MB   no colour for seal detection
    pdftoppm PPM colour       0.07 / 0.26 s  26 MB
    PNG colour/grey           0.84 / 1.9 s   0.9 MB   zlib: 10x slower than JPEG

Scans are what this module is for, and there pdftocairo takes half pdftoppm's time.
Tesseract reads the JPEG as fast as a PGM (it is 2-10 s of OCR either way), the text
came out identical to a lossless rendering in our runs, and a scan is a JPEG already.

Better still, a scanned page is usually one JPEG drawn over the whole page: then
that JPEG, taken out of the PDF as it is (PDFium, ~5 ms), is the page image, when it
has the asked resolution. pdftocairo would decode it, scale it by 1.0 and encode it
again (~0.13 s of a page's ~2 s, and a second JPEG loss). It is taken only when the
page draws nothing else a reader would see: one 8-bit grey or RGB JPEG mapped onto
the whole page upright, no rotation, no annotations, at most invisible text (the
text layer of a searchable scan); any other page is rendered by pdftocairo.

Image inputs (PNG, JPEG, TIFF, any raster Pillow reads): a single-frame PNG or JPEG is
copied as it is; every frame of a multi-page TIFF (or any other format) is written as
a PNG (compression level 1: lossless, fast enough for the fax-style 1-bit frames
multi-page TIFFs usually hold).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contractctl import tools
from contractctl.errors import InvalidInput, NotFound, ToolFailed, ToolMissing

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

log = logging.getLogger(__name__)

#: JPEG quality of rasterised PDF pages.
PAGE_QUALITY = 95
#: Seconds a Poppler call (pdfinfo, or pdftocairo for one chunk of pages) may take.
POPPLER_TIMEOUT = 300
MIN_DPI, MAX_DPI = 50, 1200

_PDF_MAGIC = b"%PDF-"
_IMAGE_FORMATS_COPIED = {"JPEG": ".jpg", "PNG": ".png"}


def is_pdf(path: Path) -> bool:
    """Whether the file starts like a PDF (``%PDF-`` within its first kilobyte)."""
    with path.open("rb") as fh:
        return _PDF_MAGIC in fh.read(1024)


def page_count(path: Path) -> int:
    """How many pages the scan has: PDF pages (pdfinfo) or image frames.

    InvalidInput (exit 2) for a damaged, encrypted or empty PDF and for a file that is
    neither a PDF nor an image; ToolMissing names poppler-utils without pdfinfo.
    """
    path = _existing(path)
    if is_pdf(path):
        return _pdf_pages(path)
    with _open_image(path) as image:
        return int(getattr(image, "n_frames", 1))


def scan_pages(
    path: Path,
    workdir: Path,
    *,
    dpi: int = 300,
    first_page: int | None = None,
    last_page: int | None = None,
) -> list[Path]:
    """Write each page of a scan as an image file in ``workdir``; their paths in page order.

    A PDF is rasterised at ``dpi`` (colour JPEG, named ``page-0001.jpg`` ...); an image
    file gives one page per frame (``dpi`` does not apply: the pixels are what they
    are). ``first_page``/``last_page`` (1-based, inclusive) limit the pages written.
    Raises NotFound for a missing file, InvalidInput (exit 2, one line) for a damaged or
    encrypted PDF, a PDF without pages, or a file that is not an image, and ToolMissing
    (exit 4, naming poppler-utils) when pdfinfo or pdftocairo is not installed.
    """
    path = _existing(path)
    if not MIN_DPI <= dpi <= MAX_DPI:
        raise InvalidInput(f"--dpi {dpi}: expected {MIN_DPI} to {MAX_DPI}")
    workdir.mkdir(parents=True, exist_ok=True)
    if is_pdf(path):
        return rasterise(path, workdir, dpi, first_page, last_page)
    return _split_image(path, workdir, first_page, last_page)


def _existing(path: Path) -> Path:
    path = Path(path)
    if not path.exists():
        raise NotFound(f"{path}: no such file")
    if not path.is_file():
        raise InvalidInput(f"{path}: not a file")
    if path.stat().st_size == 0:
        raise InvalidInput(f"{path}: the file is empty")
    return path


def _pdf_pages(path: Path) -> int:
    from pdf2image import pdfinfo_from_path
    from pdf2image.exceptions import (
        PDFInfoNotInstalledError,
        PDFPageCountError,
        PDFPopplerTimeoutError,
    )

    tools.find("pdfinfo")
    try:
        info = pdfinfo_from_path(str(path), timeout=POPPLER_TIMEOUT)
    except PDFInfoNotInstalledError as exc:
        raise ToolMissing("pdfinfo is not installed", hint=tools.install_hint("pdfinfo")) from exc
    except PDFPopplerTimeoutError as exc:
        raise ToolFailed(f"pdfinfo did not finish within {POPPLER_TIMEOUT} s") from exc
    except PDFPageCountError as exc:
        detail = str(exc).lower()
        if "page count 0" in detail:
            raise InvalidInput(f"{path.name}: the PDF has no pages") from exc
        if "password" in detail or "encrypt" in detail:
            raise InvalidInput(
                f"{path.name}: the PDF is encrypted (password protected); "
                "decrypt it first (qpdf --decrypt)"
            ) from exc
        raise InvalidInput(f"{path.name}: not a readable PDF (damaged or truncated)") from exc
    pages = int(info.get("Pages", 0) or 0)
    if pages < 1:
        raise InvalidInput(f"{path.name}: the PDF has no pages")
    return pages


def rasterise(
    path: Path,
    workdir: Path,
    dpi: int,
    first: int | None,
    last: int | None,
    *,
    total: int | None = None,
) -> list[Path]:
    """PDF pages ``first``-``last`` as JPEG files in ``workdir`` (``total``: the page
    count when the caller knows it already, saving a pdfinfo call)."""
    from pdf2image import convert_from_path
    from pdf2image.exceptions import PDFPopplerTimeoutError

    total = total or _pdf_pages(path)
    first, last = _page_range(total, first, last)
    taken = _scanned_jpegs(path, workdir, dpi, first, last)
    if taken is not None:
        log.debug("took the scanned JPEGs of %s pages %d-%d", path.name, first, last)
        return taken
    tools.find("pdftocairo")
    prefix = f"r{uuid.uuid4().hex[:12]}-"
    try:
        produced = convert_from_path(
            str(path),
            dpi=dpi,
            output_folder=str(workdir),
            paths_only=True,
            output_file=prefix,
            fmt="jpeg",
            jpegopt={"quality": PAGE_QUALITY, "progressive": False, "optimize": False},
            first_page=first,
            last_page=last,
            thread_count=min(os.cpu_count() or 1, last - first + 1, 4),
            timeout=POPPLER_TIMEOUT,
            use_pdftocairo=True,
        )
    except PDFPopplerTimeoutError as exc:
        raise ToolFailed(f"pdftocairo did not finish within {POPPLER_TIMEOUT} s") from exc
    except FileNotFoundError as exc:  # pdftocairo vanished between find() and the call
        raise ToolMissing(
            "pdftocairo is not installed", hint=tools.install_hint("pdftocairo")
        ) from exc
    by_number: dict[int, Path] = {}
    for produced_path in produced:  # paths (str), with paths_only
        name = str(produced_path)
        match = re.search(r"-(\d+)\.jpg$", name)
        if match:
            by_number[int(match.group(1))] = Path(name)
    pages = []
    for number in range(first, last + 1):
        source = by_number.get(number)
        if source is None or source.stat().st_size == 0:
            for leftover in by_number.values():
                leftover.unlink(missing_ok=True)
            raise InvalidInput(f"{path.name}: page {number} could not be rendered (damaged PDF)")
        target = workdir / f"page-{number:04d}.jpg"
        os.replace(source, target)
        pages.append(target)
    log.debug("rasterised %s pages %d-%d at %d dpi", path.name, first, last, dpi)
    return pages


#: PDFium is not thread-safe (one call at a time in a process): the OCR threads take
#: their pages through this lock.
_PDFIUM_LOCK = threading.Lock()
#: How far (PDF points) the image may be from covering the page exactly, and how far
#: (pixels) its size from the page's at the asked resolution.
_COVER_TOLERANCE_PT, _SIZE_TOLERANCE_PX = 0.5, 1.5


def _scanned_jpegs(path: Path, workdir: Path, dpi: int, first: int, last: int) -> list[Path] | None:
    """Pages ``first``-``last`` as the JPEG files the PDF draws them with, or None when
    any of them is not a plain scanned page at ``dpi`` (see the module docstring)."""
    import pypdfium2 as pdfium

    jpegs: list[bytes] = []
    with _PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError:
            return None  # encrypted or odd: pdftocairo says what is wrong
        try:
            for number in range(first, last + 1):
                page = document[number - 1]
                try:
                    data = _page_jpeg(page, dpi)
                finally:
                    page.close()
                if data is None:
                    return None
                jpegs.append(data)
        except pdfium.PdfiumError:
            return None
        finally:
            document.close()
    pages = []
    for number, data in zip(range(first, last + 1), jpegs, strict=True):
        target = workdir / f"page-{number:04d}.jpg"
        partial = workdir / f".{target.name}.{uuid.uuid4().hex[:8]}"
        partial.write_bytes(data)
        os.replace(partial, target)  # an interrupted write leaves no page behind
        pages.append(target)
    return pages


def _page_jpeg(page: Any, dpi: int) -> bytes | None:
    """The page's one JPEG, as stored, when the page is nothing else (and is at ``dpi``)."""
    import pypdfium2.raw as raw

    if page.get_rotation() % 360 or raw.FPDFPage_GetAnnotCount(page.raw):
        return None
    left, bottom, right, top = page.get_cropbox()
    if tuple(page.get_mediabox()) != (left, bottom, right, top):
        return None
    image = None
    for obj in page.get_objects(max_depth=1):
        if obj.type == raw.FPDF_PAGEOBJ_IMAGE and image is None:
            image = obj
        elif not (
            obj.type == raw.FPDF_PAGEOBJ_TEXT
            and raw.FPDFTextObj_GetTextRenderMode(obj.raw) == raw.FPDF_TEXTRENDERMODE_INVISIBLE
        ):
            return None  # a second image, a drawing, visible text: pdftocairo renders it
    if image is None or image.get_filters() != ["DCTDecode"]:
        return None
    a, b, c, d, e, f = image.get_matrix().get()
    tol = _COVER_TOLERANCE_PT
    if b or c or abs(a - (right - left)) > tol or abs(d - (top - bottom)) > tol:
        return None
    if abs(e - left) > tol or abs(f - bottom) > tol:
        return None
    meta = image.get_metadata()
    colour = meta.colorspace in (
        raw.FPDF_COLORSPACE_DEVICEGRAY,
        raw.FPDF_COLORSPACE_DEVICERGB,
        raw.FPDF_COLORSPACE_ICCBASED,
    )
    if not colour or meta.bits_per_pixel not in (8, 24):
        return None  # CMYK, indexed, 1-bit: pdftocairo turns them into RGB
    want_w, want_h = (right - left) * dpi / 72, (top - bottom) * dpi / 72
    if (
        abs(meta.width - want_w) > _SIZE_TOLERANCE_PX
        or abs(meta.height - want_h) > _SIZE_TOLERANCE_PX
    ):
        return None  # another resolution: pdftocairo scales it to the asked one
    data = bytes(image.get_data(decode_simple=False))
    return data if data.startswith(b"\xff\xd8") else None


def _page_range(total: int, first: int | None, last: int | None) -> tuple[int, int]:
    first = 1 if first is None else first
    last = total if last is None else last
    if first < 1 or last < first or last > total:
        raise InvalidInput(f"pages {first}-{last}: the scan has {total} page(s)")
    return first, last


def _open_image(path: Path) -> PILImage:
    from PIL import Image, UnidentifiedImageError

    try:
        return Image.open(path)
    except Image.DecompressionBombError as exc:  # a small file that inflates to gigabytes
        raise InvalidInput(
            f"{path.name}: an image too large to decode, refused as a decompression bomb ({exc})"
        ) from None
    except UnidentifiedImageError:
        raise InvalidInput(
            f"{path.name}: not a PDF or an image (expected PDF, PNG, JPEG or TIFF)"
        ) from None
    except OSError as exc:
        raise InvalidInput(f"{path.name}: cannot read the image: {exc}") from None


def _split_image(path: Path, workdir: Path, first: int | None, last: int | None) -> list[Path]:
    image = _open_image(path)
    with image:
        frames = int(getattr(image, "n_frames", 1))
        if frames < 1:
            raise InvalidInput(f"{path.name}: the image has no frames")
        first, last = _page_range(frames, first, last)
        suffix = _IMAGE_FORMATS_COPIED.get(image.format or "")
        if frames == 1 and suffix is not None:
            target = workdir / f"page-0001{suffix}"
            shutil.copyfile(path, target)
            return [target]
        pages = []
        for number in range(first, last + 1):
            try:
                image.seek(number - 1)
                frame = image.copy()
            except (OSError, EOFError, ValueError) as exc:
                raise InvalidInput(f"{path.name}: frame {number} cannot be read: {exc}") from None
            if frame.mode not in ("1", "L", "RGB"):
                frame = frame.convert("RGB")
            target = workdir / f"page-{number:04d}.png"
            dpi = _dpi_of(image)
            if dpi is None:
                frame.save(target, "PNG", compress_level=1)
            else:
                frame.save(target, "PNG", compress_level=1, dpi=dpi)
            pages.append(target)
        return pages


def _dpi_of(image: PILImage) -> tuple[float, float] | None:
    """The resolution an image file declares, if it declares a usable one."""
    dpi = image.info.get("dpi")
    if isinstance(dpi, tuple) and len(dpi) == 2 and all(float(v) > 1 for v in dpi):
        return (float(dpi[0]), float(dpi[1]))
    return None
