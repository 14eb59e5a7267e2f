"""A drawer of old scans is imported and every one of them can be found by its words.

The shapes came back blank, sideways or interleaved before: a small 1-bit TIFF, a
two-column page, a Chinese/English contract set side by side, and a PDF whose header
follows a few bytes of junk (as some mail gateways save them).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.ocr_samples import EN_LINES, pdf_bytes_of, text_page
from tests.scan_samples import make_samples


@pytest.fixture(scope="module")
def drawer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    made = {s.name: s.path for s in make_samples(tmp_path_factory.mktemp("made"))}
    folder = tmp_path_factory.mktemp("drawer")
    for name in ("tiny-1bit", "two-columns", "side-by-side"):
        shutil.copy(made[name], folder / made[name].name)
    (folder / "mailed.pdf").write_bytes(b"\r\n\x00\x00" + pdf_bytes_of([text_page(EN_LINES)]))
    return folder


def _found(cli: Cli, words: str) -> list[dict[str, object]]:
    result = cli("--json", "search", words)
    assert result.code == 0, result.stderr
    hits: list[dict[str, object]] = json.loads(result.stdout)
    return hits


def test_every_scan_in_the_drawer_is_imported_and_found_by_its_words(
    drawer: Path, cli: Cli
) -> None:
    result = cli("--json", "import", str(drawer), "--workers", "2")
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["imported"] == 4 and report["failed"] == []
    # the 1-bit TIFF was read (it used to be judged blank)
    assert _found(cli, "confidential information")
    # the header after junk: a PDF like any other
    assert _found(cli, "Zhangjiang Road")
    # the right-hand column of a two-column page is there, and whole
    assert _found(cli, "England and Wales")
    assert _found(cli, "one percent per month")
    # columns side by side are kept apart: the Chinese one ends before the English starts
    [hit] = _found(cli, "甲方指定仓库")
    snippet = str(hit["snippet"]).replace("«", "").replace("»", "")
    assert "仓库。" in snippet and "Art. 5 Delivery" in snippet
    assert snippet.index("仓库。") < snippet.index("Art. 5 Delivery")
