"""One warm LibreOffice worker as the pool sees it: a process, a pipe and a protocol.

Each worker of :class:`~contractctl.drafting.converter_pool.ConverterPool` is
``uno_worker.py`` run by Debian's system Python, with its soffice in the same new
process group. ``Worker`` starts it, hands it one job at a time as a JSON line, reads
its JSON answers, moves each finished PDF into place and, when the worker dies or
hangs, kills the whole process group. This is separate from the pool because it is
the other end of ``uno_worker.py``'s pipe, one process at a time; the pool decides
which worker gets which document, when to restart one and when to give up.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contractctl import tools
from contractctl.drafting.convert import LOAD_FAILED, place, seed_profile, unlink

log = logging.getLogger(__name__)

#: The worker script, run by the system Python (it imports nothing from contractctl).
WORKER_SCRIPT = Path(__file__).with_name("uno_worker.py")


@dataclass(eq=False)
class Job:
    """One document to convert and how often a worker was lost on it."""

    id: int
    given: Path  # the src as the caller named it: the key of the results
    src: Path
    dst: Path
    losses: int = 0


@dataclass(frozen=True)
class Finished:
    """A worker's answer to its job: None when the PDF is in place, else the error."""

    job: Job
    error: str | None


@dataclass(frozen=True)
class Failure:
    """The worker is lost (soffice did not start, or died): why."""

    reason: str


#: What ``Worker.handle`` returns when the worker says its soffice is up.
READY = object()


class Worker:
    """One uno_worker.py process and, in the same new process group, its soffice.

    The process group lets ``kill`` take soffice down with the worker even when the
    worker itself has already died (soffice.bin is a grandchild through oosplash).
    """

    def __init__(self, python: str, soffice: str, base: Path, startup_timeout: float) -> None:
        self.base = base
        base.mkdir(parents=True)
        self.log_path = base / "worker.log"
        # LibreOffice writes its temporary and lock files next to the file it stores:
        # the worker writes into our folder, never into the user's (see place).
        self.outdir = base / "out"
        self.outdir.mkdir()
        seed_profile(base / "profile")
        argv = [
            *tools.parent_death_prefix(),  # SIGTERM (it stops its soffice) if we die
            python,
            "-I",  # no PYTHONPATH or user site: only the system's uno
            str(WORKER_SCRIPT),
            "--soffice",
            soffice,
            "--profile",
            str(base / "profile"),
            "--startup-timeout",
            str(startup_timeout),
        ]
        log.debug("start: %s", " ".join(argv))
        with open(self.log_path, "wb") as log_file:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log_file,
                start_new_session=True,
            )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin = self.proc.stdin
        self.stdout = self.proc.stdout
        self.deadline = time.monotonic() + startup_timeout
        self.ready = False
        self.job: Job | None = None
        self.part: Path | None = None
        self._buffer = b""

    def send(self, job: Job, timeout: float) -> None:
        """Hand ``job`` to the worker; its PDF goes to the worker's folder first."""
        self.job = job
        self.part = self.outdir / f"{job.id}.pdf"
        line = {"id": job.id, "src": str(job.src), "dst": str(self.part)}
        self.deadline = time.monotonic() + timeout
        self.stdin.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")
        self.stdin.flush()

    def read(self) -> list[dict[str, Any]] | None:
        """The complete JSON lines available now, or None at EOF (the worker is gone)."""
        chunk = os.read(self.stdout.fileno(), 65536)
        if not chunk:
            return None
        self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        messages = []
        for line in lines:
            if not line.strip():
                continue
            try:
                messages.append(json.loads(line))
            except ValueError:
                log.warning("conversion worker wrote %r", line[:200])
        return messages

    def handle(self, message: dict[str, Any]) -> object:
        """Apply one message; return READY, a Finished, a Failure, or None."""
        if "ready" in message:
            if not message["ready"]:
                return Failure(str(message.get("error", "soffice did not start")))
            self.ready = True
            self.deadline = math.inf
            return READY
        job = self.job
        if job is None or message.get("id") != job.id:
            log.warning("conversion worker: unexpected message %r", message)
            return None
        if message.get("fatal"):
            return Failure(str(message.get("error", "soffice died")))
        self.job, part, self.part = None, self.part, None
        self.deadline = math.inf
        assert part is not None
        if not message.get("ok"):
            unlink(part)
            error = str(message.get("error") or "conversion failed")
            if "could not load" in error:
                error = LOAD_FAILED
            return Finished(job, error)
        try:
            place(part, job.dst)
        except OSError as exc:
            unlink(part)
            return Finished(job, f"could not write {job.dst}: {exc.strerror or exc}")
        return Finished(job, None)

    def exit_note(self) -> str:
        """`` (exit code N)`` once the process has ended, else empty."""
        code = self.proc.poll()
        if code is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = self.proc.wait(timeout=1)
        return f" (exit code {code})" if code is not None else ""

    def log_tail(self) -> str:
        """The last lines of the worker's and soffice's stderr, for error messages."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "no log"
        lines = [ln.strip() for ln in text.splitlines() if ln.strip() and "javaldx" not in ln]
        return " | ".join(lines[-3:]) or "no log"

    def ask_to_stop(self) -> None:
        """Close stdin: the worker terminates its soffice and exits."""
        with contextlib.suppress(OSError):
            self.stdin.close()

    def wait_until(self, deadline: float) -> None:
        """Wait for the worker to exit, at most until ``deadline``."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=max(0.0, deadline - time.monotonic()))

    def kill(self) -> None:
        """Kill the worker's whole process group (worker, oosplash, soffice.bin)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        for stream in (self.stdin, self.stdout):
            with contextlib.suppress(OSError):
                stream.close()
        unlink(self.part)
        shutil.rmtree(self.base, ignore_errors=True)
