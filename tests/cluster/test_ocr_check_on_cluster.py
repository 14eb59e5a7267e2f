"""A scanned copy is checked with its pages read on the cluster: the same finding as
on this machine, recorded here; Ctrl-C takes the command's work off the cluster."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from contractctl.store import Store
from tests.cluster.local_cluster import LocalCluster
from tests.cluster.test_import_on_cluster import _scan_lines
from tests.conftest import Cli, installed_contractctl
from tests.ocr.test_check import AMOUNT, Scans, approved, scans
from tests.ocr_samples import save_image, text_page

__all__ = ["approved", "scans"]  # the fixtures of tests/ocr/test_check.py


def test_a_changed_amount_is_found_with_the_pages_read_on_the_cluster(
    dask_cluster: LocalCluster, approved: tuple[Path, str], scans: Scans
) -> None:
    home, cid = approved
    result = Cli(home)(
        "ocr-check",
        str(scans.amount),
        "--against",
        cid,
        "--cluster",
        dask_cluster.address,
        "--json",
    )
    assert result.code == 1, result.stderr
    data = result.json()
    assert data["verdict"] == "mismatch" and data["scan"]["pages"] == 2
    critical = [c for c in data["changes"] if c["severity"] == "critical"]
    assert critical and critical[0]["page"] == 1
    assert any(s["old"] == AMOUNT and s["new"].startswith("¥207,722.00") for s in data["semantic"])
    with Store.open(home) as store:
        rows = store.conn.execute("SELECT verdict FROM ocr_checks").fetchall()
    assert [r["verdict"] for r in rows] == ["mismatch"]


def test_ctrl_c_takes_the_commands_calls_off_the_cluster(
    dask_cluster: LocalCluster, tmp_path: Path, home: Path
) -> None:
    from distributed import Client

    folder = tmp_path / "scans"
    folder.mkdir()
    for n in range(12):
        save_image(text_page(_scan_lines(200 + n)), folder / f"scan-{n:02d}.png")
    argv = [installed_contractctl(), "--home", str(home), "import", str(folder)]
    argv += ["--lang", "eng", "--cluster", dask_cluster.address]
    command = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def tasks(client: Client) -> int:
        return int(client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)))

    with Client(dask_cluster.address, timeout=30, set_as_default=False) as client:
        deadline = time.monotonic() + 120
        while tasks(client) == 0:
            assert time.monotonic() < deadline and command.poll() is None, command.communicate()
            time.sleep(0.05)
        command.send_signal(signal.SIGINT)
        _out, err = command.communicate(timeout=60)
        assert command.returncode == 130, err
        assert "interrupted" in err and "Traceback" not in err
        deadline = time.monotonic() + 15
        while tasks(client) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert tasks(client) == 0, "the interrupted command's calls are still on the cluster"
