"""Checks a draft passes before anything is rendered: your company's details are there,
an idempotency key is not reused for other data, and an answer typed at the prompt is
valid before the next question is asked."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from contractctl.drafting.fields import FieldProblem, coerce_value
from contractctl.drafting.specs import FieldSpec
from contractctl.errors import InvalidInput, NotAllowed
from contractctl.money import Money
from contractctl.records.contracts import Contract
from contractctl.store import Store, audit

#: Asks the user for a missing field's value (the CLI prompts on a terminal); the second
#: argument is what was wrong with the last answer (None the first time).
Ask = Callable[[FieldSpec, str | None], str]

#: How many times one field is asked for before the draft gives up (exit 2).
ASK_TRIES = 5


def jsonable(value: Any) -> Any:
    """Field values as stored in the contract's JSON: money as minor units + currency."""
    if isinstance(value, Money):
        return value.to_dict()
    if isinstance(value, (date, Decimal)):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


#: Your company's details a contract must never leave blank, with their labels.
COMPANY_REQUIRED = (
    ("name", "名称"),
    ("uscc", "统一社会信用代码"),
    ("address", "住所"),
    ("legal_rep", "法定代表人"),
)


def require_company(text: str, company: Mapping[str, str], ref: str) -> None:
    """InvalidInput (exit 2) when the template (its ``text``, tags included) prints a
    detail of your company that contractctl.toml leaves empty: a contract must not go
    out with a blank 甲方 block."""
    missing = [
        (name, label)
        for name, label in COMPANY_REQUIRED
        if not company.get(name, "").strip() and re.search(rf"company\s*\.\s*{name}\b", text)
    ]
    if missing:
        raise InvalidInput(
            f"{ref} prints your company's "
            + ", ".join(f"{label} (company.{name})" for name, label in missing)
            + ", empty in contractctl.toml; nothing was drafted",
            hint="; ".join(f"contractctl config set company.{name} VALUE" for name, _ in missing),
        )


def data_fingerprint(values: Mapping[str, Any]) -> str:
    """What a draft was made from, as a hash: the validated values, the counterparty by
    name (its id may have been made by that very draft)."""
    stored = jsonable(dict(values))
    party = stored.get("counterparty")
    if isinstance(party, dict):
        stored["counterparty"] = party.get("name")
    return hashlib.sha256(audit.canonical_json(stored).encode("utf-8")).hexdigest()


def check_same_data(
    store: Store, existing: Contract, key: str | None, values: Mapping[str, Any]
) -> None:
    """A key already used: NotAllowed (exit 3) when it made ``existing`` from other data.

    The same data again returns the contract (idempotent); other data would be silently
    dropped, so it is refused, naming the command that changes a draft.
    """
    row = store.conn.execute(
        "SELECT data FROM events WHERE action = 'contract.draft' AND subject = ? "
        "ORDER BY seq LIMIT 1",
        (existing.id,),
    ).fetchone()
    made_from = json.loads(row["data"]).get("data_sha") if row else None
    if made_from is None or made_from == data_fingerprint(values):
        return
    raise NotAllowed(
        f"key {key!r} already made {existing.id} from other data; nothing was drafted",
        hint=f"change {existing.id} with: contractctl revise {existing.id} --set FIELD=VALUE "
        "(or draft with a new --key)",
    )


def ask_until_valid(ask: Ask, spec_field: FieldSpec, resolver: Callable[[Any], Any]) -> str:
    """Ask for one field until its answer is valid, saying what was wrong each time, so
    one mistyped date does not lose every answer typed before it."""
    problem = None
    for _ in range(ASK_TRIES):
        answer = ask(spec_field, problem)
        if not answer.strip():
            problem = "a value is required"
            continue
        try:
            coerce_value(spec_field, answer, resolver)
        except FieldProblem as exc:
            problem = exc.expected
            continue
        return answer
    raise InvalidInput(f"{spec_field.name}: no valid answer after {ASK_TRIES} tries ({problem})")
