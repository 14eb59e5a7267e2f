"""Signing: PAdES signatures on a contract's current PDF.

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

This module is the command's flow (check, open the key, sign, record). Who signs next and
the plan a signature is made for are contractctl.signing.plan; making the signature in
the PDF's bytes (fields, seals, pyHanko) is contractctl.signing.pdf_signing; click-through
acceptances (``accept``) are contractctl.signing.acceptances; what `show` lists of them
is contractctl.signing.views.

pyHanko and cryptography are imported inside the functions that use them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contractctl.errors import NotAllowed
from contractctl.records.contracts import get_contract
from contractctl.signing.ltv import TsaClient as _TsaClient
from contractctl.signing.ltv import TsaFailed, check_tsa_url
from contractctl.signing.pdf_signing import sign_bytes, signer_name
from contractctl.signing.plan import check_signable, plan_signature, seal_plan
from contractctl.store import Store, Tx
from contractctl.store.audit import now_iso

if TYPE_CHECKING:
    from pyhanko.sign.signers import SimpleSigner

    from contractctl.records.contracts import Contract
    from contractctl.signing.binding import Standing
    from contractctl.signing.keys import KeyInfo
    from contractctl.signing.seal import SealRequest

__all__ = ["SignResult", "TsaFailed", "check_tsa_url", "sign"]

#: The signature level `sign` produces without a timestamp: baseline B-B.
LEVEL = "B-B"
#: ... and with an RFC 3161 signature timestamp.
LEVEL_T = "B-T"


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
    due = check_signable(store, contract, party)
    seal_plan(store.conn, contract, due, seal)  # refused before the key is opened
    identity = keys.get_identity(store.home, key)
    if identity.expired:
        raise NotAllowed(
            f"the certificate of signing identity {key!r} expired on {identity.valid_to[:10]}",
            hint="renew it, or sign with another identity",
        )
    standing = _standing(store, contract, due, identity)
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
    plan = plan_signature(store, contract.id, due, seal)
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
        "seal_name": _seal_name(identity.kind, signer_name(signer), standing.party.name),
    }
    stamper = _TsaClient(tsa_url, tsa_timeout) if tsa_url is not None else None
    skipped: str | None = None
    before = store.objects.read_checked(plan.pdf_sha)
    try:
        signed_pdf, field, fields_made = sign_bytes(before, signer, timestamper=stamper, **options)
    except TsaFailed as exc:
        if not tsa_optional:
            raise
        skipped = exc.message
        stamper = None
        signed_pdf, field, fields_made = sign_bytes(before, signer, **options)
    timestamp = stamper.gen_time if stamper is not None else None
    level = wanted if timestamp is not None else LEVEL
    doc_time = stamper.doc_time if stamper is not None and gather and gather.lta else None
    if gather is not None:
        ltv.check_embedded(signed_pdf, gather.roots, lta=gather.lta)
    with store.transaction(actor) as tx:
        # Read again under the write lock: if another signer came first, the party
        # chosen above is no longer due and this signature is refused, never re-assigned;
        # if the PDF or the plan changed in any other way, the signature made is stale.
        now = plan_signature(store, contract.id, due, seal)
        if now != plan:
            raise NotAllowed(
                f"{contract.id} changed while it was being signed (a signature or an "
                "amendment came first): nothing was stored",
                hint="run the sign command again",
            )
        contract, who, seq, certify = now.contract, now.party, now.seq, now.certify
        _standing(store, contract, who, identity)  # a binding may have ended meanwhile
        order, signed, before_sha = now.order, now.signed, now.pdf_sha
        after_sha = tx.put_bytes(signed_pdf)
        signed_at = now_iso()
        common_name = signer_name(signer)
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
                **standing.to_dict(),
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
        status, remaining = move_on(tx, contract, order, signed, who, seq)
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


def _standing(store: Store, contract: Contract, party: str, identity: KeyInfo) -> Standing:
    """Why this key may sign for ``party`` (exit 3 if it may not): contractctl.signing.binding."""
    from contractctl.errors import StoreProblem
    from contractctl.signing.binding import check_once, standing
    from contractctl.signing.certificates import read_certificates

    check_once(store, contract, identity.fingerprint)
    cert = read_certificates(identity.certificate, StoreProblem)[0]
    return standing(store, contract, party, cert, identity.name)


def _seal_name(kind: str, common_name: str, party_name: str) -> str | None:
    """The name an organisation's seal shows: the party's own (Chinese) name when the
    certificate's common name is in Latin letters ("Company Signer" on a Chinese
    contract); a person's seal keeps their own name."""
    if kind == "person" or not party_name or not _has_cjk(party_name):
        return None
    return None if _has_cjk(common_name) else party_name


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def move_on(
    tx: Tx, contract: Contract, order: Sequence[str], signed: Sequence[str], who: str, seq: int
) -> tuple[str, tuple[str, ...]]:
    """After ``who``'s signature (number ``seq``): the contract's new status and the parties
    still to sign. The last signature completes the signing (an amendment comes into
    force, keeping the original's signed date); the first moves approved -> signing."""
    remaining = tuple(p for p in order if p not in [*signed, who])
    status = contract.status
    if not remaining:
        status = _transition(tx, contract.id, "complete_signing", party=who, seq=seq)
        from contractctl.drafting.amend import complete
        from contractctl.obligations.schedule import amend_obligations, create_obligations

        if complete(tx, contract.id):  # a signed amendment: the original date stays
            status = _status(tx, contract.id)
            amend_obligations(tx, contract.id)  # the open obligations follow it
        else:
            tx.conn.execute(
                "UPDATE contracts SET signed_date = ? WHERE id = ?",
                (date.today().isoformat(), contract.id),
            )
            create_obligations(tx, contract.id)  # the template's milestones, dated
    elif status == "approved":
        status = _transition(tx, contract.id, "sign", party=who, seq=seq)
    return status, remaining


def _transition(tx: Tx, contract_id: str, action: str, **data: object) -> str:
    from contractctl.records.lifecycle import transition

    return transition(tx, contract_id, action, **data)


def _status(tx: Tx, contract_id: str) -> str:
    row = tx.conn.execute("SELECT status FROM contracts WHERE id = ?", (contract_id,)).fetchone()
    return str(row["status"])


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
