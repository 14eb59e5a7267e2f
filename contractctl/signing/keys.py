"""Signing identities (PKCS#12) and trust roots, kept under the store's ``keys/`` folder.

``keys init`` makes a local test CA and test identities so the tool can be tried without a
real certificate; every one of them says so in its subject (OU "contractctl TEST identity
— not for real contracts", CA "... (contractctl TEST ONLY)") and is marked ``test`` in every
listing. ``keys import`` takes a certificate issued by a real CA. The layout::

    keys/                    mode 0700
      <name>.p12             key + certificate + chain, encrypted with the passphrase (0600)
      <name>.crt.pem         the public certificate, so listing needs no passphrase
      test-ca.crt.pem        the store's test CA ...
      test-ca.p12            ... and its key (PKCS#12 like the identities: PBKDF2-SHA256,
                             200,000 rounds, AES-256), so later runs issue from the same CA;
                             stores made before keep a PKCS#8 ``test-ca.key.pem``, still read
      test-ca.crl            the test CA's (empty) CRL, DER, current until the CA expires:
                             the revocation information of B-LT signatures (signing/test_ca.py)
      trust/*.pem            trust roots for verification (the test CA is one)

How the files are written (0600, fsynced, never replaced, undone with the transaction)
is contractctl.signing.keyfiles; what is read from a certificate (subject, dates,
fingerprint, key usage, the TEST mark) is contractctl.signing.certificates. The test CA
itself (making it, issuing its certificates, opening it, its CRL) is
contractctl.signing.test_ca.

The passphrase is always a parameter; where it comes from (environment, prompt) is the
CLI's business. cryptography and pyHanko are imported inside the functions that use them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contractctl.errors import Duplicate, InvalidInput, NotFound, StoreProblem
from contractctl.signing import test_ca
from contractctl.signing.certificates import (
    OID_CN,
    OID_O,
    audit_facts,
    check_label,
    describe,
    fingerprint,
    is_ca,
    is_signing_key,
    key_usage,
    name_attr,
    pem,
    read_certificates,
    spki,
)
from contractctl.signing.keyfiles import (
    NewFiles,
    changing,
    ensure_dir,
    keys_dir,
    passphrase_bytes,
    pkcs12_bytes,
)
from contractctl.signing.test_ca import CA_NAME

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization.pkcs12 import PKCS12PrivateKeyTypes
    from pyhanko.sign.signers import SimpleSigner

    from contractctl.store import Store, Tx

TRUST_DIR = "trust"

_NAME = re.compile(r"[^\W_][\w.-]{0,63}")


@dataclass(frozen=True)
class KeyInfo:
    """A signing identity as `keys list` shows it (read from its public certificate)."""

    name: str
    kind: str  # organisation, person or imported
    subject: str  # RFC 4514, most specific first: CN=李雷,OU=...,O=...
    issuer: str
    valid_from: str  # ISO 8601 UTC
    valid_to: str
    expired: bool
    key_usage: tuple[str, ...]  # digitalSignature, nonRepudiation, ...
    fingerprint: str  # SHA-256 of the DER certificate, upper-case hex with colons
    test: bool  # issued by a contractctl test CA: never for real contracts
    p12: Path
    certificate: Path

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of an identity in `keys list --json`."""
        paths = {"p12": str(self.p12), "certificate": str(self.certificate)}
        return {**asdict(self), "key_usage": list(self.key_usage), **paths}


