"""An import stopped by Ctrl-C or SIGTERM stops its pool of reader processes at once,
and Python's pool says nothing on the way (the soak saw a traceback from its thread)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from contractctl.cluster.executor import Call
from contractctl.cluster.local import LocalPool


def test_stopping_the_pool_with_cancelled_work_in_its_queue_prints_no_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[Any] = []
    monkeypatch.setattr(threading, "excepthook", seen.append)
    pool = LocalPool(2)
    busy = [pool.submit(Call(time.sleep, (30,))) for _ in range(2)]
    queued = [pool.submit(Call(time.sleep, (30,))) for _ in range(6)]
    time.sleep(1.0)  # the workers have started the first two
    pool.cancel(queued)
    started = time.monotonic()
    pool.close(now=True)
    assert time.monotonic() - started < 10
    assert sum(f.cancelled() for f in queued) >= 3  # the rest were already handed over
    assert all(f.done() for f in busy + queued)
    time.sleep(0.5)  # the pool's manager thread has ended
    assert [type(s.exc_value).__name__ for s in seen] == []


class Stopped(Exception):
    """What the test's signal handler raises (not KeyboardInterrupt: that is pytest's)."""


def test_a_signal_another_thread_took_still_ends_the_wait_for_workers() -> None:
    """The kernel may give the process's SIGTERM to a helper thread; the main thread,
    waiting for its workers, must still raise it (it once waited forever)."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise Stopped

    previous = signal.signal(signal.SIGUSR1, stop)
    pool = LocalPool(2)
    try:
        handle = pool.submit(Call(time.sleep, (8,)))
        helper = threading.Thread(target=time.sleep, args=(3,), daemon=True)
        helper.start()

        def signal_the_helper() -> None:
            time.sleep(1.0)
            assert helper.ident is not None
            signal.pthread_kill(helper.ident, signal.SIGUSR1)

        threading.Thread(target=signal_the_helper, daemon=True).start()
        started = time.monotonic()
        with pytest.raises(Stopped):
            pool.wait_first([handle])
        assert time.monotonic() - started < 4
    finally:
        pool.close(now=True)
        signal.signal(signal.SIGUSR1, previous)
