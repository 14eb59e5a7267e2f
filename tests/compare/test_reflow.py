"""A DOCX's text against its own PDF's: what the layout moved is not a change."""

from __future__ import annotations

from contractctl.compare import compare

DOCX = """采购合同
合同编号：HT-001
第一条 货物
名称 | 数量 | 单价
螺丝 | 100 | 5元
垫片 | 200 | 1元
第二条 付款
买方应在收货后30日内付款，逾期按每日0.05%支付违约金。
第三条 其他
本合同一式两份，双方各执一份。
合同编号：HT-001\t第  页 共  页"""

# As pdftotext reads the PDF: the table column by column, the clause carried over the
# page break, the footer with its page numbers on every page.
PDF = """采购合同
合同编号：HT-001
第一条 货物
名称
螺丝
垫片
数量
100
200
单价
5元
1元
第二条 付款
买方应在收货后30日内付款，逾期按
合同编号：HT-001
第 1 页 共 2 页
\f每日0.05%支付违约金。
第三条 其他
本合同一式两份，双方各执一份。
合同编号：HT-001
第 2 页 共 2 页
\f"""


def test_a_docx_and_its_pdf_compare_the_same() -> None:
    result = compare(DOCX, PDF)

    assert (result.verdict, result.changes) == ("same", [])


def test_a_value_changed_where_the_layout_also_moved_text_is_reported_under_its_clause() -> None:
    result = compare(DOCX, PDF.replace("30日", "45日"))

    assert [(c.kind, c.clause) for c in result.changes] == [("modified", "第二条")]
    assert [s.describe() for s in result.semantic] == ["付款 30日 → 45日"]


def test_a_table_cell_changed_in_a_table_read_cell_by_cell_is_reported() -> None:
    result = compare(DOCX, PDF.replace("200", "300"))

    assert [(c.kind, c.clause) for c in result.changes] == [("modified", "第一条")]


# A word at a line's end that the PDF drew at the start of the line below, which
# pdftotext then read before the next clause's number: the clause it joins reads the
# same but for a repeated word, the one it left lost it.
CARRIED_DOCX = """第十条 承包人的义务
10.3\t\t负责编制施工组织设计，组织编制施工计划，实施对工程质量、安全生产的检查和验收；
10.4\t\t负责工程测量定位、技术交底，统一安排技术档案资料的
收集整理及交工验收；
10.5\t\t按时提交报表。"""
CARRIED_PDF = """第十条 承包人的义务
10.3 负责编制施工组织设计，组织编制施工计划，实施对工程质量、安全生产的检查和验收；
的

10.4 负责工程测量定位、技术交底，统一安排技术档案资料

收集整理及交工验收；
10.5 按时提交报表。
\f"""


def test_a_word_the_pdf_carried_into_the_clause_before_is_not_a_change() -> None:
    assert compare(CARRIED_DOCX, CARRIED_PDF).changes == []


def test_a_word_really_deleted_beside_a_carried_one_is_still_reported() -> None:
    result = compare(CARRIED_DOCX, CARRIED_PDF.replace("技术交底，", ""))

    assert [(c.kind, c.clause) for c in result.changes] == [("modified", "10.4")]


def test_front_matter_numbered_in_roman_numerals_is_not_a_change() -> None:
    docx = (
        "使用说明\n一、本示范文本供双方参照使用。\n二、空格处由双方约定填写。\n"
        "第一条 标的\n买方购买货物。"
    )
    pdf = (
        "使用说明\n一、本示范文本供双方参照使用。\n\nI\n\f二、空格处由双方约定填写。\n\nII\n"
        "\f第一条 标的\n买方购买货物。\n\n1\n\f"
    )
    assert compare(docx, pdf).changes == []


# A footnote: the DOCX reader puts the note after the body, its number and Word's space
# before its text; the PDF sets the number alone at the foot of page 1, where it reads
# like page 1's number.
NOTE = (
    "在正式协议文本中，所列数字、百分比、期间等均应为确定值，以免由此产生争议；示范文本中的"
    "空格由双方约定填写，未约定的填写“无”，附件应完整、准确、清楚，不得省略，并与正文具有同等效力。"
)
NOTE_DOCX = f"""使用说明
一、协议双方可在协商一致的基础上对参考值进行适当调整1，并按照规定执行。
第一条 定义
1.1 电网：指由输电、变电、配电设备组成的统一整体。
第二条 其他
2.1 本协议一式四份，双方各执两份。
1  {NOTE}"""
NOTE_PDF = f"""使用说明
一、协议双方可在协商一致的基础上对参考值进行适当调整 1，并按照规定执行。

1
{NOTE}
\f第一条 定义
1.1 电网：指由输电、变电、配电设备组成的统一整体。

2
\f第二条 其他
2.1 本协议一式四份，双方各执两份。

3
\f"""


def test_a_footnote_whose_number_the_pdf_sets_alone_is_not_a_change() -> None:
    assert compare(NOTE_DOCX, NOTE_PDF).changes == []


