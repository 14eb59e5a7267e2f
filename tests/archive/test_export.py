"""Exporting contracts: CSV, JSON and XLSX that round-trip, money exact, Chinese preserved."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest

from contractctl.archive.export import COLUMNS, render, row, to_csv, to_json, to_xlsx
from contractctl.errors import InvalidInput
from contractctl.money import Money
from contractctl.records.contracts import (
    ListFilter,
    NewContract,
    NewVersion,
    create_contract,
    list_contracts,
)
from contractctl.records.parties import add_party
from contractctl.store import Store


@pytest.fixture
def three(store: Store) -> Store:
    """A purchase in CNY with a Chinese counterparty, a service in JPY, and an NDA with
    no amount whose title a spreadsheet would take for a formula."""
    with store.transaction("tester") as tx:
        party = add_party(tx, name="上海云杉信息技术有限公司")
        create_contract(
            tx,
            NewContract(
                title="服务器采购合同",
                type="purchase",
                counterparty_id=party.id,
                amount=Money(1234567890123, "CNY"),
                start_date=date(2026, 1, 1),
                end_date=date(2026, 12, 31),
                department="采购部",
            ),
            NewVersion(),
        )
        create_contract(
            tx,
            NewContract(title="Consulting", type="service", amount=Money(500000, "JPY")),
            NewVersion(),
        )
        create_contract(
            tx,
            NewContract(title='=HYPERLINK("x")', type="nda", needs_review=True),
            NewVersion(),
        )
    return store


def test_rows_are_flat_with_the_amount_as_an_exact_decimal_string(three: Store) -> None:
    found = list_contracts(three.conn, ListFilter())
    rows = [row(c) for c in found]
    assert [r["amount"] for r in rows] == ["12345678901.23", "500000", None]
    assert [r["amount_minor"] for r in rows] == [1234567890123, 500000, None]
    assert [r["currency"] for r in rows] == ["CNY", "JPY", None]
    assert rows[0]["counterparty_name"] == "上海云杉信息技术有限公司"
    assert rows[0]["counterparty_id"] == "P-0001"
    assert list(rows[0]) == list(COLUMNS)
    assert not any(isinstance(v, float) for r in rows for v in r.values())


def test_csv_round_trips_with_chinese_and_an_optional_bom(three: Store) -> None:
    found = list_contracts(three.conn, ListFilter())
    text = to_csv(found)
    assert text.startswith("id,title,type,status,") and "\r\n" in text
    parsed = list(csv.DictReader(io.StringIO(text)))
    # a title a spreadsheet would run as a formula is neutralised; JSON keeps it as stored
    assert [r["title"] for r in parsed] == ["服务器采购合同", "Consulting", '\'=HYPERLINK("x")']
    assert parsed[0]["amount"] == "12345678901.23" and parsed[0]["currency"] == "CNY"
    assert parsed[2]["amount"] == "" and parsed[2]["needs_review"] == "true"
    assert Decimal(parsed[0]["amount"]) * 100 == int(parsed[0]["amount_minor"])
    with_bom = render(found, "csv", bom=True)
    assert with_bom.startswith(b"\xef\xbb\xbfid,") and with_bom.decode("utf-8-sig") == text


def test_json_is_the_contract_shape_with_integer_minor_units(three: Store) -> None:
    found = list_contracts(three.conn, ListFilter())
    data = json.loads(to_json(found))
    assert data == [c.to_dict() for c in found]
    assert data[0]["amount"] == {"minor": 1234567890123, "currency": "CNY"}
    assert "服务器采购合同" in to_json(found)  # not \\u-escaped


def test_xlsx_has_exact_numeric_amounts_a_frozen_header_and_text_never_a_formula(
    three: Store,
) -> None:
    from openpyxl import load_workbook

    found = list_contracts(three.conn, ListFilter())
    data = to_xlsx(found)
    sheet = load_workbook(io.BytesIO(data)).active
    header = [c.value for c in sheet[1]]
    assert header == list(COLUMNS)
    assert sheet.freeze_panes == "A2"
    assert sheet[1][0].font.bold
    col = {name: index for index, name in enumerate(COLUMNS)}
    first, second, third = (list(r) for r in sheet.iter_rows(min_row=2))
    amount = first[col["amount"]]
    assert amount.data_type == "n" and amount.number_format == "#,##0.00"
    assert Decimal(str(amount.value)) == Decimal("12345678901.23")
    assert first[col["currency"]].value == "CNY"
    assert first[col["amount_minor"]].value == 1234567890123
    assert second[col["amount"]].number_format == "#,##0"  # JPY has no minor unit
    assert first[col["title"]].value == "服务器采购合同"
    assert first[col["counterparty_name"]].value == "上海云杉信息技术有限公司"
    assert first[col["start_date"]].value == datetime(2026, 1, 1)
    assert third[col["title"]].value == '=HYPERLINK("x")' and third[col["title"]].data_type == "s"
    # ... and it stays text when edited in Excel: the cell carries the ' (quotePrefix) style
    assert third[col["title"]].quotePrefix and not first[col["title"]].quotePrefix
    created = first[col["created_at"]]
    assert isinstance(created.value, datetime) and created.number_format == "yyyy-mm-dd hh:mm:ss"
    assert created.value.isoformat() == found[0].created_at[:19]
    assert third[col["amount"]].value is None and third[col["needs_review"]].value is True
    # The number is stored exactly as the Decimal's digits, not a binary float.
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        xml = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<v>12345678901.23</v>" in xml
    assert "<f>" not in xml
    # Wide (Chinese) text gets a wider column than its character count.
    title_width = sheet.column_dimensions["B"].width
    assert title_width >= 2 * len("服务器采购合同")


def test_an_empty_export_is_a_header_or_an_empty_list() -> None:
    assert to_csv([]) == ",".join(COLUMNS) + "\r\n"
    assert json.loads(to_json([])) == []
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(to_xlsx([]))).active
    assert sheet.max_row == 1


def test_unknown_formats_and_a_bom_outside_csv_are_refused() -> None:
    with pytest.raises(InvalidInput, match="'pdf' is not one of csv, json, xlsx"):
        render([], "pdf")
    with pytest.raises(InvalidInput, match="--bom applies to --format csv only"):
        render([], "json", bom=True)
