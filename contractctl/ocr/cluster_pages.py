"""Pages of a scan read on a Dask cluster (``ocr-check --cluster``).

Each page is rasterised here (~70 ms) and its image's bytes travel to a ``contractctl
worker`` slot, which reads it exactly as this machine would (upright, deskewed,
Tesseract at one thread) and sends the page's words back; the check then goes on here
with the page images it kept. A page's reading is the costly step (~9 s in chi_sim+eng
on one core), so a check of many pages is spread over every slot of the cluster.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from contractctl.cluster import Call, Executor, TaskLost, ordered
from contractctl.errors import ContractctlError, ToolFailed
from contractctl.ocr.model import PageText
from contractctl.ocr.pipeline import _given, _Job, _page
from contractctl.progress import NullProgress, Progress


def on_cluster(executor: Executor) -> Callable[..., list[PageText]]:
    """A ``runner`` for ``ocr_scan``: its pages read on ``executor``'s workers."""
    return partial(_run_remote, executor)


def read_page_bytes(
    number: int, name: str, data: bytes, dpi: int | None, how: dict[str, Any]
) -> PageText:
    """On a worker: one page image, given as bytes, read as ``ocr_scan`` reads a page."""
    with tempfile.TemporaryDirectory(prefix="contractctl-page-") as tmp:
        folder = Path(tmp)
        source = folder / (Path(name).name or "page.png")
        source.write_bytes(data)
        job = _Job(number, _given(source), dpi, discard_image=True)
        return _page(job, folder, **how)


def _run_remote(
    executor: Executor,
    jobs: list[_Job],
    *,
    lang: str,
    workers: int | None,
    progress: Progress | None,
    seals: bool,
    timeout: float,
    columns: bool = False,
) -> list[PageText]:
    """The pages in order; a page that fails stops the check, as locally (a page whose
    workers all died is ToolFailed, exit 4)."""
    report = progress or NullProgress()
    how = {"lang": lang, "seals": seals, "timeout": timeout, "columns": columns}

    def items() -> Iterator[tuple[tuple[_Job, Path], Call]]:
        for job in jobs:
            source = job.source()  # rasterised here, while earlier pages are read there
            data = source.read_bytes()
            yield (
                (job, source),
                Call(read_page_bytes, (job.number, source.name, data, job.dpi, how)),
            )

    pages: list[PageText] = []
    report.start(len(jobs), f"OCR on {executor.workers()} cluster worker(s)")
    try:
        for (job, source), outcome in ordered(executor, items()):
            if isinstance(outcome.error, TaskLost):
                raise ToolFailed(f"OCR of page {job.number}: its worker died: {outcome.error}")
            if isinstance(outcome.error, ContractctlError):
                raise outcome.error
            if outcome.error is not None:
                raise ToolFailed(f"OCR of page {job.number} failed: {outcome.error!r}")
            page = replace(outcome.value, image=source)
            if job.discard_image:
                source.unlink(missing_ok=True)
                page = replace(page, image=None)
            pages.append(page)
            report.advance()
    finally:
        report.finish()
    return pages
