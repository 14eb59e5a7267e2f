"""A report as a table: cells for the terminal and HTML, CSV for scripts, XLSX for Excel.

The table is wide: one column per (direction, currency) present, so a CNY purchase
total never shares a column with a USD one or with sales. CSV is long instead (one line
per group, direction and currency, with the exact decimal and the minor units), so its
columns never change with the data. XLSX has exact numeric cells (from Decimal, never
float) and a native Excel chart per currency, drawn from those cells.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from contractctl.money import CURRENCIES, Money
from contractctl.reports import labels as L
from contractctl.reports.model import Report
from contractctl.reports.numbers import amount_text, duration_text


def series_label(lang: str, direction: str, currency: str) -> str:
    """The heading of one money column: ``we pay (purchases) CNY``."""
    return f"{L.direction_label(lang, direction)} {currency}"


def title_of(report: Report) -> str:
    """The report's title in its language."""
    return L.word(report.lang, f"title.{report.view}")


def table_cells(report: Report) -> tuple[list[str], list[list[str]], set[int]]:
    """Headings, rows of text (a total row last) and which columns are numbers."""
    lang = report.lang
    if report.is_cycle:
        heads = [
            L.word(lang, "group"),
            "",
            L.word(lang, "count"),
            L.word(lang, "median"),
            L.word(lang, "p90"),
        ]
        rows = [
            [
                r.label,
                "" if r.detail["group"] == "overall" else L.word(lang, r.detail["group"]),
                f"{r.count:,}",
                duration_text(r.detail["median_seconds"], lang),
                duration_text(r.detail["p90_seconds"], lang),
            ]
            for r in report.rows
        ]
        return heads, rows, {2, 3, 4}
    series = report.series
    heads = [L.word(lang, "group"), L.word(lang, "count")]
    heads += [series_label(lang, d, c) for d, c in series]
    heads.append(L.word(lang, "no_amount"))
    body: list[list[str]] = []
    for r in [*report.rows, None]:
        label = r.label if r else L.word(lang, "total")
        count = r.count if r else report.count
        totals = r.totals if r else report.totals
        no_amount = r.no_amount if r else report.no_amount
        found = {(t.direction, t.currency): t for t in totals}
        cells = [label, f"{count:,}"]
        for key in series:
            total = found.get(key)
            cells.append(amount_text(total.money, lang) if total else "")
        cells.append(f"{no_amount:,}" if no_amount else "")
        body.append(cells)
    return heads, body, set(range(1, len(heads)))


def to_csv(report: Report) -> str:
    """Long CSV: one line per group, direction and currency (CRLF, header first)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if report.is_cycle:
        writer.writerow(["view", "group", "key", "label", "count", "median_seconds", "p90_seconds"])
        for r in report.rows:
            writer.writerow(
                [
                    report.view,
                    r.detail["group"],
                    _text(_cell(r.key)),
                    _text(r.label),
                    r.count,
                    _cell(r.detail["median_seconds"]),
                    _cell(r.detail["p90_seconds"]),
                ]
            )
        return out.getvalue()
    writer.writerow(
        [
            "view",
            "key",
            "label",
            "count",
            "no_amount",
            "direction",
            "currency",
            "contracts",
            "amount",
            "amount_minor",
        ]
    )
    for r in report.rows:
        head = [report.view, _text(_cell(r.key)), _text(r.label), r.count, r.no_amount]
        if not r.totals:
            writer.writerow([*head, "", "", "", "", ""])
        for t in r.totals:
            writer.writerow([*head, t.direction, t.currency, t.count, _decimal(t.money), t.minor])
    return out.getvalue()


#: What a spreadsheet would run as a formula at the start of a cell (party names and
#: departments of imported contracts come from documents nobody vetted), as in export.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    """Free text for a CSV cell that Excel will not run: a leading ' when needed."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _decimal(money: Money) -> str:
    return format(money.major, "f")


