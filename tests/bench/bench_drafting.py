"""Drafting benchmarks: DOCX render alone, draft-batch of 200 contracts to PDF, and
the validation of a 100,000-row draft-batch CSV (rows/s and peak memory).

Baselines in the same run: stock docxtpl (a fresh DocxTemplate and Jinja environment
per document, as its documentation shows) for rendering; LibreOffice's own
``soffice --headless --convert-to pdf`` called once per file on the same DOCX files for
the batch. The per-file baseline costs ~1.5 s a file, so it runs on the first
BENCH_BASELINE_N (default 40) of the same files and is compared as a rate.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from contractctl.bootstrap import initialise
from contractctl.drafting.batch import draft_batch
from contractctl.drafting.draft import DraftRequest, prepare, render_docx
from contractctl.drafting.render import Renderer
from contractctl.drafting.versions import docx_path, latest_approved
from contractctl.store import Store
from tests.bench.harness import Row

BATCH_N = int(os.environ.get("BENCH_DRAFT_N", "200"))
VALIDATE_N = int(os.environ.get("BENCH_VALIDATE_N", "100000"))
BASELINE_N = int(os.environ.get("BENCH_BASELINE_N", "40"))
RENDER_N = 50


def run() -> Iterator[tuple[str, list[Row]]]:
    """Yield the drafting benchmark tables."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "store"
        initialise(home, "bench")
        with Store.open(home) as store:
            yield "Render: purchase-zh DOCX, sample values", render(store, Path(tmp))
            yield (f"Batch: draft-batch of {BATCH_N} contracts to PDF", batch(store, Path(tmp)))
        yield (f"Validation: a {VALIDATE_N:,}-row draft-batch CSV", validation(home, Path(tmp)))


def _sample_rows(store: Store, n: int) -> list[dict[str, object]]:
    from contractctl.drafting.versions import load_spec

    spec = load_spec(store, latest_approved(store.conn, "purchase-zh"))
    sample = json.loads(json.dumps(spec.sample, default=str))
    rows = []
    for i in range(n):
        row = dict(sample)
        row["contract_no"] = f"CG-2026-{i:05d}"
        row["key"] = f"bench-{i}"
        rows.append(row)
    return rows


def render(store: Store, tmp: Path) -> list[Row]:
    from docxtpl import DocxTemplate
    from jinja2 import Environment

    version = latest_approved(store.conn, "purchase-zh")
    data = _sample_rows(store, 1)[0]
    data.pop("key")
    prepared = prepare(store, DraftRequest(template="purchase-zh", data=data))
    renderer = Renderer(docx_path(store, version))
    out = tmp / "render.docx"
    render_docx(store, prepared, out, renderer)  # warm
    start = time.perf_counter()
    for _ in range(RENDER_N):
        render_docx(store, prepared, out, renderer)
    ours = RENDER_N / (time.perf_counter() - start)

    from contractctl.drafting.render import to_context

    context = to_context(prepared.values, store.settings.company.as_dict())
    from contractctl.drafting.render import (
        cn_upper_filter,
        date_cn_filter,
        date_en_filter,
        money_filter,
    )

    filters = {
        "money": money_filter,
        "cn_upper": cn_upper_filter,
        "date_cn": date_cn_filter,
        "date_en": date_en_filter,
    }
    start = time.perf_counter()
    for _ in range(RENDER_N):
        env = Environment(autoescape=True)
        env.filters.update(filters)
        template = DocxTemplate(docx_path(store, version))
        template.render(context, jinja_env=env, autoescape=True)
        template.save(out)
    baseline = RENDER_N / (time.perf_counter() - start)
    return [
        Row(
            "render + save a DOCX (sandboxed, bounded, cached)",
            ours,
            baseline,
            "/s",
            "stock docxtpl, plain Jinja",
            higher_is_better=True,
        )
    ]


def batch(store: Store, tmp: Path) -> list[Row]:
    rows = _sample_rows(store, BATCH_N)
    start = time.perf_counter()
    result = draft_batch(store, "bench", "purchase-zh", rows)
    elapsed = time.perf_counter() - start
    assert len(result.made) == BATCH_N and not result.failed, result.failed
    ours = BATCH_N / elapsed

    docs = []
    for made in result.made[:BASELINE_N]:
        row = store.conn.execute(
            "SELECT docx_sha FROM versions WHERE contract_id = ? AND n = 1", (made.id,)
        ).fetchone()
        docs.append(store.objects.path(row["docx_sha"]))
    outdir = tmp / "baseline"
    outdir.mkdir()
    start = time.perf_counter()
    for index, doc in enumerate(docs):
        link = outdir / f"doc-{index}.docx"
        link.symlink_to(doc)
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(outdir), str(link)],
            capture_output=True,
            check=True,
            timeout=300,
        )
    baseline = len(docs) / (time.perf_counter() - start)
    return [
        Row(
            f"draft-batch: validate, render, PDF, store ({BATCH_N})",
            ours,
            baseline,
            "/s",
            f"soffice --convert-to pdf per file ({len(docs)})",
            higher_is_better=True,
        ),
        Row(
            "  wall time of the whole batch",
            elapsed,
            len(rows) / baseline,
            "s",
            "per-file soffice for the same count (rate x count)",
        ),
    ]


_READ_ONLY = """
import csv, json, sys, time
from pathlib import Path
started, cpu = time.perf_counter(), time.process_time()
with open(sys.argv[1], encoding="utf-8", newline="") as handle:
    rows = list(csv.DictReader(handle))
status = Path("/proc/self/status").read_text()
print(json.dumps({"rows": len(rows), "seconds": time.perf_counter() - started,
                  "cpu": time.process_time() - cpu,
                  "peak": int(status.split("VmHWM:")[1].split()[0]) * 1024}))
"""


def validation(home: Path, tmp: Path) -> list[Row]:
    """`draft-batch` validating VALIDATE_N rows (the last one bad, so it stops before
    drafting), in a fresh process whose own peak RSS is read; beside the standard
    library only reading the same CSV into a list of rows, in a fresh process too."""
    import sys

    from tests.cli.test_draft import _batch_csv
    from tests.conftest import Cli
    from tests.drafting.test_batch_stream import validate_in_child

    cli = Cli(home)
    cli("party", "add", "上海星河电子科技有限公司", "--uscc", "91350100M000100Y43")
    cli("party", "add", "Harbor Analytics Ltd.")
    folder = tmp / "validate"
    folder.mkdir()
    path = _batch_csv(folder, VALIDATE_N, bad={VALIDATE_N: {"sign_date": "someday"}})
    ours = validate_in_child(home, path, timeout=3600)
    assert ours["code"] == 2 and f"row {VALIDATE_N + 1}: sign_date" in ours["stderr"], ours
    done = subprocess.run(
        [sys.executable, "-c", _READ_ONLY, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    stdlib = json.loads(done.stdout)
    mb = 2**20
    return [
        Row(
            "validate every row (streamed, with progress)",
            VALIDATE_N / ours["seconds"],
            stdlib["rows"] / stdlib["seconds"],
            "rows/s",
            "csv.DictReader into a list (no checks)",
            higher_is_better=True,
        ),
        Row(
            "  per CPU second (the machine is shared)",
            VALIDATE_N / ours["cpu"],
            stdlib["rows"] / stdlib["cpu"],
            "rows/s",
            "csv.DictReader into a list (no checks)",
            higher_is_better=True,
        ),
        Row(
            "  peak RSS of the process (VmHWM)",
            ours["peak"] / mb,
            stdlib["peak"] / mb,
            "MB",
            "csv.DictReader into a list (no checks)",
        ),
    ]
