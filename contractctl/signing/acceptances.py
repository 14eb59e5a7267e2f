"""Click-through acceptances: evidence that a person accepted the exact PDF shown.

``accept`` records a click-through acceptance: who, when and the SHA-256 of the exact PDF
shown. It is evidence of assent, kept in its own table, and never called a signature.

Apart from contractctl.signing.sign because an acceptance shares nothing with a digital
signature but the contract it is about: no key, no PDF change, no status change.
``acceptance_dict`` is its shape, both as `accept` returns it and as `show` lists it
(contractctl.signing.views).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING, Any

from contractctl.errors import Duplicate, InvalidInput, NotAllowed
from contractctl.records.contracts import Contract, get_contract
from contractctl.store.audit import now_iso

if TYPE_CHECKING:
    from contractctl.store import Store, Tx

ACCEPTABLE = ("approved", "signing", "signed", "active")

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def accept(store: Store, actor: str, contract_id: str, *, by: str) -> dict[str, Any]:
    """Record that ``by`` accepted the exact current PDF (click-through acceptance).

    Evidence only: who, when (recorded by whom) and the SHA-256 of the PDF bytes as
    stored now, re-hashed here. It is not a digital signature and changes no status.
    The contract must have been approved; the same person accepting the same PDF twice
    is refused (exit 3).
    """
    name = by.strip()
    if not name or _CONTROL.search(name):
        raise InvalidInput("--by needs the name of the person who accepted")
    with store.transaction(actor) as tx:
        contract = get_contract(tx.conn, contract_id)
        if contract.status not in ACCEPTABLE:
            raise NotAllowed(
                f"{contract.id} is {contract.status}: only an approved contract can be accepted"
            )
        version = _current_version(tx, contract)
        if version is None or not version["pdf_sha"]:
            raise InvalidInput(f"{contract.id} version {contract.version} has no PDF to accept")
        sha = hashlib.sha256(store.objects.read_checked(version["pdf_sha"])).hexdigest()
        seen = tx.conn.execute(
            "SELECT recorded_at FROM acceptances WHERE contract_id = ? AND version_n = ? "
            "AND accepted_by = ? AND pdf_sha = ?",
            (contract.id, contract.version, name, sha),
        ).fetchone()
        if seen is not None:
            raise Duplicate(
                f"{name} already accepted this PDF of {contract.id} at {seen['recorded_at']}"
            )
        cursor = tx.conn.execute(
            "INSERT INTO acceptances (contract_id, version_n, accepted_by, pdf_sha, "
            "recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
            (contract.id, contract.version, name, sha, actor, now_iso()),
        )
        tx.audit(
            "acceptance.record",
            contract.id,
            {
                "version": contract.version,
                "accepted_by": name,
                "pdf_sha256": sha,
                "kind": "click-through acceptance (not a digital signature)",
            },
        )
        row = tx.conn.execute(
            "SELECT * FROM acceptances WHERE id = ?", (cursor.lastrowid,)
        ).fetchone()
    return acceptance_dict(row)


def _current_version(tx: Tx, contract: Contract) -> Any:
    return tx.conn.execute(
        "SELECT * FROM versions WHERE contract_id = ? AND n = ?",
        (contract.id, contract.version),
    ).fetchone()


def acceptance_dict(row: Any) -> dict[str, Any]:
    """An acceptance row as `accept` returns it and `show ID --json` lists it."""
    return {
        "kind": "acceptance",
        "note": "click-through acceptance: evidence of assent, not a digital signature",
        "contract": row["contract_id"],
        "version": row["version_n"],
        "accepted_by": row["accepted_by"],
        "pdf_sha256": row["pdf_sha"],
        "recorded_by": row["recorded_by"],
        "recorded_at": row["recorded_at"],
    }


def check_acceptance(store: Store, row: Any) -> str:
    """Re-check one recorded acceptance against the store: ``"ok"``, or what is wrong.

    The PDF it names must still be in the store with exactly those bytes, must be a PDF
    of the version it is recorded for (as drafted, or before or after one of its
    signatures), and the row must say what its audit event said when it was recorded:
    an acceptance whose hash was edited afterwards points at nothing, or at another file.
    """
    sha = str(row["pdf_sha"])
    if not store.objects.has(sha):
        return "the accepted PDF is missing from the store"
    if hashlib.sha256(store.objects.read_bytes(sha)).hexdigest() != sha:
        return "the accepted PDF in the store no longer matches its SHA-256"
    pdfs = {
        value
        for r in store.conn.execute(
            "SELECT pdf_sha, unsigned_pdf_sha FROM versions WHERE contract_id = ? AND n = ?",
            (row["contract_id"], row["version_n"]),
        )
        for value in r
    } | {
        value
        for r in store.conn.execute(
            "SELECT pdf_before, pdf_after FROM signatures WHERE contract_id = ? AND version_n = ?",
            (row["contract_id"], row["version_n"]),
        )
        for value in r
    }
    if sha not in pdfs:
        return f"the accepted PDF is not a PDF of version {row['version_n']}"
    recorded = [
        json.loads(r[0])
        for r in store.conn.execute(
            "SELECT data FROM events WHERE action = 'acceptance.record' AND subject = ?",
            (row["contract_id"],),
        )
    ]
    if not any(
        e.get("accepted_by") == row["accepted_by"]
        and e.get("pdf_sha256") == sha
        and e.get("version") == row["version_n"]
        for e in recorded
    ):
        return "the acceptance differs from its audit event (edited after it was recorded)"
    return "ok"
