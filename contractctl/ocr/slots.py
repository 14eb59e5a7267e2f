"""One Tesseract per core across processes: the import's workers share the machine's slots.

The import reads several files at once, one per worker process. It used to give each
file one OCR thread (else N workers x N threads ran N^2 Tesseracts), so a long scan
imported alone was read one page after another on one core of many. Now each file's
pages are read by as many threads as there are cores, and every Tesseract call first
takes one of the machine's slots: a lock file under the store's tmp/ that
``shared_slots`` names in the environment the workers inherit. A slot is an
``flock``, so a killed worker's slot is free again at once; without the variable (a
single process: ocr-check, import with one worker) the threads are the only limit.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

#: ``FOLDER:COUNT`` of the slots every Tesseract of this process tree shares.
SLOTS_ENV = "CONTRACTCTL_OCR_SLOTS"
#: How often a call waiting for a slot looks again (Tesseract calls last 0.1-10 s).
POLL_SECONDS = 0.05


@contextlib.contextmanager
def shared_slots(folder: Path, count: int) -> Iterator[None]:
    """Within the block, processes started from here (and this one) run at most
    ``count`` Tesseracts at once between them."""
    folder.mkdir(parents=True, exist_ok=True)
    before = os.environ.get(SLOTS_ENV)
    os.environ[SLOTS_ENV] = f"{folder}:{max(1, count)}"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(SLOTS_ENV, None)
        else:
            os.environ[SLOTS_ENV] = before


@contextlib.contextmanager
def tesseract_slot() -> Iterator[None]:
    """Hold one of the shared slots for the length of the block (none shared: at once)."""
    spec = os.environ.get(SLOTS_ENV, "")
    folder, _, count = spec.rpartition(":")
    if not folder or not count.isdigit():
        yield
        return
    import fcntl

    while True:
        for number in range(int(count)):
            fd = os.open(os.path.join(folder, f"slot-{number}"), os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield
            finally:
                os.close(fd)  # closing the descriptor releases the lock
            return
        time.sleep(POLL_SECONDS)
