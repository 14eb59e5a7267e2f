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
    "withdrawn",
    "completed",
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


def _v5_amendments_ocr(conn: sqlite3.Connection) -> None:
    """Amendments and OCR checks.

    While an amendment is drafted, routed and signed, the contract row describes the
    amendment (so routing sees its amount) and ``in_force_version`` / ``in_force_status``
    remember the version that binds the parties and the status to return to if the
    amendment is rejected. ``versions.outcome`` records a rejected amendment (the version
    itself stays, immutable). ``ocr_checks`` keeps every check of a scanned copy: the
    scan's SHA-256 (the scan is stored as an object), the verdict and the full report.
    """
    execute_script(
        conn,
        """
        ALTER TABLE contracts ADD COLUMN in_force_version INTEGER;
        ALTER TABLE contracts ADD COLUMN in_force_status TEXT;
        ALTER TABLE versions ADD COLUMN outcome TEXT;
        CREATE TABLE ocr_checks (
            id          INTEGER PRIMARY KEY,
            contract_id TEXT NOT NULL REFERENCES contracts(id),
            version_n   INTEGER NOT NULL,
            scan_sha    TEXT NOT NULL,
            scan_name   TEXT NOT NULL,
            verdict     TEXT NOT NULL CHECK (verdict IN ('match', 'mismatch')),
            pages       INTEGER NOT NULL,
            lang        TEXT NOT NULL,
            dpi         INTEGER NOT NULL,
            critical    INTEGER NOT NULL DEFAULT 0,
            major       INTEGER NOT NULL DEFAULT 0,
            minor       INTEGER NOT NULL DEFAULT 0,
            seal        TEXT,
            report_sha  TEXT NOT NULL,
            checked_by  TEXT NOT NULL,
            checked_at  TEXT NOT NULL
        );
        CREATE INDEX ocr_checks_contract ON ocr_checks(contract_id, id);
        """,
    )


def _v6_imports_archive(conn: sqlite3.Connection) -> None:
    """Imported files, extracted metadata, obligations and archive dossiers.

    ``import_files`` is keyed by the file's SHA-256, so a file is imported once however
    often and from wherever it is offered; a failed file keeps its reason and is tried
    again on the next run. ``contract_metadata`` keeps each extracted value with its
    confidence and source text until someone confirms or corrects it (``edit``).
    """
    execute_script(
        conn,
        """
        CREATE TABLE import_files (
            sha256      TEXT PRIMARY KEY,
            path        TEXT NOT NULL,
            size        INTEGER NOT NULL,
            state       TEXT NOT NULL CHECK (state IN ('imported', 'failed')),
            reason      TEXT NOT NULL DEFAULT '',
            contract_id TEXT REFERENCES contracts(id),
            attempts    INTEGER NOT NULL DEFAULT 1,
            at          TEXT NOT NULL
        );
        CREATE TABLE contract_metadata (
            contract_id  TEXT NOT NULL REFERENCES contracts(id),
            field        TEXT NOT NULL,
            value        TEXT,
            confidence   REAL NOT NULL,
            source       TEXT NOT NULL DEFAULT '',
            flags        TEXT NOT NULL DEFAULT '[]',
            confirmed_by TEXT,
            confirmed_at TEXT,
            PRIMARY KEY (contract_id, field)
        );
        CREATE TABLE obligations (
            id           INTEGER PRIMARY KEY,
            contract_id  TEXT NOT NULL REFERENCES contracts(id),
            kind         TEXT NOT NULL
                         CHECK (kind IN ('expiry', 'renewal_notice', 'payment', 'other')),
            due_date     TEXT NOT NULL,
            description  TEXT NOT NULL DEFAULT '',
            amount_minor INTEGER,
            currency     TEXT,
            state        TEXT NOT NULL DEFAULT 'open'
                         CHECK (state IN ('open', 'done', 'cancelled')),
            source       TEXT NOT NULL DEFAULT '',
            created_at   TEXT NOT NULL,
            CHECK ((amount_minor IS NULL) = (currency IS NULL))
        );
        CREATE INDEX obligations_due ON obligations(state, due_date);
        CREATE INDEX obligations_contract ON obligations(contract_id);
        CREATE TABLE archives (
            contract_id TEXT PRIMARY KEY REFERENCES contracts(id),
            dossier_sha TEXT NOT NULL,
            files       INTEGER NOT NULL,
            archived_by TEXT NOT NULL,
            archived_at TEXT NOT NULL
        );
        """,
    )


