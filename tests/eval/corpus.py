"""The real documents of ``../shared/corpus/`` as texts, and their PDF conversions.

Chinese model contracts are Word files written by others, read as ``diff`` reads a DOCX
(``extract.docx_text``); the English agreement is Markdown, read as a text file. The
folder sits beside the repository (CI has the same copy): without it the evaluation is
skipped, except under ``CI=true``, where a missing corpus is a failure.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO

CORPUS = REPO.parent / "shared" / "corpus"
CI = os.environ.get("CI", "").lower() == "true"
#: PDF conversions are cached here by the SHA-256 of the DOCX LibreOffice opens (~1.5 s each).
CACHE = REPO / "build" / "eval-cache"


@dataclass(frozen=True)
class Document:
    """One corpus document: its name, language (``zh`` or ``en``), path and text."""

    name: str
    language: str
    path: Path
    text: str


def available() -> bool:
    """Whether the corpus folder is there."""
    return (CORPUS / "zh-model-contracts").is_dir() and (CORPUS / "en-commonpaper").is_dir()


def paths(limit: int | None = None) -> list[tuple[str, Path]]:
    """(language, path) of every document, English first, Chinese in name order.

    ``limit`` takes every n-th Chinese document so that a subset still spans the corpus.
    """
    english = sorted((CORPUS / "en-commonpaper").glob("*.md"))
    chinese = sorted((CORPUS / "zh-model-contracts").glob("*.docx"))
    if limit is not None and limit < len(chinese):
        step = len(chinese) / limit
        chinese = [chinese[int(k * step)] for k in range(limit)]
    return [("en", p) for p in english] + [("zh", p) for p in chinese]


def load(language: str, path: Path) -> Document:
    """The document's text as ``diff`` reads it."""
    if path.suffix == ".docx":
        from contractctl.documents.extract import docx_text

        text = docx_text(path)
    else:
        text = path.read_text(encoding="utf-8")
    return Document(path.stem, language, path, text)


def pdf_of(path: Path) -> str | None:
    """The text of the PDF LibreOffice makes of a DOCX (cached), or None without soffice."""
    import shutil

    if path.suffix != ".docx" or shutil.which("soffice") is None:
        return None
    import tempfile

    from contractctl.documents.extract import pdf_text
    from contractctl.drafting.convert import convert_one, layout_copy

    with tempfile.TemporaryDirectory(prefix="contractctl-eval-") as tmp:
        # Keyed by what LibreOffice opens (layout_copy: cross-references frozen, footer
        # boxes fixed), not the file.
        digest = hashlib.sha256(layout_copy(path, Path(tmp)).read_bytes()).hexdigest()[:20]
    cached = CACHE / f"{digest}.pdf"
    if not cached.exists():
        from contractctl.errors import ContractctlError

        CACHE.mkdir(parents=True, exist_ok=True)
        try:
            convert_one(path, cached, timeout=60)
        except ContractctlError:
            return None  # LibreOffice could not convert it (in time): no PDF trial
    return pdf_text(cached)
