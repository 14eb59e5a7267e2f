"""`ocr-check`: prove that the paper that came back is the contract that was approved.

The approved version's text is taken from its PDF as ``pdftotext -layout`` lays it out
(row by row, as Tesseract reads a page). The scan is OCR'd page by page
(contractctl.ocr, ``--psm 4``), a Chinese contract with the CJK model alone and an
English one with the Latin models alone (``first_reading_language``); its pages are
matched to the approved pages, so a missing, extra or swapped page is named as such;
then its text (``lines.scan_lines``), in the approved page order, goes through
the compare engine with OCR tolerance, which folds the confusions Tesseract makes (0/O,
1/l, 己/已 ...) but never a digit read as another digit. An approved clause the scan
seems to lack is looked for in the blank stretches of its page first
(``gaps``: Tesseract can leave a bold heading out entirely); lines found there are
put back where they stand and the pages compared again. Every critical or major
difference is then read a second time before it counts
(``second_reading.SecondReading``): what the second readings show to be OCR noise is
kept, as minor, with the reason.

Severities:

- critical: a changed amount, date, percentage, duration or party name (the compare
  engine's semantic changes), or a changed account-like number (6+ digits);
- major: text added, removed or reworded; a missing, extra or misplaced page;
- minor: OCR noise (a second reading agrees with the approved text, or the difference
  is one OCR cannot verify), or a small difference where Tesseract was unsure (low
  word confidence), shown for review but not failing the check.

The verdict is ``mismatch`` (exit 1) on any critical or major difference. The scan, the
report and the verdict are stored (ocr_checks, objects) and audited.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contractctl.errors import InvalidInput, NotFound
from contractctl.ocr.doubts import NOISE_CHARS
from contractctl.ocr.gaps import with_missed
from contractctl.ocr.lines import scan_lines
from contractctl.ocr.reread import CJK_MODELS
from contractctl.ocr.second_reading import SecondReading, account_changed
from contractctl.ocr.settle import LOW_CONFIDENCE
from contractctl.progress import Progress
from contractctl.records.contracts import Contract, get_contract
from contractctl.store import Store
from contractctl.store.audit import now_iso

if TYPE_CHECKING:
    from contractctl.compare import ClauseChange, Comparison
    from contractctl.ocr.model import ScanText

#: A scan page belongs to an approved page when this share of its character pairs match.
PAGE_MATCH = 0.35
#: Below this share, the scan is not this contract at all.
DOCUMENT_MATCH = 0.25
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
    contract_id, _, version = target.partition("@")
    if not version:
        return contract_id, None
    if not version.isdigit() or int(version) < 1:
        raise InvalidInput(f"{target!r}: the version after @ is a number, e.g. {contract_id}@2")
    return contract_id, int(version)


def approved_pages(store: Store, contract: Contract, n: int) -> list[str]:
    """The approved version's text page by page (its unsigned PDF: seals and signature
    appearances are not contract text), or its stored text as one page."""
    row = store.conn.execute(
        "SELECT * FROM versions WHERE contract_id = ? AND n = ?", (contract.id, n)
    ).fetchone()
    if row is None:
        raise NotFound(f"{contract.id} has no version {n}")
    pdf_sha = row["unsigned_pdf_sha"] or row["pdf_sha"]
    if pdf_sha:
        pages = pdf_layout_pages(store.objects.path(pdf_sha))
        if any(p.strip() for p in pages):
            return pages
    if row["text_sha"]:
        return [store.objects.read_bytes(row["text_sha"]).decode("utf-8")]
    raise InvalidInput(f"{contract.id} version {n} has no text to check a scan against")


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
) -> OcrCheck:
    """OCR ``scan``, compare it with the approved text of ``target``, store the result."""
    from contractctl.ocr.pipeline import ocr_scan
    from contractctl.ocr.tesseract import check_languages

    contract_id, wanted = parse_target(target)
    contract = get_contract(store.conn, contract_id)
    n = wanted or contract.in_force_version or contract.version
    approved = approved_pages(store, contract, n)
    if not scan.is_file():
        raise InvalidInput(f"{scan}: no such file")
    if not 70 <= dpi <= 600:
        raise InvalidInput("--dpi must be between 70 and 600")
    check_languages(lang)
    with tempfile.TemporaryDirectory(prefix="ocr-check-") as tmp:
        work = Path(tmp)
        text = ocr_scan(
            scan,
            lang=first_reading_language(lang, approved),
            dpi=dpi,
            workers=workers,
            progress=progress,
            keep_images=work / "pages",  # for the second readings
        )
        if all(p.empty for p in text.pages):
            raise InvalidInput(
                f"{scan.name}: no readable text on any of its {len(text.pages)} page(s) "
                "(blank pages, or an image that is not a document)"
            )
        result = compare_scan(approved, text, lang=lang, dpi=dpi, workers=workers, workdir=work)
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
        **result,
    )
    if record:
        with store.transaction(actor) as tx:
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


def compare_scan(
    approved: list[str],
    scan: ScanText,
    *,
    lang: str | None = None,
    dpi: int = 300,
    workers: int | None = None,
    workdir: Path | None = None,
    second_reading: bool = True,
) -> dict[str, Any]:
    """Pages matched, text compared, differences read a second time, severities given:
    the heart of the check.

    ``approved`` is the approved text page by page; ``scan`` a contractctl.ocr.ScanText
    whose pages still have their images (``ocr_scan(keep_images=...)``) for the second
    readings (pages without one are judged on their first reading), which use the
    models of ``lang`` (default: the scan's own). ``dpi`` is the
    scan's resolution; second readings write their crops under ``workdir`` (default: a
    temporary folder). Returns the OcrCheck fields: changes, semantic, page_findings,
    seal.
    """
    from contractctl.compare import normalise

    approved_norm = [normalise(p, ocr_tolerant=True) for p in approved]
    scan_norm = [normalise(p.text, ocr_tolerant=True) for p in scan.pages]
    whole = _similarity("".join(scan_norm), "".join(approved_norm))
    if whole < DOCUMENT_MATCH:
        raise InvalidInput(
            f"the scan does not look like this contract (only {whole:.0%} of its text matches "
            "the approved version)",
            hint="check that SCAN and --against name the same contract",
        )
    mapping, findings = match_pages(approved_norm, scan_norm, scan.pages)
    ordered = sorted(mapping.items(), key=lambda item: (item[1], item[0]))
    scan_pages = [scan.pages[i] for i, _ in ordered]
    lines = scan_lines(approved, scan_pages)
    comparison, changes = _compared(approved, lines, scan_pages)
    severe = [k for k, item in enumerate(changes) if item["severity"] in ("critical", "major")]
    if second_reading and severe:
        with tempfile.TemporaryDirectory(prefix="reread-", dir=workdir) as tmp:
            reader = SecondReading(
                scan_pages,
                lines,
                lang or scan.lang,
                dpi=dpi,
                workers=workers,
                folder=Path(tmp),
            )
            deleted = [k for k in severe if comparison.changes[k].kind == "deleted"]
            if deleted:
                # an approved clause the first reading seems to lack may be a line it
                # left out: put what the page's blank stretches read back, compare again
                where = {j + 1: n for n, (_, j) in enumerate(ordered)}
                found = reader.missed(
                    [
                        (comparison.changes[k], where.get(comparison.changes[k].page))
                        for k in deleted
                    ]
                )
                unique = list({(m.page, m.after, m.replaces): m for m in found}.values())
                if unique:
                    texts = with_missed(lines, unique)
                    comparison, changes = _compared(approved, texts, scan_pages)
            suspects = [
                k
                for k, item in enumerate(changes)
                if item["severity"] in ("critical", "major")
                and comparison.changes[k].kind != "deleted"
            ]
            judged = reader.review([(comparison.changes[k], changes[k]) for k in suspects])
        for k, item in zip(suspects, judged, strict=True):
            changes[k] = item
    changes.extend(findings)
    semantic: list[dict[str, Any]] = []
    for item in changes:
        if item["severity"] == "minor":
            continue
        for value in item.get("semantic") or []:
            if value not in semantic:
                semantic.append(value)
    last = max(mapping.items(), key=lambda item: item[1], default=None)
    seal = _seal_report(approved, scan, last[0] if last else len(scan.pages) - 1)
    return {
        "changes": changes,
        "semantic": semantic,
        "page_findings": findings,
        "seal": seal,
    }


def match_pages(
    approved: list[str], scanned: list[str], pages: Any
) -> tuple[dict[int, int], list[dict[str, Any]]]:
    """Scan page index -> approved page index, and what is wrong with the pages.

    Each scan page goes to the approved page it shares most character pairs with; a scan
    page like none is extra (or blank), an approved page no scan page matches is missing,
    and matched pages out of order are reported as misplaced.
    """
    mapping: dict[int, int] = {}
    findings: list[dict[str, Any]] = []
    taken: set[int] = set()
    scores = [
        [_similarity(s, a) for a in approved] if s else [0.0] * len(approved) for s in scanned
    ]
    pairs = sorted(
        ((score, i, j) for i, row in enumerate(scores) for j, score in enumerate(row)),
        reverse=True,
    )
    for score, i, j in pairs:
        if score < PAGE_MATCH or i in mapping or j in taken:
            continue
        mapping[i] = j
        taken.add(j)
    for i, page in enumerate(pages):
        if i in mapping:
            continue
        what = "blank page" if page.empty else "extra page not in the approved contract"
        findings.append(_page_finding("extra_page", page.number, None, what))
    for j in range(len(approved)):
        if j not in taken and approved[j].strip():
            findings.append(
                _page_finding("missing_page", None, j + 1, f"approved page {j + 1} is missing")
            )
    order = [mapping[i] for i in sorted(mapping)]
    if order != sorted(order):
        for i in sorted(mapping):
            expected = sorted(order).index(mapping[i])
            if order.index(mapping[i]) != expected:
                findings.append(
                    _page_finding(
                        "misplaced_page",
                        pages[i].number,
                        mapping[i] + 1,
                        f"scan page {pages[i].number} is approved page {mapping[i] + 1}",
                    )
                )
    return mapping, findings


def _page_finding(kind: str, page: int | None, approved: int | None, text: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "clause": None,
        "page": page,
        "approved_page": approved,
        "severity": "major",
        "old": None,
        "new": None,
        "message": text,
        "confidence": None,
    }


def _compared(
    approved: list[str], lines: Sequence[Sequence[str]], pages: list[Any]
) -> tuple[Comparison, list[dict[str, Any]]]:
    """The approved text compared with the scan's lines (pages in approved order): the
    engine's comparison and its changes as OCR differences."""
    from contractctl.compare import compare

    comparison = compare(
        "\f".join(approved), "\f".join("\n".join(page) for page in lines), ocr_tolerant=True
    )
    return comparison, [_ocr_change(change, pages) for change in comparison.changes]


