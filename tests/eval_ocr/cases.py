"""Clean and tampered PDFs of one corpus document, cut to its checked window of pages.

Each case is an approved PDF (the clean document's window) and a PDF to scan (the
same, or a tampered copy's same pages, or the window's pages swapped), with what the
check should name: the old and the new value, or the sentence deleted or inserted.
Everything is cached under build/eval-ocr-cache/ by a digest of how it was made.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.eval_ocr import documents as D

KINDS = ("amount", "date", "sentence_deleted", "clause_inserted", "party", "pages_swapped")


@dataclass
class Case:
    """One check to run: ``scan_pdf`` (to be scanned) against ``approved_pdf``."""

    document: str
    language: str
    kind: str  # "clean" or one of KINDS
    approved_pdf: Path
    scan_pdf: Path
    page_order: list[int] | None = None
    old: str = ""
    new: str = ""


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pages_text(pdf: Path) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    pages = out.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return pages


def _render(docx: Path, pdf: Path) -> None:
    from contractctl.drafting.convert import convert_one

    if not pdf.exists():
        convert_one(docx, pdf, timeout=180)


def _cut(pdf: Path, first: int, out: Path) -> Path:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(str(pdf))
    writer = PdfWriter()
    for n in range(first, min(first + D.PAGES, len(reader.pages))):
        writer.add_page(reader.pages[n])
    with out.open("wb") as handle:
        writer.write(handle)
    return out


def _window(pages: list[str], values: list[str]) -> int:
    """The first page of the PAGES consecutive pages holding the most values."""
    squashed = [_squash(p) for p in pages]
    best, first = -1, 0
    for start in range(max(1, len(pages) - D.PAGES + 1)):
        text = "".join(squashed[start : start + D.PAGES])
        score = sum(1 for v in values if _squash(v) in text)
        if score > best:
            best, first = score, start
    return first


def build(language: str, path: Path) -> list[Case]:
    """The clean case and every applicable tamper of one document."""
    folder = D.CACHE / D.digest(path.name)
    folder.mkdir(parents=True, exist_ok=True)
    if language == "en":
        return _build_en(folder)
    clean_docx = folder / "clean.docx"
    filled = D.fill_docx(path, clean_docx)
    full = folder / "clean-full.pdf"
    _render(clean_docx, full)
    pages = _pages_text(full)
    values = [b.value for b in filled.blanks if b.kind in ("party", "amount", "day")]
    first = _window(pages, values)
    approved = folder / "approved.pdf"
    if not approved.exists():
        _cut(full, first, approved)
    window = _squash("".join(pages[first : first + D.PAGES]))
    cases = [Case(path.stem, language, "clean", approved, approved)]

    def tampered(kind: str, edit: Callable[[Any], bool] | None, over: dict[int, str]) -> Path:
        import docx

        target = folder / f"{kind}.docx"
        D.fill_docx(path, target, over)
        if edit is not None:
            document = docx.Document(str(target))
            if not edit(document):
                raise LookupError(kind)
            document.save(str(target))
        whole = folder / f"{kind}-full.pdf"
        _render(target, whole)
        return _cut(whole, first, folder / f"{kind}.pdf")

    blanks = filled.blanks
    for k, blank in enumerate(blanks):
        if blank.kind == "amount" and _squash(blank.value) in window:
            new = blank.value[0] + str((int(blank.value[1]) + 6) % 10) + blank.value[2:]
            pdf = tampered("amount", None, {k: new})
            cases.append(
                Case(path.stem, language, "amount", approved, pdf, old=blank.value, new=new)
            )
            break
    for k, blank in enumerate(blanks):
        if blank.kind != "day" or k < 2 or blanks[k - 1].kind != "month":
            continue
        date = f"{blanks[k - 2].value}年{blanks[k - 1].value}月{blank.value}日"
        if blanks[k - 2].kind == "year" and date in window:
            day = str(int(blank.value) % 25 + 3)
            pdf = tampered("date", None, {k: day})
            new = f"{blanks[k - 2].value}年{blanks[k - 1].value}月{day}日"
            cases.append(Case(path.stem, language, "date", approved, pdf, old=date, new=new))
            break
    for blank in blanks:
        if blank.kind == "party" and blank.value in window:
            new = blank.value[0] + "南" + blank.value[2:]
            over = {k: new for k, b in enumerate(blanks) if b.value == blank.value}
            pdf = tampered("party", None, over)
            cases.append(
                Case(path.stem, language, "party", approved, pdf, old=blank.value, new=new)
            )
            break
    cases += _structural(path.stem, language, approved, window, tampered, D.INSERTED_ZH)
    return cases


def _structural(
    name: str,
    language: str,
    approved: Path,
    window: str,
    tampered: Callable[[str, Callable[[Any], bool] | None, dict[int, str]], Path],
    clause: str,
) -> list[Case]:
    cases = []
    deleted: list[str] = []

    def delete(document: Any) -> bool:
        sentence = D.delete_last_sentence(document, lambda t: _squash(t)[:30] in window)
        if sentence:
            deleted.append(sentence)
        return sentence is not None

    try:
        pdf = tampered("sentence_deleted", delete, {})
        cases.append(Case(name, language, "sentence_deleted", approved, pdf, old=deleted[0]))
    except LookupError:
        pass
    # the clause must land on the pages checked: a paragraph of repeated boilerplate
    # may match before them (then the pages only shift), so the next one is tried
    for skip in range(4):
        try:
            pdf = tampered(
                "clause_inserted" + (f"-{skip}" if skip else ""),
                lambda d, skip=skip: D.insert_clause(
                    d, lambda t: _squash(t)[:30] in window, clause, skip
                ),
                {},
            )
        except LookupError:
            break
        if _squash(clause)[:20] in _squash("".join(_pages_text(pdf))):
            cases.append(Case(name, language, "clause_inserted", approved, pdf, new=clause))
            break
    cases.append(Case(name, language, "pages_swapped", approved, approved, page_order=[2, 1]))
    return cases


def _build_en(folder: Path) -> list[Case]:
    values = {
        "date": "March 5, 2025",
        "party1": "Acme Analytics, Inc.",
        "party2": "Blue River Labs LLC",
    }
    clean_docx = folder / "clean.docx"
    D.english_docx(clean_docx, values)
    full = folder / "clean-full.pdf"
    _render(clean_docx, full)
    pages = _pages_text(full)
    first = _window(pages, list(values.values()))
    approved = folder / "approved.pdf"
    if not approved.exists():
        _cut(full, first, approved)
    window = _squash("".join(pages[first : first + D.PAGES]))
    name = "Mutual-NDA"
    cases = [Case(name, "en", "clean", approved, approved)]

    def tampered(kind: str, edit: Callable[[Any], bool] | None, over: dict[str, str]) -> Path:
        import docx

        target = folder / f"{kind}.docx"
        D.english_docx(target, {**values, **over})
        if edit is not None:
            document = docx.Document(str(target))
            if not edit(document):
                raise LookupError(kind)
            document.save(str(target))
        whole = folder / f"{kind}-full.pdf"
        _render(target, whole)
        return _cut(whole, first, folder / f"{kind}.pdf")

    if _squash(values["date"]) in window:
        pdf = tampered("date", None, {"date": "March 8, 2025"})
        cases.append(
            Case(name, "en", "date", approved, pdf, old="March 5, 2025", new="March 8, 2025")
        )
    if _squash(values["party1"]) in window:
        pdf = tampered("party", None, {"party1": "Apex Analytics, Inc."})
        cases.append(
            Case(name, "en", "party", approved, pdf, old="Acme Analytics", new="Apex Analytics")
        )
    cases += _structural(name, "en", approved, window, tampered, D.INSERTED_EN)  # type: ignore[arg-type]
    return cases
