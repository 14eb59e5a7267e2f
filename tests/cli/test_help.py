"""A new user's conventions: --version, shell completion, help grouped in panels with whole
descriptions, two examples and the global options under every command."""

from __future__ import annotations

import os
from importlib.metadata import version

import pytest
import typer.main
from contractctl.cli.help_examples import EXAMPLES, PANEL_ORDER, PANELS
from contractctl.cli.main import app

from tests.conftest import Cli, run_installed


def _leaves() -> list[str]:
    """Every command path below the root ("party add"), groups included."""
    paths: list[str] = []

    def walk(command: object, path: str) -> None:
        if path:
            paths.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(typer.main.get_command(app), "")
    return paths


COMMANDS = _leaves()


def test_version_prints_the_package_version(cli: Cli) -> None:
    result = cli("--version")
    assert result.code == 0
    assert result.stdout == f"contractctl {version('contractctl')}\n"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_the_script_for_each_shell(cli: Cli, shell: str) -> None:
    result = cli("completion", shell)
    assert result.code == 0, result.stderr
    assert "contractctl" in result.stdout
    assert "_CONTRACTCTL_COMPLETE" in result.stdout


def test_completion_rejects_an_unknown_shell(cli: Cli) -> None:
    result = cli("completion", "tcsh")
    assert result.code == 2
    assert "tcsh" in result.stderr


def test_the_completion_script_gets_commands_back_from_contractctl() -> None:
    result = run_installed(
        env={
            "_CONTRACTCTL_COMPLETE": "complete_bash",
            "COMP_WORDS": "contractctl dra",
            "COMP_CWORD": "1",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["draft", "draft-batch"]


def test_the_root_help_groups_commands_in_panels_in_order(cli: Cli) -> None:
    out = cli("--help").stdout
    headings = [line[:-1] for line in out.splitlines() if line.endswith(":") and line[0] != " "]
    panels = [h for h in headings if h in PANEL_ORDER]
    assert panels == [p for p in PANEL_ORDER if p in set(PANELS.values())][: len(panels)]
    assert {"Records", "Drafting", "Approval", "Signing", "Store"} <= set(panels)
    assert "Other:" not in out
    listing = out.split("Records:", 1)[1]
    assert "..." not in listing  # descriptions are whole, never cut
    assert "--version" in out and "--lang" in out


@pytest.mark.parametrize("name", [c for c in COMMANDS if " " not in c])
def test_every_top_level_command_has_a_panel(name: str) -> None:
    assert PANELS.get(name) in PANEL_ORDER, f"{name}: add it to PANELS in cli/help_examples.py"


@pytest.mark.parametrize("path", COMMANDS)
def test_every_command_shows_two_examples_and_the_global_options(cli: Cli, path: str) -> None:
    pair = EXAMPLES.get(path)
    assert pair and len(pair) == 2, f"{path}: add two examples to cli/help_examples.py"
    for example in pair:
        assert example.startswith(f"contractctl {path.split()[0]}") or (
            example.startswith("contractctl --home") and path.split()[0] in example
        ), example
    result = cli(*path.split(), "--help")
    assert result.code == 0, result.stderr
    assert "Examples:" in result.stdout
    assert pair[0] in " ".join(result.stdout.split()) or pair[0][:40] in result.stdout
    for flag in ("--home", "--as", "--json", "-q"):
        assert flag in result.stdout, f"{path} --help does not mention {flag}"


def test_help_stays_fast() -> None:
    """--help imports no heavy library (the time itself is measured in the README)."""
    result = run_installed(
        "--help",
        env={"PYTHONPROFILEIMPORTTIME": "1", "PYTHONWARNINGS": "ignore"},
    )
    assert result.returncode == 0
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    heavy = {"pyhanko", "docxtpl", "numpy", "openpyxl", "matplotlib", "cryptography", "babel"}
    assert not heavy & {name.split(".")[0] for name in imported}
    assert os.environ.get("CONTRACTCTL_LANG", "en") == "en"
