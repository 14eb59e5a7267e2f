"""``audit anchor``: the audit chain's head, signed with the organisation's key.

The keyed chain (contractctl.store.audit) stops anyone without ``keys/audit.key`` from
editing or recomputing events, but cutting events off the end and fixing the head row
leaves a chain that holds. An anchor is a small JSON document: the head's sequence
number, chain hash and keyed hash, when and by whom, signed (ECDSA or RSA, SHA-256) with
a signing identity of the store (``org`` by default), with that identity's certificate.
It is stored as an object (event ``audit.anchor``), copied to ``keys/audit-anchor.json``
and, with ``--to FILE``, written out for an outside witness (mail it, print it).

``check_anchor`` holds the chain to an anchor: its signature must verify with the
certificate it carries, that certificate must be the one the store holds for the named
identity, and the event it names must still be in the chain with the same hashes. So a
truncated or recomputed chain fails against any anchor taken before, unless the attacker
also holds the organisation key's passphrase.

cryptography is imported inside the functions.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contractctl.errors import InvalidInput, NotAllowed, NotFound
from contractctl.store.audit import canonical_json, now_iso

if TYPE_CHECKING:
    from contractctl.store import Store

KIND = "contractctl audit anchor"
COPY = "audit-anchor.json"


def make_anchor(
    store: Store, actor: str, *, key: str = "org", passphrase: str, to: Path | None = None
) -> dict[str, Any]:
    """Sign the chain's head with the identity ``key``; store, copy and (``to``) export it."""
    from contractctl.signing.keys import get_identity

    if to is not None and Path(to).exists():
        raise NotAllowed(f"{to} exists; anchors are never written over another file")
    info = get_identity(store.home, key)
    sign_message = signer_of(store, key, passphrase)
    head = store.conn.execute(
        "SELECT seq, hash, mac FROM events ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    if head is None:
        raise NotAllowed("the audit log is empty: there is nothing to anchor")
    payload = {
        "kind": KIND,
        "seq": int(head[0]),
        "hash": str(head[1]),
        "mac": head[2],
        "at": now_iso(),
        "by": actor,
        "key": key,
        "fingerprint": info.fingerprint,
        "company": store.settings.company.name,
    }
    signature = sign_message(canonical_json(payload).encode("utf-8"))
    anchor = {
        "payload": payload,
        "signature": base64.b64encode(signature).decode("ascii"),
        "certificate": info.certificate.read_text(encoding="ascii"),
    }
    data = (json.dumps(anchor, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    with store.transaction(actor) as tx:
        sha = tx.put_bytes(data)
        tx.audit(
            "audit.anchor",
            "audit",
            {"sha256": sha, "seq": payload["seq"], "hash": payload["hash"], "key": key},
        )
    (store.home / "keys" / COPY).write_bytes(data)
    if to is not None:
        with Path(to).open("xb") as out:
            out.write(data)
    return {"sha256": sha, **payload, **({"file": str(to)} if to is not None else {})}


def signer_of(store: Store, key: str, passphrase: str) -> Callable[[bytes], bytes]:
    """A function signing bytes (ECDSA or RSA PKCS#1 v1.5, SHA-256) with identity ``key``:
    anchors and bundle manifests are signed this way."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    from contractctl.signing.keys import load_signer

    signer = load_signer(store.home, key, passphrase)
    private = serialization.load_der_private_key(signer.signing_key.dump(), password=None)
    if isinstance(private, ec.EllipticCurvePrivateKey):
        ec_key = private
        return lambda message: ec_key.sign(message, ec.ECDSA(hashes.SHA256()))
    if isinstance(private, rsa.RSAPrivateKey):
        rsa_key = private
        return lambda message: rsa_key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    raise InvalidInput(
        f"identity {key!r} has a key type this signature does not use (ECDSA or RSA)"
    )


#: signature_problem's answer when the bytes were signed by another key or altered.
BAD_SIGNATURE = "the signature does not verify"


def signature_problem(certificate_pem: str, signature: bytes, message: bytes) -> str | None:
    """Why ``signature`` is not the certificate's signature of ``message``, or None."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    try:
        public = x509.load_pem_x509_certificate(certificate_pem.encode("ascii")).public_key()
    except (ValueError, UnicodeError) as exc:
        return f"its certificate cannot be read ({exc})"
    try:
        if isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        elif isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        else:
            return "its certificate has a key type this signature does not use"
    except InvalidSignature:
        return BAD_SIGNATURE
    return None


def latest_anchors(store: Store) -> list[tuple[str, bytes]]:
    """The anchors to check ``audit verify`` against: the latest one the chain records
    and the copy in ``keys/`` (label, bytes), each once."""
    found: list[tuple[str, bytes]] = []
    row = store.conn.execute(
        "SELECT data FROM events WHERE action = 'audit.anchor' ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    if row is not None:
        sha = json.loads(row[0]).get("sha256", "")
        try:
            found.append((f"anchor {sha[:12]}", store.objects.read_checked(sha)))
        except Exception:
            found.append((f"anchor {sha[:12]}", b""))
    copy = store.home / "keys" / COPY
    if copy.is_file():
        data = copy.read_bytes()
        if all(data != seen for _, seen in found):
            found.append((f"keys/{COPY}", data))
    return found


def read_anchor_file(path: Path) -> bytes:
    """An exported anchor (``audit verify --anchor FILE``)."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise NotFound(f"no file {path}") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from exc


def check_anchor(store: Store, data: bytes) -> str | None:
    """Why the chain does not hold against the anchor ``data``, or None when it does."""
    from cryptography import x509

    from contractctl.signing.certificates import fingerprint

    try:
        anchor = json.loads(data.decode("utf-8"))
        payload = anchor["payload"]
        signature = base64.b64decode(anchor["signature"], validate=True)
        cert = x509.load_pem_x509_certificate(anchor["certificate"].encode("ascii"))
        seq, digest = int(payload["seq"]), str(payload["hash"])
        if payload.get("kind") != KIND:
            raise ValueError("not an audit anchor")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return f"the anchor cannot be read ({exc})"
    message = canonical_json(payload).encode("utf-8")
    problem = signature_problem(anchor["certificate"], signature, message)
    if problem == BAD_SIGNATURE:
        return "the anchor's signature does not verify: the anchor was altered"
    if problem:
        return f"the anchor: {problem}"
    ours = store.home / "keys" / f"{payload.get('key', 'org')}.crt.pem"
    if not ours.is_file() or fingerprint(cert) != fingerprint(
        x509.load_pem_x509_certificate(ours.read_bytes())
    ):
        return "the anchor is not signed by this store's identity it names"
    row = store.conn.execute("SELECT hash, mac FROM events WHERE seq = ?", (seq,)).fetchone()
    if row is None:
        return f"event {seq}, anchored on {payload.get('at')}, is gone: the chain was cut"
    if row[0] != digest or (payload.get("mac") is not None and row[1] != payload["mac"]):
        return f"event {seq} no longer has the hash anchored on {payload.get('at')}"
    return None
