"""`ocr-check`: prove that the paper that came back is the contract that was approved.

Like is compared with like (``differences``): the approved version's PDF (an imported
DOCX rendered to PDF once, ``approved_pdf``) is rendered at the scan's resolution and
read with the same engine and settings as the scan (``readings``; a Chinese contract
with the CJK model alone, an English one with the Latin models alone:
``first_reading_language``), that reading kept in the store so a version pays for it
once. The scan's pages are matched to the approved pages (a missing, extra or swapped
page is named as such); the two readings of each page are compared position by
position, and a difference counts only where the registered page images differ too
(``registered``): where the images agree there is nothing to report, however OCR read
them. The differences that count are made in the approved text (``project``), and the
compare engine names each by page, clause and both values.

Severities:

- critical: a changed amount, date, percentage, duration (the compare engine's
  semantic changes), a changed number, a changed party name (a company's name), or a
  changed account-like number;
- major: text added, removed or reworded; a missing, extra or misplaced page;
- minor: what only moved.

The verdict is ``mismatch`` (exit 1) on any critical or major difference. The scan, the
report and the verdict are stored (ocr_checks, objects) and audited.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contractctl.errors import InvalidInput, NotFound
from contractctl.ocr.model import PageText, ScanText
from contractctl.ocr.readings import ReadingCache
from contractctl.ocr.tesseract import CJK_MODELS
from contractctl.progress import Progress
from contractctl.records.contracts import Contract, get_contract
from contractctl.store import Store
from contractctl.store.audit import now_iso

_SEAL_WORDS = ("盖章", "公章", "(Seal)", "（盖章）", "Seal")


@dataclass
class OcrCheck:
    """The result of one check: verdict, differences, pages, seal."""

    contract_id: str
    version: int
    scan_name: str
    scan_sha: str
    lang: str
    dpi: int
    pages: int
    changes: list[dict[str, Any]] = field(default_factory=list)
    semantic: list[dict[str, Any]] = field(default_factory=list)
    page_findings: list[dict[str, Any]] = field(default_factory=list)
    seal: dict[str, Any] = field(default_factory=dict)
    mean_conf: float = 0.0
    check_id: int | None = None

    @property
    def verdict(self) -> str:
        """match, or mismatch when any critical or major difference was found."""
        severe = [c for c in self.changes if c["severity"] in ("critical", "major")]
        return "mismatch" if severe else "match"

    def count(self, severity: str) -> int:
        """How many differences of this severity."""
        return sum(1 for c in self.changes if c["severity"] == severity)

    def to_dict(self) -> dict[str, Any]:
        """The `ocr-check --json` shape (DESIGN.md §4), plus pages, seal and the scan."""
        return {
            "verdict": self.verdict,
            "id": self.check_id,
            "contract": self.contract_id,
            "version": self.version,
            "scan": {"name": self.scan_name, "sha256": self.scan_sha, "pages": self.pages},
            "lang": self.lang,
            "dpi": self.dpi,
            "mean_confidence": round(self.mean_conf, 1),
            "counts": {s: self.count(s) for s in ("critical", "major", "minor")},
            "changes": self.changes,
            "semantic": self.semantic,
            "pages": self.page_findings,
            "seal": self.seal,
        }


def parse_target(target: str) -> tuple[str, int | None]:
    """``ID`` or ``ID@N``."""
    contract_id, at, version = target.partition("@")
    if not at:
        return contract_id, None
    if not version.isdigit() or not 1 <= int(version) < 2**63:  # SQLite's integers
        raise InvalidInput(
            f"{target}: after @ comes a version number (1, 2, ...), e.g. {contract_id}@2"
        )
    return contract_id, int(version)


def pdf_layout_pages(pdf: Path, *, timeout: float = 120) -> list[str]:
    """A PDF's text page by page as ``pdftotext -layout`` lays it out: each printed row
    one line, left to right, as Tesseract reads a page (``--psm 4``). Without
    ``-layout`` pdftotext reads a two-column parties block and a table column by
    column, and a scan of the same page then differs in its order everywhere (the
    party name apart from "Party B:", a table's amounts apart from their rows)."""
    from contractctl import tools

    result = tools.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise InvalidInput(f"{pdf.name}: cannot read the PDF: {result.stderr.strip()[:200]}")
    pages = result.stdout.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return pages


def check_scan(
    store: Store,
    actor: str,
    scan: Path,
    target: str,
    *,
    lang: str = "chi_sim+eng",
    dpi: int = 300,
    workers: int | None = None,
    progress: Progress | None = None,
    record: bool = True,
    cluster: str | None = None,
    password: str | None = None,
) -> OcrCheck:
    """OCR ``scan``, compare it with the approved text of ``target``, store the result.

    With ``cluster`` (a Dask scheduler's address, reached first: exit 4) the pages are
    read on its workers (``cluster_pages``); the comparison and the store stay here.
    ``password`` opens an encrypted PDF scan (see :func:`readable_scan`)."""
    from contractctl.ocr.tesseract import check_languages

    contract_id, wanted = parse_target(target)
    contract = get_contract(store.conn, contract_id)
    n = wanted or contract.in_force_version or contract.version
    if not scan.is_file():
        what = "a folder, not a file" if scan.is_dir() else "no such file"
        raise InvalidInput(f"{scan}: {what}")
    if not 70 <= dpi <= 600:
        raise InvalidInput("--dpi must be between 70 and 600")
    check_languages(lang)
    pdf_sha = approved_pdf_sha(store, contract, n)
    cache = ReadingCache(store=store, deferred=True)  # written only when the check holds
    with ExitStack() as stack:
        runner = None
        if cluster:
            from contractctl.cluster import open_executor
            from contractctl.ocr.cluster_pages import on_cluster

            executor = open_executor(cluster)
            stack.push(lambda kind, exc, tb: executor.close(now=kind is not None))
            runner = on_cluster(executor)
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ocr-check-")))
        readable = readable_scan(scan, password, work)
        pdf = approved_pdf(store, pdf_sha, work, cache) if pdf_sha else None
        if pdf is None:
            raise InvalidInput(
                f"{contract.id} version {n} has no PDF or DOCX to check a scan against"
            )
        result, text = _check_pdf(
            pdf,
            readable,
            lang=lang,
            dpi=dpi,
            workers=workers,
            progress=progress,
            cache=cache,
            work=work,
            actor=actor,
            runner=runner,
        )
    sha = _sha256(scan)
    check = OcrCheck(
        contract_id=contract.id,
        version=n,
        scan_name=scan.name,
        scan_sha=sha,
        lang=lang,
        dpi=dpi,
        pages=len(text.pages),
        mean_conf=text.mean_conf,
        changes=result["changes"],
        semantic=result["semantic"],
        page_findings=result["page_findings"],
        seal=result["seal"],
    )
    if not record and cache.pending:
        with store.transaction(actor) as tx:
            cache.flush(tx)
    if record:
        with store.transaction(actor) as tx:
            cache.flush(tx)
            tx.put_file(scan)
            report_sha = tx.put_bytes(
                json.dumps(check.to_dict(), ensure_ascii=False, indent=1).encode("utf-8")
            )
            cursor = tx.conn.execute(
                "INSERT INTO ocr_checks (contract_id, version_n, scan_sha, scan_name, verdict, "
                "pages, lang, dpi, critical, major, minor, seal, report_sha, checked_by, "
                "checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    contract.id,
                    n,
                    sha,
                    scan.name,
                    check.verdict,
                    check.pages,
                    lang,
                    dpi,
                    check.count("critical"),
                    check.count("major"),
                    check.count("minor"),
                    json.dumps(check.seal, ensure_ascii=False),
                    report_sha,
                    actor,
                    now_iso(),
                ),
            )
            check.check_id = cursor.lastrowid
            tx.audit(
                "contract.ocr_check",
                contract.id,
                {
                    "check": check.check_id,
                    "version": n,
                    "scan": sha,
                    "verdict": check.verdict,
                    "counts": check.to_dict()["counts"],
                    "report": report_sha,
                },
            )
    return check


