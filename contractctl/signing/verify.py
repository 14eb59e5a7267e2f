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

Long-term levels (contractctl.signing.ltv): a B-T signature is B-LT when the PDF's DSS holds what
validating it offline needs (the chains of the signer and the TSA to a trust root, and
revocation information for the signer's certificate, at the timestamp's time), and B-LTA
when a document timestamp that holds was added after it as well. Revisions after a
signature that pyHanko classes as LTA updates (DSS updates, document timestamps) are not
"modified after signing"; anything else still is. Document timestamps are reported apart
(``document_timestamps``): each must be intact and trusted, with nothing but LTA updates
and signatures after it.

pyHanko, asn1crypto and the certificate validator are imported inside the functions.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contractctl.errors import InvalidInput, NotFound, StoreProblem

if TYPE_CHECKING:
    from contractctl.signing import ltv
    from contractctl.signing.doc_timestamps import DocTimestampReport
    from contractctl.store import Store

VALID = "valid"
INVALID = "invalid"
CANNOT_VERIFY = "cannot_verify"

#: pyHanko's ModificationLevel names -> ours.
_MODIFICATIONS = {
    "NONE": "none",
    "LTA_UPDATES": "lta_updates",  # DSS, document timestamps, empty signature fields
    "FORM_FILLING": "form_filling",
    "ANNOTATIONS": "annotations",
    "OTHER": "other",
}
_COVERAGE = {
    "ENTIRE_FILE": "entire_file",
    "ENTIRE_REVISION": "entire_revision",
    "CONTIGUOUS_BLOCK_FROM_START": "partial",
    "UNCLEAR": "partial",
}
#: Trust problems that mean "the chain is there, but not valid at this time".
TIME_PROBLEMS = {
    "EXPIRED",
    "NOT_YET_VALID",
    "OUT_OF_BOUNDS_NO_POE",
    "OUT_OF_BOUNDS_NOT_REVOKED",
}
#: How far a TSA's clock may run ahead of ours before a validation time is "before" it.
CLOCK_SKEW = timedelta(minutes=5)
_SUBFILTERS = ("/ETSI.CAdES.detached", "/adbe.pkcs7.detached", "/ETSI.RFC3161")
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[")


@dataclass
class SignatureReport:
    """What verification found about one embedded signature."""

    field: str
    signer: str | None = None
    fingerprint: str | None = None
    valid: bool = False
    trusted: bool = False
    intact: bool = False
    coverage: str | None = None
    modifications: str | None = None
    revisions_after: int = 0
    timestamp: str | None = None
    level: str | None = None
    expired: bool | None = None
    certify: bool = False
    signed_at: str | None = None
    validation_time: str | None = None
    proven_at: str | None = None
    readable: bool = True
    problems: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def holds(self) -> bool:
        """Everything checked out: intact, valid, trusted, in date (or, long-term, proven
        valid at the time its timestamp shows), nothing after it."""
        return (
            self.readable
            and self.intact
            and self.valid
            and self.trusted
            and (self.expired is False or self.proven_at is not None)
            and not self.problems
        )

    def to_dict(self) -> dict[str, Any]:
        """One entry of `verify --json`'s ``signatures``."""
        return {
            "field": self.field,
            "signer": self.signer,
            "fingerprint": self.fingerprint,
            "valid": self.valid,
            "trusted": self.trusted,
            "intact": self.intact,
            "coverage": self.coverage,
            "modifications": self.modifications,
            "revisions_after": self.revisions_after,
            "timestamp": self.timestamp,
            "level": self.level,
            "expired": self.expired,
            "certify": self.certify,
            "signed_at": self.signed_at,
            "validation_time": self.validation_time,
            "proven_at": self.proven_at,
            "holds": self.holds,
            "problems": list(self.problems),
            "notes": list(self.notes),
        }


@dataclass
class VerifyReport:
    """The verdict on a PDF, with one report per signature in signing order."""

    validation_time: str
    sha256: str | None = None
    signatures: list[SignatureReport] = dataclasses.field(default_factory=list)
    problems: list[str] = dataclasses.field(default_factory=list)
    parsed: bool = True

    document_timestamps: list[DocTimestampReport] = dataclasses.field(default_factory=list)

    @property
    def verdict(self) -> str:
        """``valid`` only when the file parsed, is signed, and every signature holds;
        ``cannot_verify`` when the file or any signature in it cannot be read."""
        if not self.parsed or any(not s.readable for s in self.signatures):
            return CANNOT_VERIFY
        if self.problems or not self.signatures or not all(s.holds for s in self.signatures):
            return INVALID
        if not all(t.holds for t in self.document_timestamps):
            return INVALID
        return VALID

    @property
    def ok(self) -> bool:
        """True when the verdict is ``valid`` (exit 0)."""
        return self.verdict == VALID

    def to_dict(self) -> dict[str, Any]:
        """The `verify --json` shape (DESIGN.md §4)."""
        return {
            "verdict": self.verdict,
            "validation_time": self.validation_time,
            "sha256": self.sha256,
            "signatures": [s.to_dict() for s in self.signatures],
            "document_timestamps": [t.to_dict() for t in self.document_timestamps],
            "problems": list(self.problems),
        }


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


def iso(moment: datetime) -> str:
    """``moment`` as ISO 8601 UTC to the second: 2026-11-22T08:00:00Z."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


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
    from contractctl.signing.doc_timestamps import check_chain

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
    lta_only = _LtaRevisions(reader)
    final = moment or datetime.now(UTC).replace(microsecond=0)
    report.document_timestamps = check_chain(
        stamps, roots, final, total, sig_revisions | ts_revisions, lta_only
    )
    for emb in embedded:
        report.signatures.append(
            _check_one(
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


def reason(exc: BaseException) -> str:
    """An exception's message on one line, at most 300 characters."""
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())[:300]


