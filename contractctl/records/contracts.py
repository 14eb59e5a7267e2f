"""Contract records: creation with their first version, lookup, listing and `show`.

A contract row holds what scripts filter on (status, type, counterparty, amount as
integer minor units plus currency, dates); each version row points at immutable files
in the object store. Drafting and import create contracts through
``create_contract``; everything else reads them through the functions here, so the
JSON shape scripts rely on (DESIGN.md §4) is produced in one place.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from contractctl.dates import parse_date
from contractctl.errors import Duplicate, InvalidInput, NotFound
from contractctl.money import Money
from contractctl.store import Store, Tx, audit
from contractctl.store.audit import now_iso
from contractctl.store.schema import STATUSES

SOURCES = ("draft", "import")


@dataclass(frozen=True)
class Contract:
    """A contract as scripts see it (the `--json` contract shape)."""

    id: str
    title: str
    type: str
    status: str
    counterparty: dict[str, str] | None
    amount: Money | None
    version: int
    start_date: str | None
    end_date: str | None
    signed_date: str | None
    department: str
    template: str | None
    source: str
    external_key: str | None
    standard: bool | None
    needs_review: bool
    fields: dict[str, Any]
    created_by: str
    created_at: str
    updated_at: str
    in_force_version: int | None = None
    #: While an amendment is under way: the status and amount of the version in force.
    in_force_status: str | None = None
    in_force_amount: Money | None = None

    def pending_amendment(self) -> dict[str, Any] | None:
        """The amendment under way (version, status, amount), or None."""
        if self.in_force_status is None:
            return None
        return {
            "version": self.version,
            "status": self.status,
            "amount": self.amount.to_dict() if self.amount else None,
        }

    def in_force(self) -> dict[str, Any] | None:
        """The version that binds the parties while an amendment is under way, or None."""
        if self.in_force_status is None:
            return None
        return {
            "version": self.in_force_version,
            "status": self.in_force_status,
            "amount": self.in_force_amount.to_dict() if self.in_force_amount else None,
        }

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape of a contract.

        ``version`` is the current (latest) version; ``in_force_version`` the one that
        binds the parties: the same once signed, the parent while an amendment is under
        way, None before the first signature.
        """
        return {
            "id": self.id,
            "title": self.title,
            "type": self.type,
            "status": self.status,
            "counterparty": self.counterparty,
            "amount": self.amount.to_dict() if self.amount else None,
            "version": self.version,
            "in_force_version": self.in_force_version,
            "in_force": self.in_force(),
            "pending_amendment": self.pending_amendment(),
            "start_date": self.start_date,
            "end_date": self.end_date,
            "signed_date": self.signed_date,
            "department": self.department,
            "template": self.template,
            "source": self.source,
            "external_key": self.external_key,
            "standard": self.standard,
            "needs_review": self.needs_review,
            "created_by": self.created_by,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


#: Statuses in which the current version binds the parties.
_BINDING = ("signed", "active", "expired", "terminated", "archived", "completed")

_SELECT = (
    "SELECT c.*, p.name AS party_name, fv.fields AS in_force_fields FROM contracts c "
    "LEFT JOIN parties p ON p.id = c.counterparty_id "
    "LEFT JOIN versions fv ON fv.contract_id = c.id AND fv.n = c.in_force_version"
)


def _in_force_values(row: sqlite3.Row) -> dict[str, Any]:
    """The version in force's values while an amendment is under way: as the row said
    them when the amendment began (``in_force_values``), else the version's own fields
    (amendments begun before the row kept them; an imported version has none)."""
    for column in ("in_force_values", "in_force_fields"):
        raw = row[column]
        if raw:
            held = json.loads(raw)
            if isinstance(held, dict):
                return held
    return {}


def _from_row(row: sqlite3.Row) -> Contract:
    amount = Money(row["amount_minor"], row["currency"]) if row["currency"] else None
    party = (
        {"id": row["counterparty_id"], "name": row["party_name"]}
        if row["counterparty_id"]
        else None
    )
    standard = None if row["standard"] is None else bool(row["standard"])
    in_force = row["in_force_version"]
    if in_force is None and row["status"] in _BINDING:
        in_force = row["current_version"]
    in_force_status = row["in_force_status"] if row["in_force_version"] is not None else None
    in_force_amount = None
    if in_force_status is not None:
        held = _in_force_values(row).get("amount")
        if isinstance(held, dict) and held.get("currency"):
            in_force_amount = Money(int(held["minor"]), str(held["currency"]))
    return Contract(
        in_force_version=in_force,
        in_force_status=in_force_status,
        in_force_amount=in_force_amount,
        id=row["id"],
        title=row["title"],
        type=row["type"],
        status=row["status"],
        counterparty=party,
        amount=amount,
        version=row["current_version"],
        start_date=row["start_date"],
        end_date=row["end_date"],
        signed_date=row["signed_date"],
        department=row["department"],
        template=row["template"],
        source=row["source"],
        external_key=row["external_key"],
        standard=standard,
        needs_review=bool(row["needs_review"]),
        fields=json.loads(row["fields"]),
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


@dataclass
class NewContract:
    """What is needed to record a contract (drafting and import fill this in)."""

    title: str
    type: str
    counterparty_id: str | None = None
    amount: Money | None = None
    start_date: date | None = None
    end_date: date | None = None
    signed_date: date | None = None
    department: str = ""
    template: str | None = None
    template_version: int | None = None
    source: str = "draft"
    status: str = "draft"
    external_key: str | None = None
    standard: bool | None = None
    needs_review: bool = False
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class NewVersion:
    """The files of a contract version, already put into the object store."""

    kind: str = "original"
    docx_sha: str | None = None
    pdf_sha: str | None = None
    text_sha: str | None = None
    reason: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    file_sha: str | None = None  # the original file when it is neither PDF nor DOCX (a scan)


def create_contract(tx: Tx, new: NewContract, first: NewVersion) -> Contract:
    """Record a new contract and its version 1; returns it with its new id.

    With an ``external_key`` already used, raises Duplicate naming the existing
    contract, so the caller can return it instead (idempotent drafting and import).
    """
    if not new.title.strip():
        raise InvalidInput("a contract needs a title")
    if new.status not in STATUSES:
        raise InvalidInput(f"unknown status {new.status!r}")
    if new.source not in SOURCES:
        raise InvalidInput(f"unknown source {new.source!r}")
    if new.start_date and new.end_date and new.end_date < new.start_date:
        raise InvalidInput(f"the end date {new.end_date} is before the start date {new.start_date}")
    if new.external_key:
        existing = tx.conn.execute(
            "SELECT id FROM contracts WHERE external_key = ?", (new.external_key,)
        ).fetchone()
        if existing:
            raise Duplicate(f"key {new.external_key!r} already made contract {existing['id']}")
    if (
        new.counterparty_id
        and not tx.conn.execute(
            "SELECT 1 FROM parties WHERE id = ?", (new.counterparty_id,)
        ).fetchone()
    ):
        raise NotFound(f"no party {new.counterparty_id}")
    year = date.today().year
    prefix = tx.store.settings.store.contract_prefix
    contract_id = f"{prefix}-{year}-{tx.next_number(f'contract:{prefix}:{year}'):04d}"
    stamp = now_iso()
    fields_json = audit.canonical_json(new.fields)
    tx.conn.execute(
        "INSERT INTO contracts (id, title, type, status, counterparty_id, amount_minor, "
        "currency, current_version, start_date, end_date, signed_date, department, template, "
        "template_version, source, external_key, standard, needs_review, fields, created_by, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?)",
        (
            contract_id,
            new.title.strip(),
            new.type,
            new.status,
            new.counterparty_id,
            new.amount.minor if new.amount else None,
            new.amount.currency if new.amount else None,
            _iso(new.start_date),
            _iso(new.end_date),
            _iso(new.signed_date),
            new.department,
            new.template,
            new.template_version,
            new.source,
            new.external_key,
            None if new.standard is None else int(new.standard),
            int(new.needs_review),
            fields_json,
            tx.actor,
            stamp,
            stamp,
        ),
    )
    add_version(tx, contract_id, 1, first, parent_n=None)
    tx.audit(
        "contract.create",
        contract_id,
        {
            "title": new.title,
            "type": new.type,
            "status": new.status,
            "source": new.source,
            "counterparty": new.counterparty_id,
            "amount": new.amount.to_dict() if new.amount else None,
        },
    )
    return get_contract(tx.conn, contract_id)


def add_version(
    tx: Tx, contract_id: str, n: int, version: NewVersion, parent_n: int | None
) -> None:
    """Insert an immutable version row, and bring the search index in step (same tx)."""
    main = version.pdf_sha or version.docx_sha or version.file_sha
    tx.conn.execute(
        "INSERT INTO versions (contract_id, n, kind, parent_n, docx_sha, pdf_sha, text_sha, "
        "sha256, reason, fields, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            contract_id,
            n,
            version.kind,
            parent_n,
            version.docx_sha,
            version.pdf_sha,
            version.text_sha,
            main,
            version.reason,
            audit.canonical_json(version.fields),
            tx.actor,
            now_iso(),
        ),
    )
    from contractctl.store.search_index import reindex_contract

    reindex_contract(tx, contract_id)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def get_contract(conn: sqlite3.Connection, contract_id: str) -> Contract:
    """A contract by id (case-insensitive); NotFound (exit 2) when there is none.

    The id as given and in upper case use the primary key; only an id in mixed case
    falls back to a case-insensitive scan (14 ms at 100,000 contracts).
    """
    wanted = contract_id.strip()
    row = None
    for candidate in dict.fromkeys((wanted, wanted.upper())):
        row = conn.execute(f"{_SELECT} WHERE c.id = ?", (candidate,)).fetchone()
        if row is not None:
            break
    if row is None:
        row = conn.execute(f"{_SELECT} WHERE c.id = ? COLLATE NOCASE", (wanted,)).fetchone()
    if row is None:
        raise NotFound(f"no contract {contract_id!r}", hint="list contracts with: contractctl list")
    return _from_row(row)


def contracts_by_id(conn: sqlite3.Connection, ids: list[str]) -> dict[str, Contract]:
    """Contracts by exact id in one query (search hits); ids not found are left out.

    Unlike get_contract (case-insensitive, so a table scan), this uses the primary key.
    """
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    return {
        row["id"]: _from_row(row) for row in conn.execute(f"{_SELECT} WHERE c.id IN ({marks})", ids)
    }


SORT_KEYS = {
    "created": "c.created_at",
    "id": "c.created_at",
    "title": "c.title",
    "amount": "c.currency, c.amount_minor",
    "status": "c.status",
    "type": "c.type",
    "start": "c.start_date",
    "end": "c.end_date",
    "signed": "c.signed_date",
    "party": "party_name",
}


@dataclass
class ListFilter:
    """Filters of `contractctl list`; every field is optional."""

    statuses: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    party: str | None = None
    signed_from: str | None = None
    signed_to: str | None = None
    expires_from: str | None = None
    expires_to: str | None = None
    min_amount: Money | None = None
    max_amount: Money | None = None
    source: str | None = None
    needs_review: bool = False
    #: with an open obligation, or an order not yet delivered, past its due date
    overdue: bool = False
    sort: str = "created"
    descending: bool = False
    limit: int | None = None


def filter_clauses(conn: sqlite3.Connection, flt: ListFilter) -> tuple[list[str], list[Any]]:
    """The SQL conditions (on ``contracts c``) and parameters of a filter's criteria;
    shared by `list` and `search`. Sorting and limit are not part of it."""
    from contractctl.records.parties import get_party

    clauses: list[str] = []
    params: list[Any] = []
    for status in flt.statuses:
        if status not in STATUSES:
            raise InvalidInput(f"--status: {status!r} is not one of {', '.join(STATUSES)}")
    if flt.statuses:
        clauses.append(f"c.status IN ({', '.join('?' for _ in flt.statuses)})")
        params.extend(flt.statuses)
    if flt.types:
        clauses.append(f"c.type IN ({', '.join('?' for _ in flt.types)})")
        params.extend(flt.types)
    if flt.party:
        clauses.append("c.counterparty_id = ?")
        params.append(get_party(conn, flt.party).id)
    for column, value, op, label in (
        ("signed_date", flt.signed_from, ">=", "--signed-from"),
        ("signed_date", flt.signed_to, "<=", "--signed-to"),
        ("end_date", flt.expires_from, ">=", "--expires-from"),
        ("end_date", flt.expires_to, "<=", "--expires-to"),
    ):
        if value:
            clauses.append(f"c.{column} {op} ?")
            params.append(parse_date(value, what=label).isoformat())
    if flt.min_amount and flt.max_amount and flt.min_amount.currency != flt.max_amount.currency:
        raise InvalidInput("--min-amount and --max-amount are in different currencies")
    for money, op in ((flt.min_amount, ">="), (flt.max_amount, "<=")):
        if money is not None:
            clauses.append(f"c.currency = ? AND c.amount_minor {op} ?")
            params.extend([money.currency, money.minor])
    if flt.source:
        clauses.append("c.source = ?")
        params.append(flt.source)
    if flt.needs_review:
        clauses.append("c.needs_review = 1")
    if flt.overdue:
        from contractctl.dates import local_today

        clauses.append(
            "(c.id IN (SELECT contract_id FROM obligations WHERE state = 'open' "
            "AND due_date < ?) OR c.id IN (SELECT contract_id FROM orders WHERE state IN "
            "('created', 'confirmed', 'shipped') AND due_date < ?))"
        )
        params.extend([local_today().isoformat()] * 2)
    return clauses, params


def list_contracts(conn: sqlite3.Connection, flt: ListFilter) -> list[Contract]:
    """Contracts matching every given filter, sorted as asked."""
    clauses, params = filter_clauses(conn, flt)
    if flt.sort not in SORT_KEYS:
        raise InvalidInput(f"--sort: {flt.sort!r} is not one of {', '.join(SORT_KEYS)}")
    order = SORT_KEYS[flt.sort]
    direction = "DESC" if flt.descending else "ASC"
    order_sql = ", ".join(f"{part} {direction}" for part in order.split(", "))
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    sql = f"{_SELECT}{where} ORDER BY {order_sql}, c.rowid {direction}"
    if flt.limit is not None:
        if flt.limit < 1:
            raise InvalidInput("--limit must be at least 1")
        sql += f" LIMIT {int(flt.limit)}"
    return [_from_row(r) for r in conn.execute(sql, params)]


def versions(store: Store, contract_id: str) -> list[dict[str, Any]]:
    """A contract's versions, with absolute paths of their files in the object store.

    ``rendered_pdf``: a version that is a DOCX only (imported) has no PDF of its own;
    its first ``ocr-check`` renders it with LibreOffice and keeps that PDF in the store
    (``meta`` key ``ocr-pdf:<docx sha>``), named here so it can be found and printed.
    """

    def path(sha: str | None) -> str | None:
        return str(store.objects.path(sha)) if sha else None

    rows = store.conn.execute(
        "SELECT * FROM versions WHERE contract_id = ? ORDER BY n", (contract_id,)
    ).fetchall()
    rendered = _renderings(store, [r["docx_sha"] for r in rows if r["docx_sha"]])
    return [
        {
            "n": r["n"],
            "kind": r["kind"],
            "parent": r["parent_n"],
            "docx": path(r["docx_sha"]),
            "pdf": path(r["pdf_sha"]),
            "rendered_pdf": None if r["pdf_sha"] else rendered.get(r["docx_sha"]),
            "sha256": r["sha256"],
            "reason": r["reason"],
            "outcome": r["outcome"],
            "created_by": r["created_by"],
            "created_at": r["created_at"],
        }
        for r in rows
    ]


def _renderings(store: Store, docx_shas: list[str]) -> dict[str, str]:
    """The kept LibreOffice rendering of each DOCX that has one (and whose object is
    there), as an absolute path by the DOCX's SHA-256."""
    if not docx_shas:
        return {}
    keys = {f"ocr-pdf:{sha}": sha for sha in docx_shas}
    marks = ", ".join("?" for _ in keys)
    found: dict[str, str] = {}
    for row in store.conn.execute(
        f"SELECT key, value FROM meta WHERE key IN ({marks})", tuple(keys)
    ):
        pdf = store.objects.path(str(row["value"]))
        if pdf.is_file():
            found[keys[row["key"]]] = str(pdf)
    return found


def obligations_view(store: Store, contract_id: str) -> list[dict[str, Any]]:
    """A contract's obligations (expiry, renewal notice, payments), by due date."""
    rows = store.conn.execute(
        "SELECT * FROM obligations WHERE contract_id = ? ORDER BY due_date, id", (contract_id,)
    )
    return [
        {
            "id": r["id"],
            "kind": r["kind"],
            "due": r["due_date"],
            "description": r["description"],
            "amount": (
                Money(r["amount_minor"], r["currency"]).to_dict() if r["currency"] else None
            ),
            "state": r["state"],
            "source": r["source"],
        }
        for r in rows
    ]
