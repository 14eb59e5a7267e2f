"""`report` over 100,000 contracts: every view under 1 s (the target), beside the raw SQL
of the same aggregate.

The contracts are the cached search corpus (tests/bench/corpus.py: 100,000 contracts, 5
types, CNY and USD, 8 statuses, 2,000 parties), copied with plain SQL into a small store
of their own (contracts and parties only, no bodies), to which 30,000 approval routes
with 2-3 stages of decisions are added for the cycle view. The copy is cached beside
the corpus. ``ours`` is the library call (``build_report``: SQL, rows, labels), median
of 5; the baseline is the raw GROUP BY that view needs, fetched whole (for cycle times:
the routes' durations and every approved decision, which the stage times come from).

``BENCH_REPORT_N`` changes the size (e.g. 10000 for a quick look).
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

from contractctl.bootstrap import initialise
from contractctl.reports.aggregate import ReportRequest, build_report
from contractctl.reports.model import DIRECTION_SQL
from tests.bench.corpus import CACHE, GENERATOR_VERSION, cache_dir, cached_store
from tests.bench.harness import Row, median_seconds

N = int(os.environ.get("BENCH_REPORT_N", "100000"))
TODAY = date(2026, 12, 7)
SIGNED = "('signed', 'active', 'expired', 'terminated', 'archived')"
_GROUP = f"{DIRECTION_SQL} AS d, c.currency, COUNT(*), SUM(c.amount_minor)"

#: view -> the raw aggregate it needs (the baseline).
BASELINES = {
    "month": f"SELECT substr(c.signed_date, 1, 7) AS k, {_GROUP} FROM contracts c WHERE "
    f"+c.status IN {SIGNED} AND c.signed_date IS NOT NULL GROUP BY k, d, c.currency",
    "type": f"SELECT +c.type AS k, {_GROUP} FROM contracts c WHERE +c.status IN {SIGNED} "
    "AND c.signed_date IS NOT NULL GROUP BY k, d, c.currency",
    "counterparty": f"SELECT +c.counterparty_id AS k, {_GROUP} FROM contracts c WHERE "
    f"+c.status IN {SIGNED} AND c.signed_date IS NOT NULL GROUP BY k, d, c.currency",
    "department": f"SELECT +c.department AS k, {_GROUP} FROM contracts c WHERE +c.status IN "
    f"{SIGNED} AND c.signed_date IS NOT NULL GROUP BY k, d, c.currency",
    "status": f"SELECT +c.status AS k, {_GROUP} FROM contracts c GROUP BY k, d, c.currency",
    "pipeline": "SELECT CAST(julianday('2026-12-07') - julianday(substr(c.updated_at, 1, 10)) "
    f"AS INTEGER) AS k, {_GROUP} FROM contracts c WHERE c.status IN ('in_review', "
    "'approved', 'signing') GROUP BY k, d, c.currency",
    "expiring": "SELECT CAST(julianday(c.end_date) - julianday('2026-12-07') AS INTEGER) / 30 "
    f"AS k, {_GROUP} FROM contracts c WHERE c.status IN ('signed', 'active') AND "
    "c.end_date BETWEEN '2026-12-07' AND '2027-03-07' GROUP BY k, d, c.currency",
    "cycle": "SELECT CAST(ROUND((julianday(closed_at) - julianday(submitted_at)) * 86400) AS "
    "INTEGER) FROM approval_routes WHERE state = 'approved'",
}
#: cycle times also read every approved decision, in route and stage order
CYCLE_DECISIONS = (
    "SELECT r.id, julianday(r.submitted_at), t.stage_n, t.stage_name, t.decided_by, "
    "julianday(t.decided_at) FROM approval_routes r JOIN approval_tasks t ON t.route_id = r.id "
    "WHERE r.state = 'approved' AND t.state = 'approved' ORDER BY r.id, t.stage_n"
)


def _corpus(n: int) -> Path:
    """The cached corpus; when another run is building it right now, wait for it."""
    home = cache_dir(n)
    partial = home.with_name(home.name + ".partial")
    deadline = time.monotonic() + 3600
    while not (home / ".complete").exists() and partial.exists():
        age = time.time() - max(p.stat().st_mtime for p in partial.iterdir())
        if age > 300 or time.monotonic() > deadline:
            break  # abandoned: cached_store starts it again
        print(f"  waiting for the corpus another run is building ({partial})", file=sys.stderr)
        time.sleep(30)
    found, report = cached_store(n)
    if report:
        print(f"  built the corpus in {report.seconds:.0f} s", file=sys.stderr)
    return found


def report_store(n: int) -> Path:
    """A store holding the corpus's contracts and parties, plus approval routes (cached)."""
    home = CACHE / f"report-corpus-g{GENERATOR_VERSION}-n{n}"
    if (home / ".complete").exists():
        initialise(home, "bench")  # brings a cached store to this contractctl's schema
        return home
    source = _corpus(n) / "contracts.db"
    partial = home.with_name(home.name + ".partial")
    if partial.exists():
        import shutil

        shutil.rmtree(partial)
    initialise(partial, "bench")
    conn = sqlite3.connect(partial / "contracts.db", isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("ATTACH DATABASE ? AS src", (f"file:{source}?mode=ro",))
    conn.execute("BEGIN")
    conn.execute("INSERT INTO parties SELECT * FROM src.parties")
    conn.execute("INSERT INTO contracts SELECT * FROM src.contracts")
    conn.execute("COMMIT")
    conn.execute("DETACH DATABASE src")
    _approvals(conn, n)
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    (partial / ".complete").write_text(f"{n} contracts from {source}\n", encoding="utf-8")
    partial.rename(home)
    return home


def _approvals(conn: sqlite3.Connection, n: int) -> None:
    rng = random.Random(3)
    ids = [
        r[0] for r in conn.execute("SELECT id FROM contracts ORDER BY id LIMIT ?", (n * 3 // 10,))
    ]
    people = [f"approver{i:02d}" for i in range(40)]
    stages = [("部门负责人", "all"), ("法务", "any"), ("财务", "all"), ("总经理", "any")]
    routes, tasks = [], []
    start = datetime(2024, 1, 1, 9)
    for index, contract_id in enumerate(ids, start=1):
        moment = submitted = start + timedelta(minutes=rng.randrange(0, 1_400_000))
        for n_stage, (name, mode) in enumerate(stages[: rng.choice((2, 3, 4))], start=1):
            finished = moment
            for _ in range(1 if mode == "any" else 2):
                decided = moment + timedelta(minutes=rng.randrange(20, 6000))
                who = rng.choice(people)
                tasks.append((index, n_stage, name, mode, who, who, _iso(decided)))
                finished = max(finished, decided)
            moment = finished
        state = "approved" if rng.random() < 0.85 else "returned"
        routes.append((index, contract_id, state, _iso(submitted), _iso(moment)))
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO approval_routes (id, contract_id, version_n, state, route_ids, rules_hash, "
        "facts, submitted_by, submitted_at, closed_at) VALUES (?, ?, 1, ?, '[]', 'x', '{}', "
        "'bench', ?, ?)",
        routes,
    )
    conn.executemany(
        "INSERT INTO approval_tasks (route_id, stage_n, stage_name, mode, approver, state, "
        "due_hours, calendar, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, 'approved', 24, "
        "'business', ?, ?)",
        tasks,
    )
    conn.execute("COMMIT")


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds") + "Z"


def _timed(fn: Callable[[], object], runs: int = 5) -> tuple[float, float]:
    """Median wall and CPU seconds of ``runs`` calls. SQLite and the fold run on this
    one thread, so CPU time is what the call costs; on a shared machine wall time also
    holds the time spent waiting for a core."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def views(home: Path) -> list[Row]:
    """Each view: the library call against its raw aggregate, wall and CPU time."""
    conn = sqlite3.connect(home / "contracts.db")
    conn.row_factory = sqlite3.Row
    rows = []
    try:
        for view, sql in BASELINES.items():
            top = 20 if view == "counterparty" else None
            request = ReportRequest(view=view, today=TODAY, top=top)
            build_report(conn, request)  # warm the page cache once, as both sides then are
            ours = _timed(lambda r=request: build_report(conn, r))
            queries = [sql, CYCLE_DECISIONS] if view == "cycle" else [sql]
            base = _timed(lambda q=queries: [conn.execute(s).fetchall() for s in q])
            flag = "" if ours[1] < 1.0 else " OVER TARGET"
            option = "--view" if view in ("pipeline", "expiring", "cycle") else "--by"
            for index, kind in enumerate(("wall", "CPU")):
                rows.append(
                    Row(
                        f"report {option} {view}, {kind}{flag if index else ''}",
                        ours[index] * 1000,
                        base[index] * 1000,
                        "ms",
                        "raw GROUP BY, same rows",
                    )
                )
    finally:
        conn.close()
    return rows


def processes(home: Path) -> list[Row]:
    """Whole processes: the JSON report and the HTML page (matplotlib, an SVG chart)."""
    exe = str(Path(sys.executable).parent / "contractctl")
    bare = median_seconds(
        lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), runs=5
    )
    out = home.parent / f"{home.name}-report.html"
    rows = []
    for what, args in (
        ("contractctl report --by month --json, whole process", ["--json"]),
        ("contractctl report --by month -o r.html, whole process", ["-o", str(out)]),
    ):
        argv = [exe, "--home", str(home), "report", "--by", "month", *args]
        took = median_seconds(
            lambda a=argv: subprocess.run(a, capture_output=True, check=True), runs=3
        )
        rows.append(Row(what, took, bare, "s", "python -c pass"))
    return rows


def run() -> Iterator[tuple[str, list[Row]]]:
    """Yield (title, rows) for the report benchmarks."""
    home = report_store(N)
    yield f"Report: {N:,} contracts, each view (target < 1 s)", views(home)
    yield f"Report: whole processes, {N:,} contracts", processes(home)
