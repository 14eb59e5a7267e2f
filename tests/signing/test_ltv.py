"""Long-term validation: `sign --level B-LT|B-LTA` embeds the validation data (chains,
the test CA's CRL) in the PDF's DSS, B-LTA adds a document timestamp, and `verify`
accepts those later revisions, reports the level, and still catches anything else.

Real pyHanko, the real loopback TSA of tests/signing/test_timestamp.py (its fixtures imported).
"""

from __future__ import annotations

import io
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from contractctl.signing import keys, ltv, test_ca
from contractctl.signing.sign import SignResult, sign
from contractctl.signing.verify import verify_contract, verify_pdf
from contractctl.signing.views import signatures_view
from contractctl.store import Store
from contractctl.store.audit import events
from tests.conftest import Cli, snapshot
from tests.pki import key_usage
from tests.signing.test_sign import PASS
from tests.signing.test_timestamp import Tsa, _handler, cli_setup, signing_home, tsa

__all__ = ["cli_setup", "signing_home", "tsa"]  # fixtures, used by name


def _trust(home: Path, tsa: Tsa) -> list[bytes]:
    return [*keys.trust_anchors(home), tsa.ca_pem.read_bytes()]


def _pdf(store: Store, cid: str) -> bytes:
    row = store.conn.execute("SELECT pdf_sha FROM versions WHERE contract_id = ?", (cid,))
    return bytes(store.objects.path(row.fetchone()[0]).read_bytes())


def _sign_lt(
    store: Store, cid: str, tsa: Tsa, level: str, *, actor: str = "wang.fang", key: str = "org"
) -> SignResult:
    """Sign at a long-term level with the loopback TSA, its root trusted for the chains."""
    return sign(
        store,
        actor,
        cid,
        key=key,
        passphrase=PASS,
        tsa_url=tsa.url,
        level=level,
        trust=[tsa.ca_pem.read_bytes()],
    )


def test_a_b_lta_signature_carries_its_validation_data_and_verifies_as_b_lta(
    tsa: Tsa, signing_home: tuple[Path, str]
) -> None:
    from asn1crypto import x509 as ax509
    from pyhanko.pdf_utils.reader import PdfFileReader

    home, cid = signing_home
    with Store.open(home) as store:
        started = time.perf_counter()
        first = _sign_lt(store, cid, tsa, "B-LTA")
        elapsed = time.perf_counter() - started
        pdf = _pdf(store, cid)
        report = verify_contract(store, cid, trust=_trust(home, tsa))
        rows = signatures_view(store, cid)
        (event,) = [e for e in events(store.conn, cid, None) if e.action == "signature.add"]
    print(f"B-LTA signature: {elapsed * 1000:.0f} ms")
    assert first.level == "B-LTA" and first.timestamp and first.document_timestamp
    assert rows[0]["level"] == "B-LTA"
    assert event.data["level"] == "B-LTA"
    assert event.data["document_timestamp"] == first.document_timestamp
    assert report.verdict == "valid", [s.problems for s in report.signatures] + report.problems
    (only,) = report.signatures
    assert (only.level, only.modifications, only.timestamp) == (
        "B-LTA",
        "lta_updates",
        first.timestamp,
    )
    (stamp,) = report.document_timestamps
    assert stamp.holds and stamp.timestamp == first.document_timestamp
    assert stamp.tsa == "contractctl test TSA"
    # The DSS holds the test CA's CRL and both chains: signer + test CA, TSA + its CA.
    dss = ltv.read_dss(PdfFileReader(io.BytesIO(pdf)))
    assert (home / "keys" / "test-ca.crl").read_bytes() in dss.crls
    names = {ax509.Certificate.load(c).subject.native["common_name"] for c in dss.certs}
    assert names >= {
        "示例科技有限公司",
        "示例科技有限公司 Test CA (contractctl TEST ONLY)",
        "contractctl test TSA",
        "contractctl test TSA CA",
    }


