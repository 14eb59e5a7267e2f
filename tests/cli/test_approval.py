"""The review workflow: submit, approve, reject, return, route, explain, and who may decide."""

from __future__ import annotations

import json
import os
import pwd
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from contractctl.drafting.draft import DraftRequest, draft
from contractctl.drafting.schema import load_schema
from contractctl.store import Store
from tests.conftest import REPO, Cli, installed_contractctl, snapshot

TODAY = date.today()

_LOGIN = pwd.getpwuid(os.geteuid()).pw_name  # a real process acts as the real login
PEOPLE = f"""\
admins = ["tester", "{_LOGIN}"]  # the test runner acts for the people below with --as

[[people]]
id = "zhao.lei"
name = "赵磊"
roles = []

[[people]]
id = "qian.feng"
name = "钱峰"
roles = []

[[people]]
id = "wang.fang"
name = "王芳"
roles = ["legal"]

[[people]]
id = "zhou.min"
name = "周敏"
roles = ["legal"]

[[people]]
id = "sun.li"
name = "孙丽"
roles = ["finance"]

[[people]]
id = "li.ming"
name = "李明"
roles = ["ceo"]

[departments]
procurement = {{ head = "zhao.lei" }}

[[delegations]]
from = "zhao.lei"
to = "qian.feng"
start = {TODAY - timedelta(days=1)}
end = {TODAY + timedelta(days=1)}
reason = "business trip"
"""


def _draft(
    home: Path,
    *,
    amount_price: str = "61728.25",
    quantity: int = 2,
    key: str = "k1",
    deposit: str | None = None,
) -> str:
    spec = load_schema(REPO / "templates" / "purchase-zh.toml")
    data = json.loads(json.dumps(spec.sample, default=str))
    data["items"] = [
        {
            "name": "服务器",
            "spec": "R750",
            "unit": "台",
            "quantity": quantity,
            "unit_price": amount_price,
        }
    ]
    data.pop("amount", None)
    # no 定金 unless asked: the sample's ¥20,000 is over 20% of the smaller prices here
    data["deposit_required"] = deposit is not None
    data.pop("deposit_amount", None)
    if deposit is not None:
        data["deposit_amount"] = deposit
    with Store.open(home) as store:
        result = draft(
            store,
            "drafter",
            DraftRequest(
                template="purchase-zh", data=data, key=key, pdf=False, department="procurement"
            ),
        )
    return result.contract.id


@pytest.fixture
def team(home: Path) -> Path:
    (home / "people.toml").write_text(PEOPLE, encoding="utf-8")
    return home


def test_submit_routes_by_the_rules_and_shows_due_dates(cli: Cli, team: Path) -> None:
    contract = _draft(team)  # ¥123,456.50: department head, then legal
    result = cli("submit", contract, "--json")
    assert result.code == 0, result.stderr
    view = result.json()
    assert view["route_ids"] == ["department", "over-100k"]
    assert [s["name"] for s in view["stages"]] == ["dept_head", "legal"]
    first, second = view["stages"]
    assert (first["state"], second["state"]) == ("pending", "waiting")
    assert first["due"] and second["due"] is None
    assert [a["person"] for a in first["approvers"]] == ["zhao.lei"]
    assert [a["person"] for a in second["approvers"]] == ["wang.fang", "zhou.min"]
    assert cli("show", contract, "--json").json()["status"] == "in_review"
    submitted = cli("audit", contract, "--json").json()[-1]
    assert submitted["action"] == "contract.submit"
    assert submitted["data"]["rules_version"] == view["rules_version"]


def test_only_an_approver_of_the_current_stage_may_decide(cli: Cli, team: Path) -> None:
    contract = _draft(team)
    cli("submit", contract)
    before = snapshot(team)
    outsider = cli("approve", contract, "--as", "sun.li")
    assert outsider.code == 3
    assert "who may decide: zhao.lei (or qian.feng, delegate)" in outsider.stderr
    early = cli("approve", contract, "--as", "wang.fang")
    assert early.code == 3 and "not at wang.fang's stage yet" in early.stderr
    assert snapshot(team) == before


