"""The cluster executor: calls sent to a Dask distributed scheduler.

Only ``contractctl worker`` processes take these calls: each of their slots
advertises the resource ``cpu`` (and ``office`` when it keeps a warm LibreOffice), and
every call asks for one, so a slot runs one call at a time and a plain ``dask worker``
that could not run them gets none.

What the engine does, and this module relies on: a worker that dies has the calls it
held run again on another worker; a call whose workers died more often than the
scheduler's ``distributed.scheduler.allowed-failures`` (3 by default) comes back as
KilledWorker, reported here as :class:`~contractctl.cluster.executor.TaskLost`, like a
local worker that died. Each call's future resolves once, and only the command stores
what came back, so a call run twice is still stored once.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Collection
from typing import Any

from contractctl.cluster.executor import Call, Outcome, TaskLost
from contractctl.errors import EnvironmentProblem, InvalidInput

#: Seconds to reach the scheduler before giving up (exit 4); CONTRACTCTL_CLUSTER_TIMEOUT
#: sets another.
CONNECT_TIMEOUT = 10.0
TIMEOUT_ENV = "CONTRACTCTL_CLUSTER_TIMEOUT"
#: Seconds to wait for a first contractctl worker to join.
WORKER_TIMEOUT = 30.0
#: The resource every slot of ``contractctl worker`` advertises, one per slot.
SLOT = "cpu"
#: The resource of a slot that keeps a warm LibreOffice.
OFFICE = "office"

_ADDRESS = re.compile(r"^(tcp|tls)://[^\s/:]+:\d{1,5}$")


def dask_distributed() -> Any:
    """The ``distributed`` package, imported when a cluster is used (it takes ~1 s), and
    typed loosely: its own functions carry no annotations."""
    import distributed
    import distributed.comm  # (the worker's check that the scheduler answers)

    return distributed


def check_address(address: str) -> str:
    """``tcp://HOST:PORT`` (``HOST:PORT`` is taken as tcp); InvalidInput otherwise."""
    given = address.strip()
    if "://" not in given:
        given = f"tcp://{given}"
    if not _ADDRESS.match(given):
        raise InvalidInput(
            f"--cluster: {address!r} is not a scheduler address",
            hint="give it as tcp://HOST:8786",
        )
    return given


class DaskExecutor:
    """A connected Dask client; see the module docstring."""

    remote = True

    def __init__(self, client: Any, address: str, capacity: dict[str, int], workers: int) -> None:
        as_completed = dask_distributed().as_completed
        self.client = client
        self.where = address
        #: Slots of each resource (cpu, office) over the workers when the command started.
        self.capacity = capacity
        self.slots = capacity.get(SLOT, 0)
        self._workers = workers
        #: Every future submitted, handed back as it finishes (Dask's own as_completed,
        #: on this client's loop: no default client is set, the command owns this one).
        self._finished = as_completed(loop=client.loop)

    def submit(self, call: Call) -> Any:
        """Send the call (its arguments travel inside the task, so a rerun elsewhere
        has them) asking for one slot."""
        future = self.client.submit(
            call.fn, *call.args, pure=False, resources={call.needs: 1}, retries=0
        )
        self._finished.add(future)
        return future

    def wait_first(self, handles: Collection[Any]) -> set[Any]:
        """The finished futures, once there is one (all are in ``handles``: the command
        waits for every call it submitted)."""
        first = next(self._finished)
        return {first, *self._finished.next_batch(block=False)}

    def outcome(self, handle: Any) -> Outcome:
        """Its value or exception; a call lost with its workers is TaskLost; losing the
        scheduler stops the command (exit 4), nothing of the item stored."""
        from distributed import KilledWorker

        try:
            return Outcome(handle.result())
        except KilledWorker as exc:
            return Outcome(error=TaskLost(f"on every worker it was tried on ({exc})"))
        except Exception as exc:
            if handle.status == "cancelled" or self.client.status != "running":
                raise EnvironmentProblem(
                    f"lost the Dask scheduler at {self.where}",
                    hint="start it again, then run the same command again to continue",
                ) from exc
            return Outcome(error=exc)

    def cancel(self, handles: Collection[Any]) -> None:
        """Cancel the futures on the cluster (queued ones never start)."""
        if handles and self.client.status == "running":
            try:
                self.client.cancel(list(handles), force=True)
            except Exception:  # the scheduler is gone: nothing left to cancel
                logging.getLogger(__name__).debug("cancel failed", exc_info=True)

    def workers(self) -> int:
        """Workers connected when the command started."""
        return self._workers

    def close(self, *, now: bool = False) -> None:
        """Disconnect (the workers stay up for the next command)."""
        try:
            self.client.close(timeout=2 if now else 10)
        except Exception:  # already disconnected
            logging.getLogger(__name__).debug("close failed", exc_info=True)


def connect(address: str, *, timeout: float | None = None) -> DaskExecutor:
    """A client of the scheduler at ``address`` with at least one contractctl worker.

    Raises EnvironmentProblem (exit 4) with one line when the scheduler cannot be
    reached or no worker joins, before the command has stored anything.
    """
    address = check_address(address)
    timeout = timeout or _timeout()
    Client = dask_distributed().Client

    _quiet()
    warnings.filterwarnings("ignore", message=".*[Ll]arge graph.*")
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise EnvironmentProblem(
            f"cannot reach the Dask scheduler at {address} within {timeout:g} s",
            hint="start it (dask scheduler), or check --cluster / CONTRACTCTL_CLUSTER",
        ) from exc
    try:
        capacity, workers = _capacity(client)
    except BaseException:
        client.close()
        raise
    return DaskExecutor(client, address, capacity, workers)


def _quiet() -> None:
    """The command reports a lost scheduler in one line of its own: Dask's logs of its
    reconnection attempts (tracebacks at ERROR) are not for the user."""
    names = ["distributed", "tornado", "asyncio"]
    names += [n for n in logging.root.manager.loggerDict if n.startswith("distributed.")]
    for name in names:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def _timeout() -> float:
    import os

    given = os.environ.get(TIMEOUT_ENV, "").strip()
    try:
        seconds = float(given) if given else CONNECT_TIMEOUT
    except ValueError:
        raise InvalidInput(f"{TIMEOUT_ENV}: {given!r} is not a number of seconds") from None
    if not 0 < seconds <= 3600:
        raise InvalidInput(f"{TIMEOUT_ENV}: {given!r} is not between 0 and 3600 seconds")
    return seconds


def _capacity(client: Any, wait: float = WORKER_TIMEOUT) -> tuple[dict[str, int], int]:
    """(slots of each resource, workers) of the contractctl workers on the scheduler,
    waiting up to ``wait`` seconds for the first one to join."""
    import time

    deadline = time.monotonic() + wait
    while True:
        info = client.scheduler_info(n_workers=-1)
        ours = [w for w in info.get("workers", {}).values() if SLOT in (w.get("resources") or {})]
        if ours:
            capacity = {
                name: int(sum((w.get("resources") or {}).get(name, 0) for w in ours))
                for name in (SLOT, OFFICE)
            }
            return capacity, len(ours)
        if time.monotonic() > deadline:
            others = len(info.get("workers", {}))
            raise EnvironmentProblem(
                f"no contractctl worker joined the scheduler at {client.scheduler.address} "
                f"within {wait:g} s ({others} other worker(s) there)",
                hint="start one on each machine: contractctl worker --scheduler "
                f"{client.scheduler.address}",
            )
        time.sleep(0.5)
