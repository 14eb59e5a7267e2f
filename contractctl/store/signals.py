"""Ctrl-C and SIGTERM, held where an interrupt would split what must stay together.

A KeyboardInterrupt raised the instant after SQLite committed looks, to the code that
catches it, like a failure before the commit: that is how an interrupted import once
deleted a committed file. So COMMIT and the clean-up of a failed transaction run with
SIGINT and SIGTERM held: a signal that arrives meanwhile is recorded and raised again
when the section ends, once the outcome is settled.

SIGTERM is turned into :class:`~contractctl.errors.Terminated` (a KeyboardInterrupt, so
every clean-up written for Ctrl-C runs for it too) by :func:`interrupts_raise`, which
the CLI installs for the whole invocation; the exit code is then 143, not 130.
"""

from __future__ import annotations

import _thread
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any

from contractctl.errors import Terminated

HELD = (signal.SIGINT, signal.SIGTERM)


@dataclass
class Writes:
    """What this process's store transactions did, so that the line an interrupt ends
    with can say what it stopped: nothing written, a change rolled back, or changes
    made before it kept. Counters only grow; a caller compares two :meth:`snapshot` s."""

    begun: int = 0
    committed: int = 0
    rolled_back: int = 0

    def snapshot(self) -> tuple[int, int, int]:
        """(begun, committed, rolled back) now."""
        return self.begun, self.committed, self.rolled_back


#: The process's transactions (counted by ``Store.transaction``).
WRITES = Writes()


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM for the block; deliver the first that came, after it.

    Outside the main thread (where Python delivers signals) this does nothing: there
    the signal cannot interrupt the block anyway.
    """
    if not _in_main_thread():
        yield
        return
    pending: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        pending.append(signum)

    previous: dict[signal.Signals, Any] = {}
    try:
        for sig in HELD:
            previous[sig] = signal.signal(sig, hold)
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        if pending:
            signal.raise_signal(pending[0])


@contextmanager
def interrupts_raise() -> Iterator[list[int]]:
    """For the block, SIGINT raises KeyboardInterrupt and SIGTERM raises Terminated in
    the main thread; yields the list of signals received (the caller's exit code)."""
    received: list[int] = []
    if not _in_main_thread():
        yield received
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        if signum == signal.SIGTERM:
            raise Terminated()
        raise KeyboardInterrupt

    def unraisable(info: Any) -> None:
        # Raised inside a weakref callback or a __del__ (importlib's module locks have
        # one), where Python can only print "Exception ignored in ..." with a traceback
        # and go on as if nothing came (the soak's Ctrl-C of approve did): raised
        # again, at once, where it unwinds the command.
        # (From another thread, a moment later: tripped from here, it would land in
        # this hook, which Python would report as failing.)
        if isinstance(info.exc_value, KeyboardInterrupt):
            term = isinstance(info.exc_value, Terminated)
            again = signal.SIGTERM if term else signal.SIGINT
            threading.Timer(0.01, _thread.interrupt_main, args=(again,)).start()
            return
        hook(info)

    previous: dict[signal.Signals, Callable[..., Any] | int | None] = {}
    hook = sys.unraisablehook
    try:
        for sig in HELD:
            previous[sig] = signal.signal(sig, interrupt)
        sys.unraisablehook = unraisable
        yield received
    finally:
        sys.unraisablehook = hook
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
