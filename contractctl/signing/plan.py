"""Who signs next, and the plan a signature is made for.

Parties sign in the order of the template's ``signatories`` (``company``, then
``counterparty`` without a template). The plan of a signature is everything it depends
on in the store: the version and its PDF, the party due, the sequence number, whether it
certifies (the company signing first), and the signature fields a certification made
for the later parties, with whether the seal asked for can go in them.

Apart from contractctl.signing.sign because the plan is read twice: before the PDF is
signed (refusing early, before the key is opened) and again under the store's write lock,
where ``sign`` compares the two and refuses a signature whose plan changed meanwhile. It
only reads the store; the signing itself is elsewhere.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from contractctl.errors import ContractctlError, InvalidInput, NotAllowed
from contractctl.records.contracts import Contract, get_contract

if TYPE_CHECKING:
    from contractctl.signing.seal import SealRequest
    from contractctl.store import Store

DEFAULT_SIGNATORIES: tuple[str, ...] = ("company", "counterparty")
SIGNABLE = ("approved", "signing")


# -- who signs next ---------------------------------------------------------------------


def signatories(store: Store, contract: Contract) -> tuple[str, ...]:
    """The parties who sign ``contract``, in order: its template's ``signatories``."""
    row = store.conn.execute(
        "SELECT template, template_version FROM contracts WHERE id = ?", (contract.id,)
    ).fetchone()
    if row is None or not row["template"] or row["template_version"] is None:
        return DEFAULT_SIGNATORIES
    from contractctl.drafting.versions import get_version, load_spec

    try:
        spec = load_spec(store, get_version(store.conn, row["template"], row["template_version"]))
    except ContractctlError:
        return DEFAULT_SIGNATORIES
    return tuple(spec.signatories) or DEFAULT_SIGNATORIES


def signed_parties(conn: Any, contract_id: str, version_n: int) -> list[str]:
    """The parties who have signed this version already, in signing order."""
    rows = conn.execute(
        "SELECT party FROM signatures WHERE contract_id = ? AND version_n = ? ORDER BY seq",
        (contract_id, version_n),
    )
    return [r["party"] for r in rows]


def choose_party(order: tuple[str, ...], signed: list[str], party: str | None) -> str:
    """The party signing now: ``party`` if it is the one due, else the next unsigned one.

    A party not among the signatories is bad input (exit 2); signing twice or out of
    order is not allowed (exit 3) and the message names who must sign next.
    """
    pending = [p for p in order if p not in signed]
    if party is not None and party not in order:
        raise InvalidInput(
            f"{party!r} is not a signatory of this contract (signatories: {', '.join(order)})"
        )
    if not pending:
        raise NotAllowed(f"every signatory has signed already ({', '.join(signed)})")
    due = pending[0]
    if party is None or party == due:
        return due
    if party in signed:
        raise NotAllowed(f"{party} has already signed; {due} must sign next")
    raise NotAllowed(f"{due} must sign before {party}")


# -- the plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What a signature is made for: compared again under the write lock."""

    contract: Contract = dataclasses.field(compare=False)
    version: int
    order: tuple[str, ...]
    signed: tuple[str, ...]
    party: str
    seq: int
    certify: bool
    prepared: str | None
    later: tuple[str, ...]
    pdf_sha: str


def plan_signature(store: Store, contract_id: str, due: str, seal: SealRequest) -> Plan:
    """The signature due now on the contract as the store has it (raises why not)."""
    contract = get_contract(store.conn, contract_id)
    check_signable(store, contract, due)
    order = signatories(store, contract)
    signed = signed_parties(store.conn, contract.id, contract.version)
    who = choose_party(order, signed, due)
    certify = who == "company" and not signed
    row = store.conn.execute(
        "SELECT pdf_sha FROM versions WHERE contract_id = ? AND n = ?",
        (contract.id, contract.version),
    ).fetchone()
    return Plan(
        contract=contract,
        version=contract.version,
        order=tuple(order),
        signed=tuple(signed),
        party=who,
        seq=len(signed) + 1,
        certify=certify,
        prepared=seal_plan(store.conn, contract, who, seal),
        later=tuple(order[order.index(who) + 1 :]) if certify and seal.visible else (),
        pdf_sha=str(row["pdf_sha"]),
    )


def check_signable(store: Store, contract: Contract, party: str | None) -> str:
    """The party due to sign now, or why the contract cannot be signed."""
    if contract.status not in SIGNABLE:
        raise NotAllowed(
            f"{contract.id} is {contract.status}: only approved contracts can be signed"
        )
    order = signatories(store, contract)
    version = store.conn.execute(
        "SELECT pdf_sha FROM versions WHERE contract_id = ? AND n = ?",
        (contract.id, contract.version),
    ).fetchone()
    if version is None or not version["pdf_sha"]:
        raise InvalidInput(
            f"{contract.id} version {contract.version} has no PDF to sign",
            hint="make one when drafting (draft --pdf); only the PDF is signed",
        )
    return choose_party(order, signed_parties(store.conn, contract.id, contract.version), party)


def seal_plan(conn: Any, contract: Contract, party: str, seal: SealRequest) -> str | None:
    """The empty field made for ``party`` at the certification, if any, and whether the
    seal asked for can go in: ``--box``/``--page`` cannot move a field made earlier
    (exit 2); a visible seal after an invisible certification is refused (exit 3)."""
    certified = conn.execute(
        "SELECT 1 FROM signatures WHERE contract_id = ? AND version_n = ? AND certify = 1",
        (contract.id, contract.version),
    ).fetchone()
    if certified is None:
        return None
    prepared = _prepared_field(conn, contract, party)
    if prepared is not None:
        if seal.visible and (seal.box is not None or seal.page is not None):
            raise InvalidInput(
                f"--box/--page: the place of the {party}'s seal was fixed when the company "
                f"certified {contract.id} (field {prepared})",
                hint="sign without --box and --page",
            )
        return prepared if seal.visible else None
    if seal.visible:
        raise NotAllowed(
            f"{contract.id} was certified by the company: a visible seal added now would "
            "make the certification fail validation",
            hint="sign with --seal none",
        )
    return None


def _prepared_field(conn: Any, contract: Contract, party: str) -> str | None:
    """The field name the certifying signature made for ``party`` (its audit event)."""
    import json

    rows = conn.execute(
        "SELECT data FROM events WHERE subject = ? AND action = 'signature.add' ORDER BY seq",
        (contract.id,),
    )
    for row in rows:
        data = json.loads(row["data"])
        if data.get("version") != contract.version or not data.get("certify"):
            continue
        name = (data.get("prepared_fields") or {}).get(party)
        if isinstance(name, str):
            return name
    return None
