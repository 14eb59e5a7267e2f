"""Signing: PAdES signatures on a contract's current PDF, and click-through acceptances.

``sign`` adds one digital signature to the current version's PDF as an incremental
update (the bytes signed before stay byte-for-byte in the file), PAdES baseline B-B
(``ETSI.CAdES.detached``, SHA-256), with the identity's own key type (ECDSA or RSA).
Parties sign in the order of the template's ``signatories``. When the company signs
first, its signature CERTIFIES the document (DocMDP: form filling allowed, so the
counterparty can still sign); every other signature is an approval signature. A
certification signature must be the first in a PDF, so a company that signs second
(``signatories = ["counterparty", "company"]``) gives an approval signature.

Seals are visible by default (``--seal auto``). A new visible field added after a
certification would fail its DocMDP check, so a visible certifying signature also creates,
in the same incremental update, the EMPTY signature field of every later signatory, with
its box on that party's line of the signature block; later signatures fill their field
(form filling, which the certification allows) and draw their seal in it. Their place
is fixed then: ``--box``/``--page`` only apply to the first signature.

The store keeps every signed PDF as an object; ``versions.pdf_sha`` points at the
latest and ``versions.unsigned_pdf_sha`` keeps the PDF as approved. The signature row,
the status change (approved -> signing -> signed) and the audit events land in one
transaction, so a failure leaves the store as it was.

``accept`` records a click-through acceptance: who, when and the SHA-256 of the exact PDF
shown. It is evidence of assent, kept in its own table, and never called a signature.

``sign(..., tsa_url=URL)`` adds an RFC 3161 signature timestamp from that TSA (pyHanko's
HTTPTimeStamper, one request, bounded by ``tsa_timeout`` seconds): the level becomes B-T
and the token's genTime is recorded as the signature's ``timestamp``. When the TSA fails
(refused, timed out, HTTP error, bad reply) signing stops with exit 4 and nothing is
stored, unless ``tsa_optional`` allows signing without it: then the level is B-B and
``SignResult.timestamp_skipped`` says why.

The PDF is signed (and the TSA asked) before the store's write lock is taken, so a slow
TSA (up to ``tsa_timeout``) never holds up other commands. Under the lock the plan the
signature was made for (version, PDF, party, sequence, certification, fields) is read
again; if another signature or an amendment landed meanwhile, this one is refused (exit
3, nothing stored) rather than stored over a PDF it did not sign.

``level="B-LT"`` or ``"B-LTA"`` (with a TSA) also embeds the validation data (chains,
CRLs, OCSP responses) in the PDF's DSS, and for B-LTA a document timestamp over it: see
contractctl.signing.ltv for where the revocation information comes from and how it fails.

pyHanko and cryptography are imported inside the functions that use them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contractctl.errors import (
    ContractctlError,
    Duplicate,
    InvalidInput,
    NotAllowed,
)
from contractctl.records.contracts import Contract, get_contract
from contractctl.signing.ltv import TsaClient as _TsaClient
from contractctl.signing.ltv import TsaFailed, check_tsa_url
from contractctl.store import Store, Tx
from contractctl.store.audit import now_iso

if TYPE_CHECKING:
    from pyhanko.sign.signers import SimpleSigner

    from contractctl.signing.ltv import Gathering
    from contractctl.signing.seal import SealRequest

__all__ = ["SignResult", "TsaFailed", "accept", "check_tsa_url", "sign", "signatures_view"]

DEFAULT_SIGNATORIES: tuple[str, ...] = ("company", "counterparty")
#: The signature level `sign` produces without a timestamp: baseline B-B.
LEVEL = "B-B"
#: ... and with an RFC 3161 signature timestamp.
LEVEL_T = "B-T"
#: Room for a timestamp token (TSA certificate chain, signed attributes) in the signature.
TSA_RESERVE = 16384
SIGNABLE = ("approved", "signing")
ACCEPTABLE = ("approved", "signing", "signed", "active")
#: Room for the CMS signed attributes and structure beyond certificates and signature.
CMS_OVERHEAD = 4096


@dataclass(frozen=True)
class SignResult:
    """One signature that `sign` added."""

    contract_id: str
    version: int
    seq: int
    party: str
    key_name: str
    signer: str
    fingerprint: str
    certify: bool
    level: str
    field: str
    status: str
    pdf_sha: str
    pdf_path: Path
    signed_at: str
    remaining: tuple[str, ...]
    timestamp: str | None = None
    tsa: str | None = None
    timestamp_skipped: str | None = None
    document_timestamp: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The `sign --json` shape."""
        return {
            "id": self.contract_id,
            "version": self.version,
            "seq": self.seq,
            "party": self.party,
            "key": self.key_name,
            "signer": self.signer,
            "fingerprint": self.fingerprint,
            "certify": self.certify,
            "level": self.level,
            "field": self.field,
            "status": self.status,
            "pdf": str(self.pdf_path),
            "sha256": self.pdf_sha,
            "signed_at": self.signed_at,
            "remaining": list(self.remaining),
            "timestamp": self.timestamp,
            "tsa": self.tsa,
            "timestamp_skipped": self.timestamp_skipped,
            "document_timestamp": self.document_timestamp,
        }


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


