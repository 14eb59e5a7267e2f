"""The dossier of a contract: one deterministic ZIP of everything needed to prove it.

A dossier holds everything needed to prove, years later and without contractctl's
store, what was agreed and how. It is deterministic (entries sorted, fixed timestamps
and permissions), so the same contract state archived by the same person at the same
moment gives the same bytes. :func:`build_dossier` only reads the store; storing the
dossier with the archive transition, and writing it out as a bundle, is
:mod:`~contractctl.archive.archiving`, and checking a bundle offline is
:mod:`~contractctl.archive.bundle`. Kept apart because what goes into the ZIP (a view
over every stage: versions, approvals, signatures, OCR checks, changes, events) changes
for other reasons than the transition that stores it.

Layout of a dossier (README.txt inside says the same)::

    manifest.json            the contract record and, for every other file: path, sha256,
                             size and what it is
    README.txt               this layout, for whoever opens the ZIP
    contract.json            the contract record, fields, counterparty, versions (with the
                             paths of their files here), risk flags, acceptances, obligations
    final.pdf                the signed PDF of the version in force
    versions/vN/contract.pdf|.docx|.txt, versions/vN/unsigned.pdf
                             every version as stored (unsigned.pdf: the PDF as approved)
    approvals.json           the latest route (as `route --json`) and every route and task
    signatures.json          every recorded signature
    verification.json        the verification report of final.pdf at archive time
    trust/*.pem              the trust anchors that report used
    ocr_checks.json, ocr/N/  OCR checks of scanned copies, with their reports and scans
    execution.json, attachments/
                             payments, orders with lines and steps, and the evidence kept
                             (invoices, receipts, delivery notes, 验收单)
    changes.json             per amendment: reason, parent and the diff parent -> version
    events.json              the contract's audit events with their chain hashes

Signatures are validated at each signature's own signing time, so a dossier still verifies
after the signer's certificate has expired (what an archive needs), and the report does
not depend on the moment it was made.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from contractctl import __version__
from contractctl.errors import NotAllowed
from contractctl.records import lifecycle
from contractctl.store import Store, audit

FORMAT = "contractctl-dossier"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
#: Every entry gets this timestamp (the earliest a ZIP can hold) and these permissions.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_ZIP_MODE = 0o100644 << 16

README = """\
contractctl archive dossier of {id}: {title}
=================================================================

Made by {generator} when {archived_by} archived the contract at {archived_at}.
Check it, with no store needed:  contractctl verify-bundle THIS.zip

manifest.json       every other file with its SHA-256, size and what it is,
                    and the contract record
contract.json       the contract: fields, counterparty, versions and their files,
                    risk flags, acceptances, obligations
final.pdf           the PDF of version {final_version}, in force when archived (signed
                    when signatures.json records signatures for that version)
versions/vN/        every version as stored: contract.pdf (signed, if signed),
                    unsigned.pdf (as approved), contract.docx, contract.txt (text)
approvals.json      the approval route (as `contractctl route --json`) and every
                    route, stage task and decision
signatures.json     every digital signature recorded, version by version
verification.json   the verification of final.pdf at archive time, validated at each
                    signature's signing time against the certificates in trust/
