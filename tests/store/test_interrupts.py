"""Ctrl-C and SIGTERM never lose a committed file; a lost one is put back when it can be.

The window that once lost files is provoked deterministically: SQLite's trace callback
sends the process SIGINT as COMMIT starts, so Python raises KeyboardInterrupt just
after SQLite has committed, exactly where a user's Ctrl-C landed 1 time in 7.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from contractctl.errors import Interrupted
from contractctl.importer import ImportOptions, import_paths
from contractctl.store import Store, signals
from contractctl.store.fsck import fsck
from tests.conftest import Cli
from tests.importer.test_import import historical


@pytest.fixture
def contract_pdf(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    return Path(shutil.copy(historical(tmp_path_factory)["purchase-zh.pdf"], folder / "c.pdf"))


def _interrupt_at_commit(store: Store, signum: int = signal.SIGINT) -> None:
    def trace(statement: str) -> None:
        if statement == "COMMIT":
            os.kill(os.getpid(), signum)

    store.conn.set_trace_callback(trace)


def _imported(store: Store) -> list[tuple[str, str]]:
    return [
        (str(r[0]), str(r[1]))
        for r in store.conn.execute(
            "SELECT contract_id, sha256 FROM import_files WHERE state = 'imported'"
        )
    ]


def test_ctrl_c_as_the_import_commits_keeps_the_contract_and_its_file(
    store: Store, contract_pdf: Path
) -> None:
    _interrupt_at_commit(store)
    with pytest.raises(Interrupted) as caught:
        import_paths(store, "tester", [contract_pdf], ImportOptions(workers=1))
    store.conn.set_trace_callback(None)

    assert caught.value.exit_code == 130
    [(_, sha)] = _imported(store)
    assert store.objects.has(sha)
    report = fsck(store)
    assert report.ok, report.problems
    assert report.warnings == []


def test_sigterm_as_the_import_commits_keeps_the_file_and_exits_143(
    store: Store, contract_pdf: Path
) -> None:
    _interrupt_at_commit(store, signal.SIGTERM)
    with signals.interrupts_raise(), pytest.raises(Interrupted) as caught:
        import_paths(store, "tester", [contract_pdf], ImportOptions(workers=1))
    store.conn.set_trace_callback(None)

    assert caught.value.exit_code == 143
    assert caught.value.done is not None and caught.value.done["files"] == []
    assert fsck(store).ok


class _InterruptAfterCommit:
    """The store's connection, raising KeyboardInterrupt the instant COMMIT returns."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        cursor = self._conn.execute(sql, *args)
        if sql == "COMMIT":
            raise KeyboardInterrupt
        return cursor

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def test_an_interrupt_right_after_commit_removes_no_file_a_committed_row_names(
    store: Store, contract_pdf: Path
) -> None:
    """The second line of defence: the clean-up asks the database which objects
    committed rows name, so even an interrupt no handler could hold spares them."""
    real = store.conn
    store.conn = _InterruptAfterCommit(real)  # type: ignore[assignment]
    with pytest.raises(Interrupted):
        import_paths(store, "tester", [contract_pdf], ImportOptions(workers=1))
    store.conn = real

    [(_, sha)] = _imported(store)
    assert store.objects.has(sha)
    assert fsck(store).ok


def test_a_rolled_back_transaction_removes_the_objects_it_wrote(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction("tester") as tx:
        sha = tx.put_bytes(b"a file nobody will name")
        assert store.objects.has(sha)
        raise RuntimeError("the change fails")
    assert not store.objects.has(sha)


def test_an_import_rerun_stores_a_missing_original_again(store: Store, contract_pdf: Path) -> None:
    import_paths(store, "tester", [contract_pdf], ImportOptions(workers=1))
    [(contract_id, sha)] = _imported(store)
    store.objects.path(sha).unlink()  # lost, as the old Ctrl-C bug lost it
    assert not fsck(store).ok

    again = import_paths(store, "tester", [contract_pdf], ImportOptions(workers=1))

    [outcome] = again.outcomes
    assert (outcome.state, outcome.contract_id) == ("restored", contract_id)
    assert again.to_dict()["restored"] == 1
    assert store.objects.read_checked(sha) == contract_pdf.read_bytes()
    assert fsck(store).ok
    event = store.conn.execute(
        "SELECT subject, data FROM events WHERE action = 'object.restore'"
    ).fetchone()
    assert event["subject"] == contract_id and sha in event["data"]
    third = import_paths(store, "tester", [contract_pdf], ImportOptions(workers=1))
    assert [o.state for o in third.outcomes] == ["duplicate"]


def test_fsck_repair_restores_from_the_recorded_path_and_names_the_rest(
    home: Path, cli: Cli, contract_pdf: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    other = contract_pdf.with_name("moved.pdf")
    shutil.copy(historical(tmp_path_factory)["service-en.pdf"], other)
    assert cli("import", "--workers", "1", str(contract_pdf), str(other)).code == 0
    with Store.open(home) as store:
        shas = {
            Path(p).name: s for s, p in store.conn.execute("SELECT sha256, path FROM import_files")
        }
        for sha in shas.values():
            store.objects.path(sha).unlink()
    other.rename(other.with_name("elsewhere.pdf"))  # this original is no longer there

    assert cli("fsck").code == 1
    repaired = cli("--json", "fsck", "--repair")

    assert repaired.code == 1  # one object could not be restored
    data = repaired.json()
    assert len(data["repair"]["restored"]) == 1
    assert str(contract_pdf) in data["repair"]["restored"][0]
    [left] = data["repair"]["unrestorable"]
    assert shas["moved.pdf"][:12] in left and "moved.pdf" in left
    assert [p for p in data["problems"] if shas["c.pdf"][:12] in p] == []
    with Store.open(home) as store:
        assert store.objects.has(shas["c.pdf"])


class _RaisesWhenCollected:
    """An object whose finaliser is where the signal lands, as importlib's module-lock
    weakref callbacks were for the soak's Ctrl-C."""

    def __init__(self, signum: int) -> None:
        self.signum = signum

    def __del__(self) -> None:
        signal.raise_signal(self.signum)


@pytest.mark.parametrize(
    ("signum", "raised"),
    [(signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, signals.Terminated)],
)
def test_a_signal_landing_in_a_finaliser_still_stops_the_command_quietly(
    signum: int, raised: type[BaseException], capsys: pytest.CaptureFixture[str]
) -> None:
    went_on = False
    with pytest.raises(raised), signals.interrupts_raise() as received:
        _RaisesWhenCollected(signum)  # collected at once: the handler runs in __del__
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # raised again a moment later, here
            pass
        went_on = True
    assert not went_on and signum in received
    assert "Exception ignored" not in capsys.readouterr().err
