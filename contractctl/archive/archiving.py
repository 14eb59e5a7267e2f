"""Archiving: the archive transition, storing the dossier, and writing bundles.

``archive`` moves a signed, active, expired or terminated contract to ``archived`` and, in
the same transaction, stores its dossier (built by :mod:`~contractctl.archive.dossier`).
Its SHA-256 goes into the ``archives`` table and into the ``contract.archive`` audit event.
A bundle (``archive ID --bundle OUT.zip``) is the stored dossier written to a file, whole
or not at all (:func:`write_output` does the same for exports);
:func:`contractctl.archive.bundle.verify_bundle` checks one with nothing but the file.
Kept apart from building the dossier: this module changes the store and writes files,
that one only reads.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contractctl.archive.dossier import build_dossier
from contractctl.archive.manifest_seal import company_key, seal
from contractctl.errors import (
    ContractctlError,
    EnvironmentProblem,
    InvalidInput,
    NotAllowed,
    NotFound,
)
from contractctl.records import lifecycle
from contractctl.store import Store
from contractctl.store.audit import now_iso

#: Statuses `archive` accepts (DESIGN.md §3); the lifecycle table is the authority.
ARCHIVABLE = ("signed", "active", "expired", "terminated", "completed")


@dataclass(frozen=True)
class ArchiveResult:
    """What `archive` did: the contract's status, its dossier, the bundle written."""

    contract_id: str
    status: str
    dossier_sha: str
    files: int
    archived_by: str
    archived_at: str
    changed: bool
    bundle: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        """The `archive --json` shape."""
        return {
            "id": self.contract_id,
            "status": self.status,
            "dossier_sha256": self.dossier_sha,
            "files": self.files,
            "archived_by": self.archived_by,
            "archived_at": self.archived_at,
            "changed": self.changed,
            "bundle": str(self.bundle) if self.bundle else None,
        }


def archive_record(store: Store, contract_id: str) -> dict[str, Any] | None:
    """The ``archives`` row of a contract (dossier_sha, files, archived_by/at) or None."""
    row = store.conn.execute(
        "SELECT * FROM archives WHERE contract_id = ?", (contract_id,)
    ).fetchone()
    return dict(row) if row else None


def archive(
    store: Store,
    actor: str,
    contract_id: str,
    *,
    bundle: Path | None = None,
    force: bool = False,
    passphrase: Callable[[], str] | None = None,
) -> ArchiveResult:
    """Archive a signed, active, expired or terminated contract and store its dossier.

    The dossier, the ``archives`` row, the status change and the ``contract.archive``
    event land in one transaction. With ``bundle``, the dossier is also written there
    (never a half file: a temporary file renamed into place; an existing file only with
    ``force``). An archived contract is refused (exit 3) unless a bundle is asked for:
    then its stored dossier is written and nothing changes.
    """
    from contractctl.records.contracts import get_contract

    contract = get_contract(store.conn, contract_id)
    target = check_output(bundle, force=force) if bundle is not None else None
    if contract.status == "archived":
        return _archived_again(store, actor, contract.id, target, force)
    lifecycle.next_status(contract.status, "archive")  # exit 3, naming the status
    key = company_key(store, contract.id, contract.in_force_version or contract.version)
    secret: str | None = None
    if key is not None:  # the manifest is signed with the key of the company's signature
        if passphrase is None:
            raise InvalidInput(
                f"{contract.id} was signed by the company: its dossier's manifest is signed "
                f"with {key}, which needs its passphrase",
                hint="set CONTRACTCTL_KEY_PASSPHRASE or run in a terminal",
            )
        secret = passphrase()
    staged: Path | None = None
    try:
        with store.transaction(actor) as tx:
            archived_at = now_iso()
            dossier = build_dossier(store, contract.id, archived_by=actor, archived_at=archived_at)
            if key is not None and secret is not None:
                dossier = seal(store, dossier, key, secret)
            sha = tx.put_bytes(dossier.data)
            tx.conn.execute(
                "INSERT INTO archives (contract_id, dossier_sha, files, archived_by, "
                "archived_at) VALUES (?, ?, ?, ?, ?)",
                (contract.id, sha, dossier.files, actor, archived_at),
            )
            status = lifecycle.transition(
                tx, contract.id, "archive", dossier_sha256=sha, files=dossier.files
            )
            if target is not None:
                staged = _stage(target, dossier.data)
    except BaseException:
        if staged is not None:
            _remove(staged)
        raise
    if target is not None and staged is not None:
        _place(staged, target, force=force, after=f"{contract.id} was archived, but ")
    return ArchiveResult(contract.id, status, sha, dossier.files, actor, archived_at, True, target)


