"""Visible seals: a red round seal for an organisation, a square one for a person, the
Chinese name in an embedded CJK font subset, and signatures that still verify.

Real pyHanko and real Poppler: pixels are counted on the page pdftoppm renders.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contractctl import tools
from contractctl.errors import InvalidInput, NotAllowed
from contractctl.signing import keys
from contractctl.signing.pdf_signing import sign_bytes as _sign_bytes
from contractctl.signing.seal import SealRequest, check_request, parse_box
from contractctl.signing.sign import sign
from contractctl.signing.verify import verify_pdf
from contractctl.store import Store
from tests.signing.test_sign import PASS, copy_base

DPI = 100


@pytest.fixture
def signing_store(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> tuple[Path, str]:
    home, ids = copy_base(tmp_path_factory, tmp_path)
    return home, ids[0]


def _pages(pdf: Path) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    with pdf.open("rb") as fh:
        return int(PdfFileReader(fh, strict=False).root["/Pages"]["/Count"])


def _seal_rects(pdf: Path, filled: bool | None = True) -> list[tuple[float, float, float, float]]:
    """The /Rect of every signed (``filled``; None: every) signature widget with a
    non-zero area."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields

    with pdf.open("rb") as fh:
        reader = PdfFileReader(fh, strict=False)
        rects = []
        for _, _, ref in fields.enumerate_sig_fields(reader, filled_status=filled):
            x1, y1, x2, y2 = (float(v) for v in ref.get_object()["/Rect"])
            if x2 > x1 and y2 > y1:
                rects.append((x1, y1, x2, y2))
        return rects


def _render(pdf: Path, page: int, tmp: Path) -> tuple[int, int, bytes]:
    """The page as RGB pixels (pdftoppm -ppm, a P6 file)."""
    prefix = tmp / f"render-{pdf.stem[:8]}-{page}"
    tools.run(
        ["pdftoppm", "-r", str(DPI), "-singlefile", "-f", str(page), "-l", str(page), pdf, prefix],
        timeout=60,
    )
    data = prefix.with_suffix(".ppm").read_bytes()
    fields_ = data.split(maxsplit=4)
    assert fields_[0] == b"P6" and fields_[3] == b"255"
    width, height = int(fields_[1]), int(fields_[2])
    return width, height, fields_[4][-width * height * 3 :]


def _red(image: tuple[int, int, bytes], box: tuple[float, float, float, float]) -> int:
    """Red pixels (R > 180, G and B < 90) inside ``box`` (PDF points, lower-left origin)."""
    width, height, pixels = image
    scale = DPI / 72
    x1, y1, x2, y2 = box
    cols = range(max(0, int(x1 * scale)), min(width, int(x2 * scale) + 1))
    rows = range(max(0, int(height - y2 * scale)), min(height, int(height - y1 * scale) + 1))
    count = 0
    for row in rows:
        for col in cols:
            i = (row * width + col) * 3
            r, g, b = pixels[i], pixels[i + 1], pixels[i + 2]
            if r > 180 and g < 90 and b < 90:
                count += 1
    return count


def _dark(image: tuple[int, int, bytes], box: tuple[float, float, float, float]) -> int:
    """Black-ish pixels (R, G and B < 100: text, not red ink) inside ``box``."""
    width, height, pixels = image
    scale = DPI / 72
    x1, y1, x2, y2 = box
    cols = range(max(0, int(x1 * scale)), min(width, int(x2 * scale) + 1))
    rows = range(max(0, int(height - y2 * scale)), min(height, int(height - y1 * scale) + 1))
    return sum(
        1
        for row in rows
        for col in cols
        if max(pixels[(row * width + col) * 3 : (row * width + col) * 3 + 3]) < 100
    )


def _unsigned(home: Path, cid: str) -> Path:
    with Store.open(home) as store:
        sha = store.conn.execute(
            "SELECT unsigned_pdf_sha FROM versions WHERE contract_id = ?", (cid,)
        ).fetchone()[0]
        return Path(store.objects.path(sha))


def test_an_organisation_gets_a_red_round_seal_that_verifies_and_embeds_its_cjk_font(
    signing_store: tuple[Path, str], tmp_path: Path
) -> None:
    home, cid = signing_store
    with Store.open(home) as store:
        result = sign(store, "wang.fang", cid, key="org", passphrase=PASS, seal=SealRequest("auto"))
    pdf = result.pdf_path
    report = verify_pdf(pdf, trust=keys.trust_anchors(home))
    assert report.ok, report.to_dict()
    out = tools.run(["pdfsig", pdf], timeout=60, check=False).stdout
    assert out.count("Signature Validation: Signature is Valid.") == 1, out
    fonts = tools.run(["pdffonts", pdf], timeout=60).stdout
    seal_fonts = [line for line in fonts.splitlines() if "NotoSansCJKsc-Bold" in line]
    assert seal_fonts, fonts
    assert all("+" in line.split()[0] and " yes yes " in line for line in seal_fonts), fonts
    # the name is real text in the seal: Poppler extracts it from the page
    last = _pages(pdf)
    text = tools.run(["pdftotext", "-f", str(last), "-l", str(last), pdf, "-"], timeout=60)
    assert all(ch in text.stdout for ch in "示例科技有限公司")
    [box] = _seal_rects(pdf)
    assert box[2] - box[0] == pytest.approx(113, abs=2)
    signed_page = _render(pdf, last, tmp_path)
    before_page = _render(_unsigned(home, cid), last, tmp_path)
    assert _red(signed_page, box) > 500
    assert _red(before_page, box) == 0
    # round: the corners of its box stay white, the middle (the star) is red
    x1, y1, x2, y2 = box
    corner = (x1, y2 - 12, x1 + 12, y2)
    assert _red(signed_page, corner) == 0
    mid_x, mid_y = (x1 + x2) / 2, (y1 + y2) / 2
    assert _red(signed_page, (mid_x - 6, mid_y - 6, mid_x + 6, mid_y + 6)) > 20
    # like ink on paper, the seal darkens and never hides the text under it (Multiply)
    assert _dark(before_page, box) > 100
    assert _dark(signed_page, box) >= 0.97 * _dark(before_page, box)


