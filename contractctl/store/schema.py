"""The store's schema as code: numbered, forward-only migrations.

``PRAGMA user_version`` holds the number of migrations applied. Each migration runs in
its own transaction together with the version bump, so a crash mid-upgrade leaves the
store at the previous version, never between two. Tables may grow, never shrink:
scripts and older backups depend on the names.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from contractctl.errors import StoreProblem

Migration = Callable[[sqlite3.Connection], None]

STATUSES = (
    "draft",
    "in_review",
    "returned",
    "rejected",
    "approved",
    "signing",
    "signed",
    "active",
    "expired",
    "terminated",
    "archived",
)


def _v1_foundation(conn: sqlite3.Connection) -> None:
    """Parties, contracts, versions, the hash-chained audit log, counters and meta."""
    status_list = ", ".join(f"'{s}'" for s in STATUSES)
    execute_script(
        conn,
        f"""
        CREATE TABLE meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE counters (
            name  TEXT PRIMARY KEY,
            value INTEGER NOT NULL
        );
        CREATE TABLE parties (
            id         TEXT PRIMARY KEY,
            kind       TEXT NOT NULL CHECK (kind IN ('company', 'person')),
            name       TEXT NOT NULL CHECK (name <> ''),
            uscc       TEXT UNIQUE,
            address    TEXT NOT NULL DEFAULT '',
            legal_rep  TEXT NOT NULL DEFAULT '',
            contact    TEXT NOT NULL DEFAULT '',
            phone      TEXT NOT NULL DEFAULT '',
            email      TEXT NOT NULL DEFAULT '',
            bank       TEXT NOT NULL DEFAULT '',
            account    TEXT NOT NULL DEFAULT '',
            risk_level TEXT NOT NULL DEFAULT 'low'
                       CHECK (risk_level IN ('low', 'medium', 'high')),
            notes      TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX parties_name ON parties(name);
        CREATE TABLE contracts (
            id               TEXT PRIMARY KEY,
            title            TEXT NOT NULL,
            type             TEXT NOT NULL,
            status           TEXT NOT NULL CHECK (status IN ({status_list})),
            counterparty_id  TEXT REFERENCES parties(id),
            amount_minor     INTEGER,
            currency         TEXT,
            current_version  INTEGER NOT NULL DEFAULT 1,
            start_date       TEXT,
            end_date         TEXT,
            signed_date      TEXT,
            department       TEXT NOT NULL DEFAULT '',
            template         TEXT,
            template_version INTEGER,
            source           TEXT NOT NULL DEFAULT 'draft'
                             CHECK (source IN ('draft', 'import')),
            external_key     TEXT UNIQUE,
            standard         INTEGER,
            needs_review     INTEGER NOT NULL DEFAULT 0,
            fields           TEXT NOT NULL DEFAULT '{{}}',
            created_by       TEXT NOT NULL,
            created_at       TEXT NOT NULL,
            updated_at       TEXT NOT NULL,
            CHECK ((amount_minor IS NULL) = (currency IS NULL))
        );
        CREATE INDEX contracts_status ON contracts(status);
        CREATE INDEX contracts_type_end ON contracts(type, end_date);
        CREATE INDEX contracts_party ON contracts(counterparty_id);
        CREATE INDEX contracts_signed ON contracts(signed_date);
        CREATE INDEX contracts_end ON contracts(end_date);
        CREATE TABLE versions (
            contract_id TEXT NOT NULL REFERENCES contracts(id),
            n           INTEGER NOT NULL CHECK (n >= 1),
            kind        TEXT NOT NULL,
            parent_n    INTEGER,
            docx_sha    TEXT,
            pdf_sha     TEXT,
            text_sha    TEXT,
            sha256      TEXT,
            reason      TEXT NOT NULL DEFAULT '',
            fields      TEXT NOT NULL DEFAULT '{{}}',
            created_by  TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            PRIMARY KEY (contract_id, n)
        );
        CREATE TABLE events (
            seq       INTEGER PRIMARY KEY,
            at        TEXT NOT NULL,
            actor     TEXT NOT NULL,
            action    TEXT NOT NULL,
            subject   TEXT,
            data      TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash      TEXT NOT NULL UNIQUE
        );
        CREATE INDEX events_subject ON events(subject, seq);
        -- The audit log is append-only. These triggers stop accidents; a determined
        -- editor can drop them, and then `audit verify` names the first broken link.
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        -- Older versions are immutable: only a signed PDF may be attached later.
        CREATE TRIGGER versions_immutable BEFORE UPDATE OF contract_id, n, kind,
            parent_n, docx_sha, text_sha, sha256, fields ON versions
            BEGIN SELECT RAISE(ABORT, 'a contract version is immutable'); END;
        """,
    )


def execute_script(conn: sqlite3.Connection, script: str) -> None:
    """Run several statements inside the caller's transaction.

    sqlite3's executescript() would COMMIT first, breaking the migration's atomicity,
    so statements are split with sqlite3.complete_statement (which understands
    trigger bodies) and executed one by one.
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip().strip(";").strip():
                conn.execute(pending)
            pending = ""
    if pending.strip() and not pending.strip().startswith("--"):
        raise ValueError(f"incomplete SQL statement in migration: {pending[:60]!r}")


def _v2_templates(conn: sqlite3.Connection) -> None:
    """Template versions: each DOCX and schema stored as objects, pending until approved."""
    execute_script(
        conn,
        """
        CREATE TABLE templates (
            name        TEXT NOT NULL,
            version     INTEGER NOT NULL CHECK (version >= 1),
            status      TEXT NOT NULL CHECK (status IN ('pending', 'approved')),
            type        TEXT NOT NULL,
            language    TEXT NOT NULL,
            title       TEXT NOT NULL,
            docx_sha    TEXT NOT NULL,
            schema_sha  TEXT NOT NULL,
            source      TEXT NOT NULL CHECK (source IN ('shipped', 'added')),
            added_by    TEXT NOT NULL,
            added_at    TEXT NOT NULL,
            approved_by TEXT,
            approved_at TEXT,
            PRIMARY KEY (name, version)
        );
        CREATE INDEX contracts_template ON contracts(template, template_version);
        """,
    )


def _v3_approvals(conn: sqlite3.Connection) -> None:
    """Approval routes (one per submission), their tasks, and risk flags."""
    execute_script(
        conn,
        """
        CREATE TABLE approval_routes (
            id           INTEGER PRIMARY KEY,
            contract_id  TEXT NOT NULL REFERENCES contracts(id),
            version_n    INTEGER NOT NULL,
            state        TEXT NOT NULL
                         CHECK (state IN ('open', 'approved', 'rejected', 'returned')),
            route_ids    TEXT NOT NULL,
            rules_hash   TEXT NOT NULL,
            facts        TEXT NOT NULL,
            submitted_by TEXT NOT NULL,
            submitted_at TEXT NOT NULL,
            closed_at    TEXT
        );
        CREATE INDEX approval_routes_contract ON approval_routes(contract_id, id);
        CREATE TABLE approval_tasks (
            id          INTEGER PRIMARY KEY,
            route_id    INTEGER NOT NULL REFERENCES approval_routes(id),
            stage_n     INTEGER NOT NULL,
            stage_name  TEXT NOT NULL,
            mode        TEXT NOT NULL CHECK (mode IN ('all', 'any')),
            approver    TEXT NOT NULL,
            role        TEXT,
            state       TEXT NOT NULL CHECK (state IN
                        ('waiting', 'pending', 'approved', 'rejected', 'returned', 'skipped')),
            due_hours   INTEGER NOT NULL,
            calendar    TEXT NOT NULL,
            due_at      TEXT,
            escalate_to TEXT NOT NULL DEFAULT '[]',
            decided_by  TEXT,
            decided_at  TEXT,
            comment     TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX approval_tasks_route ON approval_tasks(route_id, stage_n);
        CREATE INDEX approval_tasks_open ON approval_tasks(state, due_at);
        CREATE TABLE risk_flags (
            id          INTEGER PRIMARY KEY,
            contract_id TEXT NOT NULL REFERENCES contracts(id),
            version_n   INTEGER NOT NULL,
            route_id    INTEGER REFERENCES approval_routes(id),
            code        TEXT NOT NULL,
            severity    TEXT NOT NULL,
            clause      INTEGER,
            text        TEXT NOT NULL,
            message     TEXT NOT NULL
        );
        CREATE INDEX risk_flags_contract ON risk_flags(contract_id, route_id);
        """,
    )


def _v4_signatures(conn: sqlite3.Connection) -> None:
    """Digital signatures per version, click-through acceptances kept apart as evidence,
    and the unsigned PDF a signed version started from."""
    execute_script(
        conn,
        """
        ALTER TABLE versions ADD COLUMN unsigned_pdf_sha TEXT;
        CREATE TABLE signatures (
            id          INTEGER PRIMARY KEY,
            contract_id TEXT NOT NULL REFERENCES contracts(id),
            version_n   INTEGER NOT NULL,
            seq         INTEGER NOT NULL CHECK (seq >= 1),
            party       TEXT NOT NULL,
            key_name    TEXT NOT NULL,
            signer      TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            certify     INTEGER NOT NULL DEFAULT 0,
            level       TEXT NOT NULL,
            timestamp   TEXT,
            pdf_before  TEXT NOT NULL,
            pdf_after   TEXT NOT NULL,
            signed_by   TEXT NOT NULL,
            signed_at   TEXT NOT NULL,
            UNIQUE (contract_id, version_n, seq)
        );
        CREATE INDEX signatures_contract ON signatures(contract_id, version_n);
        CREATE TABLE acceptances (
            id          INTEGER PRIMARY KEY,
            contract_id TEXT NOT NULL REFERENCES contracts(id),
            version_n   INTEGER NOT NULL,
            accepted_by TEXT NOT NULL,
            pdf_sha     TEXT NOT NULL,
            recorded_by TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        );
        """,
    )


MIGRATIONS: tuple[Migration, ...] = (
    _v1_foundation,
    _v2_templates,
    _v3_approvals,
    _v4_signatures,
)

#: The schema version this contractctl writes and expects.
SCHEMA_VERSION = len(MIGRATIONS)


def current_version(conn: sqlite3.Connection) -> int:
    """The number of migrations applied to this database."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> tuple[int, int]:
    """Apply every pending migration; return (version before, version after).

    The connection must be in autocommit mode (isolation_level=None): each migration
    takes the write lock with BEGIN IMMEDIATE, so two `init` runs at once serialise.
    """
    before = current_version(conn)
    if before > SCHEMA_VERSION:
        raise StoreProblem(
            f"this store has schema version {before}, newer than this contractctl "
            f"understands ({SCHEMA_VERSION})",
            hint="upgrade contractctl",
        )
    for number in range(before + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the lock.
            if current_version(conn) >= number:
                conn.execute("COMMIT")
                continue
            MIGRATIONS[number - 1](conn)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return before, current_version(conn)
