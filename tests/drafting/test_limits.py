"""A template cannot make contractctl hang or eat the machine: refused at add, stopped at render.

Expressions that legal would never write but a hostile or broken template can hold:
a power tower, a ten-thousand-digit number, a filter asked for a gigabyte of padding.
The linter names them without computing them; the renderer, for a template that never
went through the linter, stops them with hard limits in a child process. Each ends as
bad input (exit 2) in seconds, never a hang or an internal error.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from contractctl.drafting.render import Renderer, RenderError, RenderLimit, to_context
from tests.conftest import REPO
from tests.drafting.test_lint import CLEAN, lint, write_docx

HOSTILE = {
    "power-tower": "{{ 9**(9**9) }}",
    "ten-thousand-digit-power": "{{ 10**5000 }}",
    "huge-literal": "{{ 1" + "0" * 5000 + " }}",
    "center-a-gigabyte": "{{ note|center(10**9) }}",
    "format-star-width": "{{ '%*d'|format(1000000000, 1) }}",
    "method-padding": "{{ note.ljust(10**9) }}",
    "string-repetition": "{{ 'x' * 100000000 }}",
}


@pytest.mark.parametrize("body", list(HOSTILE.values()), ids=list(HOSTILE))
def test_the_linter_names_a_runaway_expression_without_computing_it(
    tmp_path: Path, body: str
) -> None:
    started = time.monotonic()
    problems = lint(write_docx(tmp_path / "t.docx", [*CLEAN, body]))
    assert time.monotonic() - started < 5
    # The limit is named first; a method on a text field may also be refused by type.
    codes = [p.code for p in problems]
    assert codes[0] == "render-limit" and set(codes) <= {"render-limit", "field-type"}, codes
    assert problems[0].context.startswith(body[:20])


@pytest.mark.parametrize(
    "body", ["{{ 2**10 }}", "{{ note|truncate(200) }}", "{{ note|center(40) }}", "{{ 1.5 * 3 }}"]
)
def test_ordinary_arithmetic_and_widths_are_fine(tmp_path: Path, body: str) -> None:
    assert lint(write_docx(tmp_path / "t.docx", [*CLEAN, body])) == []


def _render(tmp_path: Path, body: str) -> None:
    from docx import Document

    document = Document()
    document.add_paragraph(body)
    template = tmp_path / "t.docx"
    document.save(str(template))
    context = to_context({"note": "x"}, {"name": "我们"})
    Renderer(template).render(context, tmp_path / "out.docx")


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("{{ note|center(10**9) }}", "MB of memory"),
        ("{{ '%*d'|format(1000000000, 1) }}", "MB of memory"),
        ("{{ note.ljust(10**9) }}", "MB of memory"),
        ("{{ 9**(9**9) }}", "exponent"),
        ("{{ 10**5000 }}", "exponent"),
    ],
)
def test_the_renderer_stops_the_work_as_it_happens(tmp_path: Path, body: str, says: str) -> None:
    started = time.monotonic()
    with pytest.raises(RenderLimit, match=says):
        _render(tmp_path, body)
    assert time.monotonic() - started < 5


def test_a_render_stopped_by_the_memory_limit_stays_under_500_mb(tmp_path: Path) -> None:
    """Measured in a fresh interpreter: the peak of the render process, not of pytest
    (whose size a fresh process's RUSAGE_SELF would still carry after exec)."""
    script = f"""
import json, resource, sys
from pathlib import Path
sys.path.insert(0, {str(REPO)!r})
from tests.drafting.test_limits import _render
from contractctl.drafting.render import RenderLimit
try:
    _render(Path({str(tmp_path)!r}), "{{{{ '%*d'|format(1000000000, 1) }}}}")
    print(json.dumps({{"stopped": False}}))
except RenderLimit as exc:
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    # Not RUSAGE_SELF: Linux carries the pre-exec high-water mark across exec, so in a
    # full test run it would be pytest's own size. VmHWM is this process's own.
    status = Path("/proc/self/status").read_text()
    own = int(status.split("VmHWM:")[1].split()[0]) * 1024
    print(json.dumps({{"stopped": True, "message": exc.message, "peak": max(peak, own)}}))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    answer = json.loads(result.stdout)
    assert answer["stopped"], answer
    assert answer["peak"] < 500 * 2**20, answer


def test_an_error_inside_the_render_process_comes_back_as_itself(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"undefined|nope") as caught:
        _render(tmp_path, "{{ nope }}")
    assert type(caught.value) is RenderError


def test_a_render_still_works_and_writes_the_docx(tmp_path: Path) -> None:
    from docx import Document

    _render(tmp_path, "备注：{{ note }}")
    assert Document(str(tmp_path / "out.docx")).paragraphs[0].text == "备注：x"
