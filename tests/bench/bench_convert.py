"""DOCX→PDF benchmarks: the batch pool and a single draft against per-file soffice.

The same N generated bilingual contracts (N=40, or BENCH_CONVERT_N) are converted in
the same run by:

- ConverterPool (UNO workers), timed from entering the pool to leaving it, so
  LibreOffice's start-up and first-document warm-up are included;
- ConverterPool's fallback without python3-uno (one ``soffice --convert-to`` per chunk);
- the baseline: ``soffice --headless --convert-to pdf --outdir D file.docx`` once per file.

The baseline gets a private profile, reused across its calls (so it is the warm, fastest
form of the per-file command, and cannot hand its work to another LibreOffice running
with the default profile on the same machine).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from contractctl import tools
from contractctl.drafting.convert import convert_one
from contractctl.drafting.converter_pool import ConverterPool
from tests.bench.harness import Row

CLAUSE = (
    "第{n}条 甲方应于收到乙方开具的合法有效增值税专用发票后三十（30）日内，以银行转账方式"
    "向乙方支付本合同项下的全部货款；逾期付款的，每逾期一日，甲方应按逾期金额的万分之五"
    "向乙方支付违约金。Clause {n}: The Buyer shall pay the full contract price by bank "
    "transfer within thirty (30) days of receiving the Seller's valid VAT invoice; late "
    "payment accrues a penalty of 0.05% of the overdue amount per day."
)


def run() -> Iterator[tuple[str, list[Row]]]:
    """Yield (title, rows) for the single-draft and the batch benchmarks."""
    count = int(os.environ.get("BENCH_CONVERT_N", "40"))
    soffice = tools.find("soffice")
    with tempfile.TemporaryDirectory(prefix="bench-convert-") as tmp:
        root = Path(tmp)
        docs = [_contract(root / "docx" / f"contract-{n:04d}.docx", n) for n in range(count)]
        yield "Single draft: convert_one, median of 5", single(soffice, root, docs[:5])
        yield f"Batch: {count} bilingual contracts to PDF", batch(soffice, root, docs)


def _contract(path: Path, number: int) -> Path:
    """A ~6-page bilingual contract (~12k characters and a table), distinct per number."""
    import docx

    document = docx.Document()
    document.add_heading(f"采购合同 第{number}号 / Purchase Contract No. {number}", 0)
    for n in range(1, 41):
        document.add_paragraph(CLAUSE.format(n=n))
    table = document.add_table(rows=6, cols=4)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.text = f"货物 {r}-{c} / item {number}"
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def _baseline_one(soffice: str, profile: Path, src: Path, outdir: Path) -> None:
    """The per-file command a script would run (with a private, reused profile)."""
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(src),
        ],
        capture_output=True,
        check=True,
        timeout=300,
    )
    assert (outdir / f"{src.stem}.pdf").stat().st_size > 0


def single(soffice: str, root: Path, docs: list[Path]) -> list[Row]:
    profile = root / "baseline-profile"
    _baseline_one(soffice, profile, docs[0], root / "warm")  # create the profile first
    ours, pooled, base = [], [], []
    for n, src in enumerate(docs):
        start = time.perf_counter()
        convert_one(src, root / "single" / f"{n}.pdf")
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        with ConverterPool() as pool:  # start-up, LibreOffice's warm-up, one PDF, stop
            assert pool.convert([(src, root / "pooled" / f"{n}.pdf")]) == {src: None}
        pooled.append(time.perf_counter() - start)
        start = time.perf_counter()
        _baseline_one(soffice, profile, src, root / "single-base")
        base.append(time.perf_counter() - start)
    label = "soffice --convert-to, warm profile"
    return [
        Row("convert_one (fresh temporary profile)", statistics.median(ours),
            statistics.median(base), "s", label),
        Row("one document through a new ConverterPool", statistics.median(pooled),
            statistics.median(base), "s", label),
    ]  # fmt: skip


def _pool_rate(
    docs: list[Path], out: Path, *, workers: int | None = None, uno: bool | None = None
) -> tuple[float, int]:
    """Documents per second through a ConverterPool, start to stop; and its workers."""
    jobs = [(src, out / f"{src.stem}.pdf") for src in docs]
    start = time.perf_counter()
    with ConverterPool(workers, uno=uno) as pool:
        results = pool.convert(jobs)
        used = pool.workers
    elapsed = time.perf_counter() - start
    failed = {str(src): error for src, error in results.items() if error is not None}
    assert not failed, failed
    return len(docs) / elapsed, used


def batch(soffice: str, root: Path, docs: list[Path]) -> list[Row]:
    uno_rate, workers = _pool_rate(docs, root / "pool")
    chunk_rate, _ = _pool_rate(docs, root / "chunks", uno=False)

    profile = root / "baseline-profile"
    start = time.perf_counter()
    for src in docs:
        _baseline_one(soffice, profile, src, root / "per-file")
    base_rate = len(docs) / (time.perf_counter() - start)
    label = "soffice --convert-to per file"
    return [
        Row(
            f"ConverterPool, {workers} UNO workers (target >= 5x)",
            uno_rate,
            base_rate,
            "/s",
            label,
            higher_is_better=True,
        ),
        Row(
            "ConverterPool fallback: soffice per chunk",
            chunk_rate,
            base_rate,
            "/s",
            label,
            higher_is_better=True,
        ),
    ]
