"""The audit chain anchored outside the database: events carry a keyed hash (HMAC with
keys/audit.key), and `audit anchor` signs the head with the organisation key, so that
recomputing the chain, stripping the keyed hashes or cutting its tail is caught by
`audit verify` (exit 1), and a store made before the keyed chain still verifies.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from contractctl.records.parties import add_party
from contractctl.signing import keys
from contractctl.store import Store, audit
from tests.conftest import Cli

PASS = "anchor passphrase"


@pytest.fixture
def setup(home: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("CONTRACTCTL_KEY_PASSPHRASE", PASS)
    with Store.open(home) as store:
        keys.init_test_identities(
            store, "tester", org="示例科技有限公司", person=None, passphrase=PASS
        )
        for n in range(3):
            with store.transaction("tester") as tx:
                add_party(tx, name=f"Party {n}")
    return Cli(home)


def _db(home: Path) -> sqlite3.Connection:
    """The database as an attacker opens it: the append-only triggers dropped."""
    conn = sqlite3.connect(home / "contracts.db", isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS events_no_update")
    conn.execute("DROP TRIGGER IF EXISTS events_no_delete")
    return conn


def _recompute(conn: sqlite3.Connection, start: int) -> None:
    """What an attacker with the database (but not the key) does: recompute the plain
    chain from ``start`` and fix the head row."""
    prev = conn.execute("SELECT hash FROM events WHERE seq = ?", (start - 1,)).fetchone()[0]
    rows = conn.execute(
        "SELECT seq, at, actor, action, subject, data FROM events WHERE seq >= ? ORDER BY seq",
        (start,),
    ).fetchall()
    for seq, at, actor, action, subject, data in rows:
        digest = audit.event_hash(prev, seq, at, actor, action, subject, data)
        conn.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, seq))
        prev = digest
    last = conn.execute("SELECT max(seq) FROM events").fetchone()[0]
    conn.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"{last}:{prev}",))


def test_events_carry_a_keyed_hash_with_a_private_key_file(setup: Cli) -> None:
    key = setup.home / "keys" / audit.KEY_FILE
    assert key.stat().st_mode & 0o777 == 0o600
    with _db(setup.home) as conn:
        macs = [r[0] for r in conn.execute("SELECT mac FROM events")]
    assert macs and all(m and len(m) == 64 for m in macs)
    result = setup("audit", "verify")
    assert result.code == 0 and "hash chain intact" in result.stdout


def test_a_recomputed_chain_is_caught(setup: Cli) -> None:
    conn = _db(setup.home)
    (seq,) = conn.execute(
        "SELECT seq FROM events WHERE action = 'party.add' ORDER BY seq LIMIT 1"
    ).fetchone()
    conn.execute(
        "UPDATE events SET data = json_set(data, '$.name', 'Forged Ltd') WHERE seq = ?", (seq,)
    )
    _recompute(conn, seq)
    conn.close()
    result = setup("audit", "verify", "--json")
    assert result.code == 1
    assert (
        result.json()["reason"]
        == f"event {seq} (party.add) fails its keyed hash: the chain was recomputed"
    )
    assert setup("fsck").code == 1


def test_stripping_the_keyed_hashes_is_caught(setup: Cli) -> None:
    with _db(setup.home) as conn:
        conn.execute("UPDATE events SET mac = NULL")
    result = setup("audit", "verify")
    assert result.code == 1 and "has no keyed hash" in result.stderr


def test_a_missing_key_is_reported_and_never_silently_replaced(setup: Cli) -> None:
    (setup.home / "keys" / audit.KEY_FILE).unlink()
    result = setup("audit", "verify")
    assert result.code == 1 and "keys/audit.key is missing" in result.stderr
    refused = setup("party", "add", "Another Ltd")
    assert refused.code == 4 and "restore keys/audit.key" in refused.stderr
    assert not (setup.home / "keys" / audit.KEY_FILE).exists()


def test_a_cut_tail_is_caught_against_the_anchor(setup: Cli, tmp_path: Path) -> None:
    exported = tmp_path / "anchor.json"
    made = setup("audit", "anchor", "--to", str(exported), "--json")
    assert made.code == 0, made.stderr
    anchored = made.json()["seq"]
    assert json.loads(exported.read_text())["payload"]["seq"] == anchored
    assert setup("party", "add", "Later Ltd").code == 0
    ok = setup("audit", "verify")
    assert ok.code == 0 and "held to 1 anchor(s)" in ok.stdout
    # cut everything from the anchored event on, and make the head agree
    with _db(setup.home) as conn:
        conn.execute("DELETE FROM events WHERE seq >= ?", (anchored,))
        seq, digest = conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC").fetchone()
        conn.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"{seq}:{digest}",))
    cut = setup("audit", "verify")
    assert cut.code == 1 and "the chain was cut" in cut.stderr
    (setup.home / "keys" / "audit-anchor.json").unlink()  # the attacker removes the copy too
    assert setup("audit", "verify").code == 0  # nothing left inside the store to tell...
    witness = setup("audit", "verify", "--anchor", str(exported))
    assert witness.code == 1 and "the chain was cut" in witness.stderr  # ...but the witness


def test_a_forged_anchor_is_refused(setup: Cli, tmp_path: Path) -> None:
    exported = tmp_path / "anchor.json"
    assert setup("audit", "anchor", "--to", str(exported)).code == 0
    anchor = json.loads(exported.read_text())
    anchor["payload"]["seq"] = 1
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(anchor))
    result = setup("audit", "verify", "--anchor", str(forged))
    assert result.code == 1 and "signature does not verify" in result.stderr
    assert setup("audit", "anchor", "--to", str(exported)).code == 3  # never overwritten


def test_a_store_from_before_the_keyed_chain_still_verifies_and_goes_on_keyed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contractctl.bootstrap import initialise
    from contractctl.store import schema

    home = tmp_path / "old"
    with monkeypatch.context() as old:  # a store made by a contractctl of schema 8
        old.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:8])
        old.setattr(schema, "SCHEMA_VERSION", 8)
        initialise(home, "tester")
    with _db(home) as conn:  # no mac column, no key file
        assert "mac" not in {row[1] for row in conn.execute("PRAGMA table_info(events)")}
        before = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    assert not (home / "keys" / audit.KEY_FILE).exists()
    cli = Cli(home)
    assert cli("init").code == 0  # the upgrade: migration 9 adds the keyed hash
    assert cli("audit", "verify").code == 0  # old events: their plain chain holds
    assert cli("party", "add", "After Ltd").code == 0
    with _db(home) as conn:
        rows = conn.execute("SELECT seq, mac FROM events ORDER BY seq").fetchall()
    assert all(mac is None for _, mac in rows[:before])
    assert all(mac for _, mac in rows[before:])
    first = int((home / "keys" / audit.KEY_FILE).read_text().split()[1])
    assert first == rows[before][0]
    assert cli("audit", "verify").code == 0
