"""What a comparison reports: clause changes, semantic changes, and the whole result.

The JSON shape (:meth:`Comparison.to_dict`) is the one DESIGN.md §4 documents for
``diff --json`` and ``ocr-check --json``; fields may be added, never renamed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from contractctl.compare.segment import Clause

__all__ = ["ChangeKind", "ClauseChange", "Comparison", "SemanticChange", "Severity"]

ChangeKind = Literal["added", "deleted", "modified", "moved", "renumbered"]
Severity = Literal["critical", "major", "minor"]
What = Literal["amount", "date", "percentage", "duration", "party"]


@dataclass(frozen=True)
class SemanticChange:
    """A value that changed between two versions of a clause.

    ``label`` names the value (付款金额, 甲方, Contract Price); ``old``/``new`` are display
    strings (``¥120,000.00``, ``2026-01-05``, ``5%``, ``30日``, a party's name), ``None``
    when the value was added or removed; ``old_value``/``new_value`` the machine values
    (``Money.to_dict()``, an ISO date, a percentage as a decimal string, a duration as
    ``{"amount": n, "unit": "day"|"business_day"|"month"|"hour"}``, a party's name).
    ``clause`` is the new clause's id (the old one's for a deleted clause).
    """

    what: What
    label: str
    old: str | None
    new: str | None
    clause: str
    old_value: Any = None
    new_value: Any = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: what, label, old, new, clause, old_value, new_value, and
        ``text``, the line :meth:`describe` writes (old or new is null when only one
        side states the value)."""
        return {
            "what": self.what,
            "label": self.label,
            "old": self.old,
            "new": self.new,
            "clause": self.clause,
            "old_value": self.old_value,
            "new_value": self.new_value,
            "text": self.describe(),
        }

    def describe(self) -> str:
        """One line for people: ``付款金额 ¥120,000.00 → ¥150,000.00``; a value only one
        side states reads ``定金 ¥5,000.00 (added)`` or ``(removed)``, never ``None``."""
        chinese = any("\u4e00" <= c <= "\u9fff" for c in self.label)
        if self.old is None:
            return f"{self.label} {self.new or ''} " + ("（新增）" if chinese else "(added)")
        if self.new is None:
            return f"{self.label} {self.old} " + ("（删除）" if chinese else "(removed)")
        return f"{self.label} {self.old} → {self.new}"


@dataclass
class ClauseChange:
    """One reported change to a clause.

    ``clause`` is the new id (the old one for a deleted clause); ``old_clause`` and
    ``new_clause`` the ids on each side (None where the clause does not exist);
    ``page`` the new side's page (the old side's for a deleted clause); ``old``/``new``
    the clause texts; ``ops`` the redline as ``("equal"|"insert"|"delete", text)`` runs;
    ``semantic`` the value changes found in this clause.
    """

    kind: ChangeKind
    clause: str
    old_clause: str | None
    new_clause: str | None
    title: str
    page: int | None  # None: the texts had no pages (a Word file's), so none is cited
    severity: Severity
    old: str | None
    new: str | None
    ops: list[tuple[str, str]] = field(default_factory=list)
    semantic: list[SemanticChange] = field(default_factory=list)
    old_page: int | None = None
    old_index: int | None = None
    new_index: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of DESIGN.md §4 (plus ids, title, ops and semantic changes)."""
        return {
            "kind": self.kind,
            "clause": self.clause,
            "page": self.page,
            "severity": self.severity,
            "old": self.old,
            "new": self.new,
            "old_clause": self.old_clause,
            "new_clause": self.new_clause,
            "title": self.title,
            "ops": [[op, text] for op, text in self.ops],
            "semantic": [s.to_dict() for s in self.semantic],
        }


@dataclass
class Comparison:
    """The result of :func:`contractctl.compare.compare`.

    ``verdict`` is ``"same"`` when nothing is reported, else ``"changed"``; ``semantic``
    lists each distinct value change once (the first clause it was found in), while each
    change keeps all of its own. ``old_clauses``/``new_clauses`` are the segmented
    versions and ``matches`` how they align (for renderers).
    """

    verdict: Literal["same", "changed"]
    changes: list[ClauseChange]
    semantic: list[SemanticChange]
    old_clauses: list[Clause]
    new_clauses: list[Clause]
    #: old clause index -> new clause index for every matched pair, changed or not.
    matches: dict[int, int] = field(default_factory=dict)
    #: SHA-256 of each compared text (UTF-8), so a redline names exactly what it compared.
    old_sha256: str = ""
    new_sha256: str = ""

    def to_dict(self) -> dict[str, Any]:
        """``{"verdict", "changes": [...], "semantic": [...]}``, JSON-serialisable."""
        return {
            "verdict": self.verdict,
            "changes": [c.to_dict() for c in self.changes],
            "semantic": [s.to_dict() for s in self.semantic],
        }
