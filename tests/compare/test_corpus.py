"""The known-edit corpus: versions of the shipped templates with edits we know, and the
structured diff a lawyer should get for each.

Every document is a real draft: the template rendered with its [sample] data through the
real renderer, read back with extract.docx_text. Value edits (an amount, a date, a
percentage, a party) are made in the data and re-rendered, so the change shows up
wherever the template repeats it (figures and capitals, preamble and signature block).
Structural edits (an article inserted, deleted, moved, renumbered) renumber the document
the way a lawyer's word processor would. Formatting-only versions must report nothing,
and so must the PDF that LibreOffice makes of the same draft.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from contractctl.compare import Comparison, SemanticChange, compare
from contractctl.config import Company
from contractctl.documents.clauses import chinese_number, clause_numeral
from contractctl.documents.extract import docx_text, pdf_text
from contractctl.drafting.fields import validate_values
from contractctl.drafting.render import Renderer, to_context
from contractctl.drafting.schema import load_schema
from tests.conftest import REPO

TEMPLATES = REPO / "templates"
CORPUS = ("purchase-zh", "service-en", "nda-zh", "lease-zh")
CI = os.environ.get("CI", "").lower() == "true"

Render = Callable[..., str]


@pytest.fixture(scope="module")
def render(tmp_path_factory: pytest.TempPathFactory) -> Render:
    """Render a shipped template with its [sample] data, changed by ``changes``."""
    out = tmp_path_factory.mktemp("corpus")
    cache: dict[str, str] = {}

    def render(name: str, **changes: Any) -> str:
        key = json.dumps([name, changes], sort_keys=True, default=str)
        if key not in cache:
            spec = load_schema(TEMPLATES / f"{name}.toml")
            data = {**copy.deepcopy(spec.sample), **changes}
            values, problems = validate_values(spec, data, resolve_party=None)
            assert problems == []
            path = out / f"{name}-{len(cache)}.docx"
            company = Company(name="上海我们科技有限公司").as_dict()
            Renderer(TEMPLATES / f"{name}.docx").render(to_context(values, company), path)
            cache[key] = docx_text(path)
        return cache[key]

    return render


def sample(name: str, field: str) -> Any:
    return copy.deepcopy(load_schema(TEMPLATES / f"{name}.toml").sample[field])


def reported(result: Comparison) -> list[tuple[str, str, str | None]]:
    """(kind, clause, old clause) of each change, in document order."""
    return [(c.kind, c.clause, c.old_clause) for c in result.changes]


def values(result: Comparison) -> list[tuple[str, str, str | None, str | None]]:
    """(what, label, old, new) of each distinct value change."""
    return [(s.what, s.label, s.old, s.new) for s in result.semantic]


# --- structural edits: articles as a word processor renumbers them --------------------

_ZH = re.compile(r"^第([一二三四五六七八九十]+)条")
_EN = re.compile(r"^(\d{1,2})\. \S")


def split(text: str) -> tuple[list[str], list[list[str]]]:
    """The lines before the first article, and each article's lines."""
    preamble: list[str] = []
    articles: list[list[str]] = []
    for line in text.split("\n"):
        if _ZH.match(line) or _EN.match(line):
            articles.append([line])
        elif articles:
            articles[-1].append(line)
        else:
            preamble.append(line)
    return preamble, articles


def join(preamble: list[str], articles: list[list[str]]) -> str:
    """The document again, articles numbered 1..n and their sub-clauses N.M with them."""
    lines = list(preamble)
    for k, article in enumerate(articles, 1):
        zh = _ZH.match(article[0])
        if zh:
            old = chinese_number(zh.group(1))
            heading = _ZH.sub(f"第{clause_numeral(k)}条", article[0])
        else:
            english = _EN.match(article[0])
            assert english is not None
            old = int(english.group(1))
            heading = re.sub(r"^\d+", str(k), article[0])
        lines.append(heading)
        lines += [re.sub(rf"^{old}\.(\d)", rf"{k}.\1", line) for line in article[1:]]
    return "\n".join(lines)


