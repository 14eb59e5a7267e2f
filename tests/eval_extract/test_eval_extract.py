"""A sample of the extraction evaluation, held to the issue's thresholds.

`make eval-extract` runs every model contract; this runs the first 24 of them (filled and
blank) and every English case, so `make test` notices a regression on others' documents.
"""

from __future__ import annotations

import os

import pytest

from tests.eval_extract import en_docs, zh_fill
from tests.eval_extract.score import Report, evaluate

SAMPLE = 24


@pytest.fixture(scope="module")
def report() -> Report:
    if not zh_fill.available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the shared corpus is missing: {zh_fill.ZH}")
        pytest.skip("the shared corpus (../shared/corpus/) is not here")
    return evaluate(zh_fill.cases(SAMPLE) + en_docs.cases())


def test_blank_forms_yield_no_parties_and_no_amounts(report: Report) -> None:
    assert report.blank_values == []


@pytest.mark.parametrize(
    ("field", "precision", "recall"),
    [
        ("parties", 0.9, 0.9),
        ("dates", 0.9, 0.9),
        ("renewal", 0.9, 0.9),
        ("notice", 0.9, 0.9),
        ("amount", 0.95, 0.8),
    ],
)
def test_each_field_meets_its_threshold(
    report: Report, field: str, precision: float, recall: float
) -> None:
    tally = report.tallies[field]
    wrong = [e for e in report.errors if f": {field}" in e or (field == "parties" and "party" in e)]
    assert tally.precision >= precision, wrong
    assert tally.recall >= recall, wrong


def test_under_two_percent_of_unflagged_values_are_wrong(report: Report) -> None:
    wrong, unflagged = report.unflagged_rate()
    assert unflagged > 100
    assert wrong / unflagged < 0.02, [e for e in report.errors if "UNFLAGGED" in e]
