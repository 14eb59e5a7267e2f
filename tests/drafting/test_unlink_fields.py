"""A Word file's cross-references print as Word shows them, never as LibreOffice's error.

A contract written in Word refers to its own clauses (``见第 7.3 条``) through REF fields
on bookmarks; when the bookmark went missing (its heading deleted or retyped), Word still
shows the last result, LibreOffice prints "Error: Reference source not found". The files
here are made with python-docx and Word's raw field XML, and converted by the real
LibreOffice, one at a time and in a batch.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from contractctl.compare import compare
from contractctl.documents.docx_reader import read_docx
from contractctl.documents.extract import pdf_text
from contractctl.drafting.convert import convert_one
from contractctl.drafting.unlink_fields import unlinked_copy
from tests.drafting.test_convert import _need, converted_text
from tests.drafting.word_xml import replace_run


def _field(code: str, result: str) -> str:
    """A complex field as Word writes it: begin, code, separate, cached result, end."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {code} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"<w:r><w:t>{result}</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def _contract(path: Path) -> Path:
    """A contract whose cross-references point to one bookmark that is there and to
    several that were deleted with their headings."""
    import docx

    document = docx.Document()
    document.add_paragraph("第一条 付款")
    document.add_paragraph("甲方应于收到发票后三十日内付款。")
    document.add_paragraph("第二条 违约责任")
    document.add_paragraph("逾期付款的，按照 HERE_PRESENT 的约定支付违约金。")
    document.add_paragraph("第三条 争议解决")
    document.add_paragraph("争议按照 HERE_MISSING 的约定处理，详见 HERE_SIMPLE 所列。")
    document.add_paragraph("附件清单见 HERE_PAGE 页。")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    replace_run(path, "第一条 付款", '<w:bookmarkStart w:id="1" w:name="_Ref100"/>'
                '<w:r><w:t>第一条 付款</w:t></w:r><w:bookmarkEnd w:id="1"/>')  # fmt: skip
    replace_run(path, "逾期付款的，按照 HERE_PRESENT 的约定支付违约金。",
                "<w:r><w:t>逾期付款的，按照</w:t></w:r>" + _field("REF _Ref100 \\h", "第一条")
                + "<w:r><w:t>的约定支付违约金。</w:t></w:r>")  # fmt: skip
    replace_run(path, "争议按照 HERE_MISSING 的约定处理，详见 HERE_SIMPLE 所列。",
                "<w:r><w:t>争议按照</w:t></w:r>" + _field("REF _Ref999 \\r \\h", "第九条")
                + "<w:r><w:t>的约定处理，详见</w:t></w:r>"
                + '<w:fldSimple w:instr=" REF _Ref998 \\h "><w:r><w:t>附件四</w:t></w:r>'
                + "</w:fldSimple><w:r><w:t>所列。</w:t></w:r>")  # fmt: skip
    replace_run(path, "附件清单见 HERE_PAGE 页。",
                "<w:r><w:t>附件清单见第</w:t></w:r>" + _field("PAGEREF _Ref997 \\h", "12")
                + "<w:r><w:t>页。</w:t></w:r>")  # fmt: skip
    return path


def _flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def contract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _contract(tmp_path_factory.mktemp("fields") / "付款合同.docx")


@pytest.mark.parametrize("batch", [False, True], ids=["one-shot", "batch"])
def test_the_pdf_shows_each_reference_as_word_does_and_diff_finds_nothing(
    contract: Path, tmp_path: Path, batch: bool
) -> None:
    before = contract.read_bytes()
    text = converted_text(contract, tmp_path / "付款合同.pdf", batch=batch)
    flat = _flat(text)
    assert "Error" not in text and "错误" not in text, text
    assert "按照第一条的约定支付违约金" in flat
    assert "争议按照第九条的约定处理，详见附件四所列" in flat
    assert "附件清单见第12页" in flat
    assert contract.read_bytes() == before  # the user's file is never touched
    assert compare(read_docx(contract), text).changes == []
    assert "争议按照第九条的约定处理，详见附件四所列" in flat


