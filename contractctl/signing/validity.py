"""What checking a signature and checking a document timestamp share: times and names.

The validation time's rules (a TSA's clock may run ``CLOCK_SKEW`` ahead of ours; the
trust problems in ``TIME_PROBLEMS`` mean "a chain to a root was found, but it is not valid
at this time"), ISO 8601 times, a certificate's common name, and an exception's message on
one line for a report.

Apart from contractctl.signing.verify because the document-timestamp checks
(contractctl.signing.doc_timestamps) need the same rules while verify needs those checks:
with these few helpers below both, the imports point one way
(verify -> doc_timestamps -> validity).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

#: Trust problems that mean "the chain is there, but not valid at this time".
TIME_PROBLEMS = {
    "EXPIRED",
    "NOT_YET_VALID",
    "OUT_OF_BOUNDS_NO_POE",
    "OUT_OF_BOUNDS_NOT_REVOKED",
}
#: How far a TSA's clock may run ahead of ours before a validation time is "before" it.
CLOCK_SKEW = timedelta(minutes=5)


def iso(moment: datetime) -> str:
    """``moment`` as ISO 8601 UTC to the second: 2026-11-22T08:00:00Z."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def reason(exc: BaseException) -> str:
    """An exception's message on one line, at most 300 characters."""
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())[:300]


def common_name(cert: Any) -> str:
    """An asn1crypto certificate's subject common name (else its whole subject)."""
    name = cert.subject.native
    return str(name.get("common_name") or cert.subject.human_friendly)
