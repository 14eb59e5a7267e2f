"""`contractctl diff FILE_A FILE_B`: two documents compared without a store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import Cli, word_file
from tests.importer.test_import import historical


@pytest.fixture
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return historical(tmp_path_factory)


def test_the_same_contract_as_docx_and_as_pdf_has_no_differences(
    files: dict[str, Path], tmp_path: Path
) -> None:
    cli = Cli(tmp_path / "no-store")
    result = cli("diff", str(files["purchase-zh.docx"]), str(files["purchase-zh.pdf"]), "--json")
    assert result.code == 0, result.stderr
    assert result.json()["verdict"] == "same"
    assert not (tmp_path / "no-store").exists(), "comparing files needs no store"
    text = cli("diff", str(files["purchase-zh.docx"]), str(files["purchase-zh.pdf"]))
    assert "No differences" in text.stdout


def test_two_different_contracts_differ_and_exit_code_says_so(
    files: dict[str, Path], tmp_path: Path
) -> None:
    cli = Cli(tmp_path / "no-store")
    result = cli("diff", str(files["purchase-zh.pdf"]), str(files["service-en.pdf"]), "--exit-code")
    assert result.code == 1
    assert result.stdout.startswith("--- purchase-zh.pdf\n+++ service-en.pdf")


def test_bad_files_get_their_documented_errors(files: dict[str, Path], tmp_path: Path) -> None:
    from contractctl.ocr import simulate_scan

    cli = Cli(tmp_path / "no-store")
    good = str(files["purchase-zh.pdf"])
    scan = simulate_scan(files["purchase-zh.pdf"], tmp_path / "scan.pdf", dpi=100)
    scanned = cli("diff", good, str(scan))
    assert scanned.code == 2
    assert "has no text layer" in scanned.stderr and "ocr-check" in scanned.stderr
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"this is not a PDF")
    unreadable = cli("diff", good, str(broken))
    assert unreadable.code == 2 and "not a PDF" in unreadable.stderr
    missing = cli("diff", good, str(tmp_path / "missing.docx"))
    assert missing.code == 2 and "no such file" in missing.stderr
    odd = shutil.copy(files["purchase-zh.pdf"], tmp_path / "contract.xls")
    assert cli("diff", good, str(odd)).code == 2
    assert cli("diff", good, good, "--from", "1").code == 2
    assert cli("diff", good, good, "--format", "pdf").code == 2
    assert cli("diff", "a", "b", "c").code == 2
    alone = cli("diff", good)  # one file: the other was forgotten, it is no contract id
    assert alone.code == 2 and "give the other one too" in alone.stderr
    folder = cli("diff", str(tmp_path), good)
    assert folder.code == 2 and "a folder, not a file" in folder.stderr
    versions = cli("diff", "C-2026-0001@1", "C-2026-0001@2")  # git's habit, not ours
    assert versions.code == 2 and versions.stderr.count("\n") == 1
    assert "contractctl diff C-2026-0001 --from 1 --to 2" in versions.stderr


MINIMAL = [
    "1. Service",
    "1.1 The Supplier shall provide the services",
    "1.2 The Customer shall cooperate",
    "2. Fees",
    "2.1 Payment is due within 30 days.",
    "3. Term",
    "3.1 The term is one year",
]


@pytest.mark.parametrize(
    ("before", "after", "clause"),
    [("30 days", "45 days", "2.1"), ("one year", "two years", "3.1")],
)
def test_headings_without_a_full_stop_cite_the_changed_clause_and_never_none(
    tmp_path: Path, before: str, after: str, clause: str
) -> None:
    old = word_file(tmp_path / "old.docx", MINIMAL)
    new = word_file(tmp_path / "new.docx", [p.replace(before, after) for p in MINIMAL])
    cli = Cli(tmp_path / "no-store")

    data = cli("diff", str(old), str(new), "--json").json()
    assert [(c["kind"], c["clause"]) for c in data["changes"]] == [("modified", clause)]
    outputs = [cli("diff", str(old), str(new), "--format", fmt) for fmt in ("text", "json", "html")]
    text = outputs[0].stdout
    assert f"{clause}" in text and all(o.code == 0 for o in outputs)
    for output in outputs:
        assert "None" not in output.stdout and "None" not in output.stderr
    if clause == "2.1":
        assert "30 days → 45 days" in text and "(2.1)" in text
