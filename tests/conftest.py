"""Shared fixtures: a fresh store per test and a CLI runner that keeps stdout and stderr apart.

The runner calls ``contractctl.cli.main.run`` (the real error boundary), so exit codes
and error lines are exactly what a user's shell would see.
"""

from __future__ import annotations

import io
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from contractctl.bootstrap import initialise
from contractctl.store import Store

REPO = Path(__file__).resolve().parent.parent

if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    # started in the background (``nohup ... &``, a cron line): the shell ignores Ctrl-C
    # for it, Python then leaves SIGINT ignored, and every test of what Ctrl-C does (and
    # the commands it starts, which inherit it) would see none
    signal.signal(signal.SIGINT, signal.default_int_handler)


@dataclass
class Result:
    """What a contractctl invocation left: exit code, stdout, stderr."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """stdout parsed as JSON."""
        return json.loads(self.stdout)


class Cli:
    """Runs contractctl in-process against one store."""

    def __init__(self, home: Path) -> None:
        self.home = home

    def __call__(self, *args: str, input: str | None = None) -> Result:
        from contractctl.cli.main import run

        out, err = io.StringIO(), io.StringIO()
        stdin = sys.stdin
        sys.stdin = io.StringIO(input or "")
        try:
            with redirect_stdout(out), redirect_stderr(err):
                code = run(["--home", str(self.home), *args])
        finally:
            sys.stdin = stdin
        return Result(code, out.getvalue(), err.getvalue())


def _test_config() -> str:
    """A store's contractctl.toml in tests: the shipped default with your company's
    details filled in, as `draft` requires (tests of the missing details write their
    own)."""
    from contractctl.config import DEFAULT_CONFIG

    filled = {
        'uscc = ""': 'uscc = "91310115MA1K4A2B3A"',
        'address = ""': 'address = "上海市浦东新区世纪大道 100 号"',
        'legal_rep = ""': 'legal_rep = "李明"',
    }
    text = DEFAULT_CONFIG
    for blank, value in filled.items():
        assert blank in text, f"contractctl.config.DEFAULT_CONFIG has no {blank}"
        text = text.replace(blank, value, 1)
    return text


TEST_CONFIG = _test_config()


def pytest_configure(config: pytest.Config) -> None:
    """Stores made for the whole session (module- and session-scoped fixtures, made
    before any per-test patch applies) get the test company too, as `draft` requires."""
    from contractctl import config as settings

    settings.DEFAULT_CONFIG = TEST_CONFIG


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's own store or user name; stores get a company."""
    from contractctl import config

    monkeypatch.setattr(config, "DEFAULT_CONFIG", TEST_CONFIG)
    monkeypatch.setenv("CONTRACTCTL_USER", "tester")
    # the OS login the CLI maps to a person in people.toml: tests run as "tester" (a
    # store's people.toml may list tester in admins to act for others with --as)
    monkeypatch.setattr("contractctl.records.identity.os_login", lambda: "tester")
    monkeypatch.setenv("CONTRACTCTL_LANG", "en")  # a developer's zh_CN locale changes no output
    monkeypatch.setenv("CONTRACTCTL_HOME", str(tmp_path / "default-home"))
    monkeypatch.delenv("CONTRACTCTL_DEBUG", raising=False)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An initialised, empty store."""
    path = tmp_path / "store"
    initialise(path, "tester")
    return path


@pytest.fixture
def store(home: Path) -> Iterator[Store]:
    """The open store behind ``home``."""
    with Store.open(home) as opened:
        yield opened


@pytest.fixture
def cli(home: Path) -> Cli:
    """Run contractctl against the ``home`` store."""
    return Cli(home)


def snapshot(home: Path) -> dict[str, Any]:
    """Row counts of every table and the set of object files: a failed command
    must leave both exactly as they were."""
    with Store.open(home) as opened:
        counts = opened.counts()
        rows = {
            table: opened.conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
            for table in ("parties", "contracts", "versions", "events", "counters")
        }
    objects = sorted(str(p.relative_to(home)) for p in (home / "objects").rglob("*") if p.is_file())
    return {
        "counts": counts,
        "rows": {k: [tuple(r) for r in v] for k, v in rows.items()},
        "objects": objects,
    }


def installed_contractctl() -> str:
    """The console script installed in this venv (for end-to-end subprocess tests)."""
    candidate = Path(sys.executable).parent / "contractctl"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("contractctl")
    if not found:
        pytest.fail("the contractctl console script is not installed (run make test)")
    return found


def run_installed(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run the installed contractctl as a subprocess."""
    return subprocess.run(
        [installed_contractctl(), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )


def word_file(path: Path, text: str | list[str]) -> Path:
    """A Word file with one paragraph per line of ``text`` (or per item of a list), as a
    person types a contract."""
    from docx import Document

    document = Document()
    for line in text.splitlines() if isinstance(text, str) else text:
        document.add_paragraph(line)
    document.save(str(path))
    return path


def imported(cli: Cli, path: Path) -> str:
    """Import one file through the CLI; the new contract's id."""
    result = cli("import", str(path), "--json")
    assert result.code == 0, result.stderr
    return str(result.json()["contracts"][0]["id"])


def rewrite_docx(path: Path, member: str, edit: Callable[[bytes], bytes]) -> Path:
    """Edit one member of a DOCX in place, as a hand-crafted or hostile file would."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info.filename, edit(data) if info.filename == member else data)
    return path


def run_on_terminal(argv: list[str], script: list[tuple[str, str]]) -> tuple[int, str]:
    """Run a program with a pseudo-terminal as its terminal, answer each (prompt, answer)
    in turn, and return its exit code and everything it showed."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: the program, with the pty as its terminal
        try:
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    try:
        seen = _converse(fd, script)
        seen += _read_until_exit(fd)
    except BaseException:
        os.kill(pid, 9)  # a prompt never came: do not wait on a child waiting for input
        raise
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), seen


def _converse(fd: int, script: list[tuple[str, str]]) -> str:
    """Answer each prompt of a program running on the pty ``fd``; the text it showed."""
    seen = ""
    for prompt, answer in script:
        deadline = time.monotonic() + 30
        while prompt not in seen:
            assert time.monotonic() < deadline, f"no {prompt!r} prompt in {seen!r}"
            ready, _, _ = select.select([fd], [], [], 1)
            if ready:
                seen += os.read(fd, 1024).decode("utf-8", "replace")
        seen = seen.replace(prompt, "<asked>", 1)
        os.write(fd, (answer + "\n").encode("utf-8"))
    return seen


def _read_until_exit(fd: int) -> str:
    seen = ""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk.decode("utf-8", "replace")
    return seen


@pytest.fixture(scope="session")
def tour_run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The README's tour run once on a fresh store, with what each command printed and
    its exit code (tests.tour_run), for test_tour and test_no_python_values."""
    from tests.tour_run import run_tour

    return run_tour(tmp_path_factory.mktemp("tour"))
