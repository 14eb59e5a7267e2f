"""Crash and interrupt: `import`, `draft-batch`, `sign`, `approve` and `backup` on a
populated store, stopped at random moments by SIGKILL, SIGTERM and Ctrl-C (SIGINT to the
whole process group, as a terminal sends it), again and again. `sign` and `approve` act
on one contract a run, so a round runs them one after the other on every contract
waiting and the signal goes to the run going at that moment (tests/soak/drivers.py,
with what is checked for them besides what follows). After every stop:

- SIGTERM and Ctrl-C end the command within 5 s, with exit 143 / 130 (or 0 if it had
  finished), never a hang;
- ``PRAGMA integrity_check`` is ok, fsck finds no problem, the audit chain is intact;
- no input is recorded twice, and every recorded one has its object;
- no process of ours is left (workers, LibreOffice, Tesseract: every process carrying
  this run's marker in its environment), and no temporary file is left once the store
  is opened again (tmp/ swept; nothing in $TMPDIR).

At the end a rerun of each command completes and every input is recorded exactly once.
`make test` runs a short round (CONTRACTCTL_SOAK_ROUNDS, default 1 per command and
signal); `make soak` runs hundreds and prints the counts (tests/soak/__main__.py).
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from contractctl.store import DB_NAME, Store, audit
from contractctl.store.fsck import fsck
from tests.cli.test_draft import _batch_csv
from tests.conftest import REPO, Cli, installed_contractctl
from tests.importer.test_import import historical, unique_copy
from tests.soak import drivers

ROUNDS = int(os.environ.get("CONTRACTCTL_SOAK_ROUNDS", "1"))
#: Only these (command, signal) pairs, e.g. "draft-batch:SIGINT" (default: all).
ONLY = os.environ.get("CONTRACTCTL_SOAK_ONLY", "")
SEED = int(os.environ.get("CONTRACTCTL_SOAK_SEED", str(random.randrange(1 << 30))))
SIGNALS = {"SIGKILL": signal.SIGKILL, "SIGTERM": signal.SIGTERM, "SIGINT": signal.SIGINT}
#: Where the counts go (CONTRACTCTL_SOAK_COUNTS: a long run's own file).
COUNTS = Path(
    os.environ.get("CONTRACTCTL_SOAK_COUNTS")
    or Path(__file__).resolve().parents[2] / "build" / "soak-counts.json"
)
#: Where a hang's stacks go (all of them: a test failure's message is cut short).
HANG_LOG = Path(__file__).resolve().parents[2] / "build" / "soak-hangs.log"
_HANGS: list[str] = []
#: Longest a stopped command may take to exit (the issue's promise).
EXIT_WITHIN_S = 5.0


@dataclass
class Tally:
    """What the soak saw, per command and signal; printed by `make soak`."""

    interrupts: Counter[str] = field(default_factory=Counter)
    finished_first: Counter[str] = field(default_factory=Counter)
    #: Ended by the signal's own default action: Python not yet started or already
    #: finalising (a shell's $? is then 130 / 143 all the same).
    by_the_signal: Counter[str] = field(default_factory=Counter)
    #: Stopped before contractctl's first line ran (the interpreter, site, and in a
    #: development install the editable-install finder): Python's own traceback.
    python_starting: Counter[str] = field(default_factory=Counter)
    lost_objects: int = 0
    hangs: int = 0
    orphans: int = 0
    leftovers: int = 0
    slowest_exit: float = 0.0


TALLY = Tally()


def _ours(marker: str) -> list[str]:
    """Processes whose environment carries this soak's marker (ours, whatever they are)."""
    found = []
    needle = f"CONTRACTCTL_SOAK_MARK={marker}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes():
                status = (entry / "stat").read_text().split()
                if status[2] != "Z":
                    found.append(f"{entry.name} {(entry / 'comm').read_text().strip()}")
        except OSError:
            continue
    return found


