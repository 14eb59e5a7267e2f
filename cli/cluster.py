"""The ``--cluster`` option the batch commands share (import, ocr-check, draft-batch)."""

from __future__ import annotations

from typing import Annotated

import typer

#: ``--cluster tcp://HOST:8786``, or the CONTRACTCTL_CLUSTER variable.
ClusterOption = Annotated[
    str | None,
    typer.Option(
        "--cluster",
        envvar="CONTRACTCTL_CLUSTER",
        metavar="tcp://HOST:8786",
        help="Run the heavy steps on this Dask scheduler's contractctl workers (or set "
        "CONTRACTCTL_CLUSTER); the results are stored here, as locally. Default: this "
        "machine's cores.",
        show_envvar=False,
    ),
]
