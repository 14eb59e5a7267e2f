"""The `contractctl` command: root options, command registration, the error boundary.

Every ContractctlError raised by the core becomes one line on stderr and its exit code
here, in one place (and, with --json, an ``{"error": {...}}`` object on stdout). A
traceback is shown only with CONTRACTCTL_DEBUG=1.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated

import typer  # (contractctl/__init__.py: Ctrl-C while this loads ends quietly)
from contractctl.cli.context import AppContext

if TYPE_CHECKING:
    from contractctl.errors import ContractctlError

app = typer.Typer(
    name="contractctl",
    help="Contract lifecycle from the command line: draft, approve, sign, amend, "
    "OCR-check, archive, search, remind. Global options may be given before or after "
    "the command.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

#: Exit code for a bug in contractctl itself (EX_SOFTWARE); never for bad input.
INTERNAL_ERROR = 70


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("contractctl")
        except PackageNotFoundError:  # run from a checkout that was never installed
            number = "unknown"
        sys.stdout.write(f"contractctl {number}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    home: Annotated[
        str | None,
        typer.Option(
            "--home",
            metavar="DIR",
            help="Store folder (default: $CONTRACTCTL_HOME, then the user data folder).",
            show_default=False,
        ),
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as",
            metavar="USER",
            help="Act for this person: allowed with a delegation from them or for admins "
            "in people.toml (default: your OS login's person; see docs/trust.md).",
            show_default=False,
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Machine-readable JSON on stdout.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only data on stdout; no messages.")
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="zh|en",
            help="Language of messages and help (default: $CONTRACTCTL_LANG, then the "
            "locale); before the command.",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Show contractctl's version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Contract lifecycle from the command line."""
    if lang:
        from contractctl.i18n import set_language

        set_language(lang)
    context = AppContext(home_option=home, json=json_output, quiet=quiet)
    if as_user:
        context.user = as_user
    ctx.obj = context
    ctx.call_on_close(context.close)


def _register() -> None:
    from contractctl.cli import (
        amend,
        approval,
        archive,
        attach,
        config_cmds,
        contracts,
        drafting,
        importing,
        inbox,
        keys,
        lifecycle,
        notify,
        obligation,
        ocr,
        order,
        party,
        payment,
        remind,
        report,
        review,
        search,
        shell,
        signing,
        store_cmds,
        template,
        worker,
    )
    from contractctl.cli.helpdocs import decorate

    store_cmds.register(app)
    party.register(app)
    template.register(app)
    drafting.register(app)
    contracts.register(app)
    approval.register(app)
    lifecycle.register(app)
    config_cmds.register(app)
    keys.register(app)
    signing.register(app)
    amend.register(app)
    search.register(app)
    importing.register(app)
    review.register(app)
    archive.register(app)
    ocr.register(app)
    remind.register(app)
    obligation.register(app)
    payment.register(app)
    order.register(app)
    attach.register(app)
    inbox.register(app)
    notify.register(app)
    report.register(app)
    shell.register(app)
    worker.register(app)
    decorate(app)


_register()

GLOBAL_FLAGS = {"--json", "--quiet", "-q"}
GLOBAL_VALUED = {"--home", "--as"}


def hoist_global_options(args: list[str]) -> list[str]:
    """Move global options written after the command to the front.

    Scripts write `contractctl list --json` as often as `contractctl --json list`;
    both must work. Nothing after a `--` separator is touched.
    """
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        token = args[index]
        if token == "--":
            rest.extend(args[index:])
            break
        name = token.split("=", 1)[0]
        if token in GLOBAL_FLAGS or (name in GLOBAL_VALUED and "=" in token):
            front.append(token)
        elif token in GLOBAL_VALUED and index + 1 < len(args):
            front.extend(args[index : index + 2])
            index += 1
        else:
            rest.append(token)
        index += 1
    return front + rest


