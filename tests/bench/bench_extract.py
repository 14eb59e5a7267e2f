"""Metadata extraction: precision and recall per field, and speed, over 500 contracts.

The contracts come from the evaluation set (tests/extraction_corpus.py): Chinese and
English, clean DOCX text, PDF text layers and OCR output, with their true metadata.

Baseline in the same run: the naive extractor a first attempt would be - one regex
search per field over the raw text (the first line is the title, the first sum of money
the amount, the first date the signing date, the first 甲方/Party A line the parties).
Its precision and recall show what the context rules buy; its speed, what they cost.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator
from datetime import date

from contractctl.errors import InvalidInput
from contractctl.metadata import Extracted, Metadata, PartyGuess, extract_metadata
from contractctl.money import parse_money
from tests.bench.harness import Row
from tests.extraction_corpus import Sample, evaluate, generate

DOCUMENTS = 500
SEED = 20_260_305

_NAIVE_MONEY = re.compile(r"(¥|￥|USD|\$|RMB|CNY|EUR|GBP)\s*([\d,]+(?:\.\d{1,2})?)")
_NAIVE_DATE = re.compile(r"(\d{4})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})")
_NAIVE_PARTY = re.compile(r"^\s*(甲方|乙方|Party A|Party B)[^:：\n]*[:：]\s*(\S[^\n]*)", re.M)
_NAIVE_CURRENCY = {"¥": "CNY", "￥": "CNY", "$": "USD", "RMB": "CNY"}


def naive(text: str, *, filename: str | None = None) -> Metadata:
    """One regex search per field over the raw text: what a first attempt would do."""
    meta = Metadata(language="zh" if re.search("[\u4e00-\u9fff]", text) else "en")
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if first_line:
        meta.title = Extracted(first_line, 1.0, first_line)
    money = _NAIVE_MONEY.search(text)
    if money:
        currency = _NAIVE_CURRENCY.get(money.group(1), money.group(1))
        with contextlib.suppress(InvalidInput):  # a naive pass takes what it can
            meta.amount = Extracted(parse_money(money.group(2), currency), 1.0, money.group())
    day = _NAIVE_DATE.search(text)
    if day:
        try:
            value = date(int(day.group(1)), int(day.group(2)), int(day.group(3)))
            meta.signed_date = Extracted(value, 1.0, day.group())
        except ValueError:
            pass
    for match in _NAIVE_PARTY.finditer(text):
        role = "party_a" if match.group(1) in ("甲方", "Party A") else "party_b"
        if all(p.role != role for p in meta.parties):
            name = match.group(2).strip()
            meta.parties.append(PartyGuess(role, match.group(1), name, None, 1.0, name))
    return meta


def _rate(samples: list[Sample], extractor: Callable[..., Metadata], runs: int = 3) -> float:
    """Documents per second, best of ``runs`` passes over all samples."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        for sample in samples:
            extractor(sample.text, filename=sample.filename)
        best = min(best, time.perf_counter() - start)
    return len(samples) / best


def run() -> Iterator[tuple[str, list[Row]]]:
    """Yield the quality table and the speed table."""
    samples = generate(DOCUMENTS, seed=SEED)
    ours = evaluate(samples)
    theirs = evaluate(samples, extractor=naive)
    naive_fields = {"title", "amount", "signed_date", "parties"}
    rows: list[Row] = []
    for name, score in ours.items():
        base = theirs[name] if name in naive_fields else None
        # needs_review counts only contracts that must be reviewed: recall is its measure.
        for measure in ("recall",) if name == "needs_review" else ("precision", "recall"):
            rows.append(
                Row(
                    f"{name} {measure} (n={score.tp + score.fn})",
                    getattr(score, measure),
                    getattr(base, measure) if base is not None else None,
                    "",
                    "first regex match" if base is not None else "",
                    higher_is_better=True,
                )
            )
    mix = {noise: sum(1 for s in samples if s.noise == noise) for noise in ("clean", "pdf", "ocr")}
    languages = sum(1 for s in samples if s.truth.language == "zh")
    yield (
        f"Extraction quality: {DOCUMENTS} contracts ({languages} zh; {mix['clean']} clean, "
        f"{mix['pdf']} PDF text, {mix['ocr']} OCR)",
        rows,
    )
    chars = sum(len(s.text) for s in samples) // len(samples)
    our_rate = _rate(samples, extract_metadata)
    naive_rate = _rate(samples, naive)
    yield (
        f"Extraction speed: {DOCUMENTS} contracts of {chars:,} characters on average "
        "(target well over 100 docs/s)",
        [
            Row(
                "extract_metadata",
                our_rate,
                naive_rate,
                "d/s",
                "one naive regex pass",
                higher_is_better=True,
            ),
            Row("per document", 1000 / our_rate, 1000 / naive_rate, "ms", "one naive regex pass"),
        ],
    )
