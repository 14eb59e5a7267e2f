"""A copy of a DOCX with some of its XML parts rewritten, for LibreOffice to open.

The conversion fixes (``unlink_fields``: cross-references frozen to Word's results;
``footer_boxes``: header and footer boxes that do not grow) each rewrite a few parts
of a temporary copy, never the user's file. What they share is here: reading the
parts they may change (none larger than ``MAX_PART_BYTES``: a zip bomb is not ours to
open), writing the copy, and handing back the file itself when it cannot be read as
a DOCX (LibreOffice then says what is wrong with it).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from contractctl.errors import InvalidInput

#: Parts larger than this are left to LibreOffice as they are.
MAX_PART_BYTES = 50 * 1024 * 1024
#: What reading a damaged, encrypted or hostile zip or XML raises (lxml's syntax errors
#: are SyntaxErrors): the file then goes to LibreOffice as it is.
UNREADABLE = (
    OSError, EOFError, zipfile.BadZipFile, InvalidInput, ValueError, SyntaxError,
    RuntimeError, NotImplementedError,
)  # fmt: skip


def read_parts(src: Path, names: re.Pattern[str]) -> dict[str, bytes]:
    """The parts of ``src`` whose names match ``names`` (and are not too large)."""
    with zipfile.ZipFile(src) as archive:
        return {
            info.filename: archive.read(info)
            for info in archive.infolist()
            if names.fullmatch(info.filename) and info.file_size <= MAX_PART_BYTES
        }


def rewritten_copy(
    src: Path, folder: Path, changed_parts: Callable[[Path], dict[str, bytes]]
) -> Path:
    """``src``, or a copy of it in ``folder`` with the parts ``changed_parts(src)``
    gives; ``src`` itself when nothing changes or it cannot be read as a DOCX."""
    try:
        changed = changed_parts(src)
        if not changed:
            return src
        folder.mkdir(parents=True, exist_ok=True)
        copy = folder / src.name
        with (
            zipfile.ZipFile(src) as old,
            zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as new,
        ):
            for info in old.infolist():
                data = changed.get(info.filename)
                new.writestr(info, data if data is not None else old.read(info))
    except UNREADABLE:
        return src
    return copy


def parse_part(name: str, data: bytes) -> Any:
    """A part's XML tree, parsed without DTDs, entities or network (``InvalidInput`` for
    a part that declares a DOCTYPE: entity expansion is how XML bombs work)."""
    from lxml import etree  # type: ignore[import-untyped]

    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise InvalidInput(f"{name} declares a DOCTYPE")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(data, parser)
