"""The append-only, hash-chained audit log.

Every change to the store writes one event in the same transaction as the change.
Each event's hash is SHA-256 over the previous event's hash and the canonical JSON of
the event (its sequence number included), so editing, deleting or reordering any
event breaks the chain from that point. The head of the chain is also kept in the
meta table, so cutting events off the end is caught too.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


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
    data_json = canonical_json(data or {})
    digest = event_hash(prev, seq, at, actor, action, subject, data_json)
    conn.execute(
        "INSERT INTO events (seq, at, actor, action, subject, data, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, at, actor, action, subject, data_json, prev, digest),
    )
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('audit_head', ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (f"{seq}:{digest}",),
    )
    return Event(seq, at, actor, action, subject, json.loads(data_json), prev, digest)


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
    cursor = conn.execute(
        "SELECT seq, at, actor, action, subject, data, prev_hash, hash FROM events ORDER BY seq"
    )
    for seq, at, actor, action, subject, data_json, prev_hash, digest in cursor:
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
    return ChainReport(checked, None, None)
