"""A real Dask cluster on 127.0.0.1 for the cluster tests and benchmarks: `dask
scheduler` on a random port and `contractctl worker` processes, each in its own process
group, stopped with everything they started."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import installed_contractctl


@dataclass
class LocalCluster:
    """The scheduler's address and the processes behind it."""

    address: str
    folder: Path
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    scheduler: subprocess.Popen[bytes] | None = None

    def start_worker(self, name: str, *, office: bool = False) -> subprocess.Popen[bytes]:
        """A `contractctl worker` of one slot, in its own process group (killed whole)."""
        log = (self.folder / f"worker-{name}.log").open("wb")
        argv = [installed_contractctl(), "worker", "--scheduler", self.address, "--slots", "1"]
        argv += ["--name", name, *([] if office else ["--no-office"])]
        process = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.workers[name] = process
        return process

    def wait_for_workers(self, count: int, timeout: float = 180) -> None:
        """Until ``count`` contractctl slots have joined the scheduler."""
        from distributed import Client

        with Client(self.address, timeout=30, set_as_default=False) as client:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                info = client.scheduler_info(n_workers=-1)["workers"]
                if sum(1 for w in info.values() if "cpu" in (w.get("resources") or {})) >= count:
                    return
                for name, process in self.workers.items():
                    if process.poll() is not None:
                        log = (self.folder / f"worker-{name}.log").read_text(errors="replace")
                        pytest.fail(f"worker {name} exited {process.returncode}:\n{log[-3000:]}")
                time.sleep(0.5)
        pytest.fail(f"fewer than {count} workers joined within {timeout} s")

    def kill_scheduler(self) -> None:
        """SIGKILL the scheduler: the machine it ran on is gone."""
        assert self.scheduler is not None
        os.killpg(self.scheduler.pid, signal.SIGKILL)
        self.scheduler.wait(30)

    def kill(self, name: str) -> None:
        """SIGKILL a worker with its nanny, slot process and soffice: a machine gone."""
        process = self.workers.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)

    def stop(self) -> None:
        """SIGTERM every worker (a polite leave), SIGKILL what is left."""
        for process in self.workers.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.workers.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        self.workers.clear()


@contextmanager
def local_cluster(folder: Path, workers: int = 2, *, office: bool = True) -> Iterator[LocalCluster]:
    """`dask scheduler` on a random port of 127.0.0.1 with ``workers`` contractctl workers
    of one slot each (with a warm LibreOffice unless not ``office``)."""
    info = folder / "scheduler.json"
    dask = Path(sys.executable).parent / "dask"
    scheduler = subprocess.Popen(
        [
            str(dask),
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(info),
        ],
        stdout=(folder / "scheduler.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            assert scheduler.poll() is None, (folder / "scheduler.log").read_text()
            time.sleep(0.2)
        time.sleep(0.5)  # the file appears before its last write: read it whole
        cluster = LocalCluster(json.loads(info.read_text())["address"], folder)
        cluster.scheduler = scheduler
        for n in range(1, workers + 1):
            cluster.start_worker(f"w{n}", office=office)
        try:
            cluster.wait_for_workers(workers)
            yield cluster
        finally:
            cluster.stop()
    finally:
        if scheduler.poll() is None:
            os.killpg(scheduler.pid, signal.SIGTERM)
        try:
            scheduler.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(scheduler.pid, signal.SIGKILL)
            scheduler.wait(10)


def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on (just released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
