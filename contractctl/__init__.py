"""contractctl: the contract lifecycle as a library and a command line.

The core library (this package) never imports the CLI layer (contractctl.cli), Typer
or Rich; a Python user can drive every capability from here.
"""

__version__ = "0.1.0"