trust/*.pem         the trust anchors (CA certificates) used for verification
ocr_checks.json     checks of scanned paper copies against the approved text;
ocr/N/              report.json and the scan of check N
execution.json      after the signature: payments (and the obligations each settled),
                    orders with their lines and steps, attachments
attachments/        each attachment's file (invoice, receipt, delivery note, 验收单)
changes.json        for each amendment: its reason, parent version, and the
                    clause-aware diff of the parent's text to the amendment's
events.json         the contract's audit events; each hash is SHA-256 of the
                    previous event's hash + the canonical JSON of the event
"""


@dataclass(frozen=True)
class Dossier:
    """A built dossier: the ZIP bytes, their SHA-256 and its manifest."""

    data: bytes
    sha256: str
    manifest: dict[str, Any]
    #: entries the manifest does not list besides itself (manifest.sig once signed)
    unlisted: int = 0

    @property
    def files(self) -> int:
        """Entries in the ZIP, manifest.json (and its signature) included."""
        return len(self.manifest["files"]) + 1 + self.unlisted


def build_dossier(store: Store, contract_id: str, *, archived_by: str, archived_at: str) -> Dossier:
    """Build the dossier of a contract as it stands, described as archived.

    Pure reading: nothing is stored. Refuses (exit 3) a contract whose recorded signatures
    do not verify: an archive must hold what it claims. Same store state and arguments,
    same bytes.
    """
    from contractctl.approval.decide import flags_view, route_view
    from contractctl.records.contracts import get_contract
    from contractctl.signing.views import acceptances_view, signatures_view

    contract = get_contract(store.conn, contract_id)
    cid = contract.id
    status_before = contract.status
    if status_before != "archived":
        lifecycle.next_status(status_before, "archive")
    files: dict[str, tuple[bytes, str]] = {}

    def put(path: str, data: bytes, what: str) -> None:
        files[path] = (data, what)

    def put_json(path: str, value: Any, what: str) -> None:
        put(path, _json_bytes(value), what)

    final_n = contract.in_force_version or contract.version
    version_rows = store.conn.execute(
        "SELECT * FROM versions WHERE contract_id = ? ORDER BY n", (cid,)
    ).fetchall()
    version_list: list[dict[str, Any]] = []
    final_sha: str | None = None
    for row in version_rows:
        n = row["n"]
        signed = bool(row["unsigned_pdf_sha"])
        shown: dict[str, str | None] = {}
        for key, sha, name, what in (
            ("pdf", row["pdf_sha"], "contract.pdf", "signed PDF" if signed else "PDF"),
            ("unsigned_pdf", row["unsigned_pdf_sha"], "unsigned.pdf", "PDF as approved"),
            ("docx", row["docx_sha"], "contract.docx", "DOCX"),
            ("text", row["text_sha"], "contract.txt", "extracted text"),
        ):
            if not sha:
                shown[key] = None
                continue
            path = f"versions/v{n}/{name}"
            put(path, store.objects.read_checked(sha), f"version {n} {what}")
            shown[key] = path
        if n == final_n:
            final_sha = row["pdf_sha"]
        version_list.append(
            {
                "n": n,
                "kind": row["kind"],
                "parent": row["parent_n"],
                "sha256": row["sha256"],
                "reason": row["reason"],
                "outcome": row["outcome"],
                "fields": json.loads(row["fields"]),
                "created_by": row["created_by"],
                "created_at": row["created_at"],
                "files": shown,
            }
        )
    if final_sha:
        put(
            "final.pdf",
            store.objects.read_checked(final_sha),
            f"the PDF of version {final_n}, in force",
        )

    record = contract.to_dict()
    record.pop("updated_at")
    record["status"] = "archived"
    party = None
    if contract.counterparty:
        row = store.conn.execute(
            "SELECT * FROM parties WHERE id = ?", (contract.counterparty["id"],)
        ).fetchone()
        party = dict(row) if row else None
    put_json(
        "contract.json",
        {
            **record,
            "fields": contract.fields,
            "counterparty_detail": party,
            "versions": version_list,
            "risk_flags": flags_view(store, cid),
            "acceptances": acceptances_view(store, cid),
            "obligations": _rows(
                store, "SELECT * FROM obligations WHERE contract_id = ? ORDER BY id", cid
            ),
        },
        "the contract record, its versions and their files",
    )
    history = audit.events(store.conn, cid)
    moment = datetime.fromisoformat(history[-1].at) if history else None
    put_json(
        "approvals.json",
        {"route": route_view(store, cid, now=moment), "routes": _routes(store, cid)},
        "the approval route and every route, task and decision",
    )
    signatures = signatures_view(store, cid)
    put_json("signatures.json", signatures, "every digital signature recorded")
    trust_paths = _put_verification(store, cid, final_n, signatures, put, put_json)
    _put_ocr(store, cid, put, put_json)
    _put_execution(store, cid, put, put_json)
    put_json("changes.json", _changes(store, cid, version_rows), "what each amendment changed")
    put_json(
        "events.json",
        {
            "chain": "hash = SHA-256(prev_hash + canonical JSON of {seq, at, actor, action, "
            "subject, data}); events of other contracts between these are not included",
            "events": [{**e.to_dict(), "prev_hash": e.prev_hash} for e in history],
        },
        "the contract's audit events with their chain hashes",
    )
    generator = f"contractctl {__version__}"
    put(
        "README.txt",
        README.format(
            id=cid,
            title=contract.title,
            generator=generator,
            archived_by=archived_by,
            archived_at=archived_at,
            final_version=final_n,
        ).encode("utf-8"),
        "how this dossier is laid out",
    )
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generator": generator,
        "contract": record,
        "archive": {
            "archived_by": archived_by,
            "archived_at": archived_at,
            "status_before": status_before,
            "final_version": final_n,
        },
        "final": "final.pdf" if final_sha else None,
        "trust": trust_paths,
        "audit_anchor": _latest_anchor(store),
        "files": [
            {
                "path": path,
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
                "what": what,
            }
            for path, (data, what) in sorted(files.items())
        ],
    }
    members = {path: data for path, (data, _) in files.items()}
    members[MANIFEST] = _json_bytes(manifest)
    data = _zip(members)
    return Dossier(data, hashlib.sha256(data).hexdigest(), manifest)


def _put_verification(
    store: Store,
    cid: str,
    final_n: int,
    signatures: list[dict[str, Any]],
    put: Any,
    put_json: Any,
) -> list[str]:
    """verification.json and trust/*.pem; refuses a contract whose signatures fail."""
    from contractctl.signing.keys import trust_anchors
    from contractctl.signing.verify import verify_contract

    anchors = trust_anchors(store.home)
    trust_paths: list[str] = []
    for der in anchors:
        path = f"trust/{hashlib.sha256(der).hexdigest()[:16]}.pem"
        put(path, _pem(der), "a trust anchor (CA certificate) used for verification")
        trust_paths.append(path)
    trust_paths.sort()
    recorded = [s for s in signatures if s["version"] == final_n]
    if not recorded:
        put_json(
            "verification.json",
            {
                "verdict": "unsigned",
                "note": f"no digital signature was recorded for version {final_n}",
                "signatures": [],
                "trust": trust_paths,
            },
            "no signature to verify",
        )
        return trust_paths
    report = verify_contract(store, cid, trust=anchors, at="signing-time")
    if not report.ok:
        problems = [*report.problems, *(p for s in report.signatures for p in s.problems)]
        raise NotAllowed(
            f"cannot archive {cid}: its signatures do not verify ({report.verdict}: "
            f"{'; '.join(problems) or 'see the report'})",
            hint=f"see: contractctl verify {cid} --at signing-time",
        )
    put_json(
        "verification.json",
        {**report.to_dict(), "trust": trust_paths},
        "verification of final.pdf at archive time, validated at signing time",
    )
    return trust_paths


def _put_ocr(store: Store, cid: str, put: Any, put_json: Any) -> None:
    checks = _rows(store, "SELECT * FROM ocr_checks WHERE contract_id = ? ORDER BY id", cid)
    for check in checks:
        folder = f"ocr/{check['id']}"
        report = store.objects.read_checked(check["report_sha"])
        name = "report.json" if _is_json(report) else "report.txt"
        put(f"{folder}/{name}", report, f"report of OCR check {check['id']}")
        suffix = PurePosixPath(check["scan_name"]).suffix.lower()
        suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ""
        put(
            f"{folder}/scan{suffix}",
            store.objects.read_checked(check["scan_sha"]),
            "the scanned copy",
        )
        check["files"] = {"report": f"{folder}/{name}", "scan": f"{folder}/scan{suffix}"}
    put_json("ocr_checks.json", checks, "OCR checks of scanned copies")


def _put_execution(store: Store, cid: str, put: Any, put_json: Any) -> None:
    """Payments, orders and the evidence attached (contractctl.obligations, .orders), read
    from their tables: the proof of payment travels with the contract."""
    attachments = _rows(store, "SELECT * FROM attachments WHERE contract_id = ? ORDER BY id", cid)
    for item in attachments:
        name = re.sub(r"[^\w.\-\u4e00-\u9fff]+", "_", PurePosixPath(item["name"]).name)[:80]
        item["file"] = f"attachments/{item['id']}-{name or 'file'}"
        put(item["file"], store.objects.read_checked(item["sha256"]), f"{item['kind']} attached")
    payments = _rows(store, "SELECT * FROM payments WHERE contract_id = ? ORDER BY id", cid)
    for payment in payments:
        payment["allocations"] = [
            dict(r)
            for r in store.conn.execute(
                "SELECT obligation_id, amount_minor FROM payment_allocations "
                "WHERE payment_id = ? ORDER BY obligation_id",
                (payment["id"],),
            )
        ]
    orders = _rows(store, "SELECT * FROM orders WHERE contract_id = ? ORDER BY n", cid)
    for order in orders:
        for part in ("lines", "steps"):
            order[part] = [
                dict(r)
                for r in store.conn.execute(
                    f"SELECT * FROM order_{part} WHERE order_id = ?", (order["id"],)
                )
            ]
    put_json(
        "execution.json",
        {"payments": payments, "orders": orders, "attachments": attachments},
        "payments, orders and attachments",
    )


def _changes(store: Store, cid: str, version_rows: list[Any]) -> list[dict[str, Any]]:
    """Per amendment: reason, parent and the compare engine's diff parent -> version."""
    by_n = {row["n"]: row for row in version_rows}
    changes: list[dict[str, Any]] = []
    for row in version_rows:
        parent = by_n.get(row["parent_n"]) if row["parent_n"] is not None else None
        if parent is None:
            continue
        diff: dict[str, Any] | None = None
        if parent["text_sha"] and row["text_sha"]:
            from contractctl.compare import compare

            old = store.objects.read_checked(parent["text_sha"]).decode("utf-8")
            new = store.objects.read_checked(row["text_sha"]).decode("utf-8")
            diff = compare(old, new).to_dict()
        changes.append(
            {
                "version": row["n"],
                "parent": row["parent_n"],
                "kind": row["kind"],
                "reason": row["reason"],
                "outcome": row["outcome"],
                "created_by": row["created_by"],
                "created_at": row["created_at"],
                "diff": diff,
            }
        )
    return changes


def _routes(store: Store, cid: str) -> list[dict[str, Any]]:
    routes = _rows(store, "SELECT * FROM approval_routes WHERE contract_id = ? ORDER BY id", cid)
    for route in routes:
        for key in ("route_ids", "facts"):
            route[key] = json.loads(route[key])
        route["tasks"] = _rows(
            store,
            "SELECT * FROM approval_tasks WHERE route_id = ? ORDER BY stage_n, id",
            route["id"],
        )
        for task in route["tasks"]:
            task["escalate_to"] = json.loads(task["escalate_to"])
    return routes


def _rows(store: Store, sql: str, *params: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in store.conn.execute(sql, params)]


def _json_bytes(value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    return (text + "\n").encode("utf-8")


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except ValueError:
        return False
    return True


def _pem(der: bytes) -> bytes:
    body = base64.encodebytes(der).decode("ascii").replace("\n", "")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return (
        "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"
    ).encode("ascii")


def _latest_anchor(store: Store) -> dict[str, Any] | None:
    """The store's latest signed audit anchor (`audit anchor`), carried by the manifest
    and checked by verify-bundle (contractctl.archive.manifest_seal)."""
    from contractctl.signing.anchor import latest_anchors

    for _, data in latest_anchors(store):
        try:
            anchor = json.loads(data.decode("utf-8"))
        except (ValueError, UnicodeError):
            continue
        if isinstance(anchor, dict):
            return anchor
    return None


def zip_members(members: dict[str, bytes]) -> bytes:
    """The dossier's ZIP of ``members`` (deterministic: see _zip)."""
    return _zip(members)


def _zip(members: dict[str, bytes]) -> bytes:
    """A ZIP whose bytes depend only on ``members``: sorted, fixed times and modes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(members):
            info = zipfile.ZipInfo(path, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = _ZIP_MODE
            archive.writestr(info, members[path], compresslevel=9)
    return buffer.getvalue()
