"""Ctrl-C or SIGTERM says what it stopped: nothing written, or the change in hand rolled
back.

A new user pressed Ctrl-C on `contractctl --version` just after it loaded and read
"interrupted; the change in hand was rolled back" for a command that changes nothing.
Each test runs the command in its own Python and sends it a real signal (os.kill) the
moment a chosen function of the command is entered, so the stop lands in the same place
every run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import snapshot

_DRIVER = """
import os, sys
sys.argv[0] = "contractctl"  # the console script's start: its quiet handlers are set
import contractctl
from contractctl.cli.main import run

target, signum, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
filename, name = target.split(":")

def stop_there(frame, event, arg):
    code = frame.f_code
    if event == "call" and code.co_name == name and code.co_filename.endswith(filename):
        sys.setprofile(None)
        os.kill(os.getpid(), signum)

sys.setprofile(stop_there)
sys.exit(run(args))
"""


def stop_in(
    function: str, *args: str, sig: int = signal.SIGINT, lang: str = "en"
) -> subprocess.CompletedProcess[str]:
    """Run ``contractctl ARGS`` and send it ``sig`` as it enters ``function``
    (``file.py:name``)."""
    env = {**os.environ, "CONTRACTCTL_LANG": lang}
    return subprocess.run(
        [sys.executable, "-c", _DRIVER, function, str(int(sig)), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_ctrl_c_on_version_says_nothing_was_written() -> None:
    done = stop_in("main.py:_print_version", "--version")
    assert done.returncode == 130
    assert done.stderr == "contractctl: error: interrupted; nothing was written\n"


def test_sigterm_on_version_says_nothing_was_written() -> None:
    done = stop_in("main.py:_print_version", "--version", sig=signal.SIGTERM)
    assert done.returncode == 143
    assert done.stderr == "contractctl: error: terminated; nothing was written\n"


def test_ctrl_c_while_reading_the_store_says_nothing_was_written(home: Path) -> None:
    done = stop_in("records/contracts.py:list_contracts", "--home", str(home), "list")
    assert done.returncode == 130, done.stderr
    assert done.stderr == "contractctl: error: interrupted; nothing was written\n"


def test_ctrl_c_inside_a_change_says_it_was_rolled_back(home: Path) -> None:
    before = snapshot(home)
    # audit.append runs inside the transaction that adds the party
    done = stop_in(
        "store/audit.py:append", "--home", str(home), "party", "add", "上海云杉信息技术有限公司"
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr == "contractctl: error: interrupted; the change in hand was rolled back\n"
    assert snapshot(home) == before


def test_the_stop_is_said_in_chinese_too() -> None:
    done = stop_in("main.py:_print_version", "--version", lang="zh")
    assert done.returncode == 130
    assert "interrupted" not in done.stderr
    assert done.stderr == "contractctl: 错误: 已中断;未写入任何内容\n"
