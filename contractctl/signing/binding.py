"""Which key may sign for which party: the certificate names the party, or a binding says so.

A signature stands for a party of the contract: the company (``[company]`` in
config.toml) or the contract's counterparty (its party record). A key may sign for a
party only when

- its certificate names that party: the subject's organisation (O) or common name (CN)
  is the party's name (compared after NFKC, case and space folding, so ``（）`` and
  ``()`` are the same), or the party's 统一社会信用代码 appears in a subject attribute
  (serialNumber, organizationIdentifier, ...); or
- an explicit binding says so: ``keys bind KEY --party REF`` (or ``--party company``),
  an audit event ``key.bind`` that records the certificate's fingerprint, so a key
  replaced under the same name is not bound. ``keys unbind`` ends it (``key.unbind``).

Whatever a binding says, a key whose certificate names the company never signs for the
counterparty and one that names the counterparty never signs for the company: a company
identity signs only as the company. And a key signs a contract version once, so running
``sign ID --key org`` twice cannot end with our key standing for the counterparty.
Every refusal is NotAllowed (exit 3) and says why.

Bindings live in the audit chain (they are read from it), so they are as tamper-evident
as the rest of the record. cryptography is imported inside the functions.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from contractctl.errors import InvalidInput, NotAllowed

if TYPE_CHECKING:
    from cryptography import x509

    from contractctl.records.contracts import Contract
    from contractctl.store import Store

COMPANY = "company"
COUNTERPARTY = "counterparty"


@dataclass(frozen=True)
class PartyName:
    """A party of a contract as a certificate may name it."""

    role: str  # company or counterparty
    ref: str  # "company", or the counterparty's party id (P-0001)
    name: str
    uscc: str


@dataclass(frozen=True)
class Standing:
    """Why a key may sign for a party: how its certificate names it, or its binding."""

    party: PartyName
    how: str  # "organisation name", "common name", "credit code" or "binding"

    def to_dict(self) -> dict[str, str]:
        """What the signature's audit event records."""
        return {"party_name": self.party.name, "party_ref": self.party.ref, "bound_by": self.how}


# -- the parties ------------------------------------------------------------------------


def company_party(store: Store) -> PartyName:
    """Our own company, as config.toml names it."""
    company = store.settings.company
    return PartyName(COMPANY, COMPANY, company.name.strip(), _code(company.uscc))


def counterparty_of(store: Store, contract: Contract) -> PartyName | None:
    """The contract's counterparty (its party record), or None when it has none."""
    if not contract.counterparty:
        return None
    row = store.conn.execute(
        "SELECT id, name, uscc FROM parties WHERE id = ?", (contract.counterparty["id"],)
    ).fetchone()
    if row is None:
        return None
    return PartyName(COUNTERPARTY, str(row["id"]), str(row["name"]), _code(row["uscc"]))


def party_for(store: Store, contract: Contract, role: str) -> PartyName:
    """The party behind ``role`` on ``contract`` (exit 3 when it has no counterparty)."""
    if role == COMPANY:
        return company_party(store)
    party = counterparty_of(store, contract)
    if party is None:
        raise NotAllowed(
            f"{contract.id} has no counterparty on record, so no key can be checked against it",
            hint="link the contract to its party first (contractctl edit ID --party REF)",
        )
    return party


# -- what a certificate names -----------------------------------------------------------


def names(cert: x509.Certificate, party: PartyName) -> str | None:
    """How ``cert``'s subject names ``party`` ("organisation name", "common name",
    "credit code"), or None when it does not."""
    wanted = _fold(party.name)
    for attribute in cert.subject:
        value = str(attribute.value)
        oid = attribute.oid.dotted_string
        if wanted and oid in (_OID_O, _OID_CN) and _fold(value) == wanted:
            return "organisation name" if oid == _OID_O else "common name"
        if party.uscc and party.uscc in _code(value):
            return "credit code"
    return None


_OID_CN, _OID_O = "2.5.4.3", "2.5.4.10"


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "").casefold())


def _code(text: str | None) -> str:
    return re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", text or "").upper())


# -- bindings ---------------------------------------------------------------------------


def binding(conn: Any, key_name: str, fingerprint: str) -> str | None:
    """The party ref ``key_name`` is bound to (its latest ``key.bind`` for this very
    certificate, unless a later ``key.unbind`` ended it), or None."""
    bound: str | None = None
    rows = conn.execute(
        "SELECT action, data FROM events WHERE subject = ? "
        "AND action IN ('key.bind', 'key.unbind') ORDER BY seq",
        (f"key:{key_name}",),
    )
    for row in rows:
        data = json.loads(row["data"])
        if data.get("fingerprint") != fingerprint:
            continue
        bound = str(data.get("party")) if row["action"] == "key.bind" else None
    return bound


