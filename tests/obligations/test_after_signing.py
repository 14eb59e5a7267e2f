"""The done-when story: a shipped purchase contract, drafted, approved and signed, gets
its obligations from its own milestones; delivery, acceptance and two payments settle
them and bring the balance to zero."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from contractctl.dates import add_months
from contractctl.store import Store
from tests.conftest import Cli
from tests.obligations.signed import copy_signed

TODAY = date.today()


@pytest.fixture
def purchase(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> tuple[Cli, str]:
    home, contract_id = copy_signed(tmp_path_factory, tmp_path, "purchase-en")
    return Cli(home), contract_id


def _by_milestone(cli: Cli, contract_id: str) -> dict[str, dict]:
    listed = cli("obligation", "list", contract_id, "--json")
    assert listed.code == 0, listed.stderr
    return {o["milestone"]: o for o in listed.json()}


def test_signing_a_purchase_contract_creates_its_obligations_with_dates_and_amounts(
    purchase: tuple[Cli, str],
) -> None:
    cli, cid = purchase
    got = _by_milestone(cli, cid)
    assert list(got) == ["prepayment", "delivery", "acceptance", "balance", "warranty"]
    # The sample: USD 112,680.00, 30% advance within 30 days of signing, delivery by
    # 2027-02-26, inspection within 14 days, balance 30 days after acceptance, 18 months.
    assert got["prepayment"]["amount"] == {"minor": 3380400, "currency": "USD"}
    assert got["prepayment"]["due"] == (TODAY + timedelta(days=30)).isoformat()
    assert got["prepayment"]["party"] == "company"
    assert got["delivery"]["due"] == "2027-02-26" and got["delivery"]["party"] == "counterparty"
    assert got["acceptance"]["due"] is None and got["acceptance"]["after"] == "delivery"
    assert (
        got["acceptance"]["expected"] == "2027-03-12" and got["acceptance"]["status"] == "waiting"
    )
    assert got["balance"]["amount"] == {"minor": 7887600, "currency": "USD"}
    assert got["balance"]["expected"] == "2027-04-11"
    assert got["warranty"]["expected"] == "2028-09-12"
    assert all(o["owner"] == "drafter" and o["state"] == "open" for o in got.values())
    show = cli("show", cid, "--json").json()
    assert show["execution"]["paid"] == {
        "paid": {"minor": 0, "currency": "USD"},
        "of": {"minor": 11268000, "currency": "USD"},
    }
    assert show["execution"]["next"]["milestone"] == "prepayment"


def test_delivery_acceptance_and_two_payments_settle_everything(
    purchase: tuple[Cli, str], tmp_path: Path
) -> None:
    cli, cid = purchase
    got = _by_milestone(cli, cid)
    receipt = tmp_path / "付款凭证-1.pdf"
    receipt.write_bytes(b"%PDF-1.4 bank receipt")
    first = cli(
        "payment",
        "add",
        cid,
        "--amount",
        "33804.00",
        "--date",
        "today",
        "--evidence",
        str(receipt),
        "--as",
        "sun.li",
        "--json",
    )
    assert first.code == 0, first.stderr
    assert first.json()["direction"] == "outgoing"
    assert first.json()["completed"] == [got["prepayment"]["id"]]
    delivered = TODAY - timedelta(days=3)
    note = tmp_path / "delivery-note.pdf"
    note.write_bytes(b"%PDF-1.4 signed delivery note")
    done = cli(
        "obligation",
        "done",
        str(got["delivery"]["id"]),
        "--date",
        delivered.isoformat(),
        "--evidence",
        str(note),
        "--as",
        "wang.fang",
        "--json",
    )
    assert done.code == 0, done.stderr
    fell = {o["milestone"]: o for o in done.json()["fell_due"]}
    assert fell["acceptance"]["due"] == (delivered + timedelta(days=14)).isoformat()
    accepted = TODAY - timedelta(days=1)
    assert (
        cli(
            "obligation",
            "done",
            str(got["acceptance"]["id"]),
            "--date",
            accepted.isoformat(),
            "--as",
            "wang.fang",
        ).code
        == 0
    )
    got = _by_milestone(cli, cid)
    assert got["balance"]["due"] == (accepted + timedelta(days=30)).isoformat()
    assert got["warranty"]["due"] == add_months(accepted, 18).isoformat()
    second = cli("payment", "add", cid, "--amount", "USD 78,876.00", "--as", "sun.li", "--json")
    assert second.code == 0, second.stderr
    assert second.json()["balance"]["outstanding"] == {"minor": 0, "currency": "USD"}
    got = _by_milestone(cli, cid)
    assert {m: o["state"] for m, o in got.items()} == {
        "prepayment": "done",
        "delivery": "done",
        "acceptance": "done",
        "balance": "done",
        "warranty": "open",
    }
    balance = cli("payment", "balance", cid, "--json").json()
    assert balance["outstanding"] == {"minor": 0, "currency": "USD"}
    more = cli("payment", "add", cid, "--amount", "1", "--as", "sun.li")
    assert more.code == 3 and "over-pay" in more.stderr
    show = cli("show", cid, "--json").json()
    assert [a["kind"] for a in show["attachments"]] == ["receipt", "delivery-note"]
    assert show["execution"]["paid"]["paid"] == {"minor": 11268000, "currency": "USD"}
    with Store.open(cli.home) as store:
        actions = [r[0] for r in store.conn.execute("SELECT action FROM events")]
    assert actions.count("payment.add") == 2 and "obligation.done" in actions
