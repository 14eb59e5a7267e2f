"""`contractctl search`: finding contracts by what they say, in Chinese and English."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from contractctl.money import Money
from contractctl.records.contracts import NewContract, NewVersion, create_contract
from contractctl.records.parties import add_party
from contractctl.store import Store
from tests.conftest import Cli

TODAY = date.today()


@pytest.fixture
def contracts(home: Path) -> dict[str, str]:
    """Three contracts: a Chinese purchase, an English service agreement, a lease."""
    specs = [
        (
            "purchase",
            "服务器采购合同",
            "purchase",
            "上海星河电子科技有限公司",
            Money(1_250_000_00, "CNY"),
            TODAY - timedelta(days=30),
            TODAY + timedelta(days=300),
            "第十四条 违约责任\n乙方逾期交货的，应按日支付违约金。付款方式：电汇。",
        ),
        (
            "service",
            "Cloud Services Agreement",
            "service",
            "Harbor Analytics Ltd.",
            Money(50_000_00, "USD"),
            TODAY - timedelta(days=400),
            TODAY + timedelta(days=10),
            "Payment is due within 30 days. Liquidated damages apply to late delivery. "
            "双方确认：违约方承担责任。",
        ),
        (
            "lease",
            "办公楼租赁合同",
            "lease",
            "上海星河电子科技有限公司",
            Money(120_000_00, "CNY"),
            TODAY - timedelta(days=800),
            TODAY - timedelta(days=20),
            "租金按季度支付。押金：三个月租金。",
        ),
    ]
    made: dict[str, str] = {}
    with Store.open(home) as store, store.transaction("tester") as tx:
        parties: dict[str, str] = {}
        for key, title, type_, party, amount, signed, end, text in specs:
            if party not in parties:
                parties[party] = add_party(tx, name=party).id
            contract = create_contract(
                tx,
                NewContract(
                    title=title,
                    type=type_,
                    counterparty_id=parties[party],
                    amount=amount,
                    status="active",
                    signed_date=signed,
                    end_date=end,
                ),
                NewVersion(text_sha=tx.put_bytes(text.encode("utf-8"))),
            )
            made[key] = contract.id
    return made


def test_text_output_shows_each_hit_with_its_marked_snippet(
    cli: Cli, contracts: dict[str, str]
) -> None:
    result = cli("search", "违约金")
    assert result.code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith(contracts["purchase"])
    assert "服务器采购合同" in lines[0] and "上海星河电子科技有限公司" in lines[0]
    assert "«违约金»" in lines[1]
    assert "1 contract, best match first" in result.stderr


def test_json_is_a_list_of_hits_with_contract_fields(cli: Cli, contracts: dict[str, str]) -> None:
    result = cli("search", "违约", "--json")
    assert result.code == 0
    hits = result.json()
    assert {h["id"] for h in hits} == {contracts["purchase"], contracts["service"]}
    for hit in hits:
        assert list(hit)[:4] == ["id", "title", "score", "snippet"]
        assert "«违约»" in hit["snippet"]
        assert {"type", "status", "counterparty", "amount", "end_date"} <= set(hit)
    assert result.stderr == ""


def test_english_is_case_insensitive_and_by_whole_word(cli: Cli, contracts: dict[str, str]) -> None:
    assert [h["id"] for h in cli("search", "PAYMENT", "--json").json()] == [contracts["service"]]
    assert cli("search", "pay", "--json").json() == []
    assert [h["id"] for h in cli("search", "pay*", "--json").json()] == [contracts["service"]]


def test_phrases_exclusions_and_mixed_queries(cli: Cli, contracts: dict[str, str]) -> None:
    def found(*args: str) -> set[str]:
        result = cli("search", *args, "--json")
        assert result.code == 0, result.stderr
        return {h["id"] for h in result.json()}

    assert found('"liquidated damages"') == {contracts["service"]}
    assert found('"damages liquidated"') == set()
    assert found("违约", "-电汇") == {contracts["service"]}
    assert found("违约 payment") == {contracts["service"]}
    assert found("租") == {contracts["lease"]}


def test_filters_are_those_of_list(cli: Cli, contracts: dict[str, str]) -> None:
    def found(*args: str) -> set[str]:
        return {h["id"] for h in cli("search", "合同", *args, "--json").json()}

    assert found() == {contracts["purchase"], contracts["lease"]}
    assert found("--type", "lease") == {contracts["lease"]}
    assert found("--status", "active", "--min-amount", "¥1,000,000") == {contracts["purchase"]}
    assert found("--expires-before", TODAY.isoformat()) == {contracts["lease"]}
    assert found("--party", "上海星河电子科技有限公司", "--signed-from", "-60d") == {
        contracts["purchase"]
    }
    assert len(found("--limit", "1")) == 1


def test_a_term_too_common_to_rank_is_said_on_stderr(
    cli: Cli, contracts: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from contractctl.search import engine

    monkeypatch.setattr(engine, "RANK_LIMIT", 1)
    result = cli("search", "违约")
    assert result.code == 0
    assert "违约 is in too many contracts to rank by relevance" in result.stderr
    hits = cli("search", "违约", "--json").json()
    assert [h["id"] for h in hits] == [contracts["service"], contracts["purchase"]]
    assert [h["score"] for h in hits] == [None, None]


def test_ranking_among_the_newest_matches_is_said_on_stderr(
    cli: Cli, contracts: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from contractctl.search import engine

    monkeypatch.setattr(engine, "RANK_WINDOW", 1)
    result = cli("search", "违约", "--limit", "1")
    assert result.code == 0
    assert "best match first among the 1 most recently added matches" in result.stderr


def test_no_hits_is_exit_0_with_an_empty_list_or_a_line_on_stderr(
    cli: Cli, contracts: dict[str, str]
) -> None:
    result = cli("search", "不存在的词")
    assert (result.code, result.stdout) == (0, "")
    assert "no contracts match 不存在的词" in result.stderr
    pasted = cli("search", "不存在的词" * 2000)  # a page pasted: not echoed back whole
    assert pasted.code == 0 and len(pasted.stderr) < 200
    result = cli("search", "不存在的词", "--json")
    assert (result.code, result.json()) == (0, [])


def test_a_malformed_query_is_exit_2_with_one_clear_line(cli: Cli) -> None:
    result = cli("search", '"liquidated damages')
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        "contractctl: error: unbalanced quote in the query: '\"liquidated damages'"
    )
    result = cli("search", "-草稿", "--json")
    assert result.code == 2
    assert result.json()["error"]["type"] == "invalid_input"


@pytest.mark.parametrize(
    "args",
    [
        ("合同", "--limit", "0"),
        ("合同", "--party", "P-9999"),
        ("合同", "--status", "finished"),
        ("合同", "--signed-from", "03/04/2026"),
    ],
)
def test_bad_options_are_exit_2(cli: Cli, args: tuple[str, ...]) -> None:
    result = cli("search", *args)
    assert result.code == 2, result.stderr
    assert result.stderr.startswith("contractctl: error: ")


def test_a_word_to_leave_out_may_come_first(cli: Cli, contracts: dict[str, str]) -> None:
    result = cli("search", "-租金", "合同", "--json")
    assert result.code == 0, result.stderr
    assert {h["id"] for h in result.json()} == {contracts["purchase"]}


@pytest.mark.parametrize(
    "query",
    [
        "foo:bar",
        "title:合同",
        "NEAR(违约 租金)",
        "(违约",
        "违约)",
        "NOT 违约",
        "a AND b",
        "^合同",
        "{title}",
        '"违约"*',
        "合同*",
        "[abc]",
        "x+y",
        "it's",
        '"a" "b"',
    ],
)
def test_fts_syntax_in_a_query_is_only_text_never_a_sqlite_error(
    cli: Cli, contracts: dict[str, str], query: str
) -> None:
    result = cli("search", "--json", "--", query)
    assert result.code == 0, result.stderr
    assert isinstance(result.json(), list)
    assert "sqlite" not in result.stderr.lower() and "fts5" not in result.stderr.lower()


@pytest.mark.parametrize("query", ["!!!", "%", "_", "¥", '""', '"', "'", "*", "a*b", "-", "OR"])
def test_a_query_of_only_punctuation_or_syntax_is_exit_2_with_one_line(
    cli: Cli, query: str
) -> None:
    result = cli("search", "--json", "--", query)
    assert result.code == 2
    assert result.json()["error"]["type"] == "invalid_input"


@pytest.mark.parametrize("option", ["--min-amount", "--max-amount"])
def test_an_amount_that_cannot_be_read_names_its_option(cli: Cli, option: str) -> None:
    result = cli("search", "合同", option, "lots")
    assert result.code == 2
    assert result.stderr.startswith(f"contractctl: error: {option}: 'lots' is not an amount")
    listed = cli("list", option, "¥-5")
    assert listed.code == 2 and listed.stderr.startswith(f"contractctl: error: {option}: ")
