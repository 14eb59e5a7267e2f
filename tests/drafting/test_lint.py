"""The template linter: what an author who edits a contract template in Word is told.

Each test builds a small DOCX the way Word would leave it (python-docx, or an edit of
the XML) and checks the exact problem code and that the context quotes the text around
the problem, so the author can find it with Ctrl-F.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from contractctl.drafting.lint import (
    LintProblem,
    clause_headings,
    cn_numeral_to_int,
    int_to_cn_numeral,
    lint_template,
)
from contractctl.drafting.schema import load_schema
from contractctl.drafting.specs import FieldSpec, TemplateSpec
from contractctl.errors import InvalidInput
from tests.conftest import rewrite_docx as rewrite

REPO = Path(__file__).resolve().parents[2]
SHIPPED = sorted(p for p in (REPO / "templates").glob("*.docx") if p.with_suffix(".toml").exists())


@dataclass(frozen=True)
class Runs:
    """One paragraph typed as several Word runs (formatting changed between them)."""

    texts: tuple[str, ...]


Block = str | Runs | list[list[str]]  # a paragraph, a paragraph of runs, or a table

TABLE: list[list[str]] = [
    ["序号", "货物名称", "金额"],
    ["{%tr for item in items %}"],
    ["{{ loop.index }}", "{{ item.name }}", "{{ item.amount|money }}"],
    ["{%tr endfor %}"],
    ["合计", "", "{{ amount|money }}"],
]
CLEAN: list[Block] = [
    "采购合同",
    "合同编号：{{ contract_no }}",
    "乙方：{{ counterparty.name }}　电话：{{ counterparty.phone }}",
    "甲方：{{ company.name }}",
    "第一条 合同标的",
    TABLE,
    "第二条 合同价款",
    "总价款为{{ amount|money }}（大写：{{ amount|cn_upper }}）。",
    "{%p if note %}",
    "备注：{{ note|default('无')|trim }}",
    "{%p endif %}",
]


def make_spec(standard_clauses: Sequence[int] = (1, 2)) -> TemplateSpec:
    """A purchase-like schema: a number, a party, line items, a total and a note."""
    return TemplateSpec(
        name="mini",
        version=1,
        type="purchase",
        language="zh",
        title="采购合同",
        description="",
        signatories=("company", "counterparty"),
        standard_clauses=tuple(standard_clauses),
        fields=(
            FieldSpec("contract_no", "text", required=True, label_zh="合同编号"),
            FieldSpec("counterparty", "party", required=True),
            FieldSpec(
                "items",
                "table",
                required=True,
                columns=(
                    FieldSpec("name", "text", required=True),
                    FieldSpec("amount", "money", required=True),
                ),
            ),
            FieldSpec("amount", "money", required=True),
            FieldSpec("note", "text"),
        ),
    )


def write_docx(
    path: Path, blocks: Sequence[Block], footer: str | None = None, title: str | None = None
) -> Path:
    from docx import Document

    document = Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
        elif isinstance(block, Runs):
            paragraph = document.add_paragraph()
            for index, text in enumerate(block.texts):
                paragraph.add_run(text).bold = index % 2 == 1
        else:
            table = document.add_table(rows=len(block), cols=max(len(r) for r in block))
            for row, texts in zip(table.rows, block, strict=True):
                for cell, text in zip(row.cells, texts, strict=False):
                    cell.text = text
    if footer is not None:
        document.sections[0].footer.paragraphs[0].text = footer
    if title is not None:
        document.core_properties.title = title
    document.save(str(path))
    return path


def replace_in(blocks: Sequence[Block], old: Block, *new: Block) -> list[Block]:
    """``blocks`` with ``old`` replaced by ``new`` (nothing: removed)."""
    index = list(blocks).index(old)
    return [*blocks[:index], *new, *blocks[index + 1 :]]


@pytest.fixture
def docx(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(1000))

    def build(
        blocks: Sequence[Block] = CLEAN, footer: str | None = None, title: str | None = None
    ) -> Path:
        return write_docx(tmp_path / f"t{next(counter)}.docx", blocks, footer, title)

    return build


def lint(path: Path, standard_clauses: Sequence[int] = (1, 2)) -> list[LintProblem]:
    return lint_template(path, make_spec(standard_clauses))


def only(problems: list[LintProblem], code: str) -> list[LintProblem]:
    found = [p for p in problems if p.code == code]
    assert found, f"no {code} among: {[str(p) for p in problems]}"
    return found


# ------------------------------------------------------------------ acceptable templates


@pytest.mark.parametrize("template", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_template_lints_clean(template: Path) -> None:
    spec = load_schema(template.with_suffix(".toml"))
    assert [str(p) for p in lint_template(template, spec)] == []


@pytest.mark.parametrize("template", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_clause_headings_run_from_one_without_gaps(template: Path) -> None:
    numbers = [number for number, _ in clause_headings(template)]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) >= 10


def test_a_template_the_linter_accepts_renders_with_docxtpl(
    docx: Callable[..., Path], tmp_path: Path
) -> None:
    from docx import Document

    from contractctl.config import Company
    from contractctl.drafting.fields import PARTY_ATTRIBUTES
    from contractctl.drafting.render import Renderer, to_context
    from contractctl.money import Money

    template = docx()
    assert lint(template) == []
    party = dict.fromkeys(PARTY_ATTRIBUTES, "") | {"name": "苏州恒泰", "phone": "0512-1"}
    values = {
        "contract_no": "CG-2026-0001",
        "counterparty": party,
        "items": [{"name": "工业平板电脑", "amount": Money(865000, "CNY")}],
        "amount": Money(865000, "CNY"),
        "note": None,
    }
    out = tmp_path / "out.docx"
    Renderer(template).render(to_context(values, Company(name="示例科技").as_dict()), out)
    rendered = Document(str(out))
    text = "\n".join(p.text for p in rendered.paragraphs)
    cells = " ".join(c.text for t in rendered.tables for r in t.rows for c in r.cells)
    assert "CG-2026-0001" in text and "苏州恒泰" in text and "示例科技" in text
    assert "工业平板电脑" in cells
    assert "{{" not in text + cells and "{%" not in text + cells


# ------------------------------------------------------------------------ not-a-docx


# The refusals themselves (zip bombs, entity declarations, absurd tag counts...) are
# docx_safety's, tested with the linter's report of them in tests/documents/test_docx_safety.py.


def test_a_missing_file_is_reported_not_raised(tmp_path: Path) -> None:
    [problem] = lint(tmp_path / "nowhere.docx")
    assert problem.code == "not-a-docx"


# ----------------------------------------------------------------------- jinja-syntax


def test_a_broken_expression_is_a_syntax_error_with_its_paragraph(
    docx: Callable[..., Path],
) -> None:
    blocks = replace_in(CLEAN, "合同编号：{{ contract_no }}", "合同编号：{{ contract_no| }}号")
    [problem] = lint(docx(blocks))
    assert problem.code == "jinja-syntax"
    assert problem.message.startswith("{{ contract_no| }}: ")
    assert problem.context == "合同编号：{{ contract_no| }}号"


def test_an_if_that_is_never_closed_points_at_the_if(docx: Callable[..., Path]) -> None:
    blocks = replace_in(CLEAN, "{%p endif %}")
    [problem] = only(lint(docx(blocks)), "jinja-syntax")
    assert "never closed" in problem.message and "{%p endif %}" in problem.message
    assert problem.context == "{%p if note %}"


def test_an_endif_without_an_if_points_at_the_endif(docx: Callable[..., Path]) -> None:
    blocks = [*CLEAN, "以下无正文{% endif %}"]
    [problem] = only(lint(docx(blocks)), "jinja-syntax")
    assert "closes nothing" in problem.message
    assert "以下无正文" in problem.context


def test_a_tag_jinja_does_not_know_is_a_syntax_error(docx: Callable[..., Path]) -> None:
    blocks = [*CLEAN, "第三条 {% tr for x in items %}"]
    [problem] = only(lint(docx(blocks), standard_clauses=()), "jinja-syntax")
    assert "unknown tag 'tr'" in problem.message
    assert "第三条" in problem.context


# -------------------------------------------------------------------------- split-tag


def test_a_placeholder_word_split_in_two_is_reported_with_its_paragraph(
    docx: Callable[..., Path],
) -> None:
    split = Runs(("合同编号：{{ contract", "_no }}"))  # "_no }}" typed in bold
    [problem] = lint(docx(replace_in(CLEAN, "合同编号：{{ contract_no }}", split)))
    assert problem.code == "split-tag"
    assert "{{ contract_no }}" in problem.message and "2 Word runs" in problem.message
    assert problem.context == "合同编号：{{ contract_no }}"


def test_a_tag_that_runs_into_the_next_paragraph_is_reported(docx: Callable[..., Path]) -> None:
    blocks = replace_in(CLEAN, "合同编号：{{ contract_no }}", "合同编号：{{ contract_no", "}}")
    problems = lint(docx(blocks))
    [problem] = only(problems, "split-tag")
    assert "does not close in the same paragraph" in problem.message
    assert problem.context == "合同编号：{{ contract_no"


# ------------------------------------------------------------------ tr-misuse / p-misuse


def test_a_table_row_loop_typed_in_a_normal_paragraph_is_tr_misuse(
    docx: Callable[..., Path],
) -> None:
    blocks = [*CLEAN, "货物清单：{%tr for item in items %}", "{%tr endfor %}"]
    problems = only(lint(docx(blocks)), "tr-misuse")
    assert all("is not inside a table row" in p.message for p in problems)
    assert [p.context for p in problems] == [
        "货物清单：{%tr for item in items %}",
        "{%tr endfor %}",
    ]


def test_a_row_loop_sharing_its_row_with_text_is_tr_misuse(docx: Callable[..., Path]) -> None:
    table = [row[:] for row in TABLE]
    table[1] = ["{%tr for item in items %}", "请逐行填写"]
    [problem] = lint(docx(replace_in(CLEAN, TABLE, table)))
    assert problem.code == "tr-misuse"
    assert "请逐行填写" in problem.message
    assert problem.context == "{%tr for item in items %} | 请逐行填写"


def test_a_row_loop_closed_inside_a_cell_is_tr_misuse(docx: Callable[..., Path]) -> None:
    table = [row[:] for row in TABLE]
    table[3] = ["小计", "{% endfor %}"]
    [problem] = lint(docx(replace_in(CLEAN, TABLE, table)))
    assert problem.code == "tr-misuse"
    assert "{%tr endfor %}" in problem.message
    assert "小计" in problem.context


def test_a_paragraph_condition_sharing_its_paragraph_is_p_misuse(
    docx: Callable[..., Path],
) -> None:
    blocks = replace_in(CLEAN, "{%p if note %}", "备注（如有）{%p if note %}")
    [problem] = lint(docx(blocks))
    assert problem.code == "p-misuse"
    assert "备注（如有）" in problem.message
    assert problem.context == "备注（如有）{%p if note %}"


def test_a_paragraph_condition_closed_inline_is_p_misuse(docx: Callable[..., Path]) -> None:
    blocks = replace_in(CLEAN, "{%p endif %}", "完{% endif %}")
    [problem] = lint(docx(blocks))
    assert problem.code == "p-misuse"
    assert "{%p endif %}" in problem.message and "{%p if note %}" in problem.message
    assert problem.context == "完{% endif %}"


# --------------------------------------------------------------------- undeclared-field


def test_a_renamed_placeholder_is_undeclared_and_shows_where(docx: Callable[..., Path]) -> None:
    blocks = replace_in(CLEAN, "合同编号：{{ contract_no }}", "合同编号：{{ contract_number }}")
    problems = lint(docx(blocks))
    [problem] = only(problems, "undeclared-field")
    assert str(problem).startswith(
        "undeclared-field: {{ contract_number }} is not declared in the schema"
    )
    assert str(problem).endswith('— in: "合同编号：{{ contract_number }}"')
    assert "did you mean contract_no?" in problem.message
    [unused] = only(problems, "unused-required-field")
    assert unused.message.startswith("contract_no (合同编号)")


def test_a_row_variable_used_outside_its_loop_is_undeclared(docx: Callable[..., Path]) -> None:
    [problem] = lint(docx([*CLEAN, "首项：{{ item.name }}"]))
    assert problem.code == "undeclared-field"
    assert problem.message.startswith("item in {{ item.name }} is not declared")
    assert problem.context == "首项：{{ item.name }}"


def test_an_undeclared_name_in_the_footer_names_the_footer(docx: Callable[..., Path]) -> None:
    [problem] = lint(docx(footer="编号：{{ contract_numbr }}"))
    assert problem.code == "undeclared-field"
    assert "footer" in problem.message
    assert problem.context == "编号：{{ contract_numbr }}"


def test_a_placeholder_in_the_document_title_is_checked_too(docx: Callable[..., Path]) -> None:
    [problem] = lint(docx(title="采购合同 {{ contract_id }}"))
    assert problem.code == "undeclared-field"
    assert "document property 'title'" in problem.message
    assert problem.context == "采购合同 {{ contract_id }}"


def test_word_smart_quotes_in_a_condition_are_accepted(docx: Callable[..., Path]) -> None:
    blocks = replace_in(CLEAN, "{%p if note %}", "{%p if note == “紧急” %}")
    assert lint(docx(blocks)) == []


def test_names_set_in_the_template_are_not_undeclared(docx: Callable[..., Path]) -> None:
    blocks = [*CLEAN, "{% set total = amount %}合计：{{ total|money }}"]
    assert lint(docx(blocks)) == []


# ----------------------------------------------------------------- unused-required-field


def test_a_required_field_the_template_never_uses_is_reported(docx: Callable[..., Path]) -> None:
    [problem] = lint(docx(replace_in(CLEAN, "合同编号：{{ contract_no }}")))
    assert problem.code == "unused-required-field"
    assert "contract_no" in problem.message
    assert problem.context == ""


# --------------------------------------------------------------------- unknown-attribute


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("{{ company.adress }}", "did you mean address?"),
        ("{{ counterparty.fax }}", "party field counterparty"),
        ("{{ company['bank_account'] }}", "company"),
    ],
)
def test_an_attribute_parties_and_company_do_not_have_is_reported(
    docx: Callable[..., Path], typed: str, said: str
) -> None:
    [problem] = lint(docx([*CLEAN, f"联系方式：{typed}"]))
    assert problem.code == "unknown-attribute"
    assert said in problem.message
    assert problem.context == f"联系方式：{typed}"


def test_a_column_the_table_does_not_have_is_reported_with_the_row(
    docx: Callable[..., Path],
) -> None:
    table = [row[:] for row in TABLE]
    table[2] = ["{{ loop.index }}", "{{ item.nmae }}", "{{ item.amount|money }}"]
    [problem] = lint(docx(replace_in(CLEAN, TABLE, table)))
    assert problem.code == "unknown-attribute"
    assert "item.nmae" in problem.message and "did you mean name?" in problem.message
    assert problem.context == "{{ loop.index }} | {{ item.nmae }} | {{ item.amount|money }}"


# --------------------------------------------------------------------------------- unsafe


UNSAFE = (
    "{{ ''.__class__ }}",
    "{{ amount.__class__.__mro__[1] }}",
    "{{ self }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ lipsum }}",
    "{{ joiner() }}",
    "{{ namespace(a=1) }}",
    "{{ config }}",
    "{{ request }}",
    "{{ note._private }}",
    "{% import 'x.html' as x %}",
    "{% include 'other.docx' %}",
)


def test_tags_that_reach_for_python_internals_are_unsafe_each_with_its_paragraph(
    docx: Callable[..., Path],
) -> None:
    problems = lint(docx([*CLEAN, *(f"备注{i}：{tag}" for i, tag in enumerate(UNSAFE))]))
    assert [p.code for p in problems] == ["unsafe"] * len(UNSAFE)
    for index, (tag, problem) in enumerate(zip(UNSAFE, problems, strict=True)):
        assert problem.message.startswith(tag)
        assert problem.context == f"备注{index}：{tag}"


@pytest.mark.parametrize(
    ("xml", "context"),
    [
        (
            b'<w:pPr><w:pStyle w:val="{{ self }}"/></w:pPr>',
            "(hidden in the XML attribute val) {{ self }}",
        ),
        (
            b"<w:r><w:instrText>HYPERLINK {{ self }}</w:instrText></w:r>",
            "(hidden in the XML element instrText) HYPERLINK {{ self }}",
        ),
    ],
)
def test_a_tag_hidden_in_the_xml_is_checked_too(
    docx: Callable[..., Path], xml: bytes, context: str
) -> None:
    hidden = b"<w:body><w:p>" + xml + b"</w:p>"
    path = rewrite(docx(), "word/document.xml", lambda doc: doc.replace(b"<w:body>", hidden))
    [problem] = lint(path)
    assert problem.code == "unsafe"
    assert problem.context == context


# ------------------------------------------------------------------------- unknown-filter


def test_a_filter_outside_the_allowed_set_is_reported(docx: Callable[..., Path]) -> None:
    blocks = replace_in(
        CLEAN,
        "总价款为{{ amount|money }}（大写：{{ amount|cn_upper }}）。",
        "总价款为{{ amount|rmb }}（大写：{{ amount|cn_upper|attr('x') }}）。",
    )
    problems = lint(docx(blocks))
    assert [p.code for p in problems] == ["unknown-filter", "unknown-filter"]
    assert "'rmb'" in problems[0].message and "'attr'" in problems[1].message
    assert all(p.context.startswith("总价款为") for p in problems)


def test_jinja_filters_on_the_allowed_list_are_fine(docx: Callable[..., Path]) -> None:
    blocks = [*CLEAN, "{{ counterparty.name|upper|truncate(20) }}{{ items|length }}"]
    assert lint(docx(blocks)) == []


# -------------------------------------------------------------- clause-numbering/sequence


def test_a_standard_clause_missing_from_the_document_is_reported(
    docx: Callable[..., Path],
) -> None:
    [problem] = lint(docx(), standard_clauses=(1, 2, 3))
    assert problem.code == "clause-numbering"
    assert "第三条" in problem.message
    assert problem.context == "第二条 合同价款"


def test_a_skipped_clause_number_is_a_warning(docx: Callable[..., Path]) -> None:
    blocks = replace_in(CLEAN, "第二条 合同价款", "第三条 合同价款")
    [problem] = lint(docx(blocks), standard_clauses=(1,))
    assert problem.code == "clause-sequence" and problem.severity == "warning"
    assert "skips from 1 to 3" in problem.message
    assert problem.context == "第三条 合同价款"


def test_a_repeated_clause_number_is_a_warning(docx: Callable[..., Path]) -> None:
    blocks = [*CLEAN, "第二条 付款方式"]
    [problem] = lint(docx(blocks))
    assert problem.code == "clause-sequence"
    assert "clause 2 repeats" in problem.message
    assert problem.context == "第二条 付款方式"


def test_clause_headings_are_read_from_chinese_and_english_contracts(
    docx: Callable[..., Path],
) -> None:
    assert clause_headings(docx()) == [(1, "第一条 合同标的"), (2, "第二条 合同价款")]
    english = docx(
        [
            "Purchase Agreement",
            "1. Definitions",
            "1.1 “Goods” means the goods listed below.",
            "2. Price and Payment",
            "3. the Seller shall deliver the goods;",
            "12. Governing Law",
        ]
    )
    assert clause_headings(english) == [
        (1, "1. Definitions"),
        (2, "2. Price and Payment"),
        (12, "12. Governing Law"),
    ]


def test_clause_headings_of_a_file_that_is_not_a_docx_raise(tmp_path: Path) -> None:
    path = tmp_path / "x.docx"
    path.write_text("plain text")
    with pytest.raises(InvalidInput):
        clause_headings(path)


@pytest.mark.parametrize(
    ("numeral", "number"),
    [
        ("一", 1),
        ("九", 9),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十一", 21),
        ("一十五", 15),
        ("九十九", 99),
    ],
)
def test_chinese_clause_numerals_convert_to_numbers(numeral: str, number: int) -> None:
    assert cn_numeral_to_int(numeral) == number


@pytest.mark.parametrize("bad", ["", "零", "十十", "一百", "二二", "百"])
def test_what_is_not_a_clause_numeral_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        cn_numeral_to_int(bad)


def test_clause_numerals_round_trip() -> None:
    assert all(cn_numeral_to_int(int_to_cn_numeral(n)) == n for n in range(1, 100))


# ------------------------------------------------------------------------ the whole report


def test_every_problem_is_reported_at_once(docx: Callable[..., Path]) -> None:
    blocks = replace_in(
        CLEAN,
        "合同编号：{{ contract_no }}",
        Runs(("合同编号：{{ contract", "_no }}")),
        "签订地点：{{ sign_place|rmb }}",
        "附注：{{ ''.__class__ }}",
    )
    codes = [p.code for p in lint(docx(blocks), standard_clauses=(1, 2, 9))]
    assert codes == [
        "split-tag",
        "unsafe",
        "unknown-filter",
        "undeclared-field",
        "clause-numbering",
    ]


def test_a_problem_reads_as_one_line_and_as_json() -> None:
    problem = LintProblem("undeclared-field", "{{ x }} is not declared", "合同编号：{{ x }}")
    assert str(problem) == 'undeclared-field: {{ x }} is not declared — in: "合同编号：{{ x }}"'
    assert problem.to_dict() == {
        "code": "undeclared-field",
        "severity": "error",
        "message": "{{ x }} is not declared",
        "context": "合同编号：{{ x }}",
    }
    assert str(LintProblem("not-a-docx", "not a zip", "")) == "not-a-docx: not a zip"


def test_a_long_paragraph_is_shortened_around_the_problem(docx: Callable[..., Path]) -> None:
    long = "甲方应当" * 40 + "{{ amount|rmb }}" + "乙方应当" * 40
    [problem] = lint(docx([*CLEAN, long]))
    assert "{{ amount|rmb }}" in problem.context
    assert problem.context.startswith("…") and problem.context.endswith("…")
    assert len(problem.context) <= 82


def test_thousands_of_unclosed_tags_are_reported_quickly(docx: Callable[..., Path]) -> None:
    started = time.perf_counter()
    problems = lint(docx([*CLEAN, "恶意：" + "{{x" * 50_000]))
    assert time.perf_counter() - started < 3
    assert {p.code for p in problems} >= {"split-tag", "jinja-syntax"}


def test_the_linter_never_renders_the_template(
    docx: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import jinja2

    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("the linter rendered a template")

    monkeypatch.setattr(jinja2.Template, "render", refuse)
    monkeypatch.setattr(jinja2.Environment, "compile", refuse)
    assert lint(docx()) == []
