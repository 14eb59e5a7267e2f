"""Steps 5-6 of an import, in the single writer: store the file and its contract.

Each file lands in its own transaction: the original bytes (never rewritten; a signed
PDF stays byte for byte what was signed), the extracted text, the contract with its
suggested metadata, the counterparty (matched by credit code or name, else created),
the expiry or, for a contract that renews itself, its next renewal and notice deadline,
the import record and the audit event, and the full-text index. A kill at any moment
leaves either all of it or none of it.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from datetime import date
from typing import Any

from contractctl import uscc
from contractctl.drafting.schema import CONTRACT_TYPES
from contractctl.errors import ContractctlError, Duplicate, InvalidInput
from contractctl.importer.discover import shown_path
from contractctl.importer.inspect import Inspected
from contractctl.importer.renewal import Lifecycle, lifecycle, renewal_period, term_of
from contractctl.money import Money
from contractctl.records.contracts import NewContract, NewVersion, create_contract
from contractctl.records.parties import add_party
from contractctl.store import Tx
from contractctl.store.audit import now_iso

#: Fields below this confidence mark the contract for review.
REVIEW_THRESHOLD = 0.8


@dataclass(frozen=True)
class RecordOptions:
    """What the user fixed for the whole batch."""

    contract_type: str | None = None
    key: str | None = None
    today: date | None = None


def already_imported(tx: Tx, sha256: str) -> str | None:
    """The contract a file with this content already made, if any."""
    row = tx.conn.execute(
        "SELECT contract_id FROM import_files WHERE sha256 = ? AND state = 'imported'",
        (sha256,),
    ).fetchone()
    return str(row["contract_id"]) if row else None


def source_name(found: Inspected) -> str:
    """Where the file was found, as the store records it: absolute (an import run from
    another folder still says where the file was), and printable whatever its name."""
    return shown_path(os.path.abspath(found.path))


def record_failure(tx: Tx, found: Inspected, reason: str) -> None:
    """Remember a file that could not be imported, with why (tried again next run)."""
    tx.conn.execute(
        "INSERT INTO import_files (sha256, path, size, state, reason, at) "
        "VALUES (?, ?, ?, 'failed', ?, ?) ON CONFLICT (sha256) DO UPDATE SET "
        "path = excluded.path, reason = excluded.reason, at = excluded.at, "
        "attempts = attempts + 1 WHERE state = 'failed'",
        (found.sha256, source_name(found), found.size, reason, now_iso()),
    )


def record_import(tx: Tx, found: Inspected, options: RecordOptions) -> str:
    """Store one inspected file as an imported contract; returns the contract id.

    Raises Duplicate when the same bytes were imported meanwhile (another run) or the
    key is taken, so the caller counts it instead of importing it twice.
    """
    existing = already_imported(tx, found.sha256)
    if existing:
        raise Duplicate(f"already imported as {existing}")
    source = source_name(found)
    meta = found.metadata
    today = options.today or date.today()
    company = tx.store.settings.company.name
    party_id, party_doubts = _counterparty(tx, meta.parties, company)
    amount = _value(meta.amount)
    signed = _value(meta.signed_date)
    effective = _value(meta.effective_date)
    expiry = _value(meta.expiry_date)
    start = effective or signed
    if start and expiry and expiry < start:
        expiry = None  # a contradiction is left for review, not stored
    review = _review_fields(meta) + party_doubts
    title = _value(meta.title) or source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    kind = options.contract_type or _type_of(meta)
    main_sha = tx.put_file(_path(found))
    if main_sha != found.sha256:  # rewritten since it was read: its text is not these bytes
        raise InvalidInput("the file changed while it was being imported; import it again")
    text_sha = tx.put_bytes(found.text.encode("utf-8"))
    life = _lifecycle(meta, expiry, today)
    status = life.status
    contract = create_contract(
        tx,
        NewContract(
            title=str(title)[:300],
            type=kind,
            counterparty_id=party_id,
            amount=amount if isinstance(amount, Money) else None,
            start_date=start if isinstance(start, date) else None,
            end_date=life.end_date,
            signed_date=signed if isinstance(signed, date) else None,
            source="import",
            status=status,
            external_key=options.key,
            needs_review=bool(review),
            fields={"import": {"file": source, "sha256": found.sha256, "kind": found.kind}},
        ),
        NewVersion(
            kind="import",
            pdf_sha=main_sha if found.kind == "pdf" else None,
            docx_sha=main_sha if found.kind == "docx" else None,
            file_sha=main_sha,
            text_sha=text_sha,
            reason=f"imported from {source}",
        ),
    )
    _store_metadata(tx, contract.id, meta)
    _obligations(tx, contract.id, life)
    tx.conn.execute(
        "INSERT INTO import_files (sha256, path, size, state, contract_id, at) "
        "VALUES (?, ?, ?, 'imported', ?, ?) ON CONFLICT (sha256) DO UPDATE SET "
        "state = 'imported', contract_id = excluded.contract_id, reason = '', "
        "path = excluded.path, at = excluded.at, attempts = attempts + 1",
        (found.sha256, source, found.size, contract.id, now_iso()),
    )
    tx.audit(
        "contract.import",
        contract.id,
        {
            "file": source,
            "sha256": found.sha256,
            "kind": found.kind,
            "pages": found.pages,
            "ocr_pages": found.ocr_pages,
            "signed_pdf": found.signed,
            "needs_review": review,
        },
    )
    return contract.id  # add_version brought the search index in step


def _path(found: Inspected) -> Any:
    from pathlib import Path

    return Path(found.path)


def _value(extracted: Any) -> Any:
    return None if extracted is None else extracted.value


def _review_fields(meta: Any) -> list[str]:
    return list(meta.needs_review(REVIEW_THRESHOLD))


def _type_of(meta: Any) -> str:
    guess = getattr(meta, "contract_type", None)
    value = getattr(guess, "value", guess)
    return value if value in CONTRACT_TYPES else "other"


def _counterparty(tx: Tx, guesses: list[Any], company: str) -> tuple[str | None, list[str]]:
    """The party that is not us, matched to a record (credit code first, then the
    normalised name), or created; plus review reasons when the match is doubtful."""
    from contractctl.metadata import match_party, name_key

    ours = name_key(company)
    others = [g for g in guesses if g.name and name_key(g.name) != ours]
    if not others:
        return None, []
    guess = others[0]
    rows = tx.conn.execute(
        "SELECT * FROM parties WHERE uscc = ? OR name = ? OR name LIKE ?",
        (guess.credit_code or "", guess.name.strip(), guess.name.strip()[:4] + "%"),
    ).fetchall()
    match = match_party(guess, [_party_row(r) for r in rows])
    if match is not None:
        doubts = [f"counterparty: {flag}" for flag in match.flags]
        return match.party_id, doubts
    details: dict[str, Any] = {}
    if guess.credit_code:
        with contextlib.suppress(ContractctlError):
            details["uscc"] = uscc.validate(guess.credit_code)
    try:
        return add_party(tx, name=guess.name.strip()[:200], **details).id, []
    except ContractctlError as exc:  # an odd name the party rules refuse: for review
        return None, [f"counterparty: {exc.message}"]


def _party_row(row: Any) -> _PartyView:
    return _PartyView(row["id"], row["name"], row["uscc"])


@dataclass(frozen=True)
class _PartyView:
    id: str
    name: str
    uscc: str | None


def _store_metadata(tx: Tx, contract_id: str, meta: Any) -> None:
    data = meta.to_dict()
    rows = []
    for name, item in data.items():
        if not isinstance(item, dict) or "confidence" not in item:
            continue
        rows.append(
            (
                contract_id,
                name,
                json.dumps(item.get("value"), ensure_ascii=False, default=str),
                float(item["confidence"]),
                str(item.get("source") or "")[:500],
                json.dumps(list(item.get("flags") or []), ensure_ascii=False),
            )
        )
    for index, party in enumerate(data.get("parties") or [], start=1):
        rows.append(
            (
                contract_id,
                f"party{index}",
                json.dumps(party, ensure_ascii=False, default=str),
                float(party.get("confidence", 0)),
                str(party.get("source") or "")[:500],
                "[]",
            )
        )
    tx.conn.executemany(
        "INSERT INTO contract_metadata (contract_id, field, value, confidence, source, flags) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )


def _lifecycle(meta: Any, expiry: Any, today: date) -> Lifecycle:
    """Status and obligations from what was read: only a fixed term without renewal
    expires; an auto-renewing contract past its first term is active, renewed."""
    renews = _value(meta.auto_renewal)
    notice = term_of(_value(getattr(meta, "notice", None)))
    term = term_of(_value(meta.term))
    source = meta.auto_renewal.source if meta.auto_renewal is not None else ""
    return lifecycle(
        expiry if isinstance(expiry, date) else None,
        renews is True,
        notice,
        renewal_period(source, term),
        today,
    )


def _obligations(tx: Tx, contract_id: str, life: Lifecycle) -> None:
    """The expiry, or the next renewal and the last day to give notice against it."""
    stamp = now_iso()
    for kind, due, description in life.obligations:
        tx.conn.execute(
            "INSERT INTO obligations (contract_id, kind, due_date, description, source, "
            "created_at) VALUES (?, ?, ?, ?, 'import', ?)",
            (contract_id, kind, due.isoformat(), description, stamp),
        )
