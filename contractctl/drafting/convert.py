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

This module holds the one-shot path and what both paths share: finding LibreOffice
and the system Python that has ``uno``, its private profiles, its command line, moving
PDFs into place and killing the soffice processes a timeout leaves behind. The batch
scheduler is :mod:`~contractctl.drafting.converter_pool`, one worker process as the pool
sees it :mod:`~contractctl.drafting.worker_process`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import tempfile
import uuid
from pathlib import Path

from contractctl import tools
from contractctl.drafting.footer_boxes import fixed_boxes_copy
from contractctl.drafting.unlink_fields import unlinked_copy
from contractctl.errors import ContractctlError, InvalidInput, NotFound, ToolFailed, ToolMissing

#: Set to 1 to force the chunked ``soffice --convert-to`` fallback (no UNO workers).
ENV_NO_UNO = "CONTRACTCTL_CONVERT_NO_UNO"

#: Interpreters tried, in order, before ``python3`` on PATH, for ``import uno``.
SYSTEM_PYTHONS: tuple[str, ...] = ("/usr/bin/python3",)

UNO_HINT = "install it with: sudo apt-get install python3-uno"

LOAD_FAILED = "LibreOffice could not load the document (damaged, or not a document it reads)"


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
    to a LibreOffice the user has open nor waits on a concurrent contractctl; it opens a
    copy made for LibreOffice when the DOCX needs one (:func:`layout_copy`), never the
    user's file itself. Raises NotFound for a missing ``src``, InvalidInput when
    LibreOffice cannot read it, ToolMissing without soffice and ToolFailed when soffice
    fails or times out.
    """
    src, dst = Path(src).absolute(), Path(dst).absolute()
    problem = source_problem(src)
    if problem is not None:
        cls = NotFound if not src.exists() else InvalidInput
        raise cls(f"{src}: {problem}")
    soffice = tools.find("soffice")
    dst.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="contractctl-soffice-") as tmp:
        profile = Path(tmp) / "profile"
        seed_profile(profile)
        outdir = Path(tmp) / "out"
        produced = outdir / f"{src.stem}.pdf"
        source = layout_copy(src, Path(tmp))
        try:
            tools.run(
                [*convert_argv(soffice, profile, outdir), source],
                timeout=timeout,
                expect_file=produced,
            )
        except ToolFailed as exc:
            if "could not be loaded" in exc.message:
                raise InvalidInput(f"{src.name}: {LOAD_FAILED}") from exc
            if "did not finish" in exc.message:  # which file, and that it is LibreOffice
                raise ToolFailed(
                    f"{src.name}: LibreOffice did not finish converting it to PDF "
                    f"within {timeout:g} s"
                ) from exc
            raise
        finally:
            # A timeout or Ctrl-C kills oosplash, not its child soffice.bin.
            kill_stragglers(profile)
        place(produced, dst)


def layout_copy(src: Path, folder: Path) -> Path:
    """What LibreOffice opens for ``src``: ``src`` itself, or a copy of it in ``folder``
    whose cross-references are frozen to Word's results
    (:mod:`~contractctl.drafting.unlink_fields`) and whose header and footer text boxes
    do not grow to their text, which can make LibreOffice's layout loop forever
    (:mod:`~contractctl.drafting.footer_boxes`)."""
    return fixed_boxes_copy(unlinked_copy(src, folder / "fields"), folder / "boxes")


def source_problem(src: Path) -> str | None:
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


def seed_profile(profile: Path) -> None:
    """Create a LibreOffice profile folder holding only our settings."""
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS, encoding="utf-8")


def convert_argv(soffice: str, profile: Path, outdir: Path) -> list[str]:
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


def place(produced: Path, dst: Path) -> None:
    """Move a finished PDF to ``dst`` atomically, also across file systems."""
    try:
        os.replace(produced, dst)
    except OSError:
        part = dst.with_name(f".{dst.name}.{uuid.uuid4().hex[:8]}.part")
        try:
            shutil.copyfile(produced, part)
            os.replace(part, dst)
        finally:
            unlink(part)


def unlink(path: Path | None) -> None:
    """Remove ``path`` if given, ignoring any error (it may be gone already)."""
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink()


def kill_stragglers(profile: Path) -> None:
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
