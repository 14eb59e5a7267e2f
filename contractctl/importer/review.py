"""What an import read from a contract, for a reviewer: `show ID` lists it.

Each extracted value comes with how sure the extractor was, the sentence it came from and,
when a person should look at it, why: a flag in words ("figures and capitals disagree",
"not clearly a contract"), a confidence under the review threshold, or a field the
contract needs that was not found. A value someone confirmed or set with `edit` says who.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Final

from contractctl.importer.edit import pending_review

#: Values under this confidence are put to a reviewer (record.REVIEW_THRESHOLD).
THRESHOLD: Final = 0.8
#: Why a flag asks for a look, in words.
FLAG_REASONS: Final = {
    "ambiguous_date": "the date can be read two ways (day/month)",
    "two_digit_year": "the year is written with two digits",
    "amount_words_disagree": "figures and words/capitals of the amount disagree",
    "amount_conflict": "the text states another total too",
    "date_conflict": "another date has the same role",
    "derived": "not written: worked out from other fields",
    "from_filename": "taken from the file name, not the text",
    "currency_assumed": "no currency written beside the figure",
    "business_days": "counted in business days",
    "invalid_credit_code": "the credit code fails its check",
    "credit_code_corrected": "the credit code was corrected from an OCR misreading",
    "credit_code_conflict": "a stored party has this name with another credit code",
    "not_a_contract": "not clearly a contract",
}
_ORDER: Final = (
    "document",
    "title",
    "parties",
    "amount",
    "signed_date",
    "effective_date",
    "expiry_date",
    "term",
    "auto_renewal",
    "notice",
    "notice_days",
    "governing_law",
    "contract_type",
)


def _display(field: str, value: Any) -> str:
    """A stored value as a reviewer reads it."""
    if value is None:
        return "-" if field != "amount" else "no amount"
    if isinstance(value, dict) and "minor" in value and "currency" in value:
        minor, currency = int(value["minor"]), str(value["currency"])
        return f"{currency} {minor // 100:,}.{minor % 100:02d}"
    if isinstance(value, dict) and "name" in value:  # a party guess
        label = value.get("label") or value.get("role") or ""
        return f"{label}: {value['name']}" if label else str(value["name"])
    if isinstance(value, dict) and len(value) == 1:  # a term or notice: {"months": 12}
        ((unit, count),) = value.items()
        return f"{count} {unit if count != 1 else str(unit).rstrip('s')}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _reason(field: str, row: sqlite3.Row, flags: list[str], pending: list[str]) -> str:
    if row["confirmed_by"]:
        return f"confirmed by {row['confirmed_by']}"
    reasons = [FLAG_REASONS.get(f, f.replace("_", " ")) for f in flags]
    if float(row["confidence"]) < THRESHOLD:
        reasons.append(f"low confidence ({float(row['confidence']):.2f})")
    if not reasons and any(p.split(":", 1)[0] == field for p in pending):
        reasons.append("flagged by the import")
    return "; ".join(reasons)


def extracted_view(conn: sqlite3.Connection, contract_id: str) -> list[dict[str, Any]]:
    """The values the import read, each with confidence, source, flags and the reason a
    reviewer should look (empty when none); fields still pending that were never found
    are listed with no value and the reason "not found in the text"."""
    rows = list(
        conn.execute(
            "SELECT field, value, confidence, source, flags, confirmed_by FROM contract_metadata "
            "WHERE contract_id = ?",
            (contract_id,),
        )
    )
    if not rows:
        return []
    pending = pending_review(conn, contract_id)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in rows:
        field = str(row["field"])
        base = "parties" if field.startswith("party") and field[5:].isdigit() else field
        value = json.loads(row["value"])
        flags = list(json.loads(row["flags"] or "[]"))
        if base == "parties" and isinstance(value, dict):
            flags += [f for f in value.get("flags") or [] if f not in flags]
        seen.add(base)
        out.append(
            {
                "field": field,
                "value": value,
                "shown": _display(field, value),
                "confidence": round(float(row["confidence"]), 3),
                "source": str(row["source"] or ""),
                "flags": flags,
                "confirmed_by": row["confirmed_by"],
                "reason": _reason(base, row, flags, pending),
            }
        )
    for name in pending:
        field = name.split(":", 1)[0]
        if field not in seen:
            seen.add(field)
            missing = "not found in the text" if ":" not in name else name.split(":", 1)[1].strip()
            out.append(
                {
                    "field": field,
                    "value": None,
                    "shown": "-",
                    "confidence": 0.0,
                    "source": "",
                    "flags": [],
                    "confirmed_by": None,
                    "reason": missing,
                }
            )

    def order(item: dict[str, Any]) -> tuple[int, str]:
        base = "parties" if item["field"].startswith("party") else item["field"]
        return (_ORDER.index(base) if base in _ORDER else len(_ORDER), item["field"])

    return sorted(out, key=order)


#: What `edit` calls a field that the import calls otherwise.
_EDIT_NAMES: Final = {"contract_type": "type", "parties": "counterparty", "term": None}


def edit_field(field: str) -> str | None:
    """The `edit` field that settles an extracted one (party2 -> counterparty), or None."""
    from contractctl.importer.edit import EDITABLE

    base = "parties" if field.startswith("party") and field[5:].isdigit() else field
    name = _EDIT_NAMES.get(base, base)
    return name if name in EDITABLE else None


def to_review(conn: sqlite3.Connection, contract_id: str) -> list[dict[str, Any]]:
    """The extracted values a person still has to look at: those with a reason and not
    yet confirmed, one per field `edit` settles (party1/party2 are one counterparty)."""
    out: list[dict[str, Any]] = []
    settled: set[str] = set()
    for item in extracted_view(conn, contract_id):
        if not item["reason"] or item["confirmed_by"]:
            continue
        field = edit_field(item["field"]) or item["field"]
        if field in settled:
            continue
        settled.add(field)
        out.append({**item, "edit": edit_field(item["field"])})
    return out
