"""Every command and option explains itself; the README and the manual in docs/ show only
commands that exist, the command reference lists them all, and the manual builds."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
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


def test_the_command_reference_lists_every_command() -> None:
    reference = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    for path, _ in COMMANDS[1:]:
        assert f"| `{path.replace('contractctl ', '', 1)}` |" in reference, path


def _mentions(text: str) -> Iterator[str]:
    """Every command line the text shows: lines of its sh blocks (commented-out tour
    lines too) and inline code spans, from the word ``contractctl`` on."""
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("# contractctl "):
                line = line[2:]  # a command the tour leaves commented out
            elif line.startswith("#"):
                continue  # prose
            line = line.split("  #", 1)[0]
            yield from (m for m in re.findall(r"\bcontractctl( [^|;&]*)", line))
    for span in re.findall(r"`([^`]+)`", re.sub(r"```.*?```", "", text, flags=re.S)):
        yield from re.findall(r"^contractctl( [^|;&]*)", span.strip())


def _resolves(words: list[str]) -> str | None:
    """None when the words name a command with its global options, else what is wrong."""
    import typer.main
    from contractctl.cli.main import app

    command: Any = typer.main.get_command(app)
    words = list(words)
    while words:
        word = words.pop(0)
        if word in ("--home", "--as", "--lang"):
            words = words[1:]
            continue
        if word.startswith("-"):
            continue
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            return None
        if word not in subcommands:
            return f"no command {word!r}"
        command = subcommands[word]
    return None


PAGES = sorted([REPO / "README.md", *(REPO / "docs").glob("*.md")])


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_command_the_readme_and_manual_show_exists(page: Path) -> None:
    wrong = []
    for mention in _mentions(page.read_text(encoding="utf-8")):
        problem = _resolves(mention.split())
        if problem:
            wrong.append(f"contractctl{mention}: {problem}")
    assert not wrong, "\n".join(wrong)


def test_the_readme_is_short_and_points_at_the_manual() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode()) < 20_000, "the manual belongs in docs/, not the README"
    for target in re.findall(r"\]\((docs/[^)#]+)", readme):
        assert (REPO / target).is_file(), f"README links to a missing {target}"


def test_the_manual_home_page_carries_the_tour_verbatim() -> None:
    index = (REPO / "docs" / "index.md").read_text(encoding="utf-8")
    block = index.split("## Command tour", 1)[1].split("```sh\n", 1)[1].split("```\n", 1)[0]
    assert block == (REPO / "docs" / "tour.sh").read_text(encoding="utf-8")


def _nav_pages() -> list[str]:
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    return re.findall(r"^\s+- [^:]+: (\S+\.md)\s*$", text, re.M)


def test_every_page_of_docs_is_in_the_navigation() -> None:
    pages = {p.name for p in (REPO / "docs").glob("*.md")}
    assert set(_nav_pages()) == pages


def test_the_manual_builds_with_mkdocs_strict(tmp_path: Path) -> None:
    """Broken links, missing pages and bad configuration are errors, not warnings."""
    ran = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr[-4000:]
    assert (tmp_path / "index.html").is_file()
    assert (tmp_path / "reference" / "index.html").is_file()
