"""The Chinese purchase contract's milestones (定金, 预付款, 交货, 验收, 余款, 质保, 质量保证金),
who may record what, waiving, overdue contracts, closing (履行完毕) and amendments."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from contractctl.store import Store
from tests.conftest import Cli, Result
from tests.obligations.signed import PASS, approve_all, copy_signed

TODAY = date.today()


class Legal(Cli):
    """Acts as wang.fang (legal: a keeper of every contract) unless told otherwise."""

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return super().__call__(*args, *([] if "--as" in args else ["--as", "wang.fang"]))


@pytest.fixture
def zh(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> tuple[Cli, str]:
    home, contract_id = copy_signed(tmp_path_factory, tmp_path, "purchase-zh")
    return Legal(home), contract_id


def _workdays(start: date, n: int) -> date:
    day = start
    while n:
        day += timedelta(days=1)
        n -= day.weekday() < 5
    return day


def _got(cli: Cli, cid: str) -> dict[str, dict]:
    return {o["milestone"]: o for o in cli("obligation", "list", cid, "--json").json()}


def test_the_chinese_purchase_contract_gets_deposit_retention_and_the_rest(
    zh: tuple[Cli, str],
) -> None:
    cli, cid = zh
    got = _got(cli, cid)
    assert set(got) == {
        "deposit",
        "prepayment",
        "delivery",
        "acceptance",
        "balance",
        "warranty",
        "retention",
    }
    minor = {m: (o["amount"] or {}).get("minor") for m, o in got.items()}
    # ¥207,122.00: 定金 ¥20,000.00, 30% ¥62,136.60, 5% ¥10,356.10, the rest ¥114,629.30
    assert (minor["deposit"], minor["prepayment"], minor["retention"], minor["balance"]) == (
        2000000,
        6213660,
        1035610,
        11462930,
    )
    assert sum(v for v in minor.values() if v) == 20712200
    assert got["deposit"]["due"] == _workdays(TODAY, 7).isoformat()
    assert got["prepayment"]["due"] == (TODAY + timedelta(days=30)).isoformat()
    assert got["delivery"]["due"] == "2026-12-20"
    assert got["warranty"]["expected"] == "2028-12-27"
    assert got["retention"]["after"] == "warranty" and got["retention"]["expected"] == "2029-01-26"
    assert got["delivery"]["party"] == "counterparty" and got["deposit"]["party"] == "company"


def test_only_finance_records_payments_and_refusals_name_why(zh: tuple[Cli, str]) -> None:
    cli, cid = zh
    got = _got(cli, cid)
    legal = cli("payment", "add", cid, "--amount", "100")
    assert legal.code == 3 and "who may (finance): sun.li" in legal.stderr
    dollars = cli("payment", "add", cid, "--amount", "USD 100", "--as", "sun.li")
    assert dollars.code == 2 and "never converted" in dollars.stderr
    future = cli("payment", "add", cid, "--amount", "100", "--date", "+3d", "--as", "sun.li")
    assert future.code == 2
    named = cli(
        "payment",
        "add",
        cid,
        "--amount",
        "30000",
        "--obligation",
        str(got["deposit"]["id"]),
        "--as",
        "sun.li",
    )
    assert named.code == 3 and "more than obligation" in named.stderr
    by_hand = cli("obligation", "done", str(got["deposit"]["id"]))
    assert by_hand.code == 3 and "¥20,000.00 unpaid" in by_hand.stderr
    part = cli("payment", "add", cid, "--amount", "5000", "--as", "sun.li", "--json").json()
    assert part["allocations"] == [
        {"obligation": got["deposit"]["id"], "amount": {"minor": 500000, "currency": "CNY"}}
    ]
    assert part["completed"] == []
    listed = _got(cli, cid)["deposit"]
    assert listed["paid"] == {"minor": 500000, "currency": "CNY"} and listed["state"] == "open"
    forced = cli("payment", "add", cid, "--amount", "300000", "--force", "--as", "sun.li", "--json")
    assert forced.code == 0 and forced.json()["forced"] is True
    assert forced.json()["balance"]["outstanding"]["minor"] < 0
    assert cli("payment", "list", cid, "--json").json()[1]["forced"] is True
    per_party = cli("payment", "balance", "--json").json()
    assert per_party[0]["direction"] == "outgoing" and per_party[0]["contracts"] == 1


def test_waive_overdue_list_remind_and_close(zh: tuple[Cli, str]) -> None:
    cli, cid = zh
    added = cli(
        "obligation",
        "add",
        cid,
        "--what",
        "样机退还",
        "--due",
        "2026-01-05",
        "--owner",
        "zhou.min",
        "--json",
    )
    assert added.code == 0, added.stderr
    extra = added.json()
    assert extra["status"] == "overdue" and extra["owner"] == "zhou.min"
    assert [c["id"] for c in cli("list", "--overdue", "--json").json()] == [cid]
    reminded = [r for r in cli("remind", "--json").json() if r["kind"] == "other"]
    assert reminded[0]["who"] == "zhou.min" and reminded[0]["overdue"] is True
    mine = cli("obligation", "list", "--mine", "--as", "zhou.min", "--json").json()
    assert [o["id"] for o in mine] == [extra["id"]]
    refused = cli("close", cid)
    assert refused.code == 3 and "still open" in refused.stderr
    not_keeper = cli("obligation", "waive", str(extra["id"]), "-m", "x", "--as", "sun.li")
    assert not_keeper.code == 3
    no_reason = cli("obligation", "waive", str(extra["id"]))
    assert no_reason.code == 2
    assert cli("obligation", "waive", str(extra["id"]), "-m", "对方放弃").code == 0
    assert cli("list", "--overdue", "--json").json() == []
    for o in cli("obligation", "list", cid, "--status", "open", "--json").json():
        assert cli("obligation", "waive", str(o["id"]), "-m", "settled otherwise").code == 0
    closed = cli("close", cid, "--json")
    assert closed.code == 0, closed.stderr
    assert closed.json()["status"] == "completed"
    assert [c["id"] for c in cli("list", "--status", "completed", "--json").json()] == [cid]
    late = cli("obligation", "add", cid, "--what", "x", "--due", "today")
    assert late.code == 3
    with Store.open(cli.home) as store:
        actions = [r[0] for r in store.conn.execute("SELECT action FROM events")]
    assert "contract.complete" in actions and actions.count("obligation.waive") >= 7


def test_attachments_are_objects_listed_by_show_and_known_to_fsck(
    zh: tuple[Cli, str], tmp_path: Path
) -> None:
    cli, cid = zh
    invoice = tmp_path / "发票.pdf"
    invoice.write_bytes(b"%PDF-1.4 invoice")
    added = cli("attach", cid, str(invoice), "--kind", "invoice", "--json")
    assert added.code == 0, added.stderr
    assert Path(added.json()["path"]).read_bytes() == invoice.read_bytes()
    assert cli("attach", cid, str(tmp_path / "none.pdf")).code == 2
    assert cli("attach", cid, str(invoice), "--kind", "bill").code == 2
    assert cli("attach", cid, str(invoice), "--as", "li.ming").code == 3
    shown = cli("show", cid, "--json").json()["attachments"]
    assert [(a["kind"], a["name"]) for a in shown] == [("invoice", "发票.pdf")]
    text = cli("show", cid)
    assert "attachments" in text.stdout and "execution:" in text.stdout
    report = cli("fsck", "--json").json()
    assert report["ok"] and report["checked"]["references"] > 0
    Path(added.json()["path"]).chmod(0o644)
    Path(added.json()["path"]).write_bytes(b"changed")
    broken = cli("fsck", "--json")
    assert broken.code == 1 and any("attachment" in p for p in broken.json()["problems"])


def test_a_signed_amendment_moves_the_open_obligations_and_says_so(
    zh: tuple[Cli, str],
) -> None:
    from contractctl.drafting.amend import AmendRequest, amend
    from contractctl.signing.sign import sign

    cli, cid = zh
    before = _got(cli, cid)
    paid = cli("payment", "add", cid, "--amount", "20000", "--as", "sun.li", "--json").json()
    assert paid["completed"] == [before["deposit"]["id"]]
    with Store.open(cli.home) as store:
        amend(
            store,
            "drafter",
            cid,
            AmendRequest(reason="加量", sets={"items[1].quantity": "30", "payment_days": "45"}),
        )
        approve_all(store, cid)
        sign(store, "wang.fang", cid, key="org", passphrase=PASS)
        sign(store, "li.lei", cid, key="person-li-lei", passphrase=PASS)
        events = [
            r[0]
            for r in store.conn.execute(
                "SELECT data FROM events WHERE action = 'obligations.amended'"
            )
        ]
    assert len(events) == 1
    after = _got(cli, cid)
    assert after["deposit"]["state"] == "done"
    assert after["deposit"]["amount"] == before["deposit"]["amount"]
    # ¥293,622.00 now: 30% ¥88,086.60 due 45 days after the (original) signing
    assert after["prepayment"]["amount"]["minor"] == 8808660
    assert after["prepayment"]["due"] == (TODAY + timedelta(days=45)).isoformat()
    total = sum(o["amount"]["minor"] for o in after.values() if o["amount"])
    assert total == 29362200


def test_fsck_names_a_payment_allocated_beyond_its_amount(zh: tuple[Cli, str]) -> None:
    cli, cid = zh
    assert cli("payment", "add", cid, "--amount", "100", "--as", "sun.li").code == 0
    with Store.open(cli.home) as store:
        store.conn.execute("UPDATE payment_allocations SET amount_minor = 99999")
    report = cli("fsck", "--json")
    assert report.code == 1
    assert any("allocated beyond its amount" in p for p in report.json()["problems"])
