"""Where the heavy steps of a batch run: this machine, or a Dask cluster.

Modules:

- ``executor``: the seam (:class:`Call`, :class:`Outcome`, :class:`Executor`,
  :class:`InProcess`) and :func:`ordered`, which keeps calls in flight and gives the
  outcomes back in the items' order, for the command to store;
- ``local``: :class:`LocalPool`, the default, a process pool of this machine;
- ``remote``: the Dask executor (``--cluster tcp://HOST:8786``);
- ``worker``: what ``contractctl worker`` runs, and the per-slot warm resources (a
  LibreOffice) the calls find there.

The stages (importer, ocr, drafting) define the calls, as pure functions of bytes; this
package knows none of them and imports only the kernel, so every stage may use it.
Dask is imported only when a cluster is used.
"""

from __future__ import annotations

import os

from contractctl.cluster.executor import Call, Executor, InProcess, Outcome, TaskLost, ordered

#: The scheduler every batch command uses when --cluster is not given.
CLUSTER_ENV = "CONTRACTCTL_CLUSTER"

__all__ = [
    "CLUSTER_ENV",
    "Call",
    "Executor",
    "InProcess",
    "Outcome",
    "TaskLost",
    "open_executor",
    "ordered",
]


def open_executor(cluster: str | None, slots: int | None = None) -> Executor:
    """The executor for a batch: the Dask scheduler at ``cluster`` when given (exit 4
    if it cannot be reached), else ``slots`` local processes (default one per core;
    one runs the calls in this process)."""
    if cluster:
        from contractctl.cluster.remote import connect

        return connect(cluster)
    count = slots or os.cpu_count() or 1
    if count == 1:
        return InProcess()
    from contractctl.cluster.local import LocalPool

    return LocalPool(count)
