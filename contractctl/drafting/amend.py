"""Amendments: a new version of a signed or active contract, routed and signed again.

Older versions never change (a trigger refuses it). While an amendment is drafted,
routed and signed, the contract row describes the amendment, so routing sees its
amount and the rules see ``amendment = true`` with the change in amount and term
(approvals.facts_for). ``in_force_version`` and ``in_force_status`` remember what binds
the parties meanwhile: a rejected amendment puts them back, and a signed one becomes
the version in force.

An amendment is made two ways. ``--data``/``--set`` re-render the contract's own
template version with the parent's field values changed, so everything the template
derives (totals, 大写, repeated dates) changes with them. ``--file`` takes the
counterparty's edited DOCX or PDF as it is; the amount and dates it changes are read
by the compare engine's semantic diff against the parent's text, so the rules still
see what changed.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contractctl.documents import clauses, extract
from contractctl.drafting.described import (
    as_described,
    describe,
    described_now,
    held_values,
    restore_described,
)
from contractctl.errors import InvalidInput, NotFound
from contractctl.money import Money
from contractctl.records import lifecycle
from contractctl.records.contracts import Contract, NewVersion, add_version, get_contract
from contractctl.store import Store, Tx, audit

#: The statuses a contract can be amended from (DESIGN.md §3).
AMENDABLE = ("signed", "active")


@dataclass
class AmendRequest:
    """What the user asked for: changed field values, or an edited document."""

    reason: str
    data: dict[str, Any] = field(default_factory=dict)
    sets: dict[str, str] = field(default_factory=dict)
    file: Path | None = None
    pdf: bool = True


@dataclass
class AmendResult:
    """The amendment made: its version number and what it changes."""

    contract: Contract
    version: int
    parent: int
    semantic: list[dict[str, Any]]
    changes: int

    def to_dict(self) -> dict[str, Any]:
        """The `amend --json` shape: ``{"id", "version"}`` plus the parent and changes."""
        return {
            "id": self.contract.id,
            "version": self.version,
            "parent": self.parent,
            "status": self.contract.status,
            "changed_clauses": self.changes,
            "semantic": self.semantic,
        }


# --- reading versions -------------------------------------------------------------


def version_row(store: Store, contract_id: str, n: int) -> Any:
    """One version's row; NotFound naming the versions there are."""
    row = store.conn.execute(
        "SELECT * FROM versions WHERE contract_id = ? AND n = ?", (contract_id, n)
    ).fetchone()
    if row is None:
        have = [
            str(r["n"])
            for r in store.conn.execute(
                "SELECT n FROM versions WHERE contract_id = ? ORDER BY n", (contract_id,)
            )
        ]
        raise NotFound(
            f"{contract_id} has no version {n} (it has {', '.join(have) or 'none'})",
        )
    return row


def version_text(store: Store, contract_id: str, n: int) -> str:
    """The extracted text of one version; InvalidInput when none was stored."""
    row = version_row(store, contract_id, n)
    if not row["text_sha"]:
        raise InvalidInput(
            f"{contract_id} version {n} has no text to compare (a scan without OCR?)",
            hint="check a scanned copy against the approved text with: contractctl ocr-check",
        )
    return str(store.objects.read_bytes(row["text_sha"]).decode("utf-8"))


def file_text(path: Path) -> str:
    """Text of a DOCX, PDF or plain-text file, for `diff` and `amend --file`.

    A PDF without a text layer is a scan: it cannot be compared as text, and the error
    says to use ocr-check, which reads it with Tesseract first.
    """
    if not path.is_file():
        what = "a folder, not a file" if path.is_dir() else "no such file"
        raise InvalidInput(f"{path}: {what}")
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return extract.docx_text(path)
    if suffix == ".pdf":
        head = _read_head(path)
        if not head.startswith(b"%PDF-"):
            raise InvalidInput(f"{path.name} is not a PDF (it does not start with %PDF-)")
        text = extract.pdf_text(path)
        if not text.replace("\f", "").strip():
            raise InvalidInput(
                f"{path.name} has no text layer (a scanned PDF?)",
                hint=f"compare a scan with the approved text: contractctl ocr-check {path.name} "
                "--against ID",
            )
        return text
    if suffix in (".txt", ".text", ".md"):
        try:
            return path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError) as exc:
            raise InvalidInput(f"{path.name} is not readable UTF-8 text: {exc}") from exc
    raise InvalidInput(f"{path.name}: cannot compare a {suffix or 'suffix-less'} file")


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(1024).lstrip()
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read: {exc.strerror or exc}") from exc


# --- amend ------------------------------------------------------------------------


