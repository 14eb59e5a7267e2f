"""`edit ID --set field=value`: confirm or correct what an import guessed.

Extracted metadata is a suggestion. Someone who reads the contract confirms a value
(``--set amount=confirm``... or simply sets it), and the contract row, the metadata
record (confidence 1.0, who and when), the obligations, the review mark, the search
index and the audit log change together. Only imported contracts are edited this way:
a drafted contract's values are its template fields, and it changes by amendment.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from typing import Any

from contractctl.drafting.schema import CONTRACT_TYPES
from contractctl.errors import ContractctlError, InvalidInput, NotAllowed
from contractctl.money import Money, parse_money
from contractctl.records import lifecycle
from contractctl.records.contracts import Contract, get_contract
from contractctl.records.parties import add_party, get_party
from contractctl.store import Tx
from contractctl.store.audit import now_iso

#: The fields `edit` sets, and the contract column each one lives in (if any).
EDITABLE: dict[str, str | None] = {
    "title": "title",
    "type": "type",
    "counterparty": "counterparty_id",
    "amount": "amount_minor",
    "signed_date": "signed_date",
    "effective_date": "start_date",
    "expiry_date": "end_date",
    "auto_renewal": None,
    "notice_days": None,
    "governing_law": None,
    "department": "department",
}
#: What the import's review list calls a field, where `edit` calls it otherwise: setting
#: or confirming the right-hand field settles it ("counterparty: ..." settles as parties).
_SETTLED_BY = {"contract_type": "type", "term": "expiry_date", "counterparty": "parties"}
CONFIRM = "confirm"
_DATES = ("signed_date", "effective_date", "expiry_date")


def edit(tx: Tx, contract_id: str, sets: dict[str, str]) -> Contract:
    """Apply ``sets`` to an imported contract; every problem is named before any change."""
    contract = get_contract(tx.conn, contract_id)
    if contract.source != "import":
        raise NotAllowed(
            f"{contract.id} was drafted here: its values come from its template fields",
            hint=f"change it with an amendment: contractctl amend {contract.id} --set ...",
        )
    if not sets:
        raise InvalidInput("nothing to edit: give --set field=value (or field=confirm)")
    unknown = [k for k in sets if k not in EDITABLE]
    if unknown:
        raise InvalidInput(f"cannot edit {', '.join(unknown)} (editable: {', '.join(EDITABLE)})")
    values = {name: _parse(tx, contract, name, raw) for name, raw in sets.items()}
    _check_dates(contract, values)
    for name, value in values.items():
        _apply(tx, contract, name, value)
        _confirm(tx, contract.id, name, value)
    _refresh(tx, contract.id)
    tx.audit(
        "contract.edit",
        contract.id,
        {k: (v.to_dict() if isinstance(v, Money) else v) for k, v in values.items()},
    )
    from contractctl.store.search_index import reindex_contract

    reindex_contract(tx, contract.id)
    return get_contract(tx.conn, contract.id)


def pending_review(conn: sqlite3.Connection, contract_id: str) -> list[str]:
    """What still keeps an imported contract under review: the fields its import flagged
    (the list the import reported) that nobody has since confirmed or set with `edit`.

    The import's own judgement is kept, not recomputed with other rules, so confirming
    every field it named always clears the mark (an NDA, with no amount, included).
    """
    row = conn.execute(
        "SELECT data FROM events WHERE subject = ? AND action = 'contract.import' "
        "ORDER BY seq DESC LIMIT 1",
        (contract_id,),
    ).fetchone()
    flagged: list[str] = json.loads(row["data"]).get("needs_review") or [] if row else []
    settled = {
        r["field"]
        for r in conn.execute(
            "SELECT field FROM contract_metadata WHERE contract_id = ? "
            "AND confirmed_by IS NOT NULL",
            (contract_id,),
        )
    }
    pending: list[str] = []
    for name in flagged:
        field = _SETTLED_BY.get(name.split(":", 1)[0], name)
        if field not in settled and name not in pending:
            pending.append(name)
    return pending


def _parse(tx: Tx, contract: Contract, name: str, raw: str) -> Any:
    """The typed value; ``confirm`` keeps the current (extracted) value."""
    raw = raw.strip()
    if raw == CONFIRM:
        current = _current(tx, contract, name)
        if current is None:
            raise InvalidInput(f"{name}: nothing was extracted to confirm; set a value")
        return current
    if name in _DATES:
        return _iso_date(name, raw)
    if name == "amount":
        try:
            return parse_money(raw, contract.amount.currency if contract.amount else "CNY")
        except InvalidInput as exc:
            raise InvalidInput(f"amount: {exc.message}") from None
    if name == "type" and raw not in CONTRACT_TYPES:
        raise InvalidInput(f"type={raw!r}: expected one of {', '.join(CONTRACT_TYPES)}")
    if name == "auto_renewal":
        if raw.lower() not in ("yes", "no", "true", "false"):
            raise InvalidInput(f"auto_renewal={raw!r}: expected yes or no")
        return raw.lower() in ("yes", "true")
    if name == "notice_days":
        if not raw.isdigit():
            raise InvalidInput(f"notice_days={raw!r}: expected a whole number of days, 0 or more")
        return int(raw)
    if name == "counterparty":
        try:
            return get_party(tx.conn, raw).id
        except ContractctlError:
            pass
        try:
            return add_party(tx, name=raw).id
        except InvalidInput as exc:
            raise InvalidInput(f"counterparty={raw!r}: {exc.message}") from None
    if not raw:
        raise InvalidInput(f"{name}: empty value")
    return raw


def _iso_date(name: str, raw: str) -> str:
    """A date as YYYY-MM-DD; 03/04/2026 and other guessable forms are refused."""
    if len(raw) != 10:
        raise InvalidInput(f"{name}={raw!r}: expected a date as YYYY-MM-DD, like 2027-06-30")
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        raise InvalidInput(f"{name}={raw!r}: not a date (YYYY-MM-DD, like 2027-06-30)") from None


def _check_dates(contract: Contract, values: dict[str, Any]) -> None:
    """Refuse an expiry before the contract starts, as the values will stand."""
    start = values.get("effective_date", contract.start_date)
    end = values.get("expiry_date", contract.end_date)
    if start and end and str(end) < str(start):
        which = "effective_date" if "effective_date" in values else "the effective date"
        raise InvalidInput(
            f"expiry_date {end} is before {which} {start}: a contract cannot end before it starts",
            hint="set both together: --set effective_date=... --set expiry_date=...",
        )


def _current(tx: Tx, contract: Contract, name: str) -> Any:
    column = EDITABLE[name]
    if column == "amount_minor":
        return contract.amount
    if column is not None:
        row = tx.conn.execute(f"SELECT {column} FROM contracts WHERE id = ?", (contract.id,))
        return row.fetchone()[0]
    row = tx.conn.execute(
        "SELECT value FROM contract_metadata WHERE contract_id = ? AND field = ?",
        (contract.id, name),
    ).fetchone()
    return None if row is None else json.loads(row["value"])


def _apply(tx: Tx, contract: Contract, name: str, value: Any) -> None:
    column = EDITABLE[name]
    if column is None:
        return
    if isinstance(value, Money):
        tx.conn.execute(
            "UPDATE contracts SET amount_minor = ?, currency = ?, updated_at = ? WHERE id = ?",
            (value.minor, value.currency, now_iso(), contract.id),
        )
        return
    tx.conn.execute(
        f"UPDATE contracts SET {column} = ?, updated_at = ? WHERE id = ?",
        (value, now_iso(), contract.id),
    )


def _confirm(tx: Tx, contract_id: str, name: str, value: Any) -> None:
    field = {"effective_date": "effective_date", "counterparty": "parties"}.get(name, name)
    tx.conn.execute(
        "INSERT INTO contract_metadata (contract_id, field, value, confidence, source, flags, "
        "confirmed_by, confirmed_at) VALUES (?, ?, ?, 1.0, 'confirmed by hand', '[]', ?, ?) "
        "ON CONFLICT (contract_id, field) DO UPDATE SET value = excluded.value, "
        "confidence = 1.0, flags = '[]', confirmed_by = excluded.confirmed_by, "
        "confirmed_at = excluded.confirmed_at",
        (
            contract_id,
            field,
            json.dumps(value.to_dict() if isinstance(value, Money) else value, ensure_ascii=False),
            tx.actor,
            now_iso(),
        ),
    )


def _refresh(tx: Tx, contract_id: str) -> None:
    """Review mark, status by expiry, and the expiry/renewal obligations, recomputed."""
    rows = {
        r["field"]: r
        for r in tx.conn.execute(
            "SELECT * FROM contract_metadata WHERE contract_id = ?", (contract_id,)
        )
    }
    doubtful = pending_review(tx.conn, contract_id)
    contract = tx.conn.execute(
        "SELECT status, end_date, source FROM contracts WHERE id = ?", (contract_id,)
    ).fetchone()
    tx.conn.execute(
        "UPDATE contracts SET needs_review = ? WHERE id = ?", (int(bool(doubtful)), contract_id)
    )
    end = contract["end_date"]
    if end and contract["status"] == "active" and date.fromisoformat(end) < date.today():
        lifecycle.transition(tx, contract_id, "expire", by="edit")
    elif (
        end
        and contract["status"] == "expired"
        and contract["source"] == "import"
        and date.fromisoformat(end) >= date.today()
    ):
        # the import read an expiry in the past that was wrong: the contract runs on
        lifecycle.transition(tx, contract_id, "reactivate", by="edit", end_date=end)
    tx.conn.execute(
        "UPDATE obligations SET state = 'cancelled' WHERE contract_id = ? AND source = 'import' "
        "AND state = 'open'",
        (contract_id,),
    )
    if not end:
        return
    stamp = now_iso()
    tx.conn.execute(
        "INSERT INTO obligations (contract_id, kind, due_date, description, source, created_at) "
        "VALUES (?, 'expiry', ?, 'contract expires', 'import', ?)",
        (contract_id, end, stamp),
    )
    renews = rows.get("auto_renewal")
    notice = rows.get("notice_days")
    if renews and notice and json.loads(renews["value"]) and json.loads(notice["value"]):
        days = int(json.loads(notice["value"]))
        tx.conn.execute(
            "INSERT INTO obligations (contract_id, kind, due_date, description, source, "
            "created_at) VALUES (?, 'renewal_notice', ?, ?, 'import', ?)",
            (
                contract_id,
                (date.fromisoformat(end) - timedelta(days=days)).isoformat(),
                f"last day to give {days} days' notice against automatic renewal",
                stamp,
            ),
        )