def _signed_parties(conn: Any, contract_id: str, version_n: int) -> list[str]:
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


# -- signing ----------------------------------------------------------------------------


def sign(
    store: Store,
    actor: str,
    contract_id: str,
    *,
    key: str,
    passphrase: str,
    party: str | None = None,
    reason: str | None = None,
    location: str | None = None,
    seal: SealRequest | None = None,
    tsa_url: str | None = None,
    tsa_optional: bool = False,
    tsa_timeout: float = 10,
    level: str | None = None,
    trust: Sequence[bytes] = (),
) -> SignResult:
    """Sign the current version's PDF of an approved contract with the identity ``key``.

    Checks state and order first (exit 3: "C-2026-0001 is in_review: only approved
    contracts can be signed"), opens the key once, then signs and records everything in
    one transaction. Returns what was signed and the contract's new status. ``seal`` is
    the seal asked for (contractctl.signing.seal; default ``auto``, a drawn seal);
    ``SealRequest("none")`` gives an invisible signature field. ``tsa_url`` asks that TSA
    for an RFC 3161 timestamp (level B-T); see the module docstring for its failures.
    ``level`` B-LT/B-LTA embeds validation data (contractctl.signing.ltv); ``trust`` adds roots
    the signer's and the TSA's chains may end at (DER or PEM).
    """
    from contractctl.signing import keys, ltv
    from contractctl.signing.seal import SealRequest

    if tsa_url is not None:
        check_tsa_url(tsa_url)
    wanted = ltv.resolve_level(level, tsa_url, tsa_optional)
    if seal is None:
        seal = SealRequest("auto")
    contract = get_contract(store.conn, contract_id)
    due = _check_signable(store, contract, party)
    _seal_plan(store.conn, contract, due, seal)  # refused before the key is opened
    identity = keys.get_identity(store.home, key)
    if identity.expired:
        raise NotAllowed(
            f"the certificate of signing identity {key!r} expired on {identity.valid_to[:10]}",
            hint="renew it, or sign with another identity",
        )
    signer = _key_once(keys.load_signer(store.home, key, passphrase))
    gather = None
    if wanted in ltv.LONG_TERM:
        gather = ltv.gathering(
            store,
            actor,
            level=wanted,
            identity_issuer=identity.issuer,
            passphrase=passphrase,
            trust=trust,
            timeout=tsa_timeout,
        )
    plan = _plan(store, contract.id, due, seal)
    options: dict[str, Any] = {
        "certify": plan.certify,
        "seq": plan.seq,
        "reason": reason,
        "location": location,
        "seal": seal,
        "party": plan.party,
        "kind": identity.kind,
        "prepared": plan.prepared,
        "later": plan.later,
        "gather": gather,
    }
    stamper = _TsaClient(tsa_url, tsa_timeout) if tsa_url is not None else None
    skipped: str | None = None
    before = store.objects.read_checked(plan.pdf_sha)
    try:
        signed_pdf, field, fields_made = _sign_bytes(before, signer, timestamper=stamper, **options)
    except TsaFailed as exc:
        if not tsa_optional:
            raise
        skipped = exc.message
        stamper = None
        signed_pdf, field, fields_made = _sign_bytes(before, signer, **options)
    timestamp = stamper.gen_time if stamper is not None else None
    level = wanted if timestamp is not None else LEVEL
    doc_time = stamper.doc_time if stamper is not None and gather and gather.lta else None
    if gather is not None:
        ltv.check_embedded(signed_pdf, gather.roots, lta=gather.lta)
    with store.transaction(actor) as tx:
        # Read again under the write lock: if another signer came first, the party
        # chosen above is no longer due and this signature is refused, never re-assigned;
        # if the PDF or the plan changed in any other way, the signature made is stale.
        now = _plan(store, contract.id, due, seal)
        if now != plan:
            raise NotAllowed(
                f"{contract.id} changed while it was being signed (a signature or an "
                "amendment came first): nothing was stored",
                hint="run the sign command again",
            )
        contract, who, seq, certify = now.contract, now.party, now.seq, now.certify
        order, signed, before_sha = now.order, now.signed, now.pdf_sha
        after_sha = tx.put_bytes(signed_pdf)
        signed_at = now_iso()
        common_name = _common_name(signer)
        tx.conn.execute(
            "UPDATE versions SET pdf_sha = ?, unsigned_pdf_sha = COALESCE(unsigned_pdf_sha, ?) "
            "WHERE contract_id = ? AND n = ?",
            (after_sha, before_sha, contract.id, contract.version),
        )
        tx.conn.execute(
            "INSERT INTO signatures (contract_id, version_n, seq, party, key_name, signer, "
            "fingerprint, certify, level, timestamp, pdf_before, pdf_after, signed_by, "
            "signed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                contract.id,
                contract.version,
                seq,
                who,
                key,
                common_name,
                identity.fingerprint,
                int(certify),
                level,
                timestamp,
                before_sha,
                after_sha,
                actor,
                signed_at,
            ),
        )
        remaining = tuple(p for p in order if p not in [*signed, who])
        extra: dict[str, Any] = {"prepared_fields": fields_made} if fields_made else {}
        tx.audit(
            "signature.add",
            contract.id,
            {
                **extra,
                "version": contract.version,
                "seq": seq,
                "party": who,
                "key": key,
                "signer": common_name,
                "fingerprint": identity.fingerprint,
                "test_identity": identity.test,
                "certify": certify,
                "level": level,
                "timestamp": timestamp,
                **({"tsa": tsa_url} if tsa_url is not None else {}),
                **({"timestamp_skipped": skipped} if skipped is not None else {}),
                **({"document_timestamp": doc_time} if doc_time is not None else {}),
                "field": field,
                "pdf_before": before_sha,
                "pdf_after": after_sha,
            },
        )
        status = contract.status
        if not remaining:
            status = _transition(tx, contract.id, "complete_signing", party=who, seq=seq)
            from contractctl.drafting.amend import complete

            if complete(tx, contract.id):  # a signed amendment: the original date stays
                status = _status(tx, contract.id)
            else:
                tx.conn.execute(
                    "UPDATE contracts SET signed_date = ? WHERE id = ?",
                    (date.today().isoformat(), contract.id),
                )
        elif status == "approved":
            status = _transition(tx, contract.id, "sign", party=who, seq=seq)
    return SignResult(
        contract_id=contract.id,
        version=contract.version,
        seq=seq,
        party=who,
        key_name=key,
        signer=common_name,
        fingerprint=identity.fingerprint,
        certify=certify,
        level=level,
        field=field,
        status=status,
        pdf_sha=after_sha,
        pdf_path=store.objects.path(after_sha),
        signed_at=signed_at,
        remaining=remaining,
        timestamp=timestamp,
        tsa=tsa_url,
        timestamp_skipped=skipped,
        document_timestamp=doc_time,
    )


