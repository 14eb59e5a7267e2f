"""contractctl: the contract lifecycle as a library and a command line.

The core library (this package) never imports the CLI layer (contractctl.cli), Typer
or Rich; a Python user can drive every capability from here.
"""

import os as _os
import sys as _sys

__version__ = "0.1.0"


def _startup_language() -> str:
    """``zh`` or ``en`` as contractctl.i18n would choose, read before it can be loaded:
    ``--lang`` before the command, then CONTRACTCTL_LANG, LC_ALL, LC_MESSAGES, LANG."""
    args, index = _sys.argv[1:], 0
    while index < len(args) and args[index].startswith("-"):
        if args[index].startswith("--lang="):
            return "zh" if args[index][7:].lower().startswith("zh") else "en"
        if args[index] == "--lang" and index + 1 < len(args):
            return "zh" if args[index + 1].lower().startswith("zh") else "en"
        index += 2 if args[index] in ("--home", "--as") else 1
    for name in ("CONTRACTCTL_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = _os.environ.get(name, "").strip().lower()
        if value:
            return "zh" if value.startswith("zh") else "en"
    return "en"


def _interrupted_while_starting(signum: int, frame: object) -> None:
    if _startup_language() == "zh":
        _os.write(2, "contractctl: 错误: 启动时被中断;什么也没有做\n".encode())
    else:
        _os.write(2, b"contractctl: error: interrupted while starting; nothing was done\n")
    _os._exit(128 + signum)


# The console script imports this package first: from here on, Ctrl-C or SIGTERM while
# Python loads the command (nothing opened, no child started) ends at once with 130 /
# 143 and one line, not a KeyboardInterrupt traceback from the imports (the soak's
# sign and approve runs met it); the CLI installs the real handlers when it runs
# (contractctl.cli.main.run). A library import leaves the handlers as they are.
# The C module _signal, not signal: importing signal builds its enums (~7 ms under load,
# long enough for the soak's Ctrl-C to land in it and show a traceback).
if _sys.argv and _os.path.basename(_sys.argv[0]) == "contractctl":
    import importlib as _importlib

    _c_signal = _importlib.import_module("_signal")
    _c_signal.signal(_c_signal.SIGINT, _interrupted_while_starting)
    _c_signal.signal(_c_signal.SIGTERM, _interrupted_while_starting)