def test_a_delegate_decides_within_the_delegation_and_both_are_recorded(
    cli: Cli, team: Path
) -> None:
    contract = _draft(team)
    cli("submit", contract)
    result = cli("approve", contract, "--as", "qian.feng", "-m", "代赵磊审批")
    assert result.code == 0, result.stderr
    event = cli("audit", contract, "--json").json()[-1]
    assert event["action"] == "approval.approve"
    assert event["actor"] == "qian.feng"
    assert event["data"]["on_behalf_of"] == "zhao.lei"
    approver = cli("route", contract, "--json").json()["stages"][0]["approvers"][0]
    assert (approver["state"], approver["decided_by"]) == ("approved", "qian.feng")


def test_a_delegation_outside_its_dates_gives_no_right_to_decide(cli: Cli, team: Path) -> None:
    text = PEOPLE.replace(
        f"end = {TODAY + timedelta(days=1)}", f"end = {TODAY - timedelta(days=1)}"
    )
    (team / "people.toml").write_text(text, encoding="utf-8")
    contract = _draft(team)
    cli("submit", contract)
    assert cli("approve", contract, "--as", "qian.feng").code == 3


def test_any_stage_is_done_by_one_and_the_last_stage_approves_the_contract(
    cli: Cli, team: Path
) -> None:
    contract = _draft(team)
    cli("submit", contract)
    assert cli("approve", contract, "--as", "zhao.lei").stdout.strip() == "in_review"
    assert cli("approve", contract, "--as", "zhou.min").stdout.strip() == "approved"
    legal = cli("route", contract, "--json").json()["stages"][1]
    assert {a["person"]: a["state"] for a in legal["approvers"]} == {
        "wang.fang": "skipped",
        "zhou.min": "approved",
    }
    late = cli("approve", contract, "--as", "wang.fang")
    assert late.code == 3
    assert cli("show", contract, "--json").json()["status"] == "approved"


def test_an_all_stage_needs_every_approver(cli: Cli, team: Path) -> None:
    contract = _draft(team, amount_price="600000", quantity=2)  # ¥1.2M: + finance, CEO
    view = cli("submit", contract, "--json").json()
    assert [s["name"] for s in view["stages"]] == ["dept_head", "legal", "finance", "ceo"]
    for person in ("zhao.lei", "wang.fang", "sun.li"):
        assert cli("approve", contract, "--as", person).code == 0
    assert cli("approve", contract, "--as", "li.ming").stdout.strip() == "approved"


def test_return_sends_it_back_and_a_resubmission_starts_a_fresh_route(cli: Cli, team: Path) -> None:
    contract = _draft(team)
    cli("submit", contract)
    assert cli("return", contract, "--as", "zhao.lei").code == 2  # a reason is required
    result = cli("return", contract, "--as", "zhao.lei", "-m", "付款条件改为 45 天")
    assert result.stdout.strip() == "returned"
    old_route = cli("route", contract, "--json").json()
    assert old_route["state"] == "returned"
    again = cli("submit", contract, "--json").json()
    assert again["route"] != old_route["route"] and again["state"] == "open"
    actions = [e["action"] for e in cli("audit", contract, "--json").json()]
    assert actions[-4:] == [
        "contract.submit",
        "approval.return",
        "contract.return",
        "contract.submit",
    ]


def test_reject_is_final(cli: Cli, team: Path) -> None:
    contract = _draft(team)
    cli("submit", contract)
    assert cli("reject", contract, "--as", "zhao.lei", "-m", "预算不足").stdout.strip() == (
        "rejected"
    )
    again = cli("submit", contract)
    assert again.code == 3 and "a rejected contract allows: nothing" in again.stderr
    approve = cli("approve", contract, "--as", "li.ming")  # not on the route
    assert approve.code == 3 and "rejected, not in review" in approve.stderr
    assert "submit" not in approve.stderr  # a rejected contract cannot be submitted
    assert "a rejected contract allows: nothing" in approve.stderr


def test_an_approved_contract_is_named_with_an(cli: Cli, team: Path) -> None:
    contract = _draft(team)
    assert cli("submit", contract).code == 0
    with Store.open(team) as store:
        store.conn.execute("UPDATE contracts SET status = 'approved' WHERE id = ?", (contract,))
    again = cli("submit", contract)
    assert again.code == 3 and "an approved contract allows:" in again.stderr
    assert "a approved" not in again.stderr


def test_submit_needs_a_draft_and_people_for_every_role(cli: Cli, home: Path) -> None:
    contract = _draft(home)
    before = snapshot(home)
    nobody = cli("submit", contract)  # the shipped people.toml lists nobody
    assert nobody.code == 2
    assert "people.toml lists nobody yet" in nobody.stderr
    assert snapshot(home) == before


