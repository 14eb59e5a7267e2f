"""One DOCX reader: every word Word shows, nothing it does not (deleted text, field codes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from contractctl.documents.docx_reader import read_docx
from tests.conftest import rewrite_docx
from tests.eval.docx_reading import CORPUS, measure

BODY = (
    '<w:p><w:r><w:t xml:space="preserve">甲方：</w:t></w:r>'
    '<w:ins w:id="1" w:author="x"><w:r><w:t>插入的文字</w:t></w:r></w:ins>'
    '<w:del w:id="2" w:author="x"><w:r><w:delText>删除的文字</w:delText></w:r></w:del></w:p>'
    "<w:sdt><w:sdtContent><w:p><w:r><w:t>控件中的文字</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    "<w:r><w:instrText> REF 定义 \\h </w:instrText></w:r>"
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>域结果</w:t></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    '<w:fldSimple w:instr=" DATE "><w:r><w:t>简单域</w:t></w:r></w:fldSimple></w:p>'
    '<w:p><w:r><w:t>锚定段落</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps">'
    "<w:drawing><wps:txbx><w:txbxContent><w:p><w:r><w:t>文本框内容</w:t></w:r></w:p>"
    "</w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox>"
    "<w:txbxContent><w:p><w:r><w:t>文本框内容</w:t></w:r></w:p></w:txbxContent></v:textbox>"
    "</w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
    '<w:p><w:r><w:t>第</w:t></w:r><w:fldSimple w:instr=" PAGE "><w:r><w:t>7</w:t></w:r>'
    "</w:fldSimple><w:r><w:t>页</w:t></w:r></w:p>"
)


def _word_file(tmp_path: Path) -> Path:
    from docx import Document

    document = Document()
    document.add_paragraph("PLACEHOLDER")
    document.sections[0].header.paragraphs[0].text = "页眉文字"
    document.sections[0].footer.paragraphs[0].text = "页脚文字"
    path = tmp_path / "w.docx"
    document.save(str(path))

    def edit(data: bytes) -> bytes:
        text = data.decode("utf-8")
        return text.replace("<w:p><w:r><w:t>PLACEHOLDER</w:t></w:r></w:p>", BODY).encode()

    return rewrite_docx(path, "word/document.xml", edit)


def test_inserted_text_boxes_controls_fields_headers_and_footers_are_read(
    tmp_path: Path,
) -> None:
    text = read_docx(_word_file(tmp_path))
    for shown in (
        "甲方：插入的文字",
        "控件中的文字",
        "域结果简单域",
        "锚定段落",
        "页眉文字",
        "页脚文字",
    ):
        assert shown in text, shown
    assert "第页" in text  # a page number's cached result is not what Word shows
    assert text.count("文本框内容") == 1  # one branch of mc:AlternateContent
    assert "删除的文字" not in text and "REF" not in text
    assert text.index("页眉文字") < text.index("甲方") < text.index("页脚文字")


def _lvl(ilvl: int, fmt: str, text: str, start: int = 1, extra: str = "") -> str:
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/>{extra}</w:lvl>'
    )


NUMBERING = (
    '<w:abstractNum w:abstractNumId="7">'
    + _lvl(0, "chineseCounting", "第%1条", extra='<w:suff w:val="space"/>')
    + _lvl(1, "decimal", "%1.%2", extra='<w:isLgl/><w:suff w:val="nothing"/>')
    + _lvl(2, "chineseCounting", "（%3）", extra='<w:suff w:val="nothing"/>')
    + "</w:abstractNum>"
    '<w:abstractNum w:abstractNumId="8">'
    + _lvl(0, "lowerLetter", "(%1)", extra='<w:suff w:val="nothing"/>')
    + _lvl(1, "upperRoman", "%2.", extra='<w:suff w:val="nothing"/>')
    + "</w:abstractNum>"
    '<w:num w:numId="70"><w:abstractNumId w:val="7"/></w:num>'
    '<w:num w:numId="71"><w:abstractNumId w:val="7"/></w:num>'
    '<w:num w:numId="80"><w:abstractNumId w:val="8"/>'
    '<w:lvlOverride w:ilvl="1"><w:startOverride w:val="4"/></w:lvlOverride></w:num>'
)


def _numbered(num_id: int, ilvl: int, text: str) -> str:
    return (
        f'<w:p><w:pPr><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
        f"</w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"
    )


def test_list_numbers_are_read_as_word_shows_them(tmp_path: Path) -> None:
    from docx import Document

    document = Document()
    document.add_paragraph("PLACEHOLDER")
    path = tmp_path / "n.docx"
    document.save(str(path))
    body = "".join(
        [
            _numbered(70, 0, "总则"),
            _numbered(70, 1, "定义"),
            _numbered(70, 2, "甲方"),
            _numbered(70, 2, "乙方"),
            _numbered(70, 1, "解释"),
            _numbered(71, 0, "价款"),  # another list of the same definition goes on counting
            _numbered(70, 1, "付款"),
            *[_numbered(70, 0, f"条{k}") for k in range(3, 12)],
            _numbered(80, 0, "first"),
            _numbered(80, 1, "second"),
            '<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="0"/></w:numPr></w:pPr>'
            "<w:r><w:t>无编号</w:t></w:r></w:p>",
        ]
    )
    rewrite_docx(
        path,
        "word/document.xml",
        lambda data: (
            data.decode().replace("<w:p><w:r><w:t>PLACEHOLDER</w:t></w:r></w:p>", body).encode()
        ),
    )
    rewrite_docx(
        path,
        "word/numbering.xml",
        lambda data: data.decode().replace("</w:numbering>", NUMBERING + "</w:numbering>").encode(),
    )
    lines = [line for line in read_docx(path).splitlines() if line]
    assert lines[:7] == [
        "第一条 总则",
        "1.1定义",
        "（一）甲方",
        "（二）乙方",
        "1.2解释",
        "第二条 价款",
        "2.1付款",
    ]
    assert "第十条 条10" in lines and "第十一条 条11" in lines
    assert lines[-3:] == ["(a)first", "IV.second", "无编号"]


SAMPLE = sorted(CORPUS.glob("*.docx"))[:3]


@pytest.mark.skipif(not SAMPLE, reason="the corpus (../shared/corpus/) is not there")
@pytest.mark.parametrize("path", SAMPLE, ids=[p.stem[:12] for p in SAMPLE])
def test_real_model_contracts_are_read_to_99_percent_of_libreoffices_text(path: Path) -> None:
    [score] = measure([path]).values()
    assert score >= 0.99, f"{score:.2%}"


def _boxes_file(path: Path, ticked: str) -> Path:
    """A lease whose choices are Word check boxes made with Insert > Symbol: Wingdings
    2's ☑ (F052) and □ (F0A3), as Chinese companies' Word templates make them."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.add_paragraph("房屋租赁合同")
    document.add_paragraph("出租方（甲方）：上海浦江置业有限公司")
    paragraph = document.add_paragraph("第二条 租赁期限：")
    for option in ("一年", "两年", "三年"):
        symbol = OxmlElement("w:sym")
        symbol.set(qn("w:font"), "Wingdings 2")
        symbol.set(qn("w:char"), "F052" if option == ticked else "F0A3")
        paragraph.add_run()._r.append(symbol)
        paragraph.add_run(f"{option} ")
    document.add_paragraph("第三条 争议解决：提交上海仲裁委员会仲裁。")
    document.save(str(path))
    return path


