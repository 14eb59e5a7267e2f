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


# -- the house: one package per stage, imports pointing one way -------------------------

#: The small shared kernel: what every stage may use, and what uses no stage.
KERNEL = {
    "i18n",
    "errors",
    "money",
    "dates",
    "uscc",
    "tools",
    "config",
    "tomlfile",
    "limits",
    "progress",
}
#: Modules above the stages, combining them: `show`, the demo, doctor, init.
ABOVE = {"views", "demo", "demo_files", "demo_after", "doctor", "bootstrap"}
#: The stage packages, one per part of a contract's life, and the store beneath them.
STAGES = {
    "records",
    "documents",
    "compare",
    "drafting",
    "approval",
    "signing",
    "ocr",
    "metadata",
    "importer",
    "search",
    "archive",
    "obligations",
    "orders",
    "notify",
    "reports",
    "cluster",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """Every import between contractctl's modules, lazy and TYPE_CHECKING ones included:
    a circle is a circle however it is hidden. ``from pkg import mod`` points at mod."""
    modules = {_module_name(p): p for p in CORE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, *([node.module] if node.module else [])])
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                    for a in node.names
                ]
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def _room(module: str) -> str:
    """The room a module lives in: a kernel module, a stage package, or above them."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "contractctl"


def test_no_import_circles_lazy_imports_included() -> None:
    assert _circles(_import_graph()) == []


def test_the_stage_packages_depend_on_each_other_one_way() -> None:
    rooms: dict[str, set[str]] = {}
    for module, targets in _import_graph().items():
        rooms.setdefault(_room(module), set()).update(
            _room(t) for t in targets if _room(t) != _room(module)
        )
    circles = _circles(rooms)
    assert circles == [], f"stage packages import each other: {circles}"


def test_the_kernel_and_the_store_import_no_stage() -> None:
    for module, targets in _import_graph().items():
        room = _room(module)
        if room in KERNEL or room == "store":
            allowed = KERNEL | {"store", "contractctl"}
            wrong = sorted(t for t in targets if _room(t) not in allowed)
            assert not wrong, f"{module} (kernel/store) imports {wrong}"


def test_no_stage_imports_what_stands_above_the_stages() -> None:
    for module, targets in _import_graph().items():
        if _room(module) in STAGES | KERNEL | {"store"}:
            wrong = sorted(t for t in targets if _room(t) in ABOVE)
            assert not wrong, f"{module} imports {wrong}, which combine the stages"


def test_contractctl_itself_holds_only_the_kernel_the_views_and_the_stage_packages() -> None:
    files = {p.stem for p in CORE.glob("*.py")} - {"__init__"}
    assert files == KERNEL | ABOVE, (
        f"unexpected modules in contractctl/: {files ^ (KERNEL | ABOVE)}"
    )
    packages = {p.parent.name for p in CORE.glob("*/__init__.py")}
    assert packages == STAGES | {"store"}, f"unexpected packages: {packages ^ (STAGES | {'store'})}"


@pytest.mark.parametrize(
    "path",
    sorted([*CORE.rglob("*.py"), *CLI.rglob("*.py")]),
    ids=lambda p: str(p.relative_to(REPO)),
)
def test_no_module_is_over_600_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 600, f"{path.relative_to(REPO)} has {lines} lines; split it by what it does"


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: str(p.relative_to(REPO)))
def test_every_stage_folder_has_a_test_folder(path: Path) -> None:
    room = _room(_module_name(path))
    if room in STAGES | {"store"}:
        assert (REPO / "tests" / room).is_dir(), f"tests/{room}/ is missing for {path}"


def test_the_architecture_document_lists_what_each_package_really_imports() -> None:
    """docs/architecture.md carries a table of each stage's imports; a change to the
    house that does not update the picture fails here, so newcomers read the truth."""
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    documented: dict[str, set[str]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0] in STAGES | {"store"}:
            documented[cells[0]] = {
                w for w in (x.strip() for x in cells[1].split(",")) if w in STAGES | {"store"}
            }
    real: dict[str, set[str]] = {}
    for module, targets in _import_graph().items():
        room = _room(module)
        if room in STAGES | {"store"}:
            real.setdefault(room, set()).update(
                _room(t) for t in targets if _room(t) in STAGES | {"store"} and _room(t) != room
            )
    assert documented == real
    kernel_line = next(line for line in text.splitlines() if line.strip().startswith("kernel:"))
    listed = {name.strip() for name in kernel_line.split(":", 1)[1].split(",")}
    assert listed == KERNEL, "the picture's kernel line must name the kernel's modules"