_PASSWORD_HINT = (
    "give its password with --password-fd FD, --ask-password or CONTRACTCTL_PDF_PASSWORD"
)


def readable_scan(scan: Path, password: str | None, work: Path) -> Path:
    """The scan as Poppler and the page reader can open it: an encrypted PDF is opened
    with its password and saved unencrypted in ``work`` under its own name (PDFium, in
    this process; the password never reaches a command line). The file the user gave
    is what the check records and stores. Anything else is returned as it is (a damaged
    PDF: the page reader says what is wrong)."""
    with scan.open("rb") as handle:
        if b"%PDF-" not in handle.read(1024):
            return scan
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdfium.PdfDocument(str(scan)).close()
        return scan
    except pdfium.PdfiumError as exc:
        if "password" not in str(exc).lower():
            return scan
    if password is None:
        raise InvalidInput(
            f"{scan.name}: the PDF is encrypted (password protected)", hint=_PASSWORD_HINT
        )
    try:
        document = pdfium.PdfDocument(str(scan), password=password)
    except pdfium.PdfiumError:
        raise InvalidInput(
            f"{scan.name}: the password does not open the PDF", hint=_PASSWORD_HINT
        ) from None
    folder = work / "scan"
    folder.mkdir(exist_ok=True)
    try:
        document.save(str(folder / scan.name), flags=pdfium_c.FPDF_REMOVE_SECURITY)
    finally:
        document.close()
    return folder / scan.name