def leading_language(args: list[str]) -> str | None:
    """The ``--lang`` given before the command, if any (after it, ``--lang`` is the
    command's own: OCR languages for import, labels for report)."""
    index = 0
    while index < len(args) and args[index].startswith("-"):
        token = args[index]
        if token.startswith("--lang="):
            return token.split("=", 1)[1]
        if token == "--lang" and index + 1 < len(args):
            return args[index + 1]
        index += 2 if token in GLOBAL_VALUED | {"--lang"} else 1
    return None


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run, then exit with the documented code."""
    sys.exit(run(sys.argv[1:] if argv is None else argv))


def run(argv: list[str]) -> int:
    """Run the CLI on ``argv`` and return the exit code (never raises)."""
    import signal

    from contractctl.cli.shell import answer_completion_request

    from contractctl.errors import ContractctlError, Interrupted, StoreProblem, Terminated
    from contractctl.i18n import _, set_language
    from contractctl.store.signals import interrupts_raise

    answer_completion_request()
    args = hoist_global_options(list(argv))
    set_language(leading_language(args))
    json_mode = "--json" in args[: args.index("--")] if "--" in args else "--json" in args
    debug = os.environ.get("CONTRACTCTL_DEBUG") == "1"
    quiet_library_warnings(debug)
    before = writes_now()
    try:
        with interrupts_raise() as received:  # SIGTERM unwinds like Ctrl-C: roll back
            result = app(args=args, prog_name="contractctl", standalone_mode=False)
        if result == 130 and received:  # Typer turns KeyboardInterrupt into a silent 130
            term = received[-1] == signal.SIGTERM
            message = stopped("terminated" if term else "interrupted", before)
            return report(Interrupted(message, cause=Terminated() if term else None), json_mode)
        return result if isinstance(result, int) else 0
    except ContractctlError as exc:
        if debug:
            raise
        return report(exc, json_mode)
    except (typer.Abort, KeyboardInterrupt) as exc:
        # click turns KeyboardInterrupt (and so Terminated) into Abort, keeping the cause
        cause = exc if isinstance(exc, KeyboardInterrupt) else exc.__cause__
        what = "terminated" if isinstance(cause, Terminated) else "interrupted"
        return report(Interrupted(stopped(what, before), cause=cause), json_mode)
    except Exception as exc:
        wrapped = interrupt_within(exc)
        if wrapped is not None:
            what = "terminated" if isinstance(wrapped, Terminated) else "interrupted"
            return report(Interrupted(stopped(what, before), cause=wrapped), json_mode)
        if isinstance(exc, _usage_errors()):
            from contractctl.errors import InvalidInput

            command = getattr(getattr(exc, "ctx", None), "command_path", None)
            hint = _("see: {command} --help").format(command=command) if command else None
            message = exc.format_message()  # type: ignore[attr-defined]
            return report(InvalidInput(message, hint=hint), json_mode)
        import sqlite3

        if debug:
            raise
        if isinstance(exc, sqlite3.DatabaseError):
            return report(StoreProblem(f"store database error: {exc}"), json_mode)
        error = ContractctlError(
            f"internal error: {type(exc).__name__}: {exc}",
            hint="this is a bug in contractctl; rerun with CONTRACTCTL_DEBUG=1 for the traceback",
        )
        error.exit_code = INTERNAL_ERROR
        error.kind = "internal"
        return report(error, json_mode)


def writes_now() -> tuple[int, int, int]:
    """The store transactions this process has begun, committed and rolled back so far
    (none when the store was never loaded: --version, --help, diff of two files)."""
    signals = sys.modules.get("contractctl.store.signals")
    return (0, 0, 0) if signals is None else signals.WRITES.snapshot()


def stopped(what: str, before: tuple[int, int, int]) -> str:
    """The line an interrupt ends with, saying what it stopped: ``what`` is interrupted
    or terminated; ``before`` is :func:`writes_now` as the command started."""
    begun, committed, rolled = (now - then for now, then in zip(writes_now(), before, strict=True))
    if begun == 0:
        return f"{what}; nothing was written"
    if committed == begun:
        return f"{what}; no change was in hand (those made before it are kept)"
    if rolled == 0:  # `init` stopped while it made the store's files: it is idempotent
        return f"{what} while writing; run the command again to finish"
    return f"{what}; the change in hand was rolled back"


def interrupt_within(exc: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C or SIGTERM behind ``exc``, when Python wrapped one in another error:
    3.11 turns one raised while a class is being made (a module imported lazily) into
    RuntimeError("Error calling __set_name__ ..."), which was exit 70 (the soak)."""
    seen: set[int] = set()
    cause = exc.__cause__ or exc.__context__
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


def quiet_library_warnings(debug: bool) -> None:
    """Library warnings (pyHanko importing cryptography's deprecated DSA, and the like)
    never reach the user's stderr: they are about the libraries, not the user's files,
    and cron mails whatever a command prints there. ``CONTRACTCTL_DEBUG=1`` or an explicit
    ``-W``/``PYTHONWARNINGS`` keeps Python's own handling."""
    import warnings

    if not debug and not sys.warnoptions:
        warnings.simplefilter("ignore")


def _usage_errors() -> tuple[type[Exception], ...]:
    """Typer's own (vendored click) usage errors, and plain click's for Typer < 0.27."""
    import importlib

    kinds: list[type[Exception]] = []
    typer_base = getattr(typer, "TyperException", None)
    if isinstance(typer_base, type):
        kinds.append(typer_base)
    try:
        click = importlib.import_module("click")
    except ModuleNotFoundError:
        return tuple(kinds)
    kinds.append(click.ClickException)
    return tuple(kinds)


def report(exc: ContractctlError, json_mode: bool) -> int:
    """Print an error as one line (plus its hint) and return its exit code."""
    from contractctl.cli.output import emit_json

    from contractctl.i18n import _, translate

    if json_mode:
        emit_json({"error": exc.to_dict()})
    message = translate(" ".join(exc.message.split("\n")))
    sys.stderr.write(f"contractctl: {_('error')}: {message}\n")
    for problem in getattr(exc, "problems", []):
        sys.stderr.write(f"  - {translate(str(problem))}\n")
    if exc.hint:
        sys.stderr.write(f"  {_('hint')}: {translate(exc.hint)}\n")
    sys.stderr.flush()
    return exc.exit_code


if __name__ == "__main__":
    main()