def _check_one(
    emb: Any,
    data: bytes,
    *,
    roots: list[Any],
    moment: datetime | None,
    total: int,
    sig_revisions: set[int],
    ts_revisions: set[int],
    stamps: list[DocTimestampReport],
    lta_only: _LtaRevisions,
    allow_form_filling: bool,
) -> SignatureReport:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    out = SignatureReport(field=str(emb.field_name))
    try:
        cert = emb.signer_cert
        out.signer = common_name(cert)
        out.fingerprint = hashlib.sha256(cert.dump()).hexdigest().upper()
        out.fingerprint = ":".join(
            out.fingerprint[i : i + 2] for i in range(0, len(out.fingerprint), 2)
        )
        claimed = emb.self_reported_timestamp
        out.signed_at = iso(claimed) if claimed else None
        when = moment or claimed
        if when is None:
            when = datetime.now(UTC).replace(microsecond=0)
            out.problems.append("the signature claims no signing time; validated at now")
        out.validation_time = iso(when)
        context = ValidationContext(trust_roots=roots, allow_fetching=False, moment=when)
        status = validate_pdf_signature(emb, context)
        revision = emb.signed_revision
        subfilter = str(emb.sig_object.get("/SubFilter", ""))
        certify = emb.docmdp_level is not None and _is_certification(emb)
    except Exception as exc:  # an unreadable CMS blob, a broken signature dictionary...
        out.readable = False
        out.problems.append(f"cannot read this signature: {reason(exc)}")
        return out
    out.certify = certify
    out.intact = bool(status.intact)
    out.valid = bool(status.valid)
    out.trusted = bool(status.trusted)
    problem = status.trust_problem_indic
    if not out.trusted and getattr(problem, "name", None) in TIME_PROBLEMS:
        out.trusted = True  # a chain to a root was found; it is not valid at this time
    out.expired = not (cert.not_valid_before <= when <= cert.not_valid_after)
    stamp = status.timestamp_validity
    out.timestamp = iso(stamp.timestamp) if stamp else None
    out.level = _level(subfilter, out.timestamp)
    if out.level == "B-T" and stamp is not None and stamp.intact and stamp.valid:
        out.level = _long_term(emb, roots, revision, stamps)
    proof = None
    if stamp is not None and moment is not None and moment + CLOCK_SKEW < stamp.timestamp:
        out.problems.append(
            f"the validation time {iso(moment)} is before the signature was timestamped "
            f"({out.timestamp}): it did not exist yet"
        )
    elif out.level in ("B-LT", "B-LTA") and _time_bound(out, status):
        from contractctl.signing import ltv

        proof = ltv.prove_signature(emb, roots, when)
        if proof.proven_at is not None:
            out.proven_at = iso(proof.proven_at)
    out.coverage = _COVERAGE.get(status.coverage.name, "partial") if status.coverage else None
    level = status.modification_level
    after = range(revision + 1, total)
    later = [r for r in after if r not in sig_revisions | ts_revisions and not lta_only(r)]
    out.revisions_after = len(later)
    signed_after = any(r in sig_revisions for r in after)
    out.modifications = _modifications(level, revision, total, later, signed_after)
    _judge(out, status, data, emb, revision, total, later, allow_form_filling)
    _judge_time(out, status, cert, when, proof)
    return out