def amend(store: Store, actor: str, contract_id: str, request: AmendRequest) -> AmendResult:
    """Make a new draft version of a signed or active contract, linked to its parent.

    Everything is validated, rendered and converted before the transaction opens;
    the version, the contract row and the audit event then land together, or nothing.
    """
    contract = get_contract(store.conn, contract_id)
    lifecycle.next_status(contract.status, "amend")  # refuse early, naming what is allowed
    reason = request.reason.strip()
    if not reason:
        raise InvalidInput("an amendment needs a reason: -m REASON")
    return make_version(store, actor, contract, request, reason, what="amendment")


def make_version(
    store: Store,
    actor: str,
    contract: Contract,
    request: AmendRequest,
    reason: str,
    *,
    what: str,
    check: Callable[[Tx], None] | None = None,
) -> AmendResult:
    """A new version of ``contract`` from ``request`` (``what``: "amendment" or
    "revision"): made from the new data or the edited file, compared with the version it
    follows (a change of nothing is refused, exit 2), and recorded in one transaction.
    ``check`` runs first in a transaction of its own (who may revise)."""
    command = "amend" if what == "amendment" else "revise"
    by_fields = bool(request.data or request.sets)
    if by_fields == (request.file is not None):
        raise InvalidInput(
            f"{command} takes either --data/--set or --file, not both and not neither"
        )
    if check is not None:
        with store.transaction(actor) as checking:
            check(checking)
    parent = version_row(store, contract.id, contract.version)
    parent_fields: dict[str, Any] = json.loads(parent["fields"])
    if request.file is not None:
        parent_fields = as_described(contract, parent_fields)
    parent_text = version_text(store, contract.id, contract.version)
    with tempfile.TemporaryDirectory(prefix=f"contractctl-{command}-") as tmp:
        if request.file is not None:
            made = _from_file(request.file, Path(tmp), parent_fields, parent_text)
        else:
            made = _from_fields(store, contract, parent_fields, request, Path(tmp))
        from contractctl.compare import compare

        comparison = compare(parent_text, made.text)
        if comparison.verdict == "same":
            raise InvalidInput(
                f"the {what} changes nothing in the text of {contract.id} "
                f"version {contract.version}; nothing was made"
            )
        if request.file is not None:
            made.fields = _fields_from_semantic(parent_fields, comparison.to_dict()["semantic"])
            made.standard = standard_text(store, contract, made.text)
        with store.transaction(actor) as tx:
            if what == "amendment":
                n = _record(tx, contract, parent["n"], made, reason)
            else:
                lifecycle.transition(tx, contract.id, "revise", parent=parent["n"], reason=reason)
                n = store_version(tx, contract.id, parent["n"], made, reason, kind="revision")
    summary = comparison.to_dict()
    return AmendResult(
        contract=get_contract(store.conn, contract.id),
        version=n,
        parent=parent["n"],
        semantic=summary["semantic"],
        changes=len(summary["changes"]),
    )


@dataclass
class _Made:
    """The new version's files and values, ready to record."""

    docx: Path | None
    pdf: Path | None
    text: str
    fields: dict[str, Any]
    standard: bool | None


def _from_fields(
    store: Store,
    contract: Contract,
    parent_fields: dict[str, Any],
    request: AmendRequest,
    tmp: Path,
) -> _Made:
    """Re-render the contract's template version with the parent's values changed."""
    from contractctl.drafting.draft import (
        DraftRequest,
        jsonable,
        place_value,
        prepare,
        render_docx,
        template_text_of,
    )

    if not contract.template:
        raise InvalidInput(
            f"{contract.id} was not drafted from a template, so its fields cannot be re-rendered",
            hint="amend it with the edited document instead: --file EDITED.docx|pdf",
        )
    row = store.conn.execute(
        "SELECT template_version FROM contracts WHERE id = ?", (contract.id,)
    ).fetchone()
    data = _input_data(parent_fields)
    for key, value in request.data.items():
        data[key] = value
    for key, value in request.sets.items():
        place_value(data, key, value)
    _forget_derived(data, given={**request.data, **request.sets})
    prepared = prepare(store, DraftRequest(template=f"{contract.template}@{row[0]}", data=data))
    docx = tmp / "amendment.docx"
    render_docx(store, prepared, docx)
    pdf = None
    if request.pdf:
        from contractctl.drafting.convert import convert_one

        pdf = tmp / "amendment.pdf"
        convert_one(docx, pdf)
    text = extract.docx_text(docx)
    stored = jsonable(prepared.values)
    party = stored.get("counterparty")
    if isinstance(party, dict):
        old = parent_fields.get("counterparty") or {}
        party_id = party.get("id") or (old.get("id") if isinstance(old, dict) else None)
        stored["counterparty"] = {"id": party_id, "name": party.get("name")}
    deviations = clauses.deviations(
        template_text_of(store, prepared.version), text, prepared.spec.standard_clauses
    )
    return _Made(docx, pdf, text, stored, not deviations)


