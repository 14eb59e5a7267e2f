"""The PDF that gets signed shows every value the template printed, or there is no draft.

A value can reach the DOCX and still miss the page: docxtpl's ``{{r}}`` used to put it
outside any run (invalid OOXML that LibreOffice skips), a white font or a hidden run
hides it, a tag in an XML attribute never prints. The search index and the contract's
fields would then say what the signed document does not. So after conversion each
value the renderer recorded (as printed: ``¥120,000.00``, ``2026年11月22日``) is looked
for in the PDF's text layer, both compared without whitespace and in Unicode NFKC form
(a line break in a long name, full-width digits, a hyphen at a line end), allowing for
table cells whose wrapped lines the text layer interleaves. A value missing fails the draft
(:class:`~contractctl.errors.CheckFailed`, exit 1) before anything is stored.

Values that are not text on a page by nature are left out: a six-digit hex colour or
a small number, which docxtpl's ``cellbg`` and ``colspan`` print into table properties.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from contractctl.documents.extract import pdf_text
from contractctl.errors import CheckFailed

_PROPERTY_LIKE = re.compile(r"[0-9A-Fa-f]{6}|\d{1,2}")
_SPACE = re.compile(r"[\s\-\u00ad\u2010\u2011]+")


def squash(text: str) -> str:
    """``text`` in NFKC form without whitespace or hyphens: how values and PDFs are compared.

    Hyphens go too because ``pdftotext`` joins a word hyphenated at a line end
    (``0i-`` / ``MF`` reads ``0iMF``).
    """
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def missing_values(printed: Iterable[str], text: str) -> list[str]:
    """The printed values that ``text`` (a PDF's text layer) does not contain."""
    page = squash(text)
    missing = []
    for value in printed:
        wanted = squash(value)
        if not wanted or _PROPERTY_LIKE.fullmatch(wanted):
            continue
        if wanted not in page and not _interleaved(wanted, page):
            missing.append(value)
    return missing


def _interleaved(wanted: str, page: str) -> bool:
    """Whether ``wanted`` appears in order in a short stretch of ``page``.

    Text extraction reads a table row line by line, so two cells that wrap interleave:
    ``工业以太网交换 GS-24P，24口千 / 机 / 兆``. A value counts as shown when its characters
    follow each other within a stretch at most a few times its length.
    """
    span = 4 * len(wanted) + 40
    first = wanted[0]
    start = page.find(first)
    while start >= 0:
        position, limit = start, start + span
        for char in wanted[1:]:
            position = page.find(char, position + 1, limit)
            if position < 0:
                break
        else:
            return True
        start = page.find(first, start + 1)
    return False


def check_pdf(pdf: Path, printed: Iterable[str], *, what: str = "the draft") -> None:
    """Raise CheckFailed naming the values the PDF at ``pdf`` does not show."""
    missing = missing_values(printed, pdf_text(pdf))
    if not missing:
        return
    shown = ", ".join(repr(v if len(v) <= 40 else v[:37] + "...") for v in missing[:5])
    more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
    raise CheckFailed(
        f"{what}: the PDF does not show {len(missing)} value"
        f"{'s' if len(missing) > 1 else ''} the template printed ({shown}{more}); "
        "nothing was stored",
        hint="the template hides or misplaces them (a hidden or white run, a text box "
        "LibreOffice cannot lay out): check it with contractctl template preview",
    )
