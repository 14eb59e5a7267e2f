"""compare(): two versions of a contract text in, a structured clause-by-clause diff out.

Both texts are segmented (:mod:`~contractctl.compare.segment`) and their clauses aligned
(:mod:`~contractctl.compare.align`). A matched pair whose comparison forms differ is
diffed token by token (:mod:`~contractctl.compare.inline`) and its values compared
(:mod:`~contractctl.compare.semantic`); when no value changed and, for PDF or OCR text,
the difference is only layout, the pair counts as the same. An added or deleted clause
is reported once with everything below it in the outline. Severity: ``critical`` when a
value changed, ``major`` for added, deleted or reworded text, ``minor`` for a clause that
only moved or was renumbered.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from contractctl.compare.align import Alignment, align
from contractctl.compare.inline import (
    diff_tokens,
    layout_only,
    opcodes,
    whole_names,
    whole_values,
)
from contractctl.compare.model import (
    ChangeKind,
    ClauseChange,
    Comparison,
    SemanticChange,
    Severity,
)
from contractctl.compare.normalise import comparison_form, running_lines, tokenise
from contractctl.compare.reflow import without_reflow
from contractctl.compare.segment import Clause, segment
from contractctl.compare.semantic import Value, compare_values, extract
from contractctl.documents.clauses import Heading

__all__ = ["compare"]


def _title(clauses: Sequence[Clause], k: int) -> str:
    """The clause's own title, else its nearest titled ancestor's."""
    index: int | None = k
    while index is not None:
        if clauses[index].title:
            return clauses[index].title
        index = clauses[index].parent
    return ""


def _subtree(clauses: Sequence[Clause], k: int) -> list[int]:
    """Clause k and the clauses below it in the outline."""
    members = [k]
    for n in range(k + 1, len(clauses)):
        if clauses[n].level <= clauses[k].level:
            break
        members.append(n)
    return members


def _breaks(clauses: Sequence[Clause], members: Sequence[int]) -> tuple[int, ...]:
    """Page breaks of the joined bodies (first member's body, the others' whole text)."""
    breaks: list[int] = []
    offset = 0
    for n, k in enumerate(members):
        clause = clauses[k]
        shift = 0 if n == 0 else len(clause.marker)
        breaks += [offset + b + shift for b in clause.page_breaks]
        offset += len(clause.body if n == 0 else clause.text) + 1
    return tuple(breaks)


def _joined(clauses: Sequence[Clause], members: Sequence[int]) -> str:
    return "\n".join(clauses[k].body if n == 0 else clauses[k].text for n, k in enumerate(members))


def _sources(
    semantic: Sequence[SemanticChange], old: Sequence[Value], new: Sequence[Value]
) -> list[tuple[str, str]]:
    """The text each changed value was read from, old and new (``March 1, 2026`` →
    ``April 15, 2026``), for the redline to replace whole."""
    found: list[tuple[str, str]] = []
    for change in semantic:
        was = next((v for v in old if v.what == change.what and v.display == change.old), None)
        now = next((v for v in new if v.what == change.what and v.display == change.new), None)
        if was is not None and now is not None and was.source and now.source:
            found.append((was.source, now.source))
    return found


#: How many neighbouring clauses layout may carry text across.
_NEIGHBOURS = 4


def _without_carried_text(changes: list[ClauseChange], ocr: bool) -> list[ClauseChange]:
    """Changes less the rewordings that are only text the layout carried between
    neighbouring clauses.

    PDF extraction of a Word file's frames and text boxes puts the end of one clause in
    the next (``种方式支付委托费用。`` read after the ``1.`` that follows it): a run of up
    to four neighbouring reworded clauses whose texts, joined, differ only by layout
    (:func:`inline.layout_only`) is not an edit.
    """
    plain = [
        n
        for n, c in enumerate(changes)
        if c.kind == "modified" and not c.semantic and c.old is not None and c.new is not None
    ]
    drop: set[int] = set()
    for k, start in enumerate(plain):
        if start in drop:
            continue
        for end in range(k + 1, min(len(plain), k + _NEIGHBOURS)):
            run = plain[k : end + 1]
            if any(b - a != 1 for a, b in itertools.pairwise(run)):
                break  # only clauses next to each other in the report
            old = tokenise("\n".join(changes[n].old or "" for n in run), ocr=ocr)
            new = tokenise("\n".join(changes[n].new or "" for n in run), ocr=ocr)
            if layout_only(old, new):
                drop.update(run)
                break
    return [c for n, c in enumerate(changes) if n not in drop]


class _Engine:
    def __init__(self, old: str, new: str, ocr: bool, tolerant: bool) -> None:
        self.ocr = ocr
        self.tolerant = tolerant
        self.paged = "\f" in old or "\f" in new  # a PDF's text: its layout moves words
        forms: dict[str, str] = {}  # the versions share most clauses: normalise each once
        headings: dict[str, Heading | None] = {}  # and most lines: read each heading once
        # A PDF's running headers and footers are layout in the other version's text too.
        running = {**running_lines(old), **running_lines(new)} if self.paged else {}
        self.running = running
        self.old = segment(old, forms=forms, headings=headings, running=running)
        self.new = segment(new, forms=forms, headings=headings, running=running)
        self.old_keys = [self._key(c) for c in self.old]
        self.new_keys = [self._key(c) for c in self.new]
        #: Pairs whose difference is layout alone by their own texts (a word a PDF drew
        #: twice or carried in): not reported, but what they carried may balance another
        #: clause's loss in :func:`without_reflow`.
        self.quiet: list[ClauseChange] = []

    def _key(self, clause: Clause) -> str:
        return comparison_form(clause.body, ocr=True) if self.ocr else clause.norm

    def run(self) -> Comparison:
        alignment = align(self.old, self.new, self.old_keys, self.new_keys, ocr=self.ocr)
        placed: list[tuple[float, ClauseChange]] = []
        for i, j in alignment.pairs.items():
            change = self._pair(alignment, i, j)
            if change is not None:
                placed.append((j, change))
        placed += self._unmatched(alignment)
        placed.sort(key=lambda p: p[0])
        changes = [change for _, change in placed]
        if self.tolerant:
            changes = _without_carried_text(changes, self.ocr)
        if self.paged and not self.ocr:
            shown = {c.new_index for c in changes} | {c.new_index for c in self.quiet}
            changes = without_reflow(
                changes,
                alignment.pairs,
                [j for j in alignment.pairs.values() if j not in shown],
                quiet=self.quiet,
                running=self.running,
            )
        if not self.paged:  # a Word file's text: every clause would say page 1
            changes = [replace(c, page=None, old_page=None) for c in changes]
        semantic: list[SemanticChange] = []
        seen: set[tuple[Any, ...]] = set()
        for change in changes:
            for item in change.semantic:
                key = (item.what, item.label, item.old, item.new)
                if key not in seen:
                    seen.add(key)
                    semantic.append(item)
        return Comparison(
            verdict="changed" if changes else "same",
            changes=changes,
            semantic=semantic,
            old_clauses=self.old,
            new_clauses=self.new,
            matches=dict(alignment.pairs),
        )

    def _pair(self, alignment: Alignment, i: int, j: int) -> ClauseChange | None:
        old_members = [i, *alignment.merged_old.get(i, [])]
        new_members = [j, *alignment.merged_new.get(j, [])]
        old_key = (
            self.old_keys[i]
            if len(old_members) == 1
            else comparison_form(_joined(self.old, old_members), ocr=self.ocr)
        )
        new_key = (
            self.new_keys[j]
            if len(new_members) == 1
            else comparison_form(_joined(self.new, new_members), ocr=self.ocr)
        )
        old_clause, new_clause = self.old[i], self.new[j]
        ops: list[tuple[str, str]] = []
        semantic: list[SemanticChange] = []
        text_changed = old_key != new_key
        if text_changed:
            old_text, new_text = _joined(self.old, old_members), _joined(self.new, new_members)
            old_tokens = tokenise(
                old_text, page_breaks=_breaks(self.old, old_members), ocr=self.ocr
            )
            new_tokens = tokenise(
                new_text, page_breaks=_breaks(self.new, new_members), ocr=self.ocr
            )
            codes = opcodes(old_tokens, new_tokens)
            title = _title(self.new, j)
            old_values = extract(old_text, title=_title(self.old, i), ocr=self.ocr)
            new_values = extract(new_text, title=title, ocr=self.ocr)
            semantic = compare_values(
                old_values,
                new_values,
                new_clause.id,
                tolerant=self.tolerant,
                old_text=old_key,
                new_text=new_key,
            )
            if not semantic and not any(tag != "equal" for tag, *_ in codes):
                text_changed = False
            elif not semantic and self.tolerant and layout_only(old_tokens, new_tokens):
                text_changed = False
                if self.paged and j not in alignment.moved and j not in alignment.renumbered:
                    self.quiet.append(
                        ClauseChange(
                            kind="modified", clause=new_clause.id, old_clause=old_clause.id,
                            new_clause=new_clause.id, title="", page=new_clause.page,
                            severity="minor", old=old_text, new=new_text,
                            old_index=i, new_index=j,
                        )
                    )  # fmt: skip
            else:
                ops = whole_values(diff_tokens(old_tokens, new_tokens, codes))
                ops = whole_names(ops, _sources(semantic, old_values, new_values))
        kind: ChangeKind
        if j in alignment.moved:
            kind = "moved"
        elif text_changed:
            kind = "modified"
        elif j in alignment.renumbered:
            kind = "renumbered"
        else:
            return None
        if kind == "renumbered" or (kind == "modified" and j in alignment.renumbered):
            marker = [("delete", old_clause.marker.strip()), ("insert", new_clause.marker.strip())]
            ops = [*marker, ("equal", " "), *(ops or [("equal", new_clause.body)])]
        elif ops and new_clause.marker:  # the heading, for the redline
            first_op, first_text = ops[0]
            if first_op == "equal":
                ops[0] = ("equal", new_clause.marker + first_text)
            else:
                ops.insert(0, ("equal", new_clause.marker))
        severity: Severity = "critical" if semantic else "major" if text_changed else "minor"
        return ClauseChange(
            kind=kind,
            clause=new_clause.id,
            old_clause=old_clause.id,
            new_clause=new_clause.id,
            title=_title(self.new, j),
            page=new_clause.page,
            severity=severity,
            old="\n".join(self.old[k].text for k in old_members),
            new="\n".join(self.new[k].text for k in new_members),
            ops=ops,
            semantic=semantic,
            old_page=old_clause.page,
            old_index=i,
            new_index=j,
        )

    def _unmatched(self, alignment: Alignment) -> list[tuple[float, ClauseChange]]:
        placed: list[tuple[float, ClauseChange]] = []
        matched_new = set(alignment.pairs.values()) | alignment.absorbed_new
        matched_old = set(alignment.pairs) | alignment.absorbed_old
        covered: set[int] = set()
        for j, clause in enumerate(self.new):
            if j in matched_new or j in covered:
                continue
            members = [k for k in _subtree(self.new, j) if k not in matched_new]
            covered.update(members)
            text = "\n".join(self.new[k].text for k in members)
            values = extract(text, title=_title(self.new, j), ocr=self.ocr)
            semantic = compare_values([], values, clause.id)
            placed.append(
                (
                    j,
                    ClauseChange(
                        kind="added", clause=clause.id, old_clause=None, new_clause=clause.id,
                        title=_title(self.new, j), page=clause.page,
                        severity="critical" if semantic else "major", old=None, new=text,
                        ops=[("insert", text)], semantic=semantic, new_index=j,
                    ),
                )
            )  # fmt: skip
        # A deleted clause is shown where it stood: after the new position of the
        # nearest matched clause before it.
        position = {i: float(j) for i, j in alignment.pairs.items()}
        covered = set()
        for i, clause in enumerate(self.old):
            if i in matched_old or i in covered:
                continue
            members = [k for k in _subtree(self.old, i) if k not in matched_old]
            covered.update(members)
            text = "\n".join(self.old[k].text for k in members)
            values = extract(text, title=_title(self.old, i), ocr=self.ocr)
            semantic = compare_values(values, [], clause.id)
            before = max((position[k] for k in position if k < i), default=-1.0)
            placed.append(
                (
                    before + 0.5,
                    ClauseChange(
                        kind="deleted", clause=clause.id, old_clause=clause.id, new_clause=None,
                        title=_title(self.old, i), page=clause.page,
                        severity="critical" if semantic else "major", old=text, new=None,
                        ops=[("delete", text)], semantic=semantic, old_page=clause.page,
                        old_index=i,
                    ),
                )
            )  # fmt: skip
        return placed


def compare(
    old: str, new: str, *, ocr_tolerant: bool = False, layout_tolerant: bool | None = None
) -> Comparison:
    """Compare two versions of a contract text clause by clause.

    ``old`` and ``new`` are extracted texts (``extract.docx_text``/``pdf_text`` or OCR
    output). Clauses are segmented, aligned (renumbered and moved clauses included) and
    diffed inside by character for Chinese and by word for Latin text; amounts, dates,
    percentages, durations and party names are compared as values. Formatting alone
    (width, punctuation variants, whitespace, wrapping, hyphenation, page furniture)
    reports nothing.

    ``ocr_tolerant`` folds common OCR confusions (see
    :mod:`contractctl.compare.normalise`) before deciding that two tokens differ; a
    digit read as another digit is still a change. ``layout_tolerant`` ignores lines and
    table cells that only changed place inside a clause, as PDF extraction and OCR
    reorder them; by default it is on when either text has page breaks (``\\f``, as
    ``pdftotext`` writes them) or ``ocr_tolerant`` is set, and off for DOCX text.
    """
    if layout_tolerant is None:
        layout_tolerant = ocr_tolerant or "\f" in old or "\f" in new
    result = _Engine(old, new, ocr_tolerant, layout_tolerant).run()
    result.old_sha256 = hashlib.sha256(old.encode("utf-8")).hexdigest()
    result.new_sha256 = hashlib.sha256(new.encode("utf-8")).hexdigest()
    return result
