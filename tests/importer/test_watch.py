"""The inbox watcher: files taken only when finished, sorted into done/ and failed/,
and a clean stop."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from contractctl.importer.stability import StabilityTracker
from contractctl.importer.watch import WatchOptions, watch
from contractctl.store import Store
from tests.conftest import Cli, installed_contractctl
from tests.importer.test_import import historical


def test_a_file_is_stable_only_after_it_stops_changing() -> None:
    tracker = StabilityTracker(settle=3)
    path = Path("inbox/a.pdf")
    assert not tracker.observe(path, 100, 1.0, now=0)
    assert not tracker.observe(path, 200, 2.0, now=2)  # still growing
    assert not tracker.observe(path, 200, 2.0, now=4)  # unchanged for 2 s
    assert tracker.observe(path, 200, 2.0, now=5.5)  # unchanged for 3.5 s
    tracker.forget(path)
    assert not tracker.observe(path, 200, 2.0, now=6)


def test_an_empty_file_is_never_stable() -> None:
    tracker = StabilityTracker(settle=0)
    assert not tracker.observe(Path("x.pdf"), 0, 1.0, now=0)
    assert not tracker.observe(Path("x.pdf"), 0, 1.0, now=100)


def test_vanished_files_are_forgotten() -> None:
    tracker = StabilityTracker(settle=1)
    tracker.observe(Path("a"), 1, 1.0, now=0)
    tracker.prune(set())
    assert not tracker.observe(Path("a"), 1, 1.0, now=5)


def test_watch_takes_a_slowly_written_file_only_when_complete(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, home: Path
) -> None:
    source = historical(tmp_path_factory)["service-en.pdf"].read_bytes()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    stop = threading.Event()
    seen: list[tuple[str, str]] = []
    with Store.open(home) as store:
        options = WatchOptions(interval=0.2, settle=1.0)
        thread = threading.Thread(
            target=watch,
            args=(
                store,
                "tester",
                inbox,
                options,
                stop,
                lambda o, p: seen.append((o.state, p.name)),
            ),
        )
        thread.start()
        try:
            target = inbox / "slow.pdf"
            with target.open("wb") as handle:
                for start in range(0, len(source), len(source) // 6 + 1):
                    handle.write(source[start : start + len(source) // 6 + 1])
                    handle.flush()
                    time.sleep(0.4)  # slower than the polling, faster than the settle time
                    assert not seen, "a half-written file was taken"
            (inbox / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
            deadline = time.monotonic() + 60
            while len(seen) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            stop.set()
            thread.join(timeout=60)
    assert sorted(seen) == [("failed", "broken.pdf"), ("imported", "slow.pdf")]
    assert (inbox / "done" / "slow.pdf").read_bytes() == source
    assert (inbox / "failed" / "broken.pdf").exists()
    assert "PDF" in (inbox / "failed" / "broken.pdf.reason").read_text()
    assert not (inbox / "slow.pdf").exists()


def test_watch_stops_cleanly_on_sigterm(tmp_path: Path, home: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    process = subprocess.Popen(
        [installed_contractctl(), "--home", str(home), "watch", str(inbox), "--interval", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = _until_watching(process)
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=30)
    err = first + err
    assert process.returncode == 143, err  # 128 + SIGTERM, as README's exit codes say
    assert "Stopped; 0 file(s) handled" in err
    assert os.path.isdir(inbox / "done") and os.path.isdir(inbox / "failed")


def test_watch_exits_130_on_ctrl_c(tmp_path: Path, home: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    process = subprocess.Popen(
        [installed_contractctl(), "--home", str(home), "watch", str(inbox), "--interval", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = _until_watching(process)
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=30)
    err = first + err
    assert process.returncode == 130, err
    assert "Stopped; 0 file(s) handled" in err and "Traceback" not in err


def _until_watching(process: subprocess.Popen[str]) -> str:
    """What watch printed up to its "Watching ..." line: its handlers are in place."""
    assert process.stderr is not None
    seen = ""
    while "Watching" not in seen:
        line = process.stderr.readline()
        assert line, f"watch ended before watching: {seen!r}"
        seen += line
    return seen


def _watching(home: Path, inbox: Path, settle: float, seen: list[tuple[str, str]]) -> Any:
    """Run watch in a thread; returns (stop event, thread)."""
    store = Store.open(home)
    stop = threading.Event()
    options = WatchOptions(interval=0.2, settle=settle)
    thread = threading.Thread(
        target=watch,
        args=(store, "tester", inbox, options, stop, lambda o, p: seen.append((o.state, p.name))),
    )
    thread.start()
    return store, stop, thread


def _wait_for(seen: list[tuple[str, str]], count: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while len(seen) < count and time.monotonic() < deadline:
        time.sleep(0.1)


def test_a_writer_that_pauses_longer_than_the_settle_time_is_waited_for(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, home: Path
) -> None:
    """The copy stalls for three settle times with the file open, then finishes: the file
    is taken once, complete, and nothing is left in failed/."""
    source = historical(tmp_path_factory)["service-en.pdf"].read_bytes()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    seen: list[tuple[str, str]] = []
    store, stop, thread = _watching(home, inbox, 0.5, seen)
    try:
        with (inbox / "stalled.pdf").open("wb") as handle:
            handle.write(source[: len(source) // 2])
            handle.flush()
            time.sleep(1.5)  # paused, still open
            assert not seen, "a half-written file held open was judged"
            handle.write(source[len(source) // 2 :])
        _wait_for(seen, 1)
    finally:
        stop.set()
        thread.join(timeout=60)
        store.close()
    assert seen == [("imported", "stalled.pdf")]
    assert (inbox / "done" / "stalled.pdf").read_bytes() == source
    assert list((inbox / "failed").iterdir()) == []


def test_a_failed_file_that_is_written_again_is_retried_and_its_reason_goes(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, home: Path
) -> None:
    """A file judged broken and then finished where it lies (in failed/) is tried again:
    it ends in done/, and the stale .reason is gone."""
    source = historical(tmp_path_factory)["service-en.pdf"].read_bytes()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    seen: list[tuple[str, str]] = []
    store, stop, thread = _watching(home, inbox, 0.3, seen)
    try:
        (inbox / "late.pdf").write_bytes(b"%PDF-1.4 cut short\n%%EOF\n")
        _wait_for(seen, 1)
        assert seen == [("failed", "late.pdf")]
        assert (inbox / "failed" / "late.pdf.reason").exists()
        time.sleep(0.05)
        (inbox / "failed" / "late.pdf").write_bytes(source)
        _wait_for(seen, 2)
    finally:
        stop.set()
        thread.join(timeout=60)
        store.close()
    assert seen == [("failed", "late.pdf"), ("imported", "late.pdf")]
    assert (inbox / "done" / "late.pdf").read_bytes() == source
    assert list((inbox / "failed").iterdir()) == []


def test_a_pdf_that_stops_short_is_given_time_before_it_is_judged(tmp_path: Path) -> None:
    from contractctl.importer.completeness import held_for_writing, looks_complete

    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.7\n1 0 obj\n")
    assert not looks_complete(pdf)
    pdf.write_bytes(b"%PDF-1.7\n1 0 obj\nendobj\n%%EOF\n")
    assert looks_complete(pdf)
    with pdf.open("ab") as handle:
        handle.write(b"\n")
        handle.flush()
        assert held_for_writing(pdf)
    assert not held_for_writing(pdf)


def test_watch_survives_an_image_bomb_and_says_once_what_it_leaves_alone(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, home: Path
) -> None:
    from tests.importer.test_import import _png_header

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "bomb.png").write_bytes(_png_header(40_000, 40_000))
    (inbox / "说明.txt").write_text("scans go here", encoding="utf-8")
    source = historical(tmp_path_factory)["service-en.pdf"]
    stop = threading.Event()
    seen: list[tuple[str, str, str]] = []
    with Store.open(home) as store:
        thread = threading.Thread(
            target=watch,
            args=(store, "tester", inbox, WatchOptions(interval=0.2, settle=0.3), stop),
            kwargs={"on_outcome": lambda o, p: seen.append((o.state, p.name, o.reason))},
        )
        thread.start()
        try:
            deadline = time.monotonic() + 60
            while len(seen) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            (inbox / "after.pdf").write_bytes(source.read_bytes())  # still watching?
            while len(seen) < 3 and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1)  # a few more passes: the .txt is not announced again
        finally:
            stop.set()
            thread.join(timeout=60)
    states = [(state, name) for state, name, _ in seen]
    assert sorted(states) == [
        ("failed", "bomb.png"),
        ("imported", "after.pdf"),
        ("skipped", "说明.txt"),
    ]
    assert "decompression bomb" in (inbox / "failed" / "bomb.png.reason").read_text()
    assert (inbox / "说明.txt").exists()  # left where it is


def test_watching_a_folder_that_is_not_there_is_refused_before_anything_else(
    tmp_path: Path, cli: Cli
) -> None:
    result = cli("watch", str(tmp_path / "nope"))
    assert result.code == 2
    assert "not a folder" in result.stderr and "Watching" not in result.stderr
