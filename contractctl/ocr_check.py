"""`ocr-check`: prove that the paper that came back is the contract that was approved.

The scan is OCR'd page by page (contractctl.ocr); its pages are matched to the approved
PDF's pages, so a missing, extra or swapped page is named as such; then the text, in
the approved page order, goes through the compare engine with OCR tolerance, which
folds the confusions Tesseract makes (0/O, 1/l, 己/已 ...) but never a digit read as
another digit.

Each difference the engine reports is then *read a second time* before it counts:
the scan lines of the clause are cut out of the page (the words' boxes are in the
corrected page's pixels, so the page is corrected again the same way, seal red dropped
out) and read line by line (``--psm 7``) with the script's own model (``chi_sim`` alone
for Chinese, ``eng`` alone for English: with ``chi_sim+eng`` the English model takes
over mixed lines and reads "本合同总价款为¥207,122.00" as "AGA AMNRAY207,122.00"), at
the scan's size and enlarged 1.5 times. Every approved token must then be read as
printed by at least one reading, and text the approved version lacks must be read by
every reading, for a difference to stand; what no reading confirms is OCR noise, shown
as a minor difference "confirmed noise by a second reading". Differences that stand are
compared again on the text as the readings agree it is (so an amount is shown with the
digits the scan has). Measured on tests/test_ocr_check.py's contract, a clean 300 dpi
scan had 2 critical and 4 major false alarms without it and none with it; tests/bench/
bench_ocr_check.py measures it over the shipped templates.

What a second reading cannot verify is not held against the scan, and said so:
punctuation (Tesseract reads （ as 〈 and 。 as °), a currency sign before a number
(¥2 merges into one glyph, 竺), and Chinese capital numerals that no reading reads as
capitals at all (柒仟 comes back as 染什: the figures beside them are still compared
digit by digit, and capitals read as *other* capitals are a difference).

Severities:

- critical: a changed amount, date, percentage, duration or party name (the compare
  engine's semantic changes), or a changed account-like number (6+ digits);
- major: text added, removed or reworded; a missing, extra or misplaced page;
- minor: OCR noise (a second reading agrees with the approved text), or a small
  difference where Tesseract was unsure (low word confidence), shown for review but
  not failing the check.

The verdict is ``mismatch`` (exit 1) on any critical or major difference. The scan, the
report and the verdict are stored (ocr_checks, objects) and audited.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contractctl.contracts import Contract, get_contract
from contractctl.errors import InvalidInput, NotFound
from contractctl.progress import Progress
from contractctl.store import Store
from contractctl.store.audit import now_iso

if TYPE_CHECKING:
    from contractctl.compare import ClauseChange
    from contractctl.compare.normalise import Token
    from contractctl.ocr import PageText, ScanText
    from contractctl.ocr.tesseract import Reading

#: Below this word confidence (0-100), a small difference counts as OCR noise.
LOW_CONFIDENCE = 75.0
#: A difference of at most this many characters can be noise.
NOISE_CHARS = 2
#: A scan page belongs to an approved page when this share of its character pairs match.
PAGE_MATCH = 0.35
#: Below this share, the scan is not this contract at all.
DOCUMENT_MATCH = 0.25
#: Second readings: each line cut out at these scales, read as one text line.
REREAD_SCALES = (1.0, 1.5)
REREAD_PSM = 7
#: A second reading of a line with less than this share of the first reading's
#: characters failed (Tesseract found no line); it is no evidence that the text is noise.
MIN_REREAD_SHARE = 0.5
#: A word smaller than this share of its line's height both ways is a speck.
SPECK = 0.45
#: A gap between words wider than this many line heights separates cells of a line.
CELL_GAP = 1.5
#: Tesseract models of CJK scripts (read alone on CJK lines in a second reading).
CJK_MODELS = frozenset({"chi_sim", "chi_tra", "jpn", "kor", "chi_sim_vert", "chi_tra_vert"})
_ACCOUNT = re.compile(r"\d{6,}")
#: A line of a table: three cells or more, apart by wide gaps (pdftotext -layout).
_TABLE_ROW = re.compile(r"^ *\S.*?\S {2,}\S.*?\S? {2,}\S", re.M)
_DIGIT_GAP = re.compile(r"(?<=\d) (?=\d)")
_SEAL_WORDS = ("盖章", "公章", "(Seal)", "（盖章）", "Seal")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORDS = re.compile(r"[A-Za-z]{2,}")
#: Capital numerals OCR garbles (柒 -> 染); 万, 元, 整 read reliably and are not here.
_CAPITALS = frozenset("零壹贰叁肆伍陆柒捌玖拾佰仟")
_CURRENCY = frozenset("¥$€£")
_WORDLIKE = re.compile(r"[0-9A-Za-z\u3400-\u9fff\uf900-\ufaff]")


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
    from contractctl.ocr import check_languages, ocr_scan

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
            lang=lang,
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
        result = compare_scan(approved, text, dpi=dpi, workers=workers, workdir=work)
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


def compare_scan(
    approved: list[str],
    scan: ScanText,
    *,
    dpi: int = 300,
    workers: int | None = None,
    workdir: Path | None = None,
    second_reading: bool = True,
) -> dict[str, Any]:
    """Pages matched, text compared, differences read a second time, severities given:
    the heart of the check.

    ``approved`` is the approved text page by page; ``scan`` a contractctl.ocr.ScanText
    whose pages still have their images (``ocr_scan(keep_images=...)``) for the second
    readings (pages without one are judged on their first reading). ``dpi`` is the
    scan's resolution; second readings write their crops under ``workdir`` (default: a
    temporary folder). Returns the OcrCheck fields: changes, semantic, page_findings,
    seal.
    """
    from contractctl.compare import compare, normalise

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
    scan_lines = _scan_lines(approved, scan_pages)
    comparison = compare(
        "\f".join(approved), "\f".join("\n".join(lines) for lines in scan_lines), ocr_tolerant=True
    )
    changes = [_ocr_change(change, scan_pages) for change in comparison.changes]
    suspects = [
        k
        for k, change in enumerate(comparison.changes)
        if changes[k]["severity"] in ("critical", "major") and change.kind in ("modified", "added")
    ]
    if second_reading and suspects:
        with tempfile.TemporaryDirectory(prefix="reread-", dir=workdir) as tmp:
            reader = _SecondReading(
                scan_pages, scan_lines, scan.lang, dpi=dpi, workers=workers, folder=Path(tmp)
            )
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


#: A scan line this similar to a page header or footer of the approved text is one.
FURNITURE_MATCH = 0.8
_OCR_ARTICLE = re.compile(r"^(\s*)([一二三四五六七八九十百]{1,4}条)(?=\s*\S)")
_OCR_DOTTED = re.compile(r"^(\s*\d{1,2}(?:\.\d{1,3})*)[,，](?=\s+[A-Z\u4e00-\u9fff])")


def _signature(line: str) -> str:
    """A line without spaces, case or digits: how page headers and footers are known."""
    from contractctl.compare.normalise import fold

    return re.sub(r"\d+", "#", "".join(fold(line).split()).lower())


def _stray_words(page: PageText) -> set[int]:
    """Words of a page (indexes into ``page.words``) that are not text: specks read as
    a character (far smaller than the line's characters), and words Tesseract read twice
    (``--psm 4`` found two overlapping lines through a table row whose cells wrap, and
    "工业以太网交换" came out in both)."""
    heights: dict[tuple[int, int, int], list[int]] = {}
    for word in page.words:
        heights.setdefault(word.line, []).append(word.box[3])
    stray: set[int] = set()
    for k, word in enumerate(page.words):
        if word.end <= word.start:
            continue
        line = sorted(heights[word.line])
        size = line[len(line) // 2]
        left, top, width, height = word.box
        if (
            height < SPECK * size
            and width < SPECK * size
            and re.fullmatch(r"[0-9A-Za-z]{1,2}", word.text)
        ):
            stray.add(k)
            continue
        for j in range(max(0, k - 80), k):
            other = page.words[j]
            if j in stray or not (word.text in other.text or other.text in word.text):
                continue
            ox, oy, ow, oh = other.box
            across = min(left + width, ox + ow) - max(left, ox)
            down = min(top + height, oy + oh) - max(top, oy)
            if across > 0 and down > 0 and across * down >= 0.6 * min(width * height, ow * oh):
                stray.add(k)
                break
    return stray


def _scan_lines(approved: list[str], pages: Sequence[PageText]) -> list[list[str]]:
    """Each scan page's lines as they are compared (as many as its text has):

    - a line like one of the approved text's page headers or footers (which the compare
      engine drops from it) is blanked, as OCR may misread it just enough (``Page lof
      5``) for the engine not to know it for one;
    - specks and words read twice (``_stray_words``) are blanked;
    - a heading whose marker OCR misread is mended: ``4, Exceptions`` is ``4.
      Exceptions``, ``六条 租金支付`` is ``第六条 租金支付`` (else the clause would count
      as deleted and its text as added to the clause before).
    """
    from difflib import SequenceMatcher

    from contractctl.compare.normalise import clean_lines

    kept: dict[int, set[str]] = {}
    for line in clean_lines("\f".join(approved)):
        kept.setdefault(line.page, set()).add(line.text)
    furniture: set[str] = set()
    text_edges: set[str] = set()  # lines of contract text at the pages' edges
    for number, page in enumerate(approved, start=1):
        lines = [line.rstrip() for line in page.split("\n") if line.strip()]
        for line in lines[:4] + lines[-4:]:
            if line not in kept.get(number, set()):
                furniture.add(_signature(line))
            else:
                text_edges.add(_signature(line))

    def likeness(sig: str, known: set[str]) -> float:
        return max(
            (SequenceMatcher(None, sig, k, autojunk=False).ratio() for k in known), default=0.0
        )

    out: list[list[str]] = []
    for page in pages:
        text = page.text
        for k in sorted(_stray_words(page)):
            word = page.words[k]
            text = text[: word.start] + " " * (word.end - word.start) + text[word.end :]
        lines = text.split("\n")
        filled = [n for n, line in enumerate(lines) if line.strip()]
        for n in filled[:4] + filled[-4:]:
            sig = _signature(lines[n])
            if len(sig) < 6 or not furniture:
                continue
            near = likeness(sig, furniture)
            if near >= FURNITURE_MATCH and near > likeness(sig, text_edges):
                lines[n] = ""
        out.append([_mend(line) for line in lines])
    return out


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


def _similarity(a: str, b: str) -> float:
    """Share of ``a``'s character pairs found in ``b`` (containment, not Jaccard: an
    OCR'd page with some noise still belongs to its page)."""
    pairs_a = {a[k : k + 2] for k in range(len(a) - 1)}
    if not pairs_a:
        return 0.0
    pairs_b = {b[k : k + 2] for k in range(len(b) - 1)}
    return len(pairs_a & pairs_b) / len(pairs_a)


