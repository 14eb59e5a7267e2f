"""Clause-aware comparison of two versions of a contract, shared by ``diff`` and ``ocr-check``.

A library, no CLI: :func:`compare` takes two extracted texts (DOCX, PDF or OCR) and
returns a :class:`Comparison` of clause changes (added, deleted, modified, moved,
renumbered) with token redlines and semantic changes (amounts, dates, percentages,
durations, party names); :func:`render_html` turns it into a standalone redline page.
The pieces are usable alone: :func:`normalise` (the comparison form of a text) and
:func:`segment` (its clauses).
"""

from __future__ import annotations

from contractctl.compare.engine import compare
from contractctl.compare.html import render_html
from contractctl.compare.model import ClauseChange, Comparison, SemanticChange
from contractctl.compare.normalise import normalise
from contractctl.compare.segment import Clause, segment

__all__ = [
    "Clause",
    "ClauseChange",
    "Comparison",
    "SemanticChange",
    "compare",
    "normalise",
    "render_html",
    "segment",
]