def edit_articles(text: str, edit: Callable[[list[list[str]]], list[list[str]]]) -> str:
    preamble, articles = split(text)
    return join(preamble, edit([list(a) for a in articles]))


# --- a Chinese purchase contract ---------------------------------------------------------


def test_an_inserted_article_is_one_addition_not_twenty_renumbered_articles(
    render: Render,
) -> None:
    old = render("purchase-zh")
    inserted = [
        "第五条 环境保护",
        "5.1 乙方应确保货物的生产、包装和运输符合环境保护法律法规的要求。",
        "5.2 乙方应回收废弃包装物。",
    ]
    new = edit_articles(old, lambda a: [*a[:4], inserted, *a[4:]])

    result = compare(old, new)

    assert reported(result) == [("added", "第五条", None)]
    (change,) = result.changes
    assert (change.title, change.severity, change.old) == ("环境保护", "major", None)
    assert change.new == "\n".join(inserted)  # its sub-clauses are part of it
    assert change.ops == [("insert", "\n".join(inserted))]


def test_a_deleted_article_is_reported_with_the_values_it_took_away(render: Render) -> None:
    old = render("purchase-zh")
    new = edit_articles(old, lambda a: [*a[:11], *a[12:]])

    result = compare(old, new)

    assert reported(result) == [("deleted", "第十二条", "第十二条")]
    (change,) = result.changes
    assert change.new is None and change.old is not None
    assert change.old.startswith("第十二条 保密\n12.1 ")
    assert change.severity == "critical"  # it held the three-year confidentiality term
    assert values(result) == [("duration", "保密", "3年", None)]


def test_a_moved_article_is_one_move_and_the_articles_it_passed_are_not_reported(
    render: Render,
) -> None:
    old = render("purchase-zh")
    new = edit_articles(old, lambda a: [*a[:11], *a[12:], a[11]])

    result = compare(old, new)

    assert reported(result) == [("moved", "第二十四条", "第十二条")]
    (change,) = result.changes
    assert (change.title, change.severity, change.ops) == ("保密", "minor", [])


def test_a_moved_article_with_a_changed_sentence_is_a_move_and_a_modification(
    render: Render,
) -> None:
    old = render("purchase-zh")

    def move_and_reword(articles: list[list[str]]) -> list[list[str]]:
        articles[11][1] = articles[11][1].replace("商业秘密", "商业秘密及客户资料")
        return [*articles[:11], *articles[12:], articles[11]]

    result = compare(old, edit_articles(old, move_and_reword))

    assert reported(result) == [("moved", "第二十四条", "第十二条"), ("modified", "24.1", "12.1")]
    assert ("insert", "及客户资料") in result.changes[1].ops


def test_a_heading_renumbered_by_hand_is_reported_as_renumbered(render: Render) -> None:
    old = render("purchase-zh")
    new = old.replace("第五条 质量标准", "第六条 质量标准")  # and the old 第六条 stays 第六条

    result = compare(old, new)

    assert reported(result) == [("renumbered", "第六条", "第五条")]
    (change,) = result.changes
    assert change.severity == "minor"
    assert change.ops[:2] == [("delete", "第五条"), ("insert", "第六条")]


def test_a_reworded_sentence_is_redlined_by_character(render: Render) -> None:
    old = render("purchase-zh")
    new = old.replace("包装物不予回收", "包装物由乙方负责回收")

    result = compare(old, new)

    assert reported(result) == [("modified", "6.2", "6.2")]
    (change,) = result.changes
    assert (change.title, change.severity, change.semantic) == ("包装与标识", "major", [])
    changed = [op for op in change.ops if op[0] != "equal"]
    assert changed == [("delete", "不予"), ("insert", "由乙方负责")]


def test_a_changed_amount_is_one_value_in_figures_and_capitals(render: Render) -> None:
    old = render("purchase-zh")
    new = render("purchase-zh", deposit_amount="25000.00")
    assert "¥25,000.00（大写：人民币贰万伍仟元整）" in new

    result = compare(old, new)

    assert reported(result) == [("modified", "3.4", "3.4")]
    assert result.changes[0].severity == "critical"
    assert result.semantic == [
        SemanticChange(
            what="amount",
            label="定金",
            old="¥20,000.00",
            new="¥25,000.00",
            clause="3.4",
            old_value={"minor": 2_000_000, "currency": "CNY"},
            new_value={"minor": 2_500_000, "currency": "CNY"},
        )
    ]
    assert result.changes[0].semantic == result.semantic
    assert result.semantic[0].describe() == "定金 ¥20,000.00 → ¥25,000.00"


