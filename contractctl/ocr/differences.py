"""What differs between an approved version and its scan: like compared with like.

The approved PDF, rendered at the scan's resolution, has been read as the scan was
(``readings``). Each scanned page is matched to its approved page by their readings, so
a missing, extra or swapped page is named as such; the two readings of a page are
compared position by position and each difference kept only where the page images
differ too (``registered``); the differences kept are made in the approved text
(``project``) and the compare engine names and classifies them, clause by clause, value
by value, as it would for two documents.

Severities: the engine's (critical for a changed amount, date, percentage, duration),
raised to critical for a changed party name (a company's name: ...有限公司, Inc., LLC)
and for a changed account-like number (6+ digits); major for text added, removed or
reworded and for a missing, extra or misplaced page; minor for what only moved.
"""

from __future__ import annotations

import logging
import re
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contractctl.compare.wrapped import unwrap_values
from contractctl.errors import InvalidInput
from contractctl.ocr.model import PageText, ScanText
from contractctl.ocr.project import Projection, misreadings
from contractctl.ocr.readings import render_page
from contractctl.ocr.registered import Difference, page_differences, squashed

if TYPE_CHECKING:
    from collections.abc import Sequence

    from contractctl.compare import Clause, ClauseChange

log = logging.getLogger(__name__)

_ACCOUNT = re.compile(r"\d{6,}")
_DIGIT_GAP = re.compile(r"(?<=\d) (?=\d)")

#: A scan page belongs to an approved page when this share of its character pairs match.
PAGE_MATCH = 0.35
#: Below this share, the scan is not this contract at all.
DOCUMENT_MATCH = 0.25
#: A page with fewer characters than this is matched by its position when its
#: neighbours are matched (a nearly empty page has too few pairs to be recognised).
SHORT_PAGE = 60
_PARTY = re.compile(
    r"[\u4e00-\u9fff（）()]{2,30}(?:有限责任公司|股份有限公司|有限公司|集团|公司|事务所|合作社)"
    r"|[A-Z][\w&'.-]*(?:[ ,]+[A-Z][\w&'.-]*)*,? (?:Inc\.?|LLC|Ltd\.?|Limited|Corp\.?|"
    r"Corporation|GmbH|LLP|PLC|S\.A\.)"
)


def compare_readings(
    approved_text: list[str],
    approved: ScanText,
    approved_pdf: Path,
    scan: ScanText,
    *,
    dpi: int,
    workdir: Path | None = None,
    early: PageComparisons | None = None,
) -> dict[str, Any]:
    """The differences between the approved version and the scan, as the check reports
    them: ``changes`` (page findings included), ``semantic``, ``page_findings`` and
    ``mapping`` (scan page index -> approved page index).

    ``approved_text`` is the approved PDF's text page by page, ``approved`` its reading
    at ``dpi``; ``scan`` the scan's reading with its page images kept; ``early``: the
    page comparisons already started while the scan was read (``PageComparisons``).
    """
    from contractctl.compare import compare

    a_norm = [squashed(p.text)[0] for p in approved.pages]
    s_norm = [squashed(p.text)[0] for p in scan.pages]
    whole = similarity("".join(s_norm), "".join(a_norm))
    if whole < DOCUMENT_MATCH:
        raise InvalidInput(
            f"the scan does not look like this contract (only {whole:.0%} of its text matches "
            "the approved version)",
            hint="check that SCAN and --against name the same contract",
        )
    mapping, findings = match_pages(a_norm, s_norm, list(scan.pages))
    texts = list(approved_text) + [""] * max(0, len(approved.pages) - len(approved_text))
    projections = [Projection(page.text, texts[j]) for j, page in enumerate(approved.pages)]
    table = misreadings(projections)
    # A missing page's text stays as approved: it is reported once, as the missing page
    # with its clauses and values, never as its neighbours' clauses cut short.
    scanned = list(texts)
    with ExitStack() as stack:
        if early is None:
            early = stack.enter_context(PageComparisons(approved, approved_pdf, dpi, workdir))
        pairs = sorted(mapping.items())
        for i, j in pairs:
            early.start(i, j, scan.pages[i])
        every = [early.result(i, j) for i, j in pairs]
        for (_, j), found in zip(pairs, every, strict=True):
            for d in found:
                log.debug(
                    "p%d %r -> %r ink %.3f %s",
                    j + 1,
                    a_norm[j][d.a_start : d.a_end],
                    d.scanned,
                    d.ink,
                    "changed" if d.changed else "alike",
                )
            scanned[j] = projections[j].apply([d for d in found if d.changed], table)
    comparison = compare("\f".join(texts), "\f".join(scanned))
    page_of = {j: scan.pages[i] for i, j in mapping.items()}
    changes = [_change(c, page_of.get((c.page or 1) - 1)) for c in comparison.changes]
    for finding in findings:
        if finding["kind"] == "missing_page":
            _name_missing(finding, texts[finding["approved_page"] - 1], comparison.old_clauses)
    changes.extend(findings)
    semantic: list[dict[str, Any]] = []
    for item in changes:
        for value in item.get("semantic") or []:
            if item["severity"] != "minor" and value not in semantic:
                semantic.append(value)
    return {
        "changes": changes,
        "semantic": semantic,
        "page_findings": findings,
        "mapping": mapping,
    }


