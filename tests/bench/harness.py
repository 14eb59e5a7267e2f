"""A tiny benchmark harness: timings, a comparison table, and a JSON record.

Every benchmark reports rows of (what, ours, baseline, unit); the ratio column says how
contractctl compares with the raw tool doing the same work in the same run.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

OUT = Path(__file__).parent / "_out"


@dataclass(frozen=True)
class Row:
    """One compared measurement."""

    what: str
    ours: float
    baseline: float | None
    unit: str
    baseline_label: str = ""
    higher_is_better: bool = False

    @property
    def ratio(self) -> float | None:
        """ours / baseline (for rates: how many times faster; for times: how many times slower)."""
        if not self.baseline:
            return None
        return self.ours / self.baseline


def median_seconds(fn: Callable[[], object], runs: int) -> float:
    """Median wall time of ``runs`` calls."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def percentile(samples: list[float], pct: float) -> float:
    """The pct-th percentile (nearest rank)."""
    ordered = sorted(samples)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def render(title: str, rows: list[Row]) -> str:
    """A plain-text table of rows with ratios."""
    lines = [
        f"## {title}",
        f"{'what':<46} {'contractctl':>14} {'baseline':>14}  ratio  baseline is",
    ]
    for row in rows:
        base = f"{row.baseline:,.3f}" if row.baseline is not None else "-"
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else "-"
        lines.append(
            f"{row.what:<46} {row.ours:>10,.3f} {row.unit:<3} {base:>10} {row.unit:<3} "
            f"{ratio:>6}  {row.baseline_label}"
        )
    return "\n".join(lines)


def record(name: str, rows: list[Row]) -> None:
    """Keep the latest figures in tests/bench/_out/<name>.json."""
    OUT.mkdir(exist_ok=True)
    data = [{**asdict(r), "ratio": r.ratio} for r in rows]
    (OUT / f"{name}.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
