"""Importing historical contracts: batch import of folders, and a watched inbox.

The steps (STYLE.md: pipelines as ordered steps) live in their own modules: discover
(which files, which refused), inspect (text, OCR, metadata; in worker processes),
record (the single writer), and for the inbox a pure stability tracker and the watch
loop. ``import_paths`` runs them for `contractctl import`.
"""

from __future__ import annotations

from contractctl.importer.pipeline import FileOutcome, ImportOptions, ImportReport, import_paths

__all__ = ["FileOutcome", "ImportOptions", "ImportReport", "import_paths"]