def test_a_changed_delivery_date(render: Render) -> None:
    result = compare(render("purchase-zh"), render("purchase-zh", delivery_date="2027-01-15"))

    assert reported(result) == [("modified", "7.1", "7.1")]
    assert values(result) == [("date", "交货期限", "2026-12-20", "2027-01-15")]
    assert result.semantic[0].new_value == "2027-01-15"


def test_a_changed_advance_payment_percentage(render: Render) -> None:
    result = compare(render("purchase-zh"), render("purchase-zh", prepay_percent=40))

    assert reported(result) == [("modified", "3.1", "3.1")]
    assert values(result) == [("percentage", "预付款", "30%", "40%")]
    assert (result.semantic[0].old_value, result.semantic[0].new_value) == ("30", "40")


def test_a_changed_warranty_period(render: Render) -> None:
    result = compare(render("purchase-zh"), render("purchase-zh", warranty_months=36))

    assert reported(result) == [("modified", "10.1", "10.1")]
    assert values(result) == [("duration", "质量保证期", "24个月", "36个月")]
    assert result.semantic[0].new_value == {"amount": 36, "unit": "month"}


def test_a_changed_seller_is_named_once_though_the_contract_names_it_twice(
    render: Render,
) -> None:
    counterparty = {**sample("purchase-zh", "counterparty"), "name": "苏州恒泰精密机械有限公司"}

    result = compare(render("purchase-zh"), render("purchase-zh", counterparty=counterparty))

    assert reported(result) == [("modified", "preamble", "preamble"),
                                ("modified", "第二十四条", "第二十四条")]  # fmt: skip
    assert values(result) == [
        ("party", "乙方", "苏州恒泰智能装备有限公司", "苏州恒泰精密机械有限公司")
    ]
    assert all(c.severity == "critical" and len(c.semantic) == 1 for c in result.changes)


def test_several_edits_at_once_are_each_reported(render: Render) -> None:
    old = render("purchase-zh")
    edited = render("purchase-zh", deposit_amount="25000.00", prepay_percent=40)
    inserted = ["第九条 环境保护", "乙方应回收废弃包装物。"]
    new = edit_articles(edited, lambda a: [*a[:8], inserted, *a[8:11], *a[12:], a[11]])

    result = compare(old, new)

    assert reported(result) == [
        ("modified", "3.1", "3.1"),
        ("modified", "3.4", "3.4"),
        ("added", "第九条", None),
        ("moved", "第二十五条", "第十二条"),
    ]
    assert values(result) == [("percentage", "预付款", "30%", "40%"),
                              ("amount", "定金", "¥20,000.00", "¥25,000.00")]  # fmt: skip


# --- an English services agreement -------------------------------------------------------


def test_english_fees_changed_in_the_price_table_and_the_fees_clause(render: Render) -> None:
    items = sample("service-en", "items")
    items[1].update(unit_price="3000.00", amount="36000.00")

    result = compare(render("service-en"), render("service-en", items=items, amount="134400.00"))

    assert reported(result) == [("modified", "2.2", "2.2"), ("modified", "4.1", "4.1")]
    assert values(result) == [
        ("amount", "Security Operations", "USD 2,800.00", "USD 3,000.00"),
        ("amount", "Security Operations", "USD 33,600.00", "USD 36,000.00"),
        ("amount", "Total", "USD 132,000.00", "USD 134,400.00"),
        ("amount", "total Fees", "USD 132,000.00", "USD 134,400.00"),
    ]
    assert [op for op in result.changes[1].ops if op[0] != "equal"] == [
        ("delete", "USD 132,000.00"),
        ("insert", "USD 134,400.00"),
    ]  # an amount is one token, its currency with it: a redline never splits it