@dataclass(frozen=True)
class TrustRoot:
    """A CA certificate that `verify` trusts, kept in ``keys/trust/``."""

    name: str  # its file name in keys/trust/
    subject: str
    issuer: str
    valid_from: str
    valid_to: str
    expired: bool
    fingerprint: str
    test: bool
    path: Path

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a trust root in `keys trust list --json`."""
        return {**asdict(self), "path": str(self.path)}


@dataclass(frozen=True)
class InitPlan:
    """What `keys init` will create, checked before anyone is asked for a passphrase."""

    org: str
    new_ca: bool
    identities: tuple[tuple[str, str, str, str], ...]  # (name, kind, common name, O)


# -- reading ----------------------------------------------------------------------------


def list_identities(home: Path) -> list[KeyInfo]:
    """Every signing identity in the store, by name; needs no passphrase."""
    folder = keys_dir(home)
    if not folder.is_dir():
        return []
    names = (p.name[: -len(".p12")] for p in sorted(folder.glob("*.p12")))
    return [_read_identity(folder, name) for name in names if name != CA_NAME]


def get_identity(home: Path, name: str) -> KeyInfo:
    """One identity by name (exit 2 if there is none)."""
    folder = keys_dir(home)
    if (
        not _NAME.fullmatch(name)
        or name.casefold() == CA_NAME  # the CA's key signs certificates, not contracts
        or not (folder / f"{name}.p12").is_file()
    ):
        raise NotFound(
            f"no signing identity {name!r}", hint="list them with: contractctl keys list"
        )
    return _read_identity(folder, name)


def trust_roots(home: Path) -> list[TrustRoot]:
    """The CA certificates in ``keys/trust/``, by file name."""
    return [_trust_root(path, cert) for path, cert in _stored_roots(home)]


def trust_anchors(home: Path, extra: Iterable[Path] = ()) -> list[bytes]:
    """DER bytes of the store's trust roots plus the certificates in ``extra`` files.

    This is what `verify [--trust PEM]` hands to pyHanko's validation context
    (``asn1crypto.x509.Certificate.load(der)``); duplicates are dropped.
    """
    from cryptography.hazmat.primitives.serialization import Encoding

    certs = [cert for _, cert in _stored_roots(home)]
    for path in extra:
        certs.extend(read_certificates(Path(path), InvalidInput))
    seen: dict[bytes, None] = {}
    for cert in certs:
        seen.setdefault(cert.public_bytes(Encoding.DER), None)
    return list(seen)


def _stored_roots(home: Path) -> Iterator[tuple[Path, x509.Certificate]]:
    for path in sorted((keys_dir(home) / TRUST_DIR).glob("*.pem")):
        for cert in read_certificates(path, StoreProblem):
            yield path, cert


def load_signer(home: Path, name: str, passphrase: str) -> SimpleSigner:
    """The identity ``name`` as a pyHanko signer, with its certificate chain.

    Load it once and reuse it for every document of a batch: opening the PKCS#12 file
    costs two key derivations (~0.15 s).
    """
    from pyhanko.sign import signers

    get_identity(home, name)
    path = keys_dir(home) / f"{name}.p12"
    try:
        signer: SimpleSigner = signers.SimpleSigner.load_pkcs12_data(
            path.read_bytes(), other_certs=[], passphrase=passphrase_bytes(passphrase)
        )
    except ValueError as exc:
        raise InvalidInput(
            f"wrong passphrase for signing identity {name!r} ({path})",
            hint="use the passphrase given when the identity was created or imported",
        ) from exc
    except OSError as exc:
        raise StoreProblem(f"cannot read {path}: {exc.strerror or exc}") from exc
    return signer


# -- test identities --------------------------------------------------------------------


def plan_test_identities(
    home: Path,
    *,
    org: str | None,
    person: str | None,
    name: str | None = None,
    employer: str | None = None,
) -> InitPlan:
    """Check a `keys init` request and say what it will create (no passphrase needed).

    The first run needs ``org`` (the test CA is made for it); later runs reuse the CA and
    may add a person only. An existing name is refused (exit 3): keys are never replaced.
    ``employer`` puts another organisation in the person's subject (O), e.g. a
    counterparty's signatory, so that the certificate names the party it signs for.
    """
    folder = keys_dir(home)
    ca_cert_path = folder / f"{CA_NAME}.crt.pem"
    org = check_label(org, "organisation name") if org is not None else None
    person = check_label(person, "person name") if person is not None else None
    employer = check_label(employer, "employer") if employer is not None else None
    if org is None and person is None:
        raise InvalidInput("say what to create: --org NAME, --person NAME or both")
    if employer is not None and person is None:
        raise InvalidInput("--person-org is the organisation of --person NAME")
    new_ca = not ca_cert_path.exists()
    if new_ca:
        if org is None:
            raise InvalidInput(
                "the first `keys init` needs --org NAME: the test CA is made for that organisation"
            )
        org_name = org
    else:
        org_name = org or _ca_org(read_certificates(ca_cert_path, StoreProblem)[0])
    wanted: list[tuple[str, str, str, str]] = []
    if org is not None:
        wanted.append((name or "org", "organisation", org, org_name))
    if person is not None:
        wanted.append((name or f"person-{_slug(person)}", "person", person, employer or org_name))
    if name is not None and len(wanted) > 1:
        raise InvalidInput("--name names one identity; create the organisation and person apart")
    for identity, _, _, _ in wanted:
        check_new_name(home, identity)
    return InitPlan(org_name, new_ca, tuple(wanted))


def init_test_identities(
    store: Store,
    actor: str,
    *,
    org: str | None,
    person: str | None,
    passphrase: str,
    name: str | None = None,
    employer: str | None = None,
) -> list[KeyInfo]:
    """Create TEST identities (and, on first use, the store's test CA) for trying the tool.

    ECDSA P-256 keys, SHA-256 certificates, the CA added to the trust roots. With an
    existing CA the passphrase must open its key. One audit event per certificate.
    """
    secret = passphrase_bytes(passphrase)
    folder = ensure_dir(keys_dir(store.home))
    created: list[KeyInfo] = []
    with changing(store, actor) as (tx, files):
        plan = plan_test_identities(
            store.home, org=org, person=person, name=name, employer=employer
        )
        if plan.new_ca:
            ca_key, ca_cert = test_ca.make_ca(plan.org)
            files.write(folder / f"{CA_NAME}.crt.pem", pem(ca_cert))
            # PKCS#8's BestAvailableEncryption gives only 2,048 PBKDF2 rounds: a key
            # that every identity of the store chains to deserves the identities' 200,000
            p12 = pkcs12_bytes(CA_NAME, ca_key, ca_cert, [], secret)
            files.write(folder / f"{CA_NAME}.p12", p12)
            crl = test_ca.ensure_crl(files.write, folder, ca_key, ca_cert)
            facts = {"kind": "ca", **audit_facts(ca_cert), **({"crl": crl} if crl else {})}
            tx.audit("key.create", f"key:{CA_NAME}", facts)
            _add_roots(tx, files, folder, [ca_cert])
        else:
            ca_key, ca_cert = test_ca.load_ca(folder, secret)
            crl = test_ca.ensure_crl(files.write, folder, ca_key, ca_cert)  # made before CRLs
            if crl:
                tx.audit("crl.issue", f"key:{CA_NAME}", crl)
        for identity, kind, common_name, subject_org in plan.identities:
            key, cert = test_ca.issue(
                test_ca.identity_subject(subject_org, common_name), (ca_key, ca_cert)
            )
            _write_identity(files, folder, identity, key, cert, [ca_cert], secret)
            info = _identity(folder, identity, cert)
            tx.audit("key.create", f"key:{identity}", {"kind": kind, **audit_facts(cert)})
            created.append(info)
    return created


# -- real identities and trust roots ----------------------------------------------------


def check_new_name(home: Path, name: str) -> None:
    """Refuse a malformed identity name (exit 2) or one that is taken (exit 3)."""
    if not _NAME.fullmatch(name):
        raise InvalidInput(
            f"{name!r} is not a usable identity name",
            hint="use letters, digits, '-', '_' and '.', at most 64, starting with a letter"
            " or digit",
        )
    if name.casefold() == CA_NAME:
        raise InvalidInput(f"{name!r} is reserved for the store's test CA")
    folder = keys_dir(home)
    taken = {p.name[: -len(".p12")].casefold() for p in folder.glob("*.p12")}
    if name.casefold() in taken or (folder / f"{name}.crt.pem").exists():
        raise Duplicate(
            f"a signing identity named {name!r} already exists",
            hint="choose another --name; keys are never overwritten",
        )


def import_identity(store: Store, actor: str, path: Path, *, name: str, passphrase: str) -> KeyInfo:
    """Store a PKCS#12 identity issued by a real CA under ``name``.

    The file must open with ``passphrase`` and hold a private key with its certificate;
    it is stored re-encrypted with the same passphrase, with any chain it carries.
    """
    from cryptography.hazmat.primitives.serialization import pkcs12

    check_new_name(store.home, name)
    secret = passphrase_bytes(passphrase)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise NotFound(f"no file {path}") from exc
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        bundle = pkcs12.load_pkcs12(data, secret)
    except ValueError as exc:
        raise InvalidInput(f"cannot open {path}: wrong passphrase, or not a PKCS#12 file") from exc
    if bundle.key is None or not is_signing_key(bundle.key):
        raise InvalidInput(f"{path} holds no private key that can sign")
    if bundle.cert is None:
        raise InvalidInput(f"{path} holds no certificate")
    key, cert = bundle.key, bundle.cert.certificate
    if spki(cert.public_key()) != spki(key.public_key()):
        raise InvalidInput(f"{path}: the private key does not belong to the certificate")
    usage = key_usage(cert)
    if usage and not {"digitalSignature", "nonRepudiation"} & set(usage):
        raise InvalidInput(
            f"{path}: the certificate may not sign documents (key usage: {', '.join(usage)})"
        )
    chain = [c.certificate for c in bundle.additional_certs]
    folder = ensure_dir(keys_dir(store.home))
    with changing(store, actor) as (tx, files):
        check_new_name(store.home, name)
        _write_identity(files, folder, name, key, cert, chain, secret)
        info = _identity(folder, name, cert)
        tx.audit("key.import", f"key:{name}", {"source": str(path), **audit_facts(cert)})
    return info


def add_trust_root(store: Store, actor: str, pem_path: Path) -> list[TrustRoot]:
    """Trust the CA certificate(s) in a PEM (or DER) file for verification.

    Each certificate must be a CA (basicConstraints CA:TRUE, keyCertSign when key usage
    is given); one already trusted is refused (exit 3). A PEM bundle adds every CA in it.
    """
    certs = read_certificates(Path(pem_path), InvalidInput)
    for cert in certs:
        if not is_ca(cert):
            raise InvalidInput(
                f"{pem_path}: {cert.subject.rfc4514_string()} is not a CA certificate; "
                "trust roots must be CA certificates (basicConstraints CA:TRUE)"
            )
    folder = ensure_dir(keys_dir(store.home))
    with changing(store, actor) as (tx, files):
        return _add_roots(tx, files, folder, certs)


# -- certificates -----------------------------------------------------------------------


def _add_roots(
    tx: Tx, files: NewFiles, folder: Path, certs: Sequence[x509.Certificate]
) -> list[TrustRoot]:
    trust = ensure_dir(folder / TRUST_DIR)
    known = {r.fingerprint: r.name for r in trust_roots(folder.parent)}
    added: list[TrustRoot] = []
    for cert in certs:
        digest = fingerprint(cert)
        if digest in known:
            subject = cert.subject.rfc4514_string()
            raise Duplicate(f"{subject} is already trusted ({TRUST_DIR}/{known[digest]})")
        label = _slug(name_attr(cert.subject, OID_CN) or "ca")[:48]
        stem = f"{label}-{digest[:11].replace(':', '').lower()}"
        path = trust / f"{stem}.pem"
        files.write(path, pem(cert))
        known[digest] = path.name
        tx.audit("trust.add", f"trust:{stem}", audit_facts(cert))
        added.append(_trust_root(path, cert))
    return added


def _write_identity(
    files: NewFiles,
    folder: Path,
    name: str,
    key: PKCS12PrivateKeyTypes,
    cert: x509.Certificate,
    chain: Sequence[x509.Certificate],
    secret: bytes,
) -> None:
    files.write(folder / f"{name}.p12", pkcs12_bytes(name, key, cert, chain, secret))
    files.write(folder / f"{name}.crt.pem", pem(cert))


# -- describing identities --------------------------------------------------------------


def _read_identity(folder: Path, name: str) -> KeyInfo:
    path = folder / f"{name}.crt.pem"
    if not path.is_file():
        raise StoreProblem(
            f"{folder / (name + '.p12')} has no public certificate {path.name}",
            hint="import the identity again under a new name",
        )
    return _identity(folder, name, read_certificates(path, StoreProblem)[0])


def _identity(folder: Path, name: str, cert: x509.Certificate) -> KeyInfo:
    facts = describe(cert)
    if not facts["test"]:
        kind = "imported"
    else:  # our test certificates: the organisation's has CN = O
        same = name_attr(cert.subject, OID_CN) == name_attr(cert.subject, OID_O)
        kind = "organisation" if same else "person"
    return KeyInfo(
        name=name,
        kind=kind,
        key_usage=key_usage(cert),
        p12=folder / f"{name}.p12",
        certificate=folder / f"{name}.crt.pem",
        **facts,
    )


def _trust_root(path: Path, cert: x509.Certificate) -> TrustRoot:
    return TrustRoot(name=path.name, path=path, **describe(cert))


def _ca_org(cert: x509.Certificate) -> str:
    org = name_attr(cert.subject, OID_O)
    if org is None:
        raise StoreProblem(f"the test CA certificate has no organisation: {cert.subject}")
    return org


def _slug(text: str) -> str:
    """A file-name-safe form that keeps Chinese characters: 'Li Lei' -> 'li-lei'."""
    slug = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFKC", text).casefold()).strip("-")
    return slug[:56] or "x"
