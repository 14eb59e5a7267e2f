"""`draft-batch`: one contract per CSV row, validated and drafted as a stream.

A batch CSV may hold 100,000 rows. Holding every row's validated data (and then its
DOCX and PDF) at once cost 30 KB a row: 2.5 GB at 100,000 rows, with nothing shown
while it ran. So the rows are walked twice and never held:

1. every row is validated (nothing is written while any row is bad, and every bad row
   is named); only the numbers of the rows still to draft are kept;
2. those rows are validated again, rendered, converted to PDF and stored a chunk at a
   time through one pool of warm LibreOffice workers; each chunk's files are deleted
   once its contracts are stored, committed in CSV row order.

The template, its field schema and the check of your company's details are resolved
once per batch, not per row (reading the schema again was 90% of a row's validation).
A progress bar follows both walks. An interrupted batch keeps what it stored, and a
rerun skips those rows by their idempotency keys.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from contractctl.drafting.draft import (
    DraftRequest,
    DraftResult,
    Prepared,
    existing_for_key,
    party_resolver,
    prepare,
    record,
    render_docx,
    resolve_template,
)
from contractctl.drafting.draft_checks import check_same_data
from contractctl.drafting.fields import Problem
from contractctl.drafting.render import Renderer
from contractctl.drafting.versions import docx_path
from contractctl.errors import ContractctlError, Interrupted, Terminated, ValidationFailed
from contractctl.progress import NullProgress, Progress
from contractctl.store import Store, audit

#: Rows rendered, converted and stored together (their files exist only meanwhile).
ROWS_PER_CHUNK = 32
#: Problems kept for the report; past this they are counted, not listed.
MAX_PROBLEMS = 10_000
#: Counterparty references remembered during a batch (most batches name a few parties).
PARTY_CACHE = 4096


class Rows(Protocol):
    """A batch's rows: counted, and iterable again (a list, or a streamed CsvRows)."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[dict[str, Any]]: ...


@dataclass
class BatchRow:
    """One row's contract, as the batch reports it (not the whole contract: a batch
    of 100,000 rows keeps 100,000 of these)."""

    row: int
    id: str
    version: int
    standard: bool | None
    created: bool
    deviations: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, result: DraftResult, row: int) -> BatchRow:
        """The row's record of a draft's result."""
        contract = result.contract
        return cls(
            row, contract.id, contract.version, contract.standard, result.created, result.deviations
        )

    def to_dict(self) -> dict[str, Any]:
        """The shape `draft --json` prints, with the CSV row."""
        return {
            "id": self.id,
            "version": self.version,
            "created": self.created,
            "standard": self.standard,
            "row": self.row,
        }


@dataclass
class BatchResult:
    """What `draft-batch` did, row by row."""

    made: list[BatchRow] = field(default_factory=list)
    existing: list[BatchRow] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The `draft-batch --json` shape: the contracts made, plus counts."""
        return {
            "contracts": [r.to_dict() for r in self.made + self.existing],
            "created": len(self.made),
            "existing": len(self.existing),
            "failed": [{"row": row, "error": error} for row, error in self.failed],
        }


def batch_key(template: str, row: Mapping[str, Any]) -> str:
    """A row's idempotency key when the CSV has none: its template and content."""
    body = audit.canonical_json({"template": template, "row": row})
    return "row:" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


@dataclass
class _Batch:
    """What every row of one batch shares."""

    store: Store
    actor: str
    template: str
    key_column: str
    party_column: str
    pdf: bool
    resolved: Any = None
    resolver: Callable[[Any], dict[str, Any]] | None = None

    def request(self, row: Mapping[str, Any]) -> DraftRequest:
        data = dict(row)
        key = str(data.pop(self.key_column, "") or "").strip() or batch_key(self.template, row)
        party = data.pop(self.party_column, None)
        return DraftRequest(template=self.template, data=data, key=key, party=party, pdf=self.pdf)

    def prepare(self, request: DraftRequest) -> Prepared:
        return prepare(self.store, request, template=self.resolved, resolver=self.resolver)