def _similarity(a: str, b: str) -> float:
    """Share of ``a``'s character pairs found in ``b`` (containment, not Jaccard: an
    OCR'd page with some noise still belongs to its page)."""
    pairs_a = {a[k : k + 2] for k in range(len(a) - 1)}
    if not pairs_a:
        return 0.0
    pairs_b = {b[k : k + 2] for k in range(len(b) - 1)}
    return len(pairs_a & pairs_b) / len(pairs_a)


def _ocr_change(change: ClauseChange, pages: list[Any]) -> dict[str, Any]:
    """One engine change as an OCR difference: its scan page, confidence and severity."""
    data: dict[str, Any] = change.to_dict()
    page = pages[change.page - 1] if 0 < change.page <= len(pages) else None
    inserted = "".join(t for op, t in change.ops if op == "insert")
    deleted = "".join(t for op, t in change.ops if op == "delete")
    confidence = _confidence_on(page, inserted or (change.new or "")[:40])
    severity = change.severity
    # the engine's: a clause that only moved or was renumbered is minor, one whose text
    # or values changed as well is not (the values of clauses a lost heading made look
    # moved must still count)
    if severity != "critical" and account_changed(change.ops):
        severity = "critical"
    if (
        severity == "major"
        and change.kind == "modified"
        and len("".join(inserted.split())) <= NOISE_CHARS
        and len("".join(deleted.split())) <= NOISE_CHARS
        and not any(ch.isdigit() for ch in inserted + deleted)
        and confidence is not None
        and confidence < LOW_CONFIDENCE
    ):
        severity = "minor"
    data.update(
        {
            "page": page.number if page is not None else None,
            "severity": severity,
            "confidence": None if confidence is None else round(confidence, 1),
            "approved": change.old,
            "scanned": change.new,
        }
    )
    return dict(data)


def _confidence(change: Any, pages: list[Any], snippet: str) -> float | None:
    """OCR confidence where ``snippet`` was read on the change's page (None when it is
    not found there)."""
    page = pages[change.page - 1] if 0 < change.page <= len(pages) else None
    return _confidence_on(page, snippet)


def _confidence_on(page: Any, snippet: str) -> float | None:
    """OCR confidence where ``snippet`` was read on ``page`` (None when not found)."""
    if page is None:
        return None
    probe = snippet.strip()[:20]
    if not probe:
        return None
    start = page.text.find(probe)
    if start < 0:
        compact = "".join(probe.split())
        start = page.text.find(compact[:6]) if compact else -1
        if start < 0:
            return None
        probe = compact[:6]
    return float(page.conf_at(start, start + len(probe)))


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