def _ocr_change(change: Any, pages: list[Any]) -> dict[str, Any]:
    """One engine change as an OCR difference: its scan page, confidence and severity."""
    data = change.to_dict()
    page = pages[change.page - 1] if 0 < change.page <= len(pages) else None
    inserted = "".join(t for op, t in change.ops if op == "insert")
    deleted = "".join(t for op, t in change.ops if op == "delete")
    confidence = _confidence_on(page, inserted or (change.new or "")[:40])
    severity = change.severity
    if change.kind in ("moved", "renumbered"):
        severity = "minor"
    if severity != "critical" and _account_changed(change.ops):
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
    return data


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


def _account_changed(ops: list[tuple[str, str]]) -> bool:
    """A digit changed inside a long number (account, ID, credit code)."""
    old = "".join(t for op, t in ops if op in ("equal", "delete"))
    new = "".join(t for op, t in ops if op in ("equal", "insert"))
    changed = any(op != "equal" and any(c.isdigit() for c in t) for op, t in ops)
    # a space OCR put inside a long number does not change it
    old, new = (_DIGIT_GAP.sub("", text) for text in (old, new))
    return changed and set(_ACCOUNT.findall(old)) != set(_ACCOUNT.findall(new))


# --- second readings -------------------------------------------------------------------