def test_b_lt_on_the_command_line_is_recorded_shown_and_verified(
    tsa: Tsa, cli_setup: tuple[Cli, str]
) -> None:
    cli, cid = cli_setup
    trust = str(tsa.ca_pem)
    signed = cli("sign", cid, "--key", "org", "--tsa", tsa.url, "--level", "B-LT", "--trust", trust)
    assert signed.code == 0, signed.stderr
    assert "(B-LT, field" in signed.stderr
    data = cli(
        "sign", cid, "--key", "person-li-lei", "--tsa", tsa.url, "--level", "b-lt",
        "--trust", trust, "--json",
    )  # fmt: skip
    assert data.code == 0, data.stderr
    assert data.json()["level"] == "B-LT" and data.json()["document_timestamp"] is None
    for run in (signed, data):  # nothing of the libraries' on the user's stderr
        assert "Unclosed" not in run.stderr and "Warning" not in run.stderr, run.stderr
    shown = cli("show", cid, "--json").json()
    assert [s["level"] for s in shown["signatures"]] == ["B-LT", "B-LT"]
    verified = cli("verify", cid, "--trust", trust, "--json")
    assert verified.code == 0, verified.stdout + verified.stderr
    report = verified.json()
    assert [s["level"] for s in report["signatures"]] == ["B-LT", "B-LT"]
    assert report["document_timestamps"] == []
    # Without the TSA's root the levels are not claimed (the timestamp does not count).
    untrusted = cli("verify", cid, "--json")
    assert untrusted.code == 1
    assert [s["level"] for s in untrusted.json()["signatures"]] == ["B-T", "B-T"]


def test_the_counterparty_signs_after_a_company_b_lta_signature_and_both_verify(
    tsa: Tsa, signing_home: tuple[Path, str]
) -> None:
    home, cid = signing_home
    with Store.open(home) as store:
        company = _sign_lt(store, cid, tsa, "B-LTA")
        counterparty = _sign_lt(store, cid, tsa, "B-LTA", actor="li.lei", key="person-li-lei")
        report = verify_contract(store, cid, trust=_trust(home, tsa))
    assert (company.certify, counterparty.status) == (True, "signed")
    assert report.verdict == "valid", [s.problems for s in report.signatures] + report.problems
    assert [(s.level, s.modifications) for s in report.signatures] == [
        ("B-LTA", "signatures"),
        ("B-LTA", "lta_updates"),
    ]
    assert len(report.document_timestamps) == 2
    assert all(t.holds for t in report.document_timestamps)


def test_b_lt_without_a_tsa_is_bad_usage_and_changes_nothing(cli_setup: tuple[Cli, str]) -> None:
    cli, cid = cli_setup
    before = snapshot(cli.home)
    for level in ("B-LT", "B-LTA"):
        result = cli("sign", cid, "--key", "org", "--level", level)
        assert result.code == 2, result.stderr
        assert f"--level {level} needs --tsa URL" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    unknown = cli("sign", cid, "--key", "org", "--level", "B-XL")
    assert unknown.code == 2 and "is not one of B-B, B-T, B-LT, B-LTA" in unknown.stderr
    optional = cli(
        "sign", cid, "--key", "org", "--level", "B-LT", "--tsa", "http://x/", "--tsa-optional"
    )
    assert optional.code == 2 and "--tsa-optional cannot be used" in optional.stderr
    assert snapshot(cli.home) == before


def test_a_tsa_whose_chain_cannot_be_built_stops_b_lt_with_exit_4_and_stores_nothing(
    tsa: Tsa, cli_setup: tuple[Cli, str]
) -> None:
    """B-LT embeds the TSA's chain: without its root (no --trust) there is none to embed."""
    cli, cid = cli_setup
    before = snapshot(cli.home)
    result = cli("sign", cid, "--key", "org", "--tsa", tsa.url, "--level", "B-LT", "--json")
    assert result.code == 4, result.stdout + result.stderr
    error = result.json()["error"]
    assert error["type"] == "ltv_failed" and "validation data for B-LT" in error["message"]
    assert snapshot(cli.home) == before


