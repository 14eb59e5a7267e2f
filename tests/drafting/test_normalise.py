"""Templates as Word writes them: split by its own markers, accepted; really split, refused.

A legal team's templates were typed and retyped in Word. Its spell checker, bookmarks,
revision ids and render marks cut ``{{ contract_no }}`` into several runs that look the
same; the linter must see one tag there. Only a tag whose parts really look different
(half of it bold) is refused, and the message names the two formats.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from contractctl.drafting.normalise import normalise_docx
from tests.drafting.test_lint import CLEAN, lint, only, write_docx
from tests.drafting.word_xml import bookmark_split, proof_err_split, replace_run, run

NUMBER = "合同编号：{{ contract_no }}"
TOTAL = "总价款为{{ amount|money }}（大写：{{ amount|cn_upper }}）。"


@pytest.fixture
def word(tmp_path: Path) -> Callable[[str, str], Path]:
    """The clean template with one paragraph's run replaced by Word-like runs."""
    counter = iter(range(1000))

    def build(text: str, xml: str) -> Path:
        path = write_docx(tmp_path / f"w{next(counter)}.docx", CLEAN)
        return replace_run(path, text, xml)

    return build


WORD_SPLITS = {
    "spell-check-marks": (NUMBER, proof_err_split("合同编号：{{ contract", "_no", " }}")),
    "bookmark-and-render-mark": (
        TOTAL,
        bookmark_split("总价款为{{ amount", "|money }}（大写：{{ amount|cn_upper }}）。"),
    ),
    "revision-ids-only": (
        NUMBER,
        run("合同编号：{{ con", rsid="00000001") + run("tract_no }}", rsid="00000002"),
    ),
    "language-and-font-hint": (
        NUMBER,
        run("合同编号：{{ ", '<w:rFonts w:hint="eastAsia"/><w:lang w:eastAsia="zh-CN"/>')
        + run("contract_no }}", '<w:lang w:val="en-US"/>'),
    ),
    "same-formatting-twice": (
        NUMBER,
        run("合同编号：{{ contract", '<w:b/><w:sz w:val="24"/>')
        + '<w:proofErr w:type="gramStart"/>'
        + run("_no }}", '<w:b/><w:sz w:val="24"/>'),
    ),
}


@pytest.mark.parametrize("case", list(WORD_SPLITS))
def test_a_tag_split_only_by_words_markers_is_accepted(
    word: Callable[[str, str], Path], case: str
) -> None:
    text, xml = WORD_SPLITS[case]
    assert lint(word(text, xml)) == []


def test_normalising_joins_the_tag_into_one_run_and_keeps_the_rest(
    word: Callable[[str, str], Path], tmp_path: Path
) -> None:
    from docx import Document

    text, xml = WORD_SPLITS["bookmark-and-render-mark"]
    clean = tmp_path / "clean.docx"
    assert normalise_docx(word(text, xml), clean) > 0
    document = Document(str(clean))
    [para] = [p for p in document.paragraphs if p.text.startswith("总价款为")]
    assert para.text == TOTAL
    assert [r.text for r in para.runs] == [TOTAL]
    body = zipfile.ZipFile(clean).read("word/document.xml").decode()
    for marker in ("proofErr", "bookmarkStart", "lastRenderedPageBreak", "w:rsidR="):
        assert marker not in body.split("<w:sectPr")[0], marker
    assert "采购合同" in body  # the other paragraphs are untouched


def test_a_tag_whose_parts_really_differ_is_refused_naming_both_formats(
    word: Callable[[str, str], Path],
) -> None:
    xml = (
        run("合同编号：{{ contract")
        + '<w:proofErr w:type="spellStart"/>'
        + run("_no }}", '<w:b/><w:color w:val="FF0000"/>')
    )
    [problem] = only(lint(word(NUMBER, xml)), "split-tag")
    assert "'{{ contract' is plain" in problem.message
    assert "'_no }}' is bold, colour FF0000" in problem.message
    assert "合同编号" in problem.context


def test_a_tag_cut_by_a_hyperlink_edge_says_so(word: Callable[[str, str], Path]) -> None:
    xml = run("合同编号：{{ contract") + f'<w:hyperlink w:anchor="x">{run("_no }}")}</w:hyperlink>'
    [problem] = only(lint(word(NUMBER, xml)), "split-tag")
    assert "hyperlink" in problem.message


def test_a_split_tag_in_the_footer_is_joined_too(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "f.docx", CLEAN, footer="合同编号 {{ contract_no }}")
    footer = next(n for n in zipfile.ZipFile(path).namelist() if n.startswith("word/footer"))
    split = proof_err_split("合同编号 {{ contract", "_no", " }}")
    replace_run(path, "合同编号 {{ contract_no }}", split, member=footer)
    assert lint(path) == []


def test_a_file_that_is_not_a_docx_is_still_reported_as_such(tmp_path: Path) -> None:
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a zip")
    [problem] = lint(bad)
    assert problem.code == "not-a-docx"
