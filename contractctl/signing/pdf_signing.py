"""One signature made in a PDF's bytes: pyHanko's incremental update, its field and seal.

``sign_bytes`` takes the PDF and an opened signer and returns the signed bytes: a PAdES
signature (``ETSI.CAdES.detached``, SHA-256) in a new or prepared field, invisible or with
its seal drawn where contractctl.signing.seal places it, the empty fields of the later
signatories when a visible signature certifies, an RFC 3161 timestamp when asked for, and
for B-LT/B-LTA the validation data (contractctl.signing.ltv). Room for the CMS container
is reserved up front (``CMS_OVERHEAD``, ``TSA_RESERVE``) so pyHanko need not sign twice.

Apart from contractctl.signing.sign because it touches no store: bytes in, bytes out,
which is what lets `sign` make the signature (and wait for the TSA) before it takes the
store's write lock, and lets the tests sign a PDF directly.

pyHanko is imported inside the functions that use it.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from contractctl.errors import InvalidInput
from contractctl.signing.ltv import TsaFailed

if TYPE_CHECKING:
    from pyhanko.sign.signers import SimpleSigner

    from contractctl.signing.ltv import Gathering, TsaClient
    from contractctl.signing.seal import SealRequest

#: Room for a timestamp token (TSA certificate chain, signed attributes) in the signature.
TSA_RESERVE = 16384
#: Room for the CMS signed attributes and structure beyond certificates and signature.
CMS_OVERHEAD = 4096


def sign_bytes(
    pdf: bytes,
    signer: SimpleSigner,
    *,
    certify: bool,
    seq: int,
    reason: str | None,
    location: str | None,
    seal: SealRequest | None = None,
    party: str = "company",
    kind: str = "organisation",
    prepared: str | None = None,
    later: tuple[str, ...] = (),
    timestamper: TsaClient | None = None,
    gather: Gathering | None = None,
    seal_name: str | None = None,
) -> tuple[bytes, str, dict[str, str]]:
    """Sign ``pdf`` once (incremental update); the new bytes, the field name and the
    empty fields made for ``later`` parties (party -> field name).

    The field is invisible unless ``seal`` asks for a visible one: then it sits where
    contractctl.signing.seal.place puts it, with the drawn or image seal as its appearance. With
    ``prepared`` the signature fills that existing empty field (its box was fixed when
    it was made). ``later`` parties each get an empty visible field on their line of the
    signature block, in this same revision (before a certification seals the form).
    With ``timestamper`` the signature gets an RFC 3161 timestamp (TsaFailed otherwise);
    with ``gather`` also the validation data and, for B-LTA, a document timestamp.
    ``seal_name`` is the name the seal shows (default: the certificate's common name).
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError

    from contractctl.signing import ltv

    made: dict[str, str] = {}
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        taken = _field_names(writer)
        field = prepared if prepared is not None else _free_field_name(taken, seq)
        meta = signers.PdfSignatureMetadata(
            field_name=field,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            certify=certify,
            docmdp_permissions=fields.MDPPerm.FILL_FORMS,
            reason=reason,
            location=location,
            **(ltv.signature_settings(gather) if gather is not None and timestamper else {}),
        )
        spec: Any = fields.SigFieldSpec(sig_field_name=field)
        style = None
        boxes: list[tuple[int, tuple[int, int, int, int]]] = []
        if prepared is not None:
            if prepared not in taken:
                raise InvalidInput(f"the signature field {prepared!r} is not in the PDF")
            spec = None
            if seal is not None and seal.visible:
                style = _seal_style(seal, seal_name or signer_name(signer), kind)
        elif seal is not None and seal.visible:
            shown = seal_name or signer_name(signer)
            spec, style = _visible_field(pdf, writer, field, seal, shown, party, kind)
            boxes.append((spec.on_page, spec.box))
        taken.add(field)
        for n, other in enumerate(later, start=seq + 1):
            name = _free_field_name(taken, n)
            page, box = _prepared_box(pdf, writer, other, boxes)
            fields.append_signature_field(
                writer, fields.SigFieldSpec(sig_field_name=name, on_page=page, box=box)
            )
            boxes.append((page, box))
            taken.add(name)
            made[other] = name
        pdf_signer = signers.PdfSigner(
            meta,
            signer=signer,
            new_field_spec=spec,
            stamp_style=style,
            timestamper=timestamper.timestamper() if timestamper is not None else None,
        )
        reserved = _bytes_reserved(signer) + (2 * TSA_RESERVE if timestamper else 0)
        out = pdf_signer.sign_pdf(writer, bytes_reserved=reserved)
    except TsaFailed:
        raise
    except Exception as exc:
        failed = ltv.failure(exc) if gather is not None else None
        if failed is not None:
            raise failed from exc
        if isinstance(exc, (PdfError, SigningError, ValueError)):
            raise InvalidInput(f"cannot sign this PDF: {exc}") from exc
        raise
    return bytes(out.getvalue()), field, made


def _prepared_box(
    pdf: bytes,
    writer: Any,
    party: str,
    boxes: list[tuple[int, tuple[int, int, int, int]]],
) -> tuple[int, tuple[int, int, int, int]]:
    """The page and box of a later party's empty field: its line of the signature block
    on the last page, the size of a round seal (the largest), clear of ``boxes``."""
    from contractctl.signing import seal as seals

    count = int(writer.root["/Pages"]["/Count"])
    page_ref, _ = writer.find_page_for_modification(count - 1)
    x0, y0, x1, y1 = (float(v) for v in page_ref.get_object()["/MediaBox"])
    size = seals.ROUND_SIZE
    placement = seals.place(
        pdf,
        seals.SealRequest("auto"),
        page_count=count,
        page_size=(x1 - x0, y1 - y0),
        party=party,
        name="",
        size=size,
    )
    bx1, by1, bx2, by2 = (round(v) for v in placement.box)
    step = round(size) + 10
    for _ in range(8):  # no line found for two parties: side by side, not on top
        if not any(
            page == placement.page and bx1 < ox2 and ox1 < bx2 and by1 < oy2 and oy1 < by2
            for page, (ox1, oy1, ox2, oy2) in boxes
        ):
            break
        if bx1 - step >= 0:
            bx1, bx2 = bx1 - step, bx2 - step
        else:
            by1, by2 = by1 + step, by2 + step
    return placement.page, (bx1, by1, bx2, by2)


def _seal_style(seal: SealRequest, name: str, kind: str) -> Any:
    from contractctl.signing import seal as seals

    return seals.stamp_style(seal.mode, kind=kind, name=name, natural_size=True)


def _visible_field(
    pdf: bytes,
    writer: Any,
    field: str,
    seal: SealRequest,
    name: str,
    party: str,
    kind: str,
) -> tuple[Any, Any]:
    """The field spec (page, box) and stamp style of a visible seal."""
    from pyhanko.sign import fields

    from contractctl.signing import seal as seals

    size = seals.seal_size(kind)
    count = int(writer.root["/Pages"]["/Count"])
    last = (seal.page or count) - 1
    if last >= count:
        raise InvalidInput(f"--page {seal.page}: the PDF has {count} page(s)")
    page_ref, _ = writer.find_page_for_modification(last)
    x0, y0, x1, y1 = (float(v) for v in page_ref.get_object()["/MediaBox"])
    placement = seals.place(
        pdf,
        seal,
        page_count=count,
        page_size=(x1 - x0, y1 - y0),
        party=party,
        name=name,
        size=size,
    )
    bx1, by1, bx2, by2 = placement.box
    box = (round(bx1), round(by1), round(bx2), round(by2))
    spec = fields.SigFieldSpec(sig_field_name=field, on_page=placement.page, box=box)
    return spec, seals.stamp_style(seal.mode, kind=kind, name=name)


def _field_names(writer: Any) -> set[str]:
    from pyhanko.sign import fields

    return {name for name, _, _ in fields.enumerate_sig_fields(writer, filled_status=None)}


def _free_field_name(taken: set[str], seq: int) -> str:
    """``Signature<seq>``, or the next number not taken by a field already in the PDF."""
    n = seq
    while f"Signature{n}" in taken:
        n += 1
    return f"Signature{n}"


def _bytes_reserved(signer: SimpleSigner) -> int:
    """Room for the CMS container, as hex digits: certificates + signature + overhead.

    Passing it stops pyHanko from signing a dummy first just to measure (PERFORMANCE-NOTES).
    """
    certs = [signer.signing_cert, *signer.cert_registry]
    size = sum(len(c.dump()) for c in certs if c is not None)
    key_bits = signer.signing_cert.public_key.bit_size if signer.signing_cert else 4096
    size += 2 * (key_bits // 8) + 16 + CMS_OVERHEAD
    return 2 * size


def signer_name(signer: SimpleSigner) -> str:
    """The common name of the signer's certificate (else its whole subject)."""
    cert = signer.signing_cert
    if cert is None:
        return ""
    return str(cert.subject.native.get("common_name") or cert.subject.human_friendly)
