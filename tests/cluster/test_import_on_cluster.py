"""The people importing a back-catalogue of contracts lend the import a Dask cluster:
the same store comes out as from the local pool, a worker lost on the way costs
nothing, and a scheduler that is not there stops the command before it stores."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from contractctl.store import DB_NAME, Store
from tests.cluster.local_cluster import LocalCluster, free_port, local_cluster
from tests.conftest import Cli, installed_contractctl, snapshot
from tests.importer.test_import import historical
from tests.ocr_samples import EN_LINES, save_image, save_pdf, text_page

#: Stored facts that hold a time, a person or a chain of hashes over times.
_VARYING = {"created_at", "updated_at", "at", "created_by", "attempts"}


def store_facts(home: Path) -> dict[str, Any]:
    """What an import leaves, less the clock: every row of the tables it writes, the
    audit trail's actions in order, and the object files (content-addressed)."""
    facts: dict[str, Any] = {}
    with Store.open(home) as store:
        for table, order in (
            ("contracts", "id"),
            ("versions", "contract_id, n"),
            ("parties", "id"),
            ("import_files", "sha256"),
        ):
            rows = store.conn.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
            facts[table] = [{k: r[k] for k in r.keys() if k not in _VARYING} for r in rows]  # noqa: SIM118 (a Row iterates its values)
        facts["events"] = [
            tuple(r) for r in store.conn.execute("SELECT action, subject FROM events ORDER BY seq")
        ]
    facts["objects"] = sorted(
        str(p.relative_to(home)) for p in (home / "objects").rglob("*") if p.is_file()
    )
    return facts


def _scan_lines(n: int) -> list[str]:
    return [*EN_LINES[:1], f"Copy number {n} of the signed original.", *EN_LINES[1:]]


@pytest.fixture
def mixed_folder(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    """Text PDFs, a DOCX, a scan as PNG and as an image-only PDF, a duplicate and a
    corrupt file."""
    files = historical(tmp_path_factory)
    folder = tmp_path / "档案"
    folder.mkdir()
    shutil.copy(files["purchase-zh.pdf"], folder / "采购合同.pdf")
    shutil.copy(files["service-en.pdf"], folder / "service agreement.pdf")
    shutil.copy(files["nda-en.docx"], folder / "nda.docx")
    shutil.copy(files["service-en.pdf"], folder / "same again.pdf")
    save_image(text_page(_scan_lines(1)), folder / "scan-1.png")
    save_pdf([text_page(_scan_lines(2))], folder / "scan-2.pdf")
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n not a PDF body")
    return folder


def test_an_import_through_the_cluster_stores_what_the_local_pool_stores(
    dask_cluster: LocalCluster, mixed_folder: Path, tmp_path: Path
) -> None:
    from contractctl.bootstrap import initialise

    local_home, cluster_home = tmp_path / "local", tmp_path / "cluster"
    initialise(local_home, "tester")
    initialise(cluster_home, "tester")
    local = Cli(local_home)("import", str(mixed_folder), "--lang", "eng", "--workers", "2")
    assert local.code == 1, local.stderr  # the corrupt file
    remote = Cli(cluster_home)(
        "import", str(mixed_folder), "--lang", "eng", "--cluster", dask_cluster.address, "--json"
    )
    assert remote.code == 1, remote.stderr
    data = remote.json()
    assert (data["imported"], data["duplicates"]) == (5, 1), data["failed"]
    assert [f["file"].rsplit("/", 1)[-1] for f in data["failed"]] == ["corrupt.pdf"]
    assert store_facts(cluster_home) == store_facts(local_home)


def test_a_worker_killed_mid_import_loses_nothing_and_stores_nothing_twice(
    dask_cluster: LocalCluster, tmp_path: Path, home: Path
) -> None:
    from distributed import Client

    folder = tmp_path / "scans"
    folder.mkdir()
    count = 10
    for n in range(count):
        save_image(text_page(_scan_lines(100 + n)), folder / f"scan-{n:02d}.png")
    dask_cluster.start_worker("victim")
    dask_cluster.wait_for_workers(3)
    argv = [installed_contractctl(), "--home", str(home), "import", str(folder)]
    argv += ["--lang", "eng", "--cluster", dask_cluster.address, "--json"]
    command = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with Client(dask_cluster.address, timeout=30, set_as_default=False) as client:
        victim = next(
            address
            for address, w in client.scheduler_info(n_workers=-1)["workers"].items()
            if str(w["name"]).startswith("victim")
        )
        deadline = time.monotonic() + 120
        while not client.processing(workers=[victim]).get(victim):
            assert time.monotonic() < deadline, "the victim never got a file to read"
            assert command.poll() is None, command.communicate()
            time.sleep(0.05)
        dask_cluster.kill("victim")
    out, err = command.communicate(timeout=600)
    assert command.returncode == 0, err
    data = json.loads(out)
    assert data["imported"] == count and not data["failed"]
    with sqlite3.connect(home / DB_NAME) as conn:
        assert conn.execute("SELECT COUNT(*) FROM contracts").fetchone()[0] == count
        imported = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT sha256) FROM import_files WHERE state = 'imported'"
        ).fetchone()
        assert tuple(imported) == (count, count)
        events = conn.execute(
            "SELECT COUNT(*) FROM events WHERE action = 'contract.import'"
        ).fetchone()[0]
    assert events == count


