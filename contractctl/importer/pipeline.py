"""Batch import as ordered steps: discover, dedupe, inspect (in workers), record.

The main process walks the folders, hashes each file and skips what the store already
holds (so a rerun after Ctrl-C or a kill continues where it stopped); workers read the
files (text, OCR, metadata): local processes, or the workers of a Dask cluster
(``--cluster``), to which each file's bytes travel; the main process alone writes, one
transaction per file, in the order the files were found, wherever they were read. A bad
file is recorded with its reason and the batch goes on.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contractctl import limits
from contractctl.cluster import Call, Executor, TaskLost, open_executor, ordered
from contractctl.drafting.schema import CONTRACT_TYPES
from contractctl.errors import (
    ContractctlError,
    Duplicate,
    Interrupted,
    InvalidInput,
    StoreProblem,
    Terminated,
)
from contractctl.importer.discover import Candidate, discover, shown_path
from contractctl.importer.inspect import (
    Inspected,
    InspectOptions,
    file_sha256,
    inspect_bytes,
    inspect_file,
)
from contractctl.importer.record import (
    RecordOptions,
    record_failure,
    record_import,
)
from contractctl.progress import NullProgress, Progress
from contractctl.store import Store
from contractctl.store.repair import restore_object

OCR_MODES = ("auto", "always", "never")
#: More reader processes than any machine runs at once (a huge --workers overflowed C).
MAX_WORKERS = 256


@dataclass(frozen=True)
class ImportOptions:
    """What `import` was asked to do."""

    workers: int | None = None
    ocr: str = "auto"
    lang: str = "auto"  # eng or chi_sim+eng per column, as its text shows (ocr.regions)
    dpi: int = 300
    contract_type: str | None = None
    key_from: str | None = None
    dry_run: bool = False
    password: str | None = None
    #: A Dask scheduler's address (``--cluster``): the files are read on its workers.
    cluster: str | None = None
    #: A PDF of more pages is refused, its reason naming the limit (``--max-pages``).
    max_pages: int = limits.MAX_PDF_PAGES

    def check(self) -> re.Pattern[str] | None:
        """Refuse bad options before any file is read; returns the key pattern."""
        if self.ocr not in OCR_MODES:
            raise InvalidInput(f"--ocr: {self.ocr!r} is not one of {', '.join(OCR_MODES)}")
        if self.contract_type is not None and self.contract_type not in CONTRACT_TYPES:
            raise InvalidInput(
                f"--type: {self.contract_type!r} is not one of {', '.join(CONTRACT_TYPES)}"
            )
        if self.workers is not None and not 1 <= self.workers <= MAX_WORKERS:
            raise InvalidInput(f"--workers must be between 1 and {MAX_WORKERS}")
        if not 70 <= self.dpi <= 600:
            raise InvalidInput("--dpi must be between 70 and 600")
        if self.max_pages < 1:
            raise InvalidInput(f"--max-pages must be at least 1, not {self.max_pages}")
        if self.key_from is None:
            return None
        try:
            return re.compile(self.key_from)
        except re.error as exc:
            raise InvalidInput(f"--key-from: not a regular expression: {exc}") from exc


@dataclass
class FileOutcome:
    """What happened to one file."""

    file: str
    state: str  # imported | duplicate | restored | failed | refused | skipped | would_import
    contract_id: str | None = None
    reason: str = ""
    needs_review: list[str] = field(default_factory=list)
    sha256: str | None = None
    metadata: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """One file in the `import --json` report."""
        data: dict[str, Any] = {"file": self.file, "state": self.state}
        if self.contract_id:
            data["id"] = self.contract_id
            data["version"] = 1
        if self.reason:
            data["reason"] = self.reason
        if self.needs_review:
            data["needs_review"] = self.needs_review
        if self.sha256:
            data["sha256"] = self.sha256
        if self.metadata is not None:
            data["metadata"] = self.metadata
        return data


@dataclass
class ImportReport:
    """The whole batch: every file's outcome, and the counts."""

    outcomes: list[FileOutcome] = field(default_factory=list)
    dry_run: bool = False

    def count(self, state: str) -> int:
        """How many files ended in ``state``."""
        return sum(1 for o in self.outcomes if o.state == state)

    def to_dict(self) -> dict[str, Any]:
        """The `import --json` shape: contracts made, plus counts and reasons."""
        return {
            "contracts": [
                {"id": o.contract_id, "version": 1, "file": o.file}
                for o in self.outcomes
                if o.state == "imported"
            ],
            "imported": self.count("imported"),
            "duplicates": self.count("duplicate"),
            "restored": self.count("restored"),
            "skipped": self.count("skipped"),
            "failed": [
                {"file": o.file, "reason": o.reason}
                for o in self.outcomes
                if o.state in ("failed", "refused")
            ],
            "needs_review": [
                o.contract_id for o in self.outcomes if o.state == "imported" and o.needs_review
            ],
            "dry_run": self.dry_run,
            "files": [o.to_dict() for o in self.outcomes],
        }


