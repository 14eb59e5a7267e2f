"""``sign-import``: take back the PDF a party signed in its own tool, and record it.

Two companies rarely share a signing tool: we send our (perhaps already certified) PDF,
the counterparty signs it in theirs and sends it back. ``import_signature`` accepts that
file only when

1. it is an incremental update of the PDF the store holds for the current version: our
   bytes are its prefix, byte for byte, and something was added (exit 3 otherwise);
2. the update adds exactly one signature, in the first revision after ours, and that
   revision changes nothing but signing would (pyHanko's difference analysis: at most
   form filling, i.e. the signature field and its appearance; no new XMP metadata,
   document information or orphan objects: contractctl.signing.revisions) (exit 3);
   later revisions may only be LTA updates (DSS, document timestamps), as ``verify``
   judges them;
3. every signature in the file verifies, the new one included, against the store's trust
   roots and any ``trust`` given (the counterparty's CA), exactly as ``verify`` does
   (exit 1 when one does not, with the report's problems);
4. the signer's certificate names the party the signature is for (its name or
   统一社会信用代码, contractctl.signing.binding), and it has not signed this version
   already (exit 3).

Then, in one transaction (the plan read again under the write lock, as ``sign`` does):
the file is stored as an object, the version points at it, a signature row (key
``(imported)``) and a ``signature.add`` event with ``imported: true`` and the file's
name are written, and the contract moves on as it would after ``sign``.

pyHanko is imported inside the functions.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contractctl.errors import CheckFailed, InvalidInput, NotAllowed, NotFound
from contractctl.records.contracts import get_contract
from contractctl.signing.plan import check_signable, signatories, signed_parties
from contractctl.store import Store
from contractctl.store.audit import now_iso

IMPORTED_KEY = "(imported)"


@dataclass(frozen=True)
class ImportResult:
    """One signature taken back from a PDF signed elsewhere."""

    contract_id: str
    version: int
    seq: int
    party: str
    signer: str
    fingerprint: str
    level: str
    field: str
    status: str
    pdf_sha: str
    pdf_path: Path
    remaining: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The `sign-import --json` shape."""
        return {
            "id": self.contract_id,
            "version": self.version,
            "seq": self.seq,
            "party": self.party,
            "signer": self.signer,
            "fingerprint": self.fingerprint,
            "level": self.level,
            "field": self.field,
            "status": self.status,
            "pdf": str(self.pdf_path),
            "sha256": self.pdf_sha,
            "remaining": list(self.remaining),
        }


def import_signature(
    store: Store,
    actor: str,
    contract_id: str,
    pdf: Path,
    *,
    party: str | None = None,
    trust: Sequence[bytes] = (),
) -> ImportResult:
    """Check the signed PDF ``pdf`` against the stored version and record its signature
    for ``party`` (default: the party due). See the module docstring for each refusal."""
    from contractctl.signing.binding import check_once, standing

    data = _read(pdf)
    contract = get_contract(store.conn, contract_id)
    due = check_signable(store, contract, party)
    before_sha = _current_pdf(store, contract.id, contract.version)
    before = store.objects.read_checked(before_sha)
    if not data.startswith(before):
        raise NotAllowed(
            f"{pdf.name} is not an incremental update of {contract.id} v{contract.version}'s "
            "PDF: the stored bytes were changed or are missing",
            hint="the other party must sign the PDF we sent, adding to it (an incremental "
            "update), without saving it anew",
        )
    if len(data) == len(before):
        raise NotAllowed(f"{pdf.name} is the stored PDF unchanged: it adds no signature")
    new, field = _new_signature(data, before, pdf.name)
    report = _verified(data, trust, pdf.name)
    mine = next(s for s in report.signatures if s.field == field)
    cert = _certificate(new)
    check_once(store, contract, mine.fingerprint or "")
    party_standing = standing(store, contract, due, cert, None)
    with store.transaction(actor) as tx:
        now = get_contract(store.conn, contract.id)
        order = signatories(store, now)
        signed = signed_parties(store.conn, now.id, now.version)
        who = check_signable(store, now, due)
        if (now.version, _current_pdf(store, now.id, now.version), who) != (
            contract.version,
            before_sha,
            due,
        ):
            raise NotAllowed(
                f"{contract.id} changed while the file was being checked: nothing was stored",
                hint="run sign-import again",
            )
        after_sha = tx.put_bytes(data)
        seq = len(signed) + 1
        level = mine.level or "CMS"
        tx.conn.execute(
            "UPDATE versions SET pdf_sha = ?, unsigned_pdf_sha = COALESCE(unsigned_pdf_sha, ?) "
            "WHERE contract_id = ? AND n = ?",
            (after_sha, before_sha, now.id, now.version),
        )
        tx.conn.execute(
            "INSERT INTO signatures (contract_id, version_n, seq, party, key_name, signer, "
            "fingerprint, certify, level, timestamp, pdf_before, pdf_after, signed_by, "
            "signed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                now.id,
                now.version,
                seq,
                who,
                IMPORTED_KEY,
                mine.signer or "",
                mine.fingerprint,
                int(mine.certify),
                level,
                mine.timestamp,
                before_sha,
                after_sha,
                actor,
                mine.signed_at or now_iso(),
            ),
        )
        tx.audit(
            "signature.add",
            now.id,
            {
                "version": now.version,
                "seq": seq,
                "party": who,
                "key": IMPORTED_KEY,
                "imported": True,
                "source": pdf.name,
                "signer": mine.signer,
                "fingerprint": mine.fingerprint,
                "certify": mine.certify,
                "level": level,
                "timestamp": mine.timestamp,
                "field": field,
                "pdf_before": before_sha,
                "pdf_after": after_sha,
                **party_standing.to_dict(),
            },
        )
        from contractctl.signing.sign import move_on

        status, remaining = move_on(tx, now, order, signed, who, seq)
    return ImportResult(
        contract_id=now.id,
        version=now.version,
        seq=seq,
        party=who,
        signer=mine.signer or "",
        fingerprint=mine.fingerprint or "",
        level=level,
        field=field,
        status=status,
        pdf_sha=after_sha,
        pdf_path=store.objects.path(after_sha),
        remaining=remaining,
    )