def test_an_unreachable_scheduler_is_exit_4_before_anything_is_stored(
    mixed_folder: Path, cli: Cli, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTRACTCTL_CLUSTER_TIMEOUT", "2")
    before = snapshot(home)
    address = f"tcp://127.0.0.1:{free_port()}"
    result = cli("import", str(mixed_folder), "--cluster", address)
    assert result.code == 4
    assert result.stderr.strip().splitlines()[0] == (
        f"contractctl: error: cannot reach the Dask scheduler at {address} within 2 s"
    )
    assert "Traceback" not in result.stderr
    assert snapshot(home) == before


def test_the_cluster_comes_from_the_environment_too(
    mixed_folder: Path, cli: Cli, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTRACTCTL_CLUSTER_TIMEOUT", "2")
    monkeypatch.setenv("CONTRACTCTL_CLUSTER", f"127.0.0.1:{free_port()}")
    result = cli("import", str(mixed_folder), "--json")
    assert result.code == 4
    assert "cannot reach the Dask scheduler" in result.json()["error"]["message"]


def test_a_scheduler_address_that_is_not_one_is_exit_2(mixed_folder: Path, cli: Cli) -> None:
    result = cli("import", str(mixed_folder), "--cluster", "http://example.org/x")
    assert result.code == 2
    assert "is not a scheduler address" in result.stderr


def test_a_worker_whose_scheduler_is_not_there_is_exit_4_with_one_line(tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    argv = [installed_contractctl(), "worker", "--scheduler", address, "--no-office"]
    result = subprocess.run(
        [*argv, "--connect-timeout", "2"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 4, result.stderr
    assert f"cannot reach the Dask scheduler at {address}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_scheduler_lost_mid_import_is_exit_4_and_a_rerun_finishes_the_batch(
    dask_cluster: LocalCluster, tmp_path: Path, home: Path
) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    count = 8
    for n in range(count):
        save_image(text_page(_scan_lines(300 + n)), folder / f"scan-{n:02d}.png")
    (tmp_path / "lost").mkdir()
    with local_cluster(tmp_path / "lost", 1, office=False) as doomed:
        argv = [installed_contractctl(), "--home", str(home), "import", str(folder)]
        argv += ["--lang", "eng", "--cluster", doomed.address]
        command = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 180
        while _files(home) < 1:
            assert time.monotonic() < deadline and command.poll() is None, command.communicate()
            time.sleep(0.1)
        doomed.kill_scheduler()
        _out, err = command.communicate(timeout=120)
    assert command.returncode == 4, err
    assert err.splitlines()[0] == f"contractctl: error: lost the Dask scheduler at {doomed.address}"
    assert "Traceback" not in err
    with sqlite3.connect(home / DB_NAME) as conn:
        contracts = conn.execute("SELECT COUNT(*) FROM contracts").fetchone()[0]
    assert 1 <= contracts == _files(home) < count  # each file stored whole, or not at all
    rerun = Cli(home)("import", str(folder), "--lang", "eng", "--cluster", dask_cluster.address)
    assert rerun.code == 0, rerun.stderr
    with sqlite3.connect(home / DB_NAME) as conn:
        assert conn.execute("SELECT COUNT(*) FROM contracts").fetchone()[0] == count


def _files(home: Path) -> int:
    with sqlite3.connect(home / DB_NAME, timeout=30) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM import_files").fetchone()[0])


def test_a_machine_without_tesseract_is_refused_before_it_joins(tmp_path: Path) -> None:
    import os

    bare = tmp_path / "bin"
    bare.mkdir()
    address = f"tcp://127.0.0.1:{free_port()}"  # never reached: the check comes first
    result = subprocess.run(
        [installed_contractctl(), "worker", "--scheduler", address, "--no-office"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PATH": str(bare)},
    )
    assert result.returncode == 4, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith("contractctl: error: this machine cannot be a worker: tesseract")
    assert "cannot reach" not in result.stderr and "Traceback" not in result.stderr
