"""`draft-batch`'s CSV: rows of field values, read within the bounds of
:mod:`contractctl.limits` (cell size, row count, nesting of JSON cells)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contractctl import limits
from contractctl.errors import InvalidInput


def decode_csv(data: bytes, name: str, encoding: str | None = None) -> str:
    """The CSV's text. Without ``encoding``: UTF-8 (a BOM or not) if the bytes are valid
    UTF-8, else GB18030, which reads GBK and GB2312 too: what Excel on Chinese Windows
    saves ("CSV (逗号分隔)"). A named encoding is used as given (a UTF-8 BOM dropped)."""
    import codecs

    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise InvalidInput(
                f"--encoding {encoding}: not an encoding Python knows (utf-8, gbk, gb18030...)"
            ) from None
        try:
            return data.decode("utf-8-sig" if codec == "utf-8" else codec)
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                f"{name}: not {encoding} text (byte {exc.start + 1} cannot be read); "
                "leave out --encoding to have it detected"
            ) from None
    for codec in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(
        f"{name}: neither UTF-8 nor GB18030/GBK text; give --encoding",
        hint="Excel: Save As > CSV UTF-8 (Comma delimited)",
    )


def rows_from_csv(path: Path, encoding: str | None = None) -> list[dict[str, Any]]:
    """CSV rows as field data. A column named like a table field holds its rows as JSON;
    columns ``items[1].name`` build table rows cell by cell. Empty cells are missing.
    The encoding is ``encoding``, or detected (see :func:`decode_csv`)."""
    import csv

    if not path.is_file():
        raise InvalidInput(f"{path}: no such CSV file")
    text = decode_csv(path.read_bytes(), path.name, encoding)
    csv.field_size_limit(limits.MAX_CSV_CELL)
    reader = csv.DictReader(text.splitlines())
    try:
        return _csv_rows(path, reader)
    except csv.Error as exc:
        where = f"{path.name}: row {reader.line_num}"
        if "field limit" in str(exc):
            raise InvalidInput(
                f"{where}: a cell is longer than {limits.MAX_CSV_CELL:,} characters (the limit)"
            ) from None
        raise InvalidInput(f"{where}: not valid CSV: {exc}") from None


def _csv_rows(path: Path, reader: Any) -> list[dict[str, Any]]:
    if not reader.fieldnames:
        raise InvalidInput(f"{path.name}: the CSV has no header row")
    rows: list[dict[str, Any]] = []
    for raw in reader:
        if len(rows) >= limits.MAX_CSV_ROWS:
            raise InvalidInput(
                f"{path.name}: more than {limits.MAX_CSV_ROWS:,} rows (the limit); split the CSV"
            )
        row: dict[str, Any] = {}
        for column, cell in raw.items():
            if column is None:
                raise InvalidInput(
                    f"{path.name}: row {reader.line_num} has more cells than the header"
                )
            if cell is None or cell.strip() == "":
                continue
            place_value(row, column.strip(), cell)
        rows.append(row)
    return rows


def place_value(row: dict[str, Any], column: str, cell: str) -> None:
    """Put a text value into field data: ``items[2].quantity`` sets one cell of a table
    row; a JSON list is a whole table, a JSON object a party's details; anything else
    is the field's value as written."""
    import re

    match = re.fullmatch(r"(\w+)\[(\d+)\]\.(\w+)", column)
    if match:
        table, index, name = match.group(1), int(match.group(2)), match.group(3)
        rows = row.setdefault(table, [])
        while len(rows) < index:
            rows.append({})
        rows[index - 1][name] = cell
        return
    stripped = cell.strip()
    if (stripped[:1], stripped[-1:]) in (("[", "]"), ("{", "}")):
        try:
            value = json.loads(stripped)
        except RecursionError:
            raise limits.too_deep(f"column {column}") from None
        except json.JSONDecodeError:
            pass
        else:
            limits.check_depth(value, f"column {column}")
            row[column] = value
            return
    row[column] = cell
