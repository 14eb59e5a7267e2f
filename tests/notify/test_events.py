"""What happens to a contract reaches the people concerned when `notify` next runs: the
next stage's approvers, the drafter when it is returned or rejected or approved, and the
group channels that subscribe (legal's 钉钉 group hears of every contract over ¥100,000,
the board's 飞书 group only of those over ¥1,000,000). Each in their own language."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_approval import _draft
from tests.conftest import Cli
from tests.notify.conftest import email_settings, write_team
from tests.notify.servers import Mailbox, Robots


def _subscriptions(robots: Robots) -> str:
    ding, feishu = robots.dingtalk(), robots.feishu()
    return (
        "[[subscriptions]]\n"
        'name = "legal-group"\n'
        'amount_min = "100000"\n'
        'events = ["submitted", "returned", "rejected", "approved"]\n'
        f'dingtalk = {{ webhook = "{ding["webhook"]}", secret = "{ding["secret"]}" }}\n'
        "\n[[subscriptions]]\n"
        'name = "board"\n'
        'amount_min = "1000000"\n'
        f'feishu = {{ webhook = "{feishu["webhook"]}", secret = "{feishu["secret"]}" }}\n'
    )


def _kinds(box: Mailbox, address: str) -> list[str]:
    return [m["Subject"].split("] ")[-1].split("：")[0].split(": ")[0] for m in box.to(address)]


def test_each_step_of_the_route_reaches_who_it_concerns_once(
    cli: Cli, home: Path, smtp: Mailbox, robots: Robots
) -> None:
    write_team(home, notify=email_settings(smtp) + _subscriptions(robots))
    contract = _draft(home)  # ¥123,456.50 by drafter, submitted by tester
    assert cli("submit", contract).code == 0
    cli("notify")
    (group,) = robots.texts("dingtalk")
    assert "已提交审批" in group and contract in group and "审批人：zhao.lei" in group
    assert robots.texts("feishu") == []  # under ¥1,000,000: not the board's business

    assert cli("approve", contract, "--as", "zhao.lei").code == 0
    cli("notify")
    assert _kinds(smtp, "wang.fang@example.com") == ["待您审批"]  # the next stage
    assert _kinds(smtp, "chen.jing@example.com") == ["本级审批通过"]  # the drafter, in Chinese
    assert _kinds(smtp, "tess@example.com") == ["Stage approved"]  # lang = "en"

    returned = cli("return", contract, "--as", "wang.fang", "-m", "违约金条款请改为 5%")
    assert returned.code == 0, returned.stderr
    for _ in range(2):
        cli("notify")
    assert _kinds(smtp, "chen.jing@example.com") == ["本级审批通过", "已退回修改"]
    (back,) = smtp.to("chen.jing@example.com")[1:]
    assert "意见：违约金条款请改为 5%" in back.get_content()
    english = smtp.to("tess@example.com")[-1]
    assert english["Subject"].startswith(f"[{contract}] Returned for changes: ")
    assert "Comment: 违约金条款请改为 5%" in english.get_content()
    assert [t.split("：")[0] for t in robots.texts("dingtalk")] == ["已提交审批", "已退回修改"]


def test_a_rejection_and_a_final_approval_reach_the_drafter(
    cli: Cli, home: Path, smtp: Mailbox, robots: Robots
) -> None:
    write_team(home, notify=email_settings(smtp) + _subscriptions(robots))
    small = _draft(home, amount_price="1000", quantity=1, key="small")  # ¥1,000: one stage
    big = _draft(home, amount_price="600000", quantity=2, key="big")  # ¥1,200,000
    cli("submit", small)
    cli("submit", big)
    assert cli("approve", small, "--as", "zhao.lei").code == 0
    assert cli("reject", big, "--as", "zhao.lei", "-m", "预算不足").code == 0
    cli("notify")
    kinds = _kinds(smtp, "chen.jing@example.com")
    assert sorted(kinds) == ["审批通过，可以签署", "已驳回"]
    # the board hears of the ¥1,200,000 contract's submission and rejection only
    board = robots.texts("feishu")
    assert [t.split("：")[0] for t in board] == ["已提交审批", "已驳回"]
    assert all(big in t and "¥1,200,000.00" in t for t in board)


def test_a_fully_signed_contract_reaches_its_drafter(
    signing_store: tuple[Path, str], smtp: Mailbox
) -> None:
    from contractctl.signing.sign import sign
    from contractctl.store import Store
    from tests.notify.conftest import notify_at
    from tests.signing.test_sign import PASS

    home, contract = signing_store  # approved, with its PDF and the parties' test keys
    write_team(home, notify=email_settings(smtp))
    notify_at(home)  # what happened before: approved, etc.
    before = _kinds(smtp, "chen.jing@example.com")
    with Store.open(home) as store:
        sign(store, "wang.fang", contract, key="org", passphrase=PASS)
        sign(store, "li.lei", contract, key="person-li-lei", passphrase=PASS)
    notify_at(home)
    notify_at(home)
    assert _kinds(smtp, "chen.jing@example.com")[len(before) :] == ["各方已全部签署"]


def test_a_signed_amendment_is_announced_as_in_force(
    signed: tuple[Path, str], smtp: Mailbox
) -> None:
    from contractctl.approval.decide import submit
    from contractctl.drafting.amend import AmendRequest, amend
    from contractctl.signing.sign import sign
    from contractctl.store import Store
    from tests.drafting.test_amend import approve_all
    from tests.notify.conftest import notify_at
    from tests.signing.test_sign import PASS

    home, contract = signed  # signed by both parties
    write_team(home, notify=email_settings(smtp))
    notify_at(home)
    before = len(smtp.to("chen.jing@example.com"))
    with Store.open(home) as store:
        amend(
            store,
            "drafter",
            contract,
            AmendRequest(reason="延长付款期", sets={"payment_days": "45"}),
        )
        with store.transaction("drafter") as tx:
            submit(tx, contract)
        approve_all(store, contract)
        sign(store, "tester", contract, key="org", passphrase=PASS)
        sign(store, "tester", contract, key="person-li-lei", passphrase=PASS, party="counterparty")
    notify_at(home)
    notify_at(home)
    kinds = _kinds(smtp, "chen.jing@example.com")[before:]
    assert kinds[-1] == "变更协议已生效" and kinds.count("变更协议已生效") == 1
    assert "各方已全部签署" not in kinds
