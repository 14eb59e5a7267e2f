"""A scan of a filled-in form checked against the blank form it was approved as.

From a new user's trial (issue #15): the values written into the blanks were named as
OCR read them (``参万伍什``, ``#35,000``): no amount at all, or ¥400.00 read from the
capitals' 肆佰. Tesseract's chi_sim reads a printed 叁 as 参 and 仟 as 什 or 任 on every
scan we made, and ``¥`` now and then as ``#``; in an amount's capitals none of those is
ever written, so the check reads them as the value the paper shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contractctl.ocr import simulate_scan
from contractctl.ocr.project import as_value
from tests.conftest import Cli
from tests.ocr.stored import approved_contract

FORM = [
    "房屋租赁合同",
    "第一条 租赁期限从{start}至{end}。",
    "第二条 租金：人民币{capitals}元整（¥{figure}）每月。",
    "第三条 承租人应按月支付租金，出租人收到后出具收据。",
]
BLANK = {"start": "      年    月   日", "end": "      年   月   日", "capitals": "          ",
         "figure": "            "}  # fmt: skip
FILLED = {"start": "2026年 1月 1日", "end": "2027年 12月 31日", "capitals": "叁万伍仟",
          "figure": "35,000.00"}  # fmt: skip


def _form(folder: Path, name: str, values: dict[str, str]) -> Path:
    from docx import Document

    from contractctl.drafting.convert import convert_one

    document = Document()
    for line in FORM:
        document.add_paragraph(line.format(**values))
    docx = folder / f"{name}.docx"
    document.save(str(docx))
    pdf = folder / f"{name}.pdf"
    convert_one(docx, pdf)
    return pdf


def test_the_usual_misreadings_of_a_value_are_read_as_the_value() -> None:
    assert as_value("参万伍什", "人民币", "元整") == "叁万伍仟"
    assert as_value("人民币参万伍任元整（#35,000.00）") == "人民币叁万伍仟元整（¥35,000.00）"
    assert as_value("参", "人民币", "万伍仟元整") == "叁"
    assert as_value("(对35,000.00)", "伍仟元整") == "(¥35,000.00)"
    assert as_value("对35,000.00", "元整（") == "¥35,000.00"
    # words are words: 参加, 什么, 责任 are never an amount's capitals
    for word in ("参加", "什么", "责任", "任何", "参万元"):
        assert as_value(word) == word
    assert as_value("No. #12") == "No. #12"
    assert as_value("对35,000.00", "应当") == "对35,000.00"


@pytest.mark.parametrize("dpi", [300, 200])
def test_a_filled_form_names_its_values_against_the_blank_form(
    home: Path, tmp_path: Path, dpi: int
) -> None:
    blank = _form(tmp_path, "blank", BLANK)
    filled = _form(tmp_path, "filled", FILLED)
    contract = approved_contract(home, blank, "房屋租赁合同", "lease")
    noisy = {"dpi": dpi, "rotation": 0.6, "noise": 4.0, "blur": 0.5, "jpeg_quality": 60}
    scan = simulate_scan(filled, tmp_path / "scan.pdf", seed=31, **noisy)
    result = Cli(home)("ocr-check", str(scan), "--against", contract, "--json")
    assert result.code == 1, result.stdout + result.stderr
    data = result.json()
    named = {(s["what"], s["new"]) for s in data["semantic"]}
    assert ("amount", "¥35,000.00") in named, named
    assert ("date", "2026-01-01") in named, named
    assert ("date", "2027-12-31") in named, named
    for raw in ("参万", "伍什", "伍任", "#35", "对35"):  # what OCR read is not what is shown
        assert raw not in result.stdout, raw
