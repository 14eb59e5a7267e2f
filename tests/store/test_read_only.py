"""A store on read-only media can still be read and checked: list, show, search, export,
fsck, verify and audit verify give what they give on the writable original, write
nothing (no WAL, no tmp/), and a command that would change the store is exit 4.

The copy is made really read-only: as root (CI), a read-only bind mount in a private
mount namespace (``unshare -m``), since root ignores permission bits; otherwise
``chmod -R a-w``. Where neither is possible the test runs with CONTRACTCTL_READ_ONLY=1,
the switch that forces the same read-only opening.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import Cli, installed_contractctl
from tests.importer.test_import import historical

READ_COMMANDS = [
    ("list",),
    ("show", "{id}"),
    ("search", "采购"),
    ("export", "--format", "json"),
    ("fsck",),
    ("verify", "{id}"),
    ("audit", "verify"),
    ("audit", "{id}"),
]

#: Times (verify says when it checked): stored ones are the same in both stores anyway.
_NOW = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"
_MOUNT = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'


@cache
def _can_mount_read_only() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", _MOUNT, "/tmp", "true"], capture_output=True, check=False
    )
    return probe.returncode == 0


def _run(home: Path, *args: str, read_only: bool) -> subprocess.CompletedProcess[str]:
    argv = [installed_contractctl(), "--home", str(home), *args]
    env = {**os.environ, "CONTRACTCTL_USER": "tester"}
    if read_only and _can_mount_read_only():
        argv = ["unshare", "-m", "sh", "-c", _MOUNT, str(home), *argv]
    elif read_only and os.geteuid() == 0:
        env["CONTRACTCTL_READ_ONLY"] = "1"
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, check=False)


def _listing(home: Path) -> dict[str, tuple[int, float]]:
    return {
        str(p.relative_to(home)): (p.stat().st_size, p.stat().st_mtime)
        for p in sorted(home.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def populated(
    home: Path, cli: Cli, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, Path, str]]:
    files = historical(tmp_path_factory)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("purchase-zh.pdf", "service-en.pdf"):
        shutil.copy(files[name], inbox / name)
    made = cli("--json", "import", "--workers", "1", str(inbox))
    assert made.code == 0, made.stderr
    contract_id = made.json()["contracts"][0]["id"]
    copy = tmp_path / "read-only copy"
    shutil.copytree(home, copy)
    if not _can_mount_read_only():
        for path in [copy, *copy.rglob("*")]:
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    yield home, copy, contract_id
    for path in [copy, *copy.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


def test_every_reading_command_works_on_a_read_only_copy_and_writes_nothing(
    populated: tuple[Path, Path, str],
) -> None:
    original, copy, contract_id = populated
    before = _listing(copy)
    for command in READ_COMMANDS:
        args = ["--json", *(a.format(id=contract_id) for a in command)]
        expected = _run(original, *args, read_only=False)
        got = _run(copy, *args, read_only=True)
        assert got.returncode == expected.returncode, (args, got.stderr)
        assert "unable to open" not in got.stderr and "readonly" not in got.stderr.lower()
        # the same answer, but for where the store is (show names its files' paths)
        same = re.sub(_NOW, "<now>", got.stdout.replace(str(copy), str(original)))
        assert same == re.sub(_NOW, "<now>", expected.stdout), args
    assert _run(copy, "fsck", read_only=True).stdout.startswith("ok:")
    assert _listing(copy) == before, "a read-only store got a WAL, tmp/ or another file"


def test_a_command_that_changes_the_store_is_exit_4_saying_it_is_read_only(
    populated: tuple[Path, Path, str],
) -> None:
    _, copy, contract_id = populated
    result = _run(copy, "edit", contract_id, "--set", "title=x", read_only=True)
    assert result.returncode == 4
    assert "read-only" in result.stderr
    assert "Traceback" not in result.stderr