def _archived_again(
    store: Store, actor: str, cid: str, target: Path | None, force: bool
) -> ArchiveResult:
    record = archive_record(store, cid)
    if target is None:
        when = f" on {record['archived_at'][:10]} by {record['archived_by']}" if record else ""
        raise NotAllowed(
            f"{cid} is already archived{when}",
            hint=f"write its dossier with: contractctl archive {cid} --bundle {cid}.zip",
        )
    changed = False
    if record is None:  # archived without a dossier (an imported archived contract)
        with store.transaction(actor) as tx:
            archived_at = now_iso()
            dossier = build_dossier(store, cid, archived_by=actor, archived_at=archived_at)
            sha = tx.put_bytes(dossier.data)
            record = {
                "contract_id": cid,
                "dossier_sha": sha,
                "files": dossier.files,
                "archived_by": actor,
                "archived_at": archived_at,
            }
            tx.conn.execute(
                "INSERT INTO archives (contract_id, dossier_sha, files, archived_by, "
                "archived_at) VALUES (:contract_id, :dossier_sha, :files, :archived_by, "
                ":archived_at)",
                record,
            )
            tx.audit("contract.dossier", cid, {"dossier_sha256": sha, "files": dossier.files})
        changed = True
    data = store.objects.read_checked(record["dossier_sha"])
    _place(_stage(target, data), target, force=force)
    return ArchiveResult(
        cid,
        "archived",
        record["dossier_sha"],
        record["files"],
        record["archived_by"],
        record["archived_at"],
        changed,
        target,
    )


# -- writing files ----------------------------------------------------------------------


def check_output(path: Path, *, force: bool) -> Path:
    """Where an output file may go: its folder exists, and it is new unless ``force``."""
    path = Path(path).absolute()
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder; give a file name like {path / 'out.zip'}")
    if not path.parent.is_dir():
        raise NotFound(f"no folder {path.parent} to write {path.name} in")
    if path.exists() and not force:
        raise NotAllowed(f"{path} already exists", hint="add --force to overwrite it")
    return path


def write_output(path: Path, data: bytes, *, force: bool) -> Path:
    """Write a whole file or nothing: a temporary file, fsynced, renamed into place."""
    target = check_output(path, force=force)
    _place(_stage(target, data), target, force=force)
    return target


def _stage(target: Path, data: bytes) -> Path:
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise _write_error(f"cannot write in {target.parent}", exc) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(name, 0o644)
    except BaseException as exc:
        _remove(Path(name))
        if isinstance(exc, OSError):
            raise _write_error(f"cannot write {target}", exc) from exc
        raise
    return Path(name)


def _place(staged: Path, target: Path, *, force: bool, after: str = "") -> None:
    """Move a staged file to ``target``; without ``force``, never replace a file."""
    try:
        if force:
            os.replace(staged, target)
            return
        try:
            os.link(staged, target)
        except FileExistsError:
            raise NotAllowed(
                f"{after}{target} already exists", hint="add --force to overwrite it"
            ) from None
        except OSError:  # a file system without hard links
            if target.exists():
                raise NotAllowed(
                    f"{after}{target} already exists", hint="add --force to overwrite it"
                ) from None
            os.replace(staged, target)
    except OSError as exc:
        raise _write_error(f"{after}cannot write {target}", exc) from exc
    finally:
        _remove(staged)


def _write_error(message: str, exc: OSError) -> ContractctlError:
    """A folder the user may not write in is bad input; a full or failing disk is not."""
    text = f"{message}: {exc.strerror or exc}"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT, errno.ENOTDIR):
        return InvalidInput(text)
    return EnvironmentProblem(text)


def _remove(path: Path) -> None:
    with suppress(FileNotFoundError):
        path.unlink()