def _cached(resolve: Callable[[Any], dict[str, Any]]) -> Callable[[Any], dict[str, Any]]:
    """``resolve`` remembering parties named by reference (id, credit code or name), so
    100,000 rows naming one counterparty look it up once. New details are not cached."""
    memo: dict[str, dict[str, Any]] = {}

    def resolve_party(value: Any) -> dict[str, Any]:
        if not isinstance(value, str):
            return resolve(value)
        if value not in memo:
            if len(memo) >= PARTY_CACHE:
                memo.clear()
            memo[value] = resolve(value)
        return dict(memo[value])

    return resolve_party


def draft_batch(
    store: Store,
    actor: str,
    template: str,
    rows: Rows,
    *,
    key_column: str = "key",
    party_column: str = "party",
    pdf: bool = True,
    workers: int | None = None,
    progress: Progress | None = None,
    cluster: str | None = None,
) -> BatchResult:
    """One contract per row: validate all rows first, then render, convert, store.

    A bad row anywhere stops the batch before anything is written, naming each row.
    Rows whose key already made a contract are skipped, so a rerun makes nothing twice.
    ``rows`` is walked twice (see the module's docstring); neither walk holds it whole.
    With ``cluster`` (a Dask scheduler's address) the PDFs are made on its workers
    (:mod:`~contractctl.drafting.cluster_convert`); it is reached first (exit 4).
    """
    progress = progress or NullProgress()
    batch = _Batch(store, actor, template, key_column, party_column, pdf)
    batch.resolved = resolve_template(store, template)
    batch.resolver = _cached(party_resolver(store))
    result = BatchResult()
    with ExitStack() as stack:
        converter = None
        if cluster and pdf:
            converter = _cluster_converter(cluster, stack)
        pending = _validate(batch, rows, result, progress)
        if pending:
            _draft(batch, rows, pending, result, progress, workers, converter)
    return result


def _cluster_converter(cluster: str, stack: ExitStack) -> Any:
    """The cluster's conversions, disconnected when the batch ends (at once on an error)."""
    from contractctl.cluster import open_executor
    from contractctl.drafting.cluster_convert import ClusterConverter

    executor = open_executor(cluster)
    stack.push(lambda kind, exc, tb: executor.close(now=kind is not None))
    return ClusterConverter(executor)


def _validate(batch: _Batch, rows: Rows, result: BatchResult, progress: Progress) -> array[int]:
    """Walk 1: every row validated; the numbers of the rows to draft (ValidationFailed
    naming every bad row if any is bad)."""
    pending: array[int] = array("q")
    problems: list[Problem] = []
    bad_rows = unlisted = 0
    progress.start(len(rows), "validating")
    try:
        for number, row in enumerate(rows, start=2):  # row 1 is the CSV header
            progress.advance()
            request = batch.request(row)
            existing = existing_for_key(batch.store, request.key)
            try:
                prepared = batch.prepare(request)
            except ValidationFailed as exc:
                bad_rows += 1
                for p in exc.problems:
                    if len(problems) < MAX_PROBLEMS:
                        problems.append(Problem(p.field, p.value, p.expected, row=number))  # type: ignore[attr-defined]
                    else:
                        unlisted += 1
                continue
            if existing is not None:
                check_same_data(batch.store, existing, request.key, prepared.values)
                result.existing.append(BatchRow.of(DraftResult(existing, False), number))
            else:
                pending.append(number)
    finally:
        progress.finish()
    if problems:
        more = f" ({unlisted:,} more problems not listed)" if unlisted else ""
        raise ValidationFailed(
            f"{bad_rows:,} row(s) of the CSV are invalid; nothing was drafted{more}",
            list(problems),
        )
    return pending


