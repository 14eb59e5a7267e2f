"""The store: init and upgrade, content-addressed objects, transactions, the audit chain."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from contractctl.errors import StoreProblem
from contractctl.store import DB_NAME, Store, audit, init_store, schema
from tests.conftest import snapshot

# --- init -------------------------------------------------------------------------


def test_init_creates_the_documented_layout(tmp_path: Path) -> None:
    home = tmp_path / "new"
    report = init_store(home, "tester")
    for name in ("contractctl.toml", "contracts.db", "people.toml"):
        assert (home / name).is_file(), name
    for name in ("objects", "rules", "templates", "keys"):
        assert (home / name).is_dir(), name
    assert (home / "keys").stat().st_mode & 0o777 == 0o700
    assert report.schema_before == 0
    assert report.schema_after == schema.SCHEMA_VERSION
    conn = sqlite3.connect(home / DB_NAME)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION


def test_init_is_idempotent_and_never_overwrites_an_edited_file(home: Path) -> None:
    config = home / "contractctl.toml"
    edited = config.read_text(encoding="utf-8").replace("示例科技有限公司", "我们的公司")
    config.write_text(edited, encoding="utf-8")
    (home / "people.toml").write_text("# our people\n", encoding="utf-8")
    before = snapshot(home)

    report = init_store(home, "tester")

    assert config.read_text(encoding="utf-8") == edited
    assert (home / "people.toml").read_text(encoding="utf-8") == "# our people\n"
    assert "contractctl.toml" in report.kept
    assert report.created == []
    assert snapshot(home) == before, "a second init writes nothing, not even an event"


def test_init_upgrades_an_older_schema_and_keeps_its_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "old"
    init_store(home, "tester")
    with Store.open(home) as store, store.transaction("tester") as tx:
        tx.conn.execute(
            "INSERT INTO parties (id, kind, name, created_at, updated_at) "
            "VALUES ('P-0001', 'company', '旧公司', 'x', 'x')"
        )

    def add_website(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE parties ADD COLUMN website TEXT NOT NULL DEFAULT ''")

    current = schema.SCHEMA_VERSION
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, add_website))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", len(schema.MIGRATIONS))
    with pytest.raises(StoreProblem, match=r"run|upgrade"):
        Store.open(home)

    report = init_store(home, "tester")

    assert (report.schema_before, report.schema_after) == (current, current + 1)
    with Store.open(home) as store:
        row = store.conn.execute("SELECT name, website FROM parties").fetchone()
        assert tuple(row) == ("旧公司", "")
        assert audit.events(store.conn)[-1].action == "store.upgrade"
        assert audit.verify(store.conn).ok


def test_a_store_from_a_newer_contractctl_is_refused(home: Path) -> None:
    conn = sqlite3.connect(home / DB_NAME)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreProblem, match="newer"):
        Store.open(home)


def test_opening_a_folder_without_a_store_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(StoreProblem) as caught:
        Store.open(tmp_path)
    assert caught.value.exit_code == 4
    assert "contractctl init" in (caught.value.hint or "")


def test_a_home_that_cannot_be_created_is_an_environment_problem(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreProblem) as caught:
        init_store(blocker / "store", "tester")
    assert caught.value.exit_code == 4
    assert "cannot create a store" in caught.value.message


# --- objects ------------------------------------------------------------------------


def test_objects_are_named_by_their_sha256_and_stored_once(store: Store) -> None:
    with store.transaction("tester") as tx:
        first = tx.put_bytes("采购合同".encode())
        second = tx.put_bytes("采购合同".encode())
    assert first == second
    path = store.objects.path(first)
    assert path.parent.name == first[:2] and path.name == first[2:]
    assert path.read_bytes() == "采购合同".encode()
    assert not os.access(path, os.W_OK) or os.geteuid() == 0  # read-only (root ignores modes)
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".tmp")] == []


def test_a_file_is_stored_byte_for_byte(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "合同 — 扫描件.pdf"
    source.write_bytes(os.urandom(3_000_000))
    with store.transaction("tester") as tx:
        sha = tx.put_file(source)
    assert store.objects.read_bytes(sha) == source.read_bytes()


def test_a_rolled_back_transaction_leaves_no_rows_no_objects_no_events(home: Path) -> None:
    before = snapshot(home)
    with Store.open(home) as store, pytest.raises(RuntimeError), store.transaction("tester") as tx:
        tx.put_bytes(b"a scan that will not be kept")
        tx.conn.execute(
            "INSERT INTO parties (id, kind, name, created_at, updated_at) "
            "VALUES ('P-9', 'company', 'X', 'x', 'x')"
        )
        tx.audit("party.add", "P-9")
        raise RuntimeError("the command failed half-way")
    assert snapshot(home) == before


def test_an_object_that_already_existed_survives_a_rollback(store: Store) -> None:
    with store.transaction("tester") as tx:
        sha = tx.put_bytes(b"kept")
    with pytest.raises(RuntimeError), store.transaction("tester") as tx:
        tx.put_bytes(b"kept")
        raise RuntimeError
    assert store.objects.has(sha)


# --- audit chain ---------------------------------------------------------------------


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    """A store with nothing but its init event, so event numbers are predictable."""
    path = tmp_path / "bare"
    init_store(path, "tester")
    return path


def _tamper(home: Path, *sql: str) -> None:
    """Edit the database by hand, the way someone with file access could."""
    conn = sqlite3.connect(home / DB_NAME)
    conn.execute("DROP TRIGGER IF EXISTS events_no_update")
    conn.execute("DROP TRIGGER IF EXISTS events_no_delete")
    for statement in sql:
        conn.execute(statement)
    conn.commit()
    conn.close()


def _three_more_events(home: Path) -> None:
    with Store.open(home) as store:
        for n in range(3):
            with store.transaction(f"user{n}") as tx:
                tx.audit("note", None, {"n": n, "text": "合同 event"})


def _verify(home: Path) -> audit.ChainReport:
    with Store.open(home) as store:
        return audit.verify(store.conn)


def test_an_untouched_chain_verifies(bare: Path) -> None:
    _three_more_events(bare)
    report = _verify(bare)
    assert report.ok and report.checked == 4


def test_the_audit_log_refuses_updates_and_deletes_through_sql(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("UPDATE events SET actor = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("DELETE FROM events")


@pytest.mark.parametrize(
    ("edit", "first_bad", "reason"),
    [
        ("UPDATE events SET actor = 'mallory' WHERE seq = 3", 3, "modified"),
        ('UPDATE events SET data = \'{"n":9,"text":"合同 event"}\' WHERE seq = 2', 2, "modified"),
        ("DELETE FROM events WHERE seq = 2", 2, "missing"),
        ("UPDATE events SET seq = seq + 10 WHERE seq = 2", 2, "missing"),
    ],
    ids=["actor-edited", "data-edited", "deleted", "moved"],
)
def test_audit_verify_names_the_first_broken_event(
    bare: Path, edit: str, first_bad: int, reason: str
) -> None:
    _three_more_events(bare)
    _tamper(bare, edit)
    report = _verify(bare)
    assert not report.ok
    assert report.first_bad_seq == first_bad
    assert reason in (report.reason or "")


def test_swapping_two_events_is_caught(bare: Path) -> None:
    _three_more_events(bare)
    _tamper(
        bare,
        "UPDATE events SET seq = -2 WHERE seq = 2",
        "UPDATE events SET seq = 2 WHERE seq = 3",
        "UPDATE events SET seq = 3 WHERE seq = -2",
    )
    report = _verify(bare)
    assert report.first_bad_seq == 2 and not report.ok


def test_cutting_events_off_the_end_is_caught(bare: Path) -> None:
    _three_more_events(bare)
    _tamper(bare, "DELETE FROM events WHERE seq = 4")
    report = _verify(bare)
    assert not report.ok and "cut off" in (report.reason or "")


def test_recomputing_a_forged_event_still_breaks_the_next_link(bare: Path) -> None:
    _three_more_events(bare)
    with Store.open(bare) as store:
        event = audit.events(store.conn)[1]
    forged = audit.event_hash(
        event.prev_hash,
        event.seq,
        event.at,
        "mallory",
        event.action,
        event.subject,
        audit.canonical_json(event.data),
    )
    _tamper(bare, f"UPDATE events SET actor = 'mallory', hash = '{forged}' WHERE seq = 2")
    report = _verify(bare)
    # the event's keyed hash (keys/audit.key) catches it at once; without the key column
    # the plain chain would break at the next link, event 3
    assert report.first_bad_seq == 2 and "fails its keyed hash" in (report.reason or "")
