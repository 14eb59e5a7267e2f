"""Run the edits through ``compare`` and score what it reports, per edit kind and language.

For each trial: the expected change is *found* when a reported change has its kind (for
a value edit: carries the value's old and new display); it is *cited right* when that
change names the expected clause; every other reported change is a false one.
Precision = found / reported, recall = found / expected, citation = cited right / found.
Formatting-only variants expect nothing: every change they report is a false one.
"""

from __future__ import annotations

import re
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from contractctl.compare import Comparison, compare
from tests.eval.corpus import Document, pdf_of
from tests.eval.edits import Reading, Trial, structure_trials, value_trials
from tests.eval.schemes import VARIANTS, ZH_ENUM, Scheme, rewrite

KINDS = (
    "insert", "delete", "move", "renumber", "reword", "amount", "amount_cn", "date", "percentage",
    "party",
    "formatting", "pdf",
)  # fmt: skip


@dataclass
class Score:
    """Counts for one (edit kind, language)."""

    trials: int = 0
    expected: int = 0
    found: int = 0
    cited: int = 0
    reported: int = 0
    #: Found changes whose redline must replace a token whole, and those that did.
    tokens: int = 0
    whole: int = 0
    #: Found value changes whose summary must name the value, and those named right.
    labels: int = 0
    named: int = 0
    #: Changes that report text the PDF does not print (``PDF_LOSSES``): right, not false.
    lost: int = 0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.found / self.reported if self.reported else (None if self.expected else 1.0)

    @property
    def recall(self) -> float | None:
        return self.found / self.expected if self.expected else None

    @property
    def citation(self) -> float | None:
        return self.cited / self.found if self.found else None


def formatting_trials(document: Document, *, pdf: bool) -> Iterator[Trial]:
    """The same text reformatted: widths and CJK spacing (Chinese) or rewrapped lines
    (English), and, with ``pdf``, the PDF LibreOffice makes of the DOCX."""
    if document.language == "zh":
        wide = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x30, 0x3A)})
        lines = [
            re.sub(r"(?<=[\u4e00-\u9fff])(?=[\u4e00-\u9fff])", " ", line)
            if n % 3 == 0
            else line.translate(wide)
            for n, line in enumerate(document.text.split("\n"))
        ]
        yield Trial("formatting", document.text, "\n".join(lines), None)
    else:
        wrapped = "\n".join(
            textwrap.fill(line, 78, break_on_hyphens=False, break_long_words=False)
            if line
            else line
            for line in document.text.split("\n")
        )
        yield Trial("formatting", document.text, wrapped, None)
    if pdf:
        text = pdf_of(document.path)
        if text is not None:
            yield Trial("pdf", document.text, text, None, lost=_lost(document, text))


#: Text of a model contract that LibreOffice's PDF of it does not print, as its page
#: images show (docs/evaluations.md, "Diff on real documents"): there the PDF is no
#: formatting-only variant, and a diff that reports the text missing is right. Each is
#: checked on every run (in the DOCX's text, in no place of the PDF's), so a fixed
#: conversion, or a change of the file, makes it an ordinary false change again.
PDF_LOSSES = {
    # 游客安全信息卡: text boxes of a fixed 90 mm card set in substitute fonts (its 方正
    # fonts are not on the machine), wider than the card: the line is cut at its edge
    "境内旅游组团社与地接社合同": "tetanaus antitoxin",
    # after a tab to a stop at the edge of a 2-column section's first column, which
    # LibreOffice sets past the column, where the column clips it
    "城市供用气合同": "供气人：\t 用气人：",
}


def _lost(document: Document, pdf_text: str) -> str:
    for name, text in PDF_LOSSES.items():
        lost = _squash(text)
        if name in document.name and lost in _squash(document.text):
            return "" if lost in _squash(pdf_text) else lost
    return ""


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def trials(
    document: Document, *, per_kind: int, pdf: bool, variants: bool = True
) -> Iterator[Trial]:
    """Every trial of one document, and of the document rewritten in the other numbering
    schemes of its language (:mod:`tests.eval.schemes`)."""
    reading = Reading(document.text, document.language)
    yield from structure_trials(reading)
    yield from value_trials(reading, per_kind)
    yield from formatting_trials(document, pdf=pdf)
    articles = reading.articles()
    if not variants or articles is None:
        return
    heads = [start for _, start, _ in articles]
    for scheme in VARIANTS[document.language]:
        if scheme is ZH_ENUM and any(ZH_ENUM.pattern.match(line) for line in reading.lines):
            continue  # its lists are numbered 一、 already: articles so numbered would clash
        text = "\n".join(rewrite(reading.lines, heads, scheme))
        variant = Reading(text, document.language, scheme if isinstance(scheme, Scheme) else None)
        yield from structure_trials(variant)
        yield from value_trials(variant, per_kind)