def _pending_rows(rows: Rows, pending: array[int]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rows numbered in ``pending`` (ascending), read again from ``rows``."""
    position = 0
    for number, row in enumerate(rows, start=2):
        if position >= len(pending):
            return
        if number == pending[position]:
            position += 1
            yield number, row


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _draft(
    batch: _Batch,
    rows: Rows,
    pending: array[int],
    result: BatchResult,
    progress: Progress,
    workers: int | None,
    converter: Any = None,
) -> None:
    """Walk 2: the pending rows rendered, converted and stored, a chunk at a time;
    ``converter`` converts instead of a local pool (the cluster's)."""
    progress.start(len(pending), "drafting" if batch.pdf else "storing")
    try:
        with ExitStack() as stack:
            folder = tempfile.TemporaryDirectory(prefix="contractctl-batch-")
            work = Path(stack.enter_context(folder))
            pool = converter
            if batch.pdf and pool is None:
                from contractctl.drafting.converter_pool import ConverterPool

                pool = stack.enter_context(ConverterPool(workers))
            renderer = Renderer(docx_path(batch.store, batch.resolved[0]))
            for chunk in _chunks(_pending_rows(rows, pending), ROWS_PER_CHUNK):
                _draft_chunk(batch, chunk, work, renderer, pool, result, progress)
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: say what is already stored
        error: ContractctlError = Interrupted(
            f"{'terminated' if isinstance(exc, Terminated) else 'interrupted'} after "
            f"drafting {len(result.made)} contract(s); the row in hand was rolled back",
            hint="run the same command again: rows already drafted are not drafted twice",
            cause=exc,
        )
        error.done = result.to_dict()
        raise error from None
    except ContractctlError as exc:
        exc.done = result.to_dict()
        raise
    finally:
        progress.finish()


def _draft_chunk(
    batch: _Batch,
    chunk: list[tuple[int, dict[str, Any]]],
    work: Path,
    renderer: Renderer,
    pool: Any,
    result: BatchResult,
    progress: Progress,
) -> None:
    """Render a chunk's rows, convert them, store each in CSV row order as its PDF
    arrives; then delete the chunk's files."""
    docs: dict[Path, tuple[int, Prepared]] = {}
    printed: dict[Path, list[str]] = {}
    rendered: dict[Path, str | None] = {}
    for number, row in chunk:
        out = work / f"row-{number:07d}.docx"
        try:
            prepared = batch.prepare(batch.request(row))
            printed[out] = render_docx(batch.store, prepared, out, renderer)
            rendered[out] = None
        except ContractctlError as exc:  # the row changed since walk 1, or will not render
            result.failed.append((number, exc.message))
            progress.advance()
            continue
        docs[out] = (number, prepared)
    lock = threading.Lock()
    order = list(docs)
    finished: dict[Path, str | None] = {}
    position = 0

    def commit(docx: Path, error: str | None) -> None:
        """Called as each PDF is ready; stores contracts in CSV row order, so ids
        follow the rows however the conversions overtake each other."""
        nonlocal position
        with lock:
            finished[docx] = error
            while position < len(order) and order[position] in finished:
                ready = order[position]
                _store_row(batch, ready, docs[ready], printed[ready], finished.pop(ready), result)
                progress.advance()
                position += 1

    try:
        if pool is not None:
            pool.convert([(d, d.with_suffix(".pdf")) for d in docs], on_done=commit)
        else:
            for docx in docs:
                commit(docx, None)
    finally:
        for docx in rendered:
            docx.unlink(missing_ok=True)
            docx.with_suffix(".pdf").unlink(missing_ok=True)


def _store_row(
    batch: _Batch,
    docx: Path,
    doc: tuple[int, Prepared],
    printed: list[str],
    error: str | None,
    result: BatchResult,
) -> None:
    number, prepared = doc
    if error is not None:
        result.failed.append((number, error))
        return
    pdf_path = docx.with_suffix(".pdf") if batch.pdf else None
    try:
        if pdf_path is not None:
            from contractctl.drafting.pdf_check import check_pdf

            check_pdf(pdf_path, printed, what=f"row {number}")
        with batch.store.transaction(batch.actor) as tx:
            made = record(tx, prepared, docx, pdf_path)
        result.made.append(BatchRow.of(made, number))
    except ContractctlError as exc:
        result.failed.append((number, exc.message))
