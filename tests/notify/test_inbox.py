"""`inbox`: an approver sees what waits for them without running `list` and `route` for
each contract: approvals at their stage (also as a delegate), contracts returned to them,
obligations they own, with due dates and how late."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from contractctl.store import Store
from tests.cli.test_approval import _draft
from tests.conftest import Cli
from tests.notify.conftest import email_settings, write_team
from tests.notify.servers import Mailbox


def _late_by(home: Path, contract: str, hours: int) -> None:
    due = datetime.now(UTC) - timedelta(hours=hours, minutes=5)
    with Store.open(home) as store, store.transaction("tester") as tx:
        tx.conn.execute(
            "UPDATE approval_tasks SET due_at = ? WHERE state = 'pending' AND route_id IN "
            "(SELECT id FROM approval_routes WHERE contract_id = ?)",
            (due.isoformat(timespec="seconds").replace("+00:00", "Z"), contract),
        )


def test_the_approver_sees_what_waits_at_their_stage_most_urgent_first(
    cli: Cli, home: Path
) -> None:
    write_team(home)
    calm, late = _draft(home, key="calm"), _draft(home, key="late")
    cli("submit", calm)
    cli("submit", late)
    _late_by(home, late, 50)
    result = cli("inbox", "--as", "zhao.lei", "--json")
    assert result.code == 0, result.stderr
    view = result.json()
    assert view["person"] == "zhao.lei"
    items = view["items"]
    assert [(i["kind"], i["contract_id"], i["overdue"]) for i in items] == [
        ("approval", late, True),
        ("approval", calm, False),
    ]
    assert items[0]["late_hours"] == 50 and items[1]["late_hours"] == 0
    assert items[0]["what"] == "approve stage 1 (dept_head)"
    assert items[0]["amount"] == {"minor": 12345650, "currency": "CNY"}
    assert items[0]["counterparty"] and items[0]["due"].endswith("Z")
    table = cli("inbox", "--as", "zhao.lei")
    assert "2d 2h late" in table.stdout and late in table.stdout
    assert cli("inbox", "--as", "wang.fang", "--json").json()["items"] == []  # not yet


def test_a_delegate_sees_the_approvals_they_stand_in_for(cli: Cli, home: Path) -> None:
    write_team(home)
    today = date.today()
    with (home / "people.toml").open("a", encoding="utf-8") as people:
        people.write(
            '\n[[people]]\nid = "qian.feng"\nname = "钱峰"\n'
            f'\n[[delegations]]\nfrom = "zhao.lei"\nto = "qian.feng"\n'
            f"start = {today - timedelta(days=1)}\nend = {today + timedelta(days=1)}\n"
        )
    contract = _draft(home)
    cli("submit", contract)
    (item,) = cli("inbox", "--as", "qian.feng", "--json").json()["items"]
    assert (item["contract_id"], item["on_behalf_of"]) == (contract, "zhao.lei")
    assert "(for zhao.lei)" in cli("inbox", "--as", "qian.feng").stdout


def test_the_drafter_sees_a_returned_contract_with_the_comment_and_their_obligations(
    cli: Cli, home: Path
) -> None:
    write_team(home)
    contract = _draft(home)
    cli("submit", contract)
    cli("approve", contract, "--as", "zhao.lei")
    cli("return", contract, "--as", "wang.fang", "-m", "请补充验收标准")
    with Store.open(home) as store, store.transaction("tester") as tx:
        tx.conn.execute(
            "INSERT INTO obligations (contract_id, kind, due_date, description, amount_minor, "
            "currency, state, source, created_at) VALUES (?, 'payment', ?, '首付款', 3000000, "
            "'CNY', 'open', 'test', ?)",
            (contract, (date.today() - timedelta(days=2)).isoformat(), date.today().isoformat()),
        )
    items = cli("inbox", "--as", "drafter", "--json").json()["items"]
    assert [(i["kind"], i["overdue"]) for i in items] == [("obligation", True), ("returned", False)]
    obligation, returned = items
    assert obligation["what"] == "首付款" and obligation["late_hours"] == 48
    assert obligation["counterparty"] == returned["counterparty"] != "company"
    assert returned["comment"] == "请补充验收标准" and returned["contract_id"] == contract
    # the submitter sees the returned contract too; its obligation is the drafter's
    assert [i["kind"] for i in cli("inbox", "--json").json()["items"]] == ["returned"]


def test_another_persons_inbox_is_for_their_head_their_delegate_and_admins(
    cli: Cli, home: Path
) -> None:
    write_team(home)
    contract = _draft(home)
    cli("submit", contract)
    as_head = cli("inbox", "--as", "li.ming", "--for", "zhao.lei", "--json")  # operations' head
    assert as_head.code == 0 and as_head.json()["person"] == "zhao.lei"
    assert [i["contract_id"] for i in as_head.json()["items"]] == [contract]
    assert cli("inbox", "--for", "zhao.lei", "--json").code == 0  # tester is an admin
    refused = cli("inbox", "--as", "wang.fang", "--for", "zhao.lei")
    assert refused.code == 3 and "may not see zhao.lei's inbox" in refused.stderr
    unknown = cli("inbox", "--for", "nobody")
    assert unknown.code == 2 and "no person nobody" in unknown.stderr


def test_nothing_waiting_is_said_on_stderr_and_json_is_an_empty_list(cli: Cli, home: Path) -> None:
    write_team(home)
    empty = cli("inbox", "--as", "sun.li")
    assert empty.code == 0 and empty.stdout == "" and "Nothing waits for sun.li" in empty.stderr
    assert cli("inbox", "--as", "sun.li", "--json").json() == {"person": "sun.li", "items": []}


def test_an_approved_contract_waits_for_the_companys_signature_in_the_owners_inbox(
    cli: Cli, home: Path
) -> None:
    write_team(home)
    contract = _draft(home, amount_price="1000", quantity=1)  # ¥1,000: one stage
    cli("submit", contract)
    assert cli("approve", contract, "--as", "zhao.lei").code == 0
    items = cli("inbox", "--as", "drafter", "--json").json()["items"]
    assert [(i["kind"], i["contract_id"], i["what"]) for i in items] == [
        ("signature", contract, "sign for the company")
    ]
    assert cli("inbox", "--as", "zhao.lei", "--json").json()["items"] == []


def test_an_obligation_reaches_its_own_owner_not_the_contracts(
    cli: Cli, home: Path, smtp: Mailbox
) -> None:
    write_team(home, notify=email_settings(smtp))
    contract = _draft(home)
    with Store.open(home) as store, store.transaction("tester") as tx:
        tx.conn.execute(
            "INSERT INTO obligations (contract_id, kind, due_date, description, state, source, "
            "owner, created_at) VALUES (?, 'renewal_notice', ?, '续约通知截止', 'open', 'test', "
            "'wang.fang', ?)",
            (contract, (date.today() + timedelta(days=3)).isoformat(), date.today().isoformat()),
        )
    items = cli("inbox", "--as", "wang.fang", "--json").json()["items"]
    assert [(i["kind"], i["what"], i["overdue"]) for i in items] == [
        ("obligation", "续约通知截止", False)
    ]
    assert cli("inbox", "--as", "drafter", "--json").json()["items"] == []
    for _ in range(2):
        assert cli("notify").code == 0
    (message,) = smtp.to("wang.fang@example.com")
    assert message["Subject"].startswith(f"[{contract}] 即将到期：")
    assert "需要：续约通知截止" in message.get_content()


def test_an_order_whose_next_step_is_due_waits_in_its_creators_inbox(
    signed: tuple[Path, str], smtp: Mailbox
) -> None:
    from contractctl.orders.orders import create_order
    from tests.notify.conftest import notify_at

    home, contract = signed  # a purchase contract signed by both parties
    write_team(home, notify=email_settings(smtp))
    with Store.open(home) as store, store.transaction("drafter") as tx:
        order = create_order(tx, contract, due=date.today() + timedelta(days=3))
    cli = Cli(home)
    items = cli("inbox", "--as", "drafter", "--json").json()["items"]
    (step,) = [i for i in items if i["kind"] == "order"]
    assert step["contract_id"] == contract and str(order["id"]) in step["what"]
    assert step["due"] == (date.today() + timedelta(days=3)).isoformat()
    notify_at(home)
    notify_at(home)
    mine = [m for m in smtp.to("chen.jing@example.com") if str(order["id"]) in m.get_content()]
    assert len(mine) == 1 and "即将到期" in mine[0]["Subject"]
