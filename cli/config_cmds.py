"""`contractctl config get/set`: the settings of contractctl.toml, one at a time."""

from __future__ import annotations

from typing import Annotated

import typer
from contractctl.cli.context import app_context
from contractctl.cli.output import emit_json

config_app = typer.Typer(
    help="Store settings in contractctl.toml: your company's details, id prefix, currency.",
    no_args_is_help=True,
)

KeyArg = Annotated[
    str, typer.Argument(metavar="KEY", help="A setting, such as company.uscc or company.address.")
]


@config_app.command("get")
def config_get(ctx: typer.Context, key: KeyArg) -> None:
    """Print one setting's value (empty when it is not set)."""
    from contractctl.config import get_value

    app = app_context(ctx)
    value = get_value(app.home, key)
    if app.json:
        emit_json({"key": key, "value": value})
        return
    typer.echo(value)


@config_app.command("set")
def config_set(
    ctx: typer.Context,
    key: KeyArg,
    value: Annotated[str, typer.Argument(metavar="VALUE", help="The new value.")],
) -> None:
    """Change one setting; the file is validated first (a credit code must be valid),
    and comments and other lines are kept."""
    from contractctl.config import get_value, set_value

    app = app_context(ctx)
    set_value(app.home, key, value)
    stored = get_value(app.home, key)
    if app.json:
        emit_json({"key": key, "value": stored})
        return
    typer.echo(stored)
    app.note(f"{key} set in {app.home / 'contractctl.toml'}")


def register(app: typer.Typer) -> None:
    """Attach the `config` group."""
    app.add_typer(config_app, name="config")
