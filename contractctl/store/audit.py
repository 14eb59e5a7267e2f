"""The append-only, hash-chained audit log.

Every change to the store writes one event in the same transaction as the change.
Each event's hash is SHA-256 over the previous event's hash and the canonical JSON of
the event (its sequence number included), so editing, deleting or reordering any
event breaks the chain from that point. The head of the chain is also kept in the
meta table, so cutting events off the end is caught too.

A plain hash chain can be recomputed by anyone who can write the database. So each event
also carries a keyed hash (``mac``: HMAC-SHA256 over its sequence number and its chain
hash, which covers every event before it) made with a secret kept outside the database,
``keys/audit.key`` (0600, made at the first event after migration 9). The key file also
says from which event on every event must carry one, so stripping the keyed hashes off
the newest events is caught as well. Events from before the migration keep their plain
chain and stay verifiable. Cutting events off the end and fixing the head is caught by
the signed anchors of contractctl.signing.anchor (``audit anchor``), which this module
does not know about.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from contractctl.errors import ContractctlError

#: Who did the act when it counts for someone else (``--as`` with a delegation or as
#: an admin): set by the CLI, recorded in each event's data as ``operator``.
OPERATOR: ContextVar[str | None] = ContextVar("contractctl_operator", default=None)

GENESIS = "0" * 64
#: The chain key's file, in the store's keys/ folder.
KEY_FILE = "audit.key"


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 characters kept as they are."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def now_iso() -> str:
    """The current time as ISO 8601 UTC with microseconds (sortable as text)."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Event:
    """One audit event as stored."""

    seq: int
    at: str
    actor: str
    action: str
    subject: str | None
    data: dict[str, Any]
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of an event in `audit --json` and `show --json`."""
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject,
            "data": self.data,
            "hash": self.hash,
        }


def event_hash(
    prev_hash: str,
    seq: int,
    at: str,
    actor: str,
    action: str,
    subject: str | None,
    data_json: str,
) -> str:
    """The chain hash of one event."""
    body = canonical_json(
        {
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "subject": subject,
            "data": json.loads(data_json),
        }
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def append(
    conn: sqlite3.Connection,
    actor: str,
    action: str,
    subject: str | None,
    data: dict[str, Any] | None = None,
) -> Event:
    """Append an event; the caller holds the write transaction (BEGIN IMMEDIATE)."""
    row = conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
    at = now_iso()
    operator = OPERATOR.get()
    if operator is not None and operator != actor:
        data = {**(data or {}), "operator": operator}
    data_json = canonical_json(data or {})
    digest = event_hash(prev, seq, at, actor, action, subject, data_json)
    row_values = (seq, at, actor, action, subject, data_json, prev, digest)
    key = chain_key(conn, create_from=seq) if _keyed(conn) else None
    if key is not None:
        conn.execute(
            "INSERT INTO events (seq, at, actor, action, subject, data, prev_hash, hash, mac) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*row_values, event_mac(key[0], seq, digest)),
        )
    else:
        conn.execute(
            "INSERT INTO events (seq, at, actor, action, subject, data, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            row_values,
        )
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('audit_head', ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (f"{seq}:{digest}",),
    )
    return Event(seq, at, actor, action, subject, json.loads(data_json), prev, digest)


# -- the keyed hash -----------------------------------------------------------------------


def event_mac(key: bytes, seq: int, digest: str) -> str:
    """The keyed hash of event ``seq`` whose chain hash is ``digest``."""
    return hmac.new(key, f"{seq}:{digest}".encode(), hashlib.sha256).hexdigest()


def _keyed(conn: sqlite3.Connection) -> bool:
    """Migration 9 gave the events their ``mac`` column."""
    return any(row[1] == "mac" for row in conn.execute("PRAGMA table_info(events)"))


def key_path(conn: sqlite3.Connection) -> Path | None:
    """``keys/audit.key`` of the store this connection's database lives in (None for a
    database that is not a file)."""
    main = next((row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"), "")
    return Path(main).parent / "keys" / KEY_FILE if main else None


def chain_key(
    conn: sqlite3.Connection, *, create_from: int | None = None
) -> tuple[bytes, int] | None:
    """The chain key and the first event that carries a keyed hash, from the key file.

    With ``create_from`` (appending event ``create_from``) a missing file is made, unless
    events already carry keyed hashes: a key that went missing is not silently replaced
    (StoreProblem, exit 4: restore keys/audit.key from a backup).
    """
    from contractctl.errors import StoreProblem

    path = key_path(conn)
    if path is None:
        return None
    try:
        text = path.read_text(encoding="ascii").split()
        return bytes.fromhex(text[0]), int(text[1])
    except FileNotFoundError:
        pass
    except (OSError, ValueError, IndexError) as exc:
        raise StoreProblem(f"cannot read the audit chain key {path}: {exc}") from exc
    if create_from is None:
        return None
    if conn.execute("SELECT 1 FROM events WHERE mac IS NOT NULL LIMIT 1").fetchone():
        raise StoreProblem(
            f"the audit chain key {path} is missing, but events carry keyed hashes",
            hint="restore keys/audit.key from a backup of this store",
        )
    path.parent.mkdir(mode=0o700, exist_ok=True)
    key = os.urandom(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, f"{key.hex()}\n{create_from}\n".encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return key, create_from


def events(
    conn: sqlite3.Connection, subject: str | None = None, limit: int | None = None
) -> list[Event]:
    """Events in order, all or for one subject (a contract or party id)."""
    sql = "SELECT seq, at, actor, action, subject, data, prev_hash, hash FROM events"
    params: list[Any] = []
    if subject is not None:
        sql += " WHERE subject = ?"
        params.append(subject)
    sql += " ORDER BY seq"
    if limit is not None:
        sql = f"SELECT * FROM ({sql} DESC LIMIT ?) ORDER BY seq"
        params.append(limit)
    return [
        Event(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7])
        for r in conn.execute(sql, params)
    ]


@dataclass(frozen=True)
class ChainReport:
    """The outcome of re-computing the chain: how far it holds and where it breaks."""

    checked: int
    first_bad_seq: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        """True when every event and the head are intact."""
        return self.first_bad_seq is None and self.reason is None

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of `audit verify --json`."""
        return {
            "ok": self.ok,
            "checked": self.checked,
            "first_bad_seq": self.first_bad_seq,
            "reason": self.reason,
        }