def to_xlsx(report: Report) -> bytes:
    """An XLSX workbook: the report's heading lines, the wide table, a native chart."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.chart import BarChart, LineChart, Reference  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    lang = report.lang
    book = Workbook()
    sheet = book.active
    sheet.title = "report"
    sheet.append([title_of(report)])
    sheet["A1"].font = Font(bold=True, size=14)
    for key, value in heading_lines(report):
        sheet.append([key, value])
    sheet.append([])
    first = sheet.max_row + 1
    if report.is_cycle:
        sheet.append(
            [
                L.word(lang, "group"),
                "",
                L.word(lang, "count"),
                f"{L.word(lang, 'median')} ({L.word(lang, 'days')})",
                f"{L.word(lang, 'p90')} ({L.word(lang, 'days')})",
            ]
        )
        for r in report.rows:
            sheet.append(
                [
                    r.label,
                    L.word(lang, r.detail["group"]),
                    r.count,
                    _days(r.detail["median_seconds"]),
                    _days(r.detail["p90_seconds"]),
                ]
            )
        value_columns: list[tuple[int, str | None]] = [(4, None), (5, None)]
    else:
        series = report.series
        sheet.append(
            [
                L.word(lang, "group"),
                L.word(lang, "count"),
                *[series_label(lang, d, c) for d, c in series],
                L.word(lang, "no_amount"),
            ]
        )
        for r in report.rows:
            found = {(t.direction, t.currency): t for t in r.totals}
            values = [found[k].money.major if k in found else None for k in series]
            sheet.append([r.label, r.count, *values, r.no_amount])
        value_columns = [(3 + i, c) for i, (_, c) in enumerate(series)]
    for cell in sheet[first]:
        cell.font = Font(bold=True)
    last = sheet.max_row
    for line in sheet.iter_rows(min_row=1, max_row=last):
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # "=..." is text here, never a formula
                cell.quotePrefix = cell.value.startswith(_FORMULA_START)
    for column, currency in value_columns:
        digits = CURRENCIES[currency] if currency else 1
        for (cell,) in sheet.iter_rows(
            min_row=first + 1, max_row=last, min_col=column, max_col=column
        ):
            cell.number_format = "#,##0." + "0" * digits if digits else "#,##0"
    sheet.column_dimensions["A"].width = 28
    for letter in "BCDEFGHIJ":
        sheet.column_dimensions[letter].width = 18
    currencies: list[str | None] = [*sorted({c for _, c in value_columns if c})] or [None]
    anchor_row = 2
    for currency in currencies:
        chart = LineChart() if report.view == "month" else BarChart()
        chart.title = f"{title_of(report)}{f' ({currency})' if currency else ''}"
        chart.height, chart.width = 8, 18
        for column, col_currency in value_columns:
            if col_currency != currency or last <= first:
                continue
            data = Reference(sheet, min_col=column, min_row=first, max_row=last)
            chart.add_data(data, titles_from_data=True)
        if last > first:
            chart.set_categories(Reference(sheet, min_col=1, min_row=first + 1, max_row=last))
        sheet.add_chart(chart, f"L{anchor_row}")
        anchor_row += 17
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _days(seconds: int | None) -> Any:
    from decimal import ROUND_HALF_UP, Decimal

    if seconds is None:
        return None
    return (Decimal(seconds) / Decimal(86400)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def heading_lines(report: Report) -> list[tuple[str, str]]:
    """Period, filters, what is counted and when: the lines above every report."""
    lang = report.lang
    period = report.period.label or L.word(lang, "all_time")
    filters = ", ".join(f"{k}={_shown(v)}" for k, v in report.filters.items())
    return [
        (L.word(lang, "period"), period),
        (L.word(lang, "filters"), filters or L.word(lang, "no_filters")),
        (L.word(lang, "basis"), report.basis),
        (L.word(lang, "made_at"), report.made_at.replace("T", " ").replace("Z", " UTC")),
    ]


def _shown(value: Any) -> str:
    if isinstance(value, dict) and {"minor", "currency"} <= set(value):
        return amount_text(Money(value["minor"], value["currency"]), "en")
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    return str(value)
