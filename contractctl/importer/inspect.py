"""Steps 2-4 of an import, run in worker processes: preflight, text, metadata.

Nothing here touches the store: a worker reads one file and returns what it found
(or why the file cannot be taken), and the single writer records it. That keeps the
database writes in one process and lets text extraction and OCR use every core.

PDF text comes from PDFium (pypdfium2), in-process, page by page: a Chinese contract in
~23 ms, where a pdftotext process takes ~58 ms and pypdf ~0.5 s (PERFORMANCE-NOTES).
Pages without a text layer are OCR'd with the same pipeline as ocr-check.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contractctl import limits
from contractctl.documents import extract
from contractctl.errors import ContractctlError, InvalidInput

#: A page with fewer characters of text than this is taken for a scan.
MIN_PAGE_TEXT = 20
#: A document with fewer characters of text than this is not a contract.
MIN_DOCUMENT_TEXT = 40
#: Files larger than this are refused (a contract is not 200 MB).
MAX_FILE_BYTES = 200 * 1024 * 1024
#: Characters of a long document's text its metadata is read from: the first ~150
#: pages and the last ~30, where a contract names its title, parties, amount, term and
#: signatures. Reading it costs ~65 bytes of memory a character: all 10,000 pages of a
#: PDF took 50 s and 500 MB for that; this bounds it to ~15 MB.
METADATA_HEAD, METADATA_TAIL = 200_000, 40_000


@dataclass(frozen=True)
class InspectOptions:
    """How a worker reads files."""

    ocr: str = "auto"  # auto | always | never
    lang: str = "auto"
    dpi: int = 300
    password: str | None = None
    ocr_workers: int = 1
    max_pages: int = limits.MAX_PDF_PAGES


@dataclass
class Inspected:
    """What one file holds: its identity, kind, text and suggested metadata."""

    path: str
    sha256: str
    size: int
    kind: str = ""  # pdf | docx | image
    text: str = ""
    pages: int = 0
    ocr_pages: list[int] = field(default_factory=list)
    signed: bool = False
    encrypted: bool = False
    metadata: Any = None  # contractctl.metadata.Metadata
    error: str | None = None


def file_sha256(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def inspect_file(path: str, sha256: str, size: int, options: InspectOptions) -> Inspected:
    """Read one file; never raises for a bad file (the reason goes into ``error``)."""
    found = Inspected(path=path, sha256=sha256, size=size)
    try:
        _inspect(Path(path), found, options)
    except ContractctlError as exc:  # the report has one line per file: the hint goes in it
        found.error = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
    except (OSError, ValueError) as exc:
        found.error = f"cannot read: {exc}"
    except Exception as exc:  # whatever a hostile file does to a reader, the batch goes on
        found.error = _unreadable(exc)
    return found


def inspect_bytes(name: str, data: bytes, sha256: str, options: InspectOptions) -> Inspected:
    """:func:`inspect_file` on a worker of a cluster, where the file's bytes travel:
    written to a private temporary folder under the file's own name (its suffix tells
    a DOCX; the name is a hint for the metadata), read, and removed."""
    if hashlib.sha256(data).hexdigest() != sha256:
        return Inspected(name, sha256, len(data), error="the file's bytes changed on the way")
    with tempfile.TemporaryDirectory(prefix="contractctl-inspect-") as tmp:
        path = Path(tmp) / (Path(name).name or "file")
        path.write_bytes(data)
        return inspect_file(str(path), sha256, len(data), options)


def _unreadable(exc: Exception) -> str:
    """The reason for a file that made a reader fail in a way no check foresaw."""
    from PIL import Image

    if isinstance(exc, Image.DecompressionBombError):
        return f"an image too large to decode, refused as a decompression bomb: {exc}"
    return f"cannot read: {type(exc).__name__}: {exc}"


def _inspect(path: Path, found: Inspected, options: InspectOptions) -> None:
    if found.size == 0:
        raise InvalidInput("empty file")
    if found.size > MAX_FILE_BYTES:
        raise InvalidInput(f"{found.size:,} bytes: larger than the {MAX_FILE_BYTES:,} allowed")
    with path.open("rb") as handle:
        head = handle.read(1024)  # a PDF's header may follow junk (readers look this far)
    found.kind = _kind(head, path)
    if found.kind == "pdf":
        _pdf(path, found, options)
    elif found.kind == "docx":
        from contractctl.documents.docx_safety import open_docx

        open_docx(path)  # zip bombs, XML entities, broken zips: refused with the reason
        found.text = extract.docx_text(path)
        found.pages = 1
    else:
        if options.ocr == "never":
            raise InvalidInput("an image needs OCR, and --ocr never was given")
        scanned = _ocr(path, options)
        found.text = "\f".join(p.text for p in scanned)
        found.pages = len(scanned)
        found.ocr_pages = [p.number for p in scanned]
    _require_contract(found.text)
    from contractctl.metadata import extract_metadata

    found.metadata = extract_metadata(metadata_text(found.text), filename=path.name)


def metadata_text(text: str) -> str:
    """What the metadata is read from: all of a contract's text, or of a very long one
    its beginning and its end (see :data:`METADATA_HEAD`)."""
    if len(text) <= METADATA_HEAD + METADATA_TAIL:
        return text
    return text[:METADATA_HEAD] + "\f" + text[-METADATA_TAIL:]


def _kind(head: bytes, path: Path) -> str:
    """What the file is by its first kilobyte: a PDF's ``%PDF-`` may come after a few
    bytes of junk (a mail gateway's, a scanner's), which PDF readers accept."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if path.suffix.lower() == ".docx":
            return "docx"
        raise InvalidInput("a ZIP archive that is not named .docx")
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")):
        return "image"
    if b"%PDF-" in head:
        return "pdf"
    start = " ".join(f"{byte:02x}" for byte in head[:4]) or "nothing"
    raise InvalidInput(f"not a PDF, DOCX or image (the file starts with bytes {start})")


