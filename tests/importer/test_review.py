"""Reviewing an import: what was read, how sure, from where, why it is flagged; settling
it with `edit`; and a lifecycle that follows what the contract says about its end.

A user imports old agreements written elsewhere: a services agreement that renews itself
every year, a franchise addendum and a quantity list that is no agreement at all.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from contractctl.importer.renewal import lifecycle, renewal_period
from contractctl.metadata import Term
from contractctl.store import Store
from tests.conftest import Cli, imported, word_file

MSA = """MASTER SERVICES AGREEMENT

This Master Services Agreement is entered into as of March 3, 2021 (the "Effective Date")
by and between Northwind Analytics, Inc., a Delaware corporation ("Company"), and Harbor
Point Logistics LLC, a Texas limited liability company ("Customer").

3. This Agreement continues for an initial term of three (3) years. Thereafter this
Agreement shall continue automatically for successive one-year periods unless either Party
gives written notice of non-renewal at least twelve (12) months prior to the end of the
then-current term.

4. Customer shall pay a monthly fee of $18,500.00.
"""
ADDENDUM = """ADDENDUM TO FRANCHISE AGREEMENT

This Addendum is entered into on October 4, 2016 by Burger Barn Franchising, LLC, a Florida
limited liability company ("Franchisor"), and Lakeview Eats, Inc. ("Franchisee").

NOW, THEREFORE, the parties hereto agree that the royalty fee is reduced to four percent.
"""
NOT_AGREEMENT = """BILL OF QUANTITIES
Item 1 cement 20 tons
Item 2 steel reinforcement 5 tons
Item 3 sand 40 tons
prepared by the site office
"""


def test_an_evergreen_contract_past_its_first_term_is_active_with_its_next_renewal(
    cli: Cli, tmp_path: Path, home: Path
) -> None:
    cid = imported(cli, word_file(tmp_path / "msa.docx", MSA))
    shown = cli("show", cid, "--json").json()
    assert shown["status"] == "active"  # its first term ended 2024-03-02; it renewed
    end = date.fromisoformat(shown["end_date"])
    assert end >= date.today() and (end.month, end.day) == (3, 2)
    open_ = {o["kind"]: o["due"] for o in shown["obligations"] if o["state"] == "open"}
    notice = date.fromisoformat(open_["renewal_notice"])
    assert notice >= date.today() and (notice.month, notice.day) == (3, 2)  # 12 months before
    extracted = {x["field"]: x for x in shown["extracted"]}
    assert extracted["notice"]["value"] == {"months": 12}
    assert "successive one-year" in extracted["auto_renewal"]["source"]


def test_show_lists_each_value_with_its_confidence_source_and_reason(
    cli: Cli, tmp_path: Path
) -> None:
    cid = imported(cli, word_file(tmp_path / "msa.docx", MSA))
    text = cli("show", cid).stdout
    assert "extracted by the import" in text
    assert "Northwind Analytics, Inc." in text and "Harbor Point Logistics LLC" in text
    assert "a Delaware corporation" not in text.split("Northwind Analytics, Inc.")[1][:3]
    extracted = {x["field"]: x for x in cli("show", cid, "--json").json()["extracted"]}
    assert extracted["amount"]["value"] is None  # $18,500 a month is a rate, not the value
    assert extracted["amount"]["reason"] == "not found in the text"
    assert extracted["expiry_date"]["reason"].startswith("not written")


def test_amount_none_clears_the_flag_without_inventing_money(
    cli: Cli, tmp_path: Path, home: Path
) -> None:
    cid = imported(cli, word_file(tmp_path / "msa.docx", MSA))
    assert cli("edit", cid, "--set", "amount=confirm").code == 2  # nothing to confirm
    result = cli("edit", cid, "--set", "amount=none", "--json")
    assert result.code == 0, result.stderr
    assert result.json()["amount"] is None
    with Store.open(home) as store:
        row = store.conn.execute(
            "SELECT amount_minor, currency FROM contracts WHERE id = ?", (cid,)
        ).fetchone()
        assert (row["amount_minor"], row["currency"]) == (None, None)
    extracted = {x["field"]: x for x in cli("show", cid, "--json").json()["extracted"]}
    assert extracted["amount"]["shown"] == "no amount"
    assert extracted["amount"]["reason"].startswith("confirmed by")


def test_edit_keeps_a_notice_period_in_its_unit(cli: Cli, tmp_path: Path) -> None:
    cid = imported(cli, word_file(tmp_path / "msa.docx", MSA))
    assert cli("edit", cid, "--set", "notice=3 months").code == 0
    shown = cli("show", cid, "--json").json()
    due = {o["kind"]: o["due"] for o in shown["obligations"] if o["state"] == "open"}
    notice = date.fromisoformat(due["renewal_notice"])
    assert (notice.month, notice.day) == (12, 2)  # 3 months before 2 March
    assert cli("edit", cid, "--set", "notice=soon").code == 2
    assert cli("edit", cid, "--set", "notice_days=45").code == 0  # as before: days
    shown = cli("show", cid, "--json").json()
    notice = {x["field"]: x for x in shown["extracted"]}["notice"]
    assert notice["value"] == {"days": 45} and notice["reason"].startswith("confirmed by")


@pytest.mark.parametrize(
    ("text", "flagged"),
    [(ADDENDUM, False), (NOT_AGREEMENT, True)],
    ids=["franchise-addendum", "bill-of-quantities"],
)
def test_what_does_not_read_as_a_contract_is_imported_and_flagged_not_refused(
    cli: Cli, tmp_path: Path, text: str, flagged: bool
) -> None:
    cid = imported(cli, word_file(tmp_path / "file.docx", text))
    extracted = {x["field"]: x for x in cli("show", cid, "--json").json()["extracted"]}
    assert ("document" in extracted) is flagged
    if flagged:
        assert extracted["document"]["reason"].startswith("not clearly a contract")
        assert cli("edit", cid, "--set", "document=confirm").code == 0


def test_an_empty_file_is_still_refused(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "empty.pdf").write_bytes(b"")
    result = cli("import", str(tmp_path / "empty.pdf"), "--json")
    assert result.json()["files"][0]["state"] == "failed"


@pytest.mark.parametrize(
    ("renews", "status"),
    [(False, "expired"), (True, "active"), (None, "expired")],
)
def test_only_a_fixed_term_without_renewal_expires(renews: bool | None, status: str) -> None:
    life = lifecycle(
        date(2024, 3, 2), renews, Term(30, "days"), Term(12, "months"), date(2026, 12, 7)
    )
    assert life.status == status
    if renews:
        assert life.end_date == date(2027, 3, 2) and life.renewals == 3
        assert ("renewal_notice", date(2027, 1, 31)) in [(k, d) for k, d, _ in life.obligations]


@pytest.mark.parametrize(
    ("source", "period"),
    [
        ("shall continue automatically for successive one-year periods", Term(12, "months")),
        ("renewed automatically for successive periods of two (2) years", Term(24, "months")),
        ("continue on a month-to-month basis until terminated", Term(1, "months")),
        ("期满前三十日内双方均未书面提出异议的，本合同自动续期一年", Term(12, "months")),
        ("renews automatically", Term(6, "months")),  # the term's length, when not written
    ],
)
def test_the_renewal_period_is_read_from_the_clause(source: str, period: Term) -> None:
    assert renewal_period(source, Term(6, "months")) == period
