"""Verification of the signatures in a PDF: one report per signature, one verdict.

pyHanko checks each embedded signature (digest, signature value, chain to the given trust
roots with no network fetching, DocMDP and the difference analysis of later revisions).
This module is stricter than pyHanko's defaults, because a contract is either exactly what
was signed or it is not:

- a revision after a signature that is not itself a signature counts as "modified after
  signing" (with the number of such revisions), unless ``allow_form_filling`` is given
  and the changes are only form filling;
- annotations or other changes after a signature always fail it;
- bytes after the signed range of the last signature are flagged;
- signature dictionaries that are in the file but no longer in its form (a removed
  signature) are flagged;
- a file that cannot be parsed, or a signature that cannot be read, gives the verdict
  ``cannot_verify``, never ``valid``; a PDF with no signature is ``invalid``.

An expired (or not yet valid) certificate at the validation time is reported apart from
integrity (``expired``), and fails the signature. The validation time is always explicit:
``now``, ``signing-time`` (the time each signature claims; without a timestamp it is the
signer's own clock) or a date (its last second, UTC).

A signature with an RFC 3161 signature timestamp is level B-T and reports the token's
genTime as ``timestamp``. The TSA's certificate must chain to one of the trust roots too:
a timestamp that is untrusted or broken is one of that signature's problems, so that
signature (and the verdict) fails, even when the signature itself is intact. A B-T claim
that cannot be trusted is not accepted as a B-B one silently.

What a later revision may change without failing a signature is
contractctl.signing.revisions: DSS updates and document timestamps only, never the XMP
metadata, the document information or objects nothing refers to.

Long-term levels (contractctl.signing.ltv): a B-T signature is B-LT when the PDF's DSS holds what
validating it offline needs (the chains of the signer and the TSA to a trust root, and
revocation information for the signer's certificate, at the timestamp's time), and B-LTA
when a document timestamp that holds was added after it as well. Revisions after a
signature that pyHanko classes as LTA updates (DSS updates, document timestamps) are not
"modified after signing"; anything else still is. Document timestamps are reported apart
(``document_timestamps``): each must be intact and trusted, with nothing but LTA updates
and signatures after it.

This module reads the file and walks it: its signatures (each judged by
contractctl.signing.signature_check), its document timestamps (the chain, checked by
contractctl.signing.doc_timestamps), what no signature accounts for, and, for a contract
in the store, what the store recorded. The reports and the verdict are
contractctl.signing.report.

pyHanko, asn1crypto and the certificate validator are imported inside the functions.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contractctl.errors import InvalidInput, NotFound, StoreProblem
from contractctl.signing.doc_timestamps import check_chain
from contractctl.signing.report import SignatureReport, VerifyReport
from contractctl.signing.revisions import Revisions
from contractctl.signing.signature_check import check_signature
from contractctl.signing.validity import iso, reason

if TYPE_CHECKING:
    from contractctl.store import Store

_SUBFILTERS = ("/ETSI.CAdES.detached", "/adbe.pkcs7.detached", "/ETSI.RFC3161")
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[")


# -- validation time --------------------------------------------------------------------


def parse_at(at: str) -> datetime | None:
    """``now`` -> the current time, ``signing-time`` -> None (per signature), a date ->
    its last second in UTC. Anything else is bad input (exit 2)."""
    text = at.strip().lower()
    if text == "now":
        return datetime.now(UTC).replace(microsecond=0)
    if text == "signing-time":
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"--at: {at!r} is not now, signing-time or a date (YYYY-MM-DD)"
        ) from None
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


# -- verification -----------------------------------------------------------------------


def verify_pdf(
    pdf: bytes | Path | str,
    *,
    trust: list[bytes],
    at: str = "now",
    allow_form_filling: bool = False,
) -> VerifyReport:
    """Verify every signature in ``pdf`` (bytes or a path) against the ``trust`` roots.

    ``trust`` holds DER or PEM certificates (``keys.trust_anchors``). Never fetches
    anything from the network. See the module docstring for what fails a signature.
    """
    data = _read(pdf)
    moment = parse_at(at)
    _quiet_library_logs()
    report = VerifyReport(
        validation_time=iso(moment) if moment else "signing-time",
        sha256=hashlib.sha256(data).hexdigest(),
    )
    roots = load_roots(trust)
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader

        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded, unreadable = _collect(reader)
        total = reader.xrefs.total_revisions
        stamps = [e for e in embedded if _is_doc_timestamp(e)]
        embedded = [e for e in embedded if not _is_doc_timestamp(e)]
    except Exception as exc:  # anything a hostile or broken file makes pyHanko raise
        report.parsed = False
        report.problems.append(f"cannot read the PDF: {reason(exc)}")
        return report
    if not embedded and not unreadable:
        report.problems.append("the PDF has no signatures")
    sig_revisions = {emb.signed_revision for emb in embedded}
    ts_revisions = {emb.signed_revision for emb in stamps}
    lta_only = Revisions(reader)
    final = moment or datetime.now(UTC).replace(microsecond=0)
    report.document_timestamps = check_chain(
        stamps, roots, final, total, sig_revisions | ts_revisions, lta_only
    )
    for emb in embedded:
        report.signatures.append(
            check_signature(
                emb,
                data,
                roots=roots,
                moment=moment,
                total=total,
                sig_revisions=sig_revisions,
                ts_revisions=ts_revisions,
                stamps=report.document_timestamps,
                lta_only=lta_only,
                allow_form_filling=allow_form_filling,
            )
        )
    report.signatures.extend(unreadable)
    found = len(_BYTE_RANGE.findall(data))
    present = len(report.signatures) + len(report.document_timestamps)
    if found > present:
        missing = found - present
        report.problems.append(
            f"{missing} signature(s) present in an earlier revision are no longer in the "
            "document: a signature was removed"
        )
    return report


def load_roots(trust: list[bytes]) -> list[Any]:
    """Trust roots as asn1crypto certificates, from DER or PEM (bundles too)."""
    from pyhanko.keys import load_certs_from_pemder_data

    roots: list[Any] = []
    for blob in trust:
        try:
            roots.extend(load_certs_from_pemder_data(blob))
        except ValueError as exc:
            raise InvalidInput(f"a trust root is not a certificate: {exc}") from exc
    return roots


def _quiet_library_logs() -> None:
    """pyHanko logs every failed path build with a traceback at WARNING; without a handler
    Python prints that on stderr. Our report carries the finding, so the libraries' logs go
    only where the application configured logging (a NullHandler stops the fallback)."""
    for name in ("pyhanko", "pyhanko_certvalidator"):
        library = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in library.handlers):
            library.addHandler(logging.NullHandler())


def _collect(reader: Any) -> tuple[list[Any], list[SignatureReport]]:
    """The signatures in the form, in signing order, and those that cannot be read.

    pyHanko's own listing stops at the first unreadable signature and silently skips an
    unknown SubFilter; here each is reported as a signature that cannot be verified.
    """
    from pyhanko.sign.fields import enumerate_sig_fields
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    readable: list[Any] = []
    unreadable: list[SignatureReport] = []
    for name, value, field in enumerate_sig_fields(reader, filled_status=True):
        try:
            subfilter = str(value.get_object().get("/SubFilter", ""))
            if subfilter not in _SUBFILTERS:
                raise ValueError(f"unsupported signature type (SubFilter {subfilter or 'none'})")
            emb = EmbeddedPdfSignature(reader, field, name)
            emb.signed_revision  # noqa: B018 -- reading it parses the byte range
            readable.append(emb)
        except Exception as exc:  # a broken CMS blob or signature dictionary
            report = SignatureReport(field=str(name), readable=False)
            report.problems.append(f"cannot read this signature: {reason(exc)}")
            unreadable.append(report)
    readable.sort(key=lambda emb: emb.signed_revision)
    return readable, unreadable


def _read(pdf: bytes | Path | str) -> bytes:
    if isinstance(pdf, bytes):
        return pdf
    path = Path(pdf)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"no file {path}") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from exc


def _is_doc_timestamp(emb: Any) -> bool:
    return str(emb.sig_object.get("/SubFilter", "")) == "/ETSI.RFC3161"


# -- contracts in the store -------------------------------------------------------------


def verify_contract(
    store: Store,
    contract_id: str,
    *,
    trust: list[bytes],
    at: str = "now",
    allow_form_filling: bool = False,
) -> VerifyReport:
    """Verify the current PDF of a contract and hold it to what the store recorded.

    Beyond ``verify_pdf``: the stored file must match its SHA-256, and the file's
    signatures must be the recorded ones (same number, same certificates, in order),
    both ways: a signature cut off the end of the file is caught, and so is a signature
    row deleted from the database.
    """
    from contractctl.records.contracts import get_contract

    contract = get_contract(store.conn, contract_id)
    row = store.conn.execute(
        "SELECT pdf_sha FROM versions WHERE contract_id = ? AND n = ?",
        (contract.id, contract.version),
    ).fetchone()
    if row is None or not row["pdf_sha"]:
        raise InvalidInput(f"{contract.id} version {contract.version} has no PDF")
    path = store.objects.path(row["pdf_sha"])
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StoreProblem(f"cannot read {path}: {exc.strerror or exc}") from exc
    report = verify_pdf(data, trust=trust, at=at, allow_form_filling=allow_form_filling)
    if report.sha256 != row["pdf_sha"]:
        report.problems.append(
            f"the stored PDF {path} does not match its recorded SHA-256 (it was changed)"
        )
    recorded = [
        r["fingerprint"]
        for r in store.conn.execute(
            "SELECT fingerprint FROM signatures WHERE contract_id = ? AND version_n = ? "
            "ORDER BY seq",
            (contract.id, contract.version),
        )
    ]
    found = [s.fingerprint for s in report.signatures]
    if len(found) < len(recorded):
        report.problems.append(
            f"the store recorded {len(recorded)} signature(s), the PDF has {len(found)}: "
            "a signature is missing"
        )
    elif len(found) > len(recorded):
        report.problems.append(
            f"the PDF has {len(found)} signature(s), the store recorded {len(recorded)}: "
            "a signature's record is missing (deleted from the database?)"
        )
    for n, (want, got) in enumerate(zip(recorded, found, strict=False), start=1):
        if want != got:
            report.problems.append(f"signature {n} is not by the recorded certificate {want}")
    return report