class PageComparisons:
    """Scan pages compared with approved pages, two at a time, started as soon as each
    scan page is read.

    Started early, the comparisons run beside the OCR of the later pages (on the core
    the last page's Tesseract leaves idle), not after it: on a 3-page check they were a
    fifth of the wall time. A page is started against the approved page of the same
    place (``start``), a guess the page matching confirms afterwards; a pair it does
    not confirm is simply never asked for (``result`` starts what was not guessed).
    Rendering (Poppler), registering the images (Pillow) and the FFTs (numpy) release
    the GIL.

    The approved pages are rendered ahead (``_Renders``), the next ones while a page
    is compared: the last page's comparison, which nothing else overlaps, no longer
    waits ~0.25 s for pdftocairo."""

    def __init__(
        self, approved: ScanText, approved_pdf: Path, dpi: int, workdir: Path | None = None
    ) -> None:
        self.approved = approved
        self._stack = ExitStack()
        folder = Path(
            self._stack.enter_context(tempfile.TemporaryDirectory(prefix="approved-", dir=workdir))
        )
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="compare")
        self._renders = _Renders(approved_pdf, dpi, folder, len(approved.pages))
        self._started: dict[tuple[int, int], Future[list[Difference]]] = {}
        self.dpi = dpi
        for j in range(RENDER_AHEAD):
            self._renders.prefetch(j)

    def __enter__(self) -> PageComparisons:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._renders.close()
        self._stack.close()

    def start(self, i: int, j: int, page: PageText) -> None:
        """Compare scan page ``i`` (read as ``page``) with approved page ``j``, in the
        background (once)."""
        if (i, j) not in self._started and 0 <= j < len(self.approved.pages):
            for ahead in range(j, j + RENDER_AHEAD + 1):
                self._renders.prefetch(ahead)
            self._started[(i, j)] = self._pool.submit(self._compare, j, page)

    def result(self, i: int, j: int) -> list[Difference]:
        """The differences of the pair (started with ``start``)."""
        return self._started[(i, j)].result()

    def _compare(self, j: int, page: PageText) -> list[Difference]:
        image = self._renders.acquire(j)
        try:
            return page_differences(self.approved.pages[j], image, page, self.dpi)
        finally:
            self._renders.release(j)


#: How many approved pages are rendered ahead of the page being compared.
RENDER_AHEAD = 2


class _Renders:
    """Approved page images, rendered one at a time on a thread of their own (a
    comparison waits for its render; a render never waits: no deadlock), each removed
    when the last comparison using it is done (a 300-page contract never has 300
    images on disk) and rendered again if a later pair asks for it."""

    def __init__(self, pdf: Path, dpi: int, folder: Path, pages: int) -> None:
        self._pdf, self._dpi, self._folder, self._pages = pdf, dpi, folder, pages
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="render")
        self._lock = threading.Lock()
        self._images: dict[int, Future[Path]] = {}
        self._users: dict[int, int] = {}

    def prefetch(self, j: int) -> None:
        with self._lock:
            self._future(j)

    def acquire(self, j: int) -> Path:
        with self._lock:
            future = self._future(j)
            self._users[j] = self._users.get(j, 0) + 1
        return future.result()

    def release(self, j: int) -> None:
        with self._lock:
            self._users[j] -= 1
            if self._users[j]:
                return
            del self._users[j]
            future = self._images.pop(j)
            if future.done() and future.exception() is None:  # under the lock: a new
                future.result().unlink(missing_ok=True)  # render of j has its name

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _future(self, j: int) -> Future[Path]:
        future = self._images.get(j)
        if future is None and 0 <= j < self._pages:
            future = self._pool.submit(render_page, self._pdf, j + 1, self._dpi, self._folder)
            self._images[j] = future
        if future is None:  # past the last page: nothing to render
            done: Future[Path] = Future()
            done.set_exception(IndexError(j))
            return done
        return future


