"""`remind`: every morning cron asks what falls due, and legal ops sees the contracts that
expire soon, the last day to refuse an automatic renewal, payments due, and approvals
stuck past their deadline — overdue ones first, nothing missed, nothing changed."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from contractctl.records.contracts import NewContract, NewVersion, create_contract
from contractctl.records.parties import add_party
from contractctl.store import Store
from tests.cli.test_approval import _draft, team  # noqa: F401 - team is a fixture
from tests.conftest import Cli, snapshot

TODAY = date.today()


def _day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def _contracts(home: Path) -> dict[str, str]:
    """Contracts in every situation remind must tell apart; name -> id."""
    made: dict[str, str] = {}
    with Store.open(home) as store, store.transaction("tester") as tx:
        party = add_party(tx, name="上海星河电子科技有限公司").id

        def contract(name: str, status: str, end: int | None) -> str:
            new = NewContract(
                title=name,
                type="service",
                counterparty_id=party,
                status=status,
                end_date=date.fromisoformat(_day(end)) if end is not None else None,
            )
            made[name] = create_contract(tx, new, NewVersion()).id
            return made[name]

        contract("expires in 10 days", "active", 10)
        contract("expires in 60 days", "active", 60)
        contract("end date passed, still active", "active", -3)
        contract("already expired", "expired", -40)
        renews = contract("renews automatically", "active", 200)
        for kind, due, state, what in (
            ("renewal_notice", 5, "open", "last day to give 30 days' notice"),
            ("payment", 20, "open", "second instalment"),
            ("payment", -2, "done", "first instalment"),
        ):
            tx.conn.execute(
                "INSERT INTO obligations (contract_id, kind, due_date, description, "
                "amount_minor, currency, state, source, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'test', ?)",
                (renews, kind, _day(due), what, 5_000_000, "CNY", state, _day(0)),
            )
    return made


def test_remind_lists_what_falls_due_overdue_first(home: Path, cli: Cli) -> None:
    made = _contracts(home)
    before = snapshot(home)
    result = cli("remind", "--json")
    assert result.code == 0, result.stderr
    items = result.json()
    assert [(i["kind"], i["title"], i["days"]) for i in items] == [
        ("expiry", "end date passed, still active", -3),
        ("renewal_notice", "renews automatically", 5),
        ("expiry", "expires in 10 days", 10),
        ("payment", "renews automatically", 20),
    ]
    first = items[0]
    assert (
        first["overdue"] is True and first["contract_id"] == made["end date passed, still active"]
    )
    assert "still marked running" in first["what"]
    assert items[3]["amount"] == {"minor": 5_000_000, "currency": "CNY"}
    assert items[1]["counterparty"] == "上海星河电子科技有限公司"
    # a longer window reaches the contract expiring in 60 days; remind changes nothing
    wider = [i["title"] for i in cli("remind", "--within", "3m", "--json").json()]
    assert "expires in 60 days" in wider and "already expired" not in wider
    human = cli("remind")
    assert "3d overdue" in human.stdout and "last day to give 30 days' notice" in human.stdout
    assert snapshot(home) == before


def test_fail_on_due_alerts_cron_and_an_empty_store_is_quiet(home: Path, cli: Cli) -> None:
    quiet = cli("remind", "--fail-on-due")
    assert quiet.code == 0 and "Nothing due within 30 days" in quiet.stderr
    _contracts(home)
    alert = cli("remind", "--fail-on-due")
    assert alert.code == 1 and "4 reminders (1 overdue)" in alert.stderr
    bad = cli("remind", "--within", "soon")
    assert bad.code == 2 and "--within" in bad.stderr


def test_an_approval_past_its_deadline_is_a_reminder_naming_the_approver(
    cli: Cli,
    team: Path,  # noqa: F811 - the fixture
) -> None:
    contract = _draft(team)
    assert cli("submit", contract).code == 0
    assert [i for i in cli("remind", "--json").json() if i["kind"] == "approval"] == []
    with Store.open(team) as store, store.transaction("tester") as tx:
        # three days on: the first stage's deadline has passed
        tx.conn.execute(
            "UPDATE approval_tasks SET due_at = ? WHERE state = 'pending'",
            (_day(-1) + "T09:00:00Z",),
        )
    [item] = [i for i in cli("remind", "--json").json() if i["kind"] == "approval"]
    assert item["contract_id"] == contract and item["overdue"] and item["who"] == "zhao.lei"
    assert "stage 1 (dept_head)" in item["what"]


def test_remind_and_route_agree_to_the_minute_on_an_overdue_approval(
    cli: Cli,
    team: Path,  # noqa: F811 - the fixture
) -> None:
    """A stage due earlier today is overdue for `route` and for `remind` alike: judged
    by the due time, not by the day (``days`` stays 0: it is due today)."""
    from contractctl.approval.decide import route_view
    from contractctl.obligations.remind import reminders

    contract = _draft(team)
    assert cli("submit", contract).code == 0
    due = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    with Store.open(team) as store, store.transaction("tester") as tx:
        tx.conn.execute(
            "UPDATE approval_tasks SET due_at = ? WHERE state = 'pending'",
            (due.isoformat().replace("+00:00", "Z"),),
        )
    with Store.open(team) as store:
        for now, overdue in (
            (due - timedelta(minutes=1), False),
            (due + timedelta(minutes=1), True),
        ):
            [stage] = [s for s in route_view(store, contract, now=now)["stages"] if s["due"]]
            listed = [r for r in reminders(store.conn, now=now) if r.kind == "approval"]
            assert stage["overdue"] is overdue
            assert [r.overdue for r in listed] == ([True] if overdue else [])
    [item] = [i for i in cli("remind", "--json").json() if i["kind"] == "approval"]
    assert item["overdue"] is True and item["days"] in (0, -1)  # -1 only just after midnight
    assert cli("route", contract, "--json").json()["stages"][0]["overdue"] is True
    failed = cli("remind", "--fail-on-due")
    assert failed.code == 1 and "(1 overdue)" in failed.stderr
    assert "overdue" in failed.stdout


def test_a_contract_being_amended_still_reminds_of_its_expiry(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """An amendment puts the contract back in draft, but the signed version still binds:
    its end date is still a reminder."""
    from contractctl.drafting.amend import AmendRequest, amend
    from tests.drafting.test_amend import signed_base

    home = shutil.copytree(signed_base(tmp_path_factory), tmp_path / "store", symlinks=True)
    cid = json.loads((home / "ids.json").read_text())[0]
    with Store.open(home) as store:
        amend(
            store,
            "drafter",
            cid,
            AmendRequest(reason="加量", sets={"items[1].quantity": "3"}, pdf=False),
        )
        with store.transaction("tester") as tx:  # the contract's term ends in 10 days
            tx.conn.execute("UPDATE contracts SET end_date = ? WHERE id = ?", (_day(10), cid))
        assert store.conn.execute(
            "SELECT status, in_force_status FROM contracts WHERE id = ?", (cid,)
        ).fetchone()[:] == ("draft", "signed")
    items = Cli(home)("remind", "--json").json()
    # (the signed version's own obligations, made at its signing, remind too)
    expiries = [(i["kind"], i["contract_id"]) for i in items if i["kind"] == "expiry"]
    assert expiries == [("expiry", cid)]