def standing(
    store: Store, contract: Contract, role: str, cert: x509.Certificate, key_name: str | None
) -> Standing:
    """Why the key with ``cert`` may sign ``contract`` for ``role``; NotAllowed (exit 3)
    saying why not. ``key_name`` is the store's name for it (bindings are by name and
    fingerprint); None for a certificate that came in a PDF signed elsewhere."""
    from contractctl.signing.certificates import fingerprint

    party = party_for(store, contract, role)
    other = counterparty_of(store, contract) if role == COMPANY else company_party(store)
    label = f"key {key_name!r}" if key_name else "the signer's certificate"
    subject = cert.subject.rfc4514_string()
    names_other = other is not None and (other.name or other.uscc) and names(cert, other)
    if other is not None and names_other and not names(cert, party):
        raise NotAllowed(
            f"{label} names {other.name or other.uscc} (the {other.role}) in its "
            f"certificate ({subject}): it cannot sign for the {role} of {contract.id}",
            hint=f"sign for the {role} with a key whose certificate names "
            f"{party.name or party.uscc or 'it'}",
        )
    how = names(cert, party) if (party.name or party.uscc) else None
    if how is None and key_name is not None:
        bound = binding(store.conn, key_name, fingerprint(cert))
        if bound == party.ref:
            how = "binding"
        elif bound is not None:
            raise NotAllowed(
                f"{label} is bound to {bound}, not to the {role} of {contract.id} ({party.ref})"
            )
    if how is None:
        who = party.name or ("the company (no [company] name in config.toml)")
        raise NotAllowed(
            f"{label} does not belong to the {role} of {contract.id}: its certificate "
            f"({subject}) names neither {who} nor its credit code, and it is not bound to it",
            hint=f"if it really signs for {who}: contractctl keys bind {key_name or 'KEY'} "
            f"--party {party.ref}",
        )
    return Standing(party, how)


def check_once(store: Store, contract: Contract, fingerprint: str) -> None:
    """A key signs a contract version once: refuse a second signature by the same
    certificate (exit 3), whatever party it would be for."""
    row = store.conn.execute(
        "SELECT party, key_name FROM signatures WHERE contract_id = ? AND version_n = ? "
        "AND fingerprint = ?",
        (contract.id, contract.version, fingerprint),
    ).fetchone()
    if row is not None:
        raise NotAllowed(
            f"this certificate already signed {contract.id} v{contract.version} for the "
            f"{row['party']} (key {row['key_name']!r}): a key signs a contract once",
            hint="the other party signs with its own key",
        )


def bind(store: Store, actor: str, key_name: str, party_ref: str) -> dict[str, Any]:
    """Bind the identity ``key_name`` to a party (``company`` or a party ref): audited.

    Refused (exit 3) when the certificate names the other side: our company's key is
    never bound to a counterparty, nor a counterparty's key to the company.
    """
    from contractctl.errors import StoreProblem
    from contractctl.records.parties import get_party
    from contractctl.signing.certificates import read_certificates
    from contractctl.signing.keys import get_identity

    info = get_identity(store.home, key_name)
    cert = read_certificates(info.certificate, StoreProblem)[0]
    company = company_party(store)
    if party_ref.strip().casefold() == COMPANY:
        party = company
    else:
        record = get_party(store.conn, party_ref)
        party = PartyName(COUNTERPARTY, record.id, record.name, _code(record.uscc))
        if (company.name or company.uscc) and names(cert, company):
            raise NotAllowed(
                f"key {key_name!r} names our company {company.name} in its certificate "
                f"({info.subject}): it cannot be bound to {record.name}",
                hint="a company identity signs only as the company",
            )
    if party.role == COMPANY:
        clash = store.conn.execute("SELECT id, name, uscc FROM parties").fetchall()
        for row in clash:
            other = PartyName(COUNTERPARTY, row["id"], row["name"], _code(row["uscc"]))
            if names(cert, other) and not names(cert, company):
                raise NotAllowed(
                    f"key {key_name!r} names {other.name} ({other.ref}) in its certificate: "
                    "it cannot be bound to the company"
                )
    if binding(store.conn, key_name, info.fingerprint) == party.ref:
        raise NotAllowed(f"key {key_name!r} is already bound to {party.ref}")
    facts = {
        "fingerprint": info.fingerprint,
        "subject": info.subject,
        "party": party.ref,
        "party_name": party.name,
    }
    with store.transaction(actor) as tx:
        tx.audit("key.bind", f"key:{key_name}", facts)
    return {"key": key_name, **facts}


def unbind(store: Store, actor: str, key_name: str) -> dict[str, Any]:
    """End the binding of ``key_name`` (exit 2 when it has none): audited."""
    from contractctl.signing.keys import get_identity

    info = get_identity(store.home, key_name)
    bound = binding(store.conn, key_name, info.fingerprint)
    if bound is None:
        raise InvalidInput(f"key {key_name!r} is not bound to any party")
    facts = {"fingerprint": info.fingerprint, "party": bound}
    with store.transaction(actor) as tx:
        tx.audit("key.unbind", f"key:{key_name}", facts)
    return {"key": key_name, **facts}
