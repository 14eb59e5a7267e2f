"""An import's workers share the machine's Tesseract slots, and a killed worker frees its own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from contractctl.ocr.slots import SLOTS_ENV, shared_slots, tesseract_slot

HOLD = """
import sys, time
from contractctl.ocr.slots import tesseract_slot
with tesseract_slot():
    print("holding", flush=True)
    time.sleep(600)
"""


def test_a_second_reader_waits_for_the_slot_and_gets_it_when_the_first_is_killed(
    tmp_path: Path,
) -> None:
    with shared_slots(tmp_path / "slots", 1):
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
        )
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline().strip() == "holding"
            got = threading.Event()

            def read() -> None:
                with tesseract_slot():
                    got.set()

            waiter = threading.Thread(target=read, daemon=True)
            waiter.start()
            time.sleep(0.5)
            assert not got.is_set(), "two Tesseracts ran in one slot"
            holder.send_signal(signal.SIGKILL)
            assert got.wait(10), "the killed worker's slot was never freed"
        finally:
            holder.kill()
            holder.wait()
    assert SLOTS_ENV not in os.environ


def test_without_shared_slots_nothing_waits() -> None:
    assert SLOTS_ENV not in os.environ
    with tesseract_slot(), tesseract_slot():  # nested: no lock to deadlock on
        pass
