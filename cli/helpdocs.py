"""Help as people read it: commands in panels, whole one-line descriptions, two examples
and the global options under every command, in the user's language.

`decorate(app)` runs once, after every command group registered itself, and gives each
command its panel (Typer's ``rich_help_panel``), its examples (the ``epilog``) and the
help classes below. The classes write click's plain layout (fast: no Rich at --help) and
translate as they write, so the language chosen by ``--lang`` or the locale at run time
is the one shown.
"""

from __future__ import annotations

import inspect
from typing import Any

import typer
from contractctl.cli.help_examples import EXAMPLES, PANEL_ORDER, PANELS
from typer.core import TyperCommand, TyperGroup

from contractctl.i18n import _

OTHER_PANEL = "Other"

GLOBAL_NOTE = (
    "Global options, before or after the command: --home DIR (the store), --as USER "
    "(who acts), --json (JSON on stdout), -q/--quiet (data only); --lang zh|en before "
    "it. See: contractctl --help."
)


def summary(command: Any) -> str:
    """The command's description as one whole sentence (never cut with '...')."""
    if command.short_help:
        return _(inspect.cleandoc(command.short_help))
    text = inspect.cleandoc(command.help or "").partition("\f")[0]
    paragraph = " ".join(text.split("\n\n", 1)[0].split())
    translated = _(paragraph)
    if translated != paragraph:
        return translated
    first = paragraph.split(". ", 1)[0]
    return _(first.rstrip(".")) if first != paragraph else paragraph


def examples_text(path: str) -> str:
    """The epilog of command ``path`` ("party add"): its examples, in English."""
    pair = EXAMPLES.get(path)
    if not pair:
        return ""
    return "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in pair)


def _command_key(ctx: Any) -> str:
    return ctx.command_path.split(" ", 1)[1] if " " in ctx.command_path else ""


class _Localised:
    """Usage, description, options and epilog written in the current language."""

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_("Usage: "))

    def format_help_text(self, ctx: Any, formatter: Any) -> None:
        help_text = getattr(self, "help", None)
        if not help_text:
            return
        text = inspect.cleandoc(help_text).partition("\f")[0]
        whole = _(" ".join(text.split()))
        if whole == " ".join(text.split()):
            paragraphs = text.split("\n\n")
            head = " ".join(paragraphs[0].split())
            translated_head = _(head)
            if translated_head != head:
                paragraphs[0] = translated_head
            whole = "\n\n".join(paragraphs)
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(whole)

    def format_options(self, ctx: Any, formatter: Any) -> None:
        args: list[tuple[str, str]] = []
        opts: list[tuple[str, str]] = []
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            record = param.get_help_record(ctx)
            if record is None:
                continue
            names, text = record
            own = getattr(param, "help", None) or ""
            if own and text.startswith(own):
                text = _(own) + text[len(own) :]
            text = text.replace("[required]", _("[required]"))
            text = text.replace("[default: ", _("[default: "))
            text = text.replace("[env var: ", _("[env var: "))
            if param.param_type_name == "argument":
                args.append((names, text))
            else:
                opts.append((names, text))
        if args:
            with formatter.section(_("Arguments")):
                formatter.write_dl(args)
        if opts:
            with formatter.section(_("Options")):
                formatter.write_dl(opts)
        if isinstance(self, TyperGroup):
            self.format_commands(ctx, formatter)

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        key = _command_key(ctx)
        pair = EXAMPLES.get(key)
        if pair:
            formatter.write_paragraph()
            formatter.write_text(_("Examples:"))
            with formatter.indentation():
                for line in pair:
                    formatter.write_text(line)
        if key:
            formatter.write_paragraph()
            formatter.write_text(_(GLOBAL_NOTE))


class _BoundedInts:
    """Whole-number options and arguments no larger than the store keeps: click reads
    ``--limit 99999999999999999999`` as a Python int, which SQLite (64-bit integers) and
    C (a process count) then refuse with an internal error; it is a usage error here."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        for param in self.params:  # type: ignore[attr-defined]
            if type(param.type).__name__ == "IntParamType":
                param.type = _int64(type(param.type))
        return super().parse_args(ctx, args)  # type: ignore[misc, no-any-return]


_INT64: dict[type, Any] = {}


def _int64(kind: type) -> Any:
    """click's (or Typer's vendored click's) integer type, refusing what 64 bits cannot hold."""
    if kind not in _INT64:

        class Int64(kind):  # type: ignore[misc]
            def convert(self, value: Any, param: Any, ctx: Any) -> Any:
                number = super().convert(value, param, ctx)
                if isinstance(number, int) and not -(2**63) <= number < 2**63:
                    self.fail(_("{value} is too large").format(value=value), param, ctx)
                return number

        _INT64[kind] = Int64()
    return _INT64[kind]


class HelpCommand(_BoundedInts, _Localised, TyperCommand):
    """A command whose help is localised and ends with examples and the global options."""


class HelpGroup(_Localised, TyperGroup):
    """A group whose commands are listed in panels, each with its whole description."""

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        panels: dict[str, list[tuple[str, str]]] = {}
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            panel = getattr(command, "rich_help_panel", None) or (
                OTHER_PANEL if ctx.parent is None else "Commands"
            )
            panels.setdefault(panel, []).append((name, summary(command)))
        order = [p for p in PANEL_ORDER if p in panels]
        order += [p for p in panels if p not in order]
        for panel in order:
            with formatter.section(_(panel)):
                formatter.write_dl(panels[panel])


def decorate(app: typer.Typer, prefix: str = "") -> None:
    """Give every registered command its panel, examples and help class (recursively)."""
    if not prefix:
        app.info.cls = HelpGroup
    for info in app.registered_commands:
        name = info.name or (info.callback.__name__ if info.callback else "")
        path = f"{prefix}{name}"
        info.cls = HelpCommand
        if not prefix:
            info.rich_help_panel = PANELS.get(name, OTHER_PANEL)
        info.epilog = examples_text(path) or None
    for group in app.registered_groups:
        name = group.name or ""
        path = f"{prefix}{name}"
        group.cls = HelpGroup
        if not prefix:
            group.rich_help_panel = PANELS.get(name, OTHER_PANEL)
        group.epilog = examples_text(path) or None
        if group.typer_instance is not None:
            group.typer_instance.info.cls = HelpGroup
            decorate(group.typer_instance, prefix=f"{path} ")
