"""The local store: a folder with contractctl.toml, contracts.db, objects/ and friends.

``Store.open(home)`` opens an existing store; ``init_store(home)`` creates or upgrades
one. Every change goes through ``store.transaction(actor)``: one SQLite write
transaction (BEGIN IMMEDIATE, so concurrent writers queue instead of failing) that
also carries the audit event and removes any object files it created if it rolls
back, so a failed command leaves the store exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from contractctl import config
from contractctl.errors import StoreProblem
from contractctl.store import audit, record_state, references, schema, scratch, signals
from contractctl.store.objects import ObjectStore
from contractctl.store.scratch import Scratch

DB_NAME = "contracts.db"
#: Set to 1 to open the store read-only whatever its permissions say.
READ_ONLY_ENV = "CONTRACTCTL_READ_ONLY"
BUSY_TIMEOUT_S = 60.0

PEOPLE_TEMPLATE = """\
# People who take part in approvals, and their roles. Approval rules
# (rules/approval.toml) name roles; roles resolve to the people listed here.
# login = "..." is a person's operating-system login: contractctl acts as the person
# whose login runs it. --as ID acts for someone else only with a delegation from them
# ([[delegations]]) or for those in admins = ["id or login", ...] (a line above the
# first [[people]]); the audit log records both. See docs/trust.md.
# contractctl init never overwrites this file.
#
# [[people]]
# id = "wang.fang"
# name = "王芳"
# email = "wang.fang@example.com"
# department = "legal"
# roles = ["legal"]          # legal approves new template versions
# login = "wangf"            # her OS login
"""


def connect(path: Path, *, create: bool = False, read_only: bool = False) -> sqlite3.Connection:
    """Open the store database in autocommit mode with the store's pragmas.

    ``read_only`` opens it through a ``mode=ro`` URI (no WAL switch, no writes), or,
    where SQLite cannot even keep its shared-memory index beside it (read-only media),
    as ``immutable=1``: a backup on write-once media can still be listed and checked.
    """
    if not create and not path.exists():
        raise StoreProblem(f"no store database at {path}", hint="run contractctl init")
    if read_only:
        return _connect_read_only(path)
    try:
        conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.DatabaseError as exc:
        raise StoreProblem(f"cannot open {path}: {exc}") from exc
    return conn


def _connect_read_only(path: Path) -> sqlite3.Connection:
    uri = path.absolute().as_uri()
    last: sqlite3.Error | None = None
    for flags in ("mode=ro", "mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(
                f"{uri}?{flags}",
                uri=True,
                timeout=BUSY_TIMEOUT_S,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            last = exc
            continue
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            conn.close()
            last = exc
            continue
        return conn
    raise StoreProblem(f"cannot open {path} read-only: {last}")


def is_read_only(home: Path) -> bool:
    """Whether the store must be opened read-only: CONTRACTCTL_READ_ONLY=1, or its
    folder or database cannot be written (read-only media, a write-protected copy)."""
    if os.environ.get(READ_ONLY_ENV) == "1":
        return True
    db = home / DB_NAME
    return not (os.access(home, os.W_OK) and os.access(db, os.W_OK))


@dataclass
class Tx:
    """One write transaction: SQL, new objects and the audit event together."""

    store: Store
    actor: str
    created_objects: list[str] = field(default_factory=list)
    pending: list[tuple[str, str | None, dict[str, Any] | None]] = field(default_factory=list)

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection, inside the open transaction."""
        return self.store.conn

    def put_bytes(self, data: bytes) -> str:
        """Store bytes as an object; undone if the transaction rolls back."""
        sha, created = self.store.objects.put_bytes(data)
        if created:
            self.created_objects.append(sha)
        return sha

    def put_file(self, path: Path) -> str:
        """Store a file's exact bytes as an object; undone on rollback."""
        sha, created = self.store.objects.put_file(path)
        if created:
            self.created_objects.append(sha)
        return sha

    def audit(self, action: str, subject: str | None, data: dict[str, Any] | None = None) -> None:
        """Record the audit event of this change; it is written in this transaction,
        after the block's last change (see :meth:`flush`)."""
        self.pending.append((action, subject, data))

    def flush(self) -> None:
        """Write the pending events in order. The last event about each contract also
        records the contract's rows as they now stand (contractctl.store.record_state),
        so fsck can hold the tables to the log."""
        last = {subject: i for i, (_, subject, _) in enumerate(self.pending)}
        pending, self.pending = self.pending, []
        for i, (action, subject, data) in enumerate(pending):
            if (
                subject is not None
                and last[subject] == i
                and record_state.is_contract(self.conn, subject)
            ):
                data = {
                    **(data or {}),
                    record_state.KEY: record_state.contract_state(self.conn, subject),
                }
            audit.append(self.conn, self.actor, action, subject, data)

    def next_number(self, counter: str) -> int:
        """The next value of a named counter (ids like C-2026-0001, P-0001)."""
        row = self.conn.execute(
            "INSERT INTO counters (name, value) VALUES (?, 1) "
            "ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value",
            (counter,),
        ).fetchone()
        return int(row[0])


