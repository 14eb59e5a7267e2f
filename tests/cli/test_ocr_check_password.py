"""`ocr-check` on an encrypted PDF scan: the scan's password is given as `import` takes one
(--password-fd, --ask-password or CONTRACTCTL_PDF_PASSWORD; never --password, which `ps`
shows).

A new user's scanner wrote password-protected PDFs; `ocr-check` could only say "decrypt it
first". The scan here is the module's clean scan of the approved contract
(tests/ocr/test_check.py), encrypted by qpdf as a scanner or a mail gateway would.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Cli, snapshot
from tests.ocr.test_check import Scans, approved, scans

__all__ = ["approved", "scans"]  # the fixtures this module uses

PASSWORD = "s3cret"


@pytest.fixture(scope="module")
def locked(scans: Scans, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("locked") / "scan.pdf"
    subprocess.run(
        [
            "qpdf",
            "--warning-exit-0",
            "--encrypt",
            PASSWORD,
            "owner",
            "256",
            "--",
            str(scans.clean),
            str(path),
        ],
        check=True,
    )
    return path


def test_the_scans_password_opens_it_and_the_check_runs(
    approved: tuple[Path, str], locked: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, cid = approved
    cli = Cli(home)
    read, write = os.pipe()
    os.write(write, f"{PASSWORD}\n".encode())
    os.close(write)
    result = cli("ocr-check", str(locked), "--against", cid, "--password-fd", str(read), "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    assert data["verdict"] == "match" and data["scan"]["pages"] == 2
    # what is recorded is the file the user gave: its name and its own hash
    assert data["scan"]["name"] == "scan.pdf"
    digest = subprocess.run(["sha256sum", str(locked)], capture_output=True, text=True, check=True)
    assert data["scan"]["sha256"] == digest.stdout.split()[0]


def test_an_encrypted_scan_without_its_password_says_how_to_give_it(
    approved: tuple[Path, str], locked: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, cid = approved
    cli = Cli(home)
    before = snapshot(home)
    missing = cli("ocr-check", str(locked), "--against", cid)
    assert missing.code == 2
    assert "scan.pdf: the PDF is encrypted" in missing.stderr
    assert "--password-fd FD, --ask-password or CONTRACTCTL_PDF_PASSWORD" in missing.stderr
    monkeypatch.setenv("CONTRACTCTL_PDF_PASSWORD", "wrong")
    wrong = cli("ocr-check", str(locked), "--against", cid)
    assert wrong.code == 2
    assert wrong.stderr.startswith("contractctl: error: scan.pdf: the password does not open")
    refused = cli("ocr-check", str(locked), "--against", cid, "--password", PASSWORD)
    assert refused.code == 2 and "where ps and the shell history show it" in refused.stderr
    assert snapshot(home) == before
    monkeypatch.setenv("CONTRACTCTL_LANG", "zh")
    assert "给出的密码打不开" in cli("ocr-check", str(locked), "--against", cid).stderr
