"""The command contract of DESIGN.md §4 that scripts rely on: options anywhere, exit
codes, one-line errors, JSON errors, no tracebacks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from contractctl.cli.main import hoist_global_options

from tests.conftest import Cli, snapshot


def test_global_options_work_before_or_after_the_command(cli: Cli) -> None:
    cli("party", "add", "星河电子")
    before = cli("--json", "party", "list")
    after = cli("party", "list", "--json")
    assert before.code == after.code == 0
    assert before.json() == after.json()


def test_hoisting_leaves_values_and_everything_after_a_double_dash_alone() -> None:
    assert hoist_global_options(["list", "--json", "--home", "/s", "--as=bob"]) == [
        "--json",
        "--home",
        "/s",
        "--as=bob",
        "list",
    ]
    assert hoist_global_options(["party", "add", "--", "--json"]) == [
        "party",
        "add",
        "--",
        "--json",
    ]


def test_as_sets_the_actor_recorded_in_the_audit_log(cli: Cli) -> None:
    cli("party", "add", "星河电子", "--as", "zhang.wei")
    assert cli("audit", "P-0001", "--json").json()[0]["actor"] == "zhang.wei"


def test_an_error_is_one_line_on_stderr_and_a_json_object_with_json(cli: Cli) -> None:
    plain = cli("show", "C-2026-9999")
    assert plain.code == 2
    assert plain.stdout == ""
    lines = plain.stderr.strip().splitlines()
    assert lines[0] == "contractctl: error: no contract 'C-2026-9999'"
    assert all(line.startswith("  hint:") for line in lines[1:])
    assert "Traceback" not in plain.stderr

    as_json = cli("show", "C-2026-9999", "--json")
    assert as_json.code == 2
    assert as_json.json() == {
        "error": {
            "code": 2,
            "type": "not_found",
            "message": "no contract 'C-2026-9999'",
            "hint": "list contracts with: contractctl list",
        }
    }


def test_usage_errors_are_exit_2_with_a_pointer_to_help(cli: Cli) -> None:
    unknown = cli("party", "add")
    assert unknown.code == 2
    assert "Missing argument" in unknown.stderr
    assert "contractctl party add --help" in unknown.stderr
    assert cli("frobnicate").code == 2
    assert cli("list", "--limit", "many").code == 2


@pytest.mark.parametrize(
    "args",
    [
        ("diff", "C-2026-0001", "--from", "99999999999999999999999"),
        ("search", "保管", "--limit", "99999999999999999999"),
        ("import", ".", "--workers", "99999999999999999999"),
        ("import", ".", "--workers", "9223372036854775807"),
        ("ocr-check", "scan.pdf", "--against", "C-2026-0001@99999999999999999999999"),
        ("ocr-check", "scan.pdf", "--against", "C-2026-0001@"),
    ],
)
def test_a_number_too_large_is_a_usage_error_not_an_internal_one(
    cli: Cli, args: tuple[str, ...]
) -> None:
    """A new user's huge numbers were exit 70 (SQLite's and C's integers overflowed)."""
    result = cli(*args)
    assert result.code == 2, result.stderr
    assert result.stderr.count("\n") <= 2 and "internal" not in result.stderr


def test_help_exits_0(cli: Cli) -> None:
    result = cli("--help")
    assert result.code == 0 and "Usage: contractctl" in result.stdout


def test_a_store_that_does_not_exist_is_exit_4_saying_how_to_create_it(tmp_path: Path) -> None:
    result = Cli(tmp_path / "nowhere")("list")
    assert result.code == 4
    assert "no contractctl store at" in result.stderr
    assert "contractctl init --home" in result.stderr


def test_a_home_that_cannot_be_created_is_exit_4(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    result = Cli(tmp_path / "file" / "store")("init")
    assert result.code == 4
    assert "cannot create a store" in result.stderr


@pytest.mark.parametrize(
    ("config", "says"),
    [
        (
            '[company]\nname = "我们"\nuscc = "91350100M000100Y44"\n',
            "contractctl.toml:3: company -> uscc: credit code",
        ),
        (
            '[company]\nname = "我们"\n\n[store]\ncontract_prefx = "K"\n',
            "contractctl.toml:5: store -> contract_prefx: unknown key",
        ),
        ('[company]\nname = "我们\n', "contractctl.toml:2: invalid TOML"),
        ("[company]\nname = 5\n", "contractctl.toml:2: company -> name: expected a string"),
        ('[store]\ndefault_currency = "XYZ"\n', "contractctl.toml:2: store -> default_currency"),
    ],
    ids=["bad-credit-code", "unknown-key", "syntax", "wrong-type", "unknown-currency"],
)
def test_a_malformed_contractctl_toml_names_file_and_line(
    cli: Cli, home: Path, config: str, says: str
) -> None:
    (home / "contractctl.toml").write_text(config, encoding="utf-8")
    result = cli("list")
    assert result.code == 2
    assert says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_prefix_from_contractctl_toml_names_new_contracts(home: Path) -> None:
    from contractctl.records.contracts import NewContract, NewVersion, create_contract
    from contractctl.store import Store

    config = home / "contractctl.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'contract_prefix = "C"', 'contract_prefix = "HT"'
        ),
        encoding="utf-8",
    )
    with Store.open(home) as store, store.transaction("tester") as tx:
        contract = create_contract(tx, NewContract(title="x", type="nda"), NewVersion())
    assert contract.id.startswith("HT-")


def test_an_internal_error_is_exit_70_without_a_traceback_unless_debugging(
    cli: Cli, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import contractctl.records.parties

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(contractctl.records.parties, "list_parties", broken)
    before = snapshot(home)
    result = cli("party", "list")
    assert result.code == 70
    assert "internal error: ZeroDivisionError: boom" in result.stderr
    assert "CONTRACTCTL_DEBUG=1" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(home) == before
    monkeypatch.setenv("CONTRACTCTL_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        cli("party", "list")


def test_a_locked_store_is_exit_4_not_a_traceback(
    cli: Cli, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    import contractctl.store as store_module

    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(home / "contracts.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = cli("party", "add", "星河电子")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.code == 4
    assert "locked by another contractctl" in result.stderr


def test_json_output_keeps_chinese_readable(cli: Cli) -> None:
    result = cli("party", "add", "星河电子", "--json")
    assert "星河电子" in result.stdout
    assert json.loads(result.stdout)["name"] == "星河电子"


def test_no_colour_codes_when_stdout_is_not_a_terminal(cli: Cli) -> None:
    cli("party", "add", "星河电子")
    assert "\x1b[" not in cli("party", "list").stdout
    assert "\x1b[" not in cli("audit").stdout


def test_init_twice_through_the_cli(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "s")
    first = cli("init")
    assert first.code == 0 and "Created a store" in first.stderr
    second = cli("init", "--json")
    assert second.code == 0
    assert second.json()["schema_before"] == second.json()["schema_after"]
    assert os.path.isdir(tmp_path / "s" / "objects")