def similarity(a: str, b: str) -> float:
    """Share of ``a``'s character pairs found in ``b`` (containment, not Jaccard: an
    OCR'd page with some noise still belongs to its page)."""
    pairs_a = {a[k : k + 2] for k in range(len(a) - 1)}
    if not pairs_a:
        return 0.0
    pairs_b = {b[k : k + 2] for k in range(len(b) - 1)}
    return len(pairs_a & pairs_b) / len(pairs_a)


def match_pages(
    approved: list[str], scanned: list[str], pages: list[PageText]
) -> tuple[dict[int, int], list[dict[str, Any]]]:
    """Scan page index -> approved page index, and what is wrong with the pages.

    Each scan page goes to the approved page it shares most character pairs with; a
    nearly empty page between matched neighbours goes by its position; a scan page like
    none is extra (or blank), an approved page no scan page matches is missing, and
    matched pages out of order are reported as misplaced.
    """
    mapping: dict[int, int] = {}
    findings: list[dict[str, Any]] = []
    taken: set[int] = set()
    scores = [[similarity(s, a) for a in approved] if s else [0.0] * len(approved) for s in scanned]
    pairs = sorted(
        ((score, i, j) for i, row in enumerate(scores) for j, score in enumerate(row)),
        reverse=True,
    )
    for score, i, j in pairs:
        if score < PAGE_MATCH or i in mapping or j in taken:
            continue
        mapping[i] = j
        taken.add(j)
    for i in range(len(scanned)):
        if i in mapping or len(scanned[i]) >= SHORT_PAGE:
            continue
        before = mapping.get(i - 1, -1) + 1 if i > 0 else 0
        if (
            before < len(approved)
            and before not in taken
            and len(approved[before]) < SHORT_PAGE * 4
        ):
            mapping[i] = before
            taken.add(before)
    for i, page in enumerate(pages):
        if i in mapping:
            continue
        if not page.words:  # no ink but paper's (pipeline: blank): a duplex scan's backs
            blank = page_finding("blank_page", page.number, None, "blank page")
            findings.append({**blank, "severity": "minor", "note": "nothing printed on it"})
            continue
        what = "page without text" if page.empty else "extra page not in the approved contract"
        findings.append(page_finding("extra_page", page.number, None, what))
    for j in range(len(approved)):
        if j not in taken and approved[j].strip():
            findings.append(
                page_finding("missing_page", None, j + 1, f"approved page {j + 1} is missing")
            )
    order = [mapping[i] for i in sorted(mapping)]
    if order != sorted(order):
        for i in sorted(mapping):
            if order.index(mapping[i]) != sorted(order).index(mapping[i]):
                findings.append(
                    page_finding(
                        "misplaced_page",
                        pages[i].number,
                        mapping[i] + 1,
                        f"scan page {pages[i].number} is approved page {mapping[i] + 1}",
                    )
                )
    return mapping, findings


def page_finding(kind: str, page: int | None, approved: int | None, text: str) -> dict[str, Any]:
    """A page-level finding, major, in the shape of a change."""
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


