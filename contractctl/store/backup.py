"""`backup DEST` and `restore SRC`: a store copied whole, consistently, while it is in use.

Copying the store folder with ``cp`` while a command writes can catch the database
between its file and its write-ahead log, and the objects of a half-finished import. A
backup instead takes:

- the database as one consistent snapshot (``VACUUM INTO``: a single read transaction,
  so writers carry on and the copy is what one moment saw, compacted);
- exactly the objects that snapshot refers to, each hashed while it is copied (a damaged
  object stops the backup: copying it would pass the damage on);
- the store's own files: ``contractctl.toml``, ``people.toml``, ``rules/``,
  ``templates/`` and ``keys/`` (private keys keep their 0600 / 0700 modes);
- ``backup.json``: when, from where, schema version, counts, audit head, database hash.

It is written to a hidden sibling of DEST and renamed into place at the end, so DEST
either holds a whole backup or does not exist. The hidden folder holds a lock for as long
as its backup runs; one left by a killed backup (SIGKILL, a power cut) is removed by the
next backup or restore into the same folder, as the store's ``tmp/`` is swept. A backup
is itself a store folder: ``contractctl --home DEST fsck`` checks it.

``restore SRC`` copies a backup into a home that holds no store, the same way (hidden
sibling, rename), then checks the result with fsck. It never overwrites a store.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contractctl import limits
from contractctl.errors import InvalidInput, NotAllowed, StoreProblem
from contractctl.progress import NullProgress, Progress
from contractctl.store import DB_NAME, Store, scratch
from contractctl.store.audit import now_iso
from contractctl.store.fsck import FsckReport, is_sha256, object_references
from contractctl.store.objects import sha256_file

MANIFEST = "backup.json"
FORMAT = 1
#: The store's own files and folders besides the database and objects.
STORE_FILES = ("contractctl.toml", "people.toml")
STORE_DIRS = ("rules", "templates", "keys")
CHUNK = 1 << 20


@dataclass
class BackupReport:
    """What a backup or restore wrote."""

    path: Path
    objects: int = 0
    bytes: int = 0
    contracts: int = 0
    events: int = 0
    schema: int = 0
    check: FsckReport | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of `backup --json` and `restore --json`."""
        return {
            "path": str(self.path),
            "objects": self.objects,
            "bytes": self.bytes,
            "contracts": self.contracts,
            "events": self.events,
            "schema": self.schema,
            "check": self.check.to_dict() if self.check is not None else None,
            **self.extra,
        }


