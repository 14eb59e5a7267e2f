"""What the contract row says of the version it describes: amount, dates and fields.

The contract row describes one version, and it is the truth for it: an imported
version stores no field values (the import put what it read on the row) and an edit
after import changes the row, never the immutable version. While an amendment takes
the row over, what the row said of the version in force is kept in
``contracts.in_force_values`` (shown as ``in_force``, restored when the amendment is
rejected or withdrawn).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from contractctl.records.contracts import Contract
from contractctl.store import Tx, audit
from contractctl.store.audit import now_iso

#: Row fields that say where the contract came from, not what a version says.
_PROVENANCE = ("import",)


def as_described(contract: Contract, fields: dict[str, Any]) -> dict[str, Any]:
    """The current version's values as the contract row says them now.

    The row describes the current version, and it is the truth: an imported version
    stores no field values at all (the import put what it read on the row), and an
    edit after import changes the row, never the immutable version. So the amount and
    dates an edited document is compared against are the row's; without this an
    imported contract's amendment had no amount to see replaced and lost it.
    """
    described = dict(fields)
    if contract.amount is not None:
        described["amount"] = contract.amount.to_dict()
    for name in ("start_date", "end_date"):
        value = getattr(contract, name)
        if value:
            described[name] = value
    return described


def describe(
    tx: Tx, contract_id: str, n: int, fields: dict[str, Any], *, standard: bool | None
) -> None:
    """Point the contract row at version ``n`` and its values (amount, dates, fields).

    Where the contract came from (an import's file, on the row only) stays on the row.
    """
    amount = fields.get("amount") if isinstance(fields.get("amount"), dict) else None
    (was,) = tx.conn.execute("SELECT fields FROM contracts WHERE id = ?", (contract_id,)).fetchone()
    kept = {k: v for k, v in json.loads(was).items() if k in _PROVENANCE and k not in fields}
    tx.conn.execute(
        "UPDATE contracts SET current_version = ?, amount_minor = ?, currency = ?, "
        "start_date = ?, end_date = ?, fields = ?, standard = COALESCE(?, standard), "
        "updated_at = ? WHERE id = ?",
        (
            n,
            amount["minor"] if amount else None,
            amount["currency"] if amount else None,
            _iso_or_none(fields.get("start_date")),
            _iso_or_none(fields.get("end_date")),
            audit.canonical_json({**fields, **kept}),
            None if standard is None else int(standard),
            now_iso(),
            contract_id,
        ),
    )


def described_now(tx: Tx, contract_id: str) -> dict[str, Any]:
    """What the contract row says of the version it describes: amount, dates, fields
    (kept in ``in_force_values`` while an amendment takes the row over)."""
    row = tx.conn.execute(
        "SELECT amount_minor, currency, start_date, end_date, fields FROM contracts WHERE id = ?",
        (contract_id,),
    ).fetchone()
    amount = (
        {"minor": int(row["amount_minor"]), "currency": str(row["currency"])}
        if row["currency"] and row["amount_minor"] is not None
        else None
    )
    return {
        "amount": amount,
        "start_date": row["start_date"],
        "end_date": row["end_date"],
        "fields": json.loads(row["fields"]),
    }


def restore_described(tx: Tx, contract_id: str, n: int, held: dict[str, Any]) -> None:
    """Point the contract row back at version ``n`` with the values it had (``held``)."""
    amount = held.get("amount") if isinstance(held.get("amount"), dict) else None
    tx.conn.execute(
        "UPDATE contracts SET current_version = ?, amount_minor = ?, currency = ?, "
        "start_date = ?, end_date = ?, fields = ?, updated_at = ? WHERE id = ?",
        (
            n,
            amount["minor"] if amount else None,
            amount["currency"] if amount else None,
            _iso_or_none(held.get("start_date")),
            _iso_or_none(held.get("end_date")),
            audit.canonical_json(held.get("fields") or {}),
            now_iso(),
            contract_id,
        ),
    )


def _iso_or_none(value: Any) -> str | None:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            return None
    return None


def held_values(tx: Tx, contract_id: str) -> dict[str, Any] | None:
    """The version in force's values kept when the amendment began (None before v13)."""
    row = tx.conn.execute(
        "SELECT in_force_values FROM contracts WHERE id = ?", (contract_id,)
    ).fetchone()
    if row is None or not row["in_force_values"]:
        return None
    held = json.loads(row["in_force_values"])
    return held if isinstance(held, dict) else None
