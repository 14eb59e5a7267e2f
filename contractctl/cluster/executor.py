"""The seam between a batch command and where its heavy steps run.

A batch command (import, ocr-check, draft-batch) turns each item into a call of a pure
function (read a file, OCR a page, convert a document) and hands the calls to an
:class:`Executor`: the local one runs them in this process or in a process pool, the
cluster one on a Dask scheduler's workers. :func:`ordered` keeps a bounded number of
calls in flight and gives the outcomes back in the order the items came, so the
command stores them itself, one at a time, in the same order wherever they ran: the
store ends the same, and the single writer stays in the command's process.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

K = TypeVar("K")


class TaskLost(Exception):
    """A call whose worker died (on every worker it was tried, on a cluster): its item
    is reported like any local failure, and the batch goes on."""


@dataclass(frozen=True)
class Call:
    """One heavy step: ``fn(*args)``, ``fn`` importable by name on every worker."""

    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    #: What the call holds of a worker slot (Dask resources): "cpu", or "office" for a
    #: conversion that needs the slot's warm LibreOffice.
    needs: str = "cpu"


@dataclass(eq=False)  # a handle of the in-process executor: hashed by identity
class Outcome:
    """What came back for one item: its value, or the exception its call raised (a
    :class:`TaskLost` when its worker died); both None for an item without a call."""

    value: Any = None
    error: BaseException | None = None


class Executor(Protocol):
    """Where calls run. ``slots`` is how many run at once; a handle is whatever
    ``submit`` returns, only given back to the same executor."""

    where: str
    slots: int
    #: True when calls run on other machines: their inputs must travel as bytes.
    remote: bool

    def submit(self, call: Call) -> Any:
        """Start ``call``; returns its handle."""

    def wait_first(self, handles: Collection[Any]) -> set[Any]:
        """Block until at least one of ``handles`` is finished; return the finished."""

    def outcome(self, handle: Any) -> Outcome:
        """The finished call's value or exception."""

    def cancel(self, handles: Collection[Any]) -> None:
        """Drop calls not wanted any more (Ctrl-C, an error): not started, they never
        will; running locally, their processes are stopped."""

    def workers(self) -> int:
        """How many workers are there now (for the progress line)."""

    def close(self, *, now: bool = False) -> None:
        """Release the workers (``now``: without waiting for calls in hand)."""


class InProcess:
    """Runs each call in this process when it is submitted (``--workers 1``)."""

    where = "this process"
    slots = 1
    remote = False

    def submit(self, call: Call) -> Outcome:
        """Run it now."""
        try:
            return Outcome(call.fn(*call.args))
        except Exception as exc:
            return Outcome(error=exc)

    def wait_first(self, handles: Collection[Any]) -> set[Any]:
        """Every call is finished when submitted."""
        return set(handles)

    def outcome(self, handle: Any) -> Outcome:
        """The handle is the outcome."""
        return handle  # type: ignore[no-any-return]

    def cancel(self, handles: Collection[Any]) -> None:
        """Nothing runs in the background."""

    def workers(self) -> int:
        """One: this process."""
        return 1

    def close(self, *, now: bool = False) -> None:
        """Nothing to release."""


@dataclass(eq=False)
class _Entry(Generic[K]):
    key: K
    outcome: Outcome | None = None
    handle: Any = field(default=None)


def ordered(
    executor: Executor,
    items: Iterable[tuple[K, Call | None]],
    *,
    window: int | None = None,
) -> Iterator[tuple[K, Outcome]]:
    """Run each item's call on ``executor`` and yield ``(key, outcome)`` in the items'
    order; an item without a call comes through with an empty outcome, in its place.

    At most ``window`` calls (default: two per slot, so a slot never waits for the
    next input) are in flight, and at most four windows of items are held waiting
    for one slow item ahead of them. Items are pulled from ``items`` lazily: a
    command can settle an item (a duplicate, a refusal) in its turn. When the caller
    stops early (Ctrl-C, an error, ``close()``), the calls in flight are cancelled.
    """
    window = window or max(1, executor.slots * 2)
    held: deque[_Entry[K]] = deque()
    flying: dict[Any, _Entry[K]] = {}
    source = iter(items)
    exhausted = False
    finished = False
    try:
        while True:
            while not exhausted and len(flying) < window and len(held) < window * 4:
                try:
                    key, call = next(source)
                except StopIteration:
                    exhausted = True
                    break
                entry: _Entry[K] = _Entry(key)
                if call is None:
                    entry.outcome = Outcome()
                else:
                    entry.handle = executor.submit(call)
                    flying[_identity(entry.handle)] = entry
                held.append(entry)
                if len(flying) == 0:
                    break  # nothing to wait for: hand settled items over at once
            while held and held[0].outcome is not None:
                ready = held.popleft()
                assert ready.outcome is not None
                yield ready.key, ready.outcome
            if exhausted and not held:
                finished = True
                return
            if not flying:
                continue
            handles = [entry.handle for entry in flying.values()]
            for handle in executor.wait_first(handles):
                done = flying.pop(_identity(handle))
                done.outcome = executor.outcome(handle)
    finally:
        if not finished and flying:
            executor.cancel([entry.handle for entry in flying.values()])


def _identity(handle: Any) -> int:
    """A key for a handle: the handle object itself (a Dask future, a pool's future, an
    in-process outcome), whatever its own notion of equality."""
    return id(handle)
