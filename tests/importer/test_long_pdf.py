"""A very long PDF: refused past `--max-pages` (naming the limit) before a page is read,
and read page by page in bounded memory below it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from contractctl.importer.inspect import METADATA_HEAD, METADATA_TAIL, metadata_text
from tests.conftest import REPO, Cli
from tests.importer.test_import import historical


def long_pdf(source: Path, pages: int, out: Path) -> Path:
    """``pages`` pages of a real contract's PDF, repeated (its pages share their fonts
    and content streams, so the file stays small and every page has real text)."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(source)
    writer = PdfWriter()
    for n in range(pages):
        writer.add_page(reader.pages[n % len(reader.pages)])
    with out.open("wb") as handle:
        writer.write(handle)
    return out


def test_a_pdf_over_max_pages_fails_naming_the_limit_and_nothing_is_stored(
    cli: Cli, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    source = historical(tmp_path_factory)["purchase-zh.pdf"]
    folder = tmp_path / "in"
    folder.mkdir()
    long_pdf(source, 12, folder / "long.pdf")
    refused = cli("import", "--workers", "1", "--max-pages", "10", str(folder), "--json")
    assert refused.code == 1, refused.stderr
    (failed,) = refused.json()["failed"]
    assert "12 pages: more than the limit of 10 pages" in failed["reason"]
    assert "--max-pages 12" in failed["reason"]
    assert cli("list", "--json").json() == []
    taken = cli("import", "--workers", "1", "--max-pages", "12", str(folder), "--json")
    assert taken.code == 0, taken.stderr
    assert taken.json()["imported"] == 1


def test_max_pages_below_one_is_exit_2(cli: Cli, tmp_path: Path) -> None:
    result = cli("import", "--max-pages", "0", str(tmp_path))
    assert result.code == 2
    assert "--max-pages must be at least 1" in result.stderr


_CHILD = """
import json, sys
from pathlib import Path
from contractctl.importer.inspect import InspectOptions, file_sha256, inspect_file
path = Path(sys.argv[1])
sha, size = file_sha256(path)
found = inspect_file(str(path), sha, size, InspectOptions(ocr="never"))
status = Path("/proc/self/status").read_text()
peak = int(status.split("VmHWM:")[1].split()[0]) * 1024
print(json.dumps({"error": found.error, "pages": found.pages, "chars": len(found.text),
                  "title": found.metadata.title.value if found.metadata else None,
                  "peak": peak}))
"""


def _read_in_child(path: Path) -> dict[str, Any]:
    """What an import worker does with one file, in a fresh interpreter whose own peak
    RSS (VmHWM) is read at the end."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
        cwd=REPO,
    )
    answer: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return answer


def test_a_long_pdf_is_read_in_bounded_memory(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    source = historical(tmp_path_factory)["purchase-zh.pdf"]
    short = _read_in_child(long_pdf(source, 400, tmp_path / "short.pdf"))
    long = _read_in_child(long_pdf(source, 1_200, tmp_path / "long.pdf"))
    assert (short["error"], long["error"]) == (None, None)
    assert (short["pages"], long["pages"]) == (400, 1_200)
    assert long["title"] == short["title"] == "采购合同"
    # 800 more pages of ~780 characters: their text is kept (to store and index, ~2 MB),
    # and the metadata is read from the first and last pages only. Reading the metadata
    # of all of it took ~65 bytes a character: 40 MB more here, 500 MB at 10,000 pages.
    grown = (long["peak"] - short["peak"]) / 2**20
    assert grown < 12, (short, long)


def test_the_metadata_of_a_long_text_is_read_from_its_beginning_and_end() -> None:
    short = "甲方：上海星河电子科技有限公司\f" * 10
    assert metadata_text(short) == short
    long = "A" * METADATA_HEAD + "B" * 1_000_000 + "C" * METADATA_TAIL
    excerpt = metadata_text(long)
    assert excerpt == "A" * METADATA_HEAD + "\f" + "C" * METADATA_TAIL