def _transition(tx: Tx, contract_id: str, action: str, **data: object) -> str:
    from contractctl.records.lifecycle import transition

    return transition(tx, contract_id, action, **data)


@dataclass(frozen=True)
class _Plan:
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


def _plan(store: Store, contract_id: str, due: str, seal: SealRequest) -> _Plan:
    """The signature due now on the contract as the store has it (raises why not)."""
    contract = get_contract(store.conn, contract_id)
    _check_signable(store, contract, due)
    order = signatories(store, contract)
    signed = _signed_parties(store.conn, contract.id, contract.version)
    who = choose_party(order, signed, due)
    certify = who == "company" and not signed
    row = store.conn.execute(
        "SELECT pdf_sha FROM versions WHERE contract_id = ? AND n = ?",
        (contract.id, contract.version),
    ).fetchone()
    return _Plan(
        contract=contract,
        version=contract.version,
        order=tuple(order),
        signed=tuple(signed),
        party=who,
        seq=len(signed) + 1,
        certify=certify,
        prepared=_seal_plan(store.conn, contract, who, seal),
        later=tuple(order[order.index(who) + 1 :]) if certify and seal.visible else (),
        pdf_sha=str(row["pdf_sha"]),
    )


def _check_signable(store: Store, contract: Contract, party: str | None) -> str:
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
    return choose_party(order, _signed_parties(store.conn, contract.id, contract.version), party)


