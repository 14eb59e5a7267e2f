"""Renewing the archive timestamp chain of a B-LTA contract (`renew-timestamp`).

``renew_chain`` (`contractctl renew-timestamp ID --tsa URL`) adds the next document
timestamp to a contract's signed PDF while the chain still holds: each document timestamp
proves the file only as long as its TSA's certificate, so before it expires a new one must
cover the file (contractctl.signing.doc_timestamps explains the chain and checks it).

Apart from the chain check because renewing is a change to the store (a TSA request, a new
PDF object, an audit event) built on top of verification: it verifies the PDF before and
after (contractctl.signing.verify), which in turn checks the chain, so renewal sits above
both and nothing below imports it.

pyHanko is imported inside the functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contractctl.errors import NotAllowed
from contractctl.signing.validity import reason
from contractctl.signing.verify import verify_pdf

if TYPE_CHECKING:
    from contractctl.signing.report import DocTimestampReport
    from contractctl.store import Store


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