def test_the_copy_keeps_every_result_and_the_link_and_the_reader_reads_the_same(
    contract: Path, tmp_path: Path
) -> None:
    copy = unlinked_copy(contract, tmp_path)
    assert copy != contract and copy.parent == tmp_path
    xml = zipfile.ZipFile(copy).read("word/document.xml").decode("utf-8")
    assert "REF _Ref" not in xml.replace("PAGEREF", "")
    assert 'w:anchor="_Ref100"' in xml  # the reference to a bookmark that is there still links
    assert read_docx(copy) == read_docx(contract)


def test_a_file_without_cross_references_is_converted_as_it_is(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("第一条 REFERENCE 付款")
    document.save(str(tmp_path / "plain.docx"))
    assert unlinked_copy(tmp_path / "plain.docx", tmp_path / "out") == tmp_path / "plain.docx"
    assert not (tmp_path / "out").exists()


def test_a_damaged_file_goes_to_libreoffice_as_it_is(tmp_path: Path) -> None:
    import docx

    from tests.conftest import rewrite_docx

    document = docx.Document()
    document.add_paragraph("见第 HERE 条。")
    document.save(str(tmp_path / "damaged.docx"))
    replace_run(tmp_path / "damaged.docx", "见第 HERE 条。", _field("REF _Ref1 \\h", "七"))
    rewrite_docx(tmp_path / "damaged.docx", "word/document.xml", lambda data: data[:-40])
    assert unlinked_copy(tmp_path / "damaged.docx", tmp_path / "out") == tmp_path / "damaged.docx"


# A chapter numbered by Word's list (第%1章, from 3) whose paragraph holds nothing but the
# section break: Word shows 第3章 on a line of its own before the break.
_CHAPTERS = (
    '<w:abstractNum w:abstractNumId="90"><w:multiLevelType w:val="singleLevel"/>'
    '<w:lvl w:ilvl="0"><w:start w:val="3"/><w:numFmt w:val="decimal"/>'
    '<w:suff w:val="space"/><w:lvlText w:val="第%1章"/><w:lvlJc w:val="left"/></w:lvl>'
    "</w:abstractNum>"
)
_BARE_BREAK = (
    '<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="90"/></w:numPr>'
    '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
    '<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="851"'
    ' w:footer="992" w:gutter="0"/></w:sectPr></w:pPr></w:p>'
)


def _chapter_break(path: Path) -> Path:
    import docx

    from tests.conftest import rewrite_docx

    document = docx.Document()
    document.add_paragraph("第二章 适用法律")
    document.add_paragraph("本合同适用中华人民共和国法律。")
    document.add_paragraph("BARE_BREAK")
    document.add_paragraph("第四章 争议的解决")
    document.add_paragraph("争议由双方协商解决。")
    document.save(str(path))

    def numbering(data: bytes) -> bytes:
        text = data.decode("utf-8")
        first = text.index("<w:num ")
        num = '<w:num w:numId="90"><w:abstractNumId w:val="90"/></w:num>'
        return (
            (text[:first] + _CHAPTERS + text[first:])
            .replace("</w:numbering>", num + "</w:numbering>")
            .encode("utf-8")
        )

    rewrite_docx(path, "word/numbering.xml", numbering)
    plain = "<w:p><w:r><w:t>BARE_BREAK</w:t></w:r></w:p>"
    return rewrite_docx(
        path, "word/document.xml", lambda d: d.decode("utf-8").replace(plain, _BARE_BREAK).encode()
    )


def test_a_numbered_paragraph_holding_only_a_section_break_keeps_its_number(
    tmp_path: Path,
) -> None:
    _need("soffice")
    path = _chapter_break(tmp_path / "购售电合同.docx")
    assert "第3章" in read_docx(path)  # as Word shows it

    convert_one(path, tmp_path / "购售电合同.pdf")
    text = pdf_text(tmp_path / "购售电合同.pdf")

    assert "第3章" in _flat(text), text
    assert compare(read_docx(path), text).changes == []
    copy = unlinked_copy(path, tmp_path / "copy")
    assert copy != path and read_docx(copy).split() == read_docx(path).split()
