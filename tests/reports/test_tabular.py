"""The report as a table, CSV and XLSX: exact amounts, nothing a spreadsheet would run."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

from contractctl.money import Money
from contractctl.records.contracts import NewContract, NewVersion, create_contract
from contractctl.records.parties import add_party
from contractctl.reports.aggregate import ReportRequest, build_report
from contractctl.reports.numbers import amount_text, duration_text
from contractctl.reports.tabular import table_cells, to_csv, to_xlsx
from contractctl.store import Store

HOSTILE = '=HYPERLINK("http://evil.example","点我")'


def _hostile_store(store: Store) -> None:
    with store.transaction("tester") as tx:
        party = add_party(tx, name=HOSTILE).id
        for minor, currency in ((123_456_789, "CNY"), (5_000, "USD")):
            create_contract(
                tx,
                NewContract(
                    title="采购合同",
                    type="purchase",
                    counterparty_id=party,
                    amount=Money(minor, currency),
                    status="active",
                    signed_date=date(2026, 3, 1),
                    department="-采购部",
                    source="import",
                ),
                NewVersion(kind="import"),
            )


def test_csv_and_xlsx_never_carry_a_formula(store: Store) -> None:
    _hostile_store(store)
    report = build_report(store.conn, ReportRequest(view="counterparty"))
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert {r["label"] for r in rows} == {"'" + HOSTILE}
    assert sorted(int(r["amount_minor"]) for r in rows) == [5_000, 123_456_789]
    assert {r["amount"] for r in rows} == {"1234567.89", "50.00"}  # exact decimals
    with zipfile.ZipFile(io.BytesIO(to_xlsx(report))) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet  # no formula cell anywhere
    departments = build_report(store.conn, ReportRequest(view="department"))
    assert {r["label"] for r in csv.DictReader(io.StringIO(to_csv(departments)))} == {"'-采购部"}


def test_the_table_puts_each_currency_and_direction_in_its_own_column(store: Store) -> None:
    _hostile_store(store)
    report = build_report(store.conn, ReportRequest(view="type", lang="en"))
    heads, rows, numeric = table_cells(report)
    assert heads == ["group", "contracts", "we pay (purchases) CNY", "we pay (purchases) USD",
                     "no amount"]  # fmt: skip
    assert rows[-1] == ["total", "2", "¥1,234,567.89", "USD 50.00", ""]
    assert numeric == {1, 2, 3, 4}


def test_amounts_for_people_in_chinese_use_wan_and_yi() -> None:
    assert amount_text(Money(123_456_789, "CNY"), "zh") == "¥123.46万"
    assert amount_text(Money(12_345_678_901, "CNY"), "zh") == "¥1.23亿"
    assert amount_text(Money(999_999, "CNY"), "zh") == "¥9,999.99"
    assert amount_text(Money(50_000_000_000_000, "USD"), "zh") == "USD 5,000.00亿"
    assert amount_text(Money(123_456_789, "CNY"), "en") == "¥1,234,567.89"
    assert amount_text(Money(-1_000_000, "CNY"), "zh") == "-¥1.00万"
    assert duration_text(90 * 3600, "en") == "3.8 d" and duration_text(5400, "zh") == "1.5小时"
    assert duration_text(None, "en") == "-"
