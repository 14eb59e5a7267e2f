"""`review ID`: a reviewer goes through what an import flagged and finishes the queue."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Cli, imported, word_file
from tests.importer.test_review import MSA


def test_review_lists_what_is_flagged_and_says_why(cli: Cli, tmp_path: Path) -> None:
    cid = imported(cli, word_file(tmp_path / "msa.docx", MSA))
    items = cli("review", cid, "--json").json()
    reasons = {x["field"]: x["reason"] for x in items}
    assert reasons["amount"] == "not found in the text"
    assert reasons["expiry_date"].startswith("not written")
    listed = cli("review", cid, "--no-ask")
    assert listed.code == 0 and "to review" in listed.stdout and "amount" in listed.stdout


def test_answering_each_question_finishes_the_review(cli: Cli, tmp_path: Path) -> None:
    cid = imported(cli, word_file(tmp_path / "msa.docx", MSA))
    fields = [x["field"] for x in cli("review", cid, "--json").json()]
    answers = {"amount": "none"}  # Enter confirms everything else
    # a refused answer is asked again: "soon" is no amount
    lines = ["soon" if f == "amount" else "" for f in fields[:1]] + [
        answers.get(f, "") for f in fields
    ]
    result = cli("review", cid, "--ask", input="\n".join(lines) + "\n")
    assert result.code == 0, result.stderr
    assert "not changed" in result.stdout
    assert "reviewed" in result.stderr
    shown = cli("show", cid, "--json").json()
    assert shown["needs_review"] is False and shown["amount"] is None
    assert cli("review", cid, "--json").json() == []


def test_q_stops_and_leaves_the_rest_for_later(cli: Cli, tmp_path: Path) -> None:
    cid = imported(cli, word_file(tmp_path / "msa.docx", MSA))
    before = cli("review", cid, "--json").json()
    result = cli("review", cid, "--ask", input="q\n")
    assert result.code == 0 and "still to review" in result.stderr
    assert cli("review", cid, "--json").json() == before
