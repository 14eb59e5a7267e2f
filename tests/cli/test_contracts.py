"""`contractctl list` and `show`: finding contracts by what legal ops ask about."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from contractctl.errors import Duplicate
from contractctl.money import Money
from contractctl.records.contracts import NewContract, NewVersion, create_contract
from contractctl.records.parties import add_party
from contractctl.store import Store
from tests.conftest import Cli, snapshot

TODAY = date.today()


@pytest.fixture
def portfolio(home: Path) -> dict[str, str]:
    """Five contracts with two counterparties, various statuses, amounts and dates."""
    ids: dict[str, str] = {}
    with Store.open(home) as store, store.transaction("tester") as tx:
        xinghe = add_party(tx, name="上海星河电子科技有限公司", uscc="91350100M000100Y43").id
        harbor = add_party(tx, name="Harbor Analytics Ltd.").id
        specs = [
            (
                "small",
                "办公用品采购合同",
                "purchase",
                xinghe,
                Money(8_000_00, "CNY"),
                "active",
                TODAY - timedelta(days=200),
                TODAY + timedelta(days=20),
            ),
            (
                "big",
                "服务器采购合同",
                "purchase",
                xinghe,
                Money(1_250_000_00, "CNY"),
                "signed",
                TODAY - timedelta(days=10),
                TODAY + timedelta(days=355),
            ),
            (
                "usd",
                "Analytics services",
                "service",
                harbor,
                Money(50_000_00, "USD"),
                "active",
                TODAY - timedelta(days=400),
                TODAY + timedelta(days=5),
            ),
            (
                "old",
                "旧租赁合同",
                "lease",
                xinghe,
                Money(120_000_00, "CNY"),
                "expired",
                TODAY - timedelta(days=800),
                TODAY - timedelta(days=30),
            ),
            ("draft", "NDA", "nda", harbor, None, "draft", None, None),
        ]
        for key, title, type_, party, amount, status, signed, end in specs:
            contract = create_contract(
                tx,
                NewContract(
                    title=title,
                    type=type_,
                    counterparty_id=party,
                    amount=amount,
                    status=status,
                    signed_date=signed,
                    end_date=end,
                    start_date=signed,
                    source="import" if key == "old" else "draft",
                    needs_review=key == "old",
                ),
                NewVersion(
                    docx_sha=tx.put_bytes(f"{title} docx".encode()),
                    pdf_sha=tx.put_bytes(f"{title} pdf".encode()),
                ),
            )
            ids[key] = contract.id
    return ids


def _ids(cli: Cli, *args: str) -> list[str]:
    result = cli("list", *args, "--json")
    assert result.code == 0, result.stderr
    return [c["id"] for c in result.json()]


def test_contract_ids_count_up_within_the_year(portfolio: dict[str, str]) -> None:
    year = TODAY.year
    assert list(portfolio.values()) == [f"C-{year}-{n:04d}" for n in range(1, 6)]


def test_list_json_has_the_documented_contract_shape(cli: Cli, portfolio: dict[str, str]) -> None:
    first = cli("list", "--json").json()[1]
    assert first["id"] == portfolio["big"]
    assert first["counterparty"] == {"id": "P-0001", "name": "上海星河电子科技有限公司"}
    assert first["amount"] == {"minor": 125_000_000, "currency": "CNY"}
    for key in ("title", "type", "status", "version", "start_date", "end_date", "source"):
        assert key in first


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--status", "active"], ["small", "usd"]),
        (["--status", "active", "--status", "signed"], ["small", "big", "usd"]),
        (["--type", "purchase"], ["small", "big"]),
        (["--party", "Harbor Analytics Ltd."], ["usd", "draft"]),
        (["--party", "91350100M000100Y43", "--type", "lease"], ["old"]),
        (["--min-amount", "¥100,000"], ["big", "old"]),
        (["--min-amount", "100000", "--max-amount", "200000"], ["old"]),
        (["--min-amount", "USD 10000"], ["usd"]),
        (["--expires-within", "30d"], ["small", "usd"]),
        (["--expires-to", "today"], ["old"]),
        (["--signed-from", "-30d"], ["big"]),
        (["--source", "import"], ["old"]),
        (["--needs-review"], ["old"]),
    ],
)
def test_list_filters(
    cli: Cli, portfolio: dict[str, str], args: list[str], expected: list[str]
) -> None:
    assert _ids(cli, *args) == [portfolio[k] for k in expected]


def test_list_sorts_by_amount_and_end_date(cli: Cli, portfolio: dict[str, str]) -> None:
    by_amount = _ids(cli, "--type", "purchase", "--sort", "amount", "--desc")
    assert by_amount == [portfolio["big"], portfolio["small"]]
    soonest = _ids(cli, "--status", "active", "--sort", "end", "--limit", "1")
    assert soonest == [portfolio["usd"]]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--status", "pending"], "--status: 'pending'"),
        (["--signed-from", "03/04/2026"], "--signed-from: '03/04/2026' is not a date"),
        (["--min-amount", "lots"], "lots"),
        (["--min-amount", "USD 1", "--max-amount", "¥5"], "different currencies"),
        (["--sort", "colour"], "--sort: 'colour'"),
        (["--party", "P-0999"], "no party"),
    ],
)
def test_bad_list_options_are_exit_2_with_one_line(
    cli: Cli, portfolio: dict[str, str], args: list[str], says: str
) -> None:
    result = cli("list", *args)
    assert result.code == 2
    assert says in result.stderr
    assert result.stdout == ""


def test_human_list_shows_amounts_as_money(cli: Cli, portfolio: dict[str, str]) -> None:
    result = cli("list", "--type", "service")
    assert "USD 50,000.00" in result.stdout
    assert "1 contract" in result.stderr


def test_show_json_carries_versions_with_absolute_paths_and_events(
    cli: Cli, portfolio: dict[str, str], home: Path
) -> None:
    detail = cli("show", portfolio["big"], "--json").json()
    assert detail["status"] == "signed"
    version = detail["versions"][0]
    assert version["n"] == 1
    assert Path(version["pdf"]).is_absolute()
    assert Path(version["pdf"]).read_bytes() == "服务器采购合同 pdf".encode()
    assert Path(version["docx"]).read_bytes() == "服务器采购合同 docx".encode()
    assert (
        version["sha256"] == Path(version["pdf"]).name.join(["", ""])
        or len(version["sha256"]) == 64
    )
    for section in ("signatures", "obligations", "risk_flags", "ocr_checks"):
        assert detail[section] == []
    assert detail["route"]["stages"] == []
    assert [e["action"] for e in detail["events"]] == ["contract.create"]


def test_show_for_people_and_for_a_missing_id(cli: Cli, portfolio: dict[str, str]) -> None:
    human = cli("show", portfolio["big"].lower())
    assert human.code == 0
    assert "服务器采购合同" in human.stdout and "¥1,250,000.00" in human.stdout
    missing = cli("show", "C-1999-0001")
    assert missing.code == 2
    assert missing.stderr.startswith("contractctl: error: no contract 'C-1999-0001'")


def test_an_idempotency_key_never_makes_a_second_contract(home: Path) -> None:
    with Store.open(home) as store:
        with store.transaction("tester") as tx:
            create_contract(
                tx, NewContract(title="A", type="nda", external_key="row-17"), NewVersion()
            )
        before = snapshot(home)
        with (
            pytest.raises(Duplicate, match="already made contract"),
            store.transaction("tester") as tx,
        ):
            create_contract(
                tx,
                NewContract(title="A again", type="nda", external_key="row-17"),
                NewVersion(pdf_sha=tx.put_bytes(b"orphan?")),
            )
    assert snapshot(home) == before
