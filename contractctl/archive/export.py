"""Export of contracts as CSV, JSON or XLSX, for spreadsheets, BI tools and scripts.

The rows are the contracts ``list`` finds with the same filters (contracts.ListFilter).
Money is never a float: CSV has the amount as a decimal string (``120000.50``) beside its
currency and its integer minor units; JSON is the stable contract shape with
``{"minor": int, "currency": str}``; XLSX has an exact numeric cell written from a
Decimal (formatted ``#,##0.00``, or ``#,##0`` for a currency without minor units) and the
currency in its own column. Text is written as it is stored: Chinese is preserved
everywhere, and a title that starts with ``=`` is text, never a formula, in XLSX. In CSV
the free-text columns (title, counterparty name, department) that start with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return get a leading ``'``: titles and party
names of imported contracts come from old documents nobody vetted, and Excel runs
``=HYPERLINK(...)`` or ``=cmd|...`` in a CSV cell it opens (CSV injection). JSON is
always the text as stored.

openpyxl is imported inside the function that writes XLSX.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from contractctl.errors import InvalidInput
from contractctl.records.contracts import Contract

FORMATS = ("csv", "json", "xlsx")

#: The columns of CSV and XLSX, in order.
COLUMNS = (
    "id",
    "title",
    "type",
    "status",
    "counterparty_id",
    "counterparty_name",
    "amount",
    "currency",
    "amount_minor",
    "version",
    "start_date",
    "end_date",
    "signed_date",
    "department",
    "source",
    "needs_review",
    "created_at",
)
_DATES = ("start_date", "end_date", "signed_date")
#: Columns of free text (from documents and people), neutralised in CSV.
_TEXT = frozenset({"title", "counterparty_name", "department"})
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_WIDTH_MAX = 60
# Characters XML 1.0 cannot hold; openpyxl refuses them, so they are left out of XLSX.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def row(contract: Contract) -> dict[str, Any]:
    """One contract as a flat row of COLUMNS: str, int, bool or None, never float."""
    party = contract.counterparty or {}
    amount = contract.amount
    return {
        "id": contract.id,
        "title": contract.title,
        "type": contract.type,
        "status": contract.status,
        "counterparty_id": party.get("id"),
        "counterparty_name": party.get("name"),
        "amount": format(amount.major, "f") if amount else None,
        "currency": amount.currency if amount else None,
        "amount_minor": amount.minor if amount else None,
        "version": contract.version,
        "start_date": contract.start_date,
        "end_date": contract.end_date,
        "signed_date": contract.signed_date,
        "department": contract.department,
        "source": contract.source,
        "needs_review": contract.needs_review,
        "created_at": contract.created_at,
    }


def headings() -> list[str]:
    """The header row in the user's language: the column names in English (what scripts
    read; ``--lang en``), Chinese labels in a Chinese interface (what Excel users read)."""
    from contractctl.i18n import _

    return [_(column) for column in COLUMNS]


def to_csv(contracts: Sequence[Contract], *, bom: bool = False) -> str:
    """CSV (RFC 4180, CRLF line ends) with a header row; ``bom`` starts it with U+FEFF,
    so Excel on Windows reads the UTF-8 (Chinese) correctly."""
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headings())
    for contract in contracts:
        values = row(contract)
        writer.writerow(
            [_csv_text(values[c]) if c in _TEXT else _csv_cell(values[c]) for c in COLUMNS]
        )
    return out.getvalue()


def _csv_text(value: Any) -> str:
    """Free text for a CSV cell a spreadsheet will not run as a formula."""
    text = _csv_cell(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_json(contracts: Sequence[Contract]) -> str:
    """A JSON list of the stable contract shape (as `list --json`)."""
    data = [c.to_dict() for c in contracts]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def to_xlsx(contracts: Sequence[Contract]) -> bytes:
    """An XLSX workbook: one sheet, a bold header row, frozen below the header, a filter,
    column widths fitted to the content (CJK characters count double)."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    from contractctl.money import CURRENCIES

    book = Workbook()
    sheet = book.active
    from contractctl.i18n import _

    sheet.title = _("contracts")
    sheet.append(headings())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [_width(c) for c in headings()]
    for contract in contracts:
        values = row(contract)
        cells: list[Any] = []
        for column in COLUMNS:
            value = values[column]
            if column == "amount" and contract.amount is not None:
                value = contract.amount.major
            elif column in _DATES and value:
                value = date.fromisoformat(value)
            elif column == "created_at" and value:
                # Excel has no time zones: the UTC moment, naive, with a date-time format.
                moment = datetime.fromisoformat(value).astimezone(UTC)
                value = moment.replace(tzinfo=None, microsecond=0)
            elif isinstance(value, str):
                value = _ILLEGAL_XML.sub("", value)
            cells.append(value)
        sheet.append(cells)
        r = sheet.max_row
        for index, (column, value) in enumerate(zip(COLUMNS, cells, strict=True), start=1):
            cell = sheet.cell(row=r, column=index)
            if isinstance(value, str):
                cell.data_type = "s"  # "=..." is text here, never a formula
                # ... and stays text when someone edits the cell in Excel (the ' prefix).
                cell.quotePrefix = value.startswith(_FORMULA_START)
            elif column == "amount" and contract.amount is not None:
                digits = CURRENCIES[contract.amount.currency]
                cell.number_format = "#,##0." + "0" * digits if digits else "#,##0"
            elif column in _DATES:
                cell.number_format = "yyyy-mm-dd"
            elif column == "created_at" and isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            shown = (
                value.isoformat(" ")
                if isinstance(value, datetime)
                else value.isoformat()
                if isinstance(value, date)
                else _csv_cell(value)
            )
            widths[index - 1] = max(widths[index - 1], _width(shown))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, _WIDTH_MAX)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _width(text: str) -> int:
    """Display width: East Asian wide and full-width characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def render(contracts: Sequence[Contract], fmt: str, *, bom: bool = False) -> bytes:
    """The export in ``fmt`` (csv, json or xlsx) as bytes (UTF-8 for csv and json)."""
    if fmt not in FORMATS:
        raise InvalidInput(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    if bom and fmt != "csv":
        raise InvalidInput("--bom applies to --format csv only")
    if fmt == "csv":
        return to_csv(contracts, bom=bom).encode("utf-8")
    if fmt == "json":
        return to_json(contracts).encode("utf-8")
    return to_xlsx(contracts)
