"""Two processes writing at once: every write lands, none fails with 'database is locked'."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from contractctl.store import Store, audit
from tests.conftest import REPO, run_installed

WRITER = """
import sys
from pathlib import Path
from contractctl.records.parties import add_party
from contractctl.store import Store

home, tag, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
with Store.open(home) as store:
    for n in range(count):
        with store.transaction(f"writer-{tag}") as tx:
            add_party(tx, name=f"{tag} 公司 {n:03d}")
"""


def test_two_processes_adding_200_parties_each_all_land(home: Path) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(home), tag, "200"],
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for tag in ("甲", "乙")
    ]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    with Store.open(home) as store:
        names = [r[0] for r in store.conn.execute("SELECT name FROM parties")]
        ids = [r[0] for r in store.conn.execute("SELECT id FROM parties ORDER BY id")]
        assert len(names) == 400 and len(set(names)) == 400
        assert ids == [f"P-{n:04d}" for n in range(1, 401)], "ids are gapless and unique"
        assert audit.verify(store.conn).ok
        added = [e for e in audit.events(store.conn) if e.action == "party.add"]
        assert len(added) == 400


def test_two_cli_processes_at_once_through_the_installed_command(home: Path) -> None:
    def add_many(tag: str) -> list[int]:
        codes = []
        for n in range(15):
            result = run_installed("--home", str(home), "party", "add", f"{tag}-{n}", "--quiet")
            codes.append(result.returncode)
            assert "locked" not in result.stderr, result.stderr
        return codes

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(add_many, ["alpha", "beta"]))
    assert results == [[0] * 15, [0] * 15]
    with Store.open(home) as store:
        assert store.conn.execute("SELECT count(*) FROM parties").fetchone()[0] == 30
        assert audit.verify(store.conn).ok
