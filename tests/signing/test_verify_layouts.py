"""Layouts other tools write, and changes pyHanko's LTA level lets through.

- A certification signature whose /Reference array and entries are indirect objects
  (the layout of pyHanko's test file ``certified-with-indirect-refs-in-dir``) and a
  PAdES-LTA file whose DSS arrays are indirect (``pades-lta-dss-indirect-arrs-test``)
  are valid: both are made here with pyHanko, the layout forced at signing time.
- A revision after the signatures that replaces the XMP metadata (a new ``dc:title``),
  changes the document information or adds an object nothing refers to is "modified",
  never "lta_updates".
"""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from contractctl.signing import keys
from contractctl.signing.signature_check import _coverage_problem
from contractctl.signing.verify import verify_contract, verify_pdf
from contractctl.store import Store
from tests.signing.test_ltv import _sign_lt, _trust
from tests.signing.test_sign import PASS
from tests.signing.test_timestamp import Tsa, cli_setup, signing_home, tsa
from tests.signing.test_verify import Signed, signed

__all__ = ["cli_setup", "signed", "signing_home", "tsa"]  # fixtures, used by name

TITLE = "Contract amount: USD 9,999,999"


def _problems(report: Any) -> str:
    return " | ".join([p for s in report.signatures for p in s.problems] + report.problems)


def test_a_certification_with_indirect_reference_entries_is_valid(
    signed: Signed, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers
    from pyhanko.sign.signers import cms_embedder

    original = cms_embedder.SigMDPSetup.apply

    def indirect(self: Any, sig_obj_ref: Any, writer: Any) -> None:
        original(self, sig_obj_ref, writer)
        sig = sig_obj_ref.get_object()
        entries = [writer.add_object(e.get_object()) for e in sig["/Reference"]]
        sig["/Reference"] = writer.add_object(generic.ArrayObject(entries))

    monkeypatch.setattr(cms_embedder.SigMDPSetup, "apply", indirect)
    signer = keys.load_signer(signed.home, "org", PASS)
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(signed.unsigned), strict=False)
    pdf = signers.PdfSigner(meta, signer).sign_pdf(writer).getvalue()
    sig = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures[0].sig_object
    assert isinstance(sig.raw_get("/Reference"), generic.IndirectObject)  # the layout
    report = verify_pdf(pdf, trust=signed.trust)
    assert report.verdict == "valid", _problems(report)
    assert report.signatures[0].certify is True


