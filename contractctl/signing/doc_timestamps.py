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

``renew_chain`` (`contractctl renew-timestamp ID --tsa URL`) adds the next document
timestamp to a contract's signed PDF while the chain still holds.

pyHanko is imported inside the functions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contractctl.errors import NotAllowed
from contractctl.signing.verify import CLOCK_SKEW, TIME_PROBLEMS, common_name, iso, reason

if TYPE_CHECKING:
    from contractctl.store import Store

#: A last document timestamp whose TSA certificate expires within this gets a note.
RENEW_WITHIN = timedelta(days=90)


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


def check_chain(
    stamps: list[Any],
    roots: list[Any],
    final: datetime,
    total: int,
    signed: set[int],
    lta_only: Callable[[int], bool],
) -> list[DocTimestampReport]:
    """Reports on the document timestamps ``stamps`` (in revision order), validated last
    first: the last at ``final``, each earlier one at the time the next one that holds
    proves. ``signed`` are the revisions of signatures and document timestamps;
    ``lta_only`` says whether a revision holds only LTA updates."""
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
    lta_only: Callable[[int], bool],
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
    later = [r for r in range(revision + 1, total) if r not in signed and not lta_only(r)]
    level = status.modification_level
    if later or (level is not None and level.name in ("ANNOTATIONS", "OTHER")):
        out.modified = True
        out.problems.append(
            f"modified after the document timestamp: {len(later)} revision(s) added after it"
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


# -- renewing the chain -----------------------------------------------------------------


@dataclass(frozen=True)
class Renewal:
    """A document timestamp `renew-timestamp` added to a contract's signed PDF."""

    contract_id: str
    version: int
    document_timestamp: str  # the new one's genTime
    previous: str | None  # the last one's before
    previous_tsa_valid_to: str | None
    tsa: str
    pdf_before: str
    pdf_sha: str
    pdf_path: Path

    def to_dict(self) -> dict[str, Any]:
        """The `renew-timestamp --json` shape."""
        return {
            "id": self.contract_id,
            "version": self.version,
            "document_timestamp": self.document_timestamp,
            "previous": self.previous,
            "previous_tsa_valid_to": self.previous_tsa_valid_to,
            "tsa": self.tsa,
            "pdf_before": self.pdf_before,
            "pdf_sha": self.pdf_sha,
            "pdf": str(self.pdf_path),
        }


def renew_chain(
    store: Store,
    actor: str,
    contract_id: str,
    *,
    tsa_url: str,
    tsa_timeout: float = 10,
    trust: Sequence[bytes] = (),
) -> Renewal:
    """Add a document timestamp from ``tsa_url`` over a B-LTA contract's current PDF
    (pyHanko's ``update_archival_timestamp_chain``: the last document timestamp's
    validation data goes into the DSS, then a new document timestamp covers it all).

    Only while the chain still holds: the PDF must verify now (exit 3 otherwise; once the
    last document timestamp's TSA certificate has expired it is too late). The new PDF is
    checked again, stored as a new object, made the version's PDF, and audited
    (``timestamp.renew``) in one transaction; the TSA is asked before the write lock.
    """
    from contractctl.records.contracts import get_contract
    from contractctl.signing import keys, ltv
    from contractctl.signing.verify import verify_pdf

    ltv.check_tsa_url(tsa_url)
    contract = get_contract(store.conn, contract_id)
    before_sha = _current_pdf(store, contract.id, contract.version)
    data = store.objects.read_checked(before_sha)
    roots = list(dict.fromkeys([*keys.trust_anchors(store.home), *trust]))
    report = verify_pdf(data, trust=roots)
    if not report.document_timestamps:
        raise NotAllowed(
            f"{contract.id} has no document timestamp: only a B-LTA signature has an "
            "archive timestamp chain to renew",
            hint="sign it at --level B-LTA",
        )
    if not report.ok:
        found = [p for s in report.signatures for p in s.problems]
        found += [p for t in report.document_timestamps for p in t.problems] + report.problems
        raise NotAllowed(
            f"{contract.id}'s PDF does not verify now, so its timestamp chain cannot be "
            f"renewed: {found[0] if found else report.verdict}",
            hint="contractctl verify " + contract.id,
        )
    last = report.document_timestamps[-1]
    client = ltv.TsaClient(tsa_url, tsa_timeout)
    renewed = _stamp(data, client, roots, tsa_timeout)
    after = verify_pdf(renewed, trust=roots)
    if not after.ok or len(after.document_timestamps) != len(report.document_timestamps) + 1:
        raise ltv.LtvFailed("the renewed PDF does not verify with its new document timestamp")
    _check_extends(renewed, roots, last)
    with store.transaction(actor) as tx:
        if _current_pdf(store, contract.id, contract.version) != before_sha:
            raise NotAllowed(
                f"{contract.id} changed while its timestamp was renewed: nothing was stored",
                hint="run the command again",
            )
        after_sha = tx.put_bytes(renewed)
        tx.conn.execute(
            "UPDATE versions SET pdf_sha = ? WHERE contract_id = ? AND n = ?",
            (after_sha, contract.id, contract.version),
        )
        stamp = after.document_timestamps[-1].timestamp or client.gen_time or ""
        tx.audit(
            "timestamp.renew",
            contract.id,
            {
                "version": contract.version,
                "tsa": tsa_url,
                "document_timestamp": stamp,
                "previous": last.timestamp,
                "previous_tsa_valid_to": last.tsa_valid_to,
                "pdf_before": before_sha,
                "pdf_after": after_sha,
            },
        )
    return Renewal(
        contract_id=contract.id,
        version=contract.version,
        document_timestamp=stamp,
        previous=last.timestamp,
        previous_tsa_valid_to=last.tsa_valid_to,
        tsa=tsa_url,
        pdf_before=before_sha,
        pdf_sha=after_sha,
        pdf_path=store.objects.path(after_sha),
    )


def _check_extends(renewed: bytes, roots: list[bytes], last: DocTimestampReport) -> None:
    """The renewal is worth storing only if the file then proves the signatures past the
    previous TSA certificate's expiry: verify it the day after (LtvFailed if not, e.g.
    when that TSA publishes no revocation information, so nothing proves it was not
    revoked before it expired)."""
    from contractctl.signing import ltv
    from contractctl.signing.verify import verify_pdf

    if last.tsa_valid_to is None:
        return
    expiry = datetime.fromisoformat(last.tsa_valid_to.replace("Z", "+00:00"))
    day_after = (expiry + timedelta(days=1)).date().isoformat()
    later = verify_pdf(renewed, trust=roots, at=day_after)
    if later.ok:
        return
    found = [p for s in later.signatures for p in s.problems]
    found += [p for t in later.document_timestamps for p in t.problems]
    raise ltv.LtvFailed(
        f"the renewed chain would not prove the signatures after {last.tsa_valid_to}, when "
        f"the previous TSA certificate expires: {found[0] if found else later.verdict}",
        hint="the previous TSA's revocation information (CRL or OCSP) must be available "
        "when renewing; nothing was stored",
    )


def _stamp(data: bytes, client: Any, roots: list[bytes], timeout: float) -> bytes:
    """``data`` with its archive chain extended by one document timestamp."""
    import io

    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

    from contractctl.signing import ltv

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    dss = ltv.read_dss(reader)
    context = ValidationContext(
        trust_roots=[c for blob in roots for c in load_certs_from_pemder_data(blob)],
        other_certs=[c for blob in dss.certs for c in load_certs_from_pemder_data(blob)],
        crls=list(dss.crls),
        ocsps=list(dss.ocsps),
        allow_fetching=True,
        fetcher_backend=AIOHttpFetcherBackend(per_request_timeout=timeout),
    )
    try:
        out = PdfTimeStamper(client.timestamper()).update_archival_timestamp_chain(
            reader, context, in_place=False
        )
    except ltv.TsaFailed:
        raise
    except Exception as exc:  # chain building or revocation, wrapped by pyHanko
        failed = ltv.failure(exc)
        if failed is not None:
            raise failed from exc
        raise ltv.LtvFailed(f"cannot renew the timestamp chain: {reason(exc)}") from exc
    return bytes(out.getvalue())


def _current_pdf(store: Store, contract_id: str, version: int) -> str:
    row = store.conn.execute(
        "SELECT pdf_sha FROM versions WHERE contract_id = ? AND n = ?", (contract_id, version)
    ).fetchone()
    if row is None or not row["pdf_sha"]:
        raise NotAllowed(f"{contract_id} version {version} has no PDF")
    return str(row["pdf_sha"])
