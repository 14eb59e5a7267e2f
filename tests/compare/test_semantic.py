"""Semantic values: what changed in money, dates, rates, periods and parties, as values."""

from __future__ import annotations

import pytest

from contractctl.compare.semantic import compare_values, extract


def found(text: str, what: str) -> list[object]:
    return [v.value for v in extract(text) if v.what == what]


@pytest.mark.parametrize(
    ("text", "minor", "currency"),
    [
        ("付款金额为¥120,000.00。", 12_000_000, "CNY"),
        ("合计￥120000元", 12_000_000, "CNY"),
        ("总价人民币120,000元整", 12_000_000, "CNY"),
        ("定金人民币壹拾贰万元整", 12_000_000, "CNY"),
        ("租金为（大写）人民币壹拾玖万贰仟玖佰陆拾柒元伍角整", 19_296_750, "CNY"),
        ("a fee of RMB 1,200.50", 120_050, "CNY"),
        ("CNY 500 per month", 50_000, "CNY"),
        ("Fees: USD 3,000", 300_000, "USD"),
        ("price $3,000.00", 300_000, "USD"),
        ("预算12万元", 12_000_000, "CNY"),
        ("￥１２０，０００．００", 12_000_000, "CNY"),
    ],
)
def test_amounts_in_every_form_are_exact_minor_units(text: str, minor: int, currency: str) -> None:
    assert found(text, "amount") == [{"minor": minor, "currency": currency}]


def test_figures_and_the_capitals_restating_them_are_one_value() -> None:
    text = "本合同总价款为¥207,122.00（大写：人民币贰拾万柒仟壹佰贰拾贰元整），为含税价。"

    (amount,) = [v for v in extract(text) if v.what == "amount"]

    assert (amount.label, amount.display) == ("合同总价款", "¥207,122.00")


def test_capitals_that_disagree_with_the_figure_are_shown() -> None:
    (amount,) = extract("定金¥25,000.00（大写：人民币贰万元整）")
    assert amount.display == "¥25,000.00 (大写 ¥20,000.00)"


@pytest.mark.parametrize(
    "text",
    [
        "签订日期：2026年1月5日",
        "签订日期：2026-01-05",
        "签订日期：2026/1/5",
        "签订日期：二〇二六年一月五日",
        "Date: January 5, 2026",
        "Date: 5 January 2026",
        "签订日期： 2026 年 1 月 5 日",
    ],
)
def test_dates(text: str) -> None:
    assert found(text, "date") == ["2026-01-05"]


@pytest.mark.parametrize(
    ("text", "percent"),
    [
        ("税率为5%", "5"),
        ("税率为5.5%", "5.5"),
        ("合同总价款的百分之五", "5"),
        ("百分之五点五", "5.5"),
        ("a rate of 5 per cent", "5"),
        ("每日千分之一", "0.1"),
        ("每日万分之五", "0.05"),
        ("at least 99.9% in each month", "99.9"),
    ],
)
def test_percentages(text: str, percent: str) -> None:
    assert found(text, "percentage") == [percent]


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("收到发票后30日内", 30, "day"),
        ("30天内付款", 30, "day"),
        ("三十日内", 30, "day"),
        ("七个工作日内", 7, "business_day"),
        ("质量保证期为12个月", 12, "month"),
        ("有效期为两年", 24, "month"),
        ("within 30 days", 30, "day"),
        ("within thirty (30) days", 30, "day"),
        ("for 12 months after", 12, "month"),
        ("for 2 years", 24, "month"),
        ("二十四小时内响应", 24, "hour"),
    ],
)
def test_durations(text: str, amount: int, unit: str) -> None:
    assert found(text, "duration") == [{"amount": amount, "unit": unit}]


def test_a_date_is_not_read_as_durations() -> None:
    assert found("乙方应于2026年12月20日前交货", "duration") == []


