"""Foundation benchmarks: start-up, writes, audit verification, listing.

Baselines run in the same process on the same machine: the bare Python interpreter for
start-up, raw sqlite3 with the same pragmas for writes and queries, raw hashlib for the
audit chain.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from contractctl.money import Money
from contractctl.obligations.remind import reminders
from contractctl.records.contracts import (
    ListFilter,
    NewContract,
    NewVersion,
    create_contract,
    list_contracts,
)
from contractctl.records.parties import add_party
from contractctl.store import Store, audit, init_store
from contractctl.store.backup import backup
from contractctl.store.fsck import fsck
from contractctl.store.objects import sha256_file
from tests.bench.harness import Row, median_seconds

CONTRACTCTL = str(Path(sys.executable).parent / "contractctl")


def run() -> Iterator[tuple[str, list[Row]]]:
    """Yield (title, rows) for each foundation benchmark."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "store"
        init_store(home, "bench")
        yield "Start-up: wall time of a whole process, median of 15", startup(home)
        yield "Writes: one transaction per row, synchronous=FULL, WAL", writes(home, Path(tmp))
        yield "Audit chain: verify every event", audit_verify(home)
        yield "Listing: 10,000 contracts", listing(home)
        yield "fsck: the whole store", store_check(home)


def _process(argv: list[str]) -> float:
    return median_seconds(lambda: subprocess.run(argv, capture_output=True, check=True), runs=15)


def startup(home: Path) -> list[Row]:
    bare = _process([sys.executable, "-c", "pass"])
    help_time = _process([CONTRACTCTL, "--help"])
    list_time = _process([CONTRACTCTL, "--home", str(home), "party", "list", "--json"])
    return [
        Row("contractctl --help (target < 0.3 s)", help_time, bare, "s", "python -c pass"),
        Row("contractctl party list --json (empty store)", list_time, bare, "s", "python -c pass"),
    ]


def writes(home: Path, tmp: Path) -> list[Row]:
    count = 1000
    with Store.open(home) as store:
        start = time.perf_counter()
        for n in range(count):
            with store.transaction("bench") as tx:
                add_party(
                    tx, name=f"基准测试公司 {n:05d}", address="上海市浦东新区", risk_level="low"
                )
        ours = count / (time.perf_counter() - start)

    raw_path = tmp / "raw.db"
    raw = sqlite3.connect(raw_path, isolation_level=None)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("PRAGMA synchronous = FULL")
    raw.execute("CREATE TABLE parties (id TEXT PRIMARY KEY, name TEXT, address TEXT, risk TEXT)")
    start = time.perf_counter()
    for n in range(count):
        raw.execute("BEGIN IMMEDIATE")
        raw.execute(
            "INSERT INTO parties VALUES (?, ?, ?, ?)",
            (f"P-{n:05d}", f"基准测试公司 {n:05d}", "上海市浦东新区", "low"),
        )
        raw.execute("COMMIT")
    baseline = count / (time.perf_counter() - start)
    raw.close()
    return [
        Row(
            "party add, library (validate + row + audit event)",
            ours,
            baseline,
            "/s",
            "raw INSERT, same pragmas",
            higher_is_better=True,
        ),
    ]


def audit_verify(home: Path) -> list[Row]:
    with Store.open(home) as store:
        events = store.conn.execute("SELECT count(*) FROM events").fetchone()[0]
        start = time.perf_counter()
        report = audit.verify(store.conn)
        ours = events / (time.perf_counter() - start)
        assert report.ok
        rows = store.conn.execute("SELECT prev_hash, data FROM events").fetchall()
    start = time.perf_counter()
    for prev, data in rows:
        hashlib.sha256((prev + data).encode()).hexdigest()
    baseline = len(rows) / (time.perf_counter() - start)
    return [
        Row(
            f"audit verify ({events:,} events)",
            ours,
            baseline,
            "/s",
            "raw sha256 of the same bytes",
            higher_is_better=True,
        ),
    ]