# A cover whose "制定" is a paragraph and a text box drawn over it at the same place: the
# DOCX reader reads both, pdftotext keeps one copy of text drawn twice at one place
# (and reads the cover's stray "1" before it: the pages after the cover count from 1).
COVER_DOCX = """《集体经营性建设用地使用权出让合同》示范文本
 中华人民共和国自然资源部
 中华人民共和国国家市场监督管理总局
 制定
制定
第一条 出让人
出让人为村集体经济组织。
第二条 受让人
受让人应当按期支付出让价款。"""
COVER_PDF = """《集体经营性建设用地使用权出让合同》示范文本
中华人民共和国自然资源部
中华人民共和国国家市场监督管理总局
1

制定
\f第一条 出让人
出让人为村集体经济组织。

1
\f第二条 受让人
受让人应当按期支付出让价款。

2
\f"""


def test_a_text_box_repeating_the_line_under_it_is_not_a_change() -> None:
    assert compare(COVER_DOCX, COVER_PDF).changes == []


def test_a_line_really_deleted_beside_a_repeated_one_is_still_reported() -> None:
    pdf = COVER_PDF.replace("中华人民共和国国家市场监督管理总局\n", "")

    result = compare(COVER_DOCX, pdf)

    assert [c.kind for c in result.changes] == ["modified"]


# A calendar whose day numbers 10-13 are too wide for their cells: the PDF stacks each
# number's digits, and pdftotext reads the row of tens, then the row of units. The DOCX
# keeps a page number ("1") in a text box in the same clause.
CALENDAR_DOCX = """十一、其他
双方另行约定。
十二、广告的编排方式和发布时间表：
1
广告编排方式 | 日 月 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13
一 |  |  |  |  |  |  |  |  |  |  |  |  |  |
十三、争议
双方协商解决。"""
CALENDAR_PDF = """十一、其他
双方另行约定。
十二、广告的编排方式和发布时间表：
广告编排方式
月
日 1 2 3 4 5 6 7 8 9 1 1 1 1
0 1 2 3
一
\f十三、争议
双方协商解决。
\f"""


def test_a_calendar_whose_numbers_the_pdf_stacks_digit_by_digit_is_not_a_change() -> None:
    assert compare(CALENDAR_DOCX, CALENDAR_PDF).changes == []


def test_a_word_changed_beside_the_stacked_calendar_is_still_reported() -> None:
    result = compare(CALENDAR_DOCX, CALENDAR_PDF.replace("编排方式", "编排办法"))

    assert [(c.kind, c.clause) for c in result.changes] == [("modified", "十二")]


# Sections whose header is "附表 {PAGE} ：" in a text box: the DOCX reads it once, without
# the page number, before the body; the PDF prints "附表 2", "附表 3" (the colon clipped)
# at the top of those sections' pages, and its last page opens with the body's own title
# "附表 4 ：", read as "附表 4" and "：", which reads like one more of them.
PARTS = zip("一二三四五六七八九", "门窗墙地顶灯柜台梯", strict=True)
TERMS = "\n".join(f"{n}、{part}保修两年。" for n, part in PARTS)
SECTIONS_DOCX = f"""附表  ：\u0020
第一条 工程
本工程由承包人施工。
第二条 材料
材料由发包人提供。
第三条 验收
双方共同验收。
第四条 保修
承包人负责保修。
附表 4 ：
保修单
保修期为两年。
{TERMS}"""
SECTIONS_PDF = "\f".join(
    [
        "第一条 工程\n本工程由承包人施工。\n\n1",
        "附表 2\n第二条 材料\n材料由发包人提供。\n\n2",
        "附表 3\n第三条 验收\n双方共同验收。\n\n3",
        "第四条 保修\n承包人负责保修。\n\n4",
        f"附表 4\n：\n保修单\n保修期为两年。\n{TERMS}\n\n5",
        "",
    ]
)


def test_a_header_of_some_sections_only_is_not_a_change() -> None:
    assert compare(SECTIONS_DOCX, SECTIONS_PDF).changes == []


def test_a_change_beside_a_header_of_some_sections_is_still_reported() -> None:
    result = compare(SECTIONS_DOCX, SECTIONS_PDF.replace("保修期为两年", "保修期为三年"))

    assert [(c.kind, c.clause) for c in result.changes] == [("modified", "第四条")]


def test_a_number_changed_in_a_table_whose_row_numbers_stand_alone_is_reported() -> None:
    docx = "第一条 货物\n序号 | 名称 | 数量\n1 | 螺丝 | 10\n2 | 垫片 | 20\n第二条 其他\n另行约定。"
    pdf = "第一条 货物\n序号\n1\n2\n名称\n螺丝\n垫片\n数量\n{}\n20\n\f第二条 其他\n另行约定。\n\f"

    assert compare(docx, pdf.format("10")).changes == []
    result = compare(docx, pdf.format("19"))
    assert [(c.kind, c.clause) for c in result.changes] == [("modified", "第一条")]
