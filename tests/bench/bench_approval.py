"""Approval benchmarks: route 10,000 contracts against a 200-route table; explain one.

Baseline in the same run: the same 200 conditions written as plain Python comparisons
over tuples (what a hand-coded if-chain would cost), so the ratio is the price of a
table that is data, validated and explainable.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from contractctl.approval.route_explain import explain
from contractctl.approval.route_rules import load_rules
from contractctl.approval.route_table import Facts
from contractctl.money import Money
from tests.bench.harness import Row, median_seconds

ROUTES = 200
CONTRACTS = 10_000
TYPES = ["purchase", "sales", "service", "lease", "nda"]
DEPARTMENTS = ["sales", "procurement", "it", "hr", "legal", "finance"]
RISKS = ["low", "medium", "high"]


def _table(rng: random.Random) -> tuple[str, list[tuple[str, str, int, int, bool | None]]]:
    lines = ['hit_policy = "collect"', ""]
    plain = []
    for n in range(ROUTES):
        ctype = rng.choice(TYPES)
        dept = rng.choice(DEPARTMENTS)
        low = rng.randrange(0, 5_000_000)
        high = low + rng.randrange(1, 5_000_000)
        standard = rng.choice([True, False, None])
        when = [
            f'type = "{ctype}"',
            f'department = "{dept}"',
            f'amount_min = "{low}"',
            f'amount_max = "{high}"',
        ]
        if standard is not None:
            when.append(f"standard = {'true' if standard else 'false'}")
        lines += [
            f'[[route]]\nid = "r{n}"\nwhen = {{ {", ".join(when)} }}',
            "  [[route.stages]]",
            f'  roles = ["role{n % 7}"]',
            "",
        ]
        plain.append((ctype, dept, low * 100, high * 100, standard))
    return "\n".join(lines), plain


def run() -> Iterator[tuple[str, list[Row]]]:
    """Yield the routing benchmark table."""
    rng = random.Random(11)
    text, plain = _table(rng)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "approval.toml"
        path.write_text(text, encoding="utf-8")
        start = time.perf_counter()
        rules = load_rules(path)
        load_time = time.perf_counter() - start
    facts = [
        Facts(
            type=rng.choice(TYPES),
            amount=Money(rng.randrange(0, 10_000_000) * 100, "CNY"),
            standard=rng.choice([True, False]),
            counterparty_risk=rng.choice(RISKS),
            department=rng.choice(DEPARTMENTS),
        )
        for _ in range(CONTRACTS)
    ]
    start = time.perf_counter()
    matched = sum(len(rules.decide(f).route_ids) for f in facts)
    ours = time.perf_counter() - start

    def baseline_decide(f: Facts) -> int:
        amount = f.amount.minor if f.amount else -1
        return sum(
            1
            for ctype, dept, low, high, std in plain
            if f.type == ctype
            and f.department == dept
            and low <= amount <= high
            and (std is None or f.standard is std)
        )

    start = time.perf_counter()
    base_matched = sum(baseline_decide(f) for f in facts)
    baseline = time.perf_counter() - start
    assert matched == base_matched, (matched, base_matched)
    one = facts[0]
    explain_ms = median_seconds(lambda: explain(rules, one), runs=50) * 1000
    decide_ms = median_seconds(lambda: rules.decide(one), runs=50) * 1000
    yield (
        f"Routing: {CONTRACTS:,} contracts x {ROUTES}-route table (target < 1 s)",
        [
            Row(
                f"route all {CONTRACTS:,} ({matched:,} route matches)",
                ours,
                baseline,
                "s",
                "plain Python comparisons",
            ),
            Row("rules explain on one contract", explain_ms, decide_ms, "ms", "decide on one"),
            Row(f"load + validate the {ROUTES}-route table", load_time * 1000, None, "ms"),
        ],
    )
