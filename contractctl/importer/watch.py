"""`contractctl watch DIR`: import whatever lands in an inbox folder.

Polling is the loop's heartbeat, because network shares deliver no file events;
watchdog's events, where the filesystem has them, only wake the loop early. A file is
taken once the stability tracker says it has stopped growing, no process here holds it
open for writing, and it ends as its kind of file should (a PDF with ``%%EOF``: see
:mod:`~contractctl.importer.completeness`); a file that stops short is given
``INCOMPLETE_GRACE`` times the settle time to be finished before it is judged. After its
import it moves to DIR/done, or to DIR/failed with a ``.reason`` file beside it. A file
in failed/ that changes after it was judged (a writer that finished it there) goes back
to the inbox, its ``.reason`` removed, and is tried again. A stop request
(SIGTERM, Ctrl-C) is honoured between files: the file in hand finishes its transaction
(or rolls back) first, so nothing is half-recorded and nothing is moved wrongly.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contractctl.errors import InvalidInput
from contractctl.importer.completeness import held_for_writing, looks_complete
from contractctl.importer.discover import discover, shown_path
from contractctl.importer.pipeline import FileOutcome, ImportOptions, import_paths
from contractctl.importer.stability import StabilityTracker
from contractctl.store import Store

#: A file that does not end as its kind should gets this many settle times to be finished.
INCOMPLETE_GRACE = 10

#: Called after each file with what happened to it (the CLI prints a line).
OnOutcome = Callable[[FileOutcome, Path], None]


@dataclass(frozen=True)
class WatchOptions:
    """How often to look, how long a file must rest, and how to import it."""

    interval: float = 5.0
    settle: float = 3.0
    use_events: bool = True
    import_options: ImportOptions = field(default_factory=lambda: ImportOptions(workers=1))


def watch(
    store: Store,
    actor: str,
    inbox: Path,
    options: WatchOptions,
    stop: threading.Event,
    on_outcome: OnOutcome | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Watch ``inbox`` until ``stop`` is set; returns how many files were handled."""
    if not inbox.is_dir():
        raise InvalidInput(f"{inbox}: not a folder")
    if options.interval <= 0 or options.settle < 0:
        raise InvalidInput("--interval must be above 0 and --settle at least 0")
    options.import_options.check()
    for name in ("done", "failed"):
        (inbox / name).mkdir(exist_ok=True)
    tracker = StabilityTracker(settle=options.settle)
    wake = threading.Event()
    observer = _start_events(inbox, wake) if options.use_events else None
    handled = 0
    announced: set[Path] = set()  # files of another kind, said once and left in place
    try:
        while not stop.is_set():
            present: set[Path] = set()
            for candidate in discover([inbox], skip_bookkeeping=True):
                path = candidate.path
                present.add(path)
                if candidate.skipped is not None:
                    if path not in announced and on_outcome is not None:
                        reason = f"{candidate.skipped}; left in the inbox"
                        on_outcome(FileOutcome(shown_path(path), "skipped", reason=reason), path)
                    announced.add(path)
                    continue
                try:
                    info = path.lstat()
                except OSError:
                    continue
                if candidate.refused is None and not _settled(
                    tracker, path, info, clock(), options.settle
                ):
                    continue
                tracker.forget(path)
                outcome = _take(store, actor, inbox, path, options.import_options)
                handled += 1
                if on_outcome is not None:
                    on_outcome(outcome, path)
                if stop.is_set():
                    break
            tracker.prune(present)
            announced &= present
            present |= _retry_changed_failures(inbox)
            wake.wait(
                min(options.interval, max(options.settle / 2, 0.2)) if present else options.interval
            )
            wake.clear()
    finally:
        if observer is not None:
            observer.stop()
            observer.join(timeout=5)
    return handled


def _settled(
    tracker: StabilityTracker, path: Path, info: os.stat_result, now: float, settle: float
) -> bool:
    """Unchanged for the settle time, not held open for writing here, and either ending
    as its kind should or given up on after ``INCOMPLETE_GRACE`` settle times."""
    if not tracker.observe(path, info.st_size, info.st_mtime, now):
        return False
    if held_for_writing(path):
        return False
    return looks_complete(path) or tracker.unchanged_for(path, now) >= settle * INCOMPLETE_GRACE


def _retry_changed_failures(inbox: Path) -> set[Path]:
    """Move back into the inbox every failed file written to since it was judged (its
    ``.reason`` is older than it), dropping the stale reason; returns the paths moved
    back, so the loop looks again soon."""
    moved: set[Path] = set()
    failed = inbox / "failed"
    try:
        reasons = [p for p in failed.iterdir() if p.name.endswith(".reason")]
    except OSError:
        return moved
    for reason in reasons:
        judged = reason.with_name(reason.name[: -len(".reason")])
        try:
            if judged.stat().st_mtime_ns <= reason.stat().st_mtime_ns:
                continue
            back = _unique(inbox / judged.name)
            shutil.move(str(judged), back)
            reason.unlink()
        except OSError:
            continue  # vanished or locked: looked at again next pass
        moved.add(back)
    return moved


def _take(store: Store, actor: str, inbox: Path, path: Path, options: ImportOptions) -> FileOutcome:
    """Import one settled file and move it to done/ or failed/."""
    report = import_paths(store, actor, [path], options)
    outcome = (
        report.outcomes[0]
        if report.outcomes
        else FileOutcome(str(path), "failed", reason="not importable")
    )
    ok = outcome.state in ("imported", "duplicate")
    target = _unique(inbox / ("done" if ok else "failed") / path.name)
    try:
        shutil.move(str(path), target)
    except OSError:
        return outcome  # vanished or locked: the next pass sees it again (dedupe protects)
    if not ok:
        target.with_name(target.name + ".reason").write_text(
            outcome.reason + "\n", encoding="utf-8"
        )
    return outcome


def _unique(path: Path) -> Path:
    if not path.exists():
        return path
    stem, suffix = path.stem, path.suffix
    for n in range(2, 10_000):
        candidate = path.with_name(f"{stem} ({n}){suffix}")
        if not candidate.exists():
            return candidate
    return path.with_name(f"{stem} ({os.getpid()}-{time.time_ns()}){suffix}")


def _start_events(inbox: Path, wake: threading.Event) -> Any:
    """A watchdog observer that wakes the loop on any change; None where it cannot run."""
    try:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer
    except ImportError:
        return None

    class _Wake(FileSystemEventHandler):
        def on_any_event(self, event: Any) -> None:
            wake.set()

    observer = Observer()
    try:
        observer.schedule(_Wake(), str(inbox), recursive=True)
        observer.start()
    except OSError:  # inotify limits, unsupported filesystems: polling carries on
        return None
    return observer
