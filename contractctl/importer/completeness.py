"""Is a settled file really finished? Two signs beyond "it stopped changing".

A writer may pause for longer than the settle time (a scanner between pages, a copy
over a slow link) and then go on. Judging the half file sends it to failed/ while the
writer finishes it there. So before the watcher takes a settled file it asks:

- **does it end like its kind of file?** A PDF ends with ``%%EOF`` (incremental
  updates too), a DOCX or any ZIP with its end-of-central-directory record, a PNG with
  its IEND chunk, a JPEG with FFD9. A file that does not is given more time;
- **does a process on this machine still hold it open for writing?** (Linux:
  /proc/PID/fd and the flags in /proc/PID/fdinfo.) A local writer that pauses keeps
  its file open. Writers on other machines (a network share) are not seen; the
  trailer check covers them.

Pure reads of the file's tail and of /proc; nothing is opened for writing.
"""

from __future__ import annotations

import os
from pathlib import Path

#: How much of the tail is read: a ZIP comment may be up to 64 KiB after the record.
_TAIL = 66_000 + 22


def looks_complete(path: Path) -> bool:
    """False when the file visibly stops short of its format's ending; True when it ends
    as it should, or when its kind has no ending to check (TIFF, text)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
            handle.seek(max(0, size - _TAIL))
            tail = handle.read()
    except OSError:
        return True  # vanished or unreadable: the import says what is wrong
    if head.startswith(b"%PDF-") or path.suffix.lower() == ".pdf":
        return b"%%EOF" in tail[-2048:]
    if head.startswith(b"PK\x03\x04"):
        return b"PK\x05\x06" in tail
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return b"IEND" in tail[-32:]
    if head.startswith(b"\xff\xd8"):
        return b"\xff\xd9" in tail[-1024:]
    return True


def held_for_writing(path: Path) -> bool:
    """Whether a process on this machine has ``path`` open for writing (False where
    /proc cannot tell: another OS, or processes we may not look into)."""
    try:
        target = path.resolve()
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return False
    for pid in pids:
        fd_dir = f"/proc/{pid}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"{fd_dir}/{fd}") != str(target):
                    continue
                with open(f"/proc/{pid}/fdinfo/{fd}", encoding="ascii") as info:
                    flags = next(
                        (int(line.split()[1], 8) for line in info if line.startswith("flags:")),
                        0,
                    )
            except (OSError, ValueError, IndexError):
                continue
            if flags & (os.O_WRONLY | os.O_RDWR):
                return True
    return False