def _status(tx: Tx, contract_id: str) -> str:
    row = tx.conn.execute("SELECT status FROM contracts WHERE id = ?", (contract_id,)).fetchone()
    return str(row["status"])


def _current_version(tx: Tx, contract: Contract) -> Any:
    return tx.conn.execute(
        "SELECT * FROM versions WHERE contract_id = ? AND n = ?",
        (contract.id, contract.version),
    ).fetchone()


def _sign_bytes(
    pdf: bytes,
    signer: SimpleSigner,
    *,
    certify: bool,
    seq: int,
    reason: str | None,
    location: str | None,
    seal: SealRequest | None = None,
    party: str = "company",
    kind: str = "organisation",
    prepared: str | None = None,
    later: tuple[str, ...] = (),
    timestamper: _TsaClient | None = None,
    gather: Gathering | None = None,
) -> tuple[bytes, str, dict[str, str]]:
    """Sign ``pdf`` once (incremental update); the new bytes, the field name and the
    empty fields made for ``later`` parties (party -> field name).

    The field is invisible unless ``seal`` asks for a visible one: then it sits where
    contractctl.signing.seal.place puts it, with the drawn or image seal as its appearance. With
    ``prepared`` the signature fills that existing empty field (its box was fixed when
    it was made). ``later`` parties each get an empty visible field on their line of the
    signature block, in this same revision (before a certification seals the form).
    With ``timestamper`` the signature gets an RFC 3161 timestamp (TsaFailed otherwise);
    with ``gather`` also the validation data and, for B-LTA, a document timestamp.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError

    from contractctl.signing import ltv

    made: dict[str, str] = {}
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        taken = _field_names(writer)
        field = prepared if prepared is not None else _free_field_name(taken, seq)
        meta = signers.PdfSignatureMetadata(
            field_name=field,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            certify=certify,
            docmdp_permissions=fields.MDPPerm.FILL_FORMS,
            reason=reason,
            location=location,
            **(ltv.signature_settings(gather) if gather is not None and timestamper else {}),
        )
        spec: Any = fields.SigFieldSpec(sig_field_name=field)
        style = None
        boxes: list[tuple[int, tuple[int, int, int, int]]] = []
        if prepared is not None:
            if prepared not in taken:
                raise InvalidInput(f"the signature field {prepared!r} is not in the PDF")
            spec = None
            if seal is not None and seal.visible:
                style = _seal_style(seal, signer, kind)
        elif seal is not None and seal.visible:
            spec, style = _visible_field(pdf, writer, field, seal, signer, party, kind)
            boxes.append((spec.on_page, spec.box))
        taken.add(field)
        for n, other in enumerate(later, start=seq + 1):
            name = _free_field_name(taken, n)
            page, box = _prepared_box(pdf, writer, other, boxes)
            fields.append_signature_field(
                writer, fields.SigFieldSpec(sig_field_name=name, on_page=page, box=box)
            )
            boxes.append((page, box))
            taken.add(name)
            made[other] = name
        pdf_signer = signers.PdfSigner(
            meta,
            signer=signer,
            new_field_spec=spec,
            stamp_style=style,
            timestamper=timestamper.timestamper() if timestamper is not None else None,
        )
        reserved = _bytes_reserved(signer) + (2 * TSA_RESERVE if timestamper else 0)
        out = pdf_signer.sign_pdf(writer, bytes_reserved=reserved)
    except TsaFailed:
        raise
    except Exception as exc:
        failed = ltv.failure(exc) if gather is not None else None
        if failed is not None:
            raise failed from exc
        if isinstance(exc, (PdfError, SigningError, ValueError)):
            raise InvalidInput(f"cannot sign this PDF: {exc}") from exc
        raise
    return bytes(out.getvalue()), field, made


def _seal_plan(conn: Any, contract: Contract, party: str, seal: SealRequest) -> str | None:
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


def _prepared_box(
    pdf: bytes,
    writer: Any,
    party: str,
    boxes: list[tuple[int, tuple[int, int, int, int]]],
) -> tuple[int, tuple[int, int, int, int]]:
    """The page and box of a later party's empty field: its line of the signature block
    on the last page, the size of a round seal (the largest), clear of ``boxes``."""
    from contractctl.signing import seal as seals

    count = int(writer.root["/Pages"]["/Count"])
    page_ref, _ = writer.find_page_for_modification(count - 1)
    x0, y0, x1, y1 = (float(v) for v in page_ref.get_object()["/MediaBox"])
    size = seals.ROUND_SIZE
    placement = seals.place(
        pdf,
        seals.SealRequest("auto"),
        page_count=count,
        page_size=(x1 - x0, y1 - y0),
        party=party,
        name="",
        size=size,
    )
    bx1, by1, bx2, by2 = (round(v) for v in placement.box)
    step = round(size) + 10
    for _ in range(8):  # no line found for two parties: side by side, not on top
        if not any(
            page == placement.page and bx1 < ox2 and ox1 < bx2 and by1 < oy2 and oy1 < by2
            for page, (ox1, oy1, ox2, oy2) in boxes
        ):
            break
        if bx1 - step >= 0:
            bx1, bx2 = bx1 - step, bx2 - step
        else:
            by1, by2 = by1 + step, by2 + step
    return placement.page, (bx1, by1, bx2, by2)


def _seal_style(seal: SealRequest, signer: SimpleSigner, kind: str) -> Any:
    from contractctl.signing import seal as seals

    return seals.stamp_style(seal.mode, kind=kind, name=_common_name(signer), natural_size=True)


def _visible_field(
    pdf: bytes,
    writer: Any,
    field: str,
    seal: SealRequest,
    signer: SimpleSigner,
    party: str,
    kind: str,
) -> tuple[Any, Any]:
    """The field spec (page, box) and stamp style of a visible seal."""
    from pyhanko.sign import fields

    from contractctl.signing import seal as seals

    name = _common_name(signer)
    size = seals.seal_size(kind)
    count = int(writer.root["/Pages"]["/Count"])
    last = (seal.page or count) - 1
    if last >= count:
        raise InvalidInput(f"--page {seal.page}: the PDF has {count} page(s)")
    page_ref, _ = writer.find_page_for_modification(last)
    x0, y0, x1, y1 = (float(v) for v in page_ref.get_object()["/MediaBox"])
    placement = seals.place(
        pdf,
        seal,
        page_count=count,
        page_size=(x1 - x0, y1 - y0),
        party=party,
        name=name,
        size=size,
    )
    bx1, by1, bx2, by2 = placement.box
    box = (round(bx1), round(by1), round(bx2), round(by2))
    spec = fields.SigFieldSpec(sig_field_name=field, on_page=placement.page, box=box)
    return spec, seals.stamp_style(seal.mode, kind=kind, name=name)


def _field_names(writer: Any) -> set[str]:
    from pyhanko.sign import fields

    return {name for name, _, _ in fields.enumerate_sig_fields(writer, filled_status=None)}


def _free_field_name(taken: set[str], seq: int) -> str:
    """``Signature<seq>``, or the next number not taken by a field already in the PDF."""
    n = seq
    while f"Signature{n}" in taken:
        n += 1
    return f"Signature{n}"


def _bytes_reserved(signer: SimpleSigner) -> int:
    """Room for the CMS container, as hex digits: certificates + signature + overhead.

    Passing it stops pyHanko from signing a dummy first just to measure (PERFORMANCE-NOTES).
    """
    certs = [signer.signing_cert, *signer.cert_registry]
    size = sum(len(c.dump()) for c in certs if c is not None)
    key_bits = signer.signing_cert.public_key.bit_size if signer.signing_cert else 4096
    size += 2 * (key_bits // 8) + 16 + CMS_OVERHEAD
    return 2 * size


def _common_name(signer: SimpleSigner) -> str:
    cert = signer.signing_cert
    if cert is None:
        return ""
    return str(cert.subject.native.get("common_name") or cert.subject.human_friendly)


def _key_once(signer: SimpleSigner) -> SimpleSigner:
    """The same signer, but with its private key parsed once instead of at every signature.

    pyHanko's SimpleSigner re-parses (and for RSA re-checks, ~70 ms) the key each time it
    signs; a batch signing many PDFs with one identity pays that once.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    key = serialization.load_der_private_key(signer.signing_key.dump(), password=None)

    class _Loaded(SimpleSigner):
        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            algorithm = get_pyca_cryptography_hash(digest_algorithm)
            if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
                return key.sign(data, padding.PKCS1v15(), algorithm)
            if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
                return key.sign(data, ec.ECDSA(algorithm))
            return super().sign_raw(data, digest_algorithm)

    if signer.signing_cert is None:
        return signer
    return _Loaded(
        signing_cert=signer.signing_cert,
        signing_key=signer.signing_key,
        cert_registry=signer.cert_registry,
        signature_mechanism=signer.signature_mechanism,
    )