def test_english_start_date_and_availability(render: Render) -> None:
    old = render("service-en")

    moved_start = compare(old, render("service-en", start_date="2027-02-01"))
    availability = compare(old, render("service-en", availability_percent=99.5))

    assert reported(moved_start) == [("modified", "3.1", "3.1")]
    assert values(moved_start) == [("date", "Term and Renewal", "2027-01-01", "2027-02-01")]
    assert reported(availability) == [("modified", "7.1", "7.1")]
    assert values(availability) == [("percentage", "availability", "99.9%", "99.5%")]


def test_english_service_provider_renamed(render: Render) -> None:
    counterparty = {
        **sample("service-en", "counterparty"),
        "name": "Shenzhen Ruituo Cloud Services Co., Ltd.",
    }

    result = compare(render("service-en"), render("service-en", counterparty=counterparty))

    assert reported(result) == [("modified", "preamble", "preamble"), ("modified", "27.4", "27.4")]
    assert values(result) == [
        ("party", "Party B", "Shenzhen Ruituo Information Services Co., Ltd.",
         "Shenzhen Ruituo Cloud Services Co., Ltd."),
    ]  # fmt: skip
    assert [op for op in result.changes[0].ops if op[0] != "equal"] == [
        ("delete", "Shenzhen Ruituo Information Services Co., Ltd."),
        ("insert", "Shenzhen Ruituo Cloud Services Co., Ltd."),
    ]  # a party's name is replaced as one token


def test_english_articles_inserted_deleted_moved_and_renumbered(render: Render) -> None:
    old = render("service-en")
    continuity = ["17. Business Continuity", "Party B shall maintain a continuity plan."]

    inserted = compare(old, edit_articles(old, lambda a: [*a[:16], continuity, *a[16:]]))
    deleted = compare(old, edit_articles(old, lambda a: [*a[:16], *a[17:]]))
    moved = compare(old, edit_articles(old, lambda a: [*a[:5], *a[6:], a[5]]))
    renumbered = compare(
        old, old.replace("\n5. Invoicing and Payment", "\n6. Invoicing and Payment")
    )

    assert reported(inserted) == [("added", "17", None)]
    assert reported(deleted) == [("deleted", "17", "17")]
    assert deleted.changes[0].title == "Insurance"
    assert reported(moved) == [("moved", "27", "6")]
    assert reported(renumbered) == [("renumbered", "6", "5")]


# --- a Chinese NDA and a lease -------------------------------------------------------------


def test_nda_damages_and_term(render: Render) -> None:
    old = render("nda-zh")

    damages = compare(old, render("nda-zh", liquidated_damages="300000.00"))
    term = compare(old, render("nda-zh", term_years=3))

    assert reported(damages) == [("modified", "16.1", "16.1")]
    assert values(damages) == [("amount", "违约金", "¥200,000.00", "¥300,000.00")]
    assert reported(term) == [("modified", "17.1", "17.1")]
    assert values(term) == [("duration", "有效期", "2年", "3年")]


def test_lease_rent_landlord_and_end_date(render: Render) -> None:
    old = render("lease-zh")
    landlord = {**sample("lease-zh", "counterparty"), "name": "上海浦江物业有限公司"}

    rent = compare(old, render("lease-zh", monthly_rent="200000.00", amount="6800000.00"))
    party = compare(old, render("lease-zh", counterparty=landlord))
    end = compare(old, render("lease-zh", end_date="2030-12-31"))

    assert reported(rent) == [("modified", "5.1", "5.1")]
    assert values(rent) == [
        ("amount", "月租金", "¥192,967.50", "¥200,000.00"),
        ("amount", "租金总额", "¥6,560,895.00", "¥6,800,000.00"),
    ]
    assert reported(party) == [("modified", "preamble", "preamble"),
                               ("modified", "第二十五条", "第二十五条")]  # fmt: skip
    assert values(party) == [("party", "甲方", "上海浦江置业有限公司", "上海浦江物业有限公司")]
    assert reported(end) == [("modified", "3.1", "3.1")]
    assert values(end) == [("date", "租赁期限", "2029-12-31", "2030-12-31")]


