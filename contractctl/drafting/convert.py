"""DOCX→PDF through LibreOffice: one document cheaply, many documents fast.

Starting LibreOffice costs ~1.2 s per process, while a warm instance converts a
contract in ~0.2 s (PERFORMANCE-NOTES.md), so there are two paths:

- ``convert_one`` runs ``soffice --headless --convert-to pdf`` once, with a throw-away
  profile so it never collides with the user's own LibreOffice or with a concurrent
  contractctl. It is the cheapest way to a single draft's PDF.
- ``ConverterPool`` keeps one warm soffice per worker for a batch. Each worker is
  ``uno_worker.py`` run by Debian's system Python (the only interpreter with
  LibreOffice's ``uno`` module, package python3-uno), fed jobs as JSON lines. LibreOffice
  is effectively single-threaded, so the workers run in parallel, one per core. A
  document that fails is reported, not raised; a worker that dies or hangs is killed
  with its soffice and restarted, and its document retried once.

  Without python3-uno (or with ``uno=False`` / ``CONTRACTCTL_CONVERT_NO_UNO=1``) the pool
  falls back to one ``soffice --convert-to`` call per chunk of documents: still one
  LibreOffice start for many documents, per-file results read from which PDFs exist.

LibreOffice writes every PDF into a private temporary folder, from which it is moved
into place (renamed, or copied then renamed across file systems): an interrupted
conversion never leaves a truncated PDF under the final name, nor LibreOffice's
temporary and lock files beside it. Every soffice gets a fresh private profile
(copying a ready-made one saves nothing: LibreOffice re-initialises a moved profile).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import math
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from contractctl import tools
from contractctl.errors import ContractctlError, InvalidInput, NotFound, ToolFailed, ToolMissing

log = logging.getLogger(__name__)

#: Set to 1 to force the chunked ``soffice --convert-to`` fallback (no UNO workers).
ENV_NO_UNO = "CONTRACTCTL_CONVERT_NO_UNO"

#: Interpreters tried, in order, before ``python3`` on PATH, for ``import uno``.
SYSTEM_PYTHONS: tuple[str, ...] = ("/usr/bin/python3",)

UNO_HINT = "install it with: sudo apt-get install python3-uno"

#: The worker script, run by the system Python (it imports nothing from contractctl).
WORKER_SCRIPT = Path(__file__).with_name("uno_worker.py")

#: Documents per ``soffice --convert-to`` call in the fallback: enough to amortise the
#: ~1.2 s start, few enough that a crash or hang costs little.
CHUNK_SIZE = 25

#: How long a new worker may take to start soffice and connect to it.
STARTUP_TIMEOUT = 60.0

#: How long workers get to stop their soffice politely before being killed.
STOP_GRACE = 10.0

_LOAD_FAILED = "LibreOffice could not load the document (damaged, or not a document it reads)"

OnDone = Callable[[Path, str | None], None]


def system_python_with_uno() -> str:
    """Path of a Python interpreter that can ``import uno`` (LibreOffice's bridge).

    The project's venv cannot have it: python3-uno installs into Debian's system Python.
    Tries /usr/bin/python3, then ``python3`` on PATH; ToolMissing naming python3-uno if
    neither works.
    """
    candidates = [*SYSTEM_PYTHONS]
    on_path = shutil.which("python3")
    if on_path:
        candidates.append(on_path)
    for candidate in dict.fromkeys(candidates):
        if os.access(candidate, os.X_OK) and _imports_uno(candidate):
            return candidate
    raise ToolMissing(
        "no Python interpreter with LibreOffice's uno module was found",
        hint=UNO_HINT,
    )


@functools.cache
def _imports_uno(python: str) -> bool:
    """Whether ``python -I -c 'import uno'`` succeeds (cached: ~30 ms per probe)."""
    try:
        result = tools.run([python, "-I", "-c", "import uno"], timeout=30, check=False)
    except ContractctlError:
        return False
    return result.returncode == 0


def convert_one(src: Path, dst: Path, *, timeout: float = 120) -> None:
    """Convert one DOCX to PDF with a one-shot ``soffice --convert-to pdf``.

    The cheapest path for a single draft: no worker to start, ~1.2 s in all. soffice
    gets its own temporary profile (``-env:UserInstallation``) so it neither attaches
    to a LibreOffice the user has open nor waits on a concurrent contractctl. Raises
    NotFound for a missing ``src``, InvalidInput when LibreOffice cannot read it,
    ToolMissing without soffice and ToolFailed when soffice fails or times out.
    """
    src, dst = Path(src).absolute(), Path(dst).absolute()
    problem = _source_problem(src)
    if problem is not None:
        cls = NotFound if not src.exists() else InvalidInput
        raise cls(f"{src}: {problem}")
    soffice = tools.find("soffice")
    dst.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="contractctl-soffice-") as tmp:
        profile = Path(tmp) / "profile"
        _seed_profile(profile)
        outdir = Path(tmp) / "out"
        produced = outdir / f"{src.stem}.pdf"
        try:
            tools.run(
                [*_convert_argv(soffice, profile, outdir), src],
                timeout=timeout,
                expect_file=produced,
            )
        except ToolFailed as exc:
            if "could not be loaded" in exc.message:
                raise InvalidInput(f"{src.name}: {_LOAD_FAILED}") from exc
            raise
        finally:
            # A timeout or Ctrl-C kills oosplash, not its child soffice.bin.
            _kill_stragglers(profile)
        _place(produced, dst)


class ConverterPool:
    """Warm LibreOffice workers converting many documents in parallel.

    Use as a context manager: entering starts every worker at once (so their start-up
    and first-document warm-up overlap), leaving stops them and their soffice and
    removes their temporary profiles, also on an exception or Ctrl-C.
    """

    def __init__(
        self,
        workers: int | None = None,
        *,
        timeout_per_doc: float = 120,
        uno: bool | None = None,
    ) -> None:
        """Configure (but do not start) the pool.

        ``workers`` defaults to ``min(2, os.cpu_count())``: one soffice per core, since
        LibreOffice converts on one thread. ``uno`` chooses the engine: None uses the UNO
        workers when python3-uno is installed and the chunked ``soffice --convert-to``
        fallback otherwise; False forces the fallback (as does the environment variable
        CONTRACTCTL_CONVERT_NO_UNO=1); True requires python3-uno.
        """
        if workers is not None and workers < 1:
            raise InvalidInput(f"workers must be at least 1, not {workers}")
        if timeout_per_doc <= 0:
            raise InvalidInput(f"timeout_per_doc must be positive, not {timeout_per_doc}")
        self.workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        self.timeout_per_doc = timeout_per_doc
        self._want_uno = uno
        self.uses_uno = False
        self._soffice = ""
        self._python = ""
        self._tmp: Path | None = None
        self._slots: list[_Worker | None] = []
        self._start_errors: list[str] = []
        self._spawned = 0
        self._fallback_profiles: list[Path] = []

    def __enter__(self) -> ConverterPool:
        """Find soffice (ToolMissing without it), choose the engine, start the workers."""
        self._soffice = tools.find("soffice")
        forced_off = os.environ.get(ENV_NO_UNO, "").strip() not in ("", "0")
        if self._want_uno is False or (self._want_uno is None and forced_off):
            self.uses_uno = False
        else:
            try:
                self._python = system_python_with_uno()
                self.uses_uno = True
            except ToolMissing:
                if self._want_uno:
                    raise
                log.info("python3-uno not found: converting with soffice --convert-to chunks")
                self.uses_uno = False
        self._tmp = Path(tempfile.mkdtemp(prefix="contractctl-convert-"))
        try:
            if self.uses_uno:
                self._slots = [self._spawn() for _ in range(self.workers)]
                self._start_errors = [""] * self.workers
        except BaseException:
            self.close(force=True)
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop every worker and soffice; remove the temporary profiles."""
        self.close(force=exc_type is not None and issubclass(exc_type, KeyboardInterrupt))

    def close(self, *, force: bool = False) -> None:
        """Stop the workers (politely unless ``force``) and remove temporary files."""
        slots, self._slots = self._slots, []
        live = [w for w in slots if w is not None]
        for worker in live:
            worker.ask_to_stop()
        if not force:
            deadline = time.monotonic() + STOP_GRACE
            for worker in live:
                worker.wait_until(deadline)
        for worker in live:
            worker.kill()
        for profile in self._fallback_profiles:
            _kill_stragglers(profile)
        self._fallback_profiles = []
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def convert(
        self,
        jobs: Sequence[tuple[Path, Path]],
        on_done: OnDone | None = None,
    ) -> dict[Path, str | None]:
        """Convert every (src, dst) pair; return src -> None on success or an error message.

        ``on_done(src, error_or_None)`` is called in the caller's thread as each document
        finishes (for a progress bar). A document that fails is reported, not raised, and
        the others carry on. Raises InvalidInput for a repeated src or dst, and ToolFailed
        only when LibreOffice cannot be started at all.
        """
        if self._tmp is None:
            raise RuntimeError(
                "use ConverterPool as a context manager: with ConverterPool() as pool"
            )
        all_jobs = _jobs(jobs)
        results: dict[Path, str | None] = {}

        def report(job: _Job, error: str | None) -> None:
            results[job.given] = error
            if error is not None:
                log.info("convert %s: %s", job.src, error)
            if on_done is not None:
                on_done(job.given, error)

        todo: list[_Job] = []
        for job in all_jobs:
            problem = _source_problem(job.src)
            if problem is None:
                try:
                    job.dst.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    problem = f"cannot create {job.dst.parent}: {exc.strerror or exc}"
            if problem is None:
                todo.append(job)
            else:
                report(job, problem)
        if todo and self.uses_uno:
            self._convert_uno(todo, report)
        elif todo:
            self._convert_chunks(todo, report)
        return {job.given: results[job.given] for job in all_jobs}

    # -- UNO workers ------------------------------------------------------------------

    def _spawn(self) -> _Worker:
        assert self._tmp is not None
        self._spawned += 1
        return _Worker(
            self._python, self._soffice, self._tmp / f"worker-{self._spawned}", STARTUP_TIMEOUT
        )

    def _convert_uno(self, todo: list[_Job], report: Callable[[_Job, str | None], None]) -> None:
        """Feed jobs to the workers one at a time each, from a single event loop.

        One job in flight per worker makes the per-document timeout exact and tells
        which document a dying worker was on.
        """
        pending = deque(todo)
        unfinished = len(todo)
        start_failures = [0] * len(self._slots)
        selector = selectors.DefaultSelector()

        def lose(index: int, reason: str) -> None:
            nonlocal unfinished
            worker = self._slots[index]
            assert worker is not None
            self._slots[index] = None
            with contextlib.suppress(KeyError, ValueError):
                selector.unregister(worker.stdout)
            worker.kill()
            job = worker.job
            if job is None:
                if not worker.ready:
                    start_failures[index] += 1
                    self._start_errors[index] = f"{reason} ({worker.log_tail()})"
                log.warning("conversion worker %d lost: %s", index, reason)
                return
            _unlink(worker.part)
            job.losses += 1
            log.warning("conversion worker %d lost on %s: %s", index, job.src, reason)
            if job.losses >= 2:
                unfinished -= 1
                report(job, f"LibreOffice failed twice on this document: {reason}")
            else:
                pending.appendleft(job)

        try:
            for index, worker in enumerate(self._slots):
                if worker is not None:
                    selector.register(worker.stdout, selectors.EVENT_READ, index)
            while unfinished:
                for index, worker in enumerate(self._slots):
                    if worker is None and start_failures[index] < 2 and pending:
                        worker = self._slots[index] = self._spawn()
                        selector.register(worker.stdout, selectors.EVENT_READ, index)
                    if worker is None or not worker.ready or worker.job is not None or not pending:
                        continue
                    job = pending.popleft()
                    try:
                        worker.send(job, self.timeout_per_doc)
                    except OSError as exc:
                        # The worker died while idle: not this document's fault.
                        worker.job = None
                        pending.appendleft(job)
                        lose(index, f"the worker had exited ({exc.strerror or exc})")
                if all(w is None for w in self._slots):
                    errors = "; ".join(e for e in self._start_errors if e)
                    raise ToolFailed(f"LibreOffice could not be started: {errors or 'unknown'}")
                wake = min(w.deadline for w in self._slots if w is not None)
                wait_for = None if wake == math.inf else max(0.0, wake - time.monotonic())
                for key, _ in selector.select(wait_for):
                    index = key.data
                    worker = self._slots[index]
                    if worker is None:
                        continue
                    messages = worker.read()
                    if messages is None:
                        lose(index, f"the worker exited{worker.exit_note()}")
                        continue
                    for message in messages:
                        outcome = worker.handle(message)
                        if outcome is _READY:
                            start_failures[index] = 0
                            self._start_errors[index] = ""
                        elif isinstance(outcome, _Failure):
                            lose(index, outcome.reason)
                            break
                        elif isinstance(outcome, _Finished):
                            unfinished -= 1
                            report(outcome.job, outcome.error)
                now = time.monotonic()
                for index, worker in enumerate(self._slots):
                    if worker is not None and now > worker.deadline:
                        if worker.job is None and worker.ready:
                            worker.deadline = math.inf
                        elif worker.job is None:
                            lose(index, f"soffice did not start within {STARTUP_TIMEOUT:g} s")
                        else:
                            lose(index, f"no result within {self.timeout_per_doc:g} s")
        finally:
            selector.close()

    # -- chunked soffice --convert-to fallback -----------------------------------------

    def _convert_chunks(self, todo: list[_Job], report: Callable[[_Job, str | None], None]) -> None:
        """Convert in chunks, one ``soffice --convert-to`` per chunk, chunks in parallel.

        Each thread keeps its own profile across its chunks. Files a chunk left
        unconverted because soffice crashed or timed out are retried once, one per
        call; files soffice simply could not load are reported at once.
        """
        assert self._tmp is not None
        size = max(1, min(CHUNK_SIZE, math.ceil(len(todo) / self.workers)))
        chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
        profiles: deque[Path] = deque(
            self._tmp / f"chunk-profile-{n}" for n in range(min(self.workers, len(chunks)))
        )
        self._fallback_profiles.extend(profiles)
        for profile in profiles:
            _seed_profile(profile)

        def run_chunk(chunk: list[_Job], single: bool) -> list[tuple[_Job, str | None, bool]]:
            profile = profiles.popleft()
            try:
                return self._run_chunk(chunk, profile, single)
            finally:
                profiles.append(profile)

        with ThreadPoolExecutor(max_workers=len(profiles), thread_name_prefix="soffice") as ex:
            futures: set[Future[list[tuple[_Job, str | None, bool]]]] = {
                ex.submit(run_chunk, chunk, False) for chunk in chunks
            }
            try:
                while futures:
                    done, futures = wait(futures, return_when=FIRST_COMPLETED)
                    for future in done:
                        for job, error, retryable in future.result():
                            if retryable and job.losses == 0:
                                job.losses += 1
                                futures.add(ex.submit(run_chunk, [job], True))
                            else:
                                report(job, error)
            except BaseException:
                for future in futures:
                    future.cancel()
                for profile in self._fallback_profiles:
                    _kill_stragglers(profile)
                raise

    def _run_chunk(
        self, chunk: list[_Job], profile: Path, single: bool
    ) -> list[tuple[_Job, str | None, bool]]:
        """One soffice call for ``chunk``; (job, error, retryable) for each document."""
        assert self._tmp is not None
        work = Path(tempfile.mkdtemp(dir=self._tmp, prefix="chunk-"))
        try:
            links, outdir = work / "in", work / "out"
            links.mkdir()
            # Unique names: two sources called contract.docx must not meet in one outdir.
            names = []
            for n, job in enumerate(chunk):
                name = f"d{n:04d}{job.src.suffix}"
                (links / name).symlink_to(job.src)
                names.append(name)
            crash = ""
            try:
                tools.run(
                    [*_convert_argv(self._soffice, profile, outdir), *(links / n for n in names)],
                    timeout=self.timeout_per_doc * len(chunk),
                )
            except ToolFailed as exc:
                crash = exc.message
                _kill_stragglers(profile)
            results: list[tuple[_Job, str | None, bool]] = []
            for name, job in zip(names, chunk, strict=True):
                produced = outdir / f"{Path(name).stem}.pdf"
                if produced.exists() and produced.stat().st_size > 0:
                    try:
                        _place(produced, job.dst)
                    except OSError as exc:
                        error = f"could not write {job.dst}: {exc.strerror or exc}"
                        results.append((job, error, False))
                    else:
                        results.append((job, None, False))
                elif crash:
                    reason = f"LibreOffice failed twice on this document: {crash}"
                    results.append((job, reason if single else crash, True))
                else:
                    results.append((job, _LOAD_FAILED, False))
            return results
        finally:
            shutil.rmtree(work, ignore_errors=True)


# -- helpers ------------------------------------------------------------------------------


@dataclass(eq=False)
class _Job:
    """One document to convert and how often a worker was lost on it."""

    id: int
    given: Path  # the src as the caller named it: the key of the results
    src: Path
    dst: Path
    losses: int = 0


@dataclass(frozen=True)
class _Finished:
    job: _Job
    error: str | None


@dataclass(frozen=True)
class _Failure:
    reason: str


_READY = object()


class _Worker:
    """One uno_worker.py process and, in the same new process group, its soffice.

    The process group lets ``kill`` take soffice down with the worker even when the
    worker itself has already died (soffice.bin is a grandchild through oosplash).
    """

    def __init__(self, python: str, soffice: str, base: Path, startup_timeout: float) -> None:
        self.base = base
        base.mkdir(parents=True)
        self.log_path = base / "worker.log"
        # LibreOffice writes its temporary and lock files next to the file it stores:
        # the worker writes into our folder, never into the user's (see _place).
        self.outdir = base / "out"
        self.outdir.mkdir()
        _seed_profile(base / "profile")
        argv = [
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
        self.job: _Job | None = None
        self.part: Path | None = None
        self._buffer = b""

    def send(self, job: _Job, timeout: float) -> None:
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
        """Apply one message; return _READY, a _Finished, a _Failure, or None."""
        if "ready" in message:
            if not message["ready"]:
                return _Failure(str(message.get("error", "soffice did not start")))
            self.ready = True
            self.deadline = math.inf
            return _READY
        job = self.job
        if job is None or message.get("id") != job.id:
            log.warning("conversion worker: unexpected message %r", message)
            return None
        if message.get("fatal"):
            return _Failure(str(message.get("error", "soffice died")))
        self.job, part, self.part = None, self.part, None
        self.deadline = math.inf
        assert part is not None
        if not message.get("ok"):
            _unlink(part)
            error = str(message.get("error") or "conversion failed")
            if "could not load" in error:
                error = _LOAD_FAILED
            return _Finished(job, error)
        try:
            _place(part, job.dst)
        except OSError as exc:
            _unlink(part)
            return _Finished(job, f"could not write {job.dst}: {exc.strerror or exc}")
        return _Finished(job, None)

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
        _unlink(self.part)
        shutil.rmtree(self.base, ignore_errors=True)


def _jobs(pairs: Sequence[tuple[Path, Path]]) -> list[_Job]:
    """Number the jobs and refuse a source or destination named twice."""
    seen_src: set[Path] = set()
    seen_dst: set[Path] = set()
    jobs = []
    for n, (src, dst) in enumerate(pairs):
        job = _Job(n, Path(src), Path(src).absolute(), Path(dst).absolute())
        if job.src in seen_src:
            raise InvalidInput(f"{job.src} is listed twice")
        if job.dst in seen_dst:
            raise InvalidInput(f"two documents would be written to {job.dst}")
        seen_src.add(job.src)
        seen_dst.add(job.dst)
        jobs.append(job)
    return jobs


def _source_problem(src: Path) -> str | None:
    """Why ``src`` cannot be converted before LibreOffice even sees it, or None."""
    try:
        size = src.stat().st_size
    except FileNotFoundError:
        return "no such file"
    except OSError as exc:
        return f"cannot read it: {exc.strerror or exc}"
    if not src.is_file():
        return "not a file"
    if size == 0:
        return "the file is empty"
    return None


#: Settings every profile of ours starts with: no lock files beside the user's documents
#: (a killed soffice would leave them behind), no autosave or recovery data, no
#: background spell checking.
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
{items}
</oor:items>
""".format(
    items="\n".join(
        f'<item oor:path="/org.openoffice.{path}"><prop oor:name="{name}" oor:op="fuse">'
        f"<value>{value}</value></prop></item>"
        for path, name, value in (
            ("Office.Common/Misc", "UseDocumentOOoLockFile", "false"),
            ("Office.Common/Misc", "UseDocumentSystemFileLocking", "false"),
            ("Office.Recovery/AutoSave", "Enabled", "false"),
            ("Office.Recovery/RecoveryInfo", "Enabled", "false"),
            ("Office.Linguistic/SpellChecking", "IsSpellAuto", "false"),
        )
    )
)


def _seed_profile(profile: Path) -> None:
    """Create a LibreOffice profile folder holding only our settings."""
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS, encoding="utf-8")


def _convert_argv(soffice: str, profile: Path, outdir: Path) -> list[str]:
    """``soffice --convert-to pdf`` with a private profile, ready for file arguments."""
    return [
        soffice,
        f"-env:UserInstallation={profile.absolute().as_uri()}",
        "--headless",
        "--invisible",
        "--nodefault",
        "--nolockcheck",
        "--nologo",
        "--norestore",
        "--convert-to",
        "pdf:writer_pdf_Export",
        "--outdir",
        str(outdir),
    ]


def _place(produced: Path, dst: Path) -> None:
    """Move a finished PDF to ``dst`` atomically, also across file systems."""
    try:
        os.replace(produced, dst)
    except OSError:
        part = dst.with_name(f".{dst.name}.{uuid.uuid4().hex[:8]}.part")
        try:
            shutil.copyfile(produced, part)
            os.replace(part, dst)
        finally:
            _unlink(part)


def _unlink(path: Path | None) -> None:
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink()


def _kill_stragglers(profile: Path) -> None:
    """Kill soffice processes started with ``profile``, left behind by a timeout.

    A timed-out one-shot soffice leaves soffice.bin running (it is a grandchild, the
    timeout killed only oosplash). The profile path is unique to this contractctl
    call, so matching it in /proc/<pid>/cmdline finds only our own processes.
    """
    marker = profile.absolute().as_uri().encode()
    proc = Path("/proc")
    if not proc.is_dir():
        return
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker in cmdline:
            with contextlib.suppress(OSError):
                os.kill(int(entry.name), signal.SIGKILL)
