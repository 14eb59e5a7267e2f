"""Two stops the soak's sign, approve and backup rounds met, each now a clean 143 / 130
with nothing left behind.

- SIGTERM while `approve` imported its rules lazily: Python 3.11 wraps an exception
  raised while a class is made (a dataclass field's ``__set_name__``) in RuntimeError,
  so the CLI called it an internal error, exit 70.
- Ctrl-C while a command made its folder under the store's ``tmp/``: between the
  folder and its lock, it left a folder without a lock, which the sweep takes for one
  being made and keeps for a minute.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from contractctl.errors import Interrupted, Terminated


class _StoppedWhileMade:
    def __set_name__(self, owner: type, name: str) -> None:
        raise Terminated()  # the SIGTERM handler raises while the class is made


def test_a_sigterm_python_wrapped_while_a_class_is_made_is_143_not_70() -> None:
    from contractctl.cli.main import interrupt_within

    with pytest.raises(RuntimeError) as caught:

        class RuleSet:  # as a lazily imported module's dataclass is made
            by_type = _StoppedWhileMade()

    found = interrupt_within(caught.value)
    assert isinstance(found, Terminated)
    assert Interrupted("terminated", cause=found).exit_code == 143
    assert interrupt_within(RuntimeError("a real bug")) is None  # still exit 70


def test_ctrl_c_while_the_scratch_folder_is_made_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contractctl.store import scratch

    real_lock = scratch.lock

    def lock_after_a_ctrl_c(folder: Path) -> int:
        signal.raise_signal(signal.SIGINT)  # the Ctrl-C lands between mkdir and the lock
        return real_lock(folder)

    monkeypatch.setattr(scratch, "lock", lock_after_a_ctrl_c)
    made = scratch.Scratch(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        made.path()
    made.release()  # what the command's clean-up does
    assert list((tmp_path / "tmp").iterdir()) == []