# --- formatting only -----------------------------------------------------------------------

_CJK = r"[\u4e00-\u9fff]"


def cjk_spaces(text: str) -> str:
    """A space between every two CJK characters, as PDF extraction and OCR write them."""
    return re.sub(rf"(?<={_CJK})(?={_CJK})", " ", text)


def full_width(text: str) -> str:
    """Digits and ASCII punctuation in their full-width forms (１２０，０００．００)."""
    return re.sub(r"[0-9,.:;()%]", lambda m: chr(ord(m.group(0)) + 0xFEE0), text)


def rewrap(text: str) -> str:
    """Paragraphs broken into short lines: Chinese between characters, English at spaces."""
    lines: list[str] = []
    for line in text.split("\n"):
        if not re.search(_CJK, line):
            lines += textwrap.wrap(line, 60, break_long_words=False, break_on_hyphens=False) or [""]
            continue
        current = ""
        for k, char in enumerate(line):
            current += char
            after = line[k + 1 : k + 2]
            if (
                len(current) >= 28
                and re.match(rf"{_CJK}|[，。；：]", char)
                and re.match(_CJK, after)
            ):
                lines.append(current)
                current = ""
        lines.append(current)
    return "\n".join(lines)


def hyphenate(text: str) -> str:
    """One long English word per line broken with a hyphen at the line's end."""

    def split_word(match: re.Match[str]) -> str:
        word = match.group(0)
        return f"{word[: len(word) // 2]}-\n{word[len(word) // 2 :]}"

    return "\n".join(
        re.sub(r"(?<=.{40})\b[a-z]{9,}\b", split_word, line, count=1) for line in text.split("\n")
    )


def paginate(text: str) -> str:
    """Pages of 25 lines, each with a running title, the contract number and 第 k 页 共 n 页."""
    lines = text.split("\n")
    title, number = lines[0], lines[1]
    pages = [lines[k : k + 25] for k in range(0, len(lines), 25)]
    english = not re.search(_CJK, title)
    out = []
    for k, page in enumerate(pages, 1):
        folio = f"Page {k} of {len(pages)}" if english else f"第 {k} 页 共 {len(pages)} 页"
        out.append("\n".join([title, *page, "", number, folio, ""]))
    return "\f".join(out) + "\f"


def everything(text: str) -> str:
    return paginate(hyphenate(rewrap(full_width(cjk_spaces(text)))))


FORMATTING = {
    "spaces between CJK characters": cjk_spaces,
    "full-width digits and punctuation": full_width,
    "lines re-wrapped": rewrap,
    "words hyphenated at line ends": hyphenate,
    "pages with headers, footers and page numbers": paginate,
    "all of these at once": everything,
}


@pytest.mark.parametrize(
    ("name", "how"),
    [
        (name, how)
        for name in CORPUS
        for how in FORMATTING
        if how != "words hyphenated at line ends" or name.endswith("-en")
    ],
)
def test_formatting_alone_reports_nothing(render: Render, name: str, how: str) -> None:
    old = render(name)
    new = FORMATTING[how](old)
    assert new != old

    result = compare(old, new)

    assert (result.verdict, result.changes, result.semantic) == ("same", [], [])


def test_a_real_edit_under_reformatting_is_still_reported(render: Render) -> None:
    old = render("purchase-zh")
    new = everything(render("purchase-zh", deposit_amount="25000.00"))

    result = compare(old, new)

    assert reported(result) == [("modified", "3.4", "3.4")]
    assert values(result) == [("amount", "定金", "¥20,000.00", "¥25,000.00")]
    assert result.changes[0].page > 1  # the page it starts on in the paginated version


# --- the JSON of DESIGN.md §4 --------------------------------------------------------------


