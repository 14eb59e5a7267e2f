"""Counterparties: the companies and people contracts are made with.

A company is identified by its 统一社会信用代码, checked to the check character; a
duplicate code is refused (exit 3) because two records of one company split its
contract history. Every change is an audit event with what changed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from typing import Any

from contractctl import uscc as uscc_codes
from contractctl.errors import Duplicate, InvalidInput, NotFound
from contractctl.money import Money
from contractctl.records.direction import DIRECTIONS, SIGNED_STATUSES, direction_of
from contractctl.store import Store, Tx
from contractctl.store.audit import now_iso

#: What a contract knows of each party, in the order templates list them.
PARTY_ATTRIBUTES = (
    "name",
    "uscc",
    "address",
    "legal_rep",
    "contact",
    "phone",
    "email",
    "bank",
    "account",
)
KINDS = ("company", "person")
RISK_LEVELS = ("low", "medium", "high")
#: Everything but name and credit code: what a contract shows of a party, plus notes.
DETAIL_FIELDS = (*(a for a in PARTY_ATTRIBUTES if a not in ("name", "uscc")), "notes")
EDITABLE = ("name", "kind", "uscc", "risk_level", *DETAIL_FIELDS)


@dataclass(frozen=True)
class Party:
    """A counterparty record."""

    id: str
    kind: str
    name: str
    uscc: str | None
    address: str
    legal_rep: str
    contact: str
    phone: str
    email: str
    bank: str
    account: str
    risk_level: str
    notes: str
    created_at: str
    updated_at: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a party."""
        return asdict(self)

    def ref(self) -> dict[str, str]:
        """The short ``{"id", "name"}`` form used inside a contract's JSON."""
        return {"id": self.id, "name": self.name}