def test_the_seal_sits_on_the_partys_line_of_the_signature_block(
    signing_store: tuple[Path, str],
) -> None:
    from contractctl.signing.seal import text_lines

    home, cid = signing_store
    with Store.open(home) as store:
        result = sign(store, "t", cid, key="org", passphrase=PASS, seal=SealRequest("auto"))
    pdf = result.pdf_path
    last = _pages(pdf)
    [(x1, y1, x2, y2)] = _seal_rects(pdf)
    lines = text_lines(pdf.read_bytes(), last - 1)
    height = 841.9  # A4
    [label] = [box for text, box in lines if "甲方" in text and "盖章" in text]
    label_y = height - (label[1] + label[3]) / 2
    assert y1 < label_y < y2 and x1 < label[0] + 60 < x2


def test_a_person_gets_a_square_seal_and_seal_none_adds_no_red(
    signing_store: tuple[Path, str], tmp_path: Path
) -> None:
    home, cid = signing_store
    with Store.open(home) as store:
        first = sign(store, "t", cid, key="org", passphrase=PASS, seal=SealRequest("none"))
        with pytest.raises(NotAllowed, match="certified by the company"):
            sign(store, "t", cid, key="person-li-lei", passphrase=PASS, seal=SealRequest("auto"))
    # the square seal itself, as an approval signature on the unsigned PDF
    signer = keys.load_signer(home, "person-li-lei", PASS)
    data, _, _ = _sign_bytes(
        _unsigned(home, cid).read_bytes(),
        signer,
        certify=False,
        seq=1,
        reason=None,
        location=None,
        seal=SealRequest("auto"),
        party="counterparty",
        kind="person",
    )
    second_pdf = tmp_path / "person.pdf"
    second_pdf.write_bytes(data)
    last = _pages(first.pdf_path)
    assert _seal_rects(first.pdf_path) == []
    assert _red(_render(first.pdf_path, last, tmp_path), (0, 0, 595, 842)) == 0
    report = verify_pdf(second_pdf, trust=keys.trust_anchors(home))
    assert report.ok, report.to_dict()
    [box] = _seal_rects(second_pdf)
    x1, y1, x2, y2 = box
    assert x2 - x1 == pytest.approx(80, abs=2) and y2 - y1 == pytest.approx(80, abs=2)
    page = _render(second_pdf, last, tmp_path)
    assert _red(page, box) > 300
    # square: its corners are red too
    assert _red(page, (x1, y2 - 6, x1 + 6, y2)) > 5
    assert _red(page, (x2 - 6, y1, x2, y1 + 6)) > 5


def test_page_and_box_override_the_placement(signing_store: tuple[Path, str]) -> None:
    home, cid = signing_store
    request = check_request("auto", 1, "300,400,420,520")
    outside = check_request("auto", None, "500,700,900,900")
    with Store.open(home) as store:
        with pytest.raises(InvalidInput, match="lies outside the page"):
            sign(store, "t", cid, key="org", passphrase=PASS, seal=outside)
        result = sign(store, "t", cid, key="org", passphrase=PASS, seal=request)
    assert _seal_rects(result.pdf_path) == [(300, 400, 420, 520)]
    report = verify_pdf(result.pdf_path, trust=keys.trust_anchors(home))
    assert report.ok


@pytest.mark.parametrize(
    "text",
    ["1,2,3", "a,b,c,d", "100,100,50,200", "100,100,105,200", "-1,0,100,100", "nan,0,9,9"],
)
def test_a_malformed_box_is_bad_input(text: str) -> None:
    with pytest.raises(InvalidInput, match="--box"):
        parse_box(text)


def test_seal_options_are_checked_before_signing(tmp_path: Path) -> None:
    assert parse_box(" 10, 20,130,140") == (10, 20, 130, 140)
    assert check_request("none", None, None) == SealRequest("none")
    with pytest.raises(InvalidInput, match="PNG/JPEG"):
        check_request("seal.gif", None, None)
    with pytest.raises(InvalidInput, match="no such image"):
        check_request(str(tmp_path / "seal.png"), None, None)
    with pytest.raises(InvalidInput, match="--page 0"):
        check_request("auto", 0, None)
    with pytest.raises(InvalidInput, match="not with --seal none"):
        check_request("none", 2, None)


