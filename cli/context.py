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

    @property
    def home(self) -> Path:
        """The resolved store folder."""
        from contractctl.config import resolve_home

        return resolve_home(self.home_option)

    def store(self) -> Store:
        """The open store (opened once, on first use)."""
        if self._store is None:
            from contractctl.store import Store

            self._store = Store.open(self.home)
        return self._store

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
        """A human message on stderr, unless --quiet or --json."""
        if not (self.quiet or self.json):
            self.err.print(message)

    def close(self) -> None:
        """Close the store if it was opened."""
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