# -- reading ----------------------------------------------------------------------------


def signatures_view(store: Store, contract_id: str) -> list[dict[str, Any]]:
    """The digital signatures recorded for a contract, every version, in signing order.

    This is `show ID --json`'s ``signatures``; acceptances are apart (acceptances_view).
    """
    contract = get_contract(store.conn, contract_id)
    rows = store.conn.execute(
        "SELECT * FROM signatures WHERE contract_id = ? ORDER BY version_n, seq", (contract.id,)
    )
    return [
        {
            "kind": "digital_signature",
            "version": r["version_n"],
            "seq": r["seq"],
            "party": r["party"],
            "key": r["key_name"],
            "signer": r["signer"],
            "fingerprint": r["fingerprint"],
            "certify": bool(r["certify"]),
            "level": r["level"],
            "timestamp": r["timestamp"],
            "pdf_before": r["pdf_before"],
            "pdf_after": r["pdf_after"],
            "signed_by": r["signed_by"],
            "signed_at": r["signed_at"],
        }
        for r in rows
    ]


def acceptances_view(store: Store, contract_id: str) -> list[dict[str, Any]]:
    """The click-through acceptances recorded for a contract (evidence, not signatures)."""
    contract = get_contract(store.conn, contract_id)
    rows = store.conn.execute(
        "SELECT * FROM acceptances WHERE contract_id = ? ORDER BY id", (contract.id,)
    )
    return [_acceptance(r) for r in rows]