def import_paths(
    store: Store,
    actor: str,
    paths: Sequence[Path],
    options: ImportOptions,
    *,
    progress: Progress | None = None,
    skip_bookkeeping: bool = False,
) -> ImportReport:
    """Import every PDF, DOCX and image under ``paths``; see the module docstring."""
    from contractctl.ocr.slots import shared_slots

    key_pattern = options.check()
    progress = progress or NullProgress()
    # each file's pages are read on every core; the Tesseracts of all the workers
    # (spawned inside, so they inherit the slots) share the machine's cores
    with shared_slots(store.scratch.path() / "ocr-slots", os.cpu_count() or 1):
        executor = open_executor(options.cluster, options.workers)  # exit 4 before any write
        stopped = True
        try:
            report = _import(
                store, actor, paths, options, key_pattern, executor, progress, skip_bookkeeping
            )
            stopped = False
        finally:  # now, not when the traceback is freed: the workers stop here
            executor.close(now=stopped)  # Ctrl-C, SIGTERM or an error: not waiting for files
    return report


def _import(
    store: Store,
    actor: str,
    paths: Sequence[Path],
    options: ImportOptions,
    key_pattern: re.Pattern[str] | None,
    executor: Executor,
    progress: Progress,
    skip_bookkeeping: bool,
) -> ImportReport:
    candidates = list(discover(paths, skip_bookkeeping=skip_bookkeeping))
    report = ImportReport(dry_run=options.dry_run)
    inspect_options = InspectOptions(
        ocr=options.ocr,
        lang=options.lang,
        dpi=options.dpi,
        password=options.password,
        ocr_workers=1 if executor.remote else (os.cpu_count() or 1),
        max_pages=options.max_pages,
    )
    where = f" on {executor.workers()} cluster worker(s)" if executor.remote else ""
    progress.start(len(candidates), f"Importing{where}")
    restorer = None if options.dry_run else actor
    jobs = _inspected(store, restorer, candidates, inspect_options, executor)
    try:
        for found, outcome in jobs:
            if outcome is None and found is not None:
                outcome = _record(store, actor, found, options, key_pattern)
            if outcome is not None:
                report.outcomes.append(outcome)
            progress.advance()
    except KeyboardInterrupt as exc:
        what = "terminated" if isinstance(exc, Terminated) else "interrupted"
        error: ContractctlError = Interrupted(
            f"{what} after importing {report.count('imported')} file(s); nothing is half-recorded",
            hint="run the same command again to continue where it stopped",
            cause=exc,
        )
        error.done = report.to_dict()
        raise error from None
    except ContractctlError as exc:  # the store became unwritable (disk full, locked...)
        exc.done = report.to_dict()
        raise
    except (OSError, sqlite3.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        error = StoreProblem(
            f"stopped after importing {report.count('imported')} file(s): cannot write to "
            f"the store: {reason}",
            hint="free some space (or fix the store), then run the same command again",
        )
        error.done = report.to_dict()
        raise error from exc
    finally:
        jobs.close()  # now: the calls in flight are cancelled here
        progress.finish()
    return report


def _inspected(
    store: Store,
    actor: str | None,
    candidates: list[Candidate],
    options: InspectOptions,
    executor: Executor,
) -> Generator[tuple[Inspected | None, FileOutcome | None], None, None]:
    """Inspected files as workers finish them, with the files settled without reading
    (refused, already imported, the same bytes twice in this batch) in between.

    A file already imported whose stored copy has gone missing is stored again (by
    ``actor``; None for a dry run): the rerun that has the bytes mends the store."""
    seen: dict[str, str] = {}

    def settle(candidate: Candidate) -> tuple[FileOutcome | None, tuple[str, str, int] | None]:
        shown = shown_path(candidate.path)
        if candidate.refused:
            return FileOutcome(shown, "refused", reason=candidate.refused), None
        if candidate.skipped:
            return FileOutcome(shown, "skipped", reason=candidate.skipped), None
        try:
            sha, size = file_sha256(candidate.real)
        except OSError as exc:
            return FileOutcome(shown, "failed", reason=f"cannot read: {exc.strerror}"), None
        if sha in seen:
            return FileOutcome(
                shown, "duplicate", reason=f"same content as {seen[sha]}", sha256=sha
            ), None
        seen[sha] = shown
        row = store.conn.execute(
            "SELECT contract_id FROM import_files WHERE sha256 = ? AND state = 'imported'", (sha,)
        ).fetchone()
        if row is not None and actor is not None and not store.objects.has(sha):
            restore_object(store, actor, candidate.real, sha, row["contract_id"])
            return FileOutcome(
                shown,
                "restored",
                contract_id=row["contract_id"],
                reason="its stored copy was missing; stored again from this file",
                sha256=sha,
            ), None
        if row is not None:
            return FileOutcome(
                shown,
                "duplicate",
                contract_id=None,
                reason=f"already imported as {row['contract_id']}",
                sha256=sha,
            ), None
        return None, (str(candidate.real), sha, size)

    def items() -> Iterator[tuple[tuple[Candidate, FileOutcome | None, Any], Call | None]]:
        for candidate in candidates:
            outcome, job = settle(candidate)
            if job is None:
                yield (candidate, outcome, None), None
                continue
            path, sha, size = job
            if not executor.remote:
                yield (candidate, None, job), Call(inspect_file, (path, sha, size, options))
                continue
            try:  # the bytes travel: the workers need not see this machine's files
                data = candidate.real.read_bytes()
            except OSError as exc:
                reason = f"cannot read: {exc.strerror}"
                failed = FileOutcome(shown_path(candidate.path), "failed", reason=reason)
                yield (candidate, failed, None), None
                continue
            name = candidate.real.name
            yield (candidate, None, job), Call(inspect_bytes, (name, data, sha, options))

    for (candidate, settled, job), result in ordered(executor, items()):
        if job is None:
            yield None, settled
            continue
        error = result.error
        if error is not None:  # a worker that died (out of memory, killed), or a bug
            found = Inspected(str(candidate.path), job[1], job[2])
            lost = isinstance(error, TaskLost)
            found.error = f"worker died: {error}" if lost else f"cannot read: {error!r}"
        else:
            found = result.value
        found.path = str(candidate.path)
        yield found, None


def _record(
    store: Store,
    actor: str,
    found: Inspected,
    options: ImportOptions,
    key_pattern: re.Pattern[str] | None,
) -> FileOutcome:
    shown = shown_path(found.path)
    if found.error is not None:
        if not options.dry_run:
            with store.transaction(actor) as tx:
                record_failure(tx, found, found.error)
        return FileOutcome(shown, "failed", reason=found.error, sha256=found.sha256)
    review = list(found.metadata.needs_review()) if found.metadata is not None else []
    if options.dry_run:
        return FileOutcome(
            shown,
            "would_import",
            needs_review=review,
            sha256=found.sha256,
            metadata=found.metadata.to_dict(),
        )
    key = _key(shown, key_pattern)
    try:
        with store.transaction(actor) as tx:
            contract_id = record_import(
                tx, found, RecordOptions(contract_type=options.contract_type, key=key)
            )
    except Duplicate as exc:
        return FileOutcome(shown, "duplicate", reason=exc.message, sha256=found.sha256)
    except ContractctlError as exc:
        with store.transaction(actor) as tx:
            record_failure(tx, found, exc.message)
        return FileOutcome(shown, "failed", reason=exc.message, sha256=found.sha256)
    return FileOutcome(
        shown, "imported", contract_id=contract_id, needs_review=review, sha256=found.sha256
    )


def _key(path: str, pattern: re.Pattern[str] | None) -> str | None:
    """The contract's external key from its file name (``--key-from``), if it matches."""
    if pattern is None:
        return None
    match = pattern.search(Path(path).name)
    if match is None:
        return None
    return match.group(1) if match.groups() else match.group(0)