def _from_row(row: sqlite3.Row) -> Party:
    return Party(**{k: row[k] for k in row.keys()})  # noqa: SIM118 (sqlite3.Row)


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise party values; every problem is reported at once."""
    problems: list[str] = []
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in EDITABLE:
            problems.append(f"{key}: unknown party field (known: {', '.join(EDITABLE)})")
            continue
        out[key] = value.strip() if isinstance(value, str) else value
    if "name" in out and not out["name"]:
        problems.append("name: must not be empty")
    if "kind" in out and out["kind"] not in KINDS:
        problems.append(f"kind: {out['kind']!r} is not one of {', '.join(KINDS)}")
    if "risk_level" in out and out["risk_level"] not in RISK_LEVELS:
        problems.append(f"risk_level: {out['risk_level']!r} is not one of {', '.join(RISK_LEVELS)}")
    if out.get("email") and "@" not in out["email"]:
        problems.append(f"email: {out['email']!r} is not an e-mail address")
    if "uscc" in out:
        if out["uscc"]:
            try:
                out["uscc"] = uscc_codes.validate(out["uscc"])
            except InvalidInput as exc:
                problems.append(exc.message)
        else:
            out["uscc"] = None
    if problems:
        raise InvalidInput("; ".join(problems))
    return out


def add_party(tx: Tx, *, name: str, kind: str = "company", **details: Any) -> Party:
    """Create a counterparty; refuses a duplicate credit code or company name (exit 3)."""
    values = _clean({"name": name, "kind": kind, **details})
    if values.get("uscc") and values["kind"] == "person":
        raise InvalidInput("a person has no unified social credit code; use kind=company")
    _refuse_duplicates(tx.conn, values, None)
    number = tx.next_number("party")
    party_id = f"P-{number:04d}"
    stamp = now_iso()
    row = {
        "id": party_id,
        "kind": values["kind"],
        "name": values["name"],
        "uscc": values.get("uscc"),
        "risk_level": values.get("risk_level", "low"),
        **{f: values.get(f, "") for f in DETAIL_FIELDS},
        "created_at": stamp,
        "updated_at": stamp,
    }
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    try:
        tx.conn.execute(f"INSERT INTO parties ({columns}) VALUES ({marks})", list(row.values()))
    except sqlite3.IntegrityError as exc:
        raise Duplicate(f"party not added: {exc}") from exc
    tx.audit("party.add", party_id, {k: v for k, v in row.items() if v not in ("", None)})
    return _from_row(tx.conn.execute("SELECT * FROM parties WHERE id = ?", (party_id,)).fetchone())


def _refuse_duplicates(
    conn: sqlite3.Connection, values: dict[str, Any], own_id: str | None
) -> None:
    code = values.get("uscc")
    if code:
        row = conn.execute(
            "SELECT id, name FROM parties WHERE uscc = ? AND id IS NOT ?", (code, own_id)
        ).fetchone()
        if row:
            raise Duplicate(
                f"credit code {code} already belongs to {row['id']} ({row['name']})",
                hint=f"see: contractctl party show {row['id']}",
            )
    if values.get("kind", "company") == "company" and values.get("name"):
        row = conn.execute(
            "SELECT id FROM parties WHERE kind = 'company' AND name = ? AND id IS NOT ?",
            (values["name"], own_id),
        ).fetchone()
        if row:
            raise Duplicate(
                f"a company named {values['name']!r} already exists as {row['id']}",
                hint=f"see: contractctl party show {row['id']}",
            )


def get_party(conn: sqlite3.Connection, ref: str) -> Party:
    """Find a party by id (P-0001), credit code, or exact name."""
    ref = ref.strip()
    row = conn.execute("SELECT * FROM parties WHERE id = ? COLLATE NOCASE", (ref,)).fetchone()
    if row is None:
        code = uscc_codes.normalize(ref)
        row = conn.execute("SELECT * FROM parties WHERE uscc = ?", (code,)).fetchone()
    if row is None:
        rows = conn.execute("SELECT * FROM parties WHERE name = ?", (ref,)).fetchall()
        if len(rows) > 1:
            ids = ", ".join(r["id"] for r in rows)
            raise InvalidInput(f"{ref!r} names several parties ({ids}); use an id")
        row = rows[0] if rows else None
    if row is None:
        raise NotFound(f"no party {ref!r}", hint="list them with: contractctl party list")
    return _from_row(row)


def list_parties(
    conn: sqlite3.Connection,
    *,
    kind: str | None = None,
    risk_level: str | None = None,
    name_contains: str | None = None,
) -> list[Party]:
    """Parties in id order, optionally filtered."""
    clauses: list[str] = []
    params: list[Any] = []
    if kind:
        _clean({"kind": kind})
        clauses.append("kind = ?")
        params.append(kind)
    if risk_level:
        _clean({"risk_level": risk_level})
        clauses.append("risk_level = ?")
        params.append(risk_level)
    if name_contains:
        clauses.append("instr(name, ?) > 0")
        params.append(name_contains)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = conn.execute(f"SELECT * FROM parties{where} ORDER BY rowid", params)
    return [_from_row(r) for r in rows]


def edit_party(tx: Tx, ref: str, changes: dict[str, Any]) -> Party:
    """Change fields of a party; the audit event records each old and new value."""
    if not changes:
        raise InvalidInput("nothing to change: give at least one field=value")
    party = get_party(tx.conn, ref)
    values = _clean(changes)
    merged = {**party.to_dict(), **values}
    if merged.get("uscc") and merged["kind"] == "person":
        raise InvalidInput("a person has no unified social credit code")
    _refuse_duplicates(tx.conn, merged, party.id)
    diff = {
        key: {"old": getattr(party, key), "new": value}
        for key, value in values.items()
        if getattr(party, key) != value
    }
    if not diff:
        return party
    assignments = ", ".join(f"{key} = ?" for key in diff)
    tx.conn.execute(
        f"UPDATE parties SET {assignments}, updated_at = ? WHERE id = ?",
        [values[k] for k in diff] + [now_iso(), party.id],
    )
    tx.audit("party.edit", party.id, {"changes": diff})
    if "name" in diff or "uscc" in diff:
        from contractctl.store.search_index import reindex_party

        reindex_party(tx, party.id)
    return get_party(tx.conn, party.id)


def party_summary(store: Store, party: Party) -> dict[str, Any]:
    """The party with its contracts and totals (for `party show`).

    Totals are never one sum: ``totals`` is what is contracted (signed, active, expired,
    terminated or archived contracts), and ``by_status`` every status apart; both split
    by direction (we pay: purchases, services, leases; we are paid: sales; see
    contractctl.records.direction) and currency. A rejected draft is not business done,
    and a purchase does not add to a sale.
    """
    rows = store.conn.execute(
        "SELECT id, title, type, status, amount_minor, currency, end_date FROM contracts "
        "WHERE counterparty_id = ? ORDER BY created_at",
        (party.id,),
    ).fetchall()
    contracted: dict[tuple[str, str], list[int]] = {}
    by_status: dict[tuple[str, str, str], list[int]] = {}
    contracts = []
    for row in rows:
        amount = None
        if row["currency"] is not None and row["amount_minor"] is not None:
            money = Money(row["amount_minor"], row["currency"])
            amount = money.to_dict()
            direction = direction_of(row["type"])
            status_sum = by_status.setdefault((row["status"], direction, money.currency), [0, 0])
            status_sum[0] += 1
            status_sum[1] += money.minor
            if row["status"] in SIGNED_STATUSES:
                total = contracted.setdefault((direction, money.currency), [0, 0])
                total[0] += 1
                total[1] += money.minor
        contracts.append(
            {
                "id": row["id"],
                "title": row["title"],
                "type": row["type"],
                "direction": direction_of(row["type"]),
                "status": row["status"],
                "amount": amount,
                "end_date": row["end_date"],
            }
        )
    order = {d: i for i, d in enumerate(DIRECTIONS)}
    return {
        **party.to_dict(),
        "contracts": contracts,
        "totals": [
            {"direction": d, "count": n, "minor": v, "currency": c}
            for (d, c), (n, v) in sorted(
                contracted.items(), key=lambda i: (order[i[0][0]], i[0][1])
            )
        ],
        "by_status": [
            {"status": s, "direction": d, "count": n, "minor": v, "currency": c}
            for (s, d, c), (n, v) in sorted(
                by_status.items(), key=lambda i: (i[0][0], order[i[0][1]], i[0][2])
            )
        ],
    }
