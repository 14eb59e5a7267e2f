"""Signing identities: a legal-ops user tries signing with TEST identities, then imports a
certificate from a real CA. Real cryptography, real OpenSSL, real pyHanko."""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import stat
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from contractctl.errors import Duplicate, InvalidInput, NotFound
from contractctl.signing import keys, test_ca
from contractctl.store import Store
from contractctl.store.audit import events

PASS = "correct horse 电池 staple"
ORG = "星河电子科技有限公司"
TEST_OU = "contractctl TEST identity — not for real contracts"


def openssl() -> str:
    """The real openssl; a missing one fails on CI and skips on a laptop."""
    found = shutil.which("openssl")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("openssl is not installed")
        pytest.skip("openssl is not installed")
    return found


def run_openssl(*args: str, env: dict[str, str] | None = None) -> str:
    """Run openssl; its stdout, or the test fails with its stderr."""
    done = subprocess.run(
        [openssl(), *args],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@dataclass(frozen=True)
class RealCa:
    """A CA made with `openssl req`, standing in for a commercial CA, and its files."""

    ca_pem: Path
    identity_p12: Path  # 王芳's key + certificate + the CA, passphrase PASS
    identity_pem: Path  # 王芳's certificate alone: not a CA
    encipher_only_p12: Path  # a certificate whose key usage does not allow signing


def make_real_ca(folder: Path, *, extensions: str = "") -> RealCa:
    """Build a small PKI with the openssl command line, the way a real user's CA would;
    ``extensions`` are more openssl extension lines for the identities' certificates."""
    folder.mkdir(parents=True, exist_ok=True)

    def path(name: str) -> str:
        return str(folder / name)

    ec_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    run_openssl(
        "req", "-x509", *ec_key, "-keyout", path("ca.key"), "-out", path("ca.pem"),
        "-days", "30", "-subj", "/O=Example Trust/CN=Example Trust Services Root CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    for who, usage in (("wang", "digitalSignature,nonRepudiation"), ("enc", "keyEncipherment")):
        run_openssl(
            "req", "-new", *ec_key, "-utf8", "-keyout", path(f"{who}.key"),
            "-out", path(f"{who}.csr"), "-subj", f"/O=星河电子/CN=王芳 {who}",
        )  # fmt: skip
        (folder / f"{who}.ext").write_text(
            f"keyUsage=critical,{usage}\nbasicConstraints=critical,CA:FALSE\n{extensions}",
            encoding="utf-8",
        )
        run_openssl(
            "x509", "-req", "-in", path(f"{who}.csr"), "-CA", path("ca.pem"),
            "-CAkey", path("ca.key"), "-CAcreateserial", "-days", "30",
            "-extfile", path(f"{who}.ext"), "-out", path(f"{who}.pem"),
        )  # fmt: skip
        run_openssl(
            "pkcs12", "-export", "-inkey", path(f"{who}.key"), "-in", path(f"{who}.pem"),
            "-certfile", path("ca.pem"), "-name", who, "-out", path(f"{who}.p12"),
            "-passout", "env:P12_PASS",
            env={"P12_PASS": PASS},
        )  # fmt: skip
    return RealCa(folder / "ca.pem", folder / "wang.p12", folder / "wang.pem", folder / "enc.p12")


@pytest.fixture(scope="module")
def real_ca(tmp_path_factory: pytest.TempPathFactory) -> RealCa:
    return make_real_ca(tmp_path_factory.mktemp("real-ca"))


def key_files(home: Path) -> list[str]:
    """Every signing file under keys/, relative: what a failed command must leave as it
    was (the audit chain's key and anchor copy are the store's, not identities)."""
    root = home / "keys"
    chain = {"audit.key", "audit-anchor.json"}
    return sorted(
        str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.name not in chain
    )


def actions(store: Store) -> list[str]:
    return [e.action for e in events(store.conn, None, None)]


def cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_init_makes_a_test_ca_and_test_identities_in_private_files(store: Store) -> None:
    made = keys.init_test_identities(store, "tester", org=ORG, person="李雷", passphrase=PASS)

    assert [(k.name, k.kind, k.test) for k in made] == [
        ("org", "organisation", True),
        ("person-李雷", "person", True),
    ]
    folder = store.home / "keys"
    trust = [p.name for p in (folder / "trust").iterdir()]
    assert len(trust) == 1
    assert key_files(store.home) == sorted(
        [
            "org.crt.pem",
            "org.p12",
            "person-李雷.crt.pem",
            "person-李雷.p12",
            "test-ca.crl",
            "test-ca.crt.pem",
            "test-ca.p12",
            f"trust/{trust[0]}",
        ]
    )
    for path in (folder, folder / "trust"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    for name in key_files(store.home):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name
    assert not list(folder.rglob(".tmp-*"))
    assert (folder / "trust" / trust[0]).read_bytes() == (folder / "test-ca.crt.pem").read_bytes()
    assert_strongly_encrypted(folder / "test-ca.p12")

    assert actions(store)[-4:] == ["key.create", "trust.add", "key.create", "key.create"]
    last = events(store.conn, None, None)[-1]
    assert last.subject == "key:person-李雷"
    assert last.data["fingerprint"] == made[1].fingerprint
    assert last.data["test"] is True


def test_init_issues_a_crl_from_the_test_ca_for_long_term_signatures(store: Store) -> None:
    """B-LT needs revocation information; the test CA has no CRL distribution point or
    OCSP responder, so `keys init` issues its (empty) CRL, current for the CA's life."""

    keys.init_test_identities(store, "tester", org=ORG, person=None, passphrase=PASS)
    path = store.home / "keys" / "test-ca.crl"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    crl = x509.load_der_x509_crl(path.read_bytes())
    ca = cert(store.home / "keys" / "test-ca.crt.pem")
    assert crl.issuer == ca.subject and crl.is_signature_valid(ca.public_key())
    assert list(crl) == []  # nothing revoked
    assert crl.next_update_utc == ca.not_valid_after_utc
    assert test_ca.current_crl(store.home) == path.read_bytes()
    created = [e for e in events(store.conn, None, None) if e.subject == "key:test-ca"]
    assert created[0].data["crl"]["file"] == "test-ca.crl"
    # A store made before CRLs existed gets one at the next `keys init`.
    path.unlink()
    keys.init_test_identities(store, "tester", org=None, person="韩梅梅", passphrase=PASS)
    assert test_ca.current_crl(store.home) is not None
    assert "crl.issue" in actions(store)


def assert_strongly_encrypted(p12: Path) -> None:
    """The PKCS#12 is sealed with PBES2 (PBKDF2-SHA256, 200,000 rounds, AES-256-CBC)."""

    info = subprocess.run(
        ["openssl", "pkcs12", "-info", "-noout", "-in", str(p12), "-passin", f"pass:{PASS}"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    assert "Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 200000, PRF hmacWithSHA256" in (
        info
    ), info


def test_a_store_made_before_keeps_issuing_from_its_pkcs8_ca_key(store: Store) -> None:
    """Stores made by earlier versions hold the test CA key as PKCS#8 PEM: it still opens."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    keys.init_test_identities(store, "tester", org=ORG, person=None, passphrase=PASS)
    folder = store.home / "keys"
    ca_key = pkcs12.load_key_and_certificates((folder / "test-ca.p12").read_bytes(), PASS.encode())[
        0
    ]
    assert ca_key is not None
    (folder / "test-ca.key.pem").write_bytes(
        ca_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(PASS.encode()),
        )
    )
    (folder / "test-ca.p12").unlink()

    made = keys.init_test_identities(store, "tester", org=None, person="韩梅梅", passphrase=PASS)
    issued = cert(folder / f"{made[0].name}.crt.pem")
    assert issued.issuer == cert(folder / "test-ca.crt.pem").subject
    with pytest.raises(InvalidInput, match="wrong passphrase for the test CA key"):
        keys.init_test_identities(store, "tester", org=None, person="李华", passphrase="nope")


def test_test_certificates_say_test_in_their_subject_and_follow_the_profile(store: Store) -> None:
    keys.init_test_identities(store, "tester", org=ORG, person="李雷", passphrase=PASS)
    folder = store.home / "keys"
    ca, org, person = (cert(folder / f"{n}.crt.pem") for n in ("test-ca", "org", "person-李雷"))

    ca_cn = ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert ca_cn == f"{ORG} Test CA (contractctl TEST ONLY)"
    assert ca.issuer == ca.subject
    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    ca_usage = ca.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ca_usage.key_cert_sign and ca_usage.crl_sign and not ca_usage.digital_signature
    assert ca.not_valid_after_utc - ca.not_valid_before_utc >= timedelta(days=3650)

    for leaf, common_name in ((org, ORG), (person, "李雷")):
        subject = {a.oid: a.value for a in leaf.subject}
        assert subject == {
            NameOID.COMMON_NAME: common_name,
            NameOID.ORGANIZATION_NAME: ORG,
            NameOID.ORGANIZATIONAL_UNIT_NAME: TEST_OU,
        }
        # Chinese names are UTF8String (tag 0x0c), not mangled into another string type.
        encoded = common_name.encode("utf-8")
        assert b"\x0c" + bytes([len(encoded)]) + encoded in leaf.tbs_certificate_bytes
        public = leaf.public_key()
        assert isinstance(public, ec.EllipticCurvePublicKey) and public.curve.name == "secp256r1"
        assert leaf.signature_hash_algorithm is not None
        assert leaf.signature_hash_algorithm.name == "sha256"
        leaf.verify_directly_issued_by(ca)
        usage = leaf.extensions.get_extension_for_class(x509.KeyUsage)
        assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
        assert not usage.value.key_cert_sign
        assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        assert set(leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == {
            ExtendedKeyUsageOID.EMAIL_PROTECTION,
            ObjectIdentifier("1.3.6.1.4.1.311.10.3.12"),
        }
        aki = leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
        ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        assert aki.key_identifier == ski.digest
        lifetime = leaf.not_valid_after_utc - leaf.not_valid_before_utc
        assert timedelta(days=1090) < lifetime < timedelta(days=1100)
        assert leaf.not_valid_before_utc < datetime.now(UTC)
    assert org.serial_number != person.serial_number


def test_a_test_identity_signs_a_pdf_that_pyhanko_validates_against_the_trust_roots(
    store: Store,
) -> None:
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    keys.init_test_identities(store, "tester", org=ORG, person="李雷", passphrase=PASS)
    signer = keys.load_signer(store.home, "person-李雷", PASS)
    assert signer.signing_cert.subject.native["common_name"] == "李雷"

    writer = PdfFileWriter()
    writer.insert_page(
        PageObject(writer.add_object(generic.StreamObject(stream_data=b"")), (0, 0, 595, 842))
    )
    blank = io.BytesIO()
    writer.write(blank)
    roots = [asn1_x509.Certificate.load(der) for der in keys.trust_anchors(store.home)]
    for field in ("甲方", "乙方"):  # one loaded signer serves a whole batch
        signed = signers.sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(blank.getvalue())),
            signers.PdfSignatureMetadata(field_name=field),
            signer=signer,
        )
        status = validate_pdf_signature(
            PdfFileReader(signed).embedded_signatures[0], ValidationContext(trust_roots=roots)
        )
        assert status.bottom_line, status.pretty_print_details()


def test_a_later_init_adds_a_person_from_the_same_ca(store: Store) -> None:
    keys.init_test_identities(store, "tester", org=ORG, person=None, passphrase=PASS)
    folder = store.home / "keys"
    ca_before = (folder / "test-ca.crt.pem").read_bytes()
    trust_before = key_files(store.home)

    [li] = keys.init_test_identities(store, "tester", org=None, person="Li Lei", passphrase=PASS)

    assert li.name == "person-li-lei" and li.kind == "person"
    assert (folder / "test-ca.crt.pem").read_bytes() == ca_before
    cert(li.certificate).verify_directly_issued_by(cert(folder / "test-ca.crt.pem"))
    assert {a.oid: a.value for a in cert(li.certificate).subject}[NameOID.ORGANIZATION_NAME] == ORG
    assert [k.name for k in keys.list_identities(store.home)] == ["org", "person-li-lei"]
    assert set(key_files(store.home)) - set(trust_before) == {
        "person-li-lei.crt.pem",
        "person-li-lei.p12",
    }


def test_a_later_init_needs_the_passphrase_of_the_ca_key_and_writes_nothing_without_it(
    store: Store,
) -> None:
    keys.init_test_identities(store, "tester", org=ORG, person=None, passphrase=PASS)
    files, log = key_files(store.home), actions(store)
    with pytest.raises(InvalidInput, match="wrong passphrase for the test CA key"):
        keys.init_test_identities(store, "tester", org=None, person="李雷", passphrase="guess")
    assert (key_files(store.home), actions(store)) == (files, log)


def test_an_existing_name_is_refused_and_nothing_is_created(store: Store) -> None:
    keys.init_test_identities(store, "tester", org=ORG, person=None, passphrase=PASS)
    files, log = key_files(store.home), actions(store)
    org_p12 = (store.home / "keys" / "org.p12").read_bytes()
    with pytest.raises(Duplicate, match="'org' already exists"):
        keys.init_test_identities(store, "tester", org=ORG, person="李雷", passphrase=PASS)
    with pytest.raises(Duplicate):
        keys.init_test_identities(
            store, "tester", org=None, person="李雷", name="ORG", passphrase=PASS
        )
    assert (key_files(store.home), actions(store)) == (files, log)
    assert (store.home / "keys" / "org.p12").read_bytes() == org_p12


@pytest.mark.parametrize(
    ("org", "person", "name", "message"),
    [
        (None, "李雷", None, "the first `keys init` needs --org"),
        (None, None, None, "say what to create"),
        (ORG, "李雷", "both", "--name names one identity"),
        ("  ", None, None, "organisation name is empty"),
        (ORG, None, "../escape", "not a usable identity name"),
        (ORG, None, "test-ca", "reserved"),
        ("x" * 65, None, None, "too long for a certificate"),
        (ORG, "李" * 22, None, "at most 64 bytes in UTF-8"),
    ],
)
def test_bad_init_requests_are_refused_before_any_passphrase_is_needed(
    home: Path, org: str | None, person: str | None, name: str | None, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        keys.plan_test_identities(home, org=org, person=person, name=name)


def test_an_empty_passphrase_is_refused(store: Store) -> None:
    with pytest.raises(InvalidInput, match="empty passphrase"):
        keys.init_test_identities(store, "tester", org=ORG, person=None, passphrase="")
    assert key_files(store.home) == []


def test_a_failed_transaction_removes_the_key_files_it_wrote(store: Store) -> None:
    # A real database failure at the last audit event, after four files were written.
    store.conn.execute(
        "CREATE TEMP TRIGGER fail_person BEFORE INSERT ON events "
        "WHEN NEW.subject = 'key:person-李雷' BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    log = actions(store)
    with pytest.raises(sqlite3.IntegrityError, match="disk full"):
        keys.init_test_identities(store, "tester", org=ORG, person="李雷", passphrase=PASS)
    assert key_files(store.home) == []
    assert actions(store) == log


@pytest.mark.parametrize(
    "org", ["上海星河电子科技股份有限公司", "Xinghe Electronics Science and Technology Group Ltd."]
)
def test_a_long_organisation_name_keeps_the_test_mark_in_the_ca_name(
    store: Store, org: str
) -> None:
    keys.init_test_identities(store, "tester", org=org, person=None, passphrase=PASS)
    ca = cert(store.home / "keys" / "test-ca.crt.pem")
    common_name = str(ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)
    assert len(common_name.encode("utf-8")) <= 64
    assert common_name.startswith(org[:6])
    assert common_name.endswith("… Test CA (contractctl TEST ONLY)")
    assert ca.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == org
    [identity] = keys.list_identities(store.home)
    assert identity.test and identity.kind == "organisation"


def test_an_identity_from_a_real_ca_imports_as_real_with_its_chain(
    store: Store, real_ca: RealCa
) -> None:
    info = keys.import_identity(store, "tester", real_ca.identity_p12, name="wang", passphrase=PASS)

    assert (info.name, info.kind, info.test, info.expired) == ("wang", "imported", False, False)
    assert info.subject == "CN=王芳 wang,O=星河电子"
    assert info.issuer == "CN=Example Trust Services Root CA,O=Example Trust"
    assert info.key_usage == ("digitalSignature", "nonRepudiation")
    folder = store.home / "keys"
    for name in ("wang.p12", "wang.crt.pem"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    assert cert(folder / "wang.crt.pem") == cert(real_ca.identity_pem)
    # Stored re-encrypted with the same passphrase, the CA still inside.
    signer = keys.load_signer(store.home, "wang", PASS)
    assert signer.signing_cert.subject.native["common_name"] == "王芳 wang"
    assert len(list(signer.cert_registry)) >= 1
    assert actions(store)[-1] == "key.import"
    assert events(store.conn, None, None)[-1].data["fingerprint"] == info.fingerprint
    assert keys.get_identity(store.home, "wang") == info


def test_an_import_with_a_wrong_passphrase_or_a_bad_file_is_refused(
    store: Store, real_ca: RealCa, tmp_path: Path
) -> None:
    log = actions(store)
    with pytest.raises(InvalidInput, match="wrong passphrase, or not a PKCS#12 file"):
        keys.import_identity(store, "tester", real_ca.identity_p12, name="w", passphrase="nope")
    with pytest.raises(InvalidInput, match="wrong passphrase, or not a PKCS#12 file"):
        keys.import_identity(store, "tester", real_ca.ca_pem, name="w", passphrase=PASS)
    with pytest.raises(NotFound):
        keys.import_identity(store, "tester", tmp_path / "none.p12", name="w", passphrase=PASS)
    with pytest.raises(InvalidInput, match=r"may not sign documents \(key usage: keyEncipherment"):
        keys.import_identity(store, "tester", real_ca.encipher_only_p12, name="w", passphrase=PASS)
    assert key_files(store.home) == [] and actions(store) == log


def test_load_signer_names_a_missing_identity_and_a_wrong_passphrase(
    store: Store, real_ca: RealCa
) -> None:
    keys.import_identity(store, "tester", real_ca.identity_p12, name="wang", passphrase=PASS)
    with pytest.raises(NotFound, match="no signing identity 'zhang'"):
        keys.load_signer(store.home, "zhang", PASS)
    with pytest.raises(InvalidInput, match="wrong passphrase for signing identity 'wang'"):
        keys.load_signer(store.home, "wang", "nope")


def test_trust_roots_must_be_ca_certificates_and_are_added_once(
    store: Store, real_ca: RealCa
) -> None:
    [root] = keys.add_trust_root(store, "tester", real_ca.ca_pem)
    assert (root.subject, root.test) == ("CN=Example Trust Services Root CA,O=Example Trust", False)
    assert root.path.parent == store.home / "keys" / "trust"
    assert stat.S_IMODE(root.path.stat().st_mode) == 0o600
    assert cert(root.path) == cert(real_ca.ca_pem)
    assert keys.trust_roots(store.home) == [root]
    assert actions(store)[-1] == "trust.add"

    files, log = key_files(store.home), actions(store)
    with pytest.raises(Duplicate, match="already trusted"):
        keys.add_trust_root(store, "tester", real_ca.ca_pem)
    with pytest.raises(InvalidInput, match="is not a CA certificate"):
        keys.add_trust_root(store, "tester", real_ca.identity_pem)
    with pytest.raises(InvalidInput, match="not a PEM or DER certificate"):
        keys.add_trust_root(store, "tester", real_ca.identity_p12)
    assert (key_files(store.home), actions(store)) == (files, log)


def test_trust_anchors_add_the_files_given_to_verify(store: Store, real_ca: RealCa) -> None:
    keys.init_test_identities(store, "tester", org=ORG, person=None, passphrase=PASS)
    stored = keys.trust_anchors(store.home)
    assert len(stored) == 1
    both = keys.trust_anchors(store.home, [real_ca.ca_pem, real_ca.ca_pem])
    assert len(both) == 2 and both[0] == stored[0]


def test_a_store_without_identities_lists_none(home: Path) -> None:
    assert keys.list_identities(home) == []
    assert keys.trust_roots(home) == []
