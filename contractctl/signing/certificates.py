"""Certificate facts: reading X.509 certificates, and what every listing and audit event
says about one (subject, dates, fingerprint, key usage, whether it is a TEST certificate).

Apart from contractctl.signing.keys because the store's test CA
(contractctl.signing.test_ca) reads certificates and keeps its names within the same
X.509 bound: both use this module and it uses neither, so the imports point one way
(keys -> test_ca -> certificates). How a TEST certificate is marked (``TEST_MARK`` in the
CA's name, ``TEST_OU`` in every subject) lives here too, since recognising one is a fact
about the certificate and making one is the test CA's business.

cryptography is imported inside the functions.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from contractctl.errors import ContractctlError, InvalidInput, NotFound

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization.pkcs12 import PKCS12PrivateKeyTypes

TEST_MARK = "contractctl TEST ONLY"
TEST_OU = "contractctl TEST identity — not for real contracts"
MAX_LABEL = 64  # upper bound for O and CN, in UTF-8 bytes as cryptography checks it

OID_CN, OID_OU, OID_O = "2.5.4.3", "2.5.4.11", "2.5.4.10"  # name attribute OIDs
#: KeyUsage attributes and the names OpenSSL and RFC 5280 give them.
_KEY_USAGE = {
    "digital_signature": "digitalSignature",
    "content_commitment": "nonRepudiation",
    "key_encipherment": "keyEncipherment",
    "data_encipherment": "dataEncipherment",
    "key_agreement": "keyAgreement",
    "key_cert_sign": "keyCertSign",
    "crl_sign": "cRLSign",
}
_AGREEMENT_ONLY = {"encipher_only": "encipherOnly", "decipher_only": "decipherOnly"}


def read_certificates(path: Path, error: type[ContractctlError]) -> list[x509.Certificate]:
    """The certificates of a PEM file (one or a bundle) or a DER file.

    ``error`` is InvalidInput for a file the user named, StoreProblem for one in the store.
    """
    from cryptography import x509

    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise (NotFound if error is InvalidInput else error)(f"no file {path}") from exc
    except OSError as exc:
        raise error(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise error(f"{path} is not a PEM or DER certificate") from exc


# -- describing certificates ------------------------------------------------------------


def describe(cert: x509.Certificate) -> dict[str, Any]:
    """What every listing shows about a certificate."""
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "valid_from": iso(cert.not_valid_before_utc),
        "valid_to": iso(cert.not_valid_after_utc),
        "expired": cert.not_valid_after_utc <= datetime.now(UTC),
        "fingerprint": fingerprint(cert),
        "test": is_test(cert),
    }


def audit_facts(cert: x509.Certificate) -> dict[str, Any]:
    """What an audit event records about a certificate."""
    facts = describe(cert)
    return {k: facts[k] for k in ("fingerprint", "subject", "issuer", "valid_to", "test")} | {
        "serial": format(cert.serial_number, "x")
    }


def is_test(cert: x509.Certificate) -> bool:
    """Made by a contractctl test CA: the mark is in its issuer or its own subject."""
    in_issuer = TEST_MARK in (name_attr(cert.issuer, OID_CN) or "")
    return in_issuer or name_attr(cert.subject, OID_OU) == TEST_OU


def is_ca(cert: x509.Certificate) -> bool:
    """A CA certificate: basicConstraints CA:TRUE, and keyCertSign when key usage is given."""
    from cryptography import x509

    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    usage = key_usage(cert)
    return constraints.ca and (not usage or "keyCertSign" in usage)


def key_usage(cert: x509.Certificate) -> tuple[str, ...]:
    """The certificate's key usages by their RFC 5280 names (empty when it declares none)."""
    from cryptography import x509

    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return ()
    names = [label for attr, label in _KEY_USAGE.items() if getattr(usage, attr)]
    if usage.key_agreement:  # these two may only be read when keyAgreement is set
        names += [n for a, n in _AGREEMENT_ONLY.items() if getattr(usage, a)]
    return tuple(names)


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the DER certificate, upper-case hex with colons."""
    from cryptography.hazmat.primitives import hashes

    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def name_attr(name: x509.Name, oid: str) -> str | None:
    """The first value of the attribute ``oid`` (dotted) in ``name``, or None."""
    values = [a.value for a in name if a.oid.dotted_string == oid]
    return str(values[0]) if values else None


def iso(moment: datetime) -> str:
    """``moment`` as ISO 8601 UTC to the second."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def pem(cert: x509.Certificate) -> bytes:
    """The certificate as PEM."""
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.PEM)


def spki(public_key: Any) -> bytes:
    """A public key's DER SubjectPublicKeyInfo, to compare a key with a certificate."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return bytes(public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))


def is_signing_key(key: object) -> TypeGuard[PKCS12PrivateKeyTypes]:
    """A private key of a kind that can sign (RSA, EC, Ed25519, Ed448, DSA)."""
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    kinds = (
        rsa.RSAPrivateKey,
        ec.EllipticCurvePrivateKey,
        ed25519.Ed25519PrivateKey,
        ed448.Ed448PrivateKey,
        dsa.DSAPrivateKey,
    )
    return isinstance(key, kinds)


# -- names in certificates --------------------------------------------------------------


def check_label(value: str, what: str) -> str:
    """``value`` normalised (NFC, stripped) if it can be an O or CN: not empty, within
    MAX_LABEL bytes, no control characters (exit 2 otherwise)."""
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise InvalidInput(f"the {what} is empty")
    if _utf8_len(text) > MAX_LABEL:  # the X.509 bound on a common name, in UTF-8 bytes
        raise InvalidInput(
            f"the {what} is too long for a certificate: at most {MAX_LABEL} bytes in UTF-8 "
            f"(21 Chinese characters), it has {_utf8_len(text)}"
        )
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise InvalidInput(f"the {what} {text!r} contains control characters")
    return text


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))
