"""Put back missing objects from the files they were imported from, hash-checked.

An imported contract's original is stored under the SHA-256 of its bytes, and the
store remembers where the file was found (``import_files.path``). When that object is
missing (a crash of an older contractctl, a disk fault, a careless ``rm``) and the
file is still where it was, with the same bytes, it can be stored again: the hash
proves it is the very file. Nothing else can be restored this way; `fsck --repair`
restores what it can and names the rest. Each restored object is an audit event.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contractctl.errors import StoreProblem
from contractctl.store import Store
from contractctl.store.objects import sha256_file
from contractctl.store.references import is_sha256, object_references


@dataclass
class RepairReport:
    """Objects stored again (with the file they came from) and those that could not be."""

    restored: list[str] = field(default_factory=list)
    unrestorable: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON shape, under "repair" in `fsck --repair --json`."""
        return {"restored": self.restored, "unrestorable": self.unrestorable}


def restore_object(store: Store, actor: str, source: Path, sha: str, subject: str | None) -> bool:
    """Store ``source`` again as the missing object ``sha`` if its bytes hash to it.

    Returns False (and changes nothing) when the object is present, or the file is
    unreadable or holds other bytes.
    """
    if store.objects.has(sha):
        return False
    try:
        if sha256_file(source) != sha:
            return False
    except OSError:
        return False
    with store.transaction(actor) as tx:
        if tx.put_file(source) != sha:  # rewritten between the check and the copy
            raise StoreProblem(f"{source} changed while it was being restored; try again")
        tx.audit("object.restore", subject, {"sha256": sha, "file": str(source)})
    return True


def repair(store: Store, actor: str) -> RepairReport:
    """Restore every missing object that an imported file's recorded path still holds."""
    report = RepairReport()
    missing: dict[str, list[str]] = {}
    for sha, row_name, _ in object_references(store.conn):
        if is_sha256(sha) and not store.objects.has(sha):
            missing.setdefault(sha, []).append(row_name)
    for sha, where in sorted(missing.items()):
        rows = store.conn.execute(
            "SELECT path, contract_id FROM import_files WHERE sha256 = ? AND state = 'imported'",
            (sha,),
        ).fetchall()
        done = False
        for row in rows:
            source = Path(os.path.expanduser(str(row["path"])))
            if restore_object(store, actor, source, sha, row["contract_id"]):
                report.restored.append(f"object {sha[:12]} restored from {source}")
                done = True
                break
        if not done:
            why = (
                f"{rows[0]['path']} is gone or holds other bytes"
                if rows
                else "no original file is recorded for it"
            )
            report.unrestorable.append(
                f"object {sha[:12]} (named by {', '.join(where)}) cannot be restored: {why}"
            )
    return report
