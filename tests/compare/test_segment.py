"""Clause segmentation: the numbering schemes contracts use, as an outline of clauses."""

from __future__ import annotations

from contractctl.compare import segment


def outline(text: str) -> list[tuple[str, int, str]]:
    """(id, level, title) of each clause."""
    return [(c.id, c.level, c.title) for c in segment(text)]


def test_chinese_articles_with_dotted_sub_clauses_and_a_preamble() -> None:
    text = """采购合同
甲方：上海我们科技有限公司
第一条 合同标的
1.1 乙方同意出售下列货物。
1.2 货物以附件为准。
第二条 合同价款
本合同总价款为¥120,000.00。
第十二条 保密"""

    clauses = segment(text)

    assert outline(text) == [
        ("preamble", 0, ""),
        ("第一条", 1, "合同标的"),
        ("1.1", 2, ""),
        ("1.2", 2, ""),
        ("第二条", 1, "合同价款"),
        ("第十二条", 1, "保密"),
    ]
    assert [c.number for c in clauses] == [(), (1,), (1, 1), (1, 2), (2,), (12,)]
    assert clauses[2].parent == 1 and clauses[5].parent is None
    assert clauses[4].text == "第二条 合同价款\n本合同总价款为¥120,000.00。"
    assert clauses[4].norm == "合同价款本合同总价款为¥120,000.00。"  # marker left out
    assert clauses[0].text == "采购合同\n甲方：上海我们科技有限公司"


def test_chapters_articles_and_chinese_list_markers() -> None:
    text = """第一章 总则
第一条 为规范双方权利义务，订立本合同。
第二章 付款
第二条 付款方式
（一）预付款；
（二）进度款；
第三条 发票"""

    assert outline(text) == [
        ("preamble", 0, ""),
        ("第一章", 1, "总则"),
        ("第一条", 2, ""),  # a sentence, not a title
        ("第二章", 1, "付款"),
        ("第二条", 2, "付款方式"),
        ("第二条（一）", 3, ""),
        ("第二条（二）", 3, ""),
        ("第三条", 2, "发票"),
    ]


def test_chinese_enumeration_outline() -> None:
    text = "一、合同标的\n（一）货物名称\n1. 工业平板电脑\n2. 扫描枪\n（二）数量\n二、价款"

    assert outline(text) == [
        ("preamble", 0, ""),
        ("一", 1, "合同标的"),
        ("一（一）", 2, "货物名称"),
        ("一（一）.1", 3, "工业平板电脑"),
        ("一（一）.2", 3, "扫描枪"),
        ("一（二）", 2, "数量"),
        ("二", 1, "价款"),
    ]


def test_english_articles_sections_and_lettered_lists() -> None:
    text = """SERVICES AGREEMENT
Article 1 Definitions
1.1 In this Agreement:
(a) "Services" means the services;
(b) "Fees" means the fees; and
(c) "Term" means the term.
1.2 Headings do not affect interpretation.
ARTICLE 2 PAYMENT
Section 2.1 Party A shall pay the Fees."""

    assert outline(text) == [
        ("preamble", 0, ""),
        ("Article 1", 1, "Definitions"),
        ("1.1", 2, ""),
        ("1.1(a)", 3, ""),
        ("1.1(b)", 3, ""),
        ("1.1(c)", 3, ""),
        ("1.2", 2, ""),
        ("Article 2", 1, "PAYMENT"),
        ("Section 2.1", 2, ""),
    ]


def test_numbered_english_clauses_and_roman_sub_items() -> None:
    text = "1. Definitions\n2. Services\n(i) hosting;\n(ii) support.\n3. Fees"

    assert outline(text) == [
        ("preamble", 0, ""),
        ("1", 1, "Definitions"),
        ("2", 1, "Services"),
        ("2(i)", 2, ""),
        ("2(ii)", 2, ""),
        ("3", 1, "Fees"),
    ]


def test_wrapped_lines_that_start_like_a_marker_are_not_headings() -> None:
    text = """3. Term
3.2 This Agreement renews automatically for successive periods of one
(1) year unless either Party gives notice, less any credits under
Clause 7.3.
4. Fees"""

    assert [c.id for c in segment(text)] == ["preamble", "3", "3.2", "4"]


def test_a_list_marker_must_continue_its_list() -> None:
    text = "第五条 付款\n付款分三期：\n(3) 尾款在验收后支付。"
    assert [c.id for c in segment(text)] == ["preamble", "第五条"]


def test_pdf_pages_give_each_clause_the_page_it_starts_on() -> None:
    text = "合同\n第一条 标的\n甲方购买货物。\n\f第二条 价款\n价款为¥1.00。\n\f第三条 交付\n"

    assert [(c.id, c.page) for c in segment(text)] == [
        ("preamble", 1), ("第一条", 1), ("第二条", 2), ("第三条", 3),
    ]  # fmt: skip