def verify(conn: sqlite3.Connection) -> ChainReport:
    """Recompute the chain and name the first event that does not hold."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    keyed = _keyed(conn)
    try:
        key = chain_key(conn) if keyed else None
    except ContractctlError as exc:
        return ChainReport(0, None, exc.message)
    mac_column = "mac" if keyed else "NULL"
    cursor = conn.execute(
        "SELECT seq, at, actor, action, subject, data, prev_hash, hash, "
        f"{mac_column} FROM events ORDER BY seq"
    )
    for seq, at, actor, action, subject, data_json, prev_hash, digest, mac in cursor:
        if seq != expected_seq:
            return ChainReport(
                checked, expected_seq, f"event {expected_seq} is missing (next is {seq})"
            )
        if prev_hash != prev:
            return ChainReport(
                checked, seq, f"event {seq} does not follow event {seq - 1}: reordered or replaced"
            )
        try:
            recomputed = event_hash(prev, seq, at, actor, action, subject, data_json)
        except (ValueError, TypeError):
            return ChainReport(checked, seq, f"event {seq} has unreadable data")
        if recomputed != digest:
            return ChainReport(checked, seq, f"event {seq} ({action}) was modified")
        problem = _mac_problem(key, seq, action, digest, mac)
        if problem is not None:
            return ChainReport(checked, seq, problem)
        prev = digest
        expected_seq = seq + 1
        checked += 1
    head = conn.execute("SELECT value FROM meta WHERE key = 'audit_head'").fetchone()
    if checked and (head is None or head[0] != f"{expected_seq - 1}:{prev}"):
        return ChainReport(
            checked, None, "the chain head does not match the last event: events were cut off"
        )
    if not checked and head is not None:
        return ChainReport(0, None, "every event was deleted")
    if key is not None and expected_seq <= key[1]:
        # the key file was made by event key[1]: that event existed
        return ChainReport(
            checked,
            None,
            f"event {key[1]} and every event after it were deleted (the chain key was made by it)",
        )
    if keyed and key is None and checked and _any_mac(conn):
        return ChainReport(
            checked, None, "the audit chain key keys/audit.key is missing: keyed hashes unchecked"
        )
    return ChainReport(checked, None, None)


def _mac_problem(
    key: tuple[bytes, int] | None, seq: int, action: str, digest: str, mac: str | None
) -> str | None:
    if key is None:
        return None
    secret, first = key
    if mac is None:
        if seq >= first:
            return f"event {seq} ({action}) has no keyed hash: the chain was recomputed"
        return None
    if not hmac.compare_digest(mac, event_mac(secret, seq, digest)):
        return f"event {seq} ({action}) fails its keyed hash: the chain was recomputed"
    return None


def _any_mac(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM events WHERE mac IS NOT NULL LIMIT 1").fetchone() is not None