def _time_bound(out: SignatureReport, status: Any) -> bool:
    """The signature fails at the validation time only for time reasons: the signer's
    certificate (or its chain, or the signature timestamp's TSA's) is not in date."""
    stamp = status.timestamp_validity
    stamp_time = (
        stamp is not None
        and not stamp.trusted
        and getattr(stamp.trust_problem_indic, "name", None) in TIME_PROBLEMS
    )
    chain_time = getattr(status.trust_problem_indic, "name", None) in TIME_PROBLEMS
    return bool(out.expired or stamp_time or chain_time)


def _judge_time(
    out: SignatureReport, status: Any, cert: Any, when: datetime, proof: ltv.Proof | None
) -> None:
    """The certificate's and the signature timestamp's dates against the validation time;
    for B-LT/B-LTA, against the time long-term validation proved (``proof``)."""
    problems = out.problems
    proven = proof is not None and proof.proven_at is not None
    if out.expired and proven:
        out.notes.append(
            f"the certificate expired on {iso(cert.not_valid_after)}, after the signature "
            f"was timestamped on {out.proven_at}; long-term validation data proves it was "
            "valid then"
            if when > cert.not_valid_after
            else f"the certificate is not valid at {iso(when)}; long-term validation data "
            f"proves it was valid when the signature was timestamped on {out.proven_at}"
        )
    elif out.expired:
        if when > cert.not_valid_after:
            problems.append(
                f"the certificate expired on {iso(cert.not_valid_after)}, before the "
                f"validation time {iso(when)}"
            )
        else:
            problems.append(
                f"the certificate is not valid until {iso(cert.not_valid_before)}, after "
                f"the validation time {iso(when)}"
            )
    elif proven:
        out.notes.append(
            "a certificate of the chain is not valid at the validation time; long-term "
            f"validation data proves it was valid when the signature was timestamped on "
            f"{out.proven_at}"
        )
    if proof is not None and proof.failure is not None:
        problems.append(f"long-term validation cannot prove the signature: {proof.failure}")
    stamp = status.timestamp_validity
    if stamp is None or not (stamp.intact and stamp.valid) or stamp.trusted or proven:
        return
    if getattr(stamp.trust_problem_indic, "name", None) in TIME_PROBLEMS:
        problems.append(
            "the signature timestamp's TSA certificate is not valid at the validation time "
            f"{iso(when)}"
        )
    else:
        problems.append(
            "the signature timestamp's TSA certificate does not chain to a trusted root"
        )


def _judge(
    out: SignatureReport,
    status: Any,
    data: bytes,
    emb: Any,
    revision: int,
    total: int,
    later: list[int],
    allow_form_filling: bool,
) -> None:
    """Turn pyHanko's findings and our stricter rules into the signature's problems."""
    problems = out.problems
    if not out.intact:
        problems.append("the signed bytes were changed after signing (digest mismatch)")
    elif not out.valid:
        problems.append("the signature value does not match the signed data")
    if not out.trusted:
        problems.append("the signer's certificate does not chain to a trusted root")
    level = status.modification_level
    level_name = level.name if level is not None else None
    if later:
        only_forms = level_name in ("NONE", "LTA_UPDATES", "FORM_FILLING")
        if not (allow_form_filling and only_forms):
            problems.append(
                f"modified after signing: {len(later)} revision(s) added after this "
                f"signature ({_MODIFICATIONS.get(level_name or '', 'unknown changes')})"
            )
    elif level_name in ("ANNOTATIONS", "OTHER"):
        problems.append(
            f"modified after signing: {_MODIFICATIONS[level_name]} changes in later revisions"
        )
    stamp = status.timestamp_validity
    if stamp is not None and not (stamp.intact and stamp.valid):
        problems.append("the signature timestamp is broken (its token does not verify)")
    if status.docmdp_ok is False:
        problems.append("later changes are not allowed by the certification signature's DocMDP")
    diff = status.diff_result
    if diff is not None and diff.__class__.__name__ == "SuspiciousModification":
        problems.append(f"suspicious change after signing: {reason(diff)}")
    if revision == total - 1:
        end = emb.byte_range[2] + emb.byte_range[3]
        if len(data) > end:
            problems.append(f"{len(data) - end} byte(s) appended after the signed range")
    elif out.coverage == "partial":
        problems.append("the signature covers only part of its revision")
    if out.coverage == "partial" and revision == total - 1 and not problems:
        problems.append("the signature does not cover the whole file")