def test_the_certification_makes_the_counterpartys_field_and_both_seals_verify(
    signing_store: tuple[Path, str], tmp_path: Path
) -> None:
    from contractctl.signing.seal import text_lines

    home, cid = signing_store
    with Store.open(home) as store:
        first = sign(store, "wang.fang", cid, key="org", passphrase=PASS)  # auto by default
        second = sign(store, "li.lei", cid, key="person-li-lei", passphrase=PASS)
    assert first.certify and first.field == "Signature1"
    assert second.field == "Signature2" and second.status == "signed"
    # the first revision already holds the counterparty's empty field, with its box
    [company_box] = _seal_rects(first.pdf_path)
    [empty_box] = _seal_rects(first.pdf_path, filled=False)
    last = _pages(first.pdf_path)
    assert _red(_render(first.pdf_path, last, tmp_path), empty_box) == 0
    # the counterparty signed into it: same box, no new field
    assert sorted(_seal_rects(second.pdf_path)) == sorted([company_box, empty_box])
    assert _seal_rects(second.pdf_path, filled=False) == []
    # its box is on the 乙方（盖章） line
    lines = text_lines(first.pdf_path.read_bytes(), last - 1)
    [label] = [box for text, box in lines if "乙方" in text and "盖章" in text]
    label_y = 841.9 - (label[1] + label[3]) / 2
    assert empty_box[1] < label_y < empty_box[3]
    # both verify, without allowing form filling
    report = verify_pdf(second.pdf_path, trust=keys.trust_anchors(home))
    assert report.verdict == "valid", report.to_dict()
    assert [(s.field, s.certify, s.modifications) for s in report.signatures] == [
        ("Signature1", True, "signatures"),
        ("Signature2", False, "none"),
    ]
    assert verify_pdf(first.pdf_path, trust=keys.trust_anchors(home)).ok
    out = tools.run(["pdfsig", second.pdf_path], timeout=60, check=False).stdout
    assert out.count("Signature Validation: Signature is Valid.") == 2, out
    for pdf in (first.pdf_path, second.pdf_path):
        checked = tools.run(["qpdf", "--check", pdf], timeout=60, check=False)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "No syntax or stream encoding errors" in checked.stdout
    page = _render(second.pdf_path, last, tmp_path)
    assert _red(page, company_box) > 500
    assert _red(page, empty_box) > 300
    # a person's square seal keeps its own size (2.8 cm) in the middle of the larger box
    x1, y1, x2, y2 = empty_box
    assert x2 - x1 > 100
    assert _red(page, (x1, y1, x1 + 8, y2)) == 0 and _red(page, (x2 - 8, y1, x2, y2)) == 0


def test_a_prepared_field_has_a_fixed_place_and_seal_none_stays_invisible(
    signing_store: tuple[Path, str],
) -> None:
    home, cid = signing_store
    with Store.open(home) as store:
        sign(store, "t", cid, key="org", passphrase=PASS, seal=check_request("auto", 1, None))
        with pytest.raises(InvalidInput, match="fixed when the company certified"):
            sign(
                store,
                "t",
                cid,
                key="person-li-lei",
                passphrase=PASS,
                seal=check_request("auto", None, "300,400,420,520"),
            )
        with pytest.raises(InvalidInput, match="fixed when the company certified"):
            sign(
                store,
                "t",
                cid,
                key="person-li-lei",
                passphrase=PASS,
                seal=check_request("auto", 1, None),
            )
        second = sign(
            store, "t", cid, key="person-li-lei", passphrase=PASS, seal=SealRequest("none")
        )
    # --seal none: an invisible signature; the prepared field stays empty
    assert second.field == "Signature3"
    assert len(_seal_rects(second.pdf_path, filled=False)) == 1
    report = verify_pdf(second.pdf_path, trust=keys.trust_anchors(home))
    assert report.verdict == "valid", report.to_dict()


def test_a_scanned_seal_image_is_stamped_and_the_signature_verifies(
    signing_store: tuple[Path, str], tmp_path: Path
) -> None:
    from PIL import Image, ImageDraw

    stamp = tmp_path / "公章.png"
    image = Image.new("RGB", (400, 400), "white")
    ImageDraw.Draw(image).ellipse((10, 10, 390, 390), outline=(220, 0, 0), width=24)
    ImageDraw.Draw(image).regular_polygon((200, 200, 80), 5, fill=(220, 0, 0))
    image.save(stamp)
    home, cid = signing_store
    with Store.open(home) as store:
        result = sign(
            store,
            "wang.fang",
            cid,
            key="org",
            passphrase=PASS,
            seal=check_request(str(stamp), None, None),
        )
    pdf = result.pdf_path
    assert verify_pdf(pdf, trust=keys.trust_anchors(home)).ok
    [box] = _seal_rects(pdf)
    assert _red(_render(pdf, _pages(pdf), tmp_path), box) > 500