def test_a_deposit_over_a_fifth_of_the_price_routes_to_legal_naming_the_article(
    cli: Cli, team: Path
) -> None:
    """¥30,000.00 of 定金 on a ¥61,728.25 contract (48.6%): drafted, but submit raises a
    high flag citing 民法典第五百八十六条, so legal reviews a contract it would skip."""
    contract = _draft(team, amount_price="61728.25", quantity=1, deposit="30000.00")
    view = cli("submit", contract, "--json").json()
    assert "high-risk-clauses" in view["route_ids"]
    [flag] = cli("show", contract, "--json").json()["risk_flags"]
    assert flag["code"] == "over_legal_limit:deposit_amount" and flag["severity"] == "high"
    assert "民法典第五百八十六条" in flag["message"] and "48.6%" in flag["message"]


def test_rules_explain_says_why_each_route_did_or_did_not_match(cli: Cli, team: Path) -> None:
    contract = _draft(team)
    result = cli("rules", "explain", contract, "--json")
    assert result.code == 0, result.stderr
    explained = {r["route"]: r for r in result.json()["routes"]}
    assert explained["over-100k"]["applied"] is True
    assert explained["over-100k"]["conditions"][0]["value"] == "¥123,456.50"
    assert explained["over-1m"]["matched"] is False
    assert explained["over-1m"]["conditions"][0]["holds"] is False
    assert result.json()["decision"]["route_ids"] == ["department", "over-100k"]
    human = cli("rules", "explain", contract)
    assert "APPLIES  over-100k" in human.stdout and "✗ amount >= ¥1,000,000.01" in human.stdout
    assert "✗ standard = no  (is yes)" in human.stdout
    for python in ("True", "False", "None"):
        assert python not in human.stdout, f"Python's {python} reached the explanation"


def test_rules_check_and_rules_test_on_the_shipped_rules(cli: Cli, team: Path) -> None:
    check = cli("rules", "check")
    assert check.code == 0 and check.stdout.startswith("ok: 8 routes")
    tested = cli("rules", "test", "--json").json()
    assert tested["failed"] == 0 and tested["passed"] >= 20 and tested["uncovered_routes"] == []


def test_rules_test_exits_1_naming_the_failing_case(cli: Cli, team: Path) -> None:
    cases = team / "rules" / "tests" / "approval.toml"
    cases.write_text(
        cases.read_text(encoding="utf-8").replace(
            'expect = { routes = ["department"], stages = ["dept_head"] }',
            'expect = { routes = ["department"], stages = ["legal"] }',
            1,
        ),
        encoding="utf-8",
    )
    result = cli("rules", "test")
    assert result.code == 1
    assert "FAIL a standard ¥50,000 purchase needs only the department head" in result.stdout
    assert "1 failed" in result.stdout


def test_rules_check_reports_a_broken_rule_file_with_exit_1(cli: Cli, team: Path) -> None:
    rules = team / "rules" / "approval.toml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace(
            'when = { amount_min = "100000.01" }', 'when = { amout_min = "100000.01" }'
        ),
        encoding="utf-8",
    )
    result = cli("rules", "check")
    assert result.code == 1
    assert "rules/approval.toml:" in result.stderr and "amout_min: unknown key" in result.stderr


def test_two_approvers_deciding_one_any_stage_at_once_exactly_one_wins(
    cli: Cli, team: Path
) -> None:
    contract = _draft(team)
    cli("submit", contract)
    assert cli("approve", contract, "--as", "zhao.lei").code == 0
    # Legal is an `any` stage with two approvers: both decide at the same moment.
    procs = [
        subprocess.Popen(
            [
                installed_contractctl(),
                "--home",
                str(team),
                "--as",
                person,
                "approve",
                contract,
                "-m",
                person,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for person in ("wang.fang", "zhou.min")
    ]
    outcomes = [(p.wait(timeout=60), p.stderr.read() if p.stderr else "") for p in procs]
    codes = sorted(code for code, _ in outcomes)
    assert codes == [0, 3], outcomes
    loser = next(err for code, err in outcomes if code == 3)
    assert "already decided" in loser and "by " in loser
    legal = cli("route", contract, "--json").json()["stages"][1]
    assert sorted(a["state"] for a in legal["approvers"]) == ["approved", "skipped"]
    assert cli("show", contract, "--json").json()["status"] == "approved"