def _input_data(stored: dict[str, Any]) -> dict[str, Any]:
    """Stored field values back into draft input: money as Money, a party by its id."""

    def back(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"minor", "currency"}:
                return Money(int(value["minor"]), str(value["currency"]))
            return {k: back(v) for k, v in value.items()}
        if isinstance(value, list):
            return [back(v) for v in value]
        return value

    data = {k: back(v) for k, v in stored.items() if v is not None}
    party = data.get("counterparty")
    if isinstance(party, dict):
        data["counterparty"] = party.get("id") or party.get("name")
    return data


def _forget_derived(data: dict[str, Any], given: dict[str, Any]) -> None:
    """Drop figures the template derives (row amount = quantity x price, total = sum)
    when the user changed what they derive from, so they are computed again rather
    than reported as disagreeing with the new quantities."""
    import re

    touched_rows: set[tuple[str, int]] = set()
    whole_tables: set[str] = set()
    for key in given:
        match = re.fullmatch(r"(\w+)\[(\d+)\]\.(\w+)", key)
        if match and match.group(3) != "amount":
            touched_rows.add((match.group(1), int(match.group(2))))
        elif isinstance(data.get(key), list):
            whole_tables.add(key)
    for table, index in touched_rows:
        rows = data.get(table)
        if (
            isinstance(rows, list)
            and 0 < index <= len(rows)
            and isinstance(rows[index - 1], dict)
            and f"{table}[{index}].amount" not in given
        ):
            rows[index - 1].pop("amount", None)
    if (touched_rows or whole_tables) and "amount" not in given:
        data.pop("amount", None)


def _from_file(path: Path, tmp: Path, parent_fields: dict[str, Any], parent_text: str) -> _Made:
    """The counterparty's edited document, taken as it is (a DOCX also gets a PDF)."""
    suffix = path.suffix.lower()
    if suffix not in (".docx", ".pdf"):
        raise InvalidInput(f"{path.name}: --file takes a .docx or .pdf")
    text = file_text(path)
    if suffix == ".docx":
        from contractctl.drafting.convert import convert_one

        pdf = tmp / "amendment.pdf"
        convert_one(path, pdf)
        return _Made(path, pdf, text, dict(parent_fields), None)
    return _Made(None, path, text, dict(parent_fields), None)


def standard_text(store: Store, contract: Contract, text: str) -> bool | None:
    """Is ``text`` still the standard wording of the contract's template version?

    Every version is judged, however it was made: a counterparty's edited document
    that changes a standard clause makes the contract non-standard, so the routes for
    non-standard contracts see it. None for a contract drafted from no template
    (nothing to hold its text against).
    """
    from contractctl.drafting.draft import template_text_of
    from contractctl.drafting.versions import get_version, load_spec

    if not contract.template:
        return None
    row = store.conn.execute(
        "SELECT template_version FROM contracts WHERE id = ?", (contract.id,)
    ).fetchone()
    if row is None or row[0] is None:
        return None
    version = get_version(store.conn, contract.template, int(row[0]))
    spec = load_spec(store, version)
    return not clauses.deviations(template_text_of(store, version), text, spec.standard_clauses)


def _fields_from_semantic(
    parent_fields: dict[str, Any], semantic: list[dict[str, Any]]
) -> dict[str, Any]:
    """The parent's values, with the contract amount and dates an edited document changed.

    The contract amount is the parent's ``amount``; where the semantic diff shows that
    very amount replaced by another, the new one is taken. Dates likewise for
    ``start_date`` and ``end_date``. The rules then see the change in amount and term.
    """
    fields: dict[str, Any] = json.loads(json.dumps(parent_fields))
    amount = fields.get("amount")
    for change in semantic:
        old, new = change.get("old_value"), change.get("new_value")
        if change["what"] == "amount" and isinstance(amount, dict) and old == amount and new:
            fields["amount"] = new
        if change["what"] == "date" and old and new:
            for name in ("start_date", "end_date"):
                if parent_fields.get(name) == old:
                    fields[name] = new
    return fields


def _record(tx: Tx, contract: Contract, parent_n: int, made: _Made, reason: str) -> int:
    """Store the files, the version and the contract's new state in ``tx``."""
    old_status = contract.status
    lifecycle.transition(tx, contract.id, "amend", parent=parent_n, reason=reason)
    tx.conn.execute(
        "UPDATE contracts SET in_force_version = ?, in_force_status = ?, in_force_values = ? "
        "WHERE id = ?",
        (parent_n, old_status, audit.canonical_json(described_now(tx, contract.id)), contract.id),
    )
    return store_version(tx, contract.id, parent_n, made, reason, kind="amendment")