def _read(pdf: Path) -> bytes:
    try:
        return Path(pdf).read_bytes()
    except FileNotFoundError:
        raise NotFound(f"no file {pdf}") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {pdf}: {exc.strerror or exc}") from exc


def _current_pdf(store: Store, contract_id: str, version: int) -> str:
    row = store.conn.execute(
        "SELECT pdf_sha FROM versions WHERE contract_id = ? AND n = ?", (contract_id, version)
    ).fetchone()
    return str(row["pdf_sha"])


def _new_signature(data: bytes, before: bytes, name: str) -> tuple[Any, str]:
    """The one signature the update adds, in the first revision after ours, and its field;
    that revision may change nothing but what signing changes."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel

    from contractctl.signing.revisions import Revisions

    try:
        ours = PdfFileReader(io.BytesIO(before), strict=False).xrefs.total_revisions
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = [
            s
            for s in reader.embedded_regular_signatures
            if s.signed_revision >= ours  # the ones the update brought
        ]
    except Exception as exc:  # a hostile or broken file
        raise NotAllowed(f"{name}: cannot read the signatures of the update ({exc})") from exc
    if len(signatures) != 1:
        raise NotAllowed(
            f"{name} adds {len(signatures)} signatures to the stored PDF; exactly one is "
            "expected (the other party's)"
        )
    (new,) = signatures
    if new.signed_revision != ours:
        raise NotAllowed(
            f"{name} changes the PDF in {new.signed_revision - ours} revision(s) before the "
            "new signature: only the signature may be added"
        )
    why = Revisions(reader).suspect(ours)
    try:
        diff = DEFAULT_DIFF_POLICY.apply(
            reader.get_historical_resolver(ours - 1), reader.get_historical_resolver(ours)
        )
        level = getattr(diff, "modification_level", None)
    except Exception as exc:  # pyHanko's SuspiciousModification
        why = why or f"suspicious changes ({exc})"
        level = None
    if why is None and (level is None or level > ModificationLevel.FORM_FILLING):
        why = f"pyHanko classes its changes as {getattr(level, 'name', 'unknown').lower()}"
    if why is not None:
        raise NotAllowed(
            f"{name}: the revision with the new signature changes more than the signature: {why}"
        )
    return new, str(new.field_name)


def _verified(data: bytes, trust: Sequence[bytes], name: str) -> Any:
    from contractctl.signing.verify import verify_pdf

    report = verify_pdf(data, trust=list(trust))
    if not report.ok:
        found = [f"{s.field}: {p}" for s in report.signatures for p in s.problems]
        raise CheckFailed(
            f"{name} does not verify ({report.verdict}): " + "; ".join([*found, *report.problems]),
            hint="if the signer's CA is not trusted yet: sign-import --trust THEIR-CA.pem",
        )
    return report


def _certificate(emb: Any) -> Any:
    """The signer's certificate as a cryptography object (what binding reads)."""
    from cryptography import x509

    return x509.load_der_x509_certificate(emb.signer_cert.dump())
