"""The signatures and acceptances recorded for a contract, as `show` presents them.

``signatures_view`` and ``acceptances_view`` are `show ID --json`'s ``signatures`` and
``acceptances`` (contractctl.views, and the archive dossier): what the store recorded,
read back, every version, in order. Digital signatures and click-through acceptances are
listed apart, and an acceptance is never called a signature.

Apart from contractctl.signing.sign and contractctl.signing.acceptances because these
only read: the views above the stages import them without importing how a signature is
made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contractctl.records.contracts import get_contract
from contractctl.signing.acceptances import acceptance_dict, check_acceptance

if TYPE_CHECKING:
    from contractctl.store import Store


def signatures_view(store: Store, contract_id: str) -> list[dict[str, Any]]:
    """The digital signatures recorded for a contract, every version, in signing order.

    This is `show ID --json`'s ``signatures``; acceptances are apart (acceptances_view).
    """
    contract = get_contract(store.conn, contract_id)
    rows = store.conn.execute(
        "SELECT * FROM signatures WHERE contract_id = ? ORDER BY version_n, seq", (contract.id,)
    )
    return [
        {
            "kind": "digital_signature",
            "version": r["version_n"],
            "seq": r["seq"],
            "party": r["party"],
            "key": r["key_name"],
            "signer": r["signer"],
            "fingerprint": r["fingerprint"],
            "certify": bool(r["certify"]),
            "level": r["level"],
            "timestamp": r["timestamp"],
            "pdf_before": r["pdf_before"],
            "pdf_after": r["pdf_after"],
            "signed_by": r["signed_by"],
            "signed_at": r["signed_at"],
        }
        for r in rows
    ]


def acceptances_view(store: Store, contract_id: str) -> list[dict[str, Any]]:
    """The click-through acceptances recorded for a contract (evidence, not signatures),
    each re-checked against the store: ``check`` is "ok" or what is wrong."""
    contract = get_contract(store.conn, contract_id)
    rows = store.conn.execute(
        "SELECT * FROM acceptances WHERE contract_id = ? ORDER BY id", (contract.id,)
    ).fetchall()
    return [{**acceptance_dict(r), "check": check_acceptance(store, r)} for r in rows]
