"""Running a template's code in a child process with hard CPU and memory limits.

Jinja's sandbox keeps a template away from Python's internals, but not from work: one
filter call (``x|center(10**9)``, ``'%*d'|format(10**9, 1)``) allocates gigabytes in a
single C call that no check between chunks of output can interrupt. So a render runs in
a forked child whose address space and CPU time are capped with ``resource.setrlimit``:
the allocation fails at once (MemoryError) and an endless loop is stopped by SIGXCPU,
while the parent, which holds the store, waits with a wall-clock timeout of its own.
Forking keeps the parent's imports (docxtpl, lxml), so a render costs a few
milliseconds more, not a new interpreter.

:func:`run_limited` runs a function that way and hands back its JSON-able result; a
:class:`~contractctl.errors.ContractctlError` raised in the child is raised again in the
parent as the same class with the same message; a limit reached is
:class:`LimitReached`, naming the limit. Where ``os.fork`` does not exist the function
runs in-process.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import time
from collections.abc import Callable
from typing import Any

from contractctl import errors
from contractctl.errors import InvalidInput
from contractctl.store.signals import held

#: Memory a render may add to what the process already maps.
MAX_MEMORY_BYTES = 384 * 2**20
#: CPU seconds a render may use.
MAX_CPU_SECONDS = 20


class LimitReached(InvalidInput):
    """The template's code reached a hard limit (memory or CPU time) and was stopped."""

    kind = "render_limit"


def run_limited(
    work: Callable[[], Any],
    *,
    memory: int = MAX_MEMORY_BYTES,
    cpu_seconds: int = MAX_CPU_SECONDS,
    what: str = "the template",
    error: type[InvalidInput] = LimitReached,
    known: tuple[type[errors.ContractctlError], ...] = (),
) -> Any:
    """``work()`` in a forked child under ``memory`` bytes more and ``cpu_seconds`` of CPU.

    Returns what ``work`` returned (it must be JSON-able). Raises ``error`` naming the
    limit when one is reached, and re-raises a ContractctlError from ``work`` as the same
    class if it is one of ``known`` or of :mod:`contractctl.errors` (else its nearest base
    there).
    """
    if not hasattr(os, "fork"):
        return work()
    limit_message = {
        "memory": f"{what} needed more than {memory // 2**20} MB of memory; stopped",
        "cpu": f"{what} ran longer than {cpu_seconds} s of CPU time; stopped",
    }
    read_end, write_end = os.pipe()
    pid = 0
    try:
        # Ctrl-C or SIGTERM held across the fork: one arriving while Python runs its
        # after-fork hooks would be swallowed there, and the batch would not stop. The
        # held signal is delivered as the block ends, so that is inside this try too:
        # an interrupt at any moment after the fork takes the child with it.
        with held():
            pid = os.fork()
            if pid == 0:  # the child: never returns
                os.close(read_end)
                _child(work, write_end, memory, cpu_seconds, known)
        os.close(write_end)
        write_end = -1
        data, status = _collect(pid, read_end, wall_seconds=cpu_seconds * 2 + 10)
    except BaseException:  # interrupted: the child goes too
        if pid > 0:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        raise
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig in (signal.SIGXCPU, signal.SIGKILL):
            raise error(limit_message["cpu"])
        raise error(f"{what} stopped the render process (signal {sig})")
    try:
        payload = json.loads(data.decode("utf-8")) if data else {}
    except ValueError:
        payload = {}
    if "ok" in payload:
        return payload["ok"]
    if "limit" in payload:
        raise error(limit_message[payload["limit"]])
    if "error" in payload:
        classes = {c.__name__: c for c in known}
        cls = classes.get(payload["error"]) or getattr(errors, payload["error"], None)
        if not (isinstance(cls, type) and issubclass(cls, errors.ContractctlError)):
            cls = InvalidInput
        raise cls(payload["message"], hint=payload.get("hint"))
    raise error(f"{what} failed in the render process: {payload.get('crash', 'no answer')}")


def _child(
    work: Callable[[], Any],
    out: int,
    memory: int,
    cpu_seconds: int,
    known: tuple[type[errors.ContractctlError], ...],
) -> None:
    """Set the limits, run ``work``, write the answer as JSON and exit at once."""
    import resource

    code = 0
    try:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
        # The data limit (heap and private anonymous mappings) is what a runaway render
        # grows; it starts from what the process really holds. The address-space limit
        # is a backstop only: a process's virtual size counts reserved, never-touched
        # areas (libraries, thread stacks), so ``mapped + memory`` let a render's
        # resident memory reach ~790 MB in a big parent.
        data_limit = _data_bytes() + memory
        resource.setrlimit(resource.RLIMIT_DATA, (data_limit, data_limit))
        ceiling = _mapped_bytes() + 2 * memory
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
        try:
            payload: dict[str, Any] = {"ok": work()}
        except MemoryError:
            payload = {"limit": "memory"}
        except errors.ContractctlError as exc:
            name = type(exc).__name__ if type(exc) in known else _error_name(exc)
            payload = {"error": name, "message": exc.message, "hint": exc.hint}
        except RecursionError:
            payload = {"limit": "memory"}
        except BaseException as exc:  # reported to the parent, which raises it as input
            payload = {"crash": f"{type(exc).__name__}: {exc}"[:500]}
        data = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
        view = memoryview(data)
        while view:
            written = os.write(out, view)
            view = view[written:]
    except BaseException:  # nothing may escape the child into the parent's code
        code = 70
    finally:
        os._exit(code)


def _error_name(exc: errors.ContractctlError) -> str:
    """The class of ``exc`` if contractctl.errors defines it, else its nearest base there."""
    for cls in type(exc).__mro__:
        if getattr(errors, cls.__name__, None) is cls:
            return str(cls.__name__)
    return "InvalidInput"


def _data_bytes() -> int:
    """The process's data size: heap, stack and private anonymous mappings (what
    RLIMIT_DATA counts), from /proc/self/statm."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[5])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 2**30


def _mapped_bytes() -> int:
    """The process's current virtual size (what RLIMIT_AS counts)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 2**30


def _collect(pid: int, fd: int, *, wall_seconds: float) -> tuple[bytes, int]:
    """Read the child's answer and reap it, killing it after ``wall_seconds``."""
    deadline = time.monotonic() + wall_seconds
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            break
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    return b"".join(chunks), status
