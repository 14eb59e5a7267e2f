"""Document timestamps (``/ETSI.RFC3161``, PAdES B-LTA): the archive timestamp chain.

A B-LTA signature is proven by its signature timestamp, and that timestamp (with the DSS
added beside it) by the document timestamps after it. Each proof lasts as long as its
TSA's certificate: before it expires, a new document timestamp must cover the file (the
chain is renewed), or nothing proves the archive any more. So the chain is checked last
first: the last document timestamp at the validation time, each earlier one at the time
the next one (when it holds) proves it existed, with the certificates and revocation
information in the DSS, offline.

A last document timestamp whose TSA certificate has expired at the validation time does
not hold (the verdict is ``invalid``): the chain needed renewing before that date, and
nothing in the file proves the signatures after it. One that expires within
``RENEW_WITHIN`` of the validation time holds, with a note to renew the chain.

contractctl.signing.verify hands this module the file's document timestamps and what it
learnt about its revisions; this module imports nothing of verify (only the shared time
rules of contractctl.signing.validity), so the imports point one way. Adding the next
document timestamp (`renew-timestamp`) is contractctl.signing.renewal; the report on each
document timestamp is contractctl.signing.report.DocTimestampReport.

pyHanko is imported inside the functions.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from contractctl.signing.report import DocTimestampReport
from contractctl.signing.revisions import Revisions
from contractctl.signing.validity import CLOCK_SKEW, TIME_PROBLEMS, common_name, iso, reason

#: A last document timestamp whose TSA certificate expires within this gets a note.
RENEW_WITHIN = timedelta(days=90)


def check_chain(
    stamps: list[Any],
    roots: list[Any],
    final: datetime,
    total: int,
    signed: set[int],
    lta_only: Revisions,
) -> list[DocTimestampReport]:
    """Reports on the document timestamps ``stamps`` (in revision order), validated last
    first: the last at ``final``, each earlier one at the time the next one that holds
    proves. ``signed`` are the revisions of signatures and document timestamps;
    ``lta_only`` says whether a revision holds only LTA updates and which revisions are
    suspect (contractctl.signing.revisions)."""
    from contractctl.signing import ltv

    checked: list[DocTimestampReport] = []
    covered: datetime | None = None
    for emb in reversed(stamps):
        stamp = _check_timestamp(emb, roots, final, covered, total, signed, lta_only)
        checked.append(stamp)
        covered = ltv.gen_time(emb) if stamp.holds else None
    return checked[::-1]


def _check_timestamp(
    emb: Any,
    roots: list[Any],
    final: datetime,
    covered: datetime | None,
    total: int,
    signed: set[int],
    lta_only: Revisions,
) -> DocTimestampReport:
    """A document timestamp: its token verifies, its TSA chains to a root (with the DSS's
    certificates, offline) and is in date, and only LTA updates or signatures came after it.

    ``covered`` is the time a later document timestamp that holds proves this one existed
    at: its TSA certificate must be valid then. Without one (the last of the chain) it must
    be valid at the validation time ``final``: once it has expired, nothing proves the
    archive any more (the chain needed renewing before).
    """
    from pyhanko.sign.validation import validate_pdf_timestamp

    from contractctl.signing import ltv

    out = DocTimestampReport(field=str(emb.field_name), revision=emb.signed_revision)
    when = covered or final
    out.validated_at = iso(when)
    try:
        status = validate_pdf_timestamp(emb, ltv.dss_context(emb.reader, roots, when))
    except Exception as exc:  # a broken token or dictionary
        out.problems.append(f"cannot read this document timestamp: {reason(exc)}")
        return out
    out.intact, out.valid = bool(status.intact), bool(status.valid)
    out.trusted = bool(status.trusted)
    problem = getattr(status.trust_problem_indic, "name", None)
    if not out.trusted and problem in TIME_PROBLEMS:
        out.trusted = True  # a chain to a root was found; it is not valid at this time
    out.timestamp = iso(status.timestamp)
    cert = status.signing_cert
    out.tsa = common_name(cert) if cert is not None else None
    if not (out.intact and out.valid):
        out.problems.append("the document timestamp is broken (its token does not verify)")
    elif not out.trusted:
        out.problems.append("the document timestamp's TSA certificate does not chain to a root")
    if cert is not None:
        out.tsa_valid_to = iso(cert.not_valid_after)
        out.expired = not (cert.not_valid_before <= when <= cert.not_valid_after)
        _judge_tsa_time(out, cert, when, covered, final, status.timestamp)
    revision = emb.signed_revision
    after = range(revision + 1, total)
    later = [r for r in after if (r not in signed and not lta_only(r)) or lta_only.suspect(r)]
    level = status.modification_level
    if later or (level is not None and level.name in ("ANNOTATIONS", "OTHER")):
        out.modified = True
        why = sorted({w for r in later if (w := lta_only.suspect(r))})
        out.problems.append(
            f"modified after the document timestamp: {len(later)} revision(s) added after it"
            + (f" ({'; '.join(why)})" if why else "")
        )
    return out


def _judge_tsa_time(
    out: DocTimestampReport,
    cert: Any,
    when: datetime,
    covered: datetime | None,
    final: datetime,
    made: datetime,
) -> None:
    """The document timestamp's TSA certificate against the time it is validated at."""
    valid_to = iso(cert.not_valid_after)
    if final + CLOCK_SKEW < made:
        out.problems.append(
            f"the validation time {iso(final)} is before this document timestamp was made"
        )
    elif out.expired and covered is not None:
        out.problems.append(
            f"the TSA certificate expired on {valid_to}, before the next document timestamp "
            f"({iso(covered)}) covered it"
        )
    elif out.expired and when > cert.not_valid_after:
        out.problems.append(
            f"the TSA certificate expired on {valid_to}, before the validation time "
            f"{iso(when)}, and no later document timestamp covers it: the archive "
            "timestamp chain needed renewing before then, nothing proves the signatures "
            "after that"
        )
    elif out.expired:
        out.problems.append(f"the TSA certificate is not valid until {iso(cert.not_valid_before)}")
    elif covered is None and cert.not_valid_after - when < RENEW_WITHIN:
        out.notes.append(
            f"the TSA certificate of the last document timestamp expires on {valid_to}: "
            "renew the archive timestamp chain before then (contractctl renew-timestamp ID "
            "--tsa URL)"
        )
