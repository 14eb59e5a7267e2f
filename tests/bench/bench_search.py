"""Search benchmarks: p50/p95 latency at 100,000 and 1,000,000 contracts.

The corpora come from tests/bench/corpus.py (mixed Chinese and English contracts of about
1,600 characters) and are cached under tests/bench/_out, so only the first run builds
them (the build rate and the database size are reported then, and kept in the cache's
``.complete`` file). Each category runs several different queries, several times each,
through ``contractctl.search.search`` (query, ranking, contract rows and snippets).

Baseline in the same run, on the same contracts: a plain ``LIKE '%…%'`` scan over the
title and text (an uncompressed copy, ``bench_plain``, since search_docs keeps bodies
compressed), collecting every match, which any ranking needs; filtered queries join the
same filters. LIKE runs fewer times at 1,000,000.

Set ``CONTRACTCTL_BENCH_SEARCH_SIZES=100000`` to skip the million (building it takes
about a quarter of an hour the first time).
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from contractctl.records.contracts import ListFilter
from contractctl.search import search
from contractctl.store import connect
from tests.bench.corpus import cached_store, ensure_plain_copy
from tests.bench.harness import Row, percentile

CONTRACTCTL = str(Path(sys.executable).parent / "contractctl")
SIZES = [
    int(s) for s in os.environ.get("CONTRACTCTL_BENCH_SEARCH_SIZES", "100000,1000000").split(",")
]
TARGET_P95_MS = {100_000: 50, 1_000_000: 200}

QUERIES: dict[str, list[str]] = {
    "English word": [
        "agreement",
        "warranty",
        "confidential",
        "invoice",
        "Kubernetes",
        "payment",
        "termination",
        "arbitration",
    ],
    "2-char Chinese": ["合同", "违约", "付款", "发票", "仲裁", "租金", "保密", "验收"],
    "4-char Chinese": [
        "违约责任",
        "不可抗力",
        "争议解决",
        "知识产权",
        "质量保证",
        "逾期付款",
        "书面通知",
        "合同价款",
    ],
    "1-char Chinese": ["赔", "租", "税", "押", "罚", "货", "息", "章"],
    "phrase": [
        '"liquidated damages"',
        '"force majeure"',
        '"Confidential Information"',
        '"written notice"',
        '"Party B shall"',
        '"business day"',
        '"违约金 Liquidated"',
        '"甲方 乙方"',
    ],
    "mixed Chinese + English, AND": ["违约 payment", "合同 Party", "Dell 服务器", "付款 invoice"],
}
#: Filtered queries: type + signed-date range, over words of every category.
FILTERED = [
    ("违约", "purchase", 2019),
    ("agreement", "service", 2021),
    ("违约责任", "sales", 2017),
    ("赔", "lease", 2023),
    ('"force majeure"', "nda", 2016),
    ("付款 -发票", "purchase", 2022),
    ("warranty", "purchase", 2020),
    ("不可抗力", "service", 2018),
]


def _rare(conn: sqlite3.Connection) -> list[str]:
    """Queries that only a few contracts match: six counterparty names, Chinese and
    English, and two contract ids (rows picked by fixed rowids)."""
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM parties WHERE name LIKE '%有限公司' ORDER BY rowid LIMIT 4 OFFSET 7"
        )
    ] + [
        r[0]
        for r in conn.execute(
            "SELECT name FROM parties WHERE name LIKE '% Ltd.' ORDER BY rowid LIMIT 2 OFFSET 3"
        )
    ]
    ids = [r[0] for r in conn.execute("SELECT id FROM contracts WHERE rowid IN (1234, 56789)")]
    return [f'"{n}"' if " " in n else n for n in names] + ids


#: Queries with at least a thousand hits at 100,000 contracts (common and rare-ish).
LIMIT_1000 = ["合同", "违约责任", "payment"]


def _ids_only(conn: sqlite3.Connection, query: str, limit: int) -> int:
    """The docids of the newest ``limit`` matches: the floor under any search."""
    from contractctl.search.query import parse

    sql = "SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid DESC LIMIT ?"
    return len(conn.execute(sql, (parse(query).fts(), limit)).fetchall())


def _filter(type_: str, year: int) -> ListFilter:
    return ListFilter(types=[type_], signed_from=f"{year}-01-01", signed_to=f"{year + 1}-12-31")


def _like_terms(query: str) -> tuple[list[str], list[str]]:
    """The LIKE patterns a naive search would use: each word or phrase as a substring."""
    import shlex

    include, exclude = [], []
    for word in shlex.split(query):
        (exclude if word.startswith("-") else include).append(f"%{word.lstrip('-')}%")
    return include, exclude


def _like(conn: sqlite3.Connection, query: str, flt: ListFilter | None) -> int:
    include, exclude = _like_terms(query)
    where = ["(p.title LIKE ? OR p.body LIKE ?)" for _ in include] + [
        "NOT (p.title LIKE ? OR p.body LIKE ?)" for _ in exclude
    ]
    params: list[object] = [x for pattern in include + exclude for x in (pattern, pattern)]
    join = ""
    if flt is not None:
        join = " JOIN contracts c ON c.id = p.contract_id"
        where += ["c.type = ?", "c.signed_date >= ?", "c.signed_date <= ?"]
        params += [flt.types[0], flt.signed_from, flt.signed_to]
    sql = f"SELECT p.docid FROM bench_plain p{join} WHERE {' AND '.join(where)}"
    return len(conn.execute(sql, params).fetchall())


def _cpu(fn: Callable[[], object]) -> float:
    start = time.process_time()
    fn()
    return (time.process_time() - start) * 1000


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _measure(
    conn: sqlite3.Connection,
    cases: list[tuple[str, ListFilter | None]],
    runs: int,
    like_runs: int,
    like_cases: int,
) -> tuple[list[float], list[float], int]:
    ours: list[float] = []
    for query, flt in cases:
        search(conn, query, flt)  # warm the page cache for this query
        ours += [_timed(lambda q=query, f=flt: search(conn, q, f)) for _ in range(runs)]
    like: list[float] = []
    for query, flt in cases[:like_cases]:
        like += [_timed(lambda q=query, f=flt: _like(conn, q, f)) for _ in range(like_runs)]
    newest = sum(1 for query, flt in cases if search(conn, query, flt).ranking == "newest")
    return ours, like, newest


def run() -> Iterator[tuple[str, list[Row]]]:
    """Yield one table per corpus size (and the build figures when a corpus was built)."""
    for n in SIZES:
        yield from _one_size(n)


def _progress(done: int, seconds: float) -> None:
    print(f"  building: {done:,} contracts, {done / seconds:,.0f}/s", file=sys.stderr, flush=True)


def _one_size(n: int) -> Iterator[tuple[str, list[Row]]]:
    home, report = cached_store(n, progress=_progress)
    plain_seconds = ensure_plain_copy(home)
    label = f"{n:,}"
    db = home / "contracts.db"
    build_rows: list[Row] = []
    if report is not None:
        build_rows.append(
            Row(f"corpus build, {label} contracts", report.rate, None, "/s", higher_is_better=True)
        )
    conn = connect(db)
    try:
        sizes = dict(
            conn.execute(
                "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'search%' "
                "OR name = 'bench_plain' GROUP BY name"
            ).fetchall()
        )
        fts = sum(v for k, v in sizes.items() if k.startswith("search_fts"))
        docs = sum(v for k, v in sizes.items() if k.startswith("search_docs"))
        build_rows += [
            Row(f"FTS index size, {label}", fts / 1e6, None, "MB"),
            Row(
                f"search_docs size (zlib bodies), {label}",
                docs / 1e6,
                sizes.get("bench_plain", 0) / 1e6,
                "MB",
                "plain-text copy",
            ),
        ]
        if plain_seconds:
            build_rows.append(Row("plain copy for the LIKE baseline", plain_seconds, None, "s"))
        yield f"Search corpus {label}: build and size", build_rows

        big = n >= 1_000_000
        runs, like_runs, like_cases = (3, 1, 3) if big else (5, 2, 4)
        rows: list[Row] = []
        target = TARGET_P95_MS.get(n)
        categories: list[tuple[str, list[tuple[str, ListFilter | None]]]] = [
            (name, [(q, None) for q in queries]) for name, queries in QUERIES.items()
        ]
        categories.append(("rare: party names, contract ids", [(q, None) for q in _rare(conn)]))
        categories.append(
            ("filtered (type + 2-year signed range)", [(q, _filter(t, y)) for q, t, y in FILTERED])
        )
        for name, cases in categories:
            ours, like, newest = _measure(conn, cases, runs, like_runs, like_cases)
            base_label = f"LIKE scan, {len(like)} runs"
            shown = f"{name} [{len(cases) - newest}/{len(cases)} bm25]"
            p50, like50 = statistics.median(ours), statistics.median(like)
            rows.append(Row(f"{shown}: p50", p50, like50, "ms", base_label))
            what = f"{shown}: p95" + (f" (target < {target} ms)" if target else "")
            rows.append(Row(what, percentile(ours, 95), percentile(like, 95), "ms", base_label))
        # A thousand hits with their snippets: what `search --limit 1000` costs; the
        # baseline is the same query's 1,000 hits without snippets (ids and rows only).
        # CPU time beside wall time: on a shared machine the wall clock measures the load.
        for query in LIMIT_1000:
            search(conn, query, limit=1000)
            ours = [_timed(lambda q=query: search(conn, q, limit=1000)) for _ in range(runs)]
            cpu = [_cpu(lambda q=query: search(conn, q, limit=1000)) for _ in range(runs)]
            bare = [_timed(lambda q=query: _ids_only(conn, q, 1000)) for _ in range(runs)]
            what = f"search {query} --limit 1000, incl. snippets"
            rows.append(
                Row(
                    f"{what}: wall (target < 500 ms)",
                    statistics.median(ours),
                    statistics.median(bare),
                    "ms",
                    "same MATCH, ids only",
                )
            )
            rows.append(Row(f"{what}: CPU", statistics.median(cpu), None, "ms"))
        if not big:
            argv = [CONTRACTCTL, "--home", str(home), "search", "违约责任", "--json"]
            process = statistics.median(
                _timed(lambda: subprocess.run(argv, capture_output=True, check=True))
                for _ in range(5)
            )
            rows.append(
                Row("contractctl search 违约责任 --json, whole process", process, None, "ms")
            )
        yield f"Search latency at {label} contracts (library call, incl. snippets)", rows
    finally:
        conn.close()