def _name_missing(finding: dict[str, Any], text: str, clauses: Sequence[Clause]) -> None:
    """A missing page's finding with what the page held: its clauses (the one running
    over from the page before included) and the values printed on it, each as removed.
    """
    from contractctl.compare import SemanticChange
    from contractctl.compare.normalise import comparison_form
    from contractctl.compare.semantic import extract

    page = finding["approved_page"]
    starting = [c for c in clauses if c.page == page and c.id != "preamble"]
    before = [c for c in clauses if c.page < page]
    head = comparison_form(text)[:40]
    opens = bool(starting) and head.startswith(comparison_form(starting[0].text)[: len(head)])
    held = ([] if opens or not before else [before[-1]]) + starting
    forms = {c.id: comparison_form(c.text) for c in held}
    semantic: list[dict[str, Any]] = []
    for value in extract(text):
        source = comparison_form(value.source or value.display)
        clause = next((c.id for c in held if source and source in forms[c.id]), None)
        if clause is None and held:
            clause = held[0].id
        removed = SemanticChange(
            value.what, value.label, value.display, None, clause or "", old_value=value.value
        )
        semantic.append({**removed.to_dict(), "clause": clause})
    ids = [c.id for c in held if c.parent is None or clauses[c.parent] not in held]
    if ids:
        span = ids[0] if len(ids) == 1 else f"{ids[0]} … {ids[-1]}"
        named = [f"{s['label']} {s['old']}" for s in semantic[:4]]
        more = " …" if len(semantic) > 4 else ""
        finding["message"] += f" ({span}" + (f"; {', '.join(named)}{more}" if named else "") + ")"
    finding.update({"clause": ids[0] if ids else None, "clauses": ids, "semantic": semantic})


def _change(change: ClauseChange, page: PageText | None) -> dict[str, Any]:
    """One engine change as a difference of the scan: its scan page and severity."""
    data: dict[str, Any] = change.to_dict()
    severity = change.severity
    semantic = list(data.get("semantic") or [])
    if severity != "critical" and account_changed(change.ops):
        severity = "critical"
    number = number_changed(change.old or "", change.new or "")
    if number is not None and severity != "critical":
        severity = "critical"
        semantic.append(
            {
                "what": "number",
                "label": "number",
                "old": number[0],
                "new": number[1],
                "clause": change.clause,
                "text": f"{number[0]} → {number[1]}",
            }
        )
    party = party_changed(change.old or "", change.new or "")
    if party is not None:
        severity = "critical"
        semantic.append(
            {
                "what": "party",
                "label": "party",
                "old": party[0],
                "new": party[1],
                "clause": change.clause,
                "text": f"party {party[0]} → {party[1]}",
            }
        )
    data.update(
        {
            "page": page.number if page is not None else None,
            "approved_page": change.page,
            "severity": severity,
            "semantic": semantic,
            "confidence": None,
            "approved": change.old,
            "scanned": change.new,
        }
    )
    return data


_NUMBER = re.compile(r"[¥$€£]?\d[\d,.]*\d|\d")


def number_changed(old: str, new: str) -> tuple[str, str] | None:
    """(approved, scanned) when a number in ``old`` is gone and another stands in
    ``new`` (an amount, a quantity, a day the engine did not recognise as a value),
    each whole where a narrow cell wrapped it over lines (``1,280,000.0`` | ``0``)."""
    olds = _NUMBER.findall(unwrap_values(old))
    news = _NUMBER.findall(unwrap_values(new))
    lost = [n for n in olds if n not in news]
    gained = [n for n in news if n not in olds]
    if lost and gained:
        return lost[0], gained[0]
    return None


def party_changed(old: str, new: str) -> tuple[str, str] | None:
    """(approved name, scanned name) when a company's name in ``old`` is not in
    ``new`` and another stands there."""
    olds = [m.group(0) for m in _PARTY.finditer(old)]
    news = [m.group(0) for m in _PARTY.finditer(new)]
    lost = [n for n in olds if n not in news]
    gained = [n for n in news if n not in olds]
    if lost and gained:
        return lost[0], gained[0]
    return None


def account_changed(ops: list[tuple[str, str]]) -> bool:
    """A digit changed inside a long number (account, ID, credit code)."""
    old = "".join(t for op, t in ops if op in ("equal", "delete"))
    new = "".join(t for op, t in ops if op in ("equal", "insert"))
    changed = any(op != "equal" and any(c.isdigit() for c in t) for op, t in ops)
    # a space OCR put inside a long number does not change it
    old, new = (_DIGIT_GAP.sub("", text) for text in (old, new))
    return changed and set(_ACCOUNT.findall(old)) != set(_ACCOUNT.findall(new))
