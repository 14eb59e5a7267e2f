"""The dossier's manifest, signed by the company's key: a re-hashed forgery fails.

manifest.json lists every file of a bundle with its SHA-256, so changing contract.json,
approvals.json or events.json is caught... unless the forger also re-hashes the
manifest, which needs no secret. So when the company signed the contract, archiving
signs manifest.json's exact bytes with the key that made the company's signature
(``manifest.sig``: the signature, the certificate and its fingerprint), and
verify-bundle requires that signature, by the certificate of the company signature
that final.pdf carries (which the forger cannot make without that key). The manifest
also carries the store's latest audit anchor (``audit anchor``), checked the same way.

What is left to a forger who holds the company key's passphrase: everything (they can
sign what they like). A bundle of a contract the company never signed (a paper
original imported as a scan) has no signature to hold the manifest to; verify-bundle
says its manifest is unsigned. Offline, a bundle forged whole (final.pdf signed by
another CA, with that CA in trust/) is told apart only by the signer's fingerprint:
verify-bundle shows it, to compare with the company's published one.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from typing import TYPE_CHECKING, Any

from contractctl import limits
from contractctl.errors import InvalidInput

if TYPE_CHECKING:
    from contractctl.archive.dossier import Dossier
    from contractctl.store import Store

#: The bundle member holding the manifest's signature (not listed in the manifest).
SIGNATURE = "manifest.sig"
KIND = "contractctl manifest signature"


def company_key(store: Store, contract_id: str, version: int) -> str | None:
    """The identity that made the company's signature on ``version``, if any."""
    row = store.conn.execute(
        "SELECT key_name FROM signatures WHERE contract_id = ? AND version_n = ? "
        "AND party = 'company' ORDER BY seq LIMIT 1",
        (contract_id, version),
    ).fetchone()
    return str(row[0]) if row else None


def seal(store: Store, dossier: Dossier, key: str, passphrase: str) -> Dossier:
    """The dossier with ``manifest.sig``: manifest.json's bytes signed with ``key``."""
    from contractctl.archive.dossier import MANIFEST, Dossier, zip_members
    from contractctl.signing.anchor import signer_of
    from contractctl.signing.keys import get_identity

    info = get_identity(store.home, key)
    sign = signer_of(store, key, passphrase)
    with zipfile.ZipFile(io.BytesIO(dossier.data)) as bundle:
        members = {name: bundle.read(name) for name in bundle.namelist()}
    signature = {
        "kind": KIND,
        "key": key,
        "fingerprint": info.fingerprint,
        "signature": base64.b64encode(sign(members[MANIFEST])).decode("ascii"),
        "certificate": info.certificate.read_text(encoding="ascii"),
    }
    members[SIGNATURE] = (json.dumps(signature, indent=1) + "\n").encode("utf-8")
    data = zip_members(members)
    return Dossier(data, hashlib.sha256(data).hexdigest(), dossier.manifest, dossier.unlisted + 1)


def check(
    signature_bytes: bytes | None,
    manifest_bytes: bytes,
    manifest: dict[str, Any],
    good: dict[str, bytes],
) -> tuple[str | None, list[str]]:
    """(the signer's fingerprint, problems) of a bundle's manifest signature and anchor."""
    from contractctl.signing.anchor import signature_problem

    company = _company_fingerprint(manifest, good)
    if signature_bytes is None:
        if company is not None:
            return None, [
                f"{SIGNATURE} is missing: the company signed final.pdf, so its manifest is "
                "signed; without the signature a re-hashed manifest cannot be told apart"
            ]
        return None, []
    try:
        sig = limits.json_loads(signature_bytes, SIGNATURE)
        cert = str(sig["certificate"])
        raw = base64.b64decode(sig["signature"], validate=True)
    except (InvalidInput, ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, InvalidInput) and "nested deeper" in exc.message:
            raise
        return None, [f"{SIGNATURE} cannot be read as a manifest signature"]
    fingerprint = _fingerprint(cert)
    problems: list[str] = []
    problem = signature_problem(cert, raw, manifest_bytes)
    if problem is not None:
        problems.append(f"{SIGNATURE}: {problem}: manifest.json was changed after archiving")
    if company is not None and fingerprint != company:
        problems.append(
            f"{SIGNATURE}: signed by {fingerprint or 'an unreadable certificate'}, not by the "
            "certificate of the company signature in final.pdf"
        )
    problems += _anchor_problems(manifest.get("audit_anchor"), fingerprint)
    return fingerprint, problems


def _anchor_problems(anchor: Any, fingerprint: str | None) -> list[str]:
    from contractctl.signing.anchor import signature_problem
    from contractctl.store.audit import canonical_json

    if anchor is None:
        return []
    try:
        payload = anchor["payload"]
        raw = base64.b64decode(anchor["signature"], validate=True)
        cert = str(anchor["certificate"])
    except (ValueError, KeyError, TypeError):
        return ["manifest.json: its audit anchor cannot be read"]
    problem = signature_problem(cert, raw, canonical_json(payload).encode("utf-8"))
    if problem is not None:
        return [f"manifest.json: audit anchor: {problem}"]
    if fingerprint is not None and _fingerprint(cert) != fingerprint:
        return ["manifest.json: the audit anchor is not signed by the manifest's signer"]
    return []


def _company_fingerprint(manifest: dict[str, Any], good: dict[str, bytes]) -> str | None:
    """The fingerprint of the company signature on the final version (signatures.json,
    whose fingerprints verify-bundle holds to final.pdf's signatures)."""
    if "signatures.json" not in good:
        return None
    version = manifest["archive"]["final_version"]
    try:
        for entry in limits.json_loads(good["signatures.json"], "signatures.json"):
            if entry.get("version") == version and entry.get("party") == "company":
                return str(entry["fingerprint"])
    except (ValueError, TypeError, KeyError, AttributeError):
        return None  # reported by the signature checks
    return None


def _fingerprint(pem: str) -> str | None:
    from cryptography import x509

    from contractctl.signing.certificates import fingerprint

    try:
        return fingerprint(x509.load_pem_x509_certificate(pem.encode("ascii")))
    except (ValueError, UnicodeError):
        return None