def _wait_gone(marker: str, seconds: float) -> list[str]:
    deadline = time.monotonic() + seconds
    while (left := _ours(marker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _check_store(home: Path, systmp: Path) -> None:
    conn = sqlite3.connect(home / DB_NAME)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    with Store.open(home) as store:  # opening sweeps the temporary folders of the dead
        report = fsck(store)
        assert report.ok, report.problems
        assert not [w for w in report.warnings if "temporary" in w], report.warnings
        assert audit.verify(store.conn).ok
        imported = store.conn.execute(
            "SELECT sha256 FROM import_files WHERE state = 'imported'"
        ).fetchall()
        for (sha,) in imported:
            if not store.objects.has(sha):
                TALLY.lost_objects += 1
                pytest.fail(f"object {sha[:12]} of an imported file is missing")
        keys = Counter(
            r[0]
            for r in store.conn.execute(
                "SELECT external_key FROM contracts WHERE external_key IS NOT NULL"
            )
        )
        assert not [k for k, n in keys.items() if n > 1], "a batch row drafted twice"
    tmp = home / "tmp"
    left = [p for p in tmp.iterdir()] if tmp.is_dir() else []
    left += list(systmp.iterdir())
    if left:
        TALLY.leftovers += len(left)
        pytest.fail(f"temporary files left: {left[:5]}")


@pytest.fixture(scope="module", autouse=True)
def _counts() -> Iterator[None]:
    """After the module: the counts, on stdout (`make soak` shows them) and in
    build/soak-counts.json (what the docs publish; written after every stop too, so a
    long run stopped early keeps what it counted)."""
    yield
    print("\nsoak:", json.dumps(_write_counts()))


def _write_counts() -> dict[str, object]:
    counts = {
        "seed": SEED,
        "rounds": ROUNDS,
        "only": ONLY,
        "interrupts": dict(sorted(TALLY.interrupts.items())),
        "by_signal": {
            name: sum(n for k, n in TALLY.interrupts.items() if k.endswith(name))
            for name in SIGNALS
        },
        "finished_before_the_signal": dict(sorted(TALLY.finished_first.items())),
        "ended_by_the_signal_itself": dict(sorted(TALLY.by_the_signal.items())),
        "stopped_while_python_itself_started": dict(sorted(TALLY.python_starting.items())),
        "lost_objects": TALLY.lost_objects,
        "hangs": TALLY.hangs,
        "orphaned_processes": TALLY.orphans,
        "leftover_temporary_files": TALLY.leftovers,
        "slowest_exit_after_sigterm_or_sigint_s": round(TALLY.slowest_exit, 2),
    }
    out = COUNTS
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(counts, indent=2) + "\n", encoding="utf-8")
    return counts


@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A store with contracts already in it, a folder of PDFs to import, a batch CSV."""
    from contractctl.bootstrap import initialise

    files = historical(tmp_path_factory)
    base = tmp_path_factory.mktemp("soak")
    home = base / "store"
    initialise(home, "tester")
    cli = Cli(home)
    cli("party", "add", "上海星河电子科技有限公司", "--uscc", "91350100M000100Y43")
    cli("party", "add", "Harbor Analytics Ltd.")
    before = base / "before"
    before.mkdir()
    for n in range(3):
        unique_copy(files["service-en.pdf"], before / f"old-{n}.pdf", 1000 + n)
    assert cli("import", "--workers", "1", str(before)).code == 0
    inbox = base / "inbox"
    inbox.mkdir()
    for n in range(8):
        source = files["purchase-zh.pdf"] if n % 2 else files["nda-en.pdf"]
        unique_copy(source, inbox / f"contract-{n}.pdf", n)
    csv_path = _batch_csv(base, 6)
    SOURCES[:] = [files["purchase-zh.pdf"], files["nda-en.pdf"]]
    drivers.prepare(home, base)
    (base / "backups").mkdir()
    return home, inbox, csv_path


SOURCES: list[Path] = []
_NEXT = itertools.count(100)


def _more_work(kind: str, inbox: Path, csv_path: Path) -> None:
    """Three new inputs before each stop, so every round interrupts real work (not a
    rerun that finds everything done): new PDFs in the inbox, new rows in the CSV."""
    if kind in drivers.KINDS:
        drivers.more_work(kind, inbox.parent / "store")
        return
    for _ in range(3):
        n = next(_NEXT)
        if kind == "import":
            unique_copy(SOURCES[n % 2], inbox / f"contract-{n}.pdf", n)
            continue
        with csv_path.open(encoding="utf-8", newline="") as handle:
            first = next(csv.DictReader(handle))
        first.update({"key": f"batch-{n}", "contract_no": f"CG-2026-{n:04d}"})
        with csv_path.open("a", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerow(first.values())


def _commands(kind: str, home: Path, inbox: Path, csv_path: Path) -> list[list[str]]:
    """The runs of one round, one after the other (one, but for sign and approve)."""
    base = [installed_contractctl(), "--home", str(home)]
    if kind == "import":
        return [[*base, "import", "--workers", "2", "--ocr", "never", str(inbox)]]
    if kind == "draft-batch":
        return [[*base, "draft-batch", "purchase-zh", "--csv", str(csv_path)]]
    return drivers.steps(kind, home, base, home.parent / "backups")


def _run_until(
    runs: list[list[str]], env: dict[str, str], stop_at: float
) -> tuple[subprocess.Popen[bytes] | None, bytes]:
    """Run ``runs`` in turn until ``stop_at``; the run going then (None if all finished)
    and, if all finished, the stderr of the last."""
    err = b""
    for argv in runs:
        proc = subprocess.Popen(
            argv,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, as a shell job
        )
        try:
            _, err = proc.communicate(timeout=max(0.0, stop_at - time.monotonic()))
        except subprocess.TimeoutExpired:
            return proc, b""
        assert proc.returncode in (0, 1), (argv[3:], proc.returncode, err.decode())
    return None, err


def _interrupt_once(
    kind: str, name: str, populated: tuple[Path, Path, Path], rng: random.Random
) -> None:
    home, inbox, csv_path = populated
    _more_work(kind, inbox, csv_path)
    marker = uuid.uuid4().hex
    systmp = home.parent / f"systmp-{marker[:8]}"
    systmp.mkdir()
    env = {
        **os.environ,
        "CONTRACTCTL_SOAK_MARK": marker,
        "CONTRACTCTL_USER": "soak",
        "TMPDIR": str(systmp),
        "PYTHONFAULTHANDLER": "1",
    }
    env.update(drivers.env(kind))
    runs = _commands(kind, home, inbox, csv_path)
    low, high = drivers.DELAY.get(kind, (0.5, 6.0))
    proc, err = _run_until(runs, env, time.monotonic() + rng.uniform(low, high))
    sig = SIGNALS[name]
    if proc is None:  # every run finished before the signal
        TALLY.finished_first[f"{kind} {name}"] += 1
        TALLY.interrupts[f"{kind} {name}"] += 1
        _after(kind, name, marker, home, systmp)
        return
    sent = time.monotonic()
    try:
        if sig == signal.SIGINT:
            os.killpg(proc.pid, sig)  # Ctrl-C: the terminal signals the foreground group
        else:
            os.kill(proc.pid, sig)
    except ProcessLookupError:
        pass
    try:
        _, err = proc.communicate(timeout=EXIT_WITHIN_S if sig != signal.SIGKILL else 30)
    except subprocess.TimeoutExpired:
        TALLY.hangs += 1
        os.kill(proc.pid, signal.SIGABRT)  # faulthandler: where every thread is stuck
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            _, err = proc.communicate()
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        stuck = err.decode("utf-8", "replace")
        TALLY.interrupts[f"{kind} {name}"] += 1
        _HANGS.append(f"{kind} did not exit within {EXIT_WITHIN_S} s of {name}")
        HANG_LOG.parent.mkdir(exist_ok=True)
        with HANG_LOG.open("a", encoding="utf-8") as log:  # every thread's stack, whole
            log.write(f"=== {_HANGS[-1]} (seed {SEED})\n{stuck}\n")
        _wait_gone(marker, 5.0)
        _check_store(home, systmp)  # after the kill: the store as after any SIGKILL
        _check_kind(kind, home)
        systmp.rmdir()
        return
    took = time.monotonic() - sent
    TALLY.slowest_exit = max(TALLY.slowest_exit, took if sig != signal.SIGKILL else 0.0)
    TALLY.interrupts[f"{kind} {name}"] += 1
    stderr = err.decode("utf-8", "replace")
    expected = {signal.SIGKILL: -9, signal.SIGTERM: 143, signal.SIGINT: 130}[sig]
    if _python_starting(stderr):
        TALLY.python_starting[f"{kind} {name}"] += 1
        _after(kind, name, marker, home, systmp)
        return
    if proc.returncode in (0, 1):
        TALLY.finished_first[f"{kind} {name}"] += 1  # it was done before the signal
    elif proc.returncode == -sig and sig != signal.SIGKILL:
        TALLY.by_the_signal[f"{kind} {name}"] += 1
    else:
        assert proc.returncode == expected, (kind, name, proc.returncode, stderr)
    assert "Traceback" not in stderr, stderr
    _after(kind, name, marker, home, systmp)


def _python_starting(stderr: str) -> bool:
    """A KeyboardInterrupt raised before any contractctl code ran (no frame of ours)."""
    if "Traceback" not in stderr or not stderr.rstrip().endswith("KeyboardInterrupt"):
        return False
    ours = (str(REPO / "contractctl") + os.sep, str(REPO / "cli") + os.sep)
    return not any(f.startswith(ours) for f in re.findall(r'File "([^"]+)"', stderr))


def _after(kind: str, name: str, marker: str, home: Path, systmp: Path) -> None:
    left = _wait_gone(marker, 5.0)
    if left:
        TALLY.orphans += len(left)
        for pid in (int(p.split()[0]) for p in left):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        pytest.fail(f"processes left after {name} of {kind}: {left}")
    _check_store(home, systmp)
    _check_kind(kind, home)
    systmp.rmdir()


def _check_kind(kind: str, home: Path) -> None:
    if kind in drivers.KINDS:
        drivers.check(kind, home, home.parent / "backups")


@pytest.mark.parametrize("kind", ["import", "draft-batch", *drivers.KINDS])
@pytest.mark.parametrize("name", list(SIGNALS))
def test_interrupted_at_random_moments_the_store_stays_whole(
    kind: str, name: str, populated: tuple[Path, Path, Path]
) -> None:
    if ONLY and f"{kind}:{name}" not in ONLY.split(","):
        pytest.skip(f"CONTRACTCTL_SOAK_ONLY={ONLY}")
    rng = random.Random(f"{SEED}-{kind}-{name}")
    hangs = len(_HANGS)
    for _ in range(ROUNDS):  # a hang is counted and the rounds go on; it fails the test
        _interrupt_once(kind, name, populated, rng)
        _write_counts()
    assert _HANGS[hangs:] == [], f"stacks in {HANG_LOG}"


def test_after_all_interrupts_a_rerun_records_every_input_exactly_once(
    populated: tuple[Path, Path, Path],
) -> None:
    home, inbox, csv_path = populated
    env = {**os.environ, "CONTRACTCTL_USER": "soak", **drivers.env("sign")}
    for kind in ("import", "draft-batch", *drivers.KINDS):
        for argv in _commands(kind, home, inbox, csv_path):
            done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
            assert done.returncode == 0, (argv[3:], done.stderr)
        if kind in drivers.KINDS:
            drivers.check(kind, home, home.parent / "backups")
    drivers.all_done(home)
    with Store.open(home) as store:
        from contractctl.store.objects import sha256_file

        for path in sorted(inbox.iterdir()):
            sha = sha256_file(path)
            rows = store.conn.execute(
                "SELECT contract_id FROM import_files WHERE sha256 = ? AND state = 'imported'",
                (sha,),
            ).fetchall()
            assert len(rows) == 1, path
            versions = store.conn.execute(
                "SELECT count(*) FROM versions WHERE sha256 = ?", (sha,)
            ).fetchone()[0]
            assert versions == 1, path
            assert store.objects.has(sha)
        keys = [
            r[0]
            for r in store.conn.execute(
                "SELECT external_key FROM contracts WHERE external_key LIKE 'batch-%'"
            )
        ]
        with csv_path.open(encoding="utf-8", newline="") as handle:
            rows = [row["key"] for row in csv.DictReader(handle)]
        assert sorted(keys) == sorted(rows)
        assert fsck(store).ok
