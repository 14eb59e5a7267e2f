"""The one seam through which contractctl runs external programs.

Every call has a timeout, logs its argv at debug level, keeps stderr for the error
message, and can check that the file it was meant to write exists and is not empty
(soffice exits 0 and writes nothing when it cannot open a document). Tools are looked
up only by the commands that need them, so `search` works on a machine without
Tesseract, and a missing tool is reported with the Debian package that provides it.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from contractctl.errors import ToolFailed, ToolMissing

log = logging.getLogger(__name__)

#: Which Debian package provides each external program we use.
PACKAGES: dict[str, str] = {
    "soffice": "libreoffice-writer-nogui",
    "tesseract": "tesseract-ocr",
    "pdftoppm": "poppler-utils",
    "pdftocairo": "poppler-utils",
    "pdfinfo": "poppler-utils",
    "pdfimages": "poppler-utils",
    "pdftotext": "poppler-utils",
    "pdffonts": "poppler-utils",
    "pdfsig": "poppler-utils",
    "qpdf": "qpdf",
    "fc-list": "fontconfig",
}


def install_hint(program: str) -> str:
    """The command a user runs to get ``program`` (``apt-get install ...``)."""
    package = PACKAGES.get(program, program)
    return f"install it with: sudo apt-get install {package}"


def find(program: str) -> str:
    """Absolute path of ``program`` on PATH, or ToolMissing naming its package."""
    path = shutil.which(program)
    if path is None:
        raise ToolMissing(f"{program} is not installed", hint=install_hint(program))
    return path


@dataclass(frozen=True)
class Result:
    """What a finished program left: its exit code and decoded output."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def run(
    argv: Sequence[str | os.PathLike[str]],
    *,
    timeout: float,
    expect_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    check: bool = True,
) -> Result:
    """Run a program to completion and return its output.

    ``timeout`` is required: an external tool that hangs must never hang contractctl.
    With ``check`` a non-zero exit raises ToolFailed with the tail of stderr.
    With ``expect_file`` the file must exist and be non-empty after the run, even
    when the exit code was 0.
    """
    args = [os.fspath(a) for a in argv]
    program = Path(args[0]).name
    args[0] = find(args[0]) if os.sep not in args[0] else args[0]
    full_env = None
    if env is not None:
        full_env = {**os.environ, **env}
    log.debug("run: %s", " ".join(args))
    try:
        # A session of its own, so a timeout or Ctrl-C can end the whole process group:
        # soffice's launcher (oosplash) would otherwise leave soffice.bin running.
        proc = subprocess.Popen(
            [*parent_death_prefix(), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=full_env,
            cwd=cwd,
            start_new_session=True,
        )
    except FileNotFoundError as exc:
        raise ToolMissing(f"{program} is not installed", hint=install_hint(program)) from exc
    _RUNNING.add(proc.pid)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        _kill_group(proc)
        raise ToolFailed(f"{program} did not finish within {timeout:g} s") from exc
    except BaseException:
        _kill_group(proc)
        raise
    finally:
        _RUNNING.discard(proc.pid)
    result = Result(
        argv=tuple(args),
        returncode=proc.returncode,
        stdout=stdout.decode("utf-8", "replace"),
        stderr=stderr.decode("utf-8", "replace"),
    )
    if check and proc.returncode != 0:
        raise ToolFailed(f"{program} failed (exit {proc.returncode}): {_tail(result.stderr)}")
    if expect_file is not None and (not expect_file.exists() or expect_file.stat().st_size == 0):
        raise ToolFailed(
            f"{program} exited {proc.returncode} but wrote no {expect_file.name}: "
            f"{_tail(result.stderr or result.stdout)}"
        )
    return result


#: Process groups of the programs this process is running now (their session leaders).
_RUNNING: set[int] = set()
PR_SET_PDEATHSIG = 1


@functools.cache
def parent_death_prefix() -> tuple[str, ...]:
    """``setpriv --pdeathsig TERM --`` on Linux: the program gets SIGTERM if the thread
    that started it dies, even by SIGKILL, so no tool outlives contractctl."""
    if not sys.platform.startswith("linux"):
        return ()
    setpriv = shutil.which("setpriv")
    return (setpriv, "--pdeathsig", "TERM", "--") if setpriv else ()


def kill_running() -> None:
    """Kill the process group of every program this process is running (on SIGTERM)."""
    for pid in list(_RUNNING):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)


@contextlib.contextmanager
def spawning() -> Iterator[None]:
    """Start worker processes inside this block: SIGINT and SIGTERM are blocked meanwhile
    (delivered after it, never lost), so a child inherits them blocked and a Ctrl-C
    during its start-up cannot kill it with a traceback; :func:`die_with_parent`
    unblocks them once its handlers are in place."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def deliver_pending_signals() -> None:
    """Run now the handler of a SIGINT or SIGTERM that another thread took.

    The kernel may hand a process's signal to any thread that does not block it (a
    pool's helper thread, while the main thread is in :func:`spawning`). CPython 3.11
    then marks the signal tripped but does not wake the main thread's evaluation loop,
    so a main thread blocked on a lock never runs the handler: `import` once waited
    for its files forever after SIGTERM (the soak saw it). A wait that calls this
    between short timeouts sees the signal within one timeout. Changing no signal
    mask, ``pthread_sigmask`` runs pending handlers in the main thread.
    """
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, ())


def die_with_parent(parent: int) -> None:
    """Initialise a worker process so that it never outlives ``parent``.

    Linux sends it SIGTERM when the parent dies, however it dies (prctl
    PR_SET_PDEATHSIG); on SIGTERM it kills the programs it runs, with their process
    groups, and exits. Ctrl-C is the parent's to handle: the worker ignores SIGINT
    (the terminal sends it to the whole foreground group), so the parent decides
    what is finished and what is rolled back.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_terminated)
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the prctl took effect
        os._exit(143)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


def _worker_terminated(signum: int, frame: object) -> None:
    kill_running()
    os._exit(128 + signum)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """End a program and every process it started, then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.communicate()


def _tail(text: str, limit: int = 300) -> str:
    """The last meaningful line(s) of a tool's output, short enough for one line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return "no message"
    tail = " | ".join(lines[-3:])
    return tail if len(tail) <= limit else "..." + tail[-limit:]
