"""Certificates made by hand for tests: a CA and leaves with chosen validity and usage.

Tests need certificates the product never issues (expired ones, a TSA with the
timeStamping usage), so they are built here once rather than in each test module.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any


def key_usage(*, ca: bool) -> Any:
    """Key usage of a CA (certificate and CRL signing) or a signer (signature, commitment)."""
    from cryptography import x509

    return x509.KeyUsage(
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


def make_ca(days_back: int = 60, *, name: str = "Expiry Test CA") -> tuple[Any, Any]:
    """A CA key and certificate valid from ``days_back`` days ago for a year."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=days_back))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(key_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def make_leaf(
    ca_key: Any,
    ca_cert: Any,
    *,
    start: datetime,
    end: datetime,
    name: str = "Old Signer",
    extended_usage: list[Any] | None = None,
    rsa: bool = False,
) -> tuple[Any, Any]:
    """An ECDSA (or, with ``rsa``, RSA-2048) certificate from ``ca_cert`` valid from
    ``start`` to ``end``; with ``extended_usage`` (e.g. [ExtendedKeyUsageOID.TIME_STAMPING])
    marked critical. pyHanko's test timestamper signs with RSA keys only."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric import rsa as rsa_keys
    from cryptography.x509.oid import NameOID

    key: Any = (
        rsa_keys.generate_private_key(public_exponent=65537, key_size=2048)
        if rsa
        else ec.generate_private_key(ec.SECP256R1())
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(key_usage(ca=False), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
    )
    if extended_usage:
        builder = builder.add_extension(x509.ExtendedKeyUsage(extended_usage), critical=True)
    return key, builder.sign(ca_key, hashes.SHA256())
