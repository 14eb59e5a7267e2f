"""`python -m tests.eval_extract [--errors]`: the extraction evaluation and its table."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import date

from tests.eval_extract import en_docs, en_heldout, en_heldout2, zh_fill
from tests.eval_extract.score import evaluate, table


def main(argv: list[str] | None = None) -> int:
    """Fill the model contracts, extract every case, print the tables."""
    parser = argparse.ArgumentParser(prog="python -m tests.eval_extract")
    parser.add_argument("--errors", action="store_true", help="list every wrong or missed value")
    parser.add_argument("--limit", type=int, default=None, help="only the first N model contracts")
    args = parser.parse_args(argv)
    if not zh_fill.available():
        print(f"the corpus is missing: {zh_fill.ZH}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    cases = zh_fill.cases(args.limit) + en_docs.cases() + en_heldout.documents()
    cases += en_heldout2.documents()
    report = evaluate(cases)
    elapsed = time.perf_counter() - started
    kinds: dict[str, int] = {}
    for case in cases:
        kinds[case.kind] = kinds.get(case.kind, 0) + 1
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"extraction evaluation, {date.today().isoformat()}: {len(cases)} documents "
        f"({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}); "
        f"{elapsed:.1f} s on {platform.machine()} x{os.cpu_count()}, load {load:.2f}"
    )
    print()
    print(table(report))
    print()
    print(f"blank forms with a party or an amount read: {len(report.blank_values)}")
    for line in report.blank_values:
        print(f"  {line}")
    for kind in sorted(kinds):
        sub = evaluate(c for c in cases if c.kind == kind)
        print(f"\n{kind}:\n{table(sub)}")
    if args.errors:
        print("\nerrors:")
        for line in report.errors:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
