"""The tampering of issue 18's "Tamper evidence", done as an attacker with the database
file would do it: each is reported by `fsck` or `audit verify` with exit 1.

A signed contract (approved by the department head, signed with the company key) is
changed behind contractctl's back: its amount or status, an approval's decided_by, a
deleted signature row, the audit events cut, deleted or recomputed. fsck replays the
audit log: every contract's rows must be what its latest event recorded.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from contractctl.signing.sign import sign
from contractctl.store import Store, audit
from tests.conftest import Cli
from tests.signing.test_sign import PASS, copy_base


@pytest.fixture
def signed(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Cli, str]:
    """A store whose contract [0] the company has signed, checked clean: (cli, id)."""
    monkeypatch.setenv("CONTRACTCTL_KEY_PASSPHRASE", PASS)
    home, ids = copy_base(tmp_path_factory, tmp_path)
    with Store.open(home) as store:
        sign(store, "wang.fang", ids[0], key="org", passphrase=PASS)
    cli = Cli(home)
    clean = cli("fsck", "--json")
    assert clean.code == 0, clean.stdout
    assert clean.json()["checked"]["contracts"] == 3
    return cli, ids[0]


def _db(home: Path) -> sqlite3.Connection:
    """The database as an attacker opens it: the append-only triggers dropped."""
    conn = sqlite3.connect(home / "contracts.db", isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS events_no_update")
    conn.execute("DROP TRIGGER IF EXISTS events_no_delete")
    return conn


def _problems(cli: Cli) -> list[str]:
    result = cli("fsck", "--json")
    assert result.code == 1, result.stdout
    problems: list[str] = result.json()["problems"]
    return problems


def test_an_edited_amount_is_named_with_both_values(signed: tuple[Cli, str]) -> None:
    cli, cid = signed
    with _db(cli.home) as conn:
        conn.execute("UPDATE contracts SET amount_minor = 99999999 WHERE id = ?", (cid,))
    assert _problems(cli) == [
        f"contract {cid}: amount (minor units) is 99999999 but the audit log records 4000000"
    ]
    human = cli("fsck")
    assert human.code == 1 and "problem: contract" in human.stderr


def test_an_edited_status_is_named(signed: tuple[Cli, str]) -> None:
    cli, cid = signed
    with _db(cli.home) as conn:
        conn.execute("UPDATE contracts SET status = 'approved' WHERE id = ?", (cid,))
    [problem] = _problems(cli)
    assert problem.startswith(f"contract {cid}: status is approved but the audit log records")


def test_an_approval_decided_by_someone_else_is_named(signed: tuple[Cli, str]) -> None:
    cli, cid = signed
    with _db(cli.home) as conn:
        (task,) = conn.execute(
            "SELECT t.id FROM approval_tasks t JOIN approval_routes r ON r.id = t.route_id "
            "WHERE r.contract_id = ? AND t.state = 'approved'",
            (cid,),
        ).fetchone()
        conn.execute("UPDATE approval_tasks SET decided_by = 'li.ming' WHERE id = ?", (task,))
    assert _problems(cli) == [
        f"contract {cid}: approval task {task} was changed (decided by li.ming, recorded zhao.lei)"
    ]


def test_a_deleted_signature_row_is_caught_by_fsck_and_verify(signed: tuple[Cli, str]) -> None:
    cli, cid = signed
    with _db(cli.home) as conn:
        conn.execute("DELETE FROM signatures WHERE contract_id = ?", (cid,))
    assert _problems(cli) == [f"contract {cid}: signature (version.seq) 1.1 was deleted"]
    verified = cli("verify", cid)
    assert verified.code == 1


def test_a_contract_row_added_or_deleted_by_hand_is_caught(signed: tuple[Cli, str]) -> None:
    cli, cid = signed
    with _db(cli.home) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute(
            "INSERT INTO contracts (id, title, type, status, created_by, created_at, updated_at) "
            "SELECT 'C-2099-0001', title, type, 'signed', created_by, created_at, updated_at "
            "FROM contracts WHERE id = ?",
            (cid,),
        )
        conn.execute("DELETE FROM contracts WHERE id = ?", (cid,))
    problems = _problems(cli)
    assert "contract C-2099-0001: no audit event is about it (inserted by hand)" in problems
    assert f"contract {cid}: its row was deleted (the audit log records it)" in problems


def test_events_and_head_deleted_are_caught(signed: tuple[Cli, str]) -> None:
    cli, _ = signed
    with _db(cli.home) as conn:
        conn.execute("DELETE FROM events")
        conn.execute("DELETE FROM meta WHERE key = 'audit_head'")
    result = cli("audit", "verify")
    assert result.code == 1 and "were deleted" in result.stderr
    assert cli("fsck").code == 1


def test_a_cut_tail_with_the_head_fixed_is_caught_against_the_anchor(
    signed: tuple[Cli, str],
) -> None:
    cli, _ = signed
    assert cli("audit", "anchor").code == 0
    with _db(cli.home) as conn:
        (last_sign,) = conn.execute(
            "SELECT max(seq) FROM events WHERE action = 'signature.add'"
        ).fetchone()
        conn.execute("DELETE FROM events WHERE seq >= ?", (last_sign,))
        seq, digest = conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC").fetchone()
        conn.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"{seq}:{digest}",))
    result = cli("audit", "verify")
    assert result.code == 1 and "the chain was cut" in result.stderr
    fsck = cli("fsck")
    assert fsck.code == 1 and "the chain was cut" in fsck.stderr


def _rewrite_chain(conn: sqlite3.Connection, key: bytes, start: int) -> None:
    """Recompute the chain from ``start``, keyed hashes included: what an attacker who
    also read keys/audit.key does."""
    prev = conn.execute("SELECT hash FROM events WHERE seq = ?", (start - 1,)).fetchone()[0]
    rows = conn.execute(
        "SELECT seq, at, actor, action, subject, data FROM events WHERE seq >= ? ORDER BY seq",
        (start,),
    ).fetchall()
    for seq, at, actor, action, subject, data in rows:
        digest = audit.event_hash(prev, seq, at, actor, action, subject, data)
        conn.execute(
            "UPDATE events SET prev_hash = ?, hash = ?, mac = ? WHERE seq = ?",
            (prev, digest, audit.event_mac(key, seq, digest), seq),
        )
        prev = digest
    conn.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"{seq}:{prev}",))


def test_rows_and_log_rewritten_with_the_chain_key_are_caught_by_the_anchor(
    signed: tuple[Cli, str],
) -> None:
    """The attacker edits the amount, the amount its last event recorded, and recomputes
    the whole chain with the chain key: fsck's replay agrees, the keyed hashes hold, but
    the anchor signed with the organisation key does not."""
    cli, cid = signed
    assert cli("audit", "anchor").code == 0
    key = bytes.fromhex((cli.home / "keys" / audit.KEY_FILE).read_text().split()[0])
    with _db(cli.home) as conn:
        conn.execute("UPDATE contracts SET amount_minor = 100 WHERE id = ?", (cid,))
        seq, data = conn.execute(
            "SELECT seq, data FROM events WHERE subject = ? ORDER BY seq DESC LIMIT 1", (cid,)
        ).fetchone()
        forged = json.loads(data)
        forged["rows"]["contract"]["amount_minor"] = 100
        conn.execute(
            "UPDATE events SET data = ? WHERE seq = ?", (audit.canonical_json(forged), seq)
        )
        _rewrite_chain(conn, key, seq)
    result = cli("audit", "verify")
    assert result.code == 1 and "no longer has the hash anchored" in result.stderr
    fsck = cli("fsck", "--json")
    assert fsck.code == 1
    assert any("no longer has the hash anchored" in p for p in fsck.json()["problems"])