def _v7_search(conn: sqlite3.Connection) -> None:
    """The full-text index (contractctl.store.search_index): original text per contract in
    ``search_docs`` and a contentless FTS5 table over it with CJK split into pairs.
    Contracts already in the store are indexed now, from their rows, parties and the
    text of their versions in the object store."""
    from pathlib import Path

    from contractctl.store import search_index as index
    from contractctl.store.objects import ObjectStore

    execute_script(conn, index.SCHEMA)
    db_file = next(row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main")
    index.index_all(conn, ObjectStore(Path(db_file).parent / "objects"))


def _v8_search_layout_spaces(conn: sqlite3.Connection) -> None:
    """Re-index every contract: whitespace between two CJK characters is no longer a word
    break (contractctl.store.search_text.join_cjk). The FTS table is contentless, so its
    old entries are dropped wholesale ('delete-all') rather than one by one with text the
    new tokenisation would not reproduce."""
    from pathlib import Path

    from contractctl.store import search_index as index
    from contractctl.store.objects import ObjectStore

    db_file = next(row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main")
    index.rebuild(conn, ObjectStore(Path(db_file).parent / "objects"))


def _v9_keyed_audit_chain(conn: sqlite3.Connection) -> None:
    """A keyed hash per audit event (HMAC with keys/audit.key, made by the next event):
    see contractctl.store.audit. Older events keep their plain chain."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(events)")}
    if "mac" not in columns:  # a store re-migrated from an earlier version keeps it
        conn.execute("ALTER TABLE events ADD COLUMN mac TEXT")


def _v10_withdrawn_status(conn: sqlite3.Connection) -> None:
    """A contract can be withdrawn (`contractctl withdraw`): 'withdrawn' joins the CHECK
    lists of contracts.status and approval_routes.state. Widening a CHECK constraint
    leaves every row valid, so each table's stored definition is edited in place
    (SQLite's documented writable_schema procedure) instead of copying the table; the
    schema version is bumped so every connection reads the new definitions."""
    edits = {"contracts": "'archived'", "approval_routes": "'returned'"}
    changed: list[tuple[str, str]] = []
    for table, last in edits.items():
        (sql,) = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
        if "'withdrawn'" in sql:  # a store created with it in the list already
            continue
        widened = sql.replace(f"{last})", f"{last}, 'withdrawn')", 1)
        if widened == sql:
            raise StoreProblem(f"{table} table: cannot find its list to add 'withdrawn'")
        changed.append((table, widened))
    if not changed:
        return
    (version,) = conn.execute("PRAGMA schema_version").fetchone()
    conn.execute("PRAGMA writable_schema = ON")
    try:
        for table, widened in changed:
            conn.execute(
                "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                (widened, table),
            )
        conn.execute(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")


def _v11_notifications(conn: sqlite3.Connection) -> None:
    """Notifications sent by `notify` (contractctl.notify): one row per thing, person and
    channel. ``key`` names the thing (a task reaching its stage, its n-th reminder, an
    audit event), so the UNIQUE constraint is what keeps a rerun of cron from sending it
    twice. ``state`` is pending (to send, or to try again at ``next_try_at``), held (quiet
    hours, or waiting for the daily digest), sent, digested (sent inside digest
    ``digest_id``) or failed (given up); ``outcome`` is the transport's last answer."""
    execute_script(
        conn,
        """
        CREATE TABLE IF NOT EXISTS notifications (
            id          INTEGER PRIMARY KEY,
            key         TEXT NOT NULL,
            recipient   TEXT NOT NULL,
            channel     TEXT NOT NULL,
            kind        TEXT NOT NULL,
            contract_id TEXT REFERENCES contracts(id),
            subject     TEXT NOT NULL,
            body        TEXT NOT NULL,
            state       TEXT NOT NULL
                        CHECK (state IN ('pending', 'held', 'sent', 'digested', 'failed')),
            attempts    INTEGER NOT NULL DEFAULT 0,
            next_try_at TEXT,
            outcome     TEXT NOT NULL DEFAULT '',
            digest_id   INTEGER REFERENCES notifications(id),
            created_at  TEXT NOT NULL,
            sent_at     TEXT,
            UNIQUE (key, recipient, channel)
        );
        CREATE INDEX IF NOT EXISTS notifications_state ON notifications(state, next_try_at);
        CREATE INDEX IF NOT EXISTS notifications_channel_sent ON notifications(channel, sent_at);
        """,
    )


def _v12_execution(conn: sqlite3.Connection) -> None:
    """After the signature (contractctl.obligations, contractctl.orders): obligations get
    a template milestone, the party that must perform, an owner, who/when/evidence of
    completion and the states done and waived; a date that waits for an event (acceptance
    after delivery) is NULL with ``after`` and its offset until the event is recorded, so
    the table is copied (a CHECK and NOT NULL cannot be widened in place). New: evidence
    attachments, payments with their allocation to obligations, orders with lines and
    steps; 'completed' (履行完毕) joins the contract statuses."""
    from contractctl.store.execution_tables import execution_schema

    # a store re-migrated from an earlier version number (its user_version set back)
    # has the tables already: copying obligations again would fail half-way
    applied = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'orders'"
    ).fetchone()
    if applied is None:
        execute_script(conn, execution_schema())
    (sql,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'contracts'"
    ).fetchone()
    if "'completed'" in sql:  # a store created with it in the list already
        return
    widened = sql.replace("'withdrawn')", "'withdrawn', 'completed')", 1)
    if widened == sql:
        raise StoreProblem("contracts table: cannot find its status list to add 'completed'")
    (version,) = conn.execute("PRAGMA schema_version").fetchone()
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.execute(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'contracts'",
            (widened,),
        )
        conn.execute(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")


def _v13_in_force_values(conn: sqlite3.Connection) -> None:
    """What the contract row said about the version in force when an amendment began.

    While an amendment is under way the row describes the amendment; the version in
    force keeps its own amount and dates here (JSON: amount, start_date, end_date,
    fields), so `show` still gives them and a rejected or withdrawn amendment puts them
    back. The version's own ``fields`` cannot serve: an imported version has none (its
    values are what the import read, on the row) and an edit after import changes the
    row, never the immutable version. NULL when no amendment is under way.
    """
    columns = {str(r[1]) for r in conn.execute("PRAGMA table_info(contracts)")}
    if "in_force_values" not in columns:  # a store re-migrated from an earlier number
        conn.execute("ALTER TABLE contracts ADD COLUMN in_force_values TEXT")


MIGRATIONS: tuple[Migration, ...] = (
    _v1_foundation,
    _v2_templates,
    _v3_approvals,
    _v4_signatures,
    _v5_amendments_ocr,
    _v6_imports_archive,
    _v7_search,
    _v8_search_layout_spaces,
    _v9_keyed_audit_chain,
    _v10_withdrawn_status,
    _v11_notifications,
    _v12_execution,
    _v13_in_force_values,
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
