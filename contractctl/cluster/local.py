"""The default executor: a pool of processes on this machine, one per core.

Workers are spawned (not forked: the parent holds a SQLite connection and threads),
die with the parent whatever kills it, and ignore Ctrl-C, which is the parent's to
handle: on an interrupt the pool's processes are stopped at once (each kills its
Tesseract or Poppler first), so an interrupted batch exits promptly.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Collection
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from contractctl import tools
from contractctl.cluster.executor import Call, Outcome, TaskLost


class LocalPool:
    """``slots`` worker processes of this machine."""

    remote = False

    def __init__(self, slots: int) -> None:
        import multiprocessing

        self.slots = slots
        self.where = f"{slots} local processes"
        context = multiprocessing.get_context("spawn")
        with tools.spawning():  # (its resource tracker starts here)
            self._pool = ProcessPoolExecutor(
                max_workers=slots,
                mp_context=context,
                initializer=tools.die_with_parent,
                initargs=(os.getpid(),),
            )

    def submit(self, call: Call) -> Future[Any]:
        """Queue the call; a worker process may be started here."""
        with tools.spawning():
            return self._pool.submit(call.fn, *call.args)

    def wait_first(self, handles: Collection[Any]) -> set[Any]:
        """The finished futures, once there is one; a Ctrl-C or SIGTERM taken by
        another thread meanwhile is raised here within a quarter of a second."""
        while True:
            done, _ = wait(handles, timeout=0.25, return_when=FIRST_COMPLETED)
            if done:
                return set(done)
            tools.deliver_pending_signals()

    def outcome(self, handle: Any) -> Outcome:
        """Its value, or the exception (TaskLost for a worker that died)."""
        try:
            return Outcome(handle.result())
        except BrokenProcessPool as exc:  # out of memory, killed
            return Outcome(error=TaskLost(str(exc)))
        except Exception as exc:
            return Outcome(error=exc)

    def cancel(self, handles: Collection[Any]) -> None:
        """Cancel what has not started; the processes are stopped by ``close(now=True)``."""
        for handle in handles:
            handle.cancel()

    def workers(self) -> int:
        """The pool's size."""
        return self.slots

    def close(self, *, now: bool = False) -> None:
        """Shut the pool down; ``now`` ends its processes first (SIGTERM, then SIGKILL
        after three seconds) instead of waiting for the files in hand."""
        if now:
            _detach_cancelled(self._pool)
            _stop_workers(self._pool)
        self._pool.shutdown(wait=True, cancel_futures=True)


def _detach_cancelled(executor: ProcessPoolExecutor) -> None:
    """Python 3.11's pool, once its workers are stopped, sets BrokenProcessPool on every
    future still in its table, and on one cancelled a moment before that raises
    InvalidStateError in its manager thread: a traceback on stderr after Ctrl-C or
    SIGTERM (the soak saw it). Each cancelled item gets a fresh future nobody waits
    for; nothing is removed from the table, which that thread also changes."""
    items = list(getattr(executor, "_pending_work_items", {}).values())
    for item in items:
        if item.future.cancelled():
            item.future = Future()


def _stop_workers(executor: ProcessPoolExecutor) -> None:
    processes = list(getattr(executor, "_processes", {}).values())
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.terminate()
    deadline = time.monotonic() + 3
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            with contextlib.suppress(OSError, ValueError):
                process.kill()
            process.join(1)
