"""A contract whose page number sits in a footer text box that grows to its text converts.

WPS writes the page number as a floating VML text box in the footer, styled
``mso-fit-shape-to-text:t``. LibreOffice can lay such a footer out forever: the model
contract 危险化学品生产经营企业自建网站销售合同 was never converted (730 s and still going).
The conversion now opens a copy whose footer box has a fixed height. The file here is
made with python-docx and the box's raw XML as WPS writes it, and converted by the real
LibreOffice, one at a time and in a batch; its PDF says what the DOCX reader reads.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from contractctl.compare import compare
from contractctl.documents.docx_reader import read_docx
from contractctl.drafting.footer_boxes import fixed_boxes_copy
from tests.drafting.test_convert import converted_text
from tests.drafting.word_xml import replace_run


def _box(height: str, paragraphs: list[str], fit: bool = True) -> str:
    """A footer run holding a floating VML text box, as WPS writes a page number."""
    fit_style = ' style="mso-fit-shape-to-text:t;"' if fit else ""
    body = "".join(
        f'<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr>{text}</w:p>' for text in paragraphs
    )
    return (
        '<w:r><w:pict><v:shape id="_x0000_s4097" o:spt="202" type="#_x0000_t202" style="'
        f"position:absolute;left:0pt;margin-top:0pt;height:{height};width:144pt;"
        "mso-position-horizontal:center;mso-position-horizontal-relative:margin;"
        'mso-wrap-style:none;z-index:251659264;" filled="f" stroked="f">'
        f'<v:textbox inset="0mm,0mm,0mm,0mm"{fit_style}><w:txbxContent>{body}'
        "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
    )


_PAGE = (
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    '<w:r><w:instrText xml:space="preserve"> PAGE  \\* MERGEFORMAT </w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
)


def _contract(path: Path, box: str) -> Path:
    """A two-page sales contract whose footer is ``box``."""
    import docx

    document = docx.Document()
    document.sections[0].footer.paragraphs[0].text = "FOOTER_BOX"
    document.add_paragraph("危险化学品销售合同")
    for number in range(1, 13):
        document.add_paragraph(f"第{number}条 买受人应按本合同约定的期限支付货款，出卖人按期交货。")
    document.add_paragraph("PAGE_BREAK")
    document.add_paragraph("合同编号：HX-2026-001")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    replace_run(path, "FOOTER_BOX", box, member="word/footer1.xml")
    replace_run(path, "PAGE_BREAK", '<w:r><w:br w:type="page"/></w:r>')
    return path


@pytest.fixture(scope="module")
def contract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("boxes")
    return _contract(folder / "销售合同.docx", _box("144pt", [_PAGE]))


def _footer(path: Path) -> str:
    return zipfile.ZipFile(path).read("word/footer1.xml").decode("utf-8")


@pytest.mark.parametrize("batch", [False, True], ids=["one-shot", "batch"])
def test_the_contract_converts_and_its_pdf_says_what_word_shows(
    contract: Path, tmp_path: Path, batch: bool
) -> None:
    before = contract.read_bytes()
    text = converted_text(contract, tmp_path / "销售合同.pdf", batch=batch)
    flat = "".join(text.split())
    assert "第12条买受人应按本合同约定的期限支付货款，出卖人按期交货。" in flat
    assert "合同编号：HX-2026-001" in flat
    assert contract.read_bytes() == before  # the user's file is never touched
    assert compare(read_docx(contract), text).changes == []


def test_the_copy_keeps_the_box_its_text_and_its_height(contract: Path, tmp_path: Path) -> None:
    copy = fixed_boxes_copy(contract, tmp_path)
    assert copy != contract and copy.parent == tmp_path
    footer = _footer(copy)
    assert "mso-fit-shape-to-text" not in footer
    assert "height:144pt" in footer and "PAGE" in footer and "<w:t>1</w:t>" in footer
    assert zipfile.ZipFile(copy).read("word/document.xml") == zipfile.ZipFile(contract).read(
        "word/document.xml"
    )


def test_a_box_smaller_than_its_text_gets_the_height_its_lines_need(tmp_path: Path) -> None:
    lines = [f'<w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:t>第{n}行</w:t></w:r>' for n in (1, 2)]
    small = _contract(tmp_path / "small.docx", _box("6pt", lines))
    footer = _footer(fixed_boxes_copy(small, tmp_path / "copy"))
    height = float(re.search(r"height:([0-9.]+)pt", footer).group(1))  # type: ignore[union-attr]
    assert height >= 2 * 14 * 1.2  # two lines of 14 pt, never cut off
    assert "第2行" in footer


def test_a_file_without_a_growing_box_is_converted_as_it_is(tmp_path: Path) -> None:
    plain = _contract(tmp_path / "plain.docx", _box("144pt", [_PAGE], fit=False))
    assert fixed_boxes_copy(plain, tmp_path / "out") == plain
    damaged = tmp_path / "damaged.docx"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    assert fixed_boxes_copy(damaged, tmp_path / "out") == damaged
    assert not (tmp_path / "out").exists()