def listing(home: Path) -> list[Row]:
    rng = random.Random(7)
    today = date.today()
    statuses = ["active", "signed", "expired", "draft", "in_review"]
    with Store.open(home) as store:
        with store.transaction("bench") as tx:
            party = add_party(tx, name="列表基准公司").id
            for n in range(10_000):
                create_contract(
                    tx,
                    NewContract(
                        title=f"采购合同 {n}",
                        type=rng.choice(["purchase", "sales", "service"]),
                        counterparty_id=party,
                        status=rng.choice(statuses),
                        amount=Money(rng.randrange(1, 10**9), "CNY"),
                        end_date=today + timedelta(days=rng.randrange(-400, 800)),
                    ),
                    NewVersion(),
                )
        flt = ListFilter(
            statuses=["active"],
            expires_from=today.isoformat(),
            expires_to=(today + timedelta(days=30)).isoformat(),
            sort="end",
        )
        ours = median_seconds(lambda: list_contracts(store.conn, flt), runs=20)
        found = len(list_contracts(store.conn, flt))
        sql = (
            "SELECT * FROM contracts WHERE status = 'active' AND end_date >= ? AND end_date <= ? "
            "ORDER BY end_date"
        )
        params = (today.isoformat(), (today + timedelta(days=30)).isoformat())
        baseline = median_seconds(lambda: store.conn.execute(sql, params).fetchall(), runs=20)
        all_ours = median_seconds(
            lambda: json.dumps([c.to_dict() for c in list_contracts(store.conn, ListFilter())]),
            runs=5,
        )
        all_base = median_seconds(
            lambda: json.dumps([dict(r) for r in store.conn.execute("SELECT * FROM contracts")]),
            runs=5,
        )
        until = (today + timedelta(days=30)).isoformat()
        due = len(reminders(store.conn, within_days=30))
        remind = median_seconds(lambda: reminders(store.conn, within_days=30), runs=20)
        remind_sql = (
            "SELECT * FROM contracts WHERE status IN ('signed', 'active') "
            "AND end_date IS NOT NULL AND end_date <= ? ORDER BY end_date"
        )
        remind_base = median_seconds(
            lambda: store.conn.execute(remind_sql, (until,)).fetchall(), runs=20
        )
    return [
        Row(
            f"remind --within 30d ({due} reminders: expiries, obligations, approvals)",
            remind * 1000,
            remind_base * 1000,
            "ms",
            "raw SELECT of the expiring contracts",
        ),
        Row(
            f"list --status active --expires-within 30d ({found} hits)",
            ours * 1000,
            baseline * 1000,
            "ms",
            "raw SELECT, same WHERE",
        ),
        Row(
            "list --json, all 10,000 (query + JSON)",
            all_ours * 1000,
            all_base * 1000,
            "ms",
            "raw SELECT * + json.dumps",
        ),
    ]


def store_check(home: Path) -> list[Row]:
    """fsck of the listing store plus 1,000 contracts with a 200 KB PDF each (PDF-sized
    objects), beside hashing the same files with hashlib alone."""
    rng = random.Random(11)
    with Store.open(home) as store:
        with store.transaction("bench") as tx:
            party = add_party(tx, name="校验基准公司").id
            for n in range(1_000):
                sha = tx.put_bytes(rng.randbytes(200_000))
                create_contract(
                    tx,
                    NewContract(title=f"校验合同 {n}", type="purchase", counterparty_id=party),
                    NewVersion(pdf_sha=sha),
                )
        paths = [p for p in (home / "objects").rglob("*") if p.is_file()]
        start = time.perf_counter()
        report = fsck(store)
        ours = time.perf_counter() - start
        assert report.ok, report.problems[:3]
    start = time.perf_counter()
    for path in paths:
        sha256_file(path)
    baseline = time.perf_counter() - start
    with Store.open(home) as store:
        start = time.perf_counter()
        backup(store, home.parent / "backup")
        copied = time.perf_counter() - start
    start = time.perf_counter()
    shutil.copytree(home, home.parent / "copy")
    raw_copy = time.perf_counter() - start
    return [
        Row(
            "backup: the same store (snapshot, objects hashed, fsynced)",
            copied,
            raw_copy,
            "s",
            "shutil.copytree of the store folder",
        ),
        Row(
            f"fsck: 11,000 contracts, {len(paths):,} objects (200 MB), audit chain",
            ours,
            baseline,
            "s",
            "hashlib over the same files",
        ),
    ]
