"""The README's command tour works as written: docs/tour.sh, run on a fresh store.

A new user follows the tour top to bottom; every command must exist and end with the
exit code the tour says (0, unless its comment starts with ``exit N:``). The README's
tour block is the file itself, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.conftest import REPO

if TYPE_CHECKING:
    from tests.tour_run import TourRun

TOUR = REPO / "docs" / "tour.sh"


def steps(text: str) -> list[tuple[int, str, int]]:
    """(line, command, expected exit code) for each command of the tour; a command
    runs on over backslash continuations and through its here-document."""
    lines = text.splitlines()
    found: list[tuple[int, str, int]] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip() or line.lstrip().startswith("#"):
            index += 1
            continue
        start, block = index, [line]
        while block[-1].endswith("\\"):
            index += 1
            block.append(lines[index])
        heredoc = re.search(r"<<'(\w+)'", line)
        if heredoc:
            while lines[index] != heredoc.group(1):
                index += 1
                block.append(lines[index])
        expected = re.search(r"#\s*exit (\d+):", block[0] if heredoc else block[-1])
        found.append((start + 1, "\n".join(block), int(expected.group(1)) if expected else 0))
        index += 1
    return found


def test_the_readme_tour_is_the_tour_file_verbatim() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Command tour", 1)[1].split("```sh\n", 1)[1].split("```\n", 1)[0]
    assert block == TOUR.read_text(encoding="utf-8")


def test_the_tour_shows_a_data_file_people_and_the_approval_order() -> None:
    text = TOUR.read_text(encoding="utf-8")
    assert "cat > purchase.toml" in text and "--data purchase.toml" in text
    assert "people.toml <<'EOF'" in text
    assert text.index("contractctl draft purchase-zh") < text.index("contractctl show C-2026-0001")
    head = text.index("approve C-2026-0001 --as zhao.lei")
    assert head < text.index('approve C-2026-0001 --as wang.fang -m "同意"')
    assert re.search(r"^# contractctl sign .*--tsa", text, re.M), "--tsa only as a comment"


def test_a_new_user_runs_the_tour_top_to_bottom_on_a_fresh_store(tour_run: TourRun) -> None:
    wrong = [
        f"docs/tour.sh:{line}: exit {tour_run.codes.get(n)}, the tour says {expected}: "
        f"{command.splitlines()[0]}"
        for n, (line, command, expected) in enumerate(tour_run.steps)
        if tour_run.codes.get(n) != expected
    ]
    assert not wrong, "\n".join(wrong) + "\n--- stderr ---\n" + tour_run.stderr[-4000:]
