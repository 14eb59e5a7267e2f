"""draft-batch streams its CSV: a large batch is validated in bounded memory, with
progress, and the rows are read again (not held) to draft them."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from contractctl.drafting.batch import draft_batch
from contractctl.drafting.batch_csv import CsvRows
from contractctl.errors import InvalidInput, ValidationFailed
from contractctl.store import Store
from tests.cli.test_draft import _batch_csv
from tests.conftest import REPO, Cli

#: Rows in the memory test: seconds of validation, far past where the old batch grew
#: (30 KB a row: 600 MB at 20,000 rows).
LARGE = 20_000

_CHILD = """
import json, sys, time
from pathlib import Path
from contractctl.cli.main import run
started, cpu = time.perf_counter(), time.process_time()
code = run(["--home", sys.argv[1], "draft-batch", "purchase-zh", "--csv", sys.argv[2],
            "--no-pdf"])
status = Path("/proc/self/status").read_text()
peak = int(status.split("VmHWM:")[1].split()[0]) * 1024
print(json.dumps({"code": code, "peak": peak, "seconds": time.perf_counter() - started,
                  "cpu": time.process_time() - cpu}))
"""


def validate_in_child(home: Path, csv_path: Path, timeout: float = 600) -> dict[str, Any]:
    """Run `draft-batch` in a fresh interpreter and read its own peak RSS (VmHWM; not
    RUSAGE, which carries the parent's high-water mark across exec). The CSV's last
    row is bad, so the batch validates every row and stops before drafting any."""
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(home), str(csv_path)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=REPO,
    )
    assert result.stdout, result.stderr
    answer: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    answer["stderr"] = result.stderr
    return answer


def with_parties(cli: Cli) -> Cli:
    """The two counterparties :func:`_batch_csv`'s rows name."""
    cli("party", "add", "上海星河电子科技有限公司", "--uscc", "91350100M000100Y43")
    cli("party", "add", "Harbor Analytics Ltd.")
    return cli


def large_csv(folder: Path, rows: int) -> Path:
    """``rows`` valid rows but the last (its sign_date is no date)."""
    folder.mkdir(parents=True, exist_ok=True)
    return _batch_csv(folder, rows, bad={rows: {"sign_date": "someday"}})


def test_a_large_batch_is_validated_in_bounded_memory(cli: Cli, home: Path, tmp_path: Path) -> None:
    with_parties(cli)
    small = validate_in_child(home, large_csv(tmp_path / "small", 1_000))
    large = validate_in_child(home, large_csv(tmp_path / "large", LARGE))
    for run, rows in ((small, 1_000), (large, LARGE)):
        assert run["code"] == 2, run["stderr"]
        assert f"row {rows + 1}: sign_date" in run["stderr"]
    grown = (large["peak"] - small["peak"]) / 2**20
    # 19,000 more rows: the old batch grew 570 MB here; the stream keeps 8 bytes a row.
    assert grown < 16, (small, large)
    assert large["peak"] < 200 * 2**20, large


class Recorder:
    """A Progress that remembers what it was told."""

    def __init__(self) -> None:
        self.tasks: list[list[Any]] = []

    def start(self, total: int, description: str) -> None:
        self.tasks.append([description, total, 0])

    def advance(self, units: int = 1) -> None:
        self.tasks[-1][2] += units

    def finish(self) -> None:
        pass


def test_validation_and_drafting_each_show_progress_row_by_row(
    cli: Cli, home: Path, tmp_path: Path
) -> None:
    with_parties(cli)
    path = _batch_csv(tmp_path, 5)
    progress = Recorder()
    with Store.open(home) as store:
        result = draft_batch(
            store, "tester", "purchase-zh", CsvRows(path), pdf=False, progress=progress
        )
    assert len(result.made) == 5
    assert progress.tasks == [["validating", 5, 5], ["storing", 5, 5]]
    rerun = Recorder()
    with Store.open(home) as store:
        again = draft_batch(store, "tester", "purchase-zh", CsvRows(path), progress=rerun)
    assert (len(again.made), len(again.existing)) == (0, 5)
    assert rerun.tasks == [["validating", 5, 5]], "nothing left to draft: no second walk"


def test_rows_past_the_listing_limit_are_counted_not_listed(
    cli: Cli, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contractctl.drafting import batch

    monkeypatch.setattr(batch, "MAX_PROBLEMS", 3)
    with_parties(cli)
    path = _batch_csv(tmp_path, 6, bad={n: {"sign_date": "someday"} for n in range(1, 7)})
    with Store.open(home) as store, pytest.raises(ValidationFailed) as caught:
        draft_batch(store, "tester", "purchase-zh", CsvRows(path), pdf=False)
    assert "6 row(s) of the CSV are invalid" in caught.value.message
    assert "3 more problems not listed" in caught.value.message
    assert [p.row for p in caught.value.problems] == [2, 3, 4]  # type: ignore[attr-defined]


def test_the_csv_is_read_as_a_stream_and_a_change_midway_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(
        'key,contract_no,note\r\nk-1,A-1,"two\r\nlines"\r\n\r\nk-2,A-2,\r\n', encoding="utf-8"
    )
    rows = CsvRows(path)
    assert len(rows) == 2
    assert list(rows) == [
        {"key": "k-1", "contract_no": "A-1", "note": "two\r\nlines"},
        {"key": "k-2", "contract_no": "A-2"},
    ]
    assert list(rows) == list(rows), "each walk reads the file again"
    walk = iter(rows)
    next(walk)
    time.sleep(0.01)
    path.write_text("key\r\nk-9\r\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="changed while the batch was reading"):
        list(rows)


def test_a_bad_byte_deep_in_a_large_csv_is_named_by_its_position(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    body = b"key,contract_no\r\n" + b"k,A-1\r\n" * 400_000  # 2.8 MB: more than one chunk
    path.write_bytes(body + b"k,\xff\xfe\r\n")
    with pytest.raises(InvalidInput, match=f"byte {len(body) + 3} cannot be read"):
        CsvRows(path, encoding="utf-8")
    assert len(CsvRows(path, encoding="latin-1")) == 400_001


def test_draft_batch_prints_the_id_of_each_contract_it_made(cli: Cli, tmp_path: Path) -> None:
    with_parties(cli)
    result = cli("draft-batch", "purchase-zh", "--csv", str(_batch_csv(tmp_path, 2)), "--no-pdf")
    assert result.code == 0, result.stderr
    assert result.stdout.split() == [c["id"] for c in cli("list", "--json").json()]
    assert "2 drafted, 0 already existed, 0 failed" in result.stderr
