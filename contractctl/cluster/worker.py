"""What ``contractctl worker`` runs: one Dask worker process per slot (core), each
with what the calls need already warm.

A slot is a Dask worker of one thread under its own nanny (which restarts it if it
dies): OCR and LibreOffice each use one core, and one process per core keeps Python's
GIL out of the way. Each slot advertises the resource ``cpu`` (and ``office`` when it
keeps a warm LibreOffice), so the scheduler gives it one call at a time and a plain
``dask worker`` none. Tesseract runs with OMP_THREAD_LIMIT=1 (its own threads are 1.7x
slower on a busy machine: PERFORMANCE-NOTES).

Warm resources (a LibreOffice kept running for conversions) are worker plugins: made
when the slot starts, on a thread so that joining is not held up, closed when it
stops; a call finds its slot's with :func:`warm`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from contractctl.cluster.remote import OFFICE, SLOT, check_address, dask_distributed
from contractctl.errors import EnvironmentProblem

log = logging.getLogger(__name__)

#: How long a call waits for its slot's warm resource to start.
WARM_TIMEOUT = 120.0


@dataclass(frozen=True)
class WorkerOptions:
    """What ``contractctl worker`` was asked for."""

    scheduler: str
    slots: int
    name: str | None = None
    connect_timeout: float = 30.0


class WarmResource(WorkerPlugin):
    """One warm resource per slot: ``factory()`` gives a context manager, entered when
    the slot starts (on a thread) and left when it stops."""

    def __init__(self, name: str, factory: Callable[[], Any]) -> None:
        self.name = name
        self.factory = factory
        self._ready: threading.Event | None = None
        self._value: Any = None
        self._stack: contextlib.ExitStack | None = None
        self._problem: BaseException | None = None

    def setup(self, worker: Any) -> None:
        """Start making the resource; calls that need it wait for it."""
        self._ready = threading.Event()
        self._stack = contextlib.ExitStack()
        threading.Thread(target=self._start, name=f"warm-{self.name}", daemon=True).start()

    def _start(self) -> None:
        assert self._ready is not None and self._stack is not None
        try:
            self._value = self._stack.enter_context(self.factory())
        except BaseException as exc:  # given to the calls that need it, with the reason
            self._problem = exc
            log.warning("%s could not be started: %s", self.name, exc)
        finally:
            self._ready.set()

    def get(self, timeout: float = WARM_TIMEOUT) -> Any:
        """The resource, once started; raises what stopped it from starting."""
        if self._ready is None or not self._ready.wait(timeout):
            raise EnvironmentProblem(f"the worker's {self.name} did not start in {timeout:g} s")
        if self._problem is not None:
            raise self._problem
        return self._value

    def teardown(self, worker: Any) -> None:
        """Stop the resource (a LibreOffice and its profile)."""
        if self._ready is not None:
            self._ready.wait(WARM_TIMEOUT)
        if self._stack is not None:
            self._stack.close()


def warm(name: str) -> Any:
    """In a call running on a ``contractctl worker`` slot: its warm resource ``name``."""
    from distributed import get_worker

    plugin = get_worker().plugins.get(name)
    if not isinstance(plugin, WarmResource):
        raise EnvironmentProblem(f"this worker keeps no {name} (contractctl worker --no-{name}?)")
    return plugin.get()


def serve(options: WorkerOptions, warm_resources: dict[str, Callable[[], Any]]) -> int:
    """Join the scheduler with ``options.slots`` slots and serve until SIGTERM or Ctrl-C
    (each slot's calls in hand then run again elsewhere); returns the exit status.

    Raises EnvironmentProblem (exit 4) when the scheduler cannot be reached.
    """
    address = check_address(options.scheduler)
    os.environ["OMP_THREAD_LIMIT"] = "1"  # inherited by every slot and its Tesseracts
    logging.getLogger("distributed").setLevel(logging.WARNING)
    return asyncio.run(_serve(address, options, warm_resources))


async def _serve(
    address: str, options: WorkerOptions, warm_resources: dict[str, Callable[[], Any]]
) -> int:
    Nanny = dask_distributed().Nanny
    connect = dask_distributed().comm.connect
    try:
        comm = await connect(address, timeout=options.connect_timeout)
        await comm.close()
    except (OSError, TimeoutError) as exc:
        raise EnvironmentProblem(
            f"cannot reach the Dask scheduler at {address} within {options.connect_timeout:g} s",
            hint="start it first: dask scheduler --port 8786",
        ) from exc
    resources = {SLOT: 1, **({OFFICE: 1} if OFFICE in warm_resources else {})}
    base = options.name or f"{socket.gethostname()}-{os.getpid()}"
    plugins = tuple(WarmResource(name, factory) for name, factory in warm_resources.items())
    nannies = [
        Nanny(
            address,
            nthreads=1,
            resources=resources,
            name=f"{base}-{slot}",
            death_timeout=options.connect_timeout,
            plugins=plugins,
        )
        for slot in range(1, options.slots + 1)
    ]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    received: list[int] = []

    def on_signal(signum: int) -> None:
        received.append(signum)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig)
    try:
        await asyncio.gather(*(nanny.start() for nanny in nannies))
        waits = [asyncio.ensure_future(stop.wait())]
        waits += [asyncio.ensure_future(nanny.finished()) for nanny in nannies]
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for pending in waits:
            pending.cancel()
    finally:
        await asyncio.gather(
            *(nanny.close(timeout=20) for nanny in nannies), return_exceptions=True
        )
    if received:
        return 128 + received[0]
    return 0
