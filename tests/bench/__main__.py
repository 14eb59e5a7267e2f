"""Run the benchmarks: `python -m tests.bench [NAME ...]` (make bench runs them all)."""

from __future__ import annotations

import importlib
import sys
import time

from tests.bench.harness import record, render

BENCHMARKS = [
    "bench_foundation",
    "bench_drafting",
    "bench_convert",
    "bench_approval",
    "bench_signing",
    "bench_diff",
    "bench_search",
    "bench_ocr",
    "bench_ocr_check",
    "bench_extract",
    "bench_import",
    "bench_report",
    "bench_notify",
    "bench_cluster",
]


def main(argv: list[str]) -> int:
    """Run the named benchmark modules (all by default) and print their tables."""
    names = argv or BENCHMARKS
    # Bench stores get a company, as `draft` requires (the test suite's own settings).
    from contractctl import config
    from tests.conftest import TEST_CONFIG

    config.DEFAULT_CONFIG = TEST_CONFIG
    for name in names:
        module = importlib.import_module(f"tests.bench.{name}")
        start = time.perf_counter()
        for title, rows in module.run():
            print(render(title, rows), flush=True)
            print(flush=True)
            record(f"{name}-{title.split(':')[0].lower().replace(' ', '-')}", rows)
        print(f"({name}: {time.perf_counter() - start:.1f} s)\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
