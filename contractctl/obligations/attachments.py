"""Evidence of performance: invoices, receipts (付款凭证), delivery notes, 验收单.

``attach`` keeps a file as an object of the store (content-addressed, like every
contract file), linked to its contract and, when given, to the obligation, payment or
order it proves. `show` lists them and the archive bundle carries them, so the proof of
payment travels with the contract. The same file attached twice is one object and two
rows (it may prove two things).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from contractctl.errors import InvalidInput, NotFound
from contractctl.store import Store, Tx
from contractctl.store.audit import now_iso
from contractctl.store.execution_tables import ATTACHMENT_KINDS


def store_attachment(
    tx: Tx,
    contract_id: str,
    path: Path,
    *,
    kind: str,
    obligation_id: int | None = None,
    payment_id: int | None = None,
    order_id: str | None = None,
    note: str = "",
) -> dict[str, Any]:
    """Put ``path`` into the object store and record it (no permission check: the
    caller's command has made it); returns the attachment's row as a dict."""
    if kind not in ATTACHMENT_KINDS:
        raise InvalidInput(f"--kind: {kind!r} is not one of {', '.join(ATTACHMENT_KINDS)}")
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    size = path.stat().st_size
    if size == 0:
        raise InvalidInput(f"{path}: the file is empty")
    sha = tx.put_file(path)
    cur = tx.conn.execute(
        "INSERT INTO attachments (contract_id, kind, name, sha256, size, obligation_id, "
        "payment_id, order_id, note, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            contract_id,
            kind,
            path.name,
            sha,
            size,
            obligation_id,
            payment_id,
            order_id,
            note,
            tx.actor,
            now_iso(),
        ),
    )
    new_id = int(cur.lastrowid or 0)
    tx.audit(
        "attachment.add",
        contract_id,
        {
            "id": new_id,
            "kind": kind,
            "name": path.name,
            "sha256": sha,
            "obligation": obligation_id,
            "payment": payment_id,
            "order": order_id,
        },
    )
    return {"id": new_id, "kind": kind, "name": path.name, "sha256": sha, "size": size}


def attach(
    tx: Tx,
    contract_id: str,
    path: Path,
    *,
    kind: str,
    obligation_id: int | None = None,
    order_id: str | None = None,
    note: str = "",
) -> dict[str, Any]:
    """`attach ID FILE --kind K`: evidence for a contract (permission-checked)."""
    from contractctl.obligations.permissions import require_keeper_or_owner

    row = tx.conn.execute(
        "SELECT id, status FROM contracts WHERE id = ?", (contract_id.strip().upper(),)
    ).fetchone()
    if row is None:
        raise NotFound(f"no contract {contract_id}")
    owner = None
    if obligation_id is not None:
        found = tx.conn.execute(
            "SELECT owner FROM obligations WHERE id = ? AND contract_id = ?",
            (obligation_id, row["id"]),
        ).fetchone()
        if found is None:
            raise NotFound(f"{row['id']} has no obligation {obligation_id}")
        owner = found["owner"]
    if (
        order_id is not None
        and not tx.conn.execute(
            "SELECT 1 FROM orders WHERE id = ? AND contract_id = ?", (order_id, row["id"])
        ).fetchone()
    ):
        raise NotFound(f"{row['id']} has no order {order_id}")
    require_keeper_or_owner(tx, row["id"], owner, "attach evidence to")
    added = store_attachment(
        tx,
        row["id"],
        path,
        kind=kind,
        obligation_id=obligation_id,
        order_id=order_id,
        note=note,
    )
    return {**added, "contract_id": row["id"], "path": str(tx.store.objects.path(added["sha256"]))}


def attachment_rows(conn: sqlite3.Connection, contract_id: str) -> list[sqlite3.Row]:
    """A contract's attachments, oldest first."""
    return conn.execute(
        "SELECT * FROM attachments WHERE contract_id = ? ORDER BY id", (contract_id,)
    ).fetchall()


def attachments_view(store: Store, contract_id: str) -> list[dict[str, Any]]:
    """What `show` lists: each attachment with the path of its stored file."""
    return [
        {
            "id": r["id"],
            "kind": r["kind"],
            "name": r["name"],
            "sha256": r["sha256"],
            "size": r["size"],
            "obligation": r["obligation_id"],
            "payment": r["payment_id"],
            "order": r["order_id"],
            "note": r["note"],
            "added_by": r["added_by"],
            "added_at": r["added_at"],
            "path": str(store.objects.path(r["sha256"])),
        }
        for r in attachment_rows(store.conn, contract_id)
    ]