def test_a_revocation_source_that_does_not_answer_stops_b_lt_with_one_clear_line(
    tsa: Tsa, cli_setup: tuple[Cli, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real CA's certificate names a CRL at an address where nothing answers: B-LT must
    fetch it, fails with exit 4, and stderr holds our error only (no library warnings,
    no "Unclosed client session" from an HTTP client left open)."""
    from tests.signing.test_keys import PASS as REAL_PASS
    from tests.signing.test_keys import make_real_ca

    cli, cid = cli_setup
    monkeypatch.setenv("CONTRACTCTL_KEY_PASSPHRASE", REAL_PASS)
    with socket.socket() as probe:  # a loopback port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ca = make_real_ca(
        tmp_path / "ca", extensions=f"crlDistributionPoints=URI:http://127.0.0.1:{port}/ca.crl\n"
    )
    assert cli("keys", "import", str(ca.identity_p12), "--name", "wang").code == 0
    assert cli("keys", "bind", "wang", "--party", "company").code == 0  # O=星河电子
    before = snapshot(cli.home)
    result = cli(
        "sign", cid, "--key", "wang", "--tsa", tsa.url, "--level", "B-LT",
        "--trust", str(tsa.ca_pem), "--trust", str(ca.ca_pem),
    )  # fmt: skip
    assert result.code == 4, result.stdout + result.stderr
    assert result.stderr.startswith("contractctl: error:"), result.stderr
    assert "Unclosed" not in result.stderr and "Warning" not in result.stderr, result.stderr
    assert snapshot(cli.home) == before


def test_a_b_lta_pdf_with_an_annotation_appended_is_modified_after_signing(
    tsa: Tsa, signing_home: tuple[Path, str]
) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    home, cid = signing_home
    with Store.open(home) as store:
        _sign_lt(store, cid, tsa, "B-LTA")
        pdf = _pdf(store, cid)
    trust = _trust(home, tsa)
    assert verify_pdf(pdf, trust=trust).verdict == "valid"
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    note = writer.add_object(
        generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Text"),
                generic.pdf_name("/Rect"): generic.ArrayObject(
                    [generic.NumberObject(n) for n in (10, 10, 30, 30)]
                ),
                generic.pdf_name("/Contents"): generic.TextStringObject("price is 1 yuan"),
            }
        )
    )
    annots = generic.ArrayObject([*page.get("/Annots", generic.ArrayObject()), note])
    page[generic.pdf_name("/Annots")] = annots
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    report = verify_pdf(out.getvalue(), trust=trust)
    assert report.verdict == "invalid"
    (signature,) = report.signatures
    assert signature.revisions_after == 1
    assert any("modified after signing" in p for p in signature.problems), signature.problems
    assert signature.modifications in ("annotations", "other")
    assert not report.document_timestamps[0].holds


def test_a_missing_crl_is_issued_again_when_signing_at_b_lt(
    tsa: Tsa, signing_home: tuple[Path, str]
) -> None:
    """A store made before CRLs: the test CA issues one with the signing passphrase."""
    home, cid = signing_home
    (home / "keys" / "test-ca.crl").unlink()
    with Store.open(home) as store:
        signed = _sign_lt(store, cid, tsa, "B-LT")
        assert "crl.issue" in [e.action for e in events(store.conn, None, None)]
        report = verify_contract(store, cid, trust=_trust(home, tsa))
    assert signed.level == "B-LT" and test_ca.current_crl(home) is not None
    assert report.verdict == "valid" and report.signatures[0].level == "B-LT"


# -- ten years on: long-term validation at a later date ---------------------------------


@dataclass(frozen=True)
class LongTsa:
    """A loopback TSA that publishes a CRL (``/crl``, named in its certificate), with a
    certificate of a chosen lifetime: the long one outlives the signers' (20 years)."""

    url: str
    ca_pem: Path
    valid_to: datetime


def _tsa_pki(days: int, name: str, crl_url: str) -> tuple[bytes, Any, Any, datetime, bytes]:
    """A TSA CA (PEM, 30 years), a TSA certificate valid ``days`` (asn1crypto, with its
    key) naming ``crl_url`` as its CRL distribution point, and that CA's CRL (DER)."""
    from asn1crypto import keys as akeys
    from asn1crypto import x509 as ax509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} CA")])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30 * 365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(key_usage(ca=True), critical=True)
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    end = (now + timedelta(days=days)).replace(microsecond=0)
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
    aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski)
    tsa = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_name)
        .public_key(tsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(key_usage(ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True)
        .add_extension(aki, critical=False)
        .add_extension(x509.CRLDistributionPoints([point]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_name)
        .last_update(now - timedelta(hours=1))
        .next_update(ca.not_valid_after_utc)
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(aki, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    der = serialization.Encoding.DER
    tsa_pkey = akeys.PrivateKeyInfo.load(
        tsa_key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    pem = ca.public_bytes(serialization.Encoding.PEM)
    return pem, ax509.Certificate.load(tsa.public_bytes(der)), tsa_pkey, end, crl.public_bytes(der)


@contextmanager
def _serving_tsa(folder: Path, days: int, name: str) -> Iterator[LongTsa]:
    """A TSA (``_tsa_pki``) on loopback: POST /tsa stamps, GET /crl gives its CA's CRL."""
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    answers: dict[str, Any] = {}

    class Stamper:  # the certificate names the server's port: made once it listens
        def request_tsa_response(self, request: Any) -> Any:
            return answers["stamper"].request_tsa_response(request)

    class Handler(_handler(Stamper())):  # type: ignore[misc]
        def do_GET(self) -> None:
            body = answers["crl"]
            self.send_response(200)
            self.send_header("Content-Type", "application/pkix-crl")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    ca_pem, tsa_cert, tsa_key, valid_to, crl = _tsa_pki(days, name, f"{base}/crl")
    answers["crl"] = crl
    answers["stamper"] = DummyTimeStamper(tsa_cert=tsa_cert, tsa_key=tsa_key)
    pem = folder / "tsa-ca.pem"
    pem.write_bytes(ca_pem)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LongTsa(f"{base}/tsa", pem, valid_to)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def long_tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LongTsa]:
    """A TSA whose certificate lasts 20 years (the signers' 3, the store's test CA 10)."""
    with _serving_tsa(tmp_path_factory.mktemp("long-tsa"), 20 * 365, "Long-lived TSA") as tsa:
        yield tsa


@pytest.fixture(scope="module")
def month_tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LongTsa]:
    """A TSA whose certificate lasts 30 days, with a CRL (as a real TSA publishes)."""
    with _serving_tsa(tmp_path_factory.mktemp("month-tsa"), 30, "Month TSA") as tsa:
        yield tsa


def _years_on(years: int) -> str:
    return _days_on(365 * years)


def _days_on(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


def _sign_with(cli: Cli, cid: str, tsa: LongTsa, level: str) -> None:
    trust = ["--trust", str(tsa.ca_pem)] if level in ltv.LONG_TERM else []
    signed = cli("sign", cid, "--key", "org", "--tsa", tsa.url, "--level", level, *trust)
    assert signed.code == 0, signed.stderr


def test_a_b_lta_contract_still_verifies_after_the_signers_certificate_and_ca_expired(
    long_tsa: LongTsa, cli_setup: tuple[Cli, str]
) -> None:
    """Five years on the signer's certificate (3 years) has expired; twelve years on the
    test CA (10 years) too. The DSS and the timestamps prove it was valid when signed."""
    cli, cid = cli_setup
    _sign_with(cli, cid, long_tsa, "B-LTA")
    trust = str(long_tsa.ca_pem)
    for years in (5, 12):
        result = cli("verify", cid, "--trust", trust, "--at", _years_on(years), "--json")
        assert result.code == 0, result.stdout + result.stderr
        report = result.json()
        (only,) = report["signatures"]
        assert (only["level"], only["expired"], only["holds"]) == ("B-LTA", True, True)
        assert only["proven_at"] == only["timestamp"]
        (note,) = only["notes"]
        assert re.fullmatch(
            r"the certificate expired on \d{4}-.+Z; long-term validation data proves the "
            rf"signature \(timestamped on {only['timestamp']}\) was valid at "
            rf"{only['proven_at']}",
            note,
        ), note
        (stamp,) = report["document_timestamps"]
        assert stamp["holds"] and stamp["expired"] is False
        assert stamp["validated_at"] == report["validation_time"]
    human = cli("verify", cid, "--trust", trust, "--at", _years_on(5))
    assert human.code == 0, human.stdout
    assert "long-term validation data proves the signature" in human.stdout
    assert "EXPIRED" in human.stdout and "valid (validated at" in human.stdout


def test_a_b_t_contract_verified_after_the_signers_certificate_expired_is_invalid(
    long_tsa: LongTsa, cli_setup: tuple[Cli, str]
) -> None:
    """Without long-term validation data the certificate's expiry counts, as before."""
    cli, cid = cli_setup
    _sign_with(cli, cid, long_tsa, "B-T")
    result = cli("verify", cid, "--trust", str(long_tsa.ca_pem), "--at", _years_on(5), "--json")
    assert result.code == 1, result.stdout + result.stderr
    (only,) = result.json()["signatures"]
    assert (only["level"], only["expired"], only["holds"]) == ("B-T", True, False)
    assert only["proven_at"] is None and only["notes"] == []
    assert any(p.startswith("the certificate expired on") for p in only["problems"])
    # Today the same signature holds.
    assert cli("verify", cid, "--trust", str(long_tsa.ca_pem)).code == 0


def test_the_archive_chain_must_be_renewed_before_the_last_tsa_certificate_expires(
    long_tsa: LongTsa, signing_home: tuple[Path, str]
) -> None:
    """A month before the document timestamp's TSA certificate expires: valid, with a
    note to renew. After it: nothing proves the archive any more, so invalid."""
    home, cid = signing_home
    with Store.open(home) as store:
        sign(
            store, "wang.fang", cid, key="org", passphrase=PASS, tsa_url=long_tsa.url,
            level="B-LTA", trust=[long_tsa.ca_pem.read_bytes()],
        )  # fmt: skip
        trust = [*keys.trust_anchors(home), long_tsa.ca_pem.read_bytes()]
        soon = (long_tsa.valid_to - timedelta(days=30)).date().isoformat()
        before = verify_contract(store, cid, trust=trust, at=soon)
        late = (long_tsa.valid_to + timedelta(days=2)).date().isoformat()
        after = verify_contract(store, cid, trust=trust, at=late)
    assert before.verdict == "valid", before.to_dict()
    (stamp,) = before.document_timestamps
    assert stamp.holds and any("renew the archive timestamp chain" in n for n in stamp.notes)
    assert after.verdict == "invalid"
    (stamp,) = after.document_timestamps
    assert (stamp.expired, stamp.holds) == (True, False)
    assert any("needed renewing before then" in p for p in stamp.problems), stamp.problems
    (signature,) = after.signatures
    assert signature.level == "B-LTA" and not signature.holds
    assert any("long-term validation cannot prove the signature" in p for p in signature.problems)


def test_a_validation_time_before_the_signature_existed_is_reported(
    long_tsa: LongTsa, cli_setup: tuple[Cli, str]
) -> None:
    cli, cid = cli_setup
    _sign_with(cli, cid, long_tsa, "B-LTA")
    trust = str(long_tsa.ca_pem)
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    result = cli("verify", cid, "--trust", trust, "--at", yesterday, "--json")
    assert result.code == 1
    (only,) = result.json()["signatures"]
    assert any("before the signature was timestamped" in p for p in only["problems"])
    (stamp,) = result.json()["document_timestamps"]
    assert any("before this document timestamp was made" in p for p in stamp["problems"])
    # Each signature at the time it claims: valid, as before.
    assert cli("verify", cid, "--trust", trust, "--at", "signing-time").code == 0


def test_renewing_the_archive_chain_keeps_a_contract_provable_past_its_first_tsa(
    month_tsa: LongTsa, long_tsa: LongTsa, cli_setup: tuple[Cli, str]
) -> None:
    """Signed B-LTA with a TSA whose certificate lasts 30 days: `verify` says to renew;
    `renew-timestamp` adds a document timestamp from another TSA, and 40 days (and five
    years) on the contract still verifies."""
    cli, cid = cli_setup
    _sign_with(cli, cid, month_tsa, "B-LTA")
    trust = ["--trust", str(month_tsa.ca_pem), "--trust", str(long_tsa.ca_pem)]
    now = cli("verify", cid, *trust)
    assert now.code == 0, now.stdout
    assert "renew the archive timestamp chain before then" in now.stdout
    stamped = cli("verify", cid, *trust, "--json").json()["signatures"][0]["timestamp"]
    later = _days_on(40)
    assert cli("verify", cid, *trust, "--at", later).code == 1  # the chain lapsed
    renewed = cli("renew-timestamp", cid, "--tsa", long_tsa.url, *trust, "--json")
    assert renewed.code == 0, renewed.stdout + renewed.stderr
    assert "Unclosed" not in renewed.stderr and "Warning" not in renewed.stderr, renewed.stderr
    data = renewed.json()
    assert data["previous"] and data["document_timestamp"] >= data["previous"]
    for at in (later, _years_on(5)):
        result = cli("verify", cid, *trust, "--at", at, "--json")
        assert result.code == 0, result.stdout + result.stderr
        report = result.json()
        first, second = report["document_timestamps"]
        assert first["validated_at"] == second["timestamp"] and first["holds"]
        assert second["tsa"] == "Long-lived TSA" and second["holds"]
        assert report["signatures"][0]["level"] == "B-LTA"
        # the signature's own timestamp, not the renewal's
        (signature,) = report["signatures"]
        assert signature["timestamp"] == stamped < second["timestamp"]
        assert all(f"(timestamped on {stamped})" in n for n in signature["notes"])
        assert not any(second["timestamp"] in n for n in signature["notes"])
    assert cli("verify", cid, *trust, "--json").json()["signatures"][0]["timestamp"] == stamped
    shown = cli("show", cid, "--json").json()
    (event,) = [e for e in shown["events"] if e["action"] == "timestamp.renew"]
    assert event["data"]["pdf_after"] == data["pdf_sha"]
    assert cli("verify", cid, *trust).code == 0  # the recorded signatures still match


def test_only_a_b_lta_contract_has_a_chain_to_renew(
    long_tsa: LongTsa, cli_setup: tuple[Cli, str]
) -> None:
    cli, cid = cli_setup
    _sign_with(cli, cid, long_tsa, "B-T")
    before = snapshot(cli.home)
    result = cli("renew-timestamp", cid, "--tsa", long_tsa.url, "--trust", str(long_tsa.ca_pem))
    assert result.code == 3, result.stderr
    assert "has no document timestamp" in result.stderr
    assert snapshot(cli.home) == before


def test_a_renewal_that_cannot_extend_the_proof_is_refused(
    tsa: Tsa, long_tsa: LongTsa, cli_setup: tuple[Cli, str]
) -> None:
    """The loopback TSA of test_timestamp publishes no revocation information: once its
    certificate expires, nothing proves it was not revoked before, so a new document
    timestamp would not carry the proof past that date. Refused, nothing stored."""
    cli, cid = cli_setup
    signed = cli(
        "sign", cid, "--key", "org", "--tsa", tsa.url, "--level", "B-LTA",
        "--trust", str(tsa.ca_pem),
    )  # fmt: skip
    assert signed.code == 0, signed.stderr
    before = snapshot(cli.home)
    trust = ["--trust", str(tsa.ca_pem), "--trust", str(long_tsa.ca_pem)]
    result = cli("renew-timestamp", cid, "--tsa", long_tsa.url, *trust, "--json")
    assert result.code == 4, result.stdout + result.stderr
    error = result.json()["error"]
    assert error["type"] == "ltv_failed"
    assert "would not prove the signatures after" in error["message"]
    assert snapshot(cli.home) == before


def test_a_dossier_archived_after_a_renewal_verifies_offline(
    month_tsa: LongTsa, long_tsa: LongTsa, cli_setup: tuple[Cli, str], tmp_path: Path
) -> None:
    """Both parties sign B-LTA, the chain is renewed, the contract is archived: the
    bundle's final.pdf is the renewed PDF, and verify-bundle accepts it offline."""
    cli, cid = cli_setup
    for ca in (month_tsa.ca_pem, long_tsa.ca_pem):
        assert cli("keys", "trust", "add", str(ca)).code == 0
    _sign_with(cli, cid, month_tsa, "B-LTA")
    other = cli(
        "sign", cid, "--key", "person-li-lei", "--party", "counterparty",
        "--tsa", month_tsa.url, "--level", "B-LTA",
    )  # fmt: skip
    assert other.code == 0, other.stderr
    assert cli("renew-timestamp", cid, "--tsa", long_tsa.url).code == 0
    bundle = tmp_path / "dossier.zip"
    archived = cli("archive", cid, "--bundle", str(bundle))
    assert archived.code == 0, archived.stderr
    checked = cli("verify-bundle", str(bundle), "--json")
    assert checked.code == 0, checked.stdout + checked.stderr
    assert checked.json()["verdict"] == "valid"