def judge(trial: Trial, result: Comparison, score: Score, name: str) -> None:
    """Add one trial's outcome to its score."""
    score.trials += 1
    changes = result.changes
    if trial.lost:
        changes = [
            c
            for c in changes
            if not any(op == "delete" and trial.lost in _squash(t) for op, t in c.ops)
        ]
        score.lost += len(result.changes) - len(changes)
    score.reported += len(changes)
    expected = trial.expected
    if expected is None:
        if changes:
            score.misses.append(f"{name}: {_shown(result)}")
        return
    score.expected += 1
    if expected.values is not None:
        hits = [
            c for c in result.changes if any((s.old, s.new) == expected.values for s in c.semantic)
        ]
    else:
        hits = [c for c in result.changes if c.kind == expected.kind]
    if not hits:
        score.misses.append(f"{name}: expected {expected}, got {_shown(result)}")
        return
    score.found += 1
    if expected.tokens is not None:
        score.tokens += 1
        before, after = expected.tokens
        if any(_whole(c.ops, "delete", before) and _whole(c.ops, "insert", after) for c in hits):
            score.whole += 1
        else:
            score.misses.append(f"{name}: {before} → {after} not replaced whole: {hits[0].ops}")
    if expected.label is not None:
        score.labels += 1
        shown = [s for c in hits for s in c.semantic if (s.old, s.new) == expected.values]
        if any(s.label == expected.label for s in shown):
            score.named += 1
        else:
            score.misses.append(f"{name}: named {[s.label for s in shown]}, not {expected.label}")
    right = [c for c in hits if c.clause == expected.clause]
    if right:
        score.cited += 1
    else:
        score.misses.append(f"{name}: cited {hits[0].clause}, expected {expected.clause}")
    if len(result.changes) > 1:
        score.misses.append(f"{name}: {len(result.changes) - 1} extra: {_shown(result)}")


def _whole(ops: list[tuple[str, str]], op: str, token: str) -> bool:
    """Whether one run of the redline holds the whole token, and little besides (a
    currency word or a full stop around it), so the token reads as one replacement."""
    return any(o == op and token in text and len(text) <= len(token) + 4 for o, text in ops)


def _shown(result: Comparison) -> str:
    return ", ".join(
        f"{c.kind} {c.clause}"
        + (f" [{'; '.join(s.describe() for s in c.semantic)}]" if c.semantic else "")
        for c in result.changes[:6]
    ) + (" …" if len(result.changes) > 6 else "")


def evaluate(
    documents: list[Document], *, per_kind: int = 2, pdf: bool = True, variants: bool = True
) -> dict[tuple[str, str], Score]:
    """Scores per (edit kind, language) over the documents."""
    scores: dict[tuple[str, str], Score] = {}
    for document in documents:
        for trial in trials(document, per_kind=per_kind, pdf=pdf, variants=variants):
            score = scores.setdefault((trial.edit, document.language), Score())
            start = time.perf_counter()
            result = compare(trial.old, trial.new)
            score.seconds += time.perf_counter() - start
            judge(trial, result, score, document.name)
    return scores


_LABELS = {
    "amount": "amount (figures)",
    "amount_cn": "amount (大写)",
    "formatting": "formatting only",
    "pdf": "formatting: DOCX vs its PDF",
}


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def table(scores: dict[tuple[str, str], Score]) -> str:
    """The Markdown table the README publishes."""
    rows = [
        "| edit | language | trials | precision | recall | citation right | false changes "
        "| replaced whole | value named right |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for kind in KINDS:
        for language in ("zh", "en"):
            score = scores.get((kind, language))
            if score is None:
                continue
            false = score.reported - score.found
            rows.append(
                f"| {_LABELS.get(kind, kind)} | {language} | {score.trials} | "
                f"{_percent(score.precision)} | "
                f"{_percent(score.recall)} | {_percent(score.citation)} | {false} | "
                f"{_percent(score.whole / score.tokens if score.tokens else None)} | "
                f"{_percent(score.named / score.labels if score.labels else None)} |"
            )
    return "\n".join(rows)
