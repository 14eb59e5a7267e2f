"""The HTML redline: one standalone page, well formed, and safe with hostile contract text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from contractctl.compare import compare, render_html

OLD = """采购合同
甲方：上海我们科技有限公司
乙方：苏州恒泰智能装备有限公司
第一条 合同标的
乙方向甲方出售工业平板电脑。
第二条 合同价款
本合同总价款为¥120,000.00（大写：人民币壹拾贰万元整）。
第三条 保密
双方对本合同内容保密。
第四条 交货
乙方应于2026年12月20日前交货。
第五条 争议解决
提交上海仲裁委员会仲裁。"""

NEW = """采购合同
甲方：上海我们科技有限公司
乙方：苏州恒泰智能装备有限公司
第一条 合同标的
乙方向甲方出售工业平板电脑<script>alert("x")</script>。
第二条 合同价款
本合同总价款为¥150,000.00（大写：人民币壹拾伍万元整）。
第三条 交货
乙方应于2026年12月20日前交货。
第四条 争议解决
提交上海仲裁委员会仲裁。
第五条 保密
双方对本合同内容保密。
第六条 通知
通知以书面形式送达。"""

VOID = {"meta", "br", "hr", "img", "link", "input"}


class Checker(HTMLParser):
    """Collects tags, ids, links and text; fails on a tag closed out of order."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def page() -> tuple[str, Checker]:
    html = render_html(
        compare(OLD, NEW), old_label="v1 <draft>", new_label="v2 & final", title="采购合同 <审阅>"
    )
    checker = Checker()
    checker.feed(html)
    checker.close()
    return html, checker


def test_the_page_is_well_formed_standalone_html() -> None:
    html, checker = page()

    assert html.startswith("<!DOCTYPE html>")
    assert checker.stack == []  # every element closed, in order
    assert '<meta charset="utf-8">' in html
    assert "<style>" in html and "Noto Sans CJK SC" in html  # a CJK font stack, inline
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html)  # no external assets


def test_contract_text_is_escaped_never_markup() -> None:
    html, checker = page()

    assert "script" not in checker.tags
    assert "&lt;script&gt;" in html
    assert "<title>采购合同 &lt;审阅&gt;</title>" in html
    assert "v1 &lt;draft&gt;" in html and "v2 &amp; final" in html
    assert 'alert("x")' in "".join(checker.text)  # shown as text


def test_semantic_changes_come_first_then_the_redline() -> None:
    html, _ = page()

    summary = html.index("变更的数值")  # the contract is Chinese: so is the page
    assert summary < html.index("逐条修订")
    assert "¥120,000.00" in html[summary:] and "¥150,000.00" in html[summary:]
    # figures and 大写 are replaced as whole tokens, never character by character
    assert "<del>¥120,000.00</del><ins>¥150,000.00</ins>" in html
    assert "<del>人民币壹拾贰万元整</del><ins>人民币壹拾伍万元整</ins>" in html


def test_moved_clauses_link_to_their_old_position_and_back() -> None:
    _, checker = page()
    result = compare(OLD, NEW)
    (moved,) = [c for c in result.changes if c.kind == "moved"]

    old_anchor, new_anchor = f"o-{moved.old_index}", f"n-{moved.new_index}"

    assert {old_anchor, new_anchor} <= checker.ids
    assert f"#{old_anchor}" in checker.links and f"#{new_anchor}" in checker.links
    assert all(link[1:] in checker.ids for link in checker.links if link.startswith("#"))


def test_added_clauses_are_insertions() -> None:
    html, _ = page()
    assert "<ins>第六条 通知</ins>\n<ins>通知以书面形式送达。</ins>" in html


def test_the_same_text_says_so() -> None:
    html = render_html(compare(OLD, OLD), old_label="a", new_label="b", title="t")
    assert "两个版本内容一致" in html and "<ins>" not in html.split("</header>")[1]


def test_a_deleted_clause_is_shown_struck_out_where_it_stood() -> None:
    new = OLD.replace("第四条 交货\n乙方应于2026年12月20日前交货。\n", "").replace(
        "第五条 争议解决", "第四条 争议解决"
    )

    html = render_html(compare(OLD, new), old_label="a", new_label="b", title="t")

    struck = html.index("<del>第四条 交货")
    assert html.index("双方对本合同内容保密") < struck < html.index("提交上海仲裁委员会仲裁")


def test_the_top_names_both_versions_their_hashes_who_and_when() -> None:
    import hashlib
    from datetime import UTC, datetime

    html = render_html(
        compare(OLD, NEW), old_label="C-2026-0001 v1", new_label="C-2026-0001 v2", title="t",
        made_by="li.na", made_at=datetime(2026, 12, 7, 9, 30, tzinfo=UTC),
    )  # fmt: skip
    header = html.split("</header>")[0]

    for text in (OLD, NEW):
        assert hashlib.sha256(text.encode()).hexdigest() in header
    assert "C-2026-0001 v1" in header and "C-2026-0001 v2" in header
    assert "li.na" in header and "2026-12-07T09:30:00+00:00" in header
    assert "None" not in html


def test_a_summary_by_severity_comes_before_the_values_and_links_to_each_clause() -> None:
    html, checker = page()
    summary = html.index("变更概要（按严重程度）")

    assert summary < html.index("变更的数值") < html.index("逐条修订")
    rows = html[summary : html.index("变更的数值")]
    assert rows.index("严重") < rows.index("重要") < rows.index("轻微")
    assert '<a href="#n-2">第二条</a>' in rows  # the amount: critical
    assert all(link[1:] in checker.ids for link in checker.links if link.startswith("#"))


ENGLISH_OLD = "Services Agreement\n1. Fees\n1.1 The fee is USD 1,000.00.\n2. Term\n2.1 One year."


def test_an_english_contract_gets_an_english_page() -> None:
    new = ENGLISH_OLD.replace("1,000.00", "1,200.00")
    html = render_html(compare(ENGLISH_OLD, new), old_label="a", new_label="b", title="t")

    assert '<html lang="en">' in html
    assert "Summary by severity" in html and "Changed values" in html and "Redline" in html
    assert "修改" not in html and "逐条修订" not in html
    assert "<del>USD 1,000.00</del><ins>USD 1,200.00</ins>" in html or (
        "<del>1,000.00</del><ins>1,200.00</ins>" in html
    )


def test_table_rows_stay_a_table() -> None:
    old = (
        "采购合同\n第一条 货物清单\n序号 | 货物名称 | 数量 | 单价\n1 | 平板电脑 | 10 | ¥1,000.00\n"
        "2 | 扫码枪 | 5 | ¥200.00\n第二条 交货\n乙方应于2026年12月20日前交货。"
    )
    new = old.replace("| 5 |", "| 8 |")

    html = render_html(compare(old, new), old_label="a", new_label="b", title="t")
    checker = Checker()
    checker.feed(html)

    assert checker.stack == []
    assert "<tr><td>序号</td><td>货物名称</td><td>数量</td><td>单价</td></tr>" in html
    assert "<td><del>5</del><ins>8</ins></td>" in html
    assert "序号 | 货物名称" not in html


def test_a_chinese_page_names_the_front_matter_in_chinese() -> None:
    """A new user's Chinese redline cited its party change under an English
    "preamble"; the page says 首部 (and 封面 for a model contract's cover pages)."""
    old = "房屋租赁合同\n甲方：上海浦江置业有限公司\n第一条 租金\n月租金为人民币叁万伍仟元整。"
    new = old.replace("浦江", "黄浦")
    html = render_html(compare(old, new), old_label="v1", new_label="v2", title="t")
    assert "首部" in html and "preamble" not in html
