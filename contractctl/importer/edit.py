"""`edit ID --set field=value`: confirm or correct what an import guessed.

Extracted metadata is a suggestion. Someone who reads the contract confirms a value
(``--set amount=confirm``... or simply sets it), and the contract row, the metadata
record (confidence 1.0, who and when), the obligations, the review mark, the search
index and the audit log change together. Only imported contracts are edited this way:
a drafted contract's values are its template fields, and it changes by amendment.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date
from typing import Any, Final

from contractctl.drafting.schema import CONTRACT_TYPES
from contractctl.errors import ContractctlError, InvalidInput, NotAllowed
from contractctl.importer.renewal import lifecycle, renewal_period, term_of
from contractctl.money import Money, parse_money
from contractctl.records import lifecycle as lifecycle_table
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
    "notice": None,
    "notice_days": None,
    "governing_law": None,
    "department": "department",
    "document": None,  # document=confirm: it is a contract after all
}
#: What the import's review list calls a field, where `edit` calls it otherwise: setting
#: or confirming the right-hand field settles it ("counterparty: ..." settles as parties).
_SETTLED_BY = {
    "contract_type": "type",
    "term": "expiry_date",
    "counterparty": "parties",
    "notice_days": "notice",
}
CONFIRM = "confirm"
#: ``amount=none``: the contract states no amount (an NDA, a framework agreement). The
#: amount is cleared and the field confirmed; never stored as 0.
NONE_WORDS = ("none", "no amount", "-")
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
    sets = _notice_in_its_unit(sets)
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


def _notice_in_its_unit(sets: dict[str, str]) -> dict[str, str]:
    """``notice_days=30`` as it was before notices kept their unit: ``notice=30 days``, so
    one stored notice (the one reminders count from) is what the person said."""
    if "notice_days" not in sets or "notice" in sets:
        return sets
    out = dict(sets)
    raw = out.pop("notice_days").strip()
    if raw != CONFIRM and not raw.isdigit():
        raise InvalidInput(f"notice_days={raw!r}: expected a whole number of days, 0 or more")
    out["notice"] = raw if raw == CONFIRM else f"{raw} days"
    return out


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
            hint = " (or amount=none: it has no amount)" if name == "amount" else ""
            raise InvalidInput(f"{name}: nothing was extracted to confirm; set a value{hint}")
        return current
    if name in ("amount", "notice") and raw.lower() in NONE_WORDS:
        return None
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
    if name == "notice":
        return _notice(raw)
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


_NOTICE: Final = re.compile(r"(?i)(\d{1,4})\s*(day|days|month|months|year|years|week|weeks)")


def _notice(raw: str) -> dict[str, int]:
    """``30 days``, ``3 months``, ``1 year`` -> {"days": 30}, {"months": 3}, {"months": 12}."""
    match = _NOTICE.fullmatch(raw.strip())
    if match is None:
        raise InvalidInput(
            f"notice={raw!r}: expected a period like '30 days' or '3 months' (or none)"
        )
    count, unit = int(match.group(1)), match.group(2).lower().rstrip("s")
    if unit == "year":
        return {"months": count * 12}
    if unit == "week":
        return {"days": count * 7}
    return {f"{unit}s": count}


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
    if name == "amount" and value is None:  # amount=none: no amount, not CNY 0.00
        tx.conn.execute(
            "UPDATE contracts SET amount_minor = NULL, currency = NULL, updated_at = ? "
            "WHERE id = ?",
            (now_iso(), contract.id),
        )
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
    expiry = _row_value(rows.get("expiry_date")) or contract["end_date"]
    notice = term_of(_row_value(rows.get("notice")) or _row_value(rows.get("notice_days")))
    renews = _row_value(rows.get("auto_renewal")) is True
    source = str(rows["auto_renewal"]["source"]) if "auto_renewal" in rows else ""
    term = term_of(_row_value(rows.get("term")))
    life = lifecycle(
        date.fromisoformat(expiry) if isinstance(expiry, str) else None,
        renews,
        notice,
        renewal_period(source, term),
        date.today(),
    )
    if life.status == "expired" and contract["status"] == "active":
        lifecycle_table.transition(tx, contract_id, "expire", by="edit")
    elif (
        life.status == "active"
        and contract["status"] == "expired"
        and contract["source"] == "import"
    ):
        # the import read an expiry in the past that was wrong, or the contract renews
        # itself: it runs on
        end = life.end_date.isoformat() if life.end_date else None
        lifecycle_table.transition(tx, contract_id, "reactivate", by="edit", end_date=end)
    if life.end_date is not None and life.end_date.isoformat() != contract["end_date"]:
        tx.conn.execute(
            "UPDATE contracts SET end_date = ? WHERE id = ?",
            (life.end_date.isoformat(), contract_id),
        )
    tx.conn.execute(
        "UPDATE obligations SET state = 'cancelled' WHERE contract_id = ? AND source = 'import' "
        "AND state = 'open'",
        (contract_id,),
    )
    stamp = now_iso()
    for kind, due, description in life.obligations:
        tx.conn.execute(
            "INSERT INTO obligations (contract_id, kind, due_date, description, source, "
            "created_at) VALUES (?, ?, ?, ?, 'import', ?)",
            (contract_id, kind, due.isoformat(), description, stamp),
        )


def _row_value(row: Any) -> Any:
    """The JSON value of a stored metadata row, or None."""
    return None if row is None else json.loads(row["value"])
