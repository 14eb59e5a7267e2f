"""A scan that lacks a page: reported once, as the missing page with what it held.

From a new user's trial (issue #15): a lease scanned without its page 2 was reported
missing that page, and also with two false critical changes on page 1's 第十条: the
clause that runs over onto the missing page lost its values there, and the engine
named them against page 1. The contract here is a real Word file converted by the
drafting converter, three pages, its 第三条 running from page 1 onto page 2 with the
deposit and its date printed on page 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contractctl.documents import extract
from contractctl.ocr import simulate_scan
from tests.conftest import Cli
from tests.ocr.stored import approved_contract

PAGES = [
    [
        "房屋租赁合同",
        "出租人：上海浦江置业有限公司",
        "承租人：示例科技有限公司",
        "第一条 租赁房屋坐落在上海市徐汇区漕溪北路88号，建筑面积120平方米。",
        "第二条 租赁期限从2026年1月1日至2027年12月31日。",
        "第三条 承租人应向出租人交付定金，定金用于担保本合同的履行，",
    ],
    [
        "定金为人民币70,000.00元，承租人在2026年1月10日前交给出租人。",
        "第四条 出租人应保证租赁房屋及其设施完好，承租人应合理使用。",
        "第五条 租赁期满，承租人应返还房屋，并结清各项费用。",
    ],
    [
        "第六条 本合同自双方签字盖章之日起生效。",
        "出租人（盖章）：",
        "承租人（盖章）：",
    ],
]


def _lease(folder: Path) -> Path:
    from docx import Document
    from docx.enum.text import WD_BREAK

    from contractctl.drafting.convert import convert_one

    document = Document()
    for n, page in enumerate(PAGES):
        for line in page:
            document.add_paragraph(line)
        if n + 1 < len(PAGES):
            document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    docx = folder / "lease.docx"
    document.save(str(docx))
    pdf = folder / "lease.pdf"
    convert_one(docx, pdf)
    return pdf


@pytest.fixture(scope="module")
def lease(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("missing-page")
    approved = _lease(folder)
    noisy = {"dpi": 300, "rotation": 0.7, "noise": 4.0, "blur": 0.5, "jpeg_quality": 60}
    scan = simulate_scan(approved, folder / "without-2.pdf", page_order=[1, 3], seed=21, **noisy)
    return approved, scan


def test_a_missing_page_is_reported_once_with_its_clauses_and_values(
    home: Path, lease: tuple[Path, Path]
) -> None:
    approved, scan = lease
    pages = extract.pdf_text(approved).split("\f")
    assert "定金" in pages[0] and "70,000.00" in pages[1]  # 第三条 runs onto page 2
    contract = approved_contract(home, approved, "房屋租赁合同", "lease")
    result = Cli(home)("ocr-check", str(scan), "--against", contract, "--json")
    assert result.code == 1, result.stdout + result.stderr
    data = result.json()
    severe = [c for c in data["changes"] if c["severity"] in ("critical", "major")]
    assert [(c["kind"], c["approved_page"]) for c in severe] == [("missing_page", 2)], severe
    (missing,) = severe
    assert missing["clauses"] == ["第三条", "第四条", "第五条"]
    named = {(s["what"], s["old"], s["new"]) for s in missing["semantic"]}
    assert ("amount", "¥70,000.00", None) in named, named
    assert ("date", "2026-01-10", None) in named, named
    assert all(s["clause"] == "第三条" for s in missing["semantic"])
    # the report's values are the missing page's, named once
    assert {(s["what"], s["old"]) for s in data["semantic"]} == {
        ("amount", "¥70,000.00"),
        ("date", "2026-01-10"),
    }
    text = Cli(home)("ocr-check", str(scan), "--against", contract)
    assert "approved page 2 is missing (第三条 … 第五条; " in text.stdout, text.stdout
    assert "¥70,000.00" in text.stdout
