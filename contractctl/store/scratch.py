"""Temporary files under the store (``tmp/``), swept at the next start after a kill.

Rendered drafts, LibreOffice's output and profiles, OCR page images and half-written
objects are private to one contractctl process. They live in ``tmp/<pid>-<random>/``
under the store, which holds an exclusive ``flock`` on its ``.lock`` file for as long
as it runs. The lock dies with the process, however it dies (SIGKILL included), so
the next contractctl that opens the store removes every folder whose lock it can
take: a killed run leaves nothing behind for long, and a running one is never
disturbed. Keeping them in the store (not ``$TMPDIR``) also keeps them on the same
file system as ``objects/``, so an object is renamed into place, never copied.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import uuid
from pathlib import Path

from contractctl.store.signals import held

TMP = "tmp"
LOCK = ".lock"


class Scratch:
    """This process's folder under ``<home>/tmp``; created on first use."""

    def __init__(self, home: Path) -> None:
        self.root = home / TMP
        self._path: Path | None = None
        self._lock_fd: int | None = None

    def path(self) -> Path:
        """The folder, created (and locked) the first time it is asked for."""
        if self._path is None:
            self.root.mkdir(exist_ok=True)
            path = self.root / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
            # Ctrl-C held: one between mkdir and the lock left a folder without its lock,
            # which the sweep takes for one being made and keeps for a minute (the soak)
            with held():
                path.mkdir()
                self._path, self._lock_fd = path, lock(path)
        return self._path

    def release(self) -> None:
        """Remove the folder and everything in it (at the end of the command)."""
        if self._path is not None:
            shutil.rmtree(self._path, ignore_errors=True)
            self._path = None
        if self._lock_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._lock_fd)
            self._lock_fd = None


def sweep(home: Path) -> int:
    """Remove the temporary folders of contractctl processes that are gone; how many.

    A folder whose lock is held belongs to a running process and is left alone; a
    folder without a lock file is one a process was creating when it died.
    """
    root = home / TMP
    if not root.is_dir():
        return 0
    removed = 0
    for entry in root.iterdir():
        if not entry.is_dir():
            with contextlib.suppress(OSError):
                entry.unlink()
            continue
        if owner_alive(entry):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed += 1
    return removed


def lock(folder: Path) -> int:
    """Hold ``folder``'s lock file for as long as this process runs (or until closed)."""
    fd = os.open(folder / LOCK, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def owner_alive(folder: Path) -> bool:
    """Whether the process that made ``folder`` (and holds its lock) still runs."""
    try:
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return _recent(folder)
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def _recent(folder: Path) -> bool:
    """A folder without its lock yet: its creator may be between mkdir and lock."""
    import time

    try:
        return time.time() - folder.stat().st_mtime < 60
    except OSError:
        return False