def test_spaced_out_pdf_headings_are_read_and_titled_without_the_spaces() -> None:
    clauses = segment("第 十 一 条 知 识 产 权\n乙 方 保 证 不 侵 权 。")

    assert (clauses[1].id, clauses[1].number, clauses[1].title) == ("第十一条", (11,), "知识产权")
    assert clauses[1].norm == "知识产权乙方保证不侵权。"


def test_a_repeated_number_gets_a_distinct_id() -> None:
    ids = [c.id for c in segment("第四条 甲\n第六条 乙\n第六条 丙")]
    assert ids == ["preamble", "第四条", "第六条", "第六条 (2)"]


def test_no_headings_is_one_preamble() -> None:
    clauses = segment("备忘录\n双方同意合作。")
    assert [(c.id, c.text) for c in clauses] == [("preamble", "备忘录\n双方同意合作。")]


def test_a_list_item_wrapped_to_a_line_start_does_not_split_the_comparison() -> None:
    from contractctl.compare import compare

    docx = "第一条 解除\n有下列情形之一的，甲方可以解除本合同：（一）逾期交货；（二）质量不合格。"
    pdf = "第一条 解除\n有下列情形之一的，甲方可以解除本合同：\n（一）逾期交货；（二）质量不合格。"
    assert [c.id for c in segment(pdf)] == ["preamble", "第一条", "第一条（一）"]

    assert compare(docx, pdf).verdict == "same"
    edited = compare(docx, pdf.replace("质量不合格", "质量严重不合格"))
    assert [(c.kind, c.clause) for c in edited.changes] == [("modified", "第一条")]
    assert [op for op in edited.changes[0].ops if op[0] != "equal"] == [("insert", "严重")]


# --- headings as Word files from other hands write them ---------------------------------

MINIMAL = "\n".join(
    [
        "1. Service",
        "1.1 The Supplier shall provide the services",
        "1.2 The Customer shall cooperate",
        "2. Fees",
        "2.1 Payment is due within 30 days.",
        "3. Term",
        "3.1 The term is one year",
    ]
)


def test_clauses_without_a_final_full_stop_are_not_glued_to_the_one_before() -> None:
    assert [c.id for c in segment(MINIMAL)] == [
        "preamble", "1", "1.1", "1.2", "2", "2.1", "3", "3.1",
    ]  # fmt: skip


def test_the_minimal_english_case_cites_2_1_and_3_1() -> None:
    from contractctl.compare import compare

    fees = compare(MINIMAL, MINIMAL.replace("30 days", "45 days"))
    assert [(c.kind, c.clause) for c in fees.changes] == [("modified", "2.1")]
    assert [s.describe() for s in fees.semantic] == ["Payment 30 days → 45 days"]
    term = compare(MINIMAL, MINIMAL.replace("one year", "two years"))
    assert [(c.kind, c.clause) for c in term.changes] == [("modified", "3.1")]


def test_a_wrapped_line_that_reads_like_the_next_number_but_in_lower_case_is_not_one() -> None:
    text = "2. Fees\nThe fees are set out in Section\n2.1 shall apply to renewals.\n3. Term"
    assert [c.id for c in segment(text)] == ["preamble", "2", "3"]


def test_chinese_numbers_followed_by_a_tab_spaces_a_fill_in_line_or_a_colon() -> None:
    text = (
        "买卖合同\n第六条\t标的物的交付\n第七条     标的物所有权自 ____ 时起转移\n"
        "第八条____交货地点\n第十五条    违约责任：\n第十六条：争议解决"
    )
    clauses = segment(text)
    assert [(c.id, c.title) for c in clauses] == [
        ("preamble", ""), ("第六条", "标的物的交付"), ("第七条", ""), ("第八条", "交货地点"),
        ("第十五条", "违约责任"), ("第十六条", "争议解决"),
    ]  # fmt: skip


def test_articles_that_word_ran_into_one_paragraph_are_split_in_sequence() -> None:
    text = (
        "第二条 质量标准：\t 第三条   出卖人对质量负责的条件期限：\t 第四条   包装标准：\n"
        "第五条 按本合同第六条约定交付。"
    )
    assert [(c.id, c.text) for c in segment(text)] == [
        ("preamble", ""),
        ("第二条", "第二条 质量标准："),
        ("第三条", "第三条   出卖人对质量负责的条件期限："),
        ("第四条", "第四条   包装标准："),
        ("第五条", "第五条 按本合同第六条约定交付。"),  # a reference, not a heading
    ]


def test_a_table_of_contents_is_not_taken_for_the_clauses() -> None:
    text = (
        "服务合同\n目录\n第一条 服务内容\n第二条 费用\n第三条 违约责任\n"
        "甲方：某某公司\n第一条 服务内容\n乙方提供服务。\n第二条 费用\n费用为¥1,000.00。\n"
        "第三条 违约责任\n违约方赔偿损失。"
    )
    clauses = segment(text)
    assert [c.id for c in clauses] == ["preamble", "第一条", "第二条", "第三条"]
    assert "目录" in clauses[0].text and clauses[2].text == "第二条 费用\n费用为¥1,000.00。"


