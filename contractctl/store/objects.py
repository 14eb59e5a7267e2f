"""Content-addressed files: ``objects/ab/cdef…`` named by their SHA-256.

A contract's DOCX, PDF, signed PDF and scans are stored once, under the hash of their
bytes, so any file can be proven to be exactly what was approved. Files are written to
a temporary name, fsynced, then renamed: a crash never leaves a half file under a
final name.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from contractctl.errors import StoreProblem

CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, streamed (contracts may be large scans)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


class ObjectStore:
    """The folder of immutable, hash-named files under a store's home."""

    def __init__(self, root: Path, scratch: Callable[[], Path] | None = None) -> None:
        self.root = root
        self._scratch = scratch

    def path(self, sha: str) -> Path:
        """Where the object with this hash lives (whether or not it exists)."""
        if len(sha) != 64 or not all(c in "0123456789abcdef" for c in sha):
            raise ValueError(f"not a SHA-256 hex digest: {sha!r}")
        return self.root / sha[:2] / sha[2:]

    def has(self, sha: str) -> bool:
        """Whether the object is present."""
        return self.path(sha).is_file()

    def read_bytes(self, sha: str) -> bytes:
        """The object's bytes; a missing object is a damaged store (exit 4)."""
        try:
            return self.path(sha).read_bytes()
        except FileNotFoundError as exc:
            raise StoreProblem(
                f"object {sha[:12]} is missing from the store", hint="run contractctl fsck"
            ) from exc
        except OSError as exc:
            raise StoreProblem(f"cannot read object {sha[:12]}: {exc.strerror or exc}") from exc

    def read_checked(self, sha: str) -> bytes:
        """The object's bytes, checked against its name: what is signed, timestamped or
        archived must be the file that was stored, not a damaged one (exit 4)."""
        data = self.read_bytes(sha)
        if hashlib.sha256(data).hexdigest() != sha:
            raise StoreProblem(
                f"object {sha[:12]} ({self.path(sha)}) does not match its SHA-256: "
                "the store is damaged",
                hint="run contractctl fsck",
            )
        return data

    def put_bytes(self, data: bytes) -> tuple[str, bool]:
        """Store ``data``; return (sha256, whether a new file was created)."""
        sha = hashlib.sha256(data).hexdigest()
        if self.has(sha):
            return sha, False
        self._write(sha, [data])
        return sha, True

    def put_file(self, source: Path) -> tuple[str, bool]:
        """Store a copy of ``source`` byte for byte; return (sha256, created)."""
        sha = sha256_file(source)
        if self.has(sha):
            return sha, False
        with source.open("rb") as handle:
            self._write(sha, iter(lambda: handle.read(CHUNK), b""))
        if sha256_file(self.path(sha)) != sha:
            self.path(sha).unlink()
            raise StoreProblem(f"{source} changed while it was being stored; try again")
        return sha, True

    def remove(self, sha: str) -> None:
        """Delete an object; used only to undo objects of a rolled-back transaction."""
        with suppress(FileNotFoundError):
            self.path(sha).unlink()

    def _write(self, sha: str, chunks: object) -> None:
        final = self.path(sha)
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self._temp_folder(final.parent), prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                for chunk in chunks:  # type: ignore[attr-defined]
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp_name, 0o444)
            os.replace(tmp_name, final)
        except BaseException:
            with suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
        _fsync_dir(final.parent)

    def _temp_folder(self, beside: Path) -> Path:
        """Where a new object is written before it is renamed into place: the process's
        scratch folder under the store (swept after a kill) when it is on the same file
        system as ``objects/``, else beside the final name."""
        if self._scratch is None:
            return beside
        try:
            folder = self._scratch()
            if folder.stat().st_dev == beside.stat().st_dev:
                return folder
        except OSError:
            pass
        return beside


def _fsync_dir(path: Path) -> None:
    """Make a rename durable: fsync the directory that holds the new name."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
