"""Progress reporting passed into long operations; the core never prints.

The CLI supplies a Rich progress bar on stderr (off when stderr is not a terminal);
library users and tests get the silent default.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Told how much work there is and as each piece finishes."""

    def start(self, total: int, description: str) -> None:
        """A task of ``total`` units begins."""

    def advance(self, units: int = 1) -> None:
        """``units`` more are done."""

    def finish(self) -> None:
        """The task is over (successfully or not)."""


class NullProgress:
    """Reports nothing."""

    def start(self, total: int, description: str) -> None:
        """Ignore."""

    def advance(self, units: int = 1) -> None:
        """Ignore."""

    def finish(self) -> None:
        """Ignore."""
