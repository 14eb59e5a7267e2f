"""The store's TEST CA: it issues the test identities of `keys init`, and its CRL.

``keys init`` makes a local test CA so the tool can be tried without a real certificate
(contractctl.signing.keys keeps the files: ``keys/test-ca.crt.pem``, ``keys/test-ca.p12``). This
module makes it, issues its certificates (ECDSA P-256, SHA-256; a CA for 10 years, an
identity for 3, never outliving the CA) and opens it again with the passphrase.

Revocation information: the test CA publishes no CRL distribution point and no OCSP
responder, so it issues a CRL itself: ``keys/test-ca.crl`` (DER, empty, current until the
CA expires: a test CA never revokes), written by `keys init` and again when it is missing
(a store made before CRLs) or stale. A B-LT signature by one of its identities hands that
CRL to pyHanko as known revocation information (contractctl.signing.ltv), so it ends in the DSS.

cryptography is imported inside the functions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contractctl.errors import InvalidInput, NotAllowed, StoreProblem
from contractctl.signing.certificates import MAX_LABEL, TEST_MARK, TEST_OU, read_certificates
from contractctl.signing.keyfiles import keys_dir, passphrase_bytes, write_private

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey

    from contractctl.store import Store

CA_NAME = "test-ca"
DOCUMENT_SIGNING_EKU = "1.3.6.1.4.1.311.10.3.12"
CA_LIFETIME = timedelta(days=3652)  # 10 years
LEAF_LIFETIME = timedelta(days=1096)  # 3 years
CLOCK_SKEW = timedelta(minutes=5)  # certificates start a little in the past
CRL_FILE = "test-ca.crl"


# -- the CA and its certificates ----------------------------------------------------------


def make_ca(org: str) -> tuple[EllipticCurvePrivateKey, x509.Certificate]:
    """A new test CA for ``org``: its name carries the TEST mark, the organisation
    shortened (with an ellipsis) to keep it within the X.509 bound."""
    suffix = f" Test CA ({TEST_MARK})"
    shortened, keep = org, len(org)
    while len((shortened + suffix).encode()) > MAX_LABEL:  # keep the TEST mark, shorten the org
        keep -= 1
        shortened = org[:keep].rstrip() + "…"
    return issue(identity_subject(org, shortened + suffix), None)


def issue(
    subject: x509.Name, issuer: tuple[EllipticCurvePrivateKey, x509.Certificate] | None
) -> tuple[EllipticCurvePrivateKey, x509.Certificate]:
    """A new P-256 key and its certificate: a self-signed test CA when ``issuer`` is None,
    else a document-signing certificate issued by that CA (never outliving it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, ObjectIdentifier

    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    ca = issuer is None
    if issuer is None:
        signing_key, issuer_name, issuer_ski, not_after = key, subject, ski, now + CA_LIFETIME
    else:
        signing_key, issuer_cert = issuer
        issuer_name = issuer_cert.subject
        issuer_ski = issuer_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        not_after = min(now + LEAF_LIFETIME, issuer_cert.not_valid_after_utc)
    usage = x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(issuer_ski),
            critical=False,
        )
    )
    if not ca:
        signing = [ExtendedKeyUsageOID.EMAIL_PROTECTION, ObjectIdentifier(DOCUMENT_SIGNING_EKU)]
        builder = builder.add_extension(x509.ExtendedKeyUsage(signing), critical=False)
    return key, builder.sign(signing_key, hashes.SHA256())


def identity_subject(org: str, common_name: str) -> x509.Name:
    """The subject of a TEST certificate (the CA's or an identity's): O, the TEST OU, CN."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, TEST_OU),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def load_ca(folder: Path, secret: bytes) -> tuple[EllipticCurvePrivateKey, x509.Certificate]:
    """The test CA's key and certificate from ``folder`` (the store's keys folder), the
    key opened with ``secret``; an expired CA is refused (exit 3)."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_pem_private_key, pkcs12

    cert = read_certificates(folder / f"{CA_NAME}.crt.pem", StoreProblem)[0]
    key_path = folder / f"{CA_NAME}.p12"
    legacy = folder / f"{CA_NAME}.key.pem"  # PKCS#8, from stores made before
    if not key_path.exists() and legacy.exists():
        key_path = legacy
    try:
        if key_path == legacy:
            key: object = load_pem_private_key(key_path.read_bytes(), secret)
        else:
            key = pkcs12.load_key_and_certificates(key_path.read_bytes(), secret)[0]
    except FileNotFoundError as exc:
        raise StoreProblem(
            f"the test CA key {key_path} is missing", hint="restore it from a backup"
        ) from exc
    except (ValueError, TypeError) as exc:
        raise InvalidInput(
            f"wrong passphrase for the test CA key {key_path}",
            hint="use the passphrase given to the first `keys init`",
        ) from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or _spki(key.public_key()) != _spki(
        cert.public_key()
    ):
        raise StoreProblem(f"{key_path} does not belong to {CA_NAME}.crt.pem")
    if cert.not_valid_after_utc <= datetime.now(UTC):
        raise NotAllowed(
            f"the store's test CA expired on {_iso(cert.not_valid_after_utc)[:10]}",
            hint=f"move {folder}/{CA_NAME}.* away, then run `keys init --org NAME` again",
        )
    return key, cert


