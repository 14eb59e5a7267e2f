"""Values a narrow table cell wrapped inside their numbers, read whole (issue #15).

A contract's key facts often sit in a two-column table whose value column is narrow:
LibreOffice breaks ``人民币1,280,000.00元`` over the cell's lines wherever its edge
falls (``1,280,000.0`` | ``0元``, ``1,28`` | ``0,000.00``), and pdftotext keeps those
breaks. A new user's tampered scan (1,280,000.00 changed to 1,580,000.00) was reported
as a clipped number ``1,280,000.0 -> 1,580,000.0`` instead of the amount. The
contracts here are real Word files converted by the drafting converter, at several
cell widths so that the breaks fall at different places in the number.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from contractctl.compare import compare
from contractctl.compare.semantic import extract
from contractctl.documents import extract as documents
from contractctl.ocr import simulate_scan
from tests.conftest import Cli
from tests.ocr.stored import approved_contract

APPROVED = {"amount": "1,280,000.00", "date": "2026年10月31日", "rate": "0.05%"}
TAMPERED = {"amount": "1,580,000.00", "date": "2026年12月31日", "rate": "0.08%"}
#: Value-column widths (cm) at which the cell breaks the amount, the date and the
#: rate at different places (checked by the first test).
WIDTHS = (1.2, 1.4, 2.0, 2.4)


def _contract(folder: Path, name: str, width: float, values: dict[str, str]) -> Path:
    from docx import Document
    from docx.shared import Cm

    from contractctl.drafting.convert import convert_one

    document = Document()
    document.add_paragraph("设备监理合同")
    document.add_paragraph("第一条 项目概况")
    rows = [
        ("项目名称", "2号生产线设备监造"),
        ("项目投资额", f"人民币{values['amount']}元"),
        ("签订日期", values["date"]),
        ("违约金比例", f"日{values['rate']}"),
    ]
    table = document.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    table.autofit = False
    for column, cm in zip(table.columns, (3.0, width), strict=True):
        column.width = Cm(cm)
    for row, cells in zip(table.rows, rows, strict=True):
        for cell, text, cm in zip(row.cells, cells, (3.0, width), strict=True):
            cell.width = Cm(cm)
            cell.text = text
    document.add_paragraph("第二条 服务期")
    document.add_paragraph("本合同服务期自2026年3月1日起，监理人应按期完成监理服务。")
    docx = folder / f"{name}.docx"
    document.save(str(docx))
    pdf = folder / f"{name}.pdf"
    convert_one(docx, pdf)
    return pdf


@dataclass
class Pair:
    width: float
    approved: Path
    tampered: Path


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> list[Pair]:
    folder = tmp_path_factory.mktemp("narrow-cells")
    return [
        Pair(
            width,
            _contract(folder, f"approved-{width}", width, APPROVED),
            _contract(folder, f"tampered-{width}", width, TAMPERED),
        )
        for width in WIDTHS
    ]


def _flat(text: str) -> str:
    return "".join(text.split())


def test_the_narrow_cell_breaks_the_numbers_over_lines(pairs: list[Pair]) -> None:
    """What the fix is for, checked on each file: the text layer has every value, but
    never the amount's figures on one line."""
    for pair in pairs:
        text = documents.pdf_text(pair.approved)
        assert "1,280,000.00" in _flat(text), pair.width
        assert not any("1,280,000.00" in _flat(line) for line in text.splitlines()), pair.width
    breaks = {
        next(line for line in documents.pdf_text(p.approved).splitlines() if "1,2" in line)
        for p in pairs
    }
    assert len(breaks) >= 3, breaks  # the number is cut at different places


def test_the_approved_text_reads_each_value_whole(pairs: list[Pair]) -> None:
    for pair in pairs:
        found = {(v.what, v.display) for v in extract(documents.pdf_text(pair.approved))}
        assert ("amount", "¥1,280,000.00") in found, (pair.width, found)
        assert ("date", "2026-10-31") in found, (pair.width, found)
        assert ("percentage", "0.05%") in found, (pair.width, found)


def test_a_diff_of_the_two_pdfs_names_the_values_changed(pairs: list[Pair]) -> None:
    for pair in pairs:
        comparison = compare(documents.pdf_text(pair.approved), documents.pdf_text(pair.tampered))
        changed = {(s.what, s.old, s.new) for s in comparison.semantic}
        assert ("amount", "¥1,280,000.00", "¥1,580,000.00") in changed, (pair.width, changed)
        assert ("date", "2026-10-31", "2026-12-31") in changed, (pair.width, changed)
        assert ("percentage", "0.05%", "0.08%") in changed, (pair.width, changed)


def test_breaks_between_two_values_are_kept() -> None:
    """A break between two numbers of their own (a row's number and a cell's, a price
    and a period, a clause number) is not taken for a cut number."""
    for text, expected in [
        ("10\n5%", {("percentage", "5%")}),
        ("1\n2026年3月1日", {("date", "2026-03-01")}),
        ("单价1,200.00\n30天内付款", {("duration", "30天")}),
        ("1.\n5%的预付款", {("percentage", "5%")}),
        ("数量10\n2,000.00元", {("amount", "¥2,000.00")}),
        # a numbered clause or item opening the next line
        (
            "租金人民币20\n2.乙方应于2026年3月1日前付款",
            {("amount", "¥20.00"), ("date", "2026-03-01")},
        ),
        ("租金人民币20\n3、乙方应按期付款", {("amount", "¥20.00")}),
    ]:
        assert {(v.what, v.display) for v in extract(text)} == expected, text


@pytest.mark.parametrize("dpi", [300, 200])
def test_ocr_check_names_the_wrapped_amount_with_both_values(
    home: Path, pairs: list[Pair], tmp_path: Path, dpi: int
) -> None:
    """At 200 dpi OCR also lost the amount's comma (``,2`` read ``5``) and read the
    rate's ``%`` as ``96``: the printed marks stay (``1,580,0``, ``0.08%``)."""
    pair = next(p for p in pairs if p.width == 2.0)  # Tesseract reads its cells
    contract = approved_contract(home, pair.approved, "设备监理合同", "service")
    noisy = {"dpi": dpi, "rotation": 0.8, "noise": 5.0, "blur": 0.5, "jpeg_quality": 60}
    clean = simulate_scan(pair.approved, tmp_path / "clean.pdf", seed=11, **noisy)
    tampered = simulate_scan(pair.tampered, tmp_path / "tampered.pdf", seed=12, **noisy)
    cli = Cli(home)
    same = cli("ocr-check", str(clean), "--against", contract, "--json")
    assert same.code == 0, same.stdout + same.stderr
    result = cli("ocr-check", str(tampered), "--against", contract, "--json")
    assert result.code == 1, result.stdout + result.stderr
    data = result.json()
    named = {(s["what"], s["old"], s["new"]) for s in data["semantic"]}
    assert ("amount", "¥1,280,000.00", "¥1,580,000.00") in named, named
    assert ("percentage", "0.05%", "0.08%") in named, named
    # the date's cell is reported changed (the page's reading of the scan may miss its
    # year, a line of its own in the cell)
    assert any(s["what"] == "date" and s["old"] == "2026-10-31" for s in data["semantic"])
    assert not [s for s in data["semantic"] if s["what"] == "number"], data["semantic"]
    assert all(c["severity"] == "critical" for c in data["changes"] if c["severity"] != "minor")
