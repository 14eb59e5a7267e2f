"""`contractctl report`: what a manager and a script get from each output."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest

from contractctl.reports.model import direction_of
from contractctl.store import Store
from tests.conftest import Cli
from tests.reports.sample import fill

SIGNED = "('signed', 'active', 'expired', 'terminated', 'archived')"


@pytest.fixture
def filled(cli: Cli, store: Store) -> Cli:
    fill(store)
    return cli


def test_by_counterparty_json_splits_currencies_and_directions(filled: Cli, store: Store) -> None:
    result = filled("report", "--by", "counterparty", "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    assert data["view"] == "counterparty" and data["lang"] == "zh"
    want: dict[str | None, dict[tuple[str, str], list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0])
    )
    for party, type_, currency, minor in store.conn.execute(
        "SELECT counterparty_id, type, currency, amount_minor FROM contracts WHERE currency IS "
        f"NOT NULL AND signed_date IS NOT NULL AND status IN {SIGNED}"
    ):
        pair = want[party][(direction_of(type_), currency)]
        pair[0] += 1
        pair[1] += minor
    got = {
        row["key"]: {
            (t["direction"], t["amount"]["currency"]): [t["count"], t["amount"]["minor"]]
            for t in row["totals"]
        }
        for row in data["rows"]
    }
    assert got == {k: dict(v) for k, v in want.items()}
    pairs = {(t["direction"], t["amount"]["currency"]) for t in data["totals"]}
    assert {"pay", "receive"} <= {d for d, _ in pairs} and {"CNY", "USD"} <= {c for _, c in pairs}
    assert len(pairs) == len(data["totals"])  # one total per direction and currency
    assert all(isinstance(t["amount"]["minor"], int) for t in data["totals"])


def test_the_terminal_table_has_a_total_row_and_the_heading(filled: Cli) -> None:
    result = filled("report", "--by", "type", "--period", "2025")
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "按合同类型统计"
    assert "期间: 2025" in result.stdout and "生成时间" in result.stdout
    total = [line for line in lines if line.strip().startswith("合计")]
    assert len(total) == 1 and "万" in total[0]
    header = next(line for line in lines if line.strip().startswith("分组"))
    # wide characters aligned: the count column ends at the same display column on every row
    from rich.cells import cell_len

    def end_of_count(line: str) -> int:
        label, count = line.split()[:2]
        at = line.index(count, line.index(label) + len(label))
        return cell_len(line[: at + len(count)])

    ends = {end_of_count(line) for line in lines[lines.index(header) :] if line.strip()}
    assert len(ends) == 1


def test_csv_amounts_add_up_to_the_json_totals(filled: Cli) -> None:
    as_json = filled("report", "--by", "month", "--json").json()
    result = filled("report", "--by", "month", "--format", "csv")
    assert result.code == 0
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for row in csv.DictReader(io.StringIO(result.stdout)):
        if row["direction"]:
            sums[(row["direction"], row["currency"])] += int(row["amount_minor"])
    assert dict(sums) == {
        (t["direction"], t["amount"]["currency"]): t["amount"]["minor"] for t in as_json["totals"]
    }


def test_xlsx_has_exact_cells_and_a_native_chart(filled: Cli, tmp_path: Path) -> None:
    target = tmp_path / "r.xlsx"
    result = filled("report", "--by", "month", "-o", str(target), "--json")
    assert result.code == 0, result.stderr
    assert result.json()["format"] == "xlsx"
    with zipfile.ZipFile(target) as book:
        charts = [n for n in book.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 2  # one per currency: CNY and USD never share an axis
        assert b"<lineChart>" in book.read(charts[0])  # months as a line chart
        assert book.read(charts[0]).count(b"<ser>") == 3  # pay, receive, none
    from decimal import Decimal

    from openpyxl import load_workbook

    sheet = load_workbook(target).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "按月签约金额" in values
    numbers = [
        v for v in values if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)
    ]
    assert numbers


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_charts_as_files(filled: Cli, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"r.{fmt}"
    assert filled("report", "--view", "expiring", "-o", str(target)).code == 0
    head = target.read_bytes()[:8]
    assert head.startswith(b"\x89PNG") if fmt == "png" else head.startswith(b"<?xml")


@pytest.mark.parametrize(
    "args,message",
    [
        (["--format", "png"], "give it a name with -o"),
        (["--by", "type", "--view", "cycle"], "either --by or --view"),
        (["--period", "2026Q5"], "is not a period"),
        (["--period", "2026", "--from", "2026-01-01"], "either --period or --from/--to"),
        (["--view", "expiring", "--period", "2026"], "takes no --period"),
        (["--by", "weekday"], "unknown report"),
        (["--format", "pdf"], "is not one of"),
        (["--lang", "fr"], "--lang"),
        (["--status", "nonsense"], "--status"),
        (["--by", "month", "--top", "3"], "--top applies to"),
    ],
)
def test_bad_requests_exit_2_and_say_why(filled: Cli, args: list[str], message: str) -> None:
    result = filled("report", *args)
    assert result.code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_period_and_filters_are_in_the_json(filled: Cli) -> None:
    data = filled(
        "report", "--by", "type", "--period", "2025Q3", "--type", "sales", "--json"
    ).json()
    assert data["period"] == {"from": "2025-07-01", "to": "2025-09-30", "label": "2025Q3"}
    assert data["filters"] == {"types": ["sales"]}
    assert {t["direction"] for t in data["totals"]} <= {"receive"}


def test_help_names_every_view() -> None:
    from tests.conftest import run_installed

    result = run_installed("report", "--help")
    assert result.returncode == 0
    for word in ("--by", "--view", "pipeline", "--period", "--top", "--format", "--lang"):
        assert word in result.stdout


def test_the_demo_ends_with_a_report(store: Store, tmp_path: Path) -> None:
    from contractctl import demo

    fill(store, n=30)
    said: list[str] = []

    class Collect:
        def step(self, title: str) -> None:
            said.append(f"== {title}")

        def say(self, text: str) -> None:
            said.append(text)

    demo._management_report(store.home, "tester", Collect())
    assert said[0].startswith("== Report for management")
    assert any("支出（采购类） CNY ¥" in line for line in said)
    assert "<svg" in (store.home / "report.html").read_text(encoding="utf-8")
    steps = demo.run_demo.__code__.co_names
    assert "_management_report" in steps


def test_json_to_a_file_says_where_it_went(filled: Cli, tmp_path: Path) -> None:
    import json

    target = tmp_path / "r.json"
    result = filled("report", "--by", "status", "-o", str(target), "--json")
    assert result.code == 0, result.stderr
    assert result.json() == {"format": "json", "path": str(target), "view": "status", "rows": 10}
    assert json.loads(target.read_text(encoding="utf-8"))["view"] == "status"
