"""The PDF check: values as printed, found in a PDF's text however lines break."""

from __future__ import annotations

from contractctl.drafting.pdf_check import missing_values


def test_values_are_found_across_line_breaks_and_width_forms() -> None:
    page = "乙方：上海某某\n科技有限公司\n总价款 ¥120,000.00\f合同编号 ＣＧ－２０２６"
    printed = ["上海某某科技有限公司", "¥120,000.00", "CG-2026"]
    assert missing_values(printed, page) == []


def test_a_value_not_on_the_page_is_named() -> None:
    assert missing_values(["甲方名称", "乙方名称"], "甲方名称") == ["乙方名称"]


def test_cell_colours_and_spans_are_not_page_text() -> None:
    assert missing_values(["FF0000", "2", "   "], "nothing here") == []


def test_wrapped_table_cells_that_interleave_still_count_as_shown() -> None:
    page = "3\n工业以太网交换 GS-24P，24 口千\n机\n兆\n"
    assert missing_values(["工业以太网交换机", "GS-24P，24口千兆"], page) == []
    assert missing_values(["CG-HIDDEN-0001"], page) == ["CG-HIDDEN-0001"]


def test_a_word_hyphenated_at_a_line_end_is_found() -> None:
    assert missing_values(["FANUC 0i-MF controller"], "FANUC 0iMF controller") == []
