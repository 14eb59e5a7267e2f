"""Is a file in the inbox finished? A pure tracker, fed observations by the watcher.

A scanner or a copy over the network writes a file over seconds or minutes; taking it
half-written would import a truncated PDF. A file is taken only once its size and
modification time have stayed the same for ``settle`` seconds (paperless-ngx's
FileStabilityTracker does the same). Pure: the caller passes the clock, so the tests
need no sleeping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class _Seen:
    size: int
    mtime: float
    since: float


@dataclass
class StabilityTracker:
    """Remembers each file's last size and mtime, and since when they held."""

    settle: float = 3.0
    _seen: dict[Path, _Seen] = field(default_factory=dict)

    def observe(self, path: Path, size: int, mtime: float, now: float) -> bool:
        """Record one observation; True when the file has been unchanged for ``settle`` s."""
        seen = self._seen.get(path)
        if seen is None or (seen.size, seen.mtime) != (size, mtime):
            self._seen[path] = _Seen(size, mtime, now)
            return False
        return size > 0 and now - seen.since >= self.settle

    def unchanged_for(self, path: Path, now: float) -> float:
        """Seconds the file has kept its size and mtime (0 for a file not tracked)."""
        seen = self._seen.get(path)
        return 0.0 if seen is None else now - seen.since

    def forget(self, path: Path) -> None:
        """The file was taken (or vanished): stop tracking it."""
        self._seen.pop(path, None)

    def prune(self, present: set[Path]) -> None:
        """Drop files that are no longer there."""
        for path in list(self._seen):
            if path not in present:
                del self._seen[path]
