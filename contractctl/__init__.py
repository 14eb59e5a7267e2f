"""contractctl: the contract lifecycle as a library and a command line.

The core library (this package) never imports the CLI layer (contractctl.cli), Typer
or Rich; a Python user can drive every capability from here.
"""

import os as _os
import sys as _sys

__version__ = "0.1.0"


def _interrupted_while_starting(signum: int, frame: object) -> None:
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
