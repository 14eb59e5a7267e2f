"""The findings of `verify`: one report per signature, one per document timestamp, and
the verdict on the PDF.

``VerifyReport.verdict`` is ``valid`` only when the file parsed, is signed, and every
signature and document timestamp holds; ``cannot_verify`` when the file or a signature in
it cannot be read; else ``invalid``. The ``to_dict`` methods are the `verify --json` shape
(DESIGN.md §4).

Apart from the checks that fill them in (contractctl.signing.verify for the file,
contractctl.signing.signature_check for one signature, contractctl.signing.doc_timestamps
for the archive timestamp chain) so that each check and the CLI can name the
reports without importing another check: this module imports none of them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

VALID = "valid"
INVALID = "invalid"
CANNOT_VERIFY = "cannot_verify"


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
class DocTimestampReport:
    """A document timestamp (``/ETSI.RFC3161``, B-LTA): when, and whether it holds."""

    field: str
    revision: int
    timestamp: str | None = None
    tsa: str | None = None
    tsa_valid_to: str | None = None
    validated_at: str | None = None
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    expired: bool | None = None
    modified: bool = False
    problems: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def holds(self) -> bool:
        """Intact, valid, trusted, its TSA certificate in date at the time it is validated
        at, and nothing but LTA updates or signatures after it."""
        return self.intact and self.valid and self.trusted and not self.problems

    @property
    def sound(self) -> bool:
        """What the file holds, whatever the time: intact, valid, chained to a root,
        nothing but LTA updates after it. A signature before it is B-LTA."""
        return self.intact and self.valid and self.trusted and not self.modified

    def to_dict(self) -> dict[str, Any]:
        """One entry of `verify --json`'s ``document_timestamps``."""
        return {
            "field": self.field,
            "timestamp": self.timestamp,
            "tsa": self.tsa,
            "tsa_valid_to": self.tsa_valid_to,
            "validated_at": self.validated_at,
            "intact": self.intact,
            "valid": self.valid,
            "trusted": self.trusted,
            "expired": self.expired,
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
