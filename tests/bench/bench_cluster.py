"""The cluster beside the local pool on one machine: import and draft-batch through a
2-worker Dask cluster on 127.0.0.1 (a `dask scheduler` and two `contractctl worker`
processes of one slot each), against the local pool of two processes on the same
files, in the same run. The ratio is what the cluster costs where it cannot win (both
use the same two cores); the overhead per item is the difference in wall time divided
by the items, the price of shipping bytes and asking a scheduler.

Also the single writer's ceiling, which the throughput model of docs/cluster.md needs:
store inserts per second (an import's record step alone, on files already read) and
draft-batch rows per second without conversion (render and store, the part that stays
in the command's process).

BENCH_CLUSTER_FILES (default 200) text PDFs, BENCH_CLUSTER_SCANS (default 6) one-page
scans (eng), BENCH_CLUSTER_ROWS (default 24) draft-batch rows.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from contractctl.bootstrap import initialise
from contractctl.importer import ImportOptions, import_paths
from contractctl.store import Store
from tests.bench.harness import Row
from tests.cluster.local_cluster import local_cluster

FILES = int(os.environ.get("BENCH_CLUSTER_FILES", "200"))
SCANS = int(os.environ.get("BENCH_CLUSTER_SCANS", "6"))
ROWS = int(os.environ.get("BENCH_CLUSTER_ROWS", "24"))


def _texts(work: Path) -> Path:
    from tests.bench.bench_import import _drafted

    sources = list(_drafted(work).values())
    folder = work / "pdfs"
    folder.mkdir()
    for n in range(FILES):
        source = sources[n % len(sources)]
        (folder / f"{n:05d}-{source.name}").write_bytes(
            source.read_bytes() + f"\n% copy {n}\n".encode()
        )
    return folder


def _scans(work: Path) -> Path:
    from tests.ocr_samples import EN_LINES, save_image, text_page

    folder = work / "scans"
    folder.mkdir()
    for n in range(SCANS):
        lines = [EN_LINES[0], f"Copy number {n} of the signed original.", *EN_LINES[1:]]
        save_image(text_page(lines), folder / f"scan-{n:03d}.png")
    return folder


def _import(work: Path, name: str, folder: Path, cluster: str | None, lang: str) -> float:
    home = work / name
    initialise(home, "bench")
    options = ImportOptions(workers=2, cluster=cluster, lang=lang)
    with Store.open(home) as store:
        start = time.perf_counter()
        report = import_paths(store, "bench", [folder], options)
        seconds = time.perf_counter() - start
    assert not report.to_dict()["failed"], report.to_dict()["failed"][:3]
    return seconds


def _rows(what: str, count: int, unit: str, local: float, remote: float) -> list[Row]:
    return [
        Row(
            f"{what}: 2-worker cluster vs local pool of 2",
            count / remote,
            count / local,
            f"{unit}/s",
            "local pool, same machine",
            higher_is_better=True,
        ),
        Row(
            f"{what}: cluster minus local, per item",
            (remote - local) / count * 1000,
            local / count * 1000,
            "ms",
            "local cost per item (negative: the cluster was faster)",
        ),
    ]


def _round_trip(address: str, payload: int = 216 * 1024, calls: int = 200) -> list[Row]:
    """What the cluster adds to any call: ``calls`` calls doing nothing with ``payload``
    bytes each (a contract's PDF), through the same executor and ordering the commands
    use, against the same calls in this process."""
    from contractctl.cluster import Call, InProcess, ordered
    from contractctl.cluster.remote import connect

    data = [bytes([n % 256]) * payload for n in range(calls)]

    def seconds(executor: object) -> float:
        items = ((n, Call(len, (data[n],))) for n in range(calls))
        start = time.perf_counter()
        sizes = [outcome.value for _, outcome in ordered(executor, items)]  # type: ignore[arg-type]
        assert sizes == [payload] * calls
        return time.perf_counter() - start

    local = seconds(InProcess())
    executor = connect(address)
    try:
        seconds(executor)  # warm: the function is sent to each worker once
        remote = seconds(executor)
    finally:
        executor.close()
    return [
        Row(
            f"a call's round trip with {payload // 1024} KB (scheduler, worker, back)",
            (remote - local) / calls * 1000,
            None,
            "ms",
        )
    ]


def _writer(work: Path, folder: Path) -> list[Row]:
    """An import's record step alone: files read first (not timed), then stored one
    transaction each, as the single writer does."""
    from contractctl.cluster import open_executor, ordered
    from contractctl.cluster.executor import Call
    from contractctl.importer.inspect import InspectOptions, file_sha256, inspect_file
    from contractctl.importer.pipeline import _record

    files = sorted(folder.iterdir())
    options = InspectOptions(ocr="never")
    executor = open_executor(None, 2)
    try:
        calls = ((f, Call(inspect_file, (str(f), *file_sha256(f), options))) for f in files)
        found = [outcome.value for _, outcome in ordered(executor, calls)]
    finally:
        executor.close()
    home = work / "writer"
    initialise(home, "bench")
    with Store.open(home) as store:
        start, cpu = time.perf_counter(), time.process_time()
        for item in found:
            outcome = _record(store, "bench", item, ImportOptions(), None)
            assert outcome.state == "imported", outcome.reason
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    what = f"store inserts: {len(found)} imported contracts, one transaction each"
    return [
        Row(f"{what} (wall)", len(found) / seconds, None, "/s", higher_is_better=True),
        Row(f"{what} (per CPU second)", len(found) / cpu, None, "/s", higher_is_better=True),
    ]


def _draft(work: Path, name: str, cluster: str | None, pdf: bool) -> float:
    from tests.cli.test_draft import _batch_csv
    from tests.conftest import Cli

    home = work / name
    initialise(home, "bench")
    cli = Cli(home)
    cli("party", "add", "上海星河电子科技有限公司", "--uscc", "91350100M000100Y43")
    cli("party", "add", "Harbor Analytics Ltd.")
    folder = work / f"{name}-csv"
    folder.mkdir()
    csv_path = _batch_csv(folder, ROWS)
    argv = ["draft-batch", "purchase-zh", "--csv", str(csv_path), "--json"]
    argv += ["--cluster", cluster] if cluster else ["--workers", "2"]
    argv += [] if pdf else ["--no-pdf"]
    start, cpu = time.perf_counter(), time.process_time()
    result = cli(*argv)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert result.code == 0 and result.json()["created"] == ROWS, result.stderr
    return cpu if not pdf else seconds


def run() -> Iterator[tuple[str, list[Row]]]:
    """Yield the cluster tables (load average at the start and end in the titles' rows)."""
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        work = Path(tmp)
        texts, scans = _texts(work), _scans(work)
        load = os.getloadavg()[0]
        (work / "dask").mkdir()
        with local_cluster(work / "dask") as dask:
            rows = _rows(
                f"import {FILES} text PDFs",
                FILES,
                "files",
                _import(work, "local-text", texts, None, "chi_sim+eng"),
                _import(work, "cluster-text", texts, dask.address, "chi_sim+eng"),
            )
            rows += _rows(
                f"import {SCANS} one-page scans (eng)",
                SCANS,
                "pages",
                _import(work, "local-scan", scans, None, "eng"),
                _import(work, "cluster-scan", scans, dask.address, "eng"),
            )
            rows += _round_trip(dask.address)
            yield f"Cluster: import (load {load:.1f} at start)", rows
            load = os.getloadavg()[0]
            rows = _rows(
                f"draft-batch {ROWS} rows with PDFs",
                ROWS,
                "docs",
                _draft(work, "local-draft", None, True),
                _draft(work, "cluster-draft", dask.address, True),
            )
            yield f"Cluster: draft-batch (load {load:.1f} at start)", rows
        no_pdf = _draft(work, "writer-draft", None, False)
        writer = _writer(work, texts)
        writer.append(
            Row(
                f"draft-batch {ROWS} rows without PDFs (validate, render, store; per CPU s)",
                ROWS / no_pdf,
                None,
                "/s",
                higher_is_better=True,
            )
        )
        yield "Cluster: the single writer", writer
