"""Every command and option explains itself, and the README tours every command."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import REPO


def _commands() -> Iterator[tuple[str, Any]]:
    import typer.main
    from contractctl.cli.main import app

    def walk(command: Any, path: str) -> Iterator[tuple[str, Any]]:
        yield path, command
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, f"{path} {name}")

    yield from walk(typer.main.get_command(app), "contractctl")


COMMANDS = list(_commands())


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_and_option_has_help(path: str, command: Any) -> None:
    assert (command.help or "").strip(), f"{path} has no help text"
    for param in command.params:
        if param.param_type_name == "option":
            assert (param.help or "").strip(), f"{path} {param.opts[0]} has no help"


def test_the_readme_tours_every_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for path, _ in COMMANDS[1:]:
        assert path in readme or path.replace("contractctl ", "", 1) in readme, path
