"""The core's Progress protocol as a Rich bar on stderr, for long commands."""

from __future__ import annotations

from typing import Any

from contractctl.cli.context import AppContext


class _RichProgress:
    """The core's Progress protocol as a Rich bar on stderr (only on a terminal)."""

    def __init__(self, app: AppContext) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=app.err,
            transient=True,
        )
        self.task: Any = None
        self._start = 0.0

    def __enter__(self) -> _RichProgress:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def start(self, total: int, description: str) -> None:
        import time

        self._start = time.monotonic()
        self.task = self.bar.add_task(description, total=total, rate="")

    def advance(self, units: int = 1) -> None:
        import time

        self.bar.advance(self.task, units)
        done = self.bar.tasks[-1].completed
        elapsed = time.monotonic() - self._start
        if elapsed > 0:
            self.bar.update(self.task, rate=f"{done / elapsed:.1f}/s")

    def finish(self) -> None:
        if self.task is not None:
            self.bar.remove_task(self.task)
            self.task = None


class _Silent:
    def __enter__(self) -> Any:
        from contractctl.progress import NullProgress

        return NullProgress()

    def __exit__(self, *exc: object) -> None:
        return None


def progress_bar(app: AppContext) -> Any:
    """A Progress for the core: a Rich bar on a terminal, silent otherwise."""
    if app.quiet or app.json or not app.err.is_terminal:
        return _Silent()
    return _RichProgress(app)
