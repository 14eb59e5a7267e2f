"""Verification catches what it must, on real signed files (no mocks): bytes changed in
the signed range, a page changed by a later incremental update, an untrusted signer, an
expired certificate, a removed signature, appended bytes and files it cannot read.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from contractctl.errors import InvalidInput
from contractctl.signing import keys
from contractctl.signing.binding import bind
from contractctl.signing.sign import sign
from contractctl.signing.verify import parse_at, verify_contract, verify_pdf
from contractctl.store import Store
from tests.pki import make_ca, make_leaf
from tests.signing.test_sign import PASS, copy_base, rogue_identity


@dataclass
class Signed:
    """One contract signed by both parties, and every file along the way."""

    home: Path
    contract: str
    unsigned: bytes
    once: bytes
    twice: bytes
    trust: list[bytes]


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Signed:
    home, ids = copy_base(tmp_path_factory, tmp_path_factory.mktemp("verify"))
    with Store.open(home) as store:
        unsigned_sha = store.conn.execute(
            "SELECT pdf_sha FROM versions WHERE contract_id = ?", (ids[0],)
        ).fetchone()[0]
        first = sign(store, "t", ids[0], key="org", passphrase=PASS)
        second = sign(store, "t", ids[0], key="person-li-lei", passphrase=PASS)
        return Signed(
            home=home,
            contract=ids[0],
            unsigned=store.objects.path(unsigned_sha).read_bytes(),
            once=first.pdf_path.read_bytes(),
            twice=second.pdf_path.read_bytes(),
            trust=keys.trust_anchors(home),
        )


def _problems(report: Any) -> str:
    return " | ".join([p for s in report.signatures for p in s.problems] + report.problems)


def test_an_untouched_signed_pdf_is_valid_and_says_when_it_was_validated(signed: Signed) -> None:
    report = verify_pdf(signed.twice, trust=signed.trust)
    data = report.to_dict()
    assert data["verdict"] == "valid", _problems(report)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["validation_time"])
    first, second = data["signatures"]
    assert set(first) >= {
        "signer",
        "valid",
        "trusted",
        "intact",
        "coverage",
        "modifications",
        "timestamp",
        "level",
        "expired",
        "problems",
    }
    assert (first["coverage"], first["modifications"], first["certify"]) == (
        "entire_revision",
        "signatures",
        True,
    )
    assert (second["coverage"], second["modifications"]) == ("entire_file", "none")
    assert all(s["level"] == "B-B" and s["timestamp"] is None for s in (first, second))
    assert all(s["expired"] is False and s["problems"] == [] for s in (first, second))


def test_a_byte_changed_inside_the_signed_range_breaks_integrity(signed: Signed) -> None:
    data = bytearray(signed.twice)
    data[10] ^= 0x01  # in the binary comment under %PDF-1.x: parsers ignore it, digests do not
    report = verify_pdf(bytes(data), trust=signed.trust)
    assert report.verdict == "invalid"
    assert [s.intact for s in report.signatures] == [False, False]
    assert "digest mismatch" in _problems(report)


def test_a_page_changed_by_a_later_incremental_update_is_caught(signed: Signed) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed.twice))
    text = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 720 Td (PAID IN FULL) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(text))
    out = io.BytesIO()
    writer.write(out)
    report = verify_pdf(out.getvalue(), trust=signed.trust, allow_form_filling=True)
    assert report.verdict == "invalid"
    assert all(s.intact and s.valid and s.trusted for s in report.signatures)  # still intact...
    last = report.signatures[-1]
    assert (last.modifications, last.revisions_after) == ("other", 1)  # ...but modified after
    assert "modified after signing: 1 revision(s) added after this signature" in _problems(report)


def _with_empty_field(pdf: bytes) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    fields.append_signature_field(writer, fields.SigFieldSpec(sig_field_name="Witness"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_form_filling_after_the_last_signature_passes_only_when_allowed(signed: Signed) -> None:
    filled = _with_empty_field(signed.twice)
    strict = verify_pdf(filled, trust=signed.trust)
    assert strict.verdict == "invalid"
    assert strict.signatures[-1].revisions_after == 1
    assert strict.signatures[-1].modifications == "lta_updates"  # pyHanko: an empty field
    assert "modified after signing: 1 revision(s)" in _problems(strict)
    lenient = verify_pdf(filled, trust=signed.trust, allow_form_filling=True)
    assert lenient.verdict == "valid", _problems(lenient)


def test_bytes_appended_after_the_signed_range_are_flagged(signed: Signed) -> None:
    report = verify_pdf(signed.twice + b"\n% appended\n", trust=signed.trust)
    assert report.verdict == "invalid"
    assert "12 byte(s) appended after the signed range" in _problems(report)


def test_a_removed_signature_is_caught(signed: Signed) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields

    writer = IncrementalPdfFileWriter(io.BytesIO(signed.twice))
    for name, _, ref in fields.enumerate_sig_fields(writer):
        if name == "Signature2":
            field = ref.get_object()
            del field["/V"]
            field["/T"] = generic.TextStringObject("Signature2")
            writer.mark_update(ref)
    out = io.BytesIO()
    writer.write(out)
    report = verify_pdf(out.getvalue(), trust=signed.trust)
    assert report.verdict == "invalid"
    assert [s.field for s in report.signatures] == ["Signature1"]
    assert "1 signature(s) present in an earlier revision are no longer in the document" in (
        _problems(report)
    )


def test_a_signature_cut_off_the_stored_file_is_caught_against_the_record(signed: Signed) -> None:
    import os
    import shutil

    home = shutil.copytree(signed.home, signed.home.parent / "cut", symlinks=True)
    with Store.open(home) as store:
        sha = store.conn.execute(
            "SELECT pdf_sha FROM versions WHERE contract_id = ?", (signed.contract,)
        ).fetchone()[0]
        path = store.objects.path(sha)
        os.chmod(path, 0o644)
        path.write_bytes(signed.once)  # the file as it was before the counterparty signed
        report = verify_contract(store, signed.contract, trust=signed.trust)
    assert report.verdict == "invalid"
    text = _problems(report)
    assert "does not match its recorded SHA-256" in text
    assert "the store recorded 2 signature(s), the PDF has 1" in text
    assert verify_pdf(signed.once, trust=signed.trust).verdict == "valid"  # alone, it looks fine


def test_a_signer_from_an_unrelated_ca_is_untrusted_until_its_root_is_given(
    signed: Signed, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    home, ids = copy_base(tmp_path_factory, tmp_path)
    p12 = rogue_identity(tmp_path_factory)
    with Store.open(home) as store:
        keys.import_identity(store, "t", p12, name="rogue", passphrase=PASS)
        bind(store, "t", "rogue", "company")  # its certificate names Rogue Ltd
        result = sign(store, "t", ids[0], key="rogue", passphrase=PASS)
    report = verify_pdf(result.pdf_path, trust=keys.trust_anchors(home))
    assert report.verdict == "invalid"
    (only,) = report.signatures
    assert (only.intact, only.valid, only.trusted, only.signer) == (True, True, False, "Rogue Ltd")
    assert "does not chain to a trusted root" in _problems(report)
    rogue_root = p12.parent / "test-ca.crt.pem"
    trusted = verify_pdf(result.pdf_path, trust=keys.trust_anchors(home, [rogue_root]))
    assert trusted.verdict == "valid", _problems(trusted)


# -- certificates made by hand ----------------------------------------------------------


def _p12(key: Any, cert: Any, ca_cert: Any) -> bytes:
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    return pkcs12.serialize_key_and_certificates(
        b"old", key, cert, [ca_cert], BestAvailableEncryption(PASS.encode())
    )


def make_expired_p12(home: Path, tmp_path: Path) -> Path:
    """A PKCS#12 identity whose certificate expired yesterday."""
    ca_key, ca_cert = make_ca()
    now = datetime.now(UTC)
    key, cert = make_leaf(ca_key, ca_cert, start=now - timedelta(days=30), end=now - timedelta(1))
    path = tmp_path / "old.p12"
    path.write_bytes(_p12(key, cert, ca_cert))
    return path