def approved_pdf_sha(store: Store, contract: Contract, n: int) -> str | None:
    """The object holding the approved version's document: its unsigned PDF (seals and
    signature appearances are not contract text), its PDF, or its DOCX."""
    row = store.conn.execute(
        "SELECT * FROM versions WHERE contract_id = ? AND n = ?", (contract.id, n)
    ).fetchone()
    if row is None:
        raise NotFound(f"{contract.id} has no version {n}")
    sha: str | None = row["unsigned_pdf_sha"] or row["pdf_sha"] or row["docx_sha"]
    return sha


def approved_pdf(store: Store, sha: str, work: Path, cache: ReadingCache) -> Path:
    """The approved document as a PDF: the object itself, or (an imported DOCX) its
    rendering by LibreOffice, made once and kept in the store (``meta`` names it under
    ``ocr-pdf:<docx sha>``), so that every page of it is checked as printed."""
    path = store.objects.path(sha)
    with path.open("rb") as handle:
        if handle.read(5) == b"%PDF-":
            return path
    key = f"ocr-pdf:{sha}"
    row = store.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    if row is not None and store.objects.path(row["value"]).is_file():
        return store.objects.path(row["value"])
    pdf = docx_to_pdf(path, work)
    cache.keep(key, pdf.read_bytes())  # the work folder goes before the cache is written
    return pdf


def docx_to_pdf(docx: Path, work: Path, *, timeout: float = 180) -> Path:
    """A DOCX rendered to PDF by the one converter drafts and imports use
    (``drafting.convert.convert_one``): what LibreOffice is given, a copy with Word's
    cross-reference results frozen and its other layout fixes, is what the check
    reads, so the approved PDF is the one a draft of the same file would have."""
    from contractctl.drafting.convert import convert_one

    produced = work / "rendered" / "approved.pdf"
    convert_one(docx, produced, timeout=timeout)
    return produced


def check_files(
    approved: Path,
    scan: Path,
    *,
    lang: str = "chi_sim+eng",
    dpi: int = 300,
    workers: int | None = None,
    progress: Progress | None = None,
    cache: Path | None = None,
) -> dict[str, Any]:
    """The check of ``scan`` against an approved PDF outside any store (evaluations,
    benchmarks): the report's ``verdict``, ``changes``, ``semantic``, ``pages`` and
    ``seal``; approved readings kept in the folder ``cache``."""
    with tempfile.TemporaryDirectory(prefix="ocr-check-") as tmp:
        result, _ = _check_pdf(
            approved,
            scan,
            lang=lang,
            dpi=dpi,
            workers=workers,
            progress=progress,
            cache=ReadingCache(folder=cache) if cache else None,
            work=Path(tmp),
        )
    severe = [c for c in result["changes"] if c["severity"] in ("critical", "major")]
    result["verdict"] = "mismatch" if severe else "match"
    return result


