"""A DOCX→PDF worker that keeps one headless LibreOffice warm for many documents.

contractctl.drafting.converter_pool.ConverterPool runs this file (through
contractctl.drafting.worker_process.Worker) with Debian's *system* Python
(``/usr/bin/python3``), the only interpreter that has LibreOffice's ``uno`` module
(package python3-uno). It therefore imports nothing from contractctl: only the
standard library and ``uno``.

The worker starts its own soffice with its own profile directory (``--profile``) and a
private UNO pipe, so it never collides with a user's LibreOffice or with another
worker, then reads jobs as JSON lines on stdin::

    {"id": 7, "src": "/abs/in.docx", "dst": "/abs/out.pdf"}

and answers each with one JSON line on stdout::

    {"id": 7, "ok": true}
    {"id": 7, "ok": false, "error": "..."}
    {"id": 7, "ok": false, "error": "...", "fatal": true}   # soffice is gone; exiting

Before the first job it writes ``{"ready": true, "pid": <soffice pid>}`` (or
``{"ready": false, "error": ...}``). Documents are loaded hidden, read-only, with
macros never executed and links never updated, exported with ``writer_pdf_Export``
(fonts are embedded by default) and closed. A document that fails to load is
reported and the worker carries on. On EOF (or SIGTERM) it terminates its soffice
and exits. Nothing but these JSON lines is written to stdout: soffice's own output
goes to stderr, which the pool sends to a log file.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

# uno exists only in the system Python (python3-uno); mypy never sees it.
import uno  # type: ignore[import-not-found, unused-ignore]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found, unused-ignore]
from com.sun.star.connection import (  # type: ignore[import-not-found, unused-ignore]
    NoConnectException,
)
from com.sun.star.uno import (  # type: ignore[import-not-found, unused-ignore]
    Exception as UnoException,
)
from com.sun.star.uno import (  # type: ignore[import-not-found, unused-ignore]
    RuntimeException,
)

#: com.sun.star.document.MacroExecMode.NEVER_EXECUTE and UpdateDocMode.NO_UPDATE.
NEVER_EXECUTE = 0
NO_UPDATE = 0


class SofficeGone(Exception):
    """soffice could not be started, or never accepted our connection."""


def _prop(name: str, value: Any) -> Any:
    """A com.sun.star.beans.PropertyValue."""
    prop = PropertyValue()
    prop.Name = name
    prop.Value = value
    return prop


def _emit(message: dict[str, Any]) -> None:
    """Write one JSON line to the pool and flush it at once."""
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
    sys.stdout.flush()


class Office:
    """One headless soffice process and the UNO Desktop inside it."""

    def __init__(self, soffice: str, profile: Path, startup_timeout: float) -> None:
        self.pipe = f"contractctl-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        # soffice's stdout goes to our stderr: our stdout carries only JSON lines.
        self.proc = subprocess.Popen(
            [
                soffice,
                f"-env:UserInstallation={profile.resolve().as_uri()}",
                "--headless",
                "--invisible",
                "--nocrashreport",
                "--nodefault",
                "--nofirststartwizard",
                "--nolockcheck",
                "--nologo",
                "--norestore",
                f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext",
            ],
            stdin=subprocess.DEVNULL,
            stdout=sys.stderr.fileno(),
            stderr=sys.stderr.fileno(),
        )
        try:
            self.desktop = self._connect(startup_timeout)
        except BaseException:
            self.proc.kill()
            self.proc.wait()
            raise

    def _connect(self, startup_timeout: float) -> Any:
        """Attach to soffice's pipe, polling until it listens (it takes ~1 s to start)."""
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        url = f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
        deadline = time.monotonic() + startup_timeout
        while True:
            try:
                ctx = resolver.resolve(url)
                break
            except NoConnectException:
                if self.proc.poll() is not None:
                    raise SofficeGone(
                        f"soffice exited with code {self.proc.returncode} before accepting "
                        "connections"
                    ) from None
                if time.monotonic() > deadline:
                    raise SofficeGone(
                        f"soffice did not accept connections within {startup_timeout:g} s"
                    ) from None
                time.sleep(0.1)
        return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)

    def convert(self, src: str, dst: str) -> None:
        """Export ``src`` as PDF to ``dst``; errors propagate (see ``gone`` for which are fatal)."""
        load_props = (
            _prop("Hidden", True),
            _prop("ReadOnly", True),
            _prop("MacroExecutionMode", NEVER_EXECUTE),
            _prop("UpdateDocMode", NO_UPDATE),
            _prop("Silent", True),
        )
        doc = self.desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(src), "_blank", 0, load_props
        )
        if doc is None:
            raise ValueError("LibreOffice could not load the document")
        try:
            filter_data = uno.Any(
                "[]com.sun.star.beans.PropertyValue", (_prop("UseTaggedPDF", False),)
            )
            store_props = (
                _prop("FilterName", "writer_pdf_Export"),
                _prop("FilterData", filter_data),
                _prop("Overwrite", True),
            )
            uno.invoke(doc, "storeToURL", (uno.systemPathToFileUrl(dst), store_props))
        finally:
            self._close(doc)

    def _close(self, doc: Any) -> None:
        """Close a document, falling back to dispose() when a close is vetoed."""
        try:
            doc.close(True)
        except UnoException:
            with contextlib.suppress(UnoException):
                doc.dispose()

    def gone(self, exc: BaseException) -> str | None:
        """Why soffice itself is unusable after ``exc`` (it died, the bridge dropped), or None
        when the error was about the document."""
        if self.proc.poll() is not None:
            return f"soffice died (exit code {self.proc.returncode})"
        if isinstance(exc, RuntimeException) and "disposed" in str(exc).lower():
            return f"lost the connection to soffice: {exc}"
        return None

    def stop(self) -> None:
        """Ask soffice to quit, then make sure it has."""
        if self.proc.poll() is None:
            # The bridge drops while soffice quits: any error here is expected.
            with contextlib.suppress(Exception):
                self.desktop.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _serve(office: Office) -> int:
    """Convert jobs from stdin until EOF; return the exit code."""
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            job = json.loads(line)
            job_id, src, dst = job["id"], str(job["src"]), str(job["dst"])
        except (ValueError, KeyError, TypeError) as exc:
            _emit({"id": None, "ok": False, "error": f"bad job line: {exc}"})
            continue
        try:
            office.convert(src, dst)
        except (UnoException, ValueError, OSError) as exc:
            reason = office.gone(exc)
            if reason is not None:
                # The pool kills this worker's process group, restarts it, retries the job.
                _emit({"id": job_id, "ok": False, "error": reason, "fatal": True})
                return 3
            message = getattr(exc, "Message", "") or str(exc) or type(exc).__name__
            _emit({"id": job_id, "ok": False, "error": message.strip()})
            continue
        if not os.path.exists(dst) or os.path.getsize(dst) == 0:
            _emit({"id": job_id, "ok": False, "error": "LibreOffice wrote no PDF"})
            continue
        _emit({"id": job_id, "ok": True})
    return 0


def _on_sigterm(signum: int, frame: object) -> None:
    """Told to stop now, or our parent died (setpriv's parent-death signal): soffice
    goes with us at once. soffice.bin is oosplash's child, so stopping the process we
    started would leave it running; the pool starts each worker as the leader of its own
    process group, with its soffice inside, so the group is taken down whole."""
    if os.getpgrp() == os.getpid():
        with contextlib.suppress(OSError):
            os.killpg(os.getpgrp(), signal.SIGKILL)
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    """Start soffice, announce readiness, serve jobs, stop soffice."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--soffice", required=True, help="path of the soffice program")
    parser.add_argument("--profile", required=True, type=Path, help="private profile folder")
    parser.add_argument("--startup-timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _on_sigterm)
    office: Office | None = None
    try:
        try:
            office = Office(args.soffice, args.profile, args.startup_timeout)
        except (SofficeGone, UnoException, OSError) as exc:
            _emit({"ready": False, "error": str(exc)})
            return 2
        _emit({"ready": True, "pid": office.proc.pid})
        return _serve(office)
    finally:
        if office is not None:
            office.stop()


if __name__ == "__main__":
    # A standalone program (not the library core): its exit code tells the pool why.
    raise SystemExit(main(sys.argv[1:]))
