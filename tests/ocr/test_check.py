"""`ocr-check`: a scanned paper copy against the approved text, with real LibreOffice,
Poppler and Tesseract.

The approved contract is a short two-page Chinese contract (made once per module with
LibreOffice) so that each OCR of a simulated scan takes seconds, not minutes; the scans
(300 dpi, tilted 1.2 degrees, noisy, blurred, JPEG quality 50) are made once too. The
long evaluation set (shipped templates, 200/300 dpi, every tampering kind) is
tests/bench/bench_ocr_check.py in `make bench`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from contractctl.errors import InvalidInput
from contractctl.money import Money
from contractctl.ocr import simulate_scan
from contractctl.ocr.check import check_scan
from contractctl.records.contracts import NewContract, NewVersion, create_contract
from contractctl.store import Store
from tests.conftest import Cli, snapshot
from tests.ocr.stored import approved_contract

AMOUNT = "¥207,122.00"
PAGE_ONE = [
    "设备采购合同",
    "甲方：示例科技有限公司",
    "乙方：苏州恒泰智能装备有限公司",
    "第一条 合同金额",
    "本合同总价款为{amount}（大写：人民币贰拾万柒仟壹佰贰拾贰元整）。",
    "第二条 交货",
    "乙方应于{date}前将货物交付至甲方指定地点。",
    "第三条 付款",
    "甲方应在收到乙方开具的发票后三十日内付款。",
    "收款账号：540366201234567890",
]
PAGE_TWO = [
    "第四条 违约责任",
    "逾期付款的，每日按未付金额的0.05%支付违约金。",
    "第五条 争议解决",
    "因本合同引起的争议，提交上海仲裁委员会仲裁。",
    "甲方（盖章）：",
    "乙方（盖章）：",
]


SENTENCE = "甲方应在收到乙方开具的发票后三十日内付款。"


def _contract_pdf(folder: Path, name: str, *, drop: str = "", **values: str) -> Path:
    from docx import Document
    from docx.enum.text import WD_BREAK

    from contractctl.drafting.convert import convert_one

    document = Document()
    fill = {"amount": AMOUNT, "date": "2026年12月20日", **values}
    for line in PAGE_ONE:
        if line != drop:
            document.add_paragraph(line.format(**fill))
    document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    for line in PAGE_TWO:
        document.add_paragraph(line)
    docx = folder / f"{name}.docx"
    document.save(str(docx))
    pdf = folder / f"{name}.pdf"
    convert_one(docx, pdf)
    return pdf


@dataclass
class Scans:
    approved: Path
    clean: Path
    amount: Path
    date: Path
    swapped: Path
    sentence: Path
    stamped: Path


_SCANS: dict[str, Scans] = {}


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Scans:
    if "s" not in _SCANS:
        folder = tmp_path_factory.mktemp("ocr-check")
        approved = _contract_pdf(folder, "approved")
        amount = _contract_pdf(folder, "amount", amount="¥207,722.00")
        date = _contract_pdf(folder, "date", date="2026年12月28日")
        sentence = _contract_pdf(folder, "sentence", drop=SENTENCE)
        noisy = {"dpi": 300, "rotation": 1.2, "noise": 6.0, "blur": 0.5, "jpeg_quality": 50}
        _SCANS["s"] = Scans(
            approved=approved,
            clean=simulate_scan(approved, folder / "clean-scan.pdf", seed=1, **noisy),
            amount=simulate_scan(amount, folder / "amount-scan.pdf", seed=2, **noisy),
            date=simulate_scan(date, folder / "date-scan.pdf", seed=3, **noisy),
            swapped=simulate_scan(approved, folder / "swapped.pdf", page_order=[2, 1], seed=4),
            sentence=simulate_scan(sentence, folder / "sentence-scan.pdf", seed=5, **noisy),
            # a red seal stamped over the running text of page 1, as on paper copies
            stamped=simulate_scan(
                approved, folder / "stamped-scan.pdf", seed=6, defect="stamp", **noisy
            ),
        )
    return _SCANS["s"]


@pytest.fixture
def approved(home: Path, scans: Scans) -> tuple[Path, str]:
    """A store holding the approved contract (its PDF and text as version 1)."""
    amount = Money(20_712_200, "CNY")
    return home, approved_contract(home, scans.approved, "设备采购合同", "purchase", amount)


def test_a_clean_scan_matches_and_the_check_is_recorded(
    approved: tuple[Path, str], scans: Scans
) -> None:
    home, cid = approved
    cli = Cli(home)
    result = cli("ocr-check", str(scans.clean), "--against", cid, "--json")
    assert result.code == 0, result.stdout + result.stderr
    data = result.json()
    assert data["verdict"] == "match"
    assert data["counts"]["critical"] == data["counts"]["major"] == 0
    assert data["scan"]["pages"] == 2
    assert data["seal"]["expected"] is True
    # what OCR misread is shown for review, each with why it is only noise
    assert all(c["severity"] == "minor" and c["note"] for c in data["changes"])
    assert data["semantic"] == []
    shown = cli("show", cid, "--json").json()
    (check,) = shown["ocr_checks"]
    assert check["verdict"] == "match" and len(check["scan_sha256"]) == 64
    assert json.loads(Path(check["report"]).read_text())["verdict"] == "match"
    assert any(e["action"] == "contract.ocr_check" for e in shown["events"])


def test_a_version_kept_only_as_a_docx_is_checked_against_its_rendering(
    home: Path, scans: Scans
) -> None:
    """An older version whose only document is the Word file: the check renders it
    with the converter drafts use (once: the rendering is kept in the store) and a
    clean scan of the printed contract matches it."""
    docx = scans.approved.with_suffix(".docx")  # the file the approved PDF was made from
    with Store.open(home) as store, store.transaction("tester") as tx:
        docx_sha = tx.put_file(docx)
        contract = create_contract(
            tx,
            NewContract(title="设备采购合同", type="purchase", status="active", source="import"),
            NewVersion(kind="import", docx_sha=docx_sha),
        )
    cli = Cli(home)
    first = cli("ocr-check", str(scans.clean), "--against", contract.id, "--json")
    assert first.code == 0, first.stdout + first.stderr
    assert first.json()["verdict"] == "match"
    with Store.open(home) as store:
        kept = store.conn.execute(
            "SELECT value FROM meta WHERE key = ?", (f"ocr-pdf:{docx_sha}",)
        ).fetchone()
        assert kept is not None
        assert store.objects.path(kept["value"]).read_bytes().startswith(b"%PDF-")


def test_a_seal_stamped_over_the_text_of_a_clean_copy_is_no_difference(
    approved: tuple[Path, str], scans: Scans, tmp_path: Path
) -> None:
    import numpy as np
    from PIL import Image

    from contractctl.ocr.pages import scan_pages
    from contractctl.ocr.seal_detect import find_red_seals

    # the seal lies over lines of text: black ink inside its box (so the test proves
    # what it says)
    [page] = scan_pages(scans.stamped, tmp_path, dpi=300, first_page=1, last_page=1)
    (seal,) = find_red_seals(page)
    left, top, width, height = seal.box
    with Image.open(page) as image:
        under = np.asarray(image.convert("RGB").crop((left, top, left + width, top + height)))
    black = (under.max(axis=2) < 110).sum()
    assert black > 0.02 * width * height
    home, cid = approved
    result = Cli(home)("ocr-check", str(scans.stamped), "--against", cid, "--json")
    assert result.code == 0, result.stdout + result.stderr
    data = result.json()
    assert data["verdict"] == "match"
    assert data["counts"]["critical"] == data["counts"]["major"] == 0


def test_one_digit_of_the_amount_changed_is_critical(
    approved: tuple[Path, str], scans: Scans
) -> None:
    home, cid = approved
    result = Cli(home)("ocr-check", str(scans.amount), "--against", cid, "--json")
    assert result.code == 1
    data = result.json()
    assert data["verdict"] == "mismatch"
    critical = [c for c in data["changes"] if c["severity"] == "critical"]
    assert critical and critical[0]["page"] == 1
    # The figures changed and the 大写 did not: the scan's amount is shown with the 大写
    # it now disagrees with.
    assert any(s["old"] == AMOUNT and s["new"].startswith("¥207,722.00") for s in data["semantic"])
    assert not [c for c in data["changes"] if c["severity"] == "major"]


def test_a_changed_date_is_critical_and_shown_to_people(
    approved: tuple[Path, str], scans: Scans
) -> None:
    home, cid = approved
    result = Cli(home)("ocr-check", str(scans.date), "--against", f"{cid}@1")
    assert result.code == 1
    assert "MISMATCH" in result.stdout and "[critical]" in result.stdout
    assert "2026-12-28" in result.stdout or "2026年12月28日" in result.stdout


def test_swapped_pages_are_reported_as_such(approved: tuple[Path, str], scans: Scans) -> None:
    home, cid = approved
    with Store.open(home) as store:
        check = check_scan(store, "tester", scans.swapped, cid, record=False)
    kinds = [c["kind"] for c in check.changes if c["severity"] in ("critical", "major")]
    assert kinds == ["misplaced_page", "misplaced_page"]
    assert check.verdict == "mismatch"


def test_the_blank_backs_of_a_duplex_scan_are_no_mismatch(
    approved: tuple[Path, str], scans: Scans, tmp_path: Path
) -> None:
    """A duplex scanner writes each sheet's blank back as a page: listed, minor, and
    the copy still matches (a page with text on it that is not the contract's stays
    major)."""
    import numpy as np
    from PIL import Image
    from pypdf import PdfReader, PdfWriter

    rng = np.random.default_rng(7)
    paper = np.clip(rng.normal(246, 4, (3508, 2480)), 0, 255).astype(np.uint8)
    back = tmp_path / "back.pdf"
    Image.fromarray(paper).convert("RGB").save(back, "PDF", resolution=300.0, quality=60)
    front, blank = PdfReader(scans.clean), PdfReader(back)
    writer = PdfWriter()
    for page in (front.pages[0], blank.pages[0], front.pages[1], blank.pages[0]):
        writer.add_page(page)
    duplex = tmp_path / "duplex.pdf"
    writer.write(duplex)
    home, cid = approved
    with Store.open(home) as store:
        check = check_scan(store, "tester", duplex, cid, record=False)
    blanks = [c for c in check.changes if c["kind"] == "blank_page"]
    assert [(c["page"], c["severity"]) for c in blanks] == [(2, "minor"), (4, "minor")]
    assert check.verdict == "match", check.changes


def test_a_deleted_sentence_is_found(approved: tuple[Path, str], scans: Scans) -> None:
    home, cid = approved
    with Store.open(home) as store:
        check = check_scan(store, "tester", scans.sentence, cid, record=False)
    assert check.verdict == "mismatch"
    (found,) = [c for c in check.changes if c["severity"] in ("critical", "major")]
    assert found["clause"] == "第三条"
    assert "三十日内付款" in found["old"] and "三十日内付款" not in found["new"]
    # the sentence held a payment term: its loss is a value change as well
    assert found["severity"] == "critical"
    assert [s["what"] for s in found["semantic"]] == ["duration"]


def test_bad_scans_get_one_clear_error_and_change_nothing(
    approved: tuple[Path, str], scans: Scans, tmp_path: Path
) -> None:
    from PIL import Image

    home, cid = approved
    cli = Cli(home)
    before = snapshot(home)
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.4\nthis is not a PDF")
    assert cli("ocr-check", str(corrupt), "--against", cid).code == 2
    blank = tmp_path / "blank.png"
    Image.new("RGB", (1240, 1754), "white").save(blank)
    empty = cli("ocr-check", str(blank), "--against", cid)
    assert empty.code == 2 and "no readable text" in empty.stderr
    unknown = cli("ocr-check", str(scans.clean), "--against", cid, "--lang", "kor")
    assert unknown.code == 4 and "tesseract-ocr-kor" in unknown.stderr
    spelled = cli("ocr-check", str(scans.clean), "--against", cid, "--lang", "chi-sim")
    assert spelled.code == 2 and "chi_sim" in spelled.stderr
    assert cli("ocr-check", str(scans.clean), "--against", "C-1999-0001").code == 2
    assert cli("ocr-check", str(tmp_path / "missing.pdf"), "--against", cid).code == 2
    assert snapshot(home) == before


def test_without_tesseract_the_check_stops_with_exit_4(
    approved: tuple[Path, str], scans: Scans, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    home, cid = approved
    tools = tmp_path / "bin"  # Poppler, but no Tesseract
    tools.mkdir()
    for name in ("pdftotext", "pdfinfo", "pdftocairo"):
        found = shutil.which(name)
        assert found is not None
        (tools / name).symlink_to(found)
    monkeypatch.setenv("PATH", str(tools))
    result = Cli(home)("ocr-check", str(scans.clean), "--against", cid)
    assert result.code == 4 and "tesseract-ocr" in result.stderr


def test_an_image_of_another_document_is_not_this_contract(
    approved: tuple[Path, str], tmp_path: Path
) -> None:
    from tests.ocr_samples import EN_LINES, save_image, text_page

    home, cid = approved
    other = save_image(text_page(EN_LINES), tmp_path / "other.png")
    with Store.open(home) as store, pytest.raises(InvalidInput, match="does not look like"):
        check_scan(store, "tester", other, cid, lang="eng", record=False)
