"""`contractctl party`: legal ops record the companies they contract with."""

from __future__ import annotations

from pathlib import Path

from contractctl.money import Money
from contractctl.records.contracts import NewContract, NewVersion, create_contract
from contractctl.store import Store
from tests.conftest import Cli, snapshot

XINGHE = "91350100M000100Y43"


def test_adding_a_company_prints_its_id_and_records_an_audit_event(cli: Cli) -> None:
    result = cli(
        "party",
        "add",
        "上海星河电子科技有限公司",
        "--uscc",
        XINGHE,
        "--address",
        "上海市浦东新区张江路 88 号",
        "--legal-rep",
        "王建国",
        "--bank",
        "招商银行",
        "--account",
        "1219087654321",
        "--risk",
        "medium",
    )
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == "P-0001"
    assert "Added P-0001" in result.stderr

    shown = cli("party", "show", "P-0001", "--json").json()
    assert shown["name"] == "上海星河电子科技有限公司"
    assert shown["uscc"] == XINGHE
    assert shown["risk_level"] == "medium"
    assert shown["contracts"] == [] and shown["totals"] == []
    events = cli("audit", "P-0001", "--json").json()
    assert [e["action"] for e in events] == ["party.add"]
    assert events[0]["actor"] == "tester"


def test_a_mistyped_credit_code_is_refused_with_exit_2_and_nothing_is_written(
    cli: Cli, home: Path
) -> None:
    before = snapshot(home)
    result = cli("party", "add", "某公司", "--uscc", "91350100M000100Y44")
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("contractctl: error: credit code")
    assert "should be '3'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(home) == before


def test_a_duplicate_credit_code_is_refused_with_exit_3_naming_the_existing_party(
    cli: Cli, home: Path
) -> None:
    assert cli("party", "add", "星河电子", "--uscc", XINGHE).code == 0
    before = snapshot(home)
    result = cli("party", "add", "星河电子（上海）", "--uscc", XINGHE.lower())
    assert result.code == 3
    assert "already belongs to P-0001" in result.stderr
    assert snapshot(home) == before


def test_a_duplicate_company_name_is_refused_but_two_people_may_share_a_name(cli: Cli) -> None:
    assert cli("party", "add", "Harbor Analytics Ltd.").code == 0
    assert cli("party", "add", "Harbor Analytics Ltd.").code == 3
    assert cli("party", "add", "张伟", "--kind", "person").code == 0
    assert cli("party", "add", "张伟", "--kind", "person").code == 0


def test_every_bad_value_is_reported_at_once(cli: Cli) -> None:
    result = cli("party", "add", "X", "--kind", "robot", "--risk", "extreme", "--email", "nope")
    assert result.code == 2
    for problem in ("kind: 'robot'", "risk_level: 'extreme'", "email: 'nope'"):
        assert problem in result.stderr


def test_a_person_cannot_carry_a_company_credit_code(cli: Cli) -> None:
    result = cli("party", "add", "李雷", "--kind", "person", "--uscc", XINGHE)
    assert result.code == 2


def test_list_filters_by_kind_risk_and_name(cli: Cli) -> None:
    cli("party", "add", "上海星河电子科技有限公司", "--risk", "high")
    cli("party", "add", "北京远景咨询有限公司")
    cli("party", "add", "王芳", "--kind", "person")
    assert [p["id"] for p in cli("party", "list", "--json").json()] == [
        "P-0001",
        "P-0002",
        "P-0003",
    ]
    assert [p["name"] for p in cli("party", "list", "--risk", "high", "--json").json()] == [
        "上海星河电子科技有限公司"
    ]
    assert [p["id"] for p in cli("party", "list", "--kind", "person", "--json").json()] == [
        "P-0003"
    ]
    assert [p["id"] for p in cli("party", "list", "--name", "远景", "--json").json()] == ["P-0002"]
    table = cli("party", "list")
    assert (
        "北京远景咨询有限公司" in table.stdout.replace("\n", "").replace("│", "").replace(" ", "")
        or "北京远景" in table.stdout
    )


def test_show_finds_a_party_by_id_credit_code_or_name(cli: Cli) -> None:
    cli("party", "add", "星河电子", "--uscc", XINGHE)
    for ref in ("P-0001", "p-0001", XINGHE, "星河电子"):
        assert cli("party", "show", ref, "--json").json()["id"] == "P-0001", ref
    missing = cli("party", "show", "P-0404")
    assert missing.code == 2 and "no party 'P-0404'" in missing.stderr


def test_edit_changes_fields_and_the_audit_log_keeps_old_and_new(cli: Cli, home: Path) -> None:
    cli("party", "add", "星河电子", "--phone", "021-1111")
    result = cli("party", "edit", "P-0001", "--phone", "021-2222", "--risk", "high")
    assert result.code == 0, result.stderr
    shown = cli("party", "show", "P-0001", "--json").json()
    assert (shown["phone"], shown["risk_level"]) == ("021-2222", "high")
    edit_event = cli("audit", "P-0001", "--json").json()[-1]
    assert edit_event["action"] == "party.edit"
    assert edit_event["data"]["changes"]["phone"] == {"old": "021-1111", "new": "021-2222"}

    before = snapshot(home)
    assert cli("party", "edit", "P-0001", "--uscc", "123").code == 2
    assert cli("party", "edit", "P-0001").code == 2
    assert snapshot(home) == before


def test_show_totals_what_is_contracted_by_direction_and_currency_never_one_sum(
    cli: Cli, home: Path
) -> None:
    """A legal-ops user asks what we do with a counterparty: what we buy from it and what
    we sell to it are two figures, drafts and rejected contracts are not business done,
    and yuan are never added to dollars."""
    cli("party", "add", "星河电子")
    with Store.open(home) as store, store.transaction("tester") as tx:
        for title, type_, status, amount in (
            ("采购合同 A", "purchase", "signed", Money(12_000_000, "CNY")),
            ("采购合同 B", "purchase", "active", Money(3_050, "CNY")),
            ("采购合同 C", "purchase", "draft", Money(900_000, "CNY")),
            ("采购合同 D", "purchase", "rejected", Money(700_000, "CNY")),
            ("销售合同", "sales", "signed", Money(2_000_000, "CNY")),
            ("Service", "service", "active", Money(500_000, "USD")),
        ):
            create_contract(
                tx,
                NewContract(
                    title=title,
                    type=type_,
                    status=status,
                    counterparty_id="P-0001",
                    amount=amount,
                ),
                NewVersion(),
            )
    shown = cli("party", "show", "P-0001", "--json").json()
    assert [c["title"] for c in shown["contracts"]][:2] == ["采购合同 A", "采购合同 B"]
    assert shown["totals"] == [
        {"direction": "pay", "count": 2, "minor": 12_003_050, "currency": "CNY"},
        {"direction": "pay", "count": 1, "minor": 500_000, "currency": "USD"},
        {"direction": "receive", "count": 1, "minor": 2_000_000, "currency": "CNY"},
    ]
    statuses = {
        (r["status"], r["direction"], r["currency"]): r["minor"] for r in shown["by_status"]
    }
    assert statuses[("draft", "pay", "CNY")] == 900_000
    assert statuses[("rejected", "pay", "CNY")] == 700_000
    assert statuses[("signed", "pay", "CNY")] == 12_000_000
    human = cli("party", "show", "P-0001")
    assert "we pay ¥120,030.50 (2)" in human.stdout
    assert "we are paid ¥20,000.00 (1)" in human.stdout
    assert "USD 5,000.00" in human.stdout
    assert "¥136,030.50" not in human.stdout  # never one sum
