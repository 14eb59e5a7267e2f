"""Signed approval decisions ([approval] signed = true): the department head approves with
his personal key; `route` shows the signature checked, `audit verify` checks it, and a
decision rewritten in the log (chain recomputed with the chain key) is caught by the
approver's signature, which the attacker cannot make.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from contractctl.signing import keys
from contractctl.store import Store, audit
from tests.cli.test_approval import PEOPLE, _draft
from tests.conftest import Cli, snapshot
from tests.store.test_tamper import _rewrite_chain

PASS = "decision passphrase"


@pytest.fixture
def signed_rules(home: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Cli, str]:
    monkeypatch.setenv("CONTRACTCTL_KEY_PASSPHRASE", PASS)
    people = PEOPLE.replace(
        'id = "zhao.lei"\nname = "赵磊"', 'id = "zhao.lei"\nname = "赵磊"\nkey = "person-zhao-lei"'
    )
    (home / "people.toml").write_text(people, encoding="utf-8")
    rules = home / "rules" / "approval.toml"
    rules.write_text(
        rules.read_text(encoding="utf-8") + "\n[approval]\nsigned = true\n", encoding="utf-8"
    )
    with Store.open(home) as store:
        keys.init_test_identities(
            store, "tester", org="示例科技有限公司", person="Zhao Lei", passphrase=PASS
        )
    contract = _draft(home)
    cli = Cli(home)
    assert cli("submit", contract).code == 0
    return cli, contract


def test_a_signed_decision_is_shown_checked_and_verified(signed_rules: tuple[Cli, str]) -> None:
    cli, contract = signed_rules
    done = cli("--as", "zhao.lei", "approve", contract, "-m", "数量已核对")
    assert done.code == 0, done.stderr
    [head] = cli("route", contract, "--json").json()["stages"][0]["approvers"]
    assert head["signature"] == "valid"
    assert "signed: valid" in cli("route", contract).stdout
    event = next(
        e for e in cli("audit", contract, "--json").json() if e["action"] == "approval.approve"
    )
    assert event["data"]["signature"]["key"] == "person-zhao-lei"
    verified = cli("audit", "verify")
    assert verified.code == 0, verified.stderr


def test_an_approver_without_a_key_is_refused_and_nothing_changes(
    signed_rules: tuple[Cli, str],
) -> None:
    cli, contract = signed_rules
    assert cli("--as", "zhao.lei", "approve", contract).code == 0
    before = snapshot(cli.home)
    refused = cli("--as", "wang.fang", "approve", contract)
    assert refused.code == 2
    assert "people.toml names no key for wang.fang" in refused.stderr
    assert snapshot(cli.home) == before


def test_a_decision_rewritten_with_the_chain_key_fails_its_signature(
    signed_rules: tuple[Cli, str],
) -> None:
    cli, contract = signed_rules
    assert cli("--as", "zhao.lei", "approve", contract, "-m", "数量已核对").code == 0
    key = bytes.fromhex((cli.home / "keys" / audit.KEY_FILE).read_text().split()[0])
    conn = sqlite3.connect(cli.home / "contracts.db", isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS events_no_update")
    seq, data = conn.execute(
        "SELECT seq, data FROM events WHERE action = 'approval.approve'"
    ).fetchone()
    forged = json.loads(data)
    forged["comment"] = "同意，金额无误"
    conn.execute("UPDATE events SET data = ? WHERE seq = ?", (audit.canonical_json(forged), seq))
    conn.execute(
        "UPDATE approval_tasks SET comment = ? WHERE decided_by = 'zhao.lei'", ("同意，金额无误",)
    )
    _rewrite_chain(conn, key, seq)
    conn.close()
    result = cli("audit", "verify")
    assert result.code == 1
    assert "the decision was changed after it was signed" in result.stderr
    [head] = cli("route", contract, "--json").json()["stages"][0]["approvers"]
    assert head["signature"].startswith("the signature does not verify")