def test_quote_marks_roman_numerals_and_bare_numbers_in_sequence() -> None:
    text = 'I. General\n1."Agreement" means this agreement.\nII. Payment\n1.\nPayment is due.\n3.'
    assert [c.id for c in segment(text)] == ["preamble", "I", "I.1", "II", "II.1"]


def test_letter_spaced_titles_are_one_title() -> None:
    from contractctl.documents.clauses import spaced_title

    assert spaced_title("加  工  合  同") == "加工合同"
    assert spaced_title("加工合同") is None
    assert spaced_title("甲方 乙方 are parties") is None


def test_a_change_cites_a_page_only_where_the_texts_have_pages() -> None:
    """A Word file's text has no pages: a change in it cites none (it said p.1 for
    every clause); a PDF's text has them (form feeds) and cites the right one."""
    from contractctl.compare import compare

    old = "第一条 付款\n甲方应于30日内付款。\n第二条 交货\n乙方应于10日内交货。"
    new = old.replace("10日", "15日")
    (change,) = compare(old, new).changes
    assert change.page is None and change.to_dict()["page"] is None
    paged_old, paged_new = old.replace("第二条", "\f第二条"), new.replace("第二条", "\f第二条")
    (change,) = compare(paged_old, paged_new).changes
    assert change.page == 2


USED_CAR = """GF—2015—0120
二手车买卖合同
（示范文本）
使用说明
一、本合同文本是依据有关法律、法规和规章制定的示范文本，供当事人参照使用。
二、本合同所称二手车，是指进行交易并转移所有权的汽车。
三、双方当事人应结合具体情况选择本合同协议条款中所提供的选择项。
二 手 车 买 卖 合 同
合同编号 :
甲方（出卖人）:上海浦江汽车贸易有限公司
乙方（买受人）:王小明
一、车辆基本情况
车主名称或姓名：王小明。
二、车辆价款
车辆价款为人民币壹拾万元整（¥100,000.00）。"""


def test_a_model_contracts_own_title_and_parties_follow_its_instructions_page() -> None:
    """Model contracts (GF—) open with a cover and a 使用说明 numbered 一、…; the
    contract starts again with its title and its parties. Those are its preamble, its
    own 一、 is 一, and the instructions are cited as the cover's."""
    clauses = segment(USED_CAR)

    assert [c.id for c in clauses] == [
        "cover", "cover 一", "cover 二", "cover 三", "preamble", "一", "二",
    ]  # fmt: skip
    assert clauses[4].text.startswith("二 手 车 买 卖 合 同\n合同编号")
    assert "甲方（出卖人）" in clauses[4].text and "甲方" not in clauses[3].text


def test_a_party_changed_after_the_instructions_is_cited_in_the_preamble() -> None:
    from contractctl.compare import compare

    new = USED_CAR.replace("上海浦江汽车贸易有限公司", "上海黄浦汽车贸易有限公司")
    result = compare(USED_CAR, new)

    assert [(c.kind, c.clause, c.old_clause) for c in result.changes] == [
        ("modified", "preamble", "preamble")
    ]
    cut = compare(USED_CAR, "\n".join(USED_CAR.split("\n")[7:]))  # the cover pages gone
    # one deletion, the cover with its instructions; the contract's preamble is unchanged
    assert [(c.kind, c.old_clause) for c in cut.changes] == [("deleted", "cover")]


def test_a_title_line_before_the_signatures_or_an_annex_opens_nothing() -> None:
    """Only a title followed by the parties opens a contract: not the signature block
    (甲方（盖章）：) and not an annex's own agreement (附件一 补充协议)."""
    text = """设备采购合同
甲方：上海我们科技有限公司
第一条 标的
乙方出售设备。
第二条 价款
总价为¥10,000.00。
设备采购合同
甲方（盖章）：
乙方（盖章）：
附件一 补充协议
甲方：上海我们科技有限公司"""
    assert [c.id for c in segment(text)] == ["preamble", "第一条", "第二条"]


def test_an_article_run_in_after_a_filled_value_and_one_space_is_its_own() -> None:
    """保管合同 runs 第二条…第四条 into 第一条's paragraph after tabs; a user's filled
    value replaced a tab with one space, and every later article was cited as 第一条."""
    text = (
        "保管合同\n第一条   保管物\n"
        "\t保管物名称：红木家具 价值：人民币捌拾万元整（¥800,000.00） 第二条   保管场所：上海市"
        "闵行区2号库 第三条   保管方法：恒温恒湿库房存放\n"
        "第四条   保管费为人民币叁万陆仟元整。依照 第五条约定支付。\n第五条   支付方式：转账。"
    )
    assert [c.id for c in segment(text)] == [
        "preamble", "第一条", "第二条", "第三条", "第四条", "第五条",
    ]  # fmt: skip
