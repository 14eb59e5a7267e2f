"""No Python value reaches a user: the README's tour (docs/tour.sh) runs on a fresh store,
then the commands that show things run again, as text and as --json, and every output
is scanned for what Python writes and people do not: ``None``, ``True``/``False`` as
words, reprs (``<... object at 0x...>``, ``Decimal('...')``, ``PosixPath(...)``,
``datetime.date(...)``), and dicts or lists printed whole (``{'key': ...}``, ``['a']``).

One scan over everything a new user sees, so a value that slips through any command's
formatting fails here, naming the command and the line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import REPO
from tests.tour_run import SHOWING, TourRun

#: What Python writes, anywhere in an output.
REPRS = re.compile(
    r"<[\w.]+ object at 0x[0-9a-f]+>|<class '|\bDecimal\('|\bPosixPath\(|\bWindowsPath\("
    r"|\bdatetime\.(?:date|datetime|time|timedelta)\(|\bFraction\(|\bmappingproxy\("
)
#: What Python writes in text meant for people (JSON has its own null/true/false).
WORDS = re.compile(r"(?<![\w.'\"-])(None|True|False)(?![\w'\"-])")
CONTAINERS = re.compile(r"\{'[^']*': |\['[^']*'(?:, '|\])|\(\s*'[^']*',\s*'")


@pytest.fixture(scope="module")
def outputs(tour_run: TourRun) -> dict[str, tuple[str, str]]:
    """(label -> (stdout, stderr)) of every tour command and every SHOWING command."""
    return tour_run.outputs


def _strings(value: Any, path: str = "$") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")
    elif isinstance(value, str):
        yield path, value


def test_the_tour_and_its_views_ran(outputs: dict[str, tuple[str, str]]) -> None:
    assert len(outputs) >= len(SHOWING) * 2
    shown = outputs["contractctl show C-2026-0001"][0]
    assert "C-2026-0001" in shown, "the tour made no contract to look at"


def test_no_output_carries_a_python_value(outputs: dict[str, tuple[str, str]]) -> None:
    found = []
    for label, (stdout, stderr) in outputs.items():
        is_json = label.endswith("--json")
        for stream, text in (("stdout", stdout), ("stderr", stderr)):
            for line in text.splitlines():
                hit = REPRS.search(line)
                if not (is_json and stream == "stdout"):
                    hit = hit or WORDS.search(line) or CONTAINERS.search(line)
                if hit:
                    found.append(f"{label} ({stream}): {hit.group(0)!r} in {line.strip()[:160]}")
    assert not found, "\n".join(found)


def test_every_json_output_is_json_without_python_words(
    outputs: dict[str, tuple[str, str]],
) -> None:
    found = []
    for label, (stdout, _) in outputs.items():
        if not label.endswith("--json") or not stdout.strip():
            continue
        try:
            data = json.loads(stdout)
        except json.JSONDecodeError as exc:
            found.append(f"{label}: not JSON ({exc})")
            continue
        for path, text in _strings(data):
            if text in ("None", "True", "False") or REPRS.search(text):
                found.append(f"{label}: {path} = {text[:120]!r}")
    assert not found, "\n".join(found)


def test_the_scan_catches_what_it_looks_for() -> None:
    """The patterns themselves: each kind of leak is found, ordinary words are not."""
    leaks = [
        "amount: None",
        "standard True",
        "<contractctl.records.contracts.Contract object at 0x7f3a2c>",
        "Decimal('12.50')",
        "PosixPath('/tmp/x')",
        "datetime.date(2026, 1, 1)",
        "{'minor': 100, 'currency': 'CNY'}",
        "['a', 'b']",
    ]
    for leak in leaks:
        assert REPRS.search(leak) or WORDS.search(leak) or CONTAINERS.search(leak), leak
    for fine in ("None of the parties", "no contracts (none)", "is_true", "-> active", "甲方"):
        assert not (REPRS.search(fine) or CONTAINERS.search(fine)), fine
    assert REPO.is_dir()
