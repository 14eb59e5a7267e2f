"""`show` names every file a version has in the store, also the PDF an OCR check made.

A contract imported as a DOCX has no PDF of its own; its first `ocr-check` renders it
with LibreOffice and keeps that rendering in the store (docs/ocr-check.md), and `show`
then names it as the version's ``rendered_pdf`` (a new user's trial found ``pdf`` null
and nothing else). Real import, LibreOffice, pdfium and Tesseract.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Cli, word_file

CONTRACT = """设备维护服务合同
甲方：上海明远科技有限公司
乙方：上海恒泰设备维修有限公司
第一条 服务期限自2027年3月1日起至2028年2月29日止。
第二条 服务费用合计人民币12,000.00元。
签订日期：2027年2月20日"""


def _scan_of(docx: Path, tmp: Path) -> Path:
    """The printed and scanned contract: its LibreOffice PDF as page images only."""
    import pypdfium2

    from contractctl.drafting.convert import convert_one

    printed = tmp / "printed.pdf"
    convert_one(docx, printed)
    document = pypdfium2.PdfDocument(str(printed))
    try:
        pages = [page.render(scale=200 / 72).to_pil().convert("RGB") for page in document]
    finally:
        document.close()
    scan = tmp / "scan.pdf"
    pages[0].save(scan, save_all=True, append_images=pages[1:], resolution=200)
    return scan


def test_show_names_the_rendering_an_ocr_check_kept_of_an_imported_docx(
    cli: Cli, tmp_path: Path
) -> None:
    docx = word_file(tmp_path / "maintenance.docx", CONTRACT)
    made = cli("import", str(docx), "--json")
    assert made.code == 0, made.stderr
    cid = made.json()["contracts"][0]["id"]
    (before,) = cli("show", cid, "--json").json()["versions"]
    assert before["pdf"] is None and before["rendered_pdf"] is None  # nothing rendered yet

    checked = cli("ocr-check", str(_scan_of(docx, tmp_path)), "--against", cid, "--json")
    assert checked.code == 0, checked.stdout + checked.stderr
    assert checked.json()["verdict"] == "match"

    (after,) = cli("show", cid, "--json").json()["versions"]
    assert after["pdf"] is None  # the version's own files are what was imported
    rendered = Path(after["rendered_pdf"])
    assert rendered.is_file() and rendered.read_bytes().startswith(b"%PDF-")