@pytest.mark.parametrize(
    ("text", "role", "name"),
    [
        ("甲方：上海我们科技有限公司", "甲方", "上海我们科技有限公司"),
        ("乙方（供方）：苏州恒泰智能装备有限公司", "乙方", "苏州恒泰智能装备有限公司"),
        ("委托方：北京智衡数据科技有限公司", "委托方", "北京智衡数据科技有限公司"),
        ("甲方（买方）：\t上海我们科技有限公司", "甲方", "上海我们科技有限公司"),
        ("Party A: Acme Ltd.", "Party A", "Acme Ltd."),
        (
            "Party B (Service Provider):\tShenzhen Ruituo Co., Ltd.",
            "Party B",
            "Shenzhen Ruituo Co., Ltd.",
        ),
    ],
)
def test_parties_named_at_a_line_or_cell_start(text: str, role: str, name: str) -> None:
    assert [(v.label, v.display) for v in extract(text) if v.what == "party"] == [(role, name)]


def test_parties_in_a_signature_row_and_a_between_clause() -> None:
    row = "甲方（盖章）：上海我们科技有限公司 | 乙方（盖章）：北京智衡数据科技有限公司"
    between = "This Agreement is made between Acme Trading Ltd. and Beta Systems Inc. on"

    assert [(v.label, v.display) for v in extract(row)] == [
        ("甲方", "上海我们科技有限公司"), ("乙方", "北京智衡数据科技有限公司"),
    ]  # fmt: skip
    assert [(v.label, v.display) for v in extract(between)] == [
        ("first party", "Acme Trading Ltd."), ("second party", "Beta Systems Inc."),
    ]  # fmt: skip


def test_sentences_that_mention_a_party_are_not_party_names() -> None:
    assert [v for v in extract("甲方应于本合同签订之日向乙方付款。") if v.what == "party"] == []


def test_labels_come_from_the_words_before_the_value_or_the_title() -> None:
    text = "3.4 定金：甲方应于签订之日起七个工作日内向乙方支付定金¥20,000.00。"

    labels = {v.what: v.label for v in extract(text, title="付款方式")}

    assert labels == {"amount": "定金", "duration": "定金"}
    assert [v.label for v in extract("The Services cost USD 5.00.", title="Fees")] == ["Fees"]


def test_a_table_row_labels_its_values_with_the_row_name() -> None:
    text = "2 | 无线条码扫描枪 | SC-200W | 把 | 50 | ¥420.00 | ¥21,000.00"
    assert [(v.label, v.display) for v in extract(text)] == [
        ("无线条码扫描枪", "¥420.00"), ("无线条码扫描枪", "¥21,000.00"),
    ]  # fmt: skip


def test_only_changed_values_are_reported_paired_by_label_and_order() -> None:
    old = extract("定金¥20,000.00，违约金¥50,000.00，预付款30%，30日内支付。")
    new = extract("定金¥20,000.00，违约金¥80,000.00，预付款30%，45日内支付。")

    changes = compare_values(old, new, "3.4")

    assert [(c.what, c.label, c.old, c.new) for c in changes] == [
        ("amount", "违约金", "¥50,000.00", "¥80,000.00"),
        ("duration", "期限", "30日", "45日"),  # no better name in the sentence
    ]
    assert changes[0].new_value == {"minor": 8_000_000, "currency": "CNY"}
    assert all(c.clause == "3.4" for c in changes)


def test_an_added_value_does_not_shift_the_others() -> None:
    old = extract("1 | A | ¥1.00\n2 | B | ¥2.00")
    new = extract("1 | A | ¥1.00\n2 | N | ¥9.00\n3 | B | ¥2.00")

    changes = compare_values(old, new, "1.1")

    assert [(c.label, c.old, c.new) for c in changes] == [("N", None, "¥9.00")]


def test_swapped_parties_are_reported() -> None:
    old = extract("甲方：上海甲公司\n乙方：北京乙公司")
    new = extract("甲方：北京乙公司\n乙方：上海甲公司")

    changes = compare_values(old, new, "preamble", tolerant=True)

    assert [(c.label, c.old, c.new) for c in changes] == [
        ("甲方", "上海甲公司", "北京乙公司"), ("乙方", "北京乙公司", "上海甲公司"),
    ]  # fmt: skip


