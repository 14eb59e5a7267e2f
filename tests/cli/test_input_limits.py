"""Every input is bounded: nesting, sizes, cells and rows are refused with exit 2 and one
line naming the limit, never a RecursionError or an internal error (exit 70)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from contractctl import limits
from contractctl.errors import ConfigError
from tests.conftest import Cli, Result

DEEP = "[" * 5000 + "]" * 5000


def _one_clear_error(result: Result, *words: str) -> None:
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("contractctl:")]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], result.stderr


def test_deeply_nested_contractctl_toml_is_exit_2_naming_the_limit(cli: Cli, home: Path) -> None:
    with (home / "contractctl.toml").open("a", encoding="utf-8") as handle:
        handle.write(f"\nx = {DEEP}\n")
    result = cli("list")
    assert result.code == 2
    _one_clear_error(result, "contractctl.toml", f"deeper than {limits.MAX_DEPTH} levels")


def test_deeply_nested_people_and_approval_rules_are_refused_naming_the_limit(
    cli: Cli, home: Path
) -> None:
    from contractctl.approval.route_rules import load_rules
    from contractctl.records.people import load_people

    for name in ("people.toml", "rules/approval.toml"):
        with (home / name).open("a", encoding="utf-8") as handle:
            handle.write(f"\nx = {DEEP}\n")
    with pytest.raises(ConfigError, match=f"deeper than {limits.MAX_DEPTH} levels") as caught:
        load_rules(home / "rules" / "approval.toml")
    assert caught.value.exit_code == 2
    with pytest.raises(ConfigError, match=f"deeper than {limits.MAX_DEPTH} levels") as caught:
        load_people(home)
    assert caught.value.exit_code == 2
    checked = cli("rules", "check")  # a check reports a broken file as its finding
    assert checked.code == 1
    _one_clear_error(checked, "deeper than")


def test_a_toml_file_over_the_size_limit_is_refused(cli: Cli, home: Path) -> None:
    with (home / "contractctl.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n" + "# padding\n" * (limits.MAX_TOML_BYTES // 10 + 1))
    result = cli("list")
    assert result.code == 2
    _one_clear_error(result, "over the limit")


def test_a_10_mb_csv_cell_is_exit_2_naming_the_limit(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("key,contract_no\nk1," + "x" * (10 << 20) + "\n", encoding="utf-8")
    result = cli("draft-batch", "purchase-zh", "--csv", str(path), "--no-pdf")
    assert result.code == 2
    _one_clear_error(result, "big.csv", "row", f"{limits.MAX_CSV_CELL:,} characters")


def test_a_csv_cell_of_nested_brackets_is_exit_2(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "deep.csv"
    path.write_text(f'key,items\nk1,"{DEEP}"\n', encoding="utf-8")
    result = cli("draft-batch", "purchase-zh", "--csv", str(path), "--no-pdf")
    assert result.code == 2
    _one_clear_error(result, "column items", "deeper than")


def test_a_json_data_file_of_nested_brackets_is_exit_2(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_text(DEEP, encoding="utf-8")
    result = cli("draft", "purchase-zh", "--data", str(path), "--no-pdf")
    assert result.code == 2
    _one_clear_error(result, "data.json", "deeper than")


def test_a_bundle_manifest_of_nested_brackets_is_exit_2(cli: Cli, tmp_path: Path) -> None:
    bundle = tmp_path / "hostile.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("manifest.json", "[" * 100_000 + "]" * 100_000)
    result = cli("verify-bundle", str(bundle))
    assert result.code == 2
    _one_clear_error(result, "manifest.json", "deeper than")


def test_a_backup_manifest_of_nested_brackets_is_exit_2(cli: Cli, tmp_path: Path) -> None:
    backup = tmp_path / "backup"
    backup.mkdir()
    (backup / "backup.json").write_text(DEEP, encoding="utf-8")
    result = Cli(tmp_path / "new-home")("restore", str(backup))
    assert result.code == 2
    _one_clear_error(result, "backup.json", "deeper than")
