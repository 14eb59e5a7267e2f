"""Normalisation: two texts that differ only in formatting have one comparison form."""

from __future__ import annotations

import pytest

from contractctl.compare import normalise
from contractctl.compare.normalise import clean_lines, tokenise


@pytest.mark.parametrize(
    ("docx", "pdf"),
    [
        ("签订日期：2026年11月22日", "签订日期： 2026 年 11 月 22 日"),
        ("本合同总价款为¥207,122.00", "本 合 同 总 价 款 为 ￥２０７，１２２．００"),
        ("（一）乙方逾期交货；", "(一) 乙方逾期交货;"),
        ("“货物”", '"货物"'),
        ("501—508室", "501-508 室"),
        ("二〇二六年", "二○二六年"),
        ("The Fees are fixed.", "The  Fees\nare fixed."),
        ("pre-existing materials", "pre-\nexisting materials"),
        ("documentation", "docu-\nmentation"),
        ("Party A’s consent", "Party A's consent"),
        ("1 | 工业平板电脑 | 台", "1\n\n工业平板电脑\n\n台"),
        ("Signature:", "Signature:________________"),
        ("ＡＢＣ　公司", "ABC 公司"),
    ],
)
def test_formatting_differences_fold_away(docx: str, pdf: str) -> None:
    assert normalise(docx) == normalise(pdf)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("¥120,000.00", "¥150,000.00"),
        ("甲方向乙方支付", "乙方向甲方支付"),
        ("Liu Yang", "LiuYang"),
        ("30日", "30天"),  # the same duration, but not the same words
        ("Party A", "party A"),
    ],
)
def test_real_differences_stay(one: str, other: str) -> None:
    assert normalise(one) != normalise(other)


def test_spaces_between_latin_words_are_kept_one_each() -> None:
    assert normalise("Party  B\tshall pay USD 3,000 within 30 days") == (
        "Party B shall pay USD 3,000 within 30 days"
    )


def test_running_headers_footers_and_page_numbers_are_dropped() -> None:
    # Page 1's title is the later pages' running header: the title stays, the headers go.
    page = "采购合同\n{body}\n\n合同编号：CG-2026-0001\n\n第 {n} 页 共 3 页\n"
    text = "\f".join(
        page.format(body=body, n=n) for n, body in enumerate(["甲方", "乙方", "丙方"], 1)
    )

    assert normalise(text) == normalise("采购合同\n甲方\n乙方\n丙方")
    assert [(line.text, line.page) for line in clean_lines(text) if line.text] == [
        ("采购合同", 1), ("甲方", 1), ("乙方", 2), ("丙方", 3),
    ]  # fmt: skip


def test_the_title_block_survives_a_footer_that_repeats_it() -> None:
    pages = [
        "采购合同\n合同编号：CG-2026-0001\n正文一\n正文二\n正文三\n正文四\n\n"
        "合同编号：CG-2026-0001\nPage 1 of 2",
        "正文五\n正文六\n\n合同编号：CG-2026-0001\nPage 2 of 2",
    ]

    lines = [line.text for line in clean_lines("\f".join(pages)) if line.text]

    assert lines == ["采购合同", "合同编号：CG-2026-0001", "正文一", "正文二", "正文三", "正文四",
                     "正文五", "正文六"]  # fmt: skip


def test_a_table_row_number_at_the_top_of_a_page_is_not_a_page_number() -> None:
    pages = ["序号\n1\n工业平板电脑\n\n- 1 -", "3\n工业以太网交换机\n\n- 2 -", "合计\n\n- 3 -"]

    lines = [line.text for line in clean_lines("\f".join(pages)) if line.text]

    assert lines == ["序号", "1", "工业平板电脑", "3", "工业以太网交换机", "合计"]


def test_bare_page_numbers_go_when_every_page_has_its_own() -> None:
    bodies = ["甲方\n乙方", "丙方\n丁方", "戊方\n己方"]
    text = "\f".join(f"{body}\n\n{n}" for n, body in enumerate(bodies, 1))
    assert [line.text for line in clean_lines(text) if line.text] == [
        "甲方", "乙方", "丙方", "丁方", "戊方", "己方",
    ]  # fmt: skip


def test_a_table_row_number_just_above_the_page_number_stays() -> None:
    # pdftotext reads page 2's table rows 1-2 down the column, then the page's own "2".
    pages = ["甲方\n乙方\n\n1", "序号\n1\n2\n\n2", "丙方\n丁方\n\n3"]

    lines = [line.text for line in clean_lines("\f".join(pages)) if line.text]

    assert lines == ["甲方", "乙方", "序号", "1", "2", "丙方", "丁方"]


def test_unambiguous_page_numbers_go_even_without_page_breaks() -> None:
    assert normalise("甲方\n第 1 页 共 6 页\n乙方\nPage 2 of 6") == normalise("甲方\n乙方")


def test_tokens_are_cjk_characters_latin_words_and_whole_numbers() -> None:
    tokens = tokenise("总价款为¥207,122.00, payable within 30 days (pre-paid)")

    assert [t.key for t in tokens] == [
        "总", "价", "款", "为", "¥", "207,122.00", ",", "payable", "within", "30", "days",
        "(", "prepaid", ")",
    ]  # fmt: skip
    assert (
        "".join(t.text for t in tokens) == "总价款为¥207,122.00, payable within 30 days (pre-paid)"
    )


def test_tokens_know_lines_cells_and_pages() -> None:
    tokens = tokenise("甲方：\t上海公司\n乙方 | 北京公司", page_breaks=(9,))

    starts = [t.key for t in tokens if t.starts]
    ends = [t.key for t in tokens if t.ends]

    assert starts == ["甲", "上", "乙", "北"]
    assert ends == [":", "司", "方", "司"]
    assert [t.key for t in tokens if t.page_start] == ["乙"]
    assert "|" not in [t.key for t in tokens]  # a table-cell separator is layout


@pytest.mark.parametrize(
    ("approved", "scanned"),
    [
        ("¥207,122.00", "¥2O7,l22.OO"),
        ("第10条", "第1O条"),
        ("已包含", "己包含"),
        ("未使用", "末使用"),
        ("5日内", "5曰内"),
        ("千分之一", "干分之一"),
        ("对方签收之日", "对方等收之日"),
        ("Inspection", "lnspection"),
        ("Hello", "He1lo"),
    ],
)
def test_ocr_confusions_fold_only_when_asked(approved: str, scanned: str) -> None:
    assert normalise(approved, ocr_tolerant=True) == normalise(scanned, ocr_tolerant=True)
    assert normalise(approved) != normalise(scanned)


@pytest.mark.parametrize(
    ("approved", "scanned"), [("¥207,122.00", "¥207,722.00"), ("30日", "80日")]
)
def test_ocr_tolerance_never_hides_a_digit_read_as_another_digit(
    approved: str, scanned: str
) -> None:
    assert normalise(approved, ocr_tolerant=True) != normalise(scanned, ocr_tolerant=True)
