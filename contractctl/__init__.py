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
if _sys.argv and _os.path.basename(_sys.argv[0]) == "contractctl":
    import signal as _signal

    _signal.signal(_signal.SIGINT, _interrupted_while_starting)
    _signal.signal(_signal.SIGTERM, _interrupted_while_starting)
