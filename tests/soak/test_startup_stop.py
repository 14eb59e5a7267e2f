"""Ctrl-C or SIGTERM the moment a command starts: one line and 130 / 143, never a
KeyboardInterrupt traceback from Python loading the command.

The soak's `sign` and `approve` rounds (one short run after another) stopped runs while
Python was still importing contractctl.cli.main, before its handlers were set: a
traceback, exit -2. The handlers are now set by the first contractctl code the console
script runs (the package's __init__); only the interpreter's own start (and, in a
development install, the editable-install finder) comes before it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import installed_contractctl

_PROBE = """
import signal, sys
sys.argv[0] = {argv0!r}
import contractctl
print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)
"""


def _default_handler_after_import(argv0: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(argv0=argv0)],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_the_console_script_sets_quiet_handlers_before_it_loads_anything_else() -> None:
    assert _default_handler_after_import(str(Path("/usr/bin/contractctl"))) == "False"
    # a Python user importing the library keeps Python's own Ctrl-C
    assert _default_handler_after_import("myscript.py") == "True"


def test_a_stop_while_the_command_loads_is_one_line_and_130_or_143() -> None:
    for sig, code in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
        proc = subprocess.Popen(
            [installed_contractctl(), "--version"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        time.sleep(0.15)  # Python has started and is loading the command (~0.4 s)
        os.killpg(proc.pid, sig)
        _, err = proc.communicate(timeout=10)
        text = err.decode()
        assert "Traceback" not in text, text
        if proc.returncode != 0:  # on a fast machine it may have finished
            assert proc.returncode == code, (proc.returncode, text)
            # while loading (the usual case), or, loaded already (a warm start), while it ran
            assert text == "contractctl: error: interrupted while starting; nothing was done\n" or (
                re.fullmatch(r"contractctl: error: (interrupted|terminated); [^\n]+\n", text)
            ), text
