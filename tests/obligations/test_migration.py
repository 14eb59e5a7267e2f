"""Schema v12 on a store made before it: imported obligations survive the copy of their
table, and 'completed' becomes a contract status the database accepts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from contractctl.store import schema


def _store_at(path: Path, version: int) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    for number in range(1, version + 1):
        conn.execute("BEGIN IMMEDIATE")
        schema.MIGRATIONS[number - 1](conn)
        conn.execute(f"PRAGMA user_version = {number}")
        conn.execute("COMMIT")
    return conn


def test_an_older_store_keeps_its_imported_obligations_and_learns_completed(
    tmp_path: Path,
) -> None:
    conn = _store_at(tmp_path / "old.db", 11)
    # An older store's contracts table was created without 'completed' in its list.
    (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'contracts'").fetchone()
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = ? WHERE name = 'contracts'",
        (sql.replace(", 'completed'", ""),),
    )
    conn.execute("PRAGMA writable_schema = OFF")
    conn.close()
    conn = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute(
        "INSERT INTO contracts (id, title, type, status, created_by, created_at, updated_at) "
        "VALUES ('C-2020-0001', '旧合同', 'service', 'active', 'import', 'x', 'x')"
    )
    conn.execute(
        "INSERT INTO obligations (contract_id, kind, due_date, description, source, "
        "created_at) VALUES ('C-2020-0001', 'renewal_notice', '2027-01-01', 'notice', "
        "'import', 'x')"
    )
    assert schema.migrate(conn) == (11, schema.SCHEMA_VERSION)
    row = conn.execute("SELECT * FROM obligations").fetchone()
    assert (row["kind"], row["due_date"], row["state"], row["source"]) == (
        "renewal_notice",
        "2027-01-01",
        "open",
        "import",
    )
    assert row["owner"] is None and row["after"] is None
    conn.execute("UPDATE contracts SET status = 'completed'")
    conn.execute("UPDATE obligations SET state = 'waived'")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