def test_the_json_has_the_documented_shape(render: Render) -> None:
    result = compare(render("purchase-zh"), render("purchase-zh", deposit_amount="25000.00"))

    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))

    assert set(data) == {"verdict", "changes", "semantic"}
    (change,) = data["changes"]
    assert set(change) == {"kind", "clause", "page", "severity", "old", "new", "old_clause",
                           "new_clause", "title", "ops", "semantic"}  # fmt: skip
    assert change["ops"][0][0] in ("equal", "insert", "delete")
    assert data["semantic"] == [
        {"what": "amount", "label": "定金", "old": "¥20,000.00", "new": "¥25,000.00",
         "clause": "3.4", "old_value": {"minor": 2000000, "currency": "CNY"},
         "new_value": {"minor": 2500000, "currency": "CNY"},
         "text": "定金 ¥20,000.00 → ¥25,000.00"},
    ]  # fmt: skip


def test_identical_texts_are_the_same(render: Render) -> None:
    text = render("nda-zh")
    assert compare(text, text).to_dict() == {"verdict": "same", "changes": [], "semantic": []}


# --- OCR tolerance (what ocr-check relies on) ---------------------------------------------


def test_ocr_confusions_are_not_differences_when_ocr_tolerant(render: Render) -> None:
    approved = render("purchase-zh")
    scanned = (
        approved.replace("¥207,122.00", "¥2O7,l22.OO")
        .replace("已包含", "己包含")
        .replace("未使用过", "末使用过")
    )
    scanned = cjk_spaces(scanned)

    assert compare(approved, scanned, ocr_tolerant=True).verdict == "same"
    assert compare(approved, scanned).verdict == "changed"


def test_a_digit_ocr_read_as_another_digit_is_still_a_change(render: Render) -> None:
    approved = render("purchase-zh")
    scanned = approved.replace("本合同总价款为¥207,122.00", "本合同总价款为¥207,722.00")

    result = compare(approved, scanned, ocr_tolerant=True)

    assert reported(result) == [("modified", "2.1", "2.1")]
    # The capitals beside the figure still say 207,122: the value shows both.
    assert values(result) == [
        ("amount", "合同总价款", "¥207,122.00", "¥207,722.00 (大写 ¥207,122.00)")
    ]


# --- through real LibreOffice --------------------------------------------------------------


def _need(program: str) -> None:
    """Skip without ``program`` on a developer machine; fail in CI (STYLE.md)."""
    if shutil.which(program) is None:
        if CI:
            pytest.fail(f"{program} is not installed")
        pytest.skip(f"{program} is not installed")


@pytest.fixture(scope="module")
def rendered_pdf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    from contractctl.drafting.convert import convert_one

    _need("soffice")
    _need("pdftotext")
    out = tmp_path_factory.mktemp("pdf")
    spec = load_schema(TEMPLATES / "purchase-zh.toml")
    values_, problems = validate_values(spec, spec.sample, resolve_party=None)
    assert problems == []
    docx = out / "purchase-zh.docx"
    Renderer(TEMPLATES / "purchase-zh.docx").render(
        to_context(values_, Company(name="上海我们科技有限公司").as_dict()), docx
    )
    pdf = out / "purchase-zh.pdf"
    convert_one(docx, pdf)
    yield docx, pdf


def test_the_pdf_libreoffice_makes_of_a_draft_reads_the_same_as_the_draft(
    rendered_pdf: tuple[Path, Path],
) -> None:
    docx, pdf = rendered_pdf
    from_pdf = pdf_text(pdf)
    assert "\f" in from_pdf and "第1页共" in from_pdf.replace(" ", "")  # footers, pages, tables

    result = compare(docx_text(docx), from_pdf)

    assert (result.verdict, result.changes, result.semantic) == ("same", [], [])
    assert result.new_clauses[-1].page > 1  # clauses know the PDF page they start on


def test_an_ocr_misread_amount_beside_a_real_change_is_read_as_its_digits(
    render: Render,
) -> None:
    approved = render("purchase-zh")
    scanned = approved.replace("本合同总价款为¥207,122.00", "本合同总价款为¥2O7,l22.OO").replace(
        "增值税税率为13%", "增值税税率为9%"
    )

    result = compare(approved, scanned, ocr_tolerant=True)

    assert reported(result) == [("modified", "2.1", "2.1")]
    assert values(result) == [("percentage", "增值税税率", "13%", "9%")]  # not the amount
