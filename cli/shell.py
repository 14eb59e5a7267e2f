"""`contractctl completion SHELL`: the tab-completion script for bash, zsh or fish.

The script calls contractctl back with ``_CONTRACTCTL_COMPLETE`` set; `main.run` answers
those calls through Typer's completion before anything else runs.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

PROG = "contractctl"
COMPLETE_VAR = "_CONTRACTCTL_COMPLETE"


class Shell(StrEnum):
    """The shells we write a script for."""

    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def completion_script(shell: str) -> str:
    """The completion script Typer writes for ``shell``, for the contractctl command."""
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name=PROG, complete_var=COMPLETE_VAR, shell=shell)


def completion_command(
    shell: Annotated[Shell, typer.Argument(help="bash, zsh or fish.", show_default=False)],
) -> None:
    """Print the shell's tab-completion script for contractctl.

    bash: `contractctl completion bash > ~/.local/share/bash-completion/completions/contractctl`;
    zsh: put `contractctl completion zsh` in a file named _contractctl on your $fpath;
    fish: `contractctl completion fish > ~/.config/fish/completions/contractctl.fish`.
    """
    import sys

    sys.stdout.write(completion_script(shell.value) + "\n")


def answer_completion_request() -> None:
    """Prepare Typer's completion classes when a shell is asking for completions."""
    import os

    if os.environ.get(COMPLETE_VAR):
        from typer._completion_classes import completion_init

        completion_init()


def register(app: typer.Typer) -> None:
    """Add the completion command to the root app."""
    app.command("completion")(completion_command)
