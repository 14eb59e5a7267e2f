"""The approved contract an OCR check runs against: a PDF kept in a store as imported."""

from __future__ import annotations

from pathlib import Path

from contractctl.documents import extract
from contractctl.money import Money
from contractctl.records.contracts import NewContract, NewVersion, create_contract
from contractctl.store import Store


def approved_contract(
    home: Path, pdf: Path, title: str, kind: str, amount: Money | None = None
) -> str:
    """Import ``pdf`` (its file and text as version 1) as an active contract; its id."""
    with Store.open(home) as store, store.transaction("tester") as tx:
        pdf_sha = tx.put_file(pdf)
        text_sha = tx.put_bytes(extract.pdf_text(pdf).encode("utf-8"))
        contract = create_contract(
            tx,
            NewContract(title=title, type=kind, amount=amount, status="active", source="import"),
            NewVersion(kind="import", pdf_sha=pdf_sha, text_sha=text_sha),
        )
    return contract.id
