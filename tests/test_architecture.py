"""The house rules of STYLE.md that a machine can check."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from tests.conftest import REPO

CORE = REPO / "contractctl"
CLI = REPO / "cli"
HEAVY = (
    "pyhanko",
    "pdf2image",
    "pytesseract",
    "docxtpl",
    "docx",
    "watchdog",
    "matplotlib",
    "pypdf",
    "pypdfium2",
    "numpy",
    "openpyxl",
)


def _imports(path: Path, *, top_level_only: bool) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: list[tuple[str, int]] = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
    return found


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: str(p.relative_to(REPO)))
def test_the_core_never_imports_the_cli_typer_or_rich(path: Path) -> None:
    for module, line in _imports(path, top_level_only=False):
        root = module.split(".")[0]
        assert root not in ("typer", "rich", "click"), f"{path}:{line} imports {module}"
        assert not module.startswith("contractctl.cli"), f"{path}:{line} imports {module}"


@pytest.mark.parametrize(
    "path",
    sorted([*CORE.rglob("*.py"), *CLI.rglob("*.py")]),
    ids=lambda p: str(p.relative_to(REPO)),
)
def test_heavy_libraries_are_imported_only_inside_functions(path: Path) -> None:
    for module, line in _imports(path, top_level_only=True):
        assert module.split(".")[0] not in HEAVY, f"{path}:{line} imports {module} at module level"


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: str(p.relative_to(REPO)))
def test_the_core_neither_prints_nor_exits(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else (
                    f"{getattr(func.value, 'id', '')}.{func.attr}"
                    if isinstance(func, ast.Attribute)
                    else ""
                )
            )
            assert name not in ("print", "sys.exit", "exit"), f"{path}:{node.lineno} calls {name}"


def test_every_package_folder_is_listed_for_packaging() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    mapping = config["tool"]["setuptools"]["package-dir"]
    on_disk = set()
    for package, folder in mapping.items():
        for init in (REPO / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(REPO / folder)
            on_disk.add(".".join([package, *rel.parts]) if rel.parts else package)
    assert on_disk <= listed, f"packages missing from pyproject.toml: {sorted(on_disk - listed)}"
