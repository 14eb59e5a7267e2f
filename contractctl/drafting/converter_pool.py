"""Converting many documents at once: ``ConverterPool``.

A batch keeps one warm soffice per worker, feeds the workers one document each from a
single event loop, restarts a worker that dies or hangs and retries its document once
(see :mod:`~contractctl.drafting.convert` for why, and for the chunked ``soffice
--convert-to`` fallback without python3-uno). This is separate from the one-shot
conversion because it is a scheduler, with its own state, timeouts and retries; the
LibreOffice plumbing it shares with ``convert_one`` stays in
:mod:`~contractctl.drafting.convert`, and one worker process is
:mod:`~contractctl.drafting.worker_process`.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import selectors
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from types import TracebackType

from contractctl import tools
from contractctl.drafting.convert import (
    ENV_NO_UNO,
    LOAD_FAILED,
    convert_argv,
    kill_stragglers,
    layout_copy,
    place,
    seed_profile,
    source_problem,
    system_python_with_uno,
    unlink,
)
from contractctl.drafting.worker_process import READY, Failure, Finished, Job, Worker
from contractctl.errors import InvalidInput, ToolFailed, ToolMissing

log = logging.getLogger(__name__)

#: Documents per ``soffice --convert-to`` call in the fallback: enough to amortise the
#: ~1.2 s start, few enough that a crash or hang costs little.
CHUNK_SIZE = 25
#: More LibreOffice workers than a machine can run: each holds ~150 MB and a core.
MAX_WORKERS = 64

#: How long a new worker may take to start soffice and connect to it.
STARTUP_TIMEOUT = 60.0

#: How long workers get to stop their soffice politely before being killed.
STOP_GRACE = 10.0

OnDone = Callable[[Path, str | None], None]


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
        if workers is not None and not 1 <= workers <= MAX_WORKERS:
            raise InvalidInput(f"workers must be between 1 and {MAX_WORKERS}, not {workers}")
        if timeout_per_doc <= 0:
            raise InvalidInput(f"timeout_per_doc must be positive, not {timeout_per_doc}")
        self.workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        self.timeout_per_doc = timeout_per_doc
        self._want_uno = uno
        self.uses_uno = False
        self._soffice = ""
        self._python = ""
        self._tmp: Path | None = None
        self._slots: list[Worker | None] = []
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
            kill_stragglers(profile)
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

        def report(job: Job, error: str | None) -> None:
            results[job.given] = error
            if error is not None:
                log.info("convert %s: %s", job.src, error)
            if on_done is not None:
                on_done(job.given, error)

        todo: list[Job] = []
        for job in all_jobs:
            problem = source_problem(job.src)
            if problem is None:
                try:
                    job.dst.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    problem = f"cannot create {job.dst.parent}: {exc.strerror or exc}"
            if problem is None:
                # A copy LibreOffice lays out as Word does, when one is needed.
                job.src = layout_copy(job.src, self._tmp / f"copy-{job.id}")
                todo.append(job)
            else:
                report(job, problem)
        if todo and self.uses_uno:
            self._convert_uno(todo, report)
        elif todo:
            self._convert_chunks(todo, report)
        return {job.given: results[job.given] for job in all_jobs}

    # -- UNO workers ------------------------------------------------------------------

    def _spawn(self) -> Worker:
        assert self._tmp is not None
        self._spawned += 1
        return Worker(
            self._python, self._soffice, self._tmp / f"worker-{self._spawned}", STARTUP_TIMEOUT
        )

    def _convert_uno(self, todo: list[Job], report: Callable[[Job, str | None], None]) -> None:
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
            unlink(worker.part)
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
                        if outcome is READY:
                            start_failures[index] = 0
                            self._start_errors[index] = ""
                        elif isinstance(outcome, Failure):
                            lose(index, outcome.reason)
                            break
                        elif isinstance(outcome, Finished):
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

    def _convert_chunks(self, todo: list[Job], report: Callable[[Job, str | None], None]) -> None:
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
            seed_profile(profile)

        def run_chunk(chunk: list[Job], single: bool) -> list[tuple[Job, str | None, bool]]:
            profile = profiles.popleft()
            try:
                return self._run_chunk(chunk, profile, single)
            finally:
                profiles.append(profile)

        with ThreadPoolExecutor(max_workers=len(profiles), thread_name_prefix="soffice") as ex:
            futures: set[Future[list[tuple[Job, str | None, bool]]]] = {
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
                    kill_stragglers(profile)
                raise

    def _run_chunk(
        self, chunk: list[Job], profile: Path, single: bool
    ) -> list[tuple[Job, str | None, bool]]:
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
                    [*convert_argv(self._soffice, profile, outdir), *(links / n for n in names)],
                    timeout=self.timeout_per_doc * len(chunk),
                )
            except ToolFailed as exc:
                crash = exc.message
                kill_stragglers(profile)
            results: list[tuple[Job, str | None, bool]] = []
            for name, job in zip(names, chunk, strict=True):
                produced = outdir / f"{Path(name).stem}.pdf"
                if produced.exists() and produced.stat().st_size > 0:
                    try:
                        place(produced, job.dst)
                    except OSError as exc:
                        error = f"could not write {job.dst}: {exc.strerror or exc}"
                        results.append((job, error, False))
                    else:
                        results.append((job, None, False))
                elif crash:
                    reason = f"LibreOffice failed twice on this document: {crash}"
                    results.append((job, reason if single else crash, True))
                else:
                    results.append((job, LOAD_FAILED, False))
            return results
        finally:
            shutil.rmtree(work, ignore_errors=True)


def _jobs(pairs: Sequence[tuple[Path, Path]]) -> list[Job]:
    """Number the jobs and refuse a source or destination named twice."""
    seen_src: set[Path] = set()
    seen_dst: set[Path] = set()
    jobs = []
    for n, (src, dst) in enumerate(pairs):
        job = Job(n, Path(src), Path(src).absolute(), Path(dst).absolute())
        if job.src in seen_src:
            raise InvalidInput(f"{job.src} is listed twice")
        if job.dst in seen_dst:
            raise InvalidInput(f"two documents would be written to {job.dst}")
        seen_src.add(job.src)
        seen_dst.add(job.dst)
        jobs.append(job)
    return jobs