def _modifications(
    level: Any, revision: int, total: int, later: list[int], signed_after: bool
) -> str:
    """What changed after a signature: none, signatures (later signatures, perhaps with
    LTA updates), lta_updates (only DSS updates and document timestamps), or pyHanko's
    level (form_filling, annotations, other)."""
    if revision == total - 1:
        return "none"
    name = level.name if level is not None else None
    if name is None:
        return "unknown"
    if not later and name in ("NONE", "LTA_UPDATES", "FORM_FILLING"):
        return "signatures" if signed_after else "lta_updates"
    return _MODIFICATIONS.get(name, "unknown")


def _long_term(emb: Any, roots: list[Any], revision: int, stamps: list[DocTimestampReport]) -> str:
    """B-LT when the DSS holds the validation data, B-LTA when a sound document timestamp
    came after the signature too (whether it still holds at the validation time is its
    own report's business); else B-T."""
    from contractctl.signing import ltv

    if ltv.lt_data_holds(emb.reader, emb, [root.dump() for root in roots]) is not None:
        return "B-T"
    if any(t.revision > revision and t.sound for t in stamps):
        return "B-LTA"
    return "B-LT"


class _LtaRevisions:
    """Whether a revision holds only LTA updates (DSS, document timestamp) compared with
    the one before it: pyHanko's difference analysis, one revision at a time."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.seen: dict[int, bool] = {}

    def __call__(self, revision: int) -> bool:
        if revision not in self.seen:
            self.seen[revision] = self._check(revision)
        return self.seen[revision]

    def _check(self, revision: int) -> bool:
        from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel

        if revision < 1:
            return False
        try:
            result = DEFAULT_DIFF_POLICY.apply(
                self.reader.get_historical_resolver(revision - 1),
                self.reader.get_historical_resolver(revision),
            )
        except Exception:  # SuspiciousModification, or a revision pyHanko cannot compare
            return False
        level = getattr(result, "modification_level", None)
        if level is None or level > ModificationLevel.LTA_UPDATES:
            return False
        # pyHanko counts a new empty signature field as an LTA update too; here it is a
        # change to the form, so only DSS updates qualify (document timestamps apart).
        return not result.changed_form_fields and self._fields(revision - 1) == self._fields(
            revision
        )

    def _fields(self, revision: int) -> list[Any]:
        root = self.reader.get_historical_root(revision)
        form = root.get("/AcroForm")
        if form is None:
            return []
        return [getattr(ref, "idnum", ref) for ref in form.get_object().get("/Fields", ())]


def _is_doc_timestamp(emb: Any) -> bool:
    return str(emb.sig_object.get("/SubFilter", "")) == "/ETSI.RFC3161"


def _level(subfilter: str, timestamp: str | None) -> str:
    if subfilter == "/ETSI.CAdES.detached":
        return "B-T" if timestamp else "B-B"
    return "CMS"  # adbe.pkcs7.detached and friends: not PAdES


def _is_certification(emb: Any) -> bool:
    reference = emb.sig_object.get("/Reference")
    if not reference:
        return False
    return any(str(r.get("/TransformMethod")) == "/DocMDP" for r in reference)


def common_name(cert: Any) -> str:
    """An asn1crypto certificate's subject common name (else its whole subject)."""
    name = cert.subject.native
    return str(name.get("common_name") or cert.subject.human_friendly)


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
    so a signature cut off the end of the file is caught too.
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
    for n, (want, got) in enumerate(zip(recorded, found, strict=False), start=1):
        if want != got:
            report.problems.append(f"signature {n} is not by the recorded certificate {want}")
    return report