def test_word_symbol_check_boxes_are_read_as_the_boxes_they_show(tmp_path: Path) -> None:
    """A box ticked in Word's symbol font was read as nothing: a new tick was no change
    to diff and the metadata could not tell the chosen term. Read as ☑ and □, in the
    DOCX and in LibreOffice's PDF of it alike (the PDF keeps the font's code)."""
    import shutil

    from contractctl.compare import compare
    from contractctl.documents.extract import docx_text, pdf_text
    from contractctl.metadata import Term, extract_metadata

    two = _boxes_file(tmp_path / "two.docx", "两年")
    three = _boxes_file(tmp_path / "three.docx", "三年")

    assert "第二条 租赁期限：□一年 ☑两年 □三年" in docx_text(two)
    (change,) = compare(docx_text(two), docx_text(three)).changes
    assert change.clause == "第二条"
    meta = extract_metadata(docx_text(two))
    assert meta.term is not None and meta.term.value == Term(24, "months")
    if shutil.which("soffice") is None:
        pytest.skip("soffice is not installed")
    from contractctl.drafting.convert import convert_one

    pdf = tmp_path / "two.pdf"
    convert_one(two, pdf)
    assert "□一年 ☑两年 □三年" in pdf_text(pdf)
    assert compare(docx_text(two), pdf_text(pdf)).changes == []