def store_version(
    tx: Tx, contract_id: str, parent_n: int, made: _Made, reason: str, *, kind: str
) -> int:
    """A new version of ``contract_id`` from ``made`` (an amendment or a revision): its
    files stored, the row added, the contract described by it, audited, re-indexed.
    Returns its number."""
    (last,) = tx.conn.execute(
        "SELECT MAX(n) FROM versions WHERE contract_id = ?", (contract_id,)
    ).fetchone()
    n = int(last) + 1
    docx_sha = tx.put_file(made.docx) if made.docx else None
    pdf_sha = tx.put_file(made.pdf) if made.pdf else None
    text_sha = tx.put_bytes(made.text.encode("utf-8"))
    add_version(
        tx,
        contract_id,
        n,
        NewVersion(
            kind=kind,
            docx_sha=docx_sha,
            pdf_sha=pdf_sha,
            text_sha=text_sha,
            reason=reason,
            fields=made.fields,
        ),
        parent_n=parent_n,
    )
    describe(tx, contract_id, n, made.fields, standard=made.standard)
    tx.audit(
        "version.add",
        contract_id,
        {
            "version": n,
            "kind": kind,
            "parent": parent_n,
            "reason": reason,
            "pdf": pdf_sha,
            "text": text_sha,
        },
    )
    _reindex(tx, contract_id)
    return n


def _reindex(tx: Tx, contract_id: str) -> None:
    """Keep the full-text index in step, in the same transaction."""
    from contractctl.store.search_index import reindex_contract

    reindex_contract(tx, contract_id)


# --- the amendment's end ----------------------------------------------------------


def pending_amendment(tx: Tx, contract_id: str) -> tuple[int, str] | None:
    """(version in force, status to return to) while an amendment is under way."""
    row = tx.conn.execute(
        "SELECT in_force_version, in_force_status FROM contracts WHERE id = ?", (contract_id,)
    ).fetchone()
    if row is None or row["in_force_version"] is None:
        return None
    return int(row["in_force_version"]), str(row["in_force_status"])


def abandon_rejected(tx: Tx, contract_id: str, **data: object) -> str | None:
    """A rejected amendment leaves the contract as it was: the version in force, its
    values and its status come back; the amendment stays in history, marked rejected.

    Returns the restored status, or None when no amendment was under way (the caller
    then rejects the contract itself).
    """
    return restore_in_force(tx, contract_id, "reject", **data)


def restore_in_force(tx: Tx, contract_id: str, action: str, **data: object) -> str | None:
    """End the amendment under way by ``action`` (reject, withdraw): the version in
    force, its values and its status come back; the amendment keeps its place in the
    history with its outcome (rejected, withdrawn). None when no amendment was under way.
    """
    pending = pending_amendment(tx, contract_id)
    if pending is None:
        return None
    in_force, status = pending
    row = tx.conn.execute(
        "SELECT status, current_version FROM contracts WHERE id = ?", (contract_id,)
    ).fetchone()
    lifecycle.next_status(row["status"], action)  # reject only from review
    rejected_n = int(row["current_version"])
    outcome = {"reject": "rejected", "withdraw": "withdrawn"}[action]
    tx.conn.execute(
        "UPDATE versions SET outcome = ? WHERE contract_id = ? AND n = ?",
        (outcome, contract_id, rejected_n),
    )
    standard = standard_text(
        tx.store, get_contract(tx.conn, contract_id), version_text(tx.store, contract_id, in_force)
    )
    held = held_values(tx, contract_id)
    if held is None:  # an amendment begun before the row kept them: the version's own
        fields = json.loads(version_row(tx.store, contract_id, in_force)["fields"])
        describe(tx, contract_id, in_force, fields, standard=standard)
    else:
        restore_described(tx, contract_id, in_force, held)
        if standard is not None:
            tx.conn.execute(
                "UPDATE contracts SET standard = ? WHERE id = ?", (int(standard), contract_id)
            )
    tx.conn.execute(
        "UPDATE contracts SET status = ?, in_force_version = NULL, in_force_status = NULL, "
        "in_force_values = NULL WHERE id = ?",
        (status, contract_id),
    )
    tx.audit(
        f"contract.amendment_{outcome}",
        contract_id,
        {"from": row["status"], "to": status, "version": rejected_n, "in_force": in_force, **data},
    )
    _reindex(tx, contract_id)
    return status


def complete(tx: Tx, contract_id: str) -> bool:
    """Once an amendment is signed by everyone it is the version in force.

    Returns True when an amendment was completed (the caller then keeps the contract's
    original signing date), and moves an active contract back to active.
    """
    pending = pending_amendment(tx, contract_id)
    if pending is None:
        return False
    in_force, status = pending
    tx.conn.execute(
        "UPDATE contracts SET in_force_version = NULL, in_force_status = NULL, "
        "in_force_values = NULL WHERE id = ?",
        (contract_id,),
    )
    if status == "active":
        lifecycle.transition(tx, contract_id, "activate", amendment_of=in_force)
    return True
