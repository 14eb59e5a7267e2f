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

    summary = html.index("Changed values")
    assert summary < html.index("Redline")
    assert "¥120,000.00" in html[summary:] and "¥150,000.00" in html[summary:]
    assert "<del>120,000.00</del><ins>150,000.00</ins>" in html


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
    assert "<ins>第六条 通知\n通知以书面形式送达。</ins>" in html


def test_the_same_text_says_so() -> None:
    html = render_html(compare(OLD, OLD), old_label="a", new_label="b", title="t")
    assert "No differences" in html and "<ins>" not in html.split("</header>")[1]


def test_a_deleted_clause_is_shown_struck_out_where_it_stood() -> None:
    new = OLD.replace("第四条 交货\n乙方应于2026年12月20日前交货。\n", "").replace(
        "第五条 争议解决", "第四条 争议解决"
    )

    html = render_html(compare(OLD, new), old_label="a", new_label="b", title="t")

    struck = html.index("<del>第四条 交货")
    assert html.index("双方对本合同内容保密") < struck < html.index("提交上海仲裁委员会仲裁")