def load_test_ca(folder: Path, passphrase: str) -> tuple[EllipticCurvePrivateKey, x509.Certificate]:
    """The store's test CA key and certificate, opened with ``passphrase`` (exit 2 if wrong)."""
    return load_ca(folder, passphrase_bytes(passphrase))


def ensure_crl(
    write_new: Callable[[Path, bytes], None],
    folder: Path,
    ca_key: EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
) -> dict[str, Any] | None:
    """Issue the test CA's CRL when it is missing or stale; its facts (None if current).

    A new file goes through ``write_new`` (the key change's files, removed if it fails);
    a stale one is replaced in place.
    """
    if current_crl(folder.parent) is not None:
        return None
    crl = make_crl(ca_key, ca_cert)
    path = folder / CRL_FILE
    if path.exists():
        write_private(path, crl, replace=True)  # a stale CRL is replaced
    else:
        write_new(path, crl)
    return crl_facts(crl)


# -- the CRL ------------------------------------------------------------------------------


def crl_path(home: Path) -> Path:
    """Where the store's test CA keeps its CRL."""
    return keys_dir(home) / CRL_FILE


def ca_subject(home: Path) -> str | None:
    """The store's test CA's subject (RFC 4514), or None when the store has none."""
    from cryptography import x509

    path = keys_dir(home) / f"{CA_NAME}.crt.pem"
    if not path.is_file():
        return None
    return x509.load_pem_x509_certificate(path.read_bytes()).subject.rfc4514_string()


def current_crl(home: Path) -> bytes | None:
    """The test CA's CRL (DER) when there is one and it is still current, else None."""
    from cryptography import x509

    path = crl_path(home)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreProblem(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        parsed = x509.load_der_x509_crl(data)
    except ValueError:
        return None
    next_update = parsed.next_update_utc
    if next_update is None or next_update <= datetime.now(UTC) + timedelta(minutes=5):
        return None
    return data


def make_crl(ca_key: EllipticCurvePrivateKey, ca_cert: x509.Certificate) -> bytes:
    """An empty CRL signed by the test CA, current until the CA itself expires."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    now = datetime.now(UTC)
    ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now - CLOCK_SKEW)
        .next_update(ca_cert.not_valid_after_utc)
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
    )
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def crl_facts(crl: bytes) -> dict[str, Any]:
    """What the audit log records about a CRL the test CA issued."""
    import hashlib

    from cryptography import x509

    parsed = x509.load_der_x509_crl(crl)
    return {
        "file": CRL_FILE,
        "sha256": hashlib.sha256(crl).hexdigest(),
        "this_update": parsed.last_update_utc.isoformat(),
        "next_update": (parsed.next_update_utc or parsed.last_update_utc).isoformat(),
    }


def issue_test_crl(store: Store, actor: str, passphrase: str) -> bytes:
    """Issue the test CA's CRL again (missing or stale) and keep it, replacing the old.

    Needs the test CA's passphrase: the one `keys init` used (the signing passphrase of
    its identities). Its own transaction and audit event: a CRL issued for a signature
    that then fails is still a valid CRL, and is reused.
    """
    folder = keys_dir(store.home)
    with store.transaction(actor) as tx:
        ca_key, ca_cert = load_test_ca(folder, passphrase)
        crl = make_crl(ca_key, ca_cert)
        write_private(crl_path(store.home), crl, replace=True)
        tx.audit("crl.issue", f"key:{CA_NAME}", crl_facts(crl))
    return crl


# -- helpers ------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _spki(public_key: Any) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return bytes(public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))