def _check_pdf(
    pdf: Path,
    scan: Path,
    *,
    lang: str,
    dpi: int,
    workers: int | None,
    progress: Progress | None,
    cache: ReadingCache | None,
    work: Path,
    actor: str = "contractctl",
    runner: Any = None,
) -> tuple[dict[str, Any], ScanText]:
    """Read the approved PDF (cached) and the scan alike, and compare the readings."""
    from contractctl.ocr.differences import PageComparisons, compare_readings
    from contractctl.ocr.pipeline import ocr_scan
    from contractctl.ocr.readings import approved_reading

    approved = pdf_layout_pages(pdf)
    first = first_reading_language(lang, approved)
    reading = approved_reading(
        pdf, lang=first, dpi=dpi, workers=workers, cache=cache, actor=actor, runner=runner
    )
    with PageComparisons(reading, pdf, dpi, work) as early:

        def read(index: int, page: PageText) -> None:
            # compared with the approved page of the same place while the later pages
            # are read (the page matching confirms the guess or asks for another pair)
            if not page.empty:
                early.start(index, index, page)

        text = ocr_scan(
            scan,
            lang=first,
            dpi=dpi,
            workers=workers,
            progress=progress,
            keep_images=work / "pages",
            runner=runner,
            on_page=read,
        )
        if all(p.empty for p in text.pages):
            raise InvalidInput(
                f"{scan.name}: no readable text on any of its {len(text.pages)} page(s) "
                "(blank pages, or an image that is not a document)"
            )
        result = compare_readings(approved, reading, pdf, text, dpi=dpi, workdir=work, early=early)
    mapping = result.pop("mapping")
    last = max(mapping.items(), key=lambda item: item[1], default=None)
    result["seal"] = _seal_report(approved, text, last[0] if last else len(text.pages) - 1)
    return result, text


def first_reading_language(lang: str, approved: Sequence[str]) -> str:
    """The models to read the scan's pages with first, of those in ``lang``.

    With a CJK model and a Latin one (``chi_sim+eng``), a Chinese contract (4 CJK
    characters or more for every Latin letter) is read with the CJK model alone and an
    English one (20 Latin letters or more for every CJK character) with the Latin
    models alone; the second readings use the other model where a line needs it. With
    both models at once Tesseract's English model took over mixed lines ("本合同总价款为
    ¥207,122.00" came back as "AGA AMNRAY207,122.00", "甲方（盖章）" as "AA (me)"), and
    one model reads a page faster than two (PERFORMANCE-NOTES.md: chi_sim+eng 0.25 pages/s
    on 2 cores, eng alone 0.55).
    """
    codes = [code for code in lang.split("+") if code]
    cjk = [code for code in codes if code in CJK_MODELS]
    latin = [code for code in codes if code not in CJK_MODELS and code != "osd"]
    if not cjk or not latin:
        return lang
    text = "".join(approved)
    han = len(re.findall(r"[\u3400-\u9fff\uf900-\ufaff]", text))
    letters = len(re.findall(r"[A-Za-z]", text))
    if han >= 4 * letters:
        return "+".join(cjk)
    if letters >= 20 * han:
        return "+".join(latin)
    return lang


def _seal_report(approved: list[str], scan: Any, last_index: int) -> dict[str, Any]:
    """Is a red seal on the signature page, where the approved contract expects one?"""
    expected = any(word in "".join(approved[-1:]) for word in _SEAL_WORDS)
    page = scan.pages[last_index] if 0 <= last_index < len(scan.pages) else None
    seals = list(page.seals) if page is not None else []
    return {
        "expected": expected,
        "present": bool(seals),
        "page": page.number if page is not None else None,
        "count": len(seals),
        "seals": [s.to_dict() for s in seals],
    }


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def checks_view(store: Store, contract_id: str) -> list[dict[str, Any]]:
    """The OCR checks of a contract, newest last (the `show --json` ocr_checks list)."""
    rows = store.conn.execute(
        "SELECT * FROM ocr_checks WHERE contract_id = ? ORDER BY id", (contract_id,)
    )
    return [
        {
            "id": r["id"],
            "version": r["version_n"],
            "scan": r["scan_name"],
            "scan_sha256": r["scan_sha"],
            "verdict": r["verdict"],
            "pages": r["pages"],
            "critical": r["critical"],
            "major": r["major"],
            "minor": r["minor"],
            "seal": json.loads(r["seal"]) if r["seal"] else None,
            "report": str(store.objects.path(r["report_sha"])),
            "checked_by": r["checked_by"],
            "checked_at": r["checked_at"],
        }
        for r in rows
    ]
