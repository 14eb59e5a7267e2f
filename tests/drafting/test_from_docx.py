"""`template from-docx`: a Word contract's blanks become fields of a pending template.

Legal brings a model contract with every kind of blank Word users draw; each becomes a
field with a name, a type guessed from its label and a sample, the template lints clean,
and a draft with the samples is a PDF that shows every value. Three model contracts of
the corpus (written by others) go the same way.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from contractctl.bootstrap import initialise
from contractctl.drafting.from_docx import add_from_docx, make_template, template_name
from contractctl.drafting.lint import lint_template
from contractctl.drafting.schema import load_schema
from contractctl.errors import InvalidInput
from contractctl.store import Store
from tests.eval.docx_reading import CORPUS
from tests.eval.from_docx import evaluate_one

CI = os.environ.get("CI", "").lower() == "true"
#: Three model contracts of different makers: paragraphs only, a form table, many dates.
CORPUS_FILES = (
    "《中介合同（示范文本）》（GF—2025—2613）.docx",
    "《养老机构服务合同》　GF—2016—2001.docx",
    "二手车买卖合同　GF—2015—0120.docx",
)


def blank_kinds_docx(path: Path) -> Path:
    """A small contract with each kind of blank, made as Word users make them."""
    import docx

    document = docx.Document()
    document.add_paragraph("房屋租赁合同")
    document.add_paragraph("甲方（出租人）：________________")
    para = document.add_paragraph("乙方（承租人）：")
    para.add_run("          ").underline = True
    document.add_paragraph("合同总价款（    ）元。")
    document.add_paragraph("每月租金(    )元。")
    document.add_paragraph("期满后乙方□是 □否 续租。")
    document.add_paragraph("签订日期：    年  月  日")
    table = document.add_table(rows=3, cols=2)
    table.rows[0].cells[0].text = "联系电话"
    table.rows[1].cells[0].text = "开户银行"
    table.rows[2].cells[0].text = "发票"
    table.rows[2].cells[1].text = "□有 □无"
    items = document.add_table(rows=2, cols=2)
    items.rows[0].cells[0].text = "品名"
    items.rows[0].cells[1].text = "数量"
    document.save(path)
    return path


def test_each_kind_of_blank_becomes_a_typed_field(tmp_path: Path) -> None:
    source = blank_kinds_docx(tmp_path / "租赁.docx")
    made = make_template(source, tmp_path / "out", name="lease-draft", version=1)
    found = {f.name: (f.type, f.label) for f in made.skeleton.fields}
    assert found == {
        "party_a_name": ("text", "甲方（出租人）"),
        "party_b_name": ("text", "乙方（承租人）"),
        "amount_1": ("money", "合同总价款"),
        "rent": ("money", "每月租金"),
        "choice_1": ("boolean", "期满后乙方"),
        "sign_date": ("date", "签订日期"),
        "phone": ("text", "联系电话"),
        "bank": ("text", "开户银行"),
        "choice_2": ("boolean", "发票"),
        "product": ("text", "品名"),
        "quantity": ("text", "数量"),
    }
    spec = load_schema(made.schema)
    assert set(spec.sample) == set(found)
    assert lint_template(made.docx, spec) == []
    with zipfile.ZipFile(made.docx) as archive:
        body = archive.read("word/document.xml").decode("utf-8")
    assert "{{ party_a_name }}" in body and "_____" not in body
    assert "{{ sign_date|date_cn }}" in body and "{{ rent|money }}" in body
    assert "{{ '■有 □无' if choice_2 else '□有 ■无' }}" in body
    # the underlined blank gives an underlined value: the tag sits in the underlined run
    assert (
        '<w:r><w:rPr><w:u w:val="single"/></w:rPr><w:t xml:space="preserve">{{ party_b_name }}'
        in body
    )


@pytest.mark.skipif(not CI and not Path("/usr/bin/soffice").exists(), reason="no LibreOffice")
def test_a_draft_with_the_samples_shows_every_value(tmp_path: Path) -> None:
    outcome = evaluate_one(blank_kinds_docx(tmp_path / "租赁.docx"))
    assert (outcome.status, outcome.reason) == ("ok", "")
    assert outcome.fields == 11


def test_the_template_is_added_pending_and_the_next_run_is_the_next_version(
    tmp_path: Path,
) -> None:
    home = tmp_path / "store"
    initialise(home, "tester")
    source = blank_kinds_docx(tmp_path / "租赁.docx")
    with Store.open(home) as store:
        for expected in (1, 2):
            with store.transaction("tester") as tx:
                added = add_from_docx(tx, source, tmp_path / "out", name="lease-draft")
            version = added.version
            assert (version.ref, version.status) == (f"lease-draft@{expected}", "pending")
            assert added.made.docx.exists() and added.made.schema.exists()
            assert added.warnings == ()


def test_a_contract_without_blanks_is_refused_with_the_reason(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("本合同自双方签字之日起生效。")
    document.save(tmp_path / "plain.docx")
    with pytest.raises(InvalidInput, match="no blanks found"):
        make_template(tmp_path / "plain.docx", tmp_path / "out", name=None, version=1)


def test_text_that_reads_as_a_tag_is_refused(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("甲方：________ {{ 不是标签")
    document.save(tmp_path / "odd.docx")
    with pytest.raises(InvalidInput, match="would run as a tag"):
        make_template(tmp_path / "odd.docx", tmp_path / "out", name=None, version=1)


def test_template_names_come_from_the_gf_number_or_a_stable_id() -> None:
    assert template_name(Path("二手车买卖合同　GF—2015—0120.docx")) == "gf-2015-0120"
    first = template_name(Path("《危险化学品销售合同（示范文本）》.docx"))
    assert first == template_name(Path("《危险化学品销售合同（示范文本）》.docx"))
    assert first.startswith("contract-")


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_model_contracts_of_the_corpus_become_templates_that_draft(name: str) -> None:
    path = CORPUS / name
    if not path.exists():
        if CI:
            pytest.fail(f"the corpus is missing: {path}")
        pytest.skip("the corpus (../shared/corpus/) is not there")
    outcome = evaluate_one(path)
    assert (outcome.status, outcome.reason) == ("ok", "")
    assert outcome.fields >= 40