class Store:
    """An open store. Create with ``Store.open(home)``; close with ``close()``."""

    def __init__(
        self,
        home: Path,
        conn: sqlite3.Connection,
        settings: config.Settings,
        *,
        read_only: bool = False,
    ) -> None:
        self.home = home
        self.conn = conn
        self.settings = settings
        self.read_only = read_only
        self.scratch = Scratch(home)
        self.objects = ObjectStore(home / "objects", None if read_only else self.scratch.path)

    @classmethod
    def open(cls, home: Path) -> Store:
        """Open an initialised store whose schema is current.

        A store that cannot be written is opened read-only (every command that only
        reads works on it); otherwise the temporary folders of killed runs are swept.
        """
        db_path = home / DB_NAME
        if not db_path.exists():
            raise StoreProblem(
                f"no contractctl store at {home}", hint=f"run: contractctl init --home {home}"
            )
        settings = config.load_settings(home)
        read_only = is_read_only(home)
        conn = connect(db_path, read_only=read_only)
        version = schema.current_version(conn)
        if version != schema.SCHEMA_VERSION:
            conn.close()
            if version > schema.SCHEMA_VERSION:
                raise StoreProblem(
                    f"the store at {home} has schema version {version}, newer than this "
                    f"contractctl understands ({schema.SCHEMA_VERSION})",
                    hint="upgrade contractctl",
                )
            raise StoreProblem(
                f"the store at {home} has schema version {version}; this contractctl "
                f"needs {schema.SCHEMA_VERSION}",
                hint=f"upgrade it with: contractctl init --home {home}",
            )
        if not read_only:
            with suppress(OSError):
                scratch.sweep(home)
        return cls(home, conn, settings, read_only=read_only)

    def temp_dir(self) -> Path | None:
        """This process's temporary folder under the store's tmp/ (None if read-only)."""
        if self.read_only:
            return None
        try:
            return self.scratch.path()
        except OSError:
            return None

    def close(self) -> None:
        """Close the database connection and remove this process's temporary folder."""
        self.conn.close()
        self.scratch.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self, actor: str) -> Iterator[Tx]:
        """One atomic change: everything in the block lands, or nothing does.

        The object files the block wrote are removed only when the rollback is certain
        and no committed row names them: COMMIT and the clean-up run with Ctrl-C and
        SIGTERM held (:func:`~contractctl.store.signals.held`), and a COMMIT that fails
        is judged by asking the database, so an interrupt can never delete the file of
        a committed row.
        """
        if self.read_only:
            raise StoreProblem(
                f"the store at {self.home} is read-only (read-only media, a write-protected "
                f"copy or {READ_ONLY_ENV}=1): this command changes it",
                hint="run it on a writable store; list, show, search, export, fsck and verify "
                "work here",
            )
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _locked(self.home, exc) from exc
        tx = Tx(self, actor)
        signals.WRITES.begun += 1
        try:
            yield tx
            tx.flush()
        except BaseException:
            with signals.held():
                self._undo(tx)
                signals.WRITES.rolled_back += 1
            raise
        with signals.held():
            try:
                self.conn.execute("COMMIT")
                signals.WRITES.committed += 1
            except BaseException as exc:
                signals.WRITES.rolled_back += self.conn.in_transaction
                self._undo(tx)
                if isinstance(exc, sqlite3.OperationalError) and _is_lock_error(exc):
                    raise _locked(self.home, exc) from exc
                raise

    def _undo(self, tx: Tx) -> None:
        """Roll back if still in the transaction, then remove the objects it created
        that no committed row names (when that cannot be asked, keep them: a stray
        object costs disk, a missing one loses a contract)."""
        if self.conn.in_transaction:
            with suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
        if not tx.created_objects or self.conn.in_transaction:
            return
        try:
            named = references.referenced(self.conn, tx.created_objects)
        except sqlite3.Error:
            return
        for sha in tx.created_objects:
            if sha not in named:
                self.objects.remove(sha)

    def counts(self) -> dict[str, int]:
        """Rows per table and object files: what tests compare before and after."""
        tables = [
            r[0]
            for r in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {
            t: int(self.conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables
        }
        counts["objects"] = sum(1 for p in self.objects.root.rglob("*") if p.is_file())
        return counts


def _is_lock_error(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _locked(home: Path, exc: sqlite3.OperationalError) -> StoreProblem:
    if _is_lock_error(exc):
        return StoreProblem(
            f"the store at {home} stayed locked by another contractctl for {BUSY_TIMEOUT_S:g} s",
            hint="wait for the other command to finish, then try again",
        )
    return StoreProblem(f"store database error at {home}: {exc}")


@dataclass(frozen=True)
class InitReport:
    """What `init` did: files created, files kept as edited, schema before and after."""

    home: Path
    created: list[str]
    kept: list[str]
    schema_before: int
    schema_after: int
    registered: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of `init --json`."""
        return {
            "home": str(self.home),
            "created": self.created,
            "kept": self.kept,
            "schema_before": self.schema_before,
            "schema_after": self.schema_after,
            "registered": self.registered,
        }


def init_store(home: Path, actor: str) -> InitReport:
    """Create or upgrade the store at ``home``; idempotent, never overwrites edits.

    Shipped rules and templates are copied only where the store has no file of that
    name, so a user's edited rule file survives every later `init`.
    """
    created: list[str] = []
    kept: list[str] = []
    signals.WRITES.begun += 1  # settled (committed) at the end: an interrupt says so
    try:
        home.mkdir(parents=True, exist_ok=True)
        for sub in ("objects", "rules", "templates", "keys"):
            path = home / sub
            if not path.is_dir():
                path.mkdir()
                created.append(sub + "/")
        os.chmod(home / "keys", 0o700)
        _write_if_missing(home / config.CONFIG_NAME, config.DEFAULT_CONFIG, created, kept)
        _write_if_missing(home / "people.toml", PEOPLE_TEMPLATE, created, kept)
        _copy_shipped("contractctl.rules", home / "rules", created, kept)
        _copy_shipped("contractctl.templates", home / "templates", created, kept)
    except OSError as exc:
        raise StoreProblem(f"cannot create a store at {home}: {exc.strerror or exc}") from exc
    config.load_settings(home)  # an edited, broken contractctl.toml is reported now
    db_path = home / DB_NAME
    if not db_path.exists():
        created.append(DB_NAME)
    conn = connect(db_path, create=True)
    try:
        before, after = schema.migrate(conn)
        if after != before:
            conn.execute("BEGIN IMMEDIATE")
            audit.append(
                conn,
                actor,
                "store.init" if before == 0 else "store.upgrade",
                None,
                {"schema_before": before, "schema_after": after},
            )
            conn.execute("COMMIT")
    finally:
        conn.close()
    signals.WRITES.committed += 1
    return InitReport(home, created, kept, before, after)


def _write_if_missing(path: Path, text: str, created: list[str], kept: list[str]) -> None:
    if path.exists():
        kept.append(path.name)
        return
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    created.append(path.name)


def _copy_shipped(package: str, dest: Path, created: list[str], kept: list[str]) -> None:
    """Copy a package-data folder's *.toml / *.docx (and tests/) into the store."""
    root = resources.files(package)
    for entry in _walk(root):
        rel, item = entry
        if not (rel.endswith(".toml") or rel.endswith(".docx")):
            continue
        target = dest / rel
        label = f"{dest.name}/{rel}"
        if target.exists():
            kept.append(label)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with resources.as_file(item) as src, suppress(FileNotFoundError):
            tmp = target.with_name(f".{target.name}.tmp")
            shutil.copyfile(src, tmp)
            os.replace(tmp, target)
            created.append(label)


def _walk(root: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for item in sorted(root.iterdir(), key=lambda i: i.name):
        if item.name.startswith((".", "_")):
            continue
        rel = f"{prefix}{item.name}"
        if item.is_dir():
            if item.name in ("src",):
                continue
            yield from _walk(item, rel + "/")
        else:
            yield rel, item
