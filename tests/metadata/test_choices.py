"""A form's tick boxes: the option the parties ticked is the agreed value, never one left
unticked.

A new user imported the Common Paper Mutual NDA, whose cover page offers "☒ Expires 2 years
from Effective Date" and "☐ Continues until terminated"; Chinese model contracts offer
期限：☐一年 ☑两年 and 自动续期：☐是 ☑否. The tests read real Word files (the published
cover page from the shared corpus, written as the user's DOCX) through the import's DOCX
reader, with the boxes ticked one way and the other.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from contractctl.documents.extract import docx_text
from contractctl.metadata import Term, extract_metadata
from tests.conftest import word_file
from tests.eval.corpus import CORPUS

COVER = CORPUS / "en-commonpaper" / "Mutual-NDA-coverpage.md"


def cover_page(years: int, *, expires_ticked: bool) -> list[str]:
    """The Common Paper cover page filled in, its MNDA Term ticked one way or the other."""
    if not COVER.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the shared corpus is missing: {COVER}")
        pytest.skip("the shared corpus (../shared/corpus/) is not here")
    text = COVER.read_text(encoding="utf-8").replace("[Today’s date]", "March 3, 2026")
    text = text.replace("Expires [1 year(s)]", f"Expires {years} years")
    ticked, unticked = ("☒", "☐") if expires_ticked else ("☐", "☒")
    lines = []
    for raw in text.splitlines():
        line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", raw).replace("**", "").strip()
        if line.startswith("- [x]") and "Expires" in line:
            line = ticked + line[5:]
        elif line.startswith("- [ ]") and "Continues until terminated" in line:
            line = unticked + line[5:]
        else:
            line = line.replace("- [x]", "☒").replace("- [ ]", "☐")
        if line and not line.startswith("|"):
            lines.append(line.lstrip("# "))
    return lines


def test_the_nda_term_is_the_ticked_option(tmp_path: Path) -> None:
    docx_file = word_file(tmp_path / "nda.docx", cover_page(2, expires_ticked=True))
    meta = extract_metadata(docx_text(docx_file))
    assert meta.term is not None
    assert meta.term.value == Term(24, "months")
    assert meta.term.source == "Expires 2 years"


def test_an_unticked_term_is_never_read_as_the_nda_term(tmp_path: Path) -> None:
    # The user ticked "Continues until terminated": the 2 years offered beside it are not
    # the term, and nothing says the NDA renews.
    docx_file = word_file(tmp_path / "nda.docx", cover_page(2, expires_ticked=False))
    meta = extract_metadata(docx_text(docx_file))
    assert meta.term is None
    assert meta.expiry_date is None


LEASE = [
    "房屋租赁合同",
    "出租方（甲方）：上海浦江置业有限公司",
    "承租方（乙方）：上海星河汽车销售有限公司",
    "第二条 租赁期限：{term}，自2026年1月1日起计算。",
    "第三条 租赁期满，本合同自动续期：{renewal}",
]


@pytest.mark.parametrize(
    ("term", "renewal", "months", "renews"),
    [
        ("☐一年 ☑两年 ☐三年", "☐是 ☑否", 24, False),
        ("☑一年 ☐两年 ☐三年", "☑是 ☐否", 12, True),
        ("□1年 ■2年", "□是 √否", 24, False),
        ("[ ]1年 [x]3年", "[x]是 [ ]否", 36, True),
    ],
)
def test_a_chinese_lease_reads_the_ticked_term_and_renewal(
    tmp_path: Path, term: str, renewal: str, months: int, renews: bool
) -> None:
    lines = [line.format(term=term, renewal=renewal) for line in LEASE]
    meta = extract_metadata(docx_text(word_file(tmp_path / "lease.docx", lines)))
    assert meta.term is not None and meta.term.value == Term(months, "months")
    assert meta.auto_renewal is not None and meta.auto_renewal.value is renews


def test_options_each_on_their_own_line_are_read_the_same_way(tmp_path: Path) -> None:
    lines = [
        "房屋租赁合同",
        "第二条 租赁期限",
        "☐ 租赁期限为一年，自2026年1月1日起计算。",
        "☑ 租赁期限为两年，自2026年1月1日起计算。",
    ]
    meta = extract_metadata(docx_text(word_file(tmp_path / "lease.docx", lines)))
    assert meta.term is not None and meta.term.value == Term(24, "months")


def test_a_choice_nobody_ticked_says_nothing() -> None:
    meta = extract_metadata(
        "房屋租赁合同\n第二条 租赁期限：☐一年 ☐两年\n第三条 自动续期：☐是 ☐否\n"
    )
    assert meta.term is None
    assert meta.auto_renewal is None


def test_boxes_that_are_not_choices_keep_their_text() -> None:
    # Boxes after their options (身份证□ 居住证☑) and a postcode's digit boxes are not a
    # choice read by position: the text around them stays.
    meta = extract_metadata(
        "房屋租赁合同\n证件类型：身份证□ 居住证☑\n邮政编码 □□□□□□\n"
        "第二条 租赁期限为两年，自2026年1月1日起计算。\n"
    )
    assert meta.term is not None and meta.term.value == Term(24, "months")
