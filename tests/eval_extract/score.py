"""Per-field precision, recall and unflagged errors of the extractor on labelled cases.

Precision: of the values the extractor gave, the share that are right. Recall: of the
values the documents state, the share it gave right. A value is *flagged* when a
reviewer is asked to look at it (confidence under 0.8, a review flag, or its field in the
review list); the unflagged-error rate is the share of unflagged values that are wrong,
the number that says whether a contract out of review can be trusted.

What counts: every party name (normalised as the store matches names), the amount, the
three dates (pooled as "dates"), renewal and the notice period where the document's
renewal is labelled (elsewhere only a claim of automatic renewal is judged: a model
contract's own wording is not labelled), and governing law on the English set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from contractctl.metadata import Metadata, extract_metadata, name_key
from contractctl.metadata.model import REVIEW_FLAGS, Term
from tests.eval_extract.cases import Case

THRESHOLD = 0.8
FIELDS = ("parties", "amount", "dates", "renewal", "notice", "governing_law")
DATE_FIELDS = ("signed_date", "effective_date", "expiry_date")


@dataclass
class Tally:
    """Counts for one field."""

    given: int = 0
    right: int = 0
    truth: int = 0
    found: int = 0
    unflagged: int = 0
    unflagged_wrong: int = 0

    @property
    def precision(self) -> float:
        return self.right / self.given if self.given else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.truth if self.truth else 1.0


@dataclass
class Report:
    """Tallies per field and set, with the errors listed for reading."""

    tallies: dict[str, Tally] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    blank_values: list[str] = field(default_factory=list)  # parties/amounts read from blanks
    cases: int = 0

    def tally(self, name: str) -> Tally:
        return self.tallies.setdefault(name, Tally())

    def unflagged_rate(self) -> tuple[int, int]:
        wrong = sum(t.unflagged_wrong for t in self.tallies.values())
        return wrong, sum(t.unflagged for t in self.tallies.values())


def _flagged(meta: Metadata, name: str, item: Any) -> bool:
    if item is None:
        return False
    return (
        item.confidence < THRESHOLD
        or bool(REVIEW_FLAGS.intersection(item.flags))
        or name in meta.needs_review(THRESHOLD)
    )


def _count(
    report: Report,
    case: Case,
    name: str,
    given: object,
    truth: object,
    flagged: bool,
    *,
    judge_given: bool = True,
    judge_truth: bool = True,
) -> None:
    tally = report.tally(name)
    if given is not None and judge_given:
        tally.given += 1
        tally.right += given == truth
        if not flagged:
            tally.unflagged += 1
            tally.unflagged_wrong += given != truth
        if given != truth:
            report.errors.append(
                f"{case.name}: {name} {given!r} (truth {truth!r}){'' if flagged else ' UNFLAGGED'}"
            )
    if truth is not None and judge_truth:
        tally.truth += 1
        tally.found += given == truth
        if given is None:
            report.errors.append(f"{case.name}: {name} missed (truth {truth!r})")


def notice_of(meta: Metadata) -> tuple[Term | None, Any]:
    """The notice period read, in its unit, and its Extracted."""
    item = getattr(meta, "notice", None)
    if item is not None:
        return item.value, item
    days = meta.notice_days
    if days is None or days.value is None:
        return None, days
    return Term(int(days.value), "days"), days


def score_case(report: Report, case: Case, meta: Metadata) -> None:
    """Add one document's results to the report."""
    report.cases += 1
    review = meta.needs_review(THRESHOLD)
    truth_keys = {name_key(n): n for n in case.parties}
    party_tally = report.tally("parties")
    party_tally.truth += len(truth_keys)
    seen: set[str] = set()
    for guess in meta.parties:
        key = name_key(guess.name)
        flagged = guess.confidence < THRESHOLD or "parties" in review
        right = key in truth_keys and key not in seen
        seen.add(key)
        party_tally.given += 1
        party_tally.right += right
        party_tally.found += right
        if not flagged:
            party_tally.unflagged += 1
            party_tally.unflagged_wrong += not right
        if not right:
            report.errors.append(
                f"{case.name}: party {guess.label}={guess.name!r}{'' if flagged else ' UNFLAGGED'}"
            )
        if case.kind.endswith("blank"):
            report.blank_values.append(f"{case.name}: party {guess.name!r}")
    for key, name in truth_keys.items():
        if key not in seen:
            report.errors.append(f"{case.name}: party missed {name!r}")

    amount = meta.amount.value if meta.amount else None
    _count(report, case, "amount", amount, case.amount, _flagged(meta, "amount", meta.amount))
    if amount is not None and case.kind.endswith("blank"):
        report.blank_values.append(f"{case.name}: amount {amount}")

    for name in DATE_FIELDS:
        item = getattr(meta, name)
        value = item.value if item else None
        _count(report, case, "dates", value, getattr(case, name), _flagged(meta, name, item))

    renewal = meta.auto_renewal.value if meta.auto_renewal else None
    flagged = _flagged(meta, "auto_renewal", meta.auto_renewal)
    if case.renewal_known:
        # "not stated" (None) is the truth for a fixed term with no renewal words: a "no"
        # read from its wording is right too.
        truth = case.auto_renewal
        judged = truth if truth is not None else (False if renewal is False else None)
        _count(report, case, "renewal", renewal, judged, flagged)
    elif renewal is True:
        _count(report, case, "renewal", True, None, flagged, judge_truth=False)
    notice, item = notice_of(meta)
    if case.renewal_known or case.notice is not None:
        _count(report, case, "notice", notice, case.notice, _flagged(meta, "notice", item))
    if case.kind.startswith("en"):
        law = meta.governing_law.value if meta.governing_law else None
        _count(
            report,
            case,
            "governing_law",
            law,
            case.governing_law,
            _flagged(meta, "governing_law", meta.governing_law),
        )


def evaluate(cases: Iterable[Case]) -> Report:
    """Extract every case and score it."""
    report = Report()
    for case in cases:
        meta = extract_metadata(case.text, filename=case.filename)
        score_case(report, case, meta)
    return report


def table(report: Report) -> str:
    """The README's table: one row per field, then the unflagged-error rate."""
    lines = [
        "| field | precision | recall | values given | unflagged wrong |",
        "|---|---|---|---|---|",
    ]
    for name in FIELDS:
        t = report.tallies.get(name)
        if t is None:
            continue
        lines.append(
            f"| {name} | {t.precision:.2f} ({t.right}/{t.given}) | {t.recall:.2f} "
            f"({t.found}/{t.truth}) | {t.given} | {t.unflagged_wrong}/{t.unflagged} |"
        )
    wrong, unflagged = report.unflagged_rate()
    rate = wrong / unflagged if unflagged else 0.0
    lines.append(f"| **all** | | | | **{wrong}/{unflagged} = {rate:.1%}** |")
    return "\n".join(lines)
