"""The diff evaluation on the real corpus: `python -m tests.eval [--subset N] [--no-pdf] [-v]`.

`make eval` runs it on every document; the table it prints is the one in the README.
"""

from __future__ import annotations

import argparse
import sys
import time

from tests.eval.corpus import CI, available, load, paths
from tests.eval.score import evaluate, table


def main(argv: list[str]) -> int:
    """Evaluate and print the table (and, with -v, every miss)."""
    parser = argparse.ArgumentParser(prog="python -m tests.eval")
    parser.add_argument("--subset", type=int, default=None, help="Chinese documents to use")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF conversions")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    if not available():
        sys.stderr.write("the corpus (../shared/corpus/) is not there\n")
        return 1 if CI else 0
    start = time.perf_counter()
    documents = [load(language, path) for language, path in paths(args.subset)]
    scores = evaluate(documents, pdf=not args.no_pdf)
    print(table(scores))
    lost = sum(s.lost for s in scores.values())
    if lost:
        print(
            f"\n{lost} change(s) of a DOCX against its PDF report text the PDF does not "
            "print (score.PDF_LOSSES, checked this run): right, not counted as false"
        )
    seconds = sum(s.seconds for s in scores.values())
    trials = sum(s.trials for s in scores.values())
    print(
        f"\n{len(documents)} documents, {trials} trials, compare() {seconds:.1f} s "
        f"({time.perf_counter() - start:.1f} s in all)"
    )
    if args.verbose:
        for (kind, language), score in sorted(scores.items()):
            for miss in score.misses:
                print(f"{kind}/{language}: {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
