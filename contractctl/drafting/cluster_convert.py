"""draft-batch's conversions on a Dask cluster (``--cluster``).

The rows are validated, rendered and stored here, as locally; only the DOCX to PDF
conversion, the costly step (~0.5 s a document warm, against ~70 ms to render),
travels: each DOCX's bytes go to a ``contractctl worker`` slot that keeps a warm
LibreOffice (the resource ``office``), its PDF's bytes come back, and the batch checks
and stores it in CSV row order, as it does a local conversion.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from contractctl.cluster import Call, Executor, ordered
from contractctl.cluster.remote import OFFICE
from contractctl.errors import EnvironmentProblem

OnDone = Any  # Callable[[Path, str | None], None], as ConverterPool's


def convert_on_worker(name: str, docx: bytes) -> tuple[bytes | None, str | None]:
    """On a worker slot: the PDF of ``docx`` by the slot's warm LibreOffice, or why not
    (never raises for a document that will not convert: the batch reports the row)."""
    from contractctl.cluster.worker import warm

    pool = warm(OFFICE)
    with tempfile.TemporaryDirectory(prefix="contractctl-convert-") as tmp:
        src = Path(tmp) / (Path(name).name or "document.docx")
        dst = src.with_suffix(".pdf")
        src.write_bytes(docx)
        error = pool.convert([(src, dst)])[src]
        if error is not None:
            return None, error
        return dst.read_bytes(), None


class ClusterConverter:
    """:class:`~contractctl.drafting.converter_pool.ConverterPool`'s ``convert`` with
    each document converted on the cluster's office slots."""

    def __init__(self, executor: Executor) -> None:
        offices = getattr(executor, "capacity", {}).get(OFFICE, 0)
        if not offices:
            raise EnvironmentProblem(
                f"no worker of the cluster at {executor.where} keeps a LibreOffice",
                hint="start workers without --no-office, or draft without --cluster",
            )
        self.executor = executor
        self.window = 2 * offices

    def convert(
        self, jobs: Sequence[tuple[Path, Path]], on_done: OnDone | None = None
    ) -> dict[Path, str | None]:
        """Convert every (src, dst) pair; ``on_done(src, error_or_None)`` in src order."""
        results: dict[Path, str | None] = {}

        def items() -> Iterator[tuple[tuple[Path, Path, str | None], Call | None]]:
            for src, dst in jobs:
                try:
                    data = src.read_bytes()
                except OSError as exc:
                    yield (src, dst, f"cannot read {src.name}: {exc.strerror}"), None
                    continue
                yield (src, dst, None), Call(convert_on_worker, (src.name, data), needs=OFFICE)

        for (src, dst, problem), outcome in ordered(self.executor, items(), window=self.window):
            error = problem
            if error is None and outcome.error is not None:
                error = f"conversion failed on the cluster: {outcome.error}"
            elif error is None:
                pdf, error = outcome.value
                if pdf is not None:
                    dst.write_bytes(pdf)
            results[src] = error
            if on_done is not None:
                on_done(src, error)
        return results
