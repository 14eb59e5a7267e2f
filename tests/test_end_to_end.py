"""The installed `contractctl`, run as a user's shell or a cron script runs it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from tests.conftest import run_installed


def test_a_script_creates_a_store_adds_a_party_and_reads_json(tmp_path: Path) -> None:
    home = tmp_path / "store"
    env = {"CONTRACTCTL_HOME": str(home), "CONTRACTCTL_USER": "cron"}
    assert run_installed("init", env=env).returncode == 0
    added = run_installed(
        "party",
        "add",
        "上海星河电子科技有限公司",
        "--uscc",
        "91350100M000100Y43",
        "--json",
        env=env,
    )
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["id"] == "P-0001"
    listed = run_installed("party", "list", "--json", env=env)
    assert [p["name"] for p in json.loads(listed.stdout)] == ["上海星河电子科技有限公司"]
    verify = run_installed("audit", "verify", env=env)
    assert verify.returncode == 0 and "hash chain intact" in verify.stdout
    assert json.loads(run_installed("audit", "--json", env=env).stdout)[-1]["actor"] == "cron"


def test_an_error_from_the_installed_command_is_one_line_and_its_exit_code(tmp_path: Path) -> None:
    result = run_installed("--home", str(tmp_path / "none"), "show", "C-2026-0001")
    assert result.returncode == 4
    assert result.stdout == ""
    assert result.stderr.splitlines()[0].startswith("contractctl: error: no contractctl store")
    as_json = run_installed("--home", str(tmp_path / "none"), "show", "C-2026-0001", "--json")
    assert json.loads(as_json.stdout)["error"]["code"] == 4


def test_doctor_reports_every_tool_and_exits_0_when_all_are_present(home: Path) -> None:
    result = run_installed("--home", str(home), "doctor", "--json")
    report = json.loads(result.stdout)
    names = {c["name"]: c for c in report["checks"]}
    for required in (
        "soffice",
        "tesseract",
        "tesseract:chi_sim",
        "tesseract:eng",
        "pdftoppm",
        "fonts:noto-cjk",
        "store",
        "store:audit-chain",
    ):
        assert names[required]["ok"], names[required]
    assert result.returncode == 0 and report["ok"]
    assert names["soffice"]["detail"].startswith("LibreOffice ")


def test_doctor_names_a_missing_tool_and_how_to_install_it_with_exit_4(
    home: Path, tmp_path: Path
) -> None:
    # A PATH holding everything doctor looks for except tesseract.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("soffice", "pdftoppm", "fc-list", "qpdf", "pdfsig"):
        found = shutil.which(tool)
        assert found, f"{tool} must be installed for this test"
        os.symlink(found, bin_dir / tool)
    result = run_installed("--home", str(home), "doctor", env={"PATH": str(bin_dir)})
    assert result.returncode == 4
    assert "tesseract" in result.stderr
    assert "sudo apt-get install tesseract-ocr" in result.stderr
    assert "doctor found problems: tesseract" in result.stderr


def test_help_lists_every_command_of_the_contract() -> None:
    result = run_installed("--help")
    assert result.returncode == 0
    for command in ("init", "doctor", "demo", "party", "list", "show", "audit"):
        assert f"  {command} " in result.stdout
