"""`template add` with templates as legal already has them: typed and retyped in Word.

The shipped purchase template is edited the way Word leaves a file (spell-check marks,
bookmarks, revision ids cutting the contract number's placeholder into runs); `template
add` accepts it, legal approves it, and a draft's PDF carries the value.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.cli.test_draft import _legal, _pdf_text, _sample_file, _squash
from tests.conftest import REPO, Cli, rewrite_docx, snapshot
from tests.drafting.word_xml import bookmark_split, proof_err_split

FONT = (
    '<w:rFonts w:ascii="Liberation Serif" w:hAnsi="Liberation Serif" '
    'w:eastAsia="Noto Serif CJK SC" w:cs="Liberation Serif"/>'
)
PLAIN = (
    f'<w:r><w:rPr>{FONT}</w:rPr><w:t xml:space="preserve">合同编号：{{{{ contract_no }}}}</w:t>'
    "</w:r>"
)


def _word_template(tmp_path: Path, runs: str) -> tuple[Path, Path]:
    """purchase-zh as version 2 with its contract number placeholder cut into ``runs``."""
    docx = shutil.copy(REPO / "templates" / "purchase-zh.docx", tmp_path / "word.docx")

    def edit(data: bytes) -> bytes:
        text = data.decode("utf-8")
        assert PLAIN in text
        return text.replace(PLAIN, runs, 1).encode("utf-8")

    rewrite_docx(docx, "word/document.xml", edit)
    schema = tmp_path / "word.toml"
    schema.write_text(
        (REPO / "templates" / "purchase-zh.toml")
        .read_text(encoding="utf-8")
        .replace("version = 1", "version = 2", 1),
        encoding="utf-8",
    )
    return docx, schema


def _font_run(text: str, extra: str = "", rsid: str = "00C0FFEE") -> str:
    return (
        f'<w:r w:rsidR="{rsid}"><w:rPr>{FONT}{extra}</w:rPr>'
        f'<w:t xml:space="preserve">{text}</w:t></w:r>'
    )


def test_a_template_split_by_words_markers_is_added_and_drafts_its_value_into_the_pdf(
    cli: Cli, home: Path, tmp_path: Path
) -> None:
    _legal(home)
    runs = (
        _font_run("合同编号：{{ ", rsid="00111111")
        + '<w:proofErr w:type="spellStart"/>'
        + _font_run("contract", '<w:lang w:val="en-US"/>', rsid="00222222")
        + '<w:bookmarkStart w:id="3" w:name="no"/><w:bookmarkEnd w:id="3"/>'
        + "<w:r><w:lastRenderedPageBreak/></w:r>"
        + _font_run("_no", rsid="00333333")
        + '<w:proofErr w:type="spellEnd"/>'
        + _font_run(" }}", "<w:noProof/>", rsid="00444444")
    )
    docx, schema = _word_template(tmp_path, runs)
    added = cli("template", "add", str(docx), "--schema", str(schema))
    assert added.code == 0, added.stderr
    assert cli("template", "approve", "purchase-zh@2", "--as", "wang.fang").code == 0
    data = _sample_file(tmp_path, "purchase-zh", contract_no="CG-WORD-0042")
    made = cli("draft", "purchase-zh", "--data", str(data), "--json")
    assert made.code == 0, made.stderr
    detail = cli("show", made.json()["id"], "--json").json()
    events = cli("audit", made.json()["id"], "--json").json()
    assert events[-1]["data"]["template"] == "purchase-zh@2"
    assert "CG-WORD-0042" in _squash(_pdf_text(detail["versions"][0]["pdf"]))


def test_the_test_fixtures_cover_what_word_writes() -> None:
    """The fixtures hold each of Word's markers (so the tests above mean something)."""
    xml = proof_err_split("a", "b", "c") + bookmark_split("d", "e")
    for marker in ("proofErr", "bookmarkStart", "lastRenderedPageBreak", "rsidR", "noProof"):
        assert marker in xml


def test_a_tag_half_bold_is_refused_at_add_naming_both_formats(
    cli: Cli, home: Path, tmp_path: Path
) -> None:
    runs = _font_run("合同编号：{{ contract") + _font_run("_no }}", "<w:b/>")
    docx, schema = _word_template(tmp_path, runs)
    before = snapshot(home)
    result = cli("template", "add", str(docx), "--schema", str(schema))
    assert result.code == 2, result.stderr
    assert "split-tag" in result.stderr and "is bold" in result.stderr
    assert "nothing was added" in result.stderr
    assert snapshot(home) == before


@pytest.mark.parametrize(
    "expression",
    ["{{ 9**(9**9) }}", "{{ 10**5000 }}", "{{ contract_no|center(10**9) }}"],
    ids=["power-tower", "huge-power", "huge-center"],
)
def test_a_runaway_expression_is_refused_at_add_in_seconds_with_exit_2(
    cli: Cli, home: Path, tmp_path: Path, expression: str
) -> None:
    docx, schema = _word_template(tmp_path, _font_run("合同编号：{{ contract_no }}" + expression))
    before = snapshot(home)
    started = time.monotonic()
    result = cli("template", "add", str(docx), "--schema", str(schema))
    assert time.monotonic() - started < 5
    assert result.code == 2, result.stderr
    assert "render-limit" in result.stderr and "at most" in result.stderr
    assert snapshot(home) == before


@pytest.mark.parametrize("tag", ["{{r contract_no }}", "{{p contract_no }}"])
def test_rich_text_and_subdocument_tags_are_refused_at_add(
    cli: Cli, home: Path, tmp_path: Path, tag: str
) -> None:
    docx, schema = _word_template(tmp_path, _font_run("合同编号：") + _font_run(tag))
    result = cli("template", "add", str(docx), "--schema", str(schema))
    assert result.code == 2, result.stderr
    assert "unsupported-tag" in result.stderr and "PDF" in result.stderr


def test_a_draft_whose_pdf_misses_a_value_fails_and_stores_nothing(
    cli: Cli, home: Path, tmp_path: Path
) -> None:
    """A hidden run passes the lint but would not be on the signed page: exit 1."""
    _legal(home)
    runs = _font_run("合同编号：{{ contract_no }}") + _font_run(
        "（{{ contract_no|lower }}）", "<w:vanish/>"
    )
    docx, schema = _word_template(tmp_path, runs)
    assert cli("template", "add", str(docx), "--schema", str(schema)).code == 0
    assert cli("template", "approve", "purchase-zh@2", "--as", "wang.fang").code == 0
    data = _sample_file(tmp_path, "purchase-zh", contract_no="CG-HIDDEN-0001")
    before = snapshot(home)
    result = cli("draft", "purchase-zh", "--data", str(data))
    assert result.code == 1, result.stderr
    assert "cg-hidden-0001" in result.stderr and "nothing was stored" in result.stderr
    assert snapshot(home) == before
