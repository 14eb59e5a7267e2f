"""Text out of DOCX and PDF files, shared by drafting, import and compare.

PDF text comes from Poppler's ``pdftotext`` (about 10x faster than pypdf on Chinese
PDFs, PERFORMANCE-NOTES.md); DOCX text from python-docx, body paragraphs and table
rows in document order.
"""

from __future__ import annotations

from pathlib import Path

from contractctl import tools
from contractctl.errors import InvalidInput


def pdf_text(path: Path, *, timeout: float = 120) -> str:
    """The text layer of a PDF, pages separated by form feeds."""
    result = tools.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], timeout=timeout, check=False)
    if result.returncode != 0:
        raise InvalidInput(f"{path.name}: cannot read the PDF: {result.stderr.strip()[:200]}")
    return result.stdout


def docx_text(path: Path) -> str:
    """Paragraphs and table rows of a DOCX body, in order, one per line."""
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = Document(str(path))
    except Exception as exc:  # python-docx raises several kinds for a bad file
        raise InvalidInput(f"{path.name} is not a readable DOCX: {exc}") from exc
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    if not cells or cells[-1] != cell.text:  # merged cells repeat
                        cells.append(cell.text)
                lines.append(" | ".join(cells))
    return "\n".join(lines)
