"""The one seam for external programs: timeouts end the whole process tree."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from contractctl import tools
from contractctl.errors import ToolFailed, ToolMissing


def test_a_timeout_kills_the_program_and_everything_it_started(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    script = f"sleep 300 & echo $! > {pid_file}; wait"
    with pytest.raises(ToolFailed, match=r"did not finish within 0\.5 s"):
        tools.run(["sh", "-c", script], timeout=0.5)
    child = int(pid_file.read_text())
    time.sleep(0.2)
    assert _dead(child), "the grandchild (sleep) must be killed with its parent"


def _dead(pid: int) -> bool:
    """Gone, or a zombie waiting for init to reap it (it no longer runs)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (FileNotFoundError, IndexError):
        return True
    return state in "ZX"


def test_a_missing_program_names_its_debian_package() -> None:
    with pytest.raises(ToolMissing) as caught:
        tools.run(["pdftoppm-not-here"], timeout=5)
    assert caught.value.exit_code == 4


def test_exit_0_without_the_expected_file_is_a_failure(tmp_path: Path) -> None:
    with pytest.raises(ToolFailed, match=r"wrote no out\.pdf"):
        tools.run(["true"], timeout=5, expect_file=tmp_path / "out.pdf")


def test_a_failure_keeps_the_tail_of_stderr() -> None:
    with pytest.raises(ToolFailed, match=r"exit 3.*boom"):
        tools.run(["sh", "-c", "echo boom >&2; exit 3"], timeout=5)
