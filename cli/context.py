"""One context per invocation: settings, the store (opened on first use), consoles.

Nothing here is created at import time; the root callback builds an AppContext and
every command receives it through ``typer.Context.obj``.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from contractctl.store import Store


def default_user() -> str:
    """CONTRACTCTL_USER, else the OS login name."""
    env = os.environ.get("CONTRACTCTL_USER")
    if env:
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass
class AppContext:
    """What every command needs: who acts, where the store is, how to print."""

    home_option: str | None = None
    user: str = field(default_factory=default_user)
    json: bool = False
    quiet: bool = False
    _store: Store | None = None
    _out: Console | None = None
    _err: Console | None = None
    _saved_temp: tuple[str | None, str | None] | None = None

    @property
    def home(self) -> Path:
        """The resolved store folder."""
        from contractctl.config import resolve_home

        return resolve_home(self.home_option)

    def store(self) -> Store:
        """The open store (opened once, on first use).

        From then on temporary files (ours, and those of LibreOffice, Tesseract and the
        worker processes, through TMPDIR) go to the store's tmp/ folder, swept at the
        next start if this process is killed.
        """
        if self._store is None:
            from contractctl.store import Store

            self._store = Store.open(self.home)
            from contractctl.dates import set_zone

            set_zone(self._store.settings.store.timezone)  # times shown, today, business days
            folder = self._store.temp_dir()
            if folder is not None:
                self._redirect_temp(str(folder))
        return self._store

    def _redirect_temp(self, folder: str) -> None:
        import tempfile

        self._saved_temp = (tempfile.tempdir, os.environ.get("TMPDIR"))
        tempfile.tempdir = folder
        os.environ["TMPDIR"] = folder

    def _restore_temp(self) -> None:
        import tempfile

        if self._saved_temp is None:
            return
        tempdir, env = self._saved_temp
        tempfile.tempdir = tempdir
        if env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = env
        self._saved_temp = None

    @property
    def out(self) -> Console:
        """Rich console on stdout, for data shown to people."""
        if self._out is None:
            self._out = _console(stderr=False)
        return self._out

    @property
    def err(self) -> Console:
        """Rich console on stderr, for messages and progress."""
        if self._err is None:
            self._err = _console(stderr=True)
        return self._err

    def note(self, message: str) -> None:
        """A human message on stderr, unless --quiet or --json; in the user's language
        when the catalog knows its shape (contractctl.i18n.translate)."""
        if not (self.quiet or self.json):
            from contractctl.i18n import translate

            self.err.print(translate(message))

    def close(self) -> None:
        """Close the store if it was opened (removing this run's temporary folder)."""
        self._restore_temp()
        if self._store is not None:
            self._store.close()
            self._store = None


def _console(*, stderr: bool) -> Console:
    import sys

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Piped output is never wrapped, so `contractctl list | grep` sees whole rows.
    width = None if stream.isatty() else 10_000
    # markup=False: contract text may contain [brackets] that are not Rich markup.
    return Console(stderr=stderr, markup=False, highlight=False, emoji=False, width=width)


def app_context(ctx: typer.Context) -> AppContext:
    """The AppContext built by the root callback."""
    obj: Any = ctx.find_root().obj
    if isinstance(obj, AppContext):
        return obj
    fresh = AppContext()  # a command invoked without the root callback (tests, embedding)
    ctx.find_root().obj = fresh
    return fresh