def _pdf(path: Path, found: Inspected, options: InspectOptions) -> None:
    markers = _markers(path, (b"/ByteRange", b"/Encrypt"))
    found.signed, found.encrypted = b"/ByteRange" in markers, b"/Encrypt" in markers
    pages = pdf_pages_text(path, options.password, max_pages=options.max_pages)
    found.pages = len(pages)
    if found.pages == 0:
        raise InvalidInput("a PDF with no pages")
    wanted = [
        n
        for n, text in enumerate(pages, start=1)
        if options.ocr == "always" or len("".join(text.split())) < MIN_PAGE_TEXT
    ]
    if wanted and options.ocr != "never":
        if found.encrypted:
            raise InvalidInput("an encrypted PDF without a text layer cannot be OCR'd")
        by_number = {p.number: p.text for p in _ocr(path, options, only=wanted)}
        pages = [by_number.get(n, text) for n, text in enumerate(pages, start=1)]
        found.ocr_pages = wanted
    found.text = "\f".join(pages)
    if not found.text.replace("\f", "").strip() and options.ocr == "never":
        raise InvalidInput("no text layer (a scan?); import it with --ocr auto")


def pdf_pages_text(
    path: Path, password: str | None = None, *, max_pages: int = limits.MAX_PDF_PAGES
) -> list[str]:
    """The text layer of each page, read in-process by PDFium, one page at a time (each
    page and its text released before the next). A PDF of more than ``max_pages``
    pages is refused before any page is read.

    PDFium reads a Chinese contract in ~23 ms where a pdftotext process takes ~58 ms
    and pypdf ~0.5 s (PERFORMANCE-NOTES), which is what lets an import keep up with its
    files. It also tells an encrypted PDF (wrong or missing password) from a corrupt one.
    """
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path), password=password)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise InvalidInput(
                "encrypted PDF" + (": the password does not open it" if password else ""),
                hint="give its password with --password-fd FD, --ask-password or "
                "CONTRACTCTL_PDF_PASSWORD",
            ) from exc
        reason = str(exc).replace("Failed to load document ", "")
        raise InvalidInput(f"corrupt PDF: {reason}") from exc
    try:
        limits.check_pages(len(document), max_pages)
        texts: list[str] = []
        for index in range(len(document)):
            page = document[index]
            try:
                textpage = page.get_textpage()
                try:
                    texts.append(textpage.get_text_bounded().replace("\r\n", "\n"))
                finally:
                    textpage.close()
            finally:
                page.close()
        return texts
    except pdfium.PdfiumError as exc:
        raise InvalidInput(f"unreadable PDF: {exc}") from exc
    finally:
        document.close()


def _markers(path: Path, needles: tuple[bytes, ...]) -> set[bytes]:
    """Which of ``needles`` occur in the file, in one pass of 1 MiB blocks."""
    found: set[bytes] = set()
    longest = max(len(n) for n in needles)
    with path.open("rb") as handle:
        carry = b""
        while block := handle.read(1 << 20):
            window = carry + block
            found.update(n for n in needles if n in window)
            carry = block[-longest:]
    return found


def _ocr(path: Path, options: InspectOptions, *, only: list[int] | None = None) -> list[Any]:
    """OCR'd pages of a scan (all, or the page numbers in ``only``), as PageText: the same
    pipeline as ocr-check (upright, deskewed, one Tesseract per core)."""
    from contractctl.ocr import ocr_pages, ocr_scan, scan_pages

    if only is None:
        scan = ocr_scan(
            path,
            lang=options.lang,
            dpi=options.dpi,
            workers=options.ocr_workers,
            seals=False,
            columns=True,
        )
        return list(scan.pages)
    with tempfile.TemporaryDirectory(prefix="contractctl-import-") as tmp:
        images = []
        for number in only:
            images += scan_pages(
                path, Path(tmp), dpi=options.dpi, first_page=number, last_page=number
            )
        return ocr_pages(
            images,
            lang=options.lang,
            workers=options.ocr_workers,
            dpi=options.dpi,
            seals=False,
            numbers=only,
            columns=True,
        )


def _require_contract(text: str) -> None:
    compact = "".join(text.split())
    if len(compact) < MIN_DOCUMENT_TEXT:
        raise InvalidInput(
            "empty: no text found" if not compact else f"only {len(compact)} characters of text"
        )
    # Text that does not read as an agreement is imported and flagged for review with the
    # reason (metadata's ``document`` field), never refused: only an empty file or an
    # image of nothing is not a contract for certain.