def backup(store: Store, dest: Path, *, progress: Progress | None = None) -> BackupReport:
    """Write a consistent, whole copy of ``store`` to the new folder ``dest``."""
    dest = Path(os.path.abspath(dest))
    _check_new(dest, "backup destination")
    if dest == store.home or store.home in dest.parents:
        raise InvalidInput(f"{dest}: a backup cannot go inside the store it copies")
    sweep_partials(dest.parent)
    partial = _partial(dest)
    held: int | None = None
    try:
        partial.mkdir(mode=0o700)
        held = scratch.lock(partial)
        store.conn.execute("VACUUM INTO ?", (str(partial / DB_NAME),))
        report = BackupReport(dest)
        snapshot = sqlite3.connect(partial / DB_NAME, isolation_level=None)
        try:
            # in WAL mode already, as the store is: opening the backup as a store (fsck)
            # then leaves the database file, and so its recorded hash, as it is
            snapshot.execute("PRAGMA journal_mode = WAL")
            wanted = sorted({sha for sha, _, _ in object_references(snapshot) if is_sha256(sha)})
            report.schema = int(snapshot.execute("PRAGMA user_version").fetchone()[0])
            report.contracts = int(snapshot.execute("SELECT count(*) FROM contracts").fetchone()[0])
            report.events = int(snapshot.execute("SELECT count(*) FROM events").fetchone()[0])
            head = snapshot.execute("SELECT value FROM meta WHERE key = 'audit_head'").fetchone()
        finally:
            snapshot.close()
        _fsync(partial / DB_NAME)
        progress = progress or NullProgress()
        progress.start(len(wanted), "Copying files")
        try:
            for sha in wanted:
                report.bytes += _copy_object(store.objects.path(sha), partial / "objects", sha)
                progress.advance()
        finally:
            progress.finish()
        report.objects = len(wanted)
        _copy_store_files(store.home, partial)
        manifest = {
            "format": FORMAT,
            "created_at": now_iso(),
            "source": str(store.home),
            "schema": report.schema,
            "contracts": report.contracts,
            "events": report.events,
            "objects": report.objects,
            "audit_head": head[0] if head else None,
            "database_sha256": sha256_file(partial / DB_NAME),
        }
        _write(partial / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        (partial / scratch.LOCK).unlink()
        _fsync_dir(partial)
        os.rename(partial, dest)
        _fsync_dir(dest.parent)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        _release(held)
    report.extra["created_at"] = manifest["created_at"]
    return report


def restore(source: Path, home: Path) -> BackupReport:
    """Copy the backup ``source`` into ``home`` (which must hold no store), then fsck it."""
    from contractctl.store.fsck import fsck

    source = Path(os.path.abspath(source))
    home = Path(os.path.abspath(home))
    manifest = read_manifest(source)
    if (home / DB_NAME).exists():
        raise NotAllowed(
            f"{home} already holds a store: restore never overwrites one",
            hint="restore into a new folder with --home, or move the current store away first",
        )
    if home.exists() and (not home.is_dir() or any(home.iterdir())):
        raise NotAllowed(f"{home} is not empty: restore into a new or empty folder")
    sweep_partials(home.parent)
    partial = _partial(home)
    held: int | None = None
    try:
        partial.mkdir(mode=0o700)
        held = scratch.lock(partial)
        shutil.copy2(source / DB_NAME, partial / DB_NAME)
        if sha256_file(partial / DB_NAME) != manifest.get("database_sha256"):
            raise StoreProblem(f"{source / DB_NAME} does not match the hash in {MANIFEST}")
        _fsync(partial / DB_NAME)
        report = BackupReport(home)
        objects = source / "objects"
        for path in sorted(objects.glob("??/*")) if objects.is_dir() else []:
            sha = path.parent.name + path.name
            if not is_sha256(sha):
                continue
            report.bytes += _copy_object(path, partial / "objects", sha)
            report.objects += 1
        _copy_store_files(source, partial)
        (partial / scratch.LOCK).unlink()
        _fsync_dir(partial)
        if home.exists():
            home.rmdir()  # empty, checked above
        os.rename(partial, home)
        _fsync_dir(home.parent)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        _release(held)
    with Store.open(home) as store:
        report.check = fsck(store)
        report.schema = int(store.conn.execute("PRAGMA user_version").fetchone()[0])
        report.contracts = int(store.conn.execute("SELECT count(*) FROM contracts").fetchone()[0])
        report.events = int(store.conn.execute("SELECT count(*) FROM events").fetchone()[0])
    report.extra["backup_created_at"] = manifest.get("created_at")
    return report


def read_manifest(source: Path) -> dict[str, Any]:
    """The backup's manifest; exit 2 when ``source`` is not a contractctl backup."""
    try:
        manifest = limits.json_loads(
            (source / MANIFEST).read_text(encoding="utf-8"), str(source / MANIFEST)
        )
    except FileNotFoundError:
        raise InvalidInput(f"{source}: not a contractctl backup (no {MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{source / MANIFEST}: unreadable ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InvalidInput(f"{source}: a backup format this contractctl does not read")
    if not (source / DB_NAME).is_file():
        raise InvalidInput(f"{source}: the backup has no {DB_NAME}")
    return manifest


def _check_new(path: Path, what: str) -> None:
    if path.exists():
        raise InvalidInput(f"{path}: the {what} exists; a backup never overwrites anything")
    if not path.parent.is_dir():
        raise InvalidInput(f"{path.parent}: no such folder")


def _partial(final: Path) -> Path:
    return final.parent / f".{final.name}.partial-{os.getpid()}"


def sweep_partials(folder: Path) -> int:
    """Remove the hidden half-written backups (or restores) in ``folder`` whose process
    is gone; how many. One whose lock is held is being written and is left alone."""
    removed = 0
    for entry in folder.iterdir() if folder.is_dir() else ():
        name = entry.name
        if not (name.startswith(".") and ".partial-" in name and entry.is_dir()):
            continue
        if not name.rpartition(".partial-")[2].isdigit() or scratch.owner_alive(entry):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed += 1
    return removed


def _release(fd: int | None) -> None:
    if fd is not None:
        with suppress(OSError):
            os.close(fd)


def _copy_object(source: Path, objects: Path, sha: str) -> int:
    """Copy one object, hashing it on the way; a damaged or missing one stops the copy."""
    target = objects / sha[:2] / sha[2:]
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    try:
        with source.open("rb") as inp, target.open("xb") as out:
            for chunk in iter(lambda: inp.read(CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
    except FileNotFoundError:
        raise StoreProblem(
            f"object {sha[:12]} is missing from the store", hint="run contractctl fsck"
        ) from None
    if digest.hexdigest() != sha:
        raise StoreProblem(
            f"object {sha[:12]} is damaged (its bytes do not hash to its name): not copied",
            hint="run contractctl fsck",
        )
    os.chmod(target, 0o444)
    return size


def _copy_store_files(home: Path, target: Path) -> None:
    for name in STORE_FILES:
        if (home / name).is_file():
            shutil.copy2(home / name, target / name)
            _fsync(target / name)
    for name in STORE_DIRS:
        if (home / name).is_dir():
            shutil.copytree(home / name, target / name, symlinks=True, copy_function=shutil.copy2)
            for path in (target / name).rglob("*"):
                if path.is_file() and not path.is_symlink():
                    _fsync(path)


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    _fsync(path)


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        with suppress(OSError):
            os.close(fd)