def _acceptance(row: Any) -> dict[str, Any]:
    return {
        "kind": "acceptance",
        "note": "click-through acceptance: evidence of assent, not a digital signature",
        "contract": row["contract_id"],
        "version": row["version_n"],
        "accepted_by": row["accepted_by"],
        "pdf_sha256": row["pdf_sha"],
        "recorded_by": row["recorded_by"],
        "recorded_at": row["recorded_at"],
    }


# -- acceptance -------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def accept(store: Store, actor: str, contract_id: str, *, by: str) -> dict[str, Any]:
    """Record that ``by`` accepted the exact current PDF (click-through acceptance).

    Evidence only: who, when (recorded by whom) and the SHA-256 of the PDF bytes as
    stored now, re-hashed here. It is not a digital signature and changes no status.
    The contract must have been approved; the same person accepting the same PDF twice
    is refused (exit 3).
    """
    name = by.strip()
    if not name or _CONTROL.search(name):
        raise InvalidInput("--by needs the name of the person who accepted")
    with store.transaction(actor) as tx:
        contract = get_contract(tx.conn, contract_id)
        if contract.status not in ACCEPTABLE:
            raise NotAllowed(
                f"{contract.id} is {contract.status}: only an approved contract can be accepted"
            )
        version = _current_version(tx, contract)
        if version is None or not version["pdf_sha"]:
            raise InvalidInput(f"{contract.id} version {contract.version} has no PDF to accept")
        sha = hashlib.sha256(store.objects.read_checked(version["pdf_sha"])).hexdigest()
        seen = tx.conn.execute(
            "SELECT recorded_at FROM acceptances WHERE contract_id = ? AND version_n = ? "
            "AND accepted_by = ? AND pdf_sha = ?",
            (contract.id, contract.version, name, sha),
        ).fetchone()
        if seen is not None:
            raise Duplicate(
                f"{name} already accepted this PDF of {contract.id} at {seen['recorded_at']}"
            )
        cursor = tx.conn.execute(
            "INSERT INTO acceptances (contract_id, version_n, accepted_by, pdf_sha, "
            "recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
            (contract.id, contract.version, name, sha, actor, now_iso()),
        )
        tx.audit(
            "acceptance.record",
            contract.id,
            {
                "version": contract.version,
                "accepted_by": name,
                "pdf_sha256": sha,
                "kind": "click-through acceptance (not a digital signature)",
            },
        )
        row = tx.conn.execute(
            "SELECT * FROM acceptances WHERE id = ?", (cursor.lastrowid,)
        ).fetchone()
    return _acceptance(row)
