"""Orders from a signed Purchase Agreement: one per delivery batch, never more than the
contract has open; their deliveries and acceptance settle the contract's obligations."""

from __future__ import annotations

from pathlib import Path

import pytest

from contractctl.store import Store
from tests.conftest import Cli, Result
from tests.obligations.signed import copy_signed

# purchase-en's sample: 1. 2 set × 48,500.00; 2. 2 set × 6,250.00; 3. 1 lot × 3,180.00


class Legal(Cli):
    """Acts as wang.fang (legal: a keeper of every contract) unless told otherwise."""

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return super().__call__(*args, *([] if "--as" in args else ["--as", "wang.fang"]))


@pytest.fixture
def signed(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> tuple[Cli, str]:
    home, contract_id = copy_signed(tmp_path_factory, tmp_path, "purchase-en")
    return Legal(home), contract_id


def _steps(cli: Cli, order: str, *actions: str) -> None:
    for action in actions:
        done = cli("order", action, order, "--as", "wang.fang")
        assert done.code == 0, (action, done.stderr)


def test_an_order_cannot_take_more_than_the_contract_has_open(signed: tuple[Cli, str]) -> None:
    cli, cid = signed
    first = cli("order", "create", cid, "--line", "1=1", "--line", "2=2", "--json")
    assert first.code == 0, first.stderr
    order = first.json()
    assert order["id"] == f"{cid}-O1" and order["state"] == "created"
    assert order["amount"] == {"minor": 6100000, "currency": "USD"}
    assert order["due"] == "2027-02-26"
    too_much = cli("order", "create", cid, "--line", "1=2")
    assert too_much.code == 3
    assert "only 1 of 2 set are still open" in too_much.stderr
    bad = cli("order", "create", cid, "--line", "9=1")
    assert bad.code == 2 and "line items 1 to 3" in bad.stderr
    rest = cli("order", "create", cid, "--json").json()
    assert [(x["item"], x["quantity"]) for x in rest["lines"]] == [(1, "1"), (3, "1")]
    nothing = cli("order", "create", cid)
    assert nothing.code == 3 and "already ordered" in nothing.stderr
    # a cancelled order gives its quantities back
    assert cli("order", "cancel", rest["id"]).code == 0
    again = cli("order", "create", cid, "--line", "1=1", "--json")
    assert again.code == 0, again.stderr
    listed = cli("order", "list", cid, "--json").json()
    assert [o["state"] for o in listed] == ["created", "cancelled", "created"]


def test_steps_follow_the_table_and_deliveries_settle_the_contracts_obligations(
    signed: tuple[Cli, str], tmp_path: Path
) -> None:
    cli, cid = signed
    one = cli("order", "create", cid, "--line", "1=2", "--json").json()["id"]
    two = cli("order", "create", cid, "--json").json()["id"]
    skipped = cli("order", "deliver", one)
    assert skipped.code == 3 and "it can: confirm, cancel" in skipped.stderr
    stranger = cli("order", "confirm", one, "--as", "li.ming")
    assert stranger.code == 3 and "may not confirm orders" in stranger.stderr
    note = tmp_path / "送货单.pdf"
    note.write_bytes(b"%PDF-1.4 delivery note")
    _steps(cli, one, "confirm", "ship")
    delivered = cli("order", "deliver", one, "--evidence", str(note), "--json")
    assert delivered.code == 0, delivered.stderr
    assert delivered.json()["settled"] == []  # a partial delivery
    _steps(cli, two, "confirm", "ship", "deliver")
    obligations = {o["milestone"]: o for o in cli("obligation", "list", cid, "--json").json()}
    assert obligations["delivery"]["state"] == "done"
    assert obligations["acceptance"]["status"] in ("due", "open")
    assert obligations["acceptance"]["due"] is not None
    _steps(cli, one, "accept")
    _steps(cli, two, "accept")
    obligations = {o["milestone"]: o for o in cli("obligation", "list", cid, "--json").json()}
    assert obligations["acceptance"]["state"] == "done"
    assert obligations["balance"]["due"] is not None
    shown = cli("order", "show", one, "--json").json()
    assert [s["state"] for s in shown["steps"]] == [
        "created",
        "confirmed",
        "shipped",
        "delivered",
        "accepted",
    ]
    show = cli("show", cid, "--json").json()
    assert show["execution"]["delivered"]["complete"] == 3
    assert any(a["kind"] == "delivery-note" and a["order"] == one for a in show["attachments"])
    with Store.open(cli.home) as store:
        actions = [r[0] for r in store.conn.execute("SELECT action FROM events")]
    assert actions.count("order.ship") == 2 and actions.count("order.create") == 2


def test_orders_come_only_from_signed_purchase_or_sales_contracts(cli: Cli) -> None:
    missing = cli("order", "create", "C-2026-9999")
    assert missing.code == 2