def test_amounts_never_become_floats() -> None:
    (value,) = extract("¥0.10")
    assert value.value == {"minor": 10, "currency": "CNY"}
    assert isinstance(value.value["minor"], int)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # a form's fields on one line, the labels letter-spaced (设备监理合同's 协议书)
        ("项 目 名 称 ：2号生产线设备监造 项 目 地 点 ：江苏省苏州市 "
         "项目投资额：人民币1,280,000.00元", "项目投资额"),
        # an aside in brackets names a term too, but qualifies the thing before it
        ("本车价款（不含税费或其它费用）为人民币 : 86,000.00元（大写 : 捌万陆仟元整）。",
         "本车价款"),
        # a table's label and value cells, two pairs to the row
        ("项目名称\t2号生产线\t项目投资额\t¥1,280,000.00", "项目投资额"),
        # a line-item row: the row's name, not its unit or its quantity
        ("2\tSecurity Operations\tmonth\t12\tUSD 2,800.00", "Security Operations"),
        ("1\t服务器\t台\t2\t¥20,000.00", "服务器"),
        # the value's own cell names it first
        ("甲方：上海我们科技有限公司\t签订时间：2026年1月5日", "签订时间"),
    ],
)  # fmt: skip
def test_a_value_is_named_by_its_own_label_not_a_neighbours(text: str, label: str) -> None:
    """A new user's diff summary read `项目名称 ¥1,280,000.00 → ¥1,580,000.00` (the
    investment changed, not the project's name) and `费用 ¥86,000.00 → …` (the car's price)."""
    (value,) = [v for v in extract(text) if v.what in ("amount", "date")]
    assert value.label == label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("第十条   保管费（大写）人民币叁万陆仟元整（¥36,000.00）。", "保管费"),
        ("第七条   保管期限自2026年3月10日至2027年3月9日止。", "保管期限"),
        ("签约合同价（不含税）为：\t人民币1,280,000.00元", "签约合同价(不含税)"),
    ],
)
def test_a_word_no_list_has_is_named_by_its_ending(text: str, label: str) -> None:
    """保管费 and 保管期限 are in no list of terms; their endings (费, 期限) say what they
    name, which beats the generic 金额/日期 a new user saw."""
    values = [v for v in extract(text) if v.what in ("amount", "date")]
    assert values[-1].label == label


def test_a_party_named_on_the_line_under_its_role_is_a_party() -> None:
    """中小学生校外培训服务合同 puts the institution's name a line below 甲方（提供培训方）：,
    after a label of its own: the name's change was a word diff, not a party's."""
    old = (
        "甲方（提供培训方）：\n"
        "机构名称（与民非登记证 / 营业执照或办学许可证一致）：上海启明星教育培训中心\n"
    )
    new = old.replace("启明星", "启航")
    changes = compare_values(extract(old), extract(new), "preamble")
    assert [(c.what, c.label, c.old, c.new) for c in changes] == [
        ("party", "甲方", "上海启明星教育培训中心", "上海启航教育培训中心")
    ]


def test_a_signature_tables_company_row_names_each_column_party() -> None:
    """The Common Paper NDA's cover page signs in a table (PARTY 1 | PARTY 2, then a
    Company row): a company's new name was a word diff, not a party's change."""
    old = (
        "PARTY 1 | PARTY 2 | \nPrint Name | Jane Doe | Raj Patel\n"
        "Company | Acme Robotics, Inc. | Blue Harbor Analytics LLC\n"
    )
    new = old.replace("Analytics", "Data")
    changes = compare_values(extract(old), extract(new), "preamble")
    assert [(c.what, c.label, c.old, c.new) for c in changes] == [
        ("party", "Party 2", "Blue Harbor Analytics LLC", "Blue Harbor Data LLC")
    ]


def test_a_cover_pages_heading_line_names_the_value_under_it() -> None:
    (value,) = [v for v in extract("Purpose\nEvaluation.\nEffective Date\nMarch 3, 2026\n")]
    assert (value.what, value.label) == ("date", "Effective Date")
