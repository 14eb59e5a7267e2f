"""`draft-batch`'s CSV: rows of field values, read as a stream within the bounds of
:mod:`contractctl.limits` (cell size, row count, nesting of JSON cells).

A batch CSV can hold a million rows: it is never held whole. :class:`CsvRows` checks
the file once (its encoding, header, cell sizes and row count, in bounded memory) and
then hands out its rows one at a time, as often as the batch walks it (once to
validate, once to draft).
"""

from __future__ import annotations

import codecs
import csv
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from contractctl import limits
from contractctl.errors import InvalidInput

#: Bytes read at a time while checking the encoding.
_CHUNK = 1 << 20


def decode_csv(data: bytes, name: str, encoding: str | None = None) -> str:
    """The CSV's text. Without ``encoding``: UTF-8 (a BOM or not) if the bytes are valid
    UTF-8, else GB18030, which reads GBK and GB2312 too: what Excel on Chinese Windows
    saves ("CSV (逗号分隔)"). A named encoding is used as given (a UTF-8 BOM dropped)."""
    codec = _choose_codec([data], name, encoding)
    return data.decode(codec)


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            yield chunk


def _first_bad_byte(chunks: Any, codec: str) -> int | None:
    """Where ``codec`` first fails to read the bytes (0-based), or None if it reads all."""
    decoder = codecs.getincrementaldecoder(codec)("strict")
    offset = 0
    for chunk in chunks:
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            return offset + max(exc.start, 0)
        offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return offset
    return None


def _choose_codec(chunks: Any, name: str, encoding: str | None) -> str:
    """The codec that reads the whole CSV (``chunks`` is re-iterable): the one given,
    else UTF-8 (BOM dropped) or GB18030; InvalidInput naming the byte otherwise."""
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise InvalidInput(
                f"--encoding {encoding}: not an encoding Python knows (utf-8, gbk, gb18030...)"
            ) from None
        codec = "utf-8-sig" if codec == "utf-8" else codec
        bad = _first_bad_byte(chunks, codec)
        if bad is not None:
            raise InvalidInput(
                f"{name}: not {encoding} text (byte {bad + 1} cannot be read); "
                "leave out --encoding to have it detected"
            )
        return codec
    for codec in ("utf-8-sig", "gb18030"):
        if _first_bad_byte(chunks, codec) is None:
            return codec
    raise InvalidInput(
        f"{name}: neither UTF-8 nor GB18030/GBK text; give --encoding",
        hint="Excel: Save As > CSV UTF-8 (Comma delimited)",
    )


class _Reread:
    """A file's chunks, readable again each time it is iterated."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __iter__(self) -> Iterator[bytes]:
        return _chunks(self.path)


class CsvRows:
    """A batch CSV's rows as field data, streamed: ``len()`` is the row count, and each
    iteration reads the file again, one row at a time.

    Opening checks the whole file in bounded memory: the encoding (``encoding``, or
    detected as in :func:`decode_csv`), the header, every cell's size, no row with
    more cells than the header, at most :data:`~contractctl.limits.MAX_CSV_ROWS` rows.
    A file changed after that is refused rather than read half old, half new.
    """

    def __init__(self, path: Path, encoding: str | None = None) -> None:
        if not path.is_file():
            raise InvalidInput(f"{path}: no such CSV file")
        self.path = path
        self.codec = _choose_codec(_Reread(path), path.name, encoding)
        self._stamp = self._stat()
        self.count = self._check()

    def _stat(self) -> tuple[int, int]:
        stat = os.stat(self.path)
        return stat.st_size, stat.st_mtime_ns

    def __len__(self) -> int:
        return self.count

    def _csv_error(self, exc: csv.Error, line: int) -> InvalidInput:
        where = f"{self.path.name}: row {line}"
        if "field limit" in str(exc):
            return InvalidInput(
                f"{where}: a cell is longer than {limits.MAX_CSV_CELL:,} characters (the limit)"
            )
        return InvalidInput(f"{where}: not valid CSV: {exc}")

    def _check(self) -> int:
        """Count the rows, checking the header, cells and row limit on the way."""
        name = self.path.name
        with self.path.open(encoding=self.codec, newline="") as handle:
            csv.field_size_limit(limits.MAX_CSV_CELL)
            reader = csv.reader(handle)
            count = 0
            try:
                header = next(reader, None)
                if not header:
                    raise InvalidInput(f"{name}: the CSV has no header row")
                width = len(header)
                for cells in reader:
                    if not cells:
                        continue  # a blank line is no row (as csv.DictReader skips it)
                    if len(cells) > width:
                        raise InvalidInput(
                            f"{name}: row {reader.line_num} has more cells than the header"
                        )
                    count += 1
                    if count > limits.MAX_CSV_ROWS:
                        raise InvalidInput(
                            f"{name}: more than {limits.MAX_CSV_ROWS:,} rows (the limit); "
                            "split the CSV"
                        )
            except csv.Error as exc:
                raise self._csv_error(exc, reader.line_num) from None
        return count

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if self._stat() != self._stamp:
            raise InvalidInput(
                f"{self.path.name}: the CSV changed while the batch was reading it; run again"
            )
        with self.path.open(encoding=self.codec, newline="") as handle:
            csv.field_size_limit(limits.MAX_CSV_CELL)
            reader = csv.DictReader(handle)
            try:
                for raw in reader:
                    row: dict[str, Any] = {}
                    for column, cell in raw.items():
                        if column is None or cell is None or cell.strip() == "":
                            continue
                        place_value(row, column.strip(), cell)
                    yield row
            except csv.Error as exc:
                raise self._csv_error(exc, reader.line_num) from None


def rows_from_csv(path: Path, encoding: str | None = None) -> list[dict[str, Any]]:
    """CSV rows as field data, all in a list (a batch streams :class:`CsvRows` instead).
    A column named like a table field holds its rows as JSON; columns
    ``items[1].name`` build table rows cell by cell. Empty cells are missing.
    The encoding is ``encoding``, or detected (see :func:`decode_csv`)."""
    return list(CsvRows(path, encoding))


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