def test_an_expired_certificate_is_reported_apart_from_integrity(signed: Signed) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    ca_key, ca_cert = make_ca()
    now = datetime.now(UTC)
    key, cert = make_leaf(ca_key, ca_cert, start=now - timedelta(days=30), end=now - timedelta(1))
    signer = signers.SimpleSigner.load_pkcs12_data(
        _p12(key, cert, ca_cert), other_certs=[], passphrase=PASS.encode()
    )
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES
    )
    out = signers.PdfSigner(meta, signer).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(signed.unsigned))
    )
    pdf = out.getvalue()
    trust = [ca_cert.public_bytes(Encoding.PEM)]
    report = verify_pdf(pdf, trust=trust)
    (only,) = report.signatures
    assert report.verdict == "invalid"
    assert (only.intact, only.valid, only.trusted, only.expired) == (True, True, True, True)
    assert "the certificate expired on" in _problems(report)
    # Validated at a date when the certificate was in force, the same file holds.
    then = (now - timedelta(days=10)).date().isoformat()
    earlier = verify_pdf(pdf, trust=trust, at=then)
    assert earlier.validation_time == f"{then}T23:59:59Z"
    assert earlier.signatures[0].expired is False


def test_files_that_cannot_be_read_are_never_valid(signed: Signed) -> None:
    garbage = verify_pdf(b"%PDF-1.7\nthis is not a pdf\n", trust=signed.trust)
    assert garbage.verdict == "cannot_verify"
    assert "cannot read the PDF" in _problems(garbage)
    truncated = verify_pdf(signed.twice[: len(signed.twice) // 2], trust=signed.trust)
    assert truncated.verdict in ("cannot_verify", "invalid")
    assert truncated.verdict != "valid"
    # The last signature's CMS blob zeroed: the file parses, the signature cannot be read.
    start = signed.twice.rindex(b"/Contents <") + len(b"/Contents <")
    zeroed = signed.twice[:start] + b"0" * 64 + signed.twice[start + 64 :]
    broken = verify_pdf(zeroed, trust=signed.trust)
    assert broken.verdict != "valid"
    assert broken.verdict == "cannot_verify"
    assert [s.readable for s in broken.signatures] == [True, False]
    assert broken.signatures[0].intact  # the first signature is still checked
    unsigned = verify_pdf(signed.unsigned, trust=signed.trust)
    assert (unsigned.verdict, unsigned.problems) == ("invalid", ["the PDF has no signatures"])


def test_validation_time_must_be_now_signing_time_or_a_date() -> None:
    assert parse_at("signing-time") is None
    assert parse_at("2026-03-01") == datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="--at"):
        parse_at("yesterday")


def test_signing_time_validation_uses_each_signatures_claimed_time(signed: Signed) -> None:
    report = verify_pdf(signed.twice, trust=signed.trust, at="signing-time")
    assert report.verdict == "valid", _problems(report)
    assert report.validation_time == "signing-time"
    assert all(s.validation_time == s.signed_at for s in report.signatures)
