"""Verification of one embedded signature: pyHanko's findings, held to our stricter rules.

``check_signature`` validates one signature at its validation time (offline, against the
trust roots) and turns what pyHanko found into the report's problems and notes: integrity,
trust, the certificate's dates (and, for B-LT/B-LTA, the time long-term validation proves),
the signature timestamp, its level, and what was changed after it. The rules themselves
are listed in contractctl.signing.verify's docstring.

Apart from contractctl.signing.verify, which reads the file, finds its signatures and
document timestamps and hands each signature here with what it learnt about the file's
revisions: this module is the judgement on one signature, verify the walk over the file.

pyHanko, its certificate validator and asn1crypto are imported inside the functions.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from contractctl.signing.report import DocTimestampReport, SignatureReport
from contractctl.signing.revisions import Revisions
from contractctl.signing.validity import CLOCK_SKEW, TIME_PROBLEMS, common_name, iso, reason

if TYPE_CHECKING:
    from contractctl.signing import ltv

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


def check_signature(
    emb: Any,
    data: bytes,
    *,
    roots: list[Any],
    moment: datetime | None,
    total: int,
    sig_revisions: set[int],
    ts_revisions: set[int],
    stamps: list[DocTimestampReport],
    lta_only: Revisions,
    allow_form_filling: bool,
) -> SignatureReport:
    """What ``emb`` (one embedded signature of ``data``) is worth at the validation time
    ``moment`` (None: the time it claims). ``total`` is the file's number of revisions,
    ``sig_revisions``/``ts_revisions`` those of its signatures and document timestamps,
    ``stamps`` the reports on its document timestamps, ``lta_only`` whether a revision
    holds only LTA updates."""
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
    explained = sig_revisions | ts_revisions
    suspect = {r: why for r in after if (why := lta_only.suspect(r))}
    later = [r for r in after if (r not in explained and not lta_only(r)) or r in suspect]
    out.revisions_after = len(later)
    signed_after = any(r in sig_revisions for r in after)
    out.modifications = _modifications(level, revision, total, later, signed_after)
    if suspect:
        out.modifications = "other"
    _judge(out, status, data, emb, revision, total, later, allow_form_filling)
    for r, why in sorted(suspect.items()):
        out.problems.append(f"modified after signing: revision {r + 1}: {why}")
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
    # proven_at is the moment long-term validation proves the signature at (after a
    # renewal, possibly a later document timestamp's), not when it was timestamped.
    stamped = f" (timestamped on {out.timestamp})" if out.timestamp else ""
    if out.expired and proven:
        out.notes.append(
            f"the certificate expired on {iso(cert.not_valid_after)}; long-term validation "
            f"data proves the signature{stamped} was valid at {out.proven_at}"
            if when > cert.not_valid_after
            else f"the certificate is not valid at {iso(when)}; long-term validation data "
            f"proves the signature{stamped} was valid at {out.proven_at}"
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
            f"validation data proves the signature{stamped} was valid at {out.proven_at}"
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
                f"signature ({out.modifications or 'unknown changes'})"
            )
    elif level_name in ("ANNOTATIONS", "OTHER") and revision < total - 1:
        problems.append(
            f"modified after signing: {_MODIFICATIONS[level_name]} changes in later revisions"
        )
    elif level_name in ("ANNOTATIONS", "OTHER"):
        problems.append(_coverage_problem(emb, data, out.coverage))
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


def _coverage_problem(emb: Any, data: bytes, coverage: str | None) -> str:
    """What is wrong with the byte range of a signature in the file's last revision, when
    pyHanko finds changes but there is no later revision to hold them."""
    start, first, second, length = (int(v) for v in emb.byte_range)
    gap = f"bytes {start + first}-{second} unsigned (the signature's /Contents)"
    end = second + length
    if start != 0:
        return f"the signature's byte range does not start at the beginning of the file ({gap})"
    if end != len(data):
        return (
            f"the signature's byte range ends at byte {end} of {len(data)}: "
            "the rest of the file is not signed"
        )
    return (
        f"the signature's byte range ({gap}) does not cover its revision as signed "
        f"(coverage {coverage or 'unknown'})"
    )


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


def _level(subfilter: str, timestamp: str | None) -> str:
    if subfilter == "/ETSI.CAdES.detached":
        return "B-T" if timestamp else "B-B"
    return "CMS"  # adbe.pkcs7.detached and friends: not PAdES


def _is_certification(emb: Any) -> bool:
    """A /DocMDP entry in the signature's /Reference array. The array and its entries may
    be indirect objects (as some tools write them): each is resolved before it is read."""
    reference = emb.sig_object.get("/Reference")
    if not reference:
        return False
    entries = reference.get_object()
    return any(str(entry.get_object().get("/TransformMethod")) == "/DocMDP" for entry in entries)
