"""Text out of DOCX and PDF files, shared by drafting, import and compare.

PDF text comes from Poppler's ``pdftotext`` (about 10x faster than pypdf on Chinese
PDFs, PERFORMANCE-NOTES.md); DOCX text from the one DOCX reader
(:mod:`~contractctl.documents.docx_reader`), paragraphs and table rows in document order.
"""

from __future__ import annotations

from pathlib import Path

from contractctl import tools
from contractctl.documents.symbols import readable
from contractctl.errors import InvalidInput


def pdf_text(path: Path, *, timeout: float = 120) -> str:
    """The text layer of a PDF, pages separated by form feeds, Word's symbol-font check
    boxes as the characters they show (:mod:`~contractctl.documents.symbols`)."""
    result = tools.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], timeout=timeout, check=False)
    if result.returncode != 0:
        raise InvalidInput(f"{path.name}: cannot read the PDF: {result.stderr.strip()[:200]}")
    return readable(result.stdout)  # a Word check box the PDF kept as Wingdings' code


def docx_text(path: Path) -> str:
    """Every word of a DOCX as Word shows it, one paragraph or table row a line.

    The one DOCX reader, :func:`~contractctl.documents.docx_reader.read_docx`: tracked
    insertions, text boxes, content controls, fields' results and list numbers included,
    deleted text left out; headers first, then the body, notes and footers.
    """
    from contractctl.documents.docx_reader import read_docx

    try:
        return read_docx(path)
    except InvalidInput as exc:
        raise InvalidInput(f"{path.name} is not a readable DOCX: {exc}") from exc