@dataclass(frozen=True)
class _Cell:
    """A run of words of a line with no wide gap inside (a table cell, or the whole
    line of running text): where it stands, and its first reading."""

    box: tuple[int, int, int, int]  # corrected page pixels
    reading: Reading  # words located in reading.text


@dataclass(frozen=True)
class _Line:
    """One line of a scan page's text (as compared) and its cells."""

    page: PageText
    index: int  # line number in page.text
    text: str
    cells: tuple[_Cell, ...]

    @property
    def key(self) -> tuple[int, int]:
        return (self.page.number, self.index)

    @property
    def conf(self) -> float:
        confs = [w.conf for cell in self.cells for w in cell.reading.words]
        return sum(confs) / len(confs) if confs else 0.0


def _page_lines(page: PageText, texts: Sequence[str]) -> list[_Line]:
    """The lines of a page that have located words, split into cells at wide gaps
    (``CELL_GAP`` times the line's height) and at table rules read as ``|``. ``texts``
    are the page's lines as compared (``_scan_lines``), one per line of ``page.text``."""
    from dataclasses import replace

    from contractctl.ocr.tesseract import Reading

    stray = _stray_words(page)
    kept = [w for k, w in enumerate(page.words) if k not in stray and w.end > w.start]
    lines: list[_Line] = []
    position = 0
    for index, (own, text) in enumerate(zip(page.text.split("\n"), texts, strict=True)):
        start, end = position, position + len(own)
        position = end + 1
        words = [w for w in kept if start <= w.start and w.end <= end]
        if not words or not text.strip():
            continue
        heights = sorted(w.box[3] for w in words)
        gap = CELL_GAP * heights[len(heights) // 2]
        groups: list[list[Any]] = [[]]
        for word in words:
            if word.text.strip() in ("|", "||"):
                groups.append([])
                continue
            last = groups[-1][-1] if groups[-1] else None
            if last is not None and word.box[0] - (last.box[0] + last.box[2]) > gap:
                groups.append([])
            groups[-1].append(word)
        cells = []
        for group in (g for g in groups if g):
            first, stop = group[0].start, group[-1].end
            left = min(w.box[0] for w in group)
            top = min(w.box[1] for w in group)
            right = max(w.box[0] + w.box[2] for w in group)
            bottom = max(w.box[1] + w.box[3] for w in group)
            located = tuple(replace(w, start=w.start - first, end=w.end - first) for w in group)
            own_text = page.text[first:stop]
            for w in (page.words[k] for k in stray):  # stray words inside the cell blanked
                if first <= w.start and w.end <= stop:
                    own_text = (
                        own_text[: w.start - first]
                        + " " * (w.end - w.start)
                        + own_text[w.end - first :]
                    )
            reading = Reading(_mend(own_text), located)
            cells.append(_Cell((left, top, right - left, bottom - top), reading))
        lines.append(_Line(page, index, text, tuple(cells)))
    return lines


def _mend(line: str) -> str:
    """A heading whose marker OCR misread, mended (see ``_scan_lines``)."""
    line = _OCR_DOTTED.sub(r"\1.", line)
    if not line.lstrip().startswith("第"):
        line = _OCR_ARTICLE.sub(r"\1第\2", line)
    return line


def _compact(text: str) -> str:
    return "".join(text.split())


def _letters(text: str) -> str:
    """The letters, digits and CJK characters of a text: what a difference is made of."""
    return "".join(_WORDLIKE.findall(text))


@dataclass(frozen=True)
class _Spot:
    """A place in a line where no reading reads the approved text: what was approved
    there, what the scan is taken to say, and whether OCR doubted it (the readings
    disagree there, or Tesseract gave it a low confidence)."""

    approved: str
    kept: str
    doubtful: bool

    @property
    def small(self) -> bool:
        old, new = _letters(self.approved), _letters(self.kept)
        return (
            len(old) <= NOISE_CHARS
            and len(new) <= NOISE_CHARS + 1
            and not any(ch.isdigit() for ch in old + new)
        )


class _SecondReading:
    """Lines of the scan read again, and differences judged on all the readings.

    ``review`` takes the suspect differences (critical or major, modified or added),
    finds the scan lines of each that the approved clause does not contain, and reads
    them again, cut out of the page, one line at a time, with the script's own model:
    first at the scan's size, then, for the differences still standing, enlarged 1.5
    times. Each such line is then settled token by token against the approved clause
    (``_settle``) and the clause compared again.
    """

    def __init__(
        self,
        pages: Sequence[PageText],
        texts: Sequence[Sequence[str]],
        lang: str,
        *,
        dpi: int,
        workers: int | None,
        folder: Path,
    ) -> None:
        self.pages = list(pages)
        self.lines = [_page_lines(page, lines) for page, lines in zip(pages, texts, strict=True)]
        codes = [code for code in lang.split("+") if code and code != "osd"]
        self.cjk_lang = "+".join(c for c in codes if c in CJK_MODELS) or None
        self.latin_lang = "+".join(c for c in codes if c not in CJK_MODELS) or None
        self.dpi = dpi
        self.workers = workers
        self.folder = folder
        #: (page, line, cell) -> the second readings of that cell: (setting, reading)
        self.readings: dict[tuple[int, int, int], list[tuple[str, Reading]]] = {}

    def review(
        self, suspects: Sequence[tuple[ClauseChange, dict[str, Any]]]
    ) -> list[dict[str, Any]]:
        """The suspects' items judged again (same order): see the class docstring."""
        results = [item for _, item in suspects]
        pending = list(range(len(suspects)))
        for scale in REREAD_SCALES:
            jobs: dict[str, dict[tuple[int, int], _Line]] = {}
            for k in pending:
                change = suspects[k][0]
                for _, line in self.suspicious_lines(change):
                    if line.page.image is None:
                        continue
                    for lang in self.languages(change, line):
                        jobs.setdefault(lang, {})[line.key] = line
            if jobs:
                self._read(jobs, scale)
            still = []
            for k in pending:
                results[k] = self.judge(*suspects[k])
                if results[k]["severity"] != "minor":
                    still.append(k)
            pending = still
            if not pending or not jobs:
                break
        tables = [k for k in pending if _TABLE_ROW.search(suspects[k][0].old or "")]
        if tables:
            sparse = self._read_tables([suspects[k][0] for k in tables])
            for k, text in zip(tables, sparse, strict=True):
                lone = self._lone_cells(suspects[k][0])
                if text is not None and _same_cells(suspects[k][0].old or "", text, lone):
                    results[k] = {
                        **results[k],
                        "severity": "minor",
                        "semantic": [],
                        "table_reading": text,
                        "note": "OCR noise: the table reads the same cell for cell; OCR "
                        "cannot tell the order of its wrapped lines",
                    }
        return results

    def _lone_cells(self, change: ClauseChange) -> Counter[str]:
        """How many cells of the change's lines read as one lone character, by that
        character (a cell counts for each character some reading of it gives)."""
        from contractctl.compare.normalise import tokenise

        counts: Counter[str] = Counter()
        for _, line in self.lines_of(change):
            for c, cell in enumerate(line.cells):
                texts = [cell.reading.text] + [
                    r.text for _, r in self.readings.get((*line.key, c), [])
                ]
                keys = set()
                for text in texts:
                    tokens = [t.key for t in tokenise(text, ocr=True) if _WORDLIKE.search(t.key)]
                    if len(tokens) == 1 and len(tokens[0]) == 1:
                        keys.add(tokens[0])
                counts.update(keys)
        return counts

    def _read_tables(self, changes: Sequence[ClauseChange]) -> list[str | None]:
        """Each change's lines read again as one region per page, as sparse text
        (``--psm 11``: every run of text on its own, wherever it stands), which reads the
        cells of a table whose rows wrap, where one column of lines mixes them up."""
        from contractctl.ocr.pipeline import cut_regions
        from contractctl.ocr.tesseract import read_images

        regions: list[tuple[PageText, tuple[int, int, int, int]]] = []
        owner: list[int] = []
        langs: list[str] = []
        for n, change in enumerate(changes):
            located = [line for _, line in self.lines_of(change) if line.page.image is not None]
            by_page: dict[int, list[_Line]] = {}
            for line in located:
                by_page.setdefault(line.page.number, []).append(line)
            for lines in by_page.values():
                boxes = [cell.box for line in lines for cell in line.cells]
                left = min(b[0] for b in boxes)
                top = min(b[1] for b in boxes)
                right = max(b[0] + b[2] for b in boxes)
                bottom = max(b[1] + b[3] for b in boxes)
                regions.append((lines[0].page, (left, top, right - left, bottom - top)))
                owner.append(n)
            langs.append(self.languages(change, located[0])[0] if located else "")
        out: list[str | None] = [None] * len(changes)
        if not regions:
            return out
        folder = self.folder / "tables"
        [crops] = cut_regions(regions, folder, scales=(1.0,), margin=4)
        texts: dict[int, list[str]] = {}
        for lang in dict.fromkeys(langs):
            wanted = [k for k, n in enumerate(owner) if langs[n] == lang]
            readings = read_images(
                [crops[k] for k in wanted], folder / "sparse", lang=lang, psm=11, dpi=self.dpi
            )
            for k, reading in zip(wanted, readings, strict=True):
                texts.setdefault(owner[k], []).append(reading.text)
        for n, parts in texts.items():
            out[n] = "\n".join(parts)
        return out

    def lines_of(self, change: ClauseChange) -> list[tuple[int, _Line]]:
        """The scan lines of a change's scanned text: (line number in ``change.new``,
        line), found in order from the change's page on."""
        if not change.new:
            return []
        first = max(0, min(len(self.pages), change.page) - 1)
        flat = [line for lines in self.lines[first:] for line in lines]
        found: list[tuple[int, _Line]] = []
        at = 0
        for number, text in enumerate(change.new.split("\n")):
            wanted = text.rstrip()
            if not wanted.strip():
                continue
            for j in range(at, min(len(flat), at + 40)):
                candidate = flat[j].text.rstrip()
                if candidate == wanted or (
                    candidate.endswith("-") and wanted.startswith(candidate)  # joined
                ):
                    found.append((number, flat[j]))
                    at = j + 1
                    break
        return found

    def suspicious_lines(self, change: ClauseChange) -> list[tuple[int, _Line]]:
        """The change's scan lines that may hold a difference: a line (or a table cell
        of one) with letters, digits or CJK characters the approved clause does not
        have there, and the lines on either side of approved text no line has (a
        character lost at a line's start or end). Punctuation and spacing aside."""
        from contractctl.compare.normalise import comparison_form

        approved = _letters(comparison_form(change.old or "", ocr=True))
        located = self.lines_of(change)
        marked: set[int] = set()
        position = 0
        previous: int | None = None
        for k, (_, line) in enumerate(located):
            cells = [
                _letters(comparison_form(c, ocr=True)) for c in re.split(r"\s{2,}|\|", line.text)
            ]
            cells = [c for c in cells if c]
            if not cells:
                continue
            if len(cells) > 1:  # a table row: its cells anywhere in the clause
                if any(c not in approved for c in cells):
                    marked.add(k)
                continue
            at = approved.find(cells[0], position)
            if at < 0:
                marked.add(k)
                continue
            if at > position:  # approved text between this line and the one before
                marked.add(k)
                if previous is not None:
                    marked.add(previous)
            position = at + len(cells[0])
            previous = k
        if previous is not None and position < len(approved):
            marked.add(previous)
        return [located[k] for k in sorted(marked)]

    def languages(self, change: ClauseChange, line: _Line) -> list[str]:
        """The models to read a line with: the CJK model alone where the approved
        clause is Chinese (or the line shows CJK, or reads badly: the English model's
        garbage for Chinese), the Latin one where the clause is English (or the line
        has English words read well)."""
        old = change.old or ""
        cjk = len(_CJK.findall(old))
        latin = len(_LATIN_WORDS.findall(old))
        wanted: list[str] = []
        if (
            self.cjk_lang
            and cjk
            and (cjk >= 2 * latin or _CJK.search(line.text) or line.conf < LOW_CONFIDENCE)
        ):
            wanted.append(self.cjk_lang)
        if (
            self.latin_lang
            and latin >= 2
            and (
                2 * latin > cjk
                or (len(_LATIN_WORDS.findall(line.text)) >= 2 and line.conf >= LOW_CONFIDENCE)
            )
        ):
            wanted.append(self.latin_lang)
        return wanted or [self.cjk_lang or self.latin_lang or "eng"]

    def _read(self, jobs: dict[str, dict[tuple[int, int], _Line]], scale: float) -> None:
        """Read the cells of the lines of ``jobs`` (language -> lines) at ``scale``: one
        Tesseract per language for all its cells, ``workers`` at a time."""
        from contractctl.ocr.pipeline import available_cpus, cut_regions
        from contractctl.ocr.tesseract import read_images

        union: dict[tuple[int, int, int], tuple[PageText, tuple[int, int, int, int]]] = {}
        for lines in jobs.values():
            for line in lines.values():
                for c, cell in enumerate(line.cells):
                    union[(*line.key, c)] = (line.page, cell.box)
        keys = list(union)
        folder = self.folder / f"x{scale:g}"
        [crops] = cut_regions([union[k] for k in keys], folder, scales=(scale,))
        crop_of = dict(zip(keys, crops, strict=True))

        def run(lang: str) -> tuple[str, list[tuple[int, int, int]], list[Reading]]:
            wanted = [
                (*line.key, c) for line in jobs[lang].values() for c in range(len(line.cells))
            ]
            base = folder / f"read-{lang.replace('+', '-')}"
            readings = read_images(
                [crop_of[k] for k in wanted],
                base,
                lang=lang,
                psm=REREAD_PSM,
                dpi=round(self.dpi * scale),
            )
            return lang, wanted, readings

        count = max(1, min(self.workers or available_cpus(), len(jobs)))
        with ThreadPoolExecutor(max_workers=count, thread_name_prefix="reread") as pool:
            for lang, wanted, readings in pool.map(run, list(jobs)):
                for key, reading in zip(wanted, readings, strict=True):
                    self.readings.setdefault(key, []).append((f"{lang} x{scale:g}", reading))

    def judge(self, change: ClauseChange, item: dict[str, Any]) -> dict[str, Any]:
        """One difference judged on all the readings of its suspicious lines."""
        from dataclasses import replace

        from contractctl.compare import compare
        from contractctl.compare.normalise import tokenise

        approved = tokenise(change.old or "", ocr=True)
        lines = (change.new or "").split("\n")
        spots: list[_Spot] = []
        read_again = False
        for number, line in self.suspicious_lines(change):
            parts = []
            for c, cell in enumerate(line.cells):
                options = [cell.reading]
                for _, reading in self.readings.get((*line.key, c), []):
                    first, second = _compact(cell.reading.text), _compact(reading.text)
                    if (
                        len(second) < MIN_REREAD_SHARE * len(first)
                        and cell.reading.mean_conf >= LOW_CONFIDENCE
                    ):
                        continue  # a failed reading is no evidence
                    options.append(replace(reading, text=_mend(reading.text)))
                    read_again = True
                text, found = _settle(approved, options)
                parts.append(text)
                spots += found
            lines[number] = "   ".join(parts)
        text = "\n".join(lines)
        result = compare(change.old or "", text, ocr_tolerant=True)
        how = "a second reading" if read_again else "the reading"
        noise = {**item, "severity": "minor", "semantic": [], "second_reading": text}
        if not result.changes:
            return {**noise, "note": f"OCR noise: {how} agrees with the approved text"}
        ops = [op for c in result.changes for op in c.ops]
        semantic = [s for c in result.changes for s in c.semantic]
        severity = "critical" if semantic or _account_changed(ops) else "major"
        doubts = _doubts(ops, spots, change.old or "") if severity == "major" else None
        if doubts is not None:
            return {**noise, "note": f"OCR noise: {how} agrees with the approved text, {doubts}"}
        inserted = "".join(t for op, t in ops if op == "insert")
        return {
            **item,
            "severity": severity,
            "new": text,
            "scanned": text,
            "first_reading": change.new,
            "ops": [[op, t] for op, t in ops],
            "semantic": [s.to_dict() for s in semantic],
            "confidence": _confidence_of(self.lines_of(change), inserted, item.get("confidence")),
            "note": f"{how} of the line(s) confirms it" if read_again else None,
        }


def _same_cells(old: str, sparse: str, lone: Counter[str]) -> bool:
    """Whether a sparse reading of a clause has the approved clause's letters, words and
    numbers, each as often, whatever their order (punctuation aside), and nothing else.
    Sparse reading skips a lone character (a row number, a quantity of 1): one it
    misses counts when as many cells of the clause's lines read as that character alone
    (``lone``)."""
    from contractctl.compare.normalise import tokenise

    signs = {t.key for t in tokenise(old, ocr=True) if t.key in _CURRENCY}
    from contractctl.ocr.tesseract import Reading

    if signs:
        sparse = _mend_money(Reading(sparse, ()), signs).text

    def keys(text: str) -> Counter[str]:
        return Counter(t.key for t in tokenise(text, ocr=True) if _WORDLIKE.search(t.key))

    approved, read = keys(old), keys(sparse)
    missing, extra = approved - read, read - approved
    return not extra and all(len(key) == 1 and lone[key] >= approved[key] for key in missing)


def _settle(approved: Sequence[Token], readings: Sequence[Reading]) -> tuple[str, list[_Spot]]:
    """One line (or table cell) as its readings (the first reading first) agree it
    reads, token by token against the approved clause, and the spots where they do not
    confirm it.

    The line's place in the approved clause is found from the longest stretch the
    reading that agrees best has in common with it. An approved token there is
    confirmed when any reading has it in its place; text the approved clause lacks
    stands only where every reading has text there. Not verifiable, so not held against
    the scan: punctuation, a currency sign before a number (Tesseract merges ``¥2`` into
    one glyph), capital numerals no reading reads as capitals. Confirmed stretches take
    the approved wording; elsewhere the line keeps what the readings have there that is
    closest to the approved text, and the spot is recorded.
    """
    from difflib import SequenceMatcher

    from contractctl.compare.inline import opcodes
    from contractctl.compare.normalise import tokenise

    akeys = [t.key for t in approved]
    signs = {t.key for t in approved if t.key in _CURRENCY}
    if signs:
        readings = [_mend_money(reading, signs) for reading in readings]
    parsed = [(reading, tokenise(reading.text, ocr=True)) for reading in readings]
    primary_reading, primary = max(parsed, key=lambda p: _agreement(p[1], akeys))
    matcher = SequenceMatcher(None, [t.key for t in primary], akeys, autojunk=False)
    anchor = matcher.find_longest_match(0, len(primary), 0, len(akeys))
    if not anchor.size:
        return primary_reading.text, [_Spot("", primary_reading.text, _doubted(parsed))]
    slack = 2 + len(primary) // 8
    a0 = max(0, anchor.b - anchor.a - slack)
    a1 = min(len(akeys), anchor.b + len(primary) - anchor.a + slack)
    region = list(approved[a0:a1])
    size = len(region)
    confirmed = [False] * size
    contradicted = [False] * size
    surplus = [True] * (size + 1)
    aligned: list[_Aligned] = []
    for reading, tokens in parsed:
        codes = opcodes(region, tokens)
        marks = [False] * (size + 1)
        for tag, i1, i2, j1, j2 in codes:
            if tag == "equal":
                for i in range(i1, i2):
                    confirmed[i] = True
                continue
            extra = tokens[j1:j2]
            if j2 - j1 > i2 - i1 and any(_WORDLIKE.search(t.key) for t in extra):
                for g in range(i1, i2 + 1):
                    marks[g] = True
            if any(ch in _CAPITALS for t in extra for ch in t.key):
                for i in range(i1, i2):
                    contradicted[i] = True
        surplus = [a and b for a, b in zip(surplus, marks, strict=True)]
        aligned.append(_Aligned(reading, tokens, codes))
    matched = sum(i2 - i1 for tag, i1, i2, *_ in _codes_of(aligned, primary_reading))
    if matched * 2 < sum(1 for t in primary if _WORDLIKE.search(t.key)):
        # mostly not in the approved clause as one stretch: the best reading as it is
        return primary_reading.text, [_Spot("", primary_reading.text, _doubted(parsed))]

    def settled(i: int) -> bool:
        key = region[i].key
        return (
            confirmed[i]
            or not _WORDLIKE.search(key)  # punctuation
            or (key in _CURRENCY and i + 1 < size and region[i + 1].key[:1].isdigit())
            or (len(key) == 1 and key in _CAPITALS and not contradicted[i])
        )

    codes = _codes_of(aligned, primary_reading)
    first = next((k for k, op in enumerate(codes) if op[0] != "delete"), len(codes))
    last = max((k for k, op in enumerate(codes) if op[0] != "delete"), default=-1)
    pieces: list[str] = []
    spots: list[_Spot] = []
    for k, (tag, i1, i2, j1, j2) in enumerate(codes):
        if tag == "equal":
            pieces += [t.text for t in primary[j1:j2]]
            continue
        if k < first or k > last:
            # approved text beyond the primary reading's ends: another line's, but for
            # what other readings read next to this line (a character lost at its edge)
            run = range(i1, i2)
            keep = (
                [i for i in run if i >= _contiguous_from(confirmed, i2, -1)]
                if k < first
                else [i for i in run if i < _contiguous_from(confirmed, i1, 1)]
            )
            if keep:
                pieces += [(" " if pieces else "") + region[i].text.strip() for i in keep]
            continue
        if all(settled(i) for i in range(i1, i2)) and not any(surplus[i1 : i2 + 1]):
            pieces += [(" " if pieces else "") + t.text.strip() for t in region[i1:i2]]
            continue
        want = "".join(t.key for t in region[i1:i2])
        variants = [v for v in (_variant(a, i1, i2) for a in aligned) if v is not None]
        best = max(
            variants,
            key=lambda v: (
                SequenceMatcher(None, "".join(t.key for t in v[0]), want).ratio(),
                v[1] is primary_reading,
                -len(v[0]),
            ),
        )
        kept = "".join(t.text for t in best[0])
        if any(t.key in _CURRENCY for t in region[i1:i2]) and not any(
            t.key in _CURRENCY for t in best[0]
        ):
            kept = _put_sign(kept, next(t.key for t in region[i1:i2] if t.key in _CURRENCY))
        pieces.append(kept if not pieces or kept[:1].isspace() else " " + kept)
        distinct = {"".join(t.key for t in v[0]) for v in variants}
        doubtful = len(distinct) > 1 or _low_confidence(best[1], best[0])
        spots.append(_Spot("".join(t.text for t in region[i1:i2]), kept, doubtful))
    return _tidy("".join(pieces)), spots


@dataclass(frozen=True)
class _Aligned:
    """One reading of a line, its tokens, and their opcodes against the approved region."""

    reading: Reading
    tokens: list[Token]
    codes: list[tuple[str, int, int, int, int]]


def _codes_of(
    aligned: Sequence[_Aligned], reading: Reading
) -> list[tuple[str, int, int, int, int]]:
    return next(a.codes for a in aligned if a.reading is reading)


def _contiguous_from(flags: Sequence[bool], start: int, step: int) -> int:
    """From ``start`` (exclusive of it when stepping back) the end of the run of true
    flags: the first index of the run going back, or one past its end going forward."""
    if step < 0:
        at = start
        while at > 0 and flags[at - 1]:
            at -= 1
        return at
    at = start
    while at < len(flags) and flags[at]:
        at += 1
    return at


_MONEY_LOOKALIKE = re.compile(
    r"(?<![0-9A-Za-z])(?:[YyXx]{1,2}|[YyXx]?[¥$])(?=\d{1,3}(?:,\d{3})+(?:\.\d{2})?(?!\d)|\d+\.\d{2}(?!\d))"
)


def _mend_money(reading: Reading, signs: set[str]) -> Reading:
    """A reading with the letters Tesseract reads for a currency sign glued to an
    amount (``Y8,650.00``, ``xY173,000.00``) read as the sign, when the approved clause
    has that sign (and only one kind). Lengths change, so words keep their places only
    approximately; the digits are never touched."""
    from dataclasses import replace

    if len(signs) != 1:
        return reading
    sign = next(iter(signs))
    mended = _MONEY_LOOKALIKE.sub(sign, reading.text)
    return reading if mended == reading.text else replace(reading, text=mended)


def _variant(aligned: _Aligned, i1: int, i2: int) -> tuple[list[Token], Reading] | None:
    """What one reading has exactly where approved tokens i1..i2 (a gap when equal)
    stand; None when its own differences there reach beyond them (no exact answer)."""
    out: list[Token] = []
    for tag, a1, a2, b1, b2 in aligned.codes:
        if tag == "equal":
            lo, hi = max(a1, i1), min(a2, i2)
            if lo < hi:
                out += aligned.tokens[b1 + lo - a1 : b1 + hi - a1]
            continue
        inside = i1 <= a1 and a2 <= i2 and (a1 < a2 or i1 < a1 < i2 or i1 == i2 == a1)
        if inside:
            out += aligned.tokens[b1:b2]
        elif (a1 < i2 and a2 > i1) or a1 < i1 < a2 or a1 < i2 < a2:
            return None  # straddles an edge
    return out, aligned.reading


def _put_sign(kept: str, sign: str) -> str:
    """A currency sign the reading lost, put back before the first digit (replacing
    the one glyph Tesseract merged it into, when a non-digit is glued there)."""
    at = next((n for n, ch in enumerate(kept) if ch.isdigit()), None)
    if at is None:
        return kept
    if at > 0 and not kept[at - 1].isspace():
        return kept[: at - 1] + sign + kept[at:]
    return kept[:at] + sign + kept[at:]


def _tidy(text: str) -> str:
    """Spaces put between tokens where no Latin words meet removed again."""
    return re.sub(r"(?<![0-9A-Za-z]) (?![0-9A-Za-z])", "", text) if " " in text else text


def _agreement(tokens: Sequence[Token], approved: list[str]) -> int:
    """How well a reading agrees with the approved clause: its tokens found there in
    order, less those that are not (garbage costs)."""
    from difflib import SequenceMatcher

    keys = [t.key for t in tokens]
    matcher = SequenceMatcher(None, keys, approved, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return 2 * matched - len(keys)


def _low_confidence(reading: Reading, tokens: Sequence[Token]) -> bool:
    """Whether Tesseract doubted the words where these tokens were read."""
    confs = []
    for token in tokens:
        raw = token.text.strip()
        at = reading.text.find(raw) if raw else -1
        if at >= 0:
            confs += [w.conf for w in reading.words if w.end > at and w.start < at + len(raw)]
    return bool(confs) and min(confs) < LOW_CONFIDENCE


def _doubted(parsed: Sequence[tuple[Reading, list[Token]]]) -> bool:
    """Whether the readings of a line with nothing of the approved clause disagree."""
    return len({_letters(reading.text) for reading, _tokens in parsed}) > 1


def _doubts(ops: Sequence[tuple[str, str]], spots: Sequence[_Spot], approved: str) -> str | None:
    """Why the remaining differences are OCR noise, or None when one is not: each is
    punctuation or spacing, a whole table cell of the approved clause that the scan's
    lines put one line up or down, capital numerals read as no capital numerals at all,
    or a small spot OCR doubted (the readings disagree there, or Tesseract's confidence
    is low)."""
    reasons: list[str] = []
    runs: list[tuple[str, str]] = []
    deleted = inserted = ""
    for op, text in [*ops, ("equal", "")]:
        if op == "delete":
            deleted += text
        elif op == "insert":
            inserted += text
        elif deleted or inserted:
            runs.append((deleted, inserted))
            deleted = inserted = ""
    cells = {_letters(cell) for cell in re.split(r"\s{2,}|\n", approved)}
    taken = [_letters(old) for old, new in runs if not _letters(new)]
    put = [_letters(new) for old, new in runs if not _letters(old)]
    for old, new in runs:
        lost, extra = _letters(old), _letters(new)
        if lost == extra:
            reasons.append("but for punctuation and spacing")
        elif (lost or extra) in cells and (lost or extra) in taken and (lost or extra) in put:
            # the same whole cell taken out in one place and put in another
            reasons.append("but for the table's layout")
        elif (
            lost
            and all(ch in _CAPITALS for ch in lost)
            and not any(ch in _CAPITALS for ch in extra)
            and all(_CJK.match(ch) for ch in extra)
            and len(extra) <= len(lost) + 1
        ):
            reasons.append("but for capital numerals OCR cannot read")
        elif (
            len(lost) <= NOISE_CHARS
            and len(extra) <= NOISE_CHARS + 1
            and not any(ch.isdigit() for ch in lost + extra)
            and any(
                spot.doubtful and lost in _letters(spot.approved) and extra in _letters(spot.kept)
                for spot in spots
            )
        ):
            reasons.append("but for characters OCR is unsure of")
        else:
            return None
    return ", ".join(dict.fromkeys(reasons)) if reasons else None


def _confidence_of(lines: Sequence[tuple[int, _Line]], snippet: str, default: Any) -> float | None:
    """The first reading's confidence where ``snippet`` was read on these lines."""
    probe = snippet.strip()[:12]
    for _, line in lines:
        for cell in line.cells:
            at = cell.reading.text.find(probe) if probe else -1
            if at >= 0:
                confs = [
                    w.conf for w in cell.reading.words if w.end > at and w.start < at + len(probe)
                ]
                if confs:
                    return round(min(confs), 1)
    return default


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
