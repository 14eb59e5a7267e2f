"""Step 1 of an import: find the files to take, and refuse the ones that must not be.

Folders are walked recursively in a stable order. A symlink (or anything else) that
resolves outside the folders the user named is refused, never followed: an import of
``/srv/scans`` must not read ``/etc`` through a link someone left there. Files that are
not PDFs, Word files or images are passed over and counted.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from contractctl.errors import InvalidInput

#: The suffixes an import takes (case-insensitive).
SUFFIXES = frozenset({".pdf", ".docx", ".png", ".jpg", ".jpeg", ".tif", ".tiff"})
#: Folders an import never descends into: our own bookkeeping and hidden folders.
SKIP_DIRS = frozenset({"done", "failed"})
#: Why a file of another kind is passed over.
SKIPPED = "not a PDF, DOCX or image (.png .jpg .tif): passed over"


@dataclass(frozen=True)
class Candidate:
    """A file to import, or one refused with the reason."""

    path: Path  # as found (under the given root), for reports
    real: Path  # resolved; what is read
    refused: str | None = None
    skipped: str | None = None  # a file of a kind an import does not take


def shown_path(path: Path | str) -> str:
    """A path as text that can be printed, stored and put in JSON.

    A file name that is not UTF-8 (a GBK name from an old Windows archive, say) reaches
    Python with surrogate escapes, which neither SQLite nor a UTF-8 stdout accept; its
    undecodable bytes are shown as ``\\xNN``. The file itself is read by its real name.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def discover(paths: Iterable[Path], *, skip_bookkeeping: bool = False) -> Iterator[Candidate]:
    """Every importable file under ``paths``, in sorted order, each once.

    ``skip_bookkeeping`` leaves out ``done/`` and ``failed/`` folders (the watcher's).
    Raises InvalidInput for a path that does not exist (nothing is imported then).
    """
    roots: list[Path] = []
    for path in paths:
        if not os.path.lexists(path):
            raise InvalidInput(f"{path}: no such file or folder")
        roots.append(Path(os.path.realpath(path)))
    seen: set[Path] = set()
    for given, root in zip(paths, roots, strict=True):
        if root.is_file():
            candidate = _candidate(Path(given), roots)
            if candidate is not None and candidate.real not in seen:
                seen.add(candidate.real)
                yield candidate
            continue
        for folder, dirs, files in os.walk(given, followlinks=False):
            dirs[:] = sorted(
                d
                for d in dirs
                if not d.startswith(".") and not (skip_bookkeeping and d in SKIP_DIRS)
            )
            for name in sorted(files):
                if name.startswith("."):
                    continue
                candidate = _candidate(Path(folder) / name, roots)
                if candidate is None or candidate.real in seen:
                    continue
                seen.add(candidate.real)
                yield candidate
            # A symlinked folder is not walked (followlinks=False) but is reported.
            for name in list(dirs):
                link = Path(folder) / name
                if link.is_symlink():
                    dirs.remove(name)
                    yield Candidate(link, link, refused=_outside_or_link(link, roots))


def _candidate(path: Path, roots: list[Path]) -> Candidate | None:
    if path.suffix.lower() not in SUFFIXES:
        return Candidate(path, path, skipped=SKIPPED) if path.is_file() else None
    real = Path(os.path.realpath(path))
    if path.is_symlink() and not _inside(real, roots):
        return Candidate(path, real, refused=_outside_or_link(path, roots))
    if not _inside(real, roots):
        return Candidate(path, real, refused="resolves outside the folders being imported")
    if not real.is_file():
        return Candidate(path, real, refused="not a regular file")
    return Candidate(path, real)


def _outside_or_link(path: Path, roots: list[Path]) -> str:
    target = Path(os.path.realpath(path))
    if not _inside(target, roots):
        return f"a symbolic link to {target}, outside the folders being imported: refused"
    return "a symbolic link to a folder: not followed"


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)