def test_a_pades_lta_file_with_indirect_dss_arrays_is_valid(
    tsa: Tsa, signing_home: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    original = DocumentSecurityStore.as_pdf_object

    def indirect(self: Any) -> Any:
        pdf_dict = original(self)
        for key in ("/Certs", "/OCSPs", "/CRLs"):
            value = pdf_dict.raw_get(key) if key in pdf_dict else None
            if isinstance(value, generic.ArrayObject):
                pdf_dict[generic.pdf_name(key)] = self.writer.add_object(value)
        return pdf_dict

    monkeypatch.setattr(DocumentSecurityStore, "as_pdf_object", indirect)
    home, cid = signing_home
    with Store.open(home) as store:
        result = _sign_lt(store, cid, tsa, "B-LTA")  # checks the embedded DSS itself
        report = verify_contract(store, cid, trust=_trust(home, tsa))
    dss = PdfFileReader(io.BytesIO(result.pdf_path.read_bytes()), strict=False).root["/DSS"]
    assert isinstance(dss.raw_get("/Certs"), generic.IndirectObject)
    assert isinstance(dss.raw_get("/CRLs"), generic.IndirectObject)
    assert report.verdict == "valid", _problems(report)
    (only,) = report.signatures
    assert (only.level, only.modifications) == ("B-LTA", "lta_updates")


def _xmp(title: str) -> bytes:
    return (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt>'
        "</dc:title></rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode()


def _append(pdf: bytes, objects: dict[int, bytes], root: int | None = None) -> bytes:
    """One incremental update written by hand, as any tool (or attacker) can: the objects,
    a classic xref section and a trailer pointing back at the previous one."""
    import re

    prev = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    trailer = re.findall(rb"trailer\s*<<(.*?)>>\s*startxref", pdf, re.S)[-1]
    size = int(re.search(rb"/Size\s+(\d+)", trailer).group(1))  # type: ignore[union-attr]
    root_ref = root or int(re.search(rb"/Root\s+(\d+)", trailer).group(1))  # type: ignore[union-attr]
    out = bytearray(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    offsets: dict[int, int] = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n"
    for number, offset in sorted(offsets.items()):
        out += b"%d 1\n%010d 00000 n \n" % (number, offset)
    new_size = max(size, max(objects) + 1)
    info = re.search(rb"/Info\s+\d+\s+\d+\s+R", trailer)
    out += b"trailer\n<< /Size %d /Root %d 0 R /Prev %d " % (new_size, root_ref, prev)
    out += (info.group(0) if info else b"") + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def _catalog_with(pdf: bytes, **entries: bytes) -> tuple[int, bytes]:
    """The catalog's object number and its dictionary with ``entries`` replaced."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    ref = reader.root_ref
    catalog = reader.root
    body = io.BytesIO()
    patched = dict(catalog)
    for key in entries:
        patched.pop(f"/{key}", None)
    from pyhanko.pdf_utils import generic

    generic.DictionaryObject(patched).write_to_stream(body)
    extra = b" ".join(b"/%s %s" % (k.encode(), v) for k, v in entries.items())
    return ref.idnum, body.getvalue()[:-2] + b" " + extra + b" >>"


def test_replacing_the_xmp_title_after_signing_is_modified(signed: Signed) -> None:
    packet = _xmp(TITLE)
    new = 9000
    number, catalog = _catalog_with(signed.twice, Metadata=b"%d 0 R" % new)
    stream = b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(packet)
    pdf = _append(signed.twice, {number: catalog, new: stream + packet + b"\nendstream"})
    report = verify_pdf(pdf, trust=signed.trust)
    assert report.verdict == "invalid"
    assert all(s.intact and s.valid and s.trusted for s in report.signatures)
    assert [s.modifications for s in report.signatures] == ["other", "other"]
    assert "the XMP metadata was replaced" in _problems(report)
    assert "lta_updates" not in str(report.to_dict())


def test_overwriting_the_metadata_stream_in_place_is_modified(signed: Signed) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(signed.twice), strict=False)
    number = reader.root.raw_get("/Metadata").idnum  # the same object, a new body
    packet = _xmp(TITLE)
    stream = b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(packet)
    pdf = _append(signed.twice, {number: stream + packet + b"\nendstream"})
    report = verify_pdf(pdf, trust=signed.trust)
    assert report.verdict == "invalid"
    assert "the XMP metadata was replaced" in _problems(report)


def test_an_orphan_object_after_signing_is_modified(signed: Signed) -> None:
    pdf = _append(signed.twice, {9001: b"<< /Note (" + TITLE.encode() + b") >>"})
    report = verify_pdf(pdf, trust=signed.trust)
    assert report.verdict == "invalid"
    assert "1 object(s) were added that nothing in the document refers to" in _problems(report)
    assert report.signatures[-1].modifications == "other"


def test_changing_the_document_information_after_signing_is_modified(signed: Signed) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(signed.twice), strict=False)
    info_ref = reader.trailer.raw_get("/Info")
    info = dict(reader.trailer["/Info"])
    info[generic.pdf_name("/Title")] = generic.TextStringObject(TITLE)
    body = io.BytesIO()
    generic.DictionaryObject(info).write_to_stream(body)
    pdf = _append(signed.twice, {info_ref.idnum: body.getvalue()})
    report = verify_pdf(pdf, trust=signed.trust)
    assert report.verdict == "invalid"
    assert "the document information (/Info) was changed" in _problems(report)


def test_our_own_two_signatures_stay_valid(signed: Signed) -> None:
    """pyHanko rewrites the XMP packet (ModifyDate) at every signature: not a change."""
    report = verify_pdf(signed.twice, trust=signed.trust)
    assert report.verdict == "valid", _problems(report)
    assert [s.modifications for s in report.signatures] == ["signatures", "none"]


def test_a_coverage_anomaly_names_the_byte_range_not_later_revisions() -> None:
    data = b"x" * 1000
    short = SimpleNamespace(byte_range=[0, 100, 300, 600])  # ends at byte 900 of 1000
    assert _coverage_problem(short, data, "partial") == (
        "the signature's byte range ends at byte 900 of 1000: the rest of the file is not signed"
    )
    late = SimpleNamespace(byte_range=[10, 90, 300, 700])
    assert "does not start at the beginning" in _coverage_problem(late, data, "partial")
    whole = SimpleNamespace(byte_range=[0, 100, 300, 700])
    assert "later revisions" not in _coverage_problem(whole, data, "partial")


def test_a_deleted_signature_row_is_caught_by_verify_id(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    from contractctl.signing.sign import sign
    from tests.signing.test_sign import copy_base

    home, ids = copy_base(tmp_path_factory, tmp_path)
    with Store.open(home) as store:
        sign(store, "t", ids[0], key="org", passphrase=PASS)
        sign(store, "t", ids[0], key="person-li-lei", passphrase=PASS)
        store.conn.execute("DELETE FROM signatures WHERE seq = 2")
        report = verify_contract(store, ids[0], trust=keys.trust_anchors(home))
    assert report.verdict == "invalid"
    assert "the PDF has 2 signature(s), the store recorded 1" in " ".join(report.problems)
