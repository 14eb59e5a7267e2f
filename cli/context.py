"""One context per invocation: settings, the store (opened on first use), consoles.

Nothing here is created at import time; the root callback builds an AppContext and
every command receives it through ``typer.Context.obj``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from contractctl.records.identity import Acting
    from contractctl.store import Store


@dataclass
class AppContext:
    """What every command needs: who acts, where the store is, how to print."""

    home_option: str | None = None
    #: whom --as (or $CONTRACTCTL_USER) asks to act as; None: the login's own person
    requested_user: str | None = field(default_factory=lambda: os.environ.get("CONTRACTCTL_USER"))
    json: bool = False
    quiet: bool = False
    _store: Store | None = None
    _out: Console | None = None
    _err: Console | None = None
    _saved_temp: tuple[str | None, str | None] | None = None
    _acting: Acting | None = None
    _operator_token: Any = None

    @property
    def user(self) -> str:
        """The person this command acts as: the OS login's person in people.toml, or
        whom --as names where that person may act for them (else NotAllowed, exit 3).
        Resolved on first use, so commands that act as nobody never read people.toml."""
        return self.acting.actor

    @user.setter
    def user(self, value: str) -> None:
        """``--as``: checked at once, so a refused --as changes nothing whatever the command."""
        self.requested_user = value or None
        self._acting = None
        self.acting  # noqa: B018 - resolving is the check

    @property
    def acting(self) -> Acting:
        """Who acts and, when it is someone else, who did it (recorded as operator)."""
        if self._acting is None:
            self._acting = self._resolve()
            if self._acting.operator is not None:
                from contractctl.store import audit

                self._operator_token = audit.OPERATOR.set(self._acting.operator)
        return self._acting

    def _resolve(self) -> Acting:
        from contractctl.dates import local_today
        from contractctl.errors import ConfigError
        from contractctl.records.identity import Acting, os_login, resolve
        from contractctl.records.people import load_people

        login = os_login()
        try:
            people = load_people(self.home)
        except ConfigError:
            if self.requested_user in (None, login):
                return Acting(login, None, login)  # a broken people.toml is reported later
            raise
        return resolve(people, login, self.requested_user, local_today())

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
        if self._operator_token is not None:
            from contractctl.store import audit

            audit.OPERATOR.reset(self._operator_token)
            self._operator_token = None
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
