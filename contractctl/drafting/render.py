"""Rendering DOCX templates safely: sandboxed, strict, escaped and bounded.

A contract template is a program written by someone else. Rendering therefore uses
Jinja's SandboxedEnvironment (no reaching Python internals such as
``''.__class__``), StrictUndefined and a finalizer that refuses None (a missing value
is an error, never a blank in a contract), autoescaping (a value with & < > cannot
corrupt the DOCX XML), and bounds on output size, render time, ``range`` and the
``*``/``**`` operators, so a template cannot exhaust memory or CPU.

Before docxtpl opens a template, :func:`contractctl.documents.docx_safety.check_docx` refuses zip
bombs, XML entity declarations and tag counts that would stall docxtpl's patching, so a
hostile DOCX cannot hang or exhaust the renderer even if it never went through the linter.

Compiled templates are cached by source, because docxtpl calls ``from_string`` on
every render and recompiling costs ~30% of a render (PERFORMANCE-NOTES.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from contractctl.documents import docx_safety
from contractctl.errors import InvalidInput
from contractctl.money import Money, format_money, to_chinese_upper

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

#: Bounds on what one template may produce.
MAX_OUTPUT_CHARS = 20_000_000
MAX_RENDER_SECONDS = 20.0
MAX_RANGE = 10_000
MAX_SEQUENCE = 1_000_000

MONTHS_EN = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


class RenderError(InvalidInput):
    """A template could not be rendered with the given values."""

    kind = "render_error"


class RenderLimit(RenderError):
    """A template tried to produce too much or run too long."""

    kind = "render_limit"


_deadline = threading.local()


def _check_deadline() -> None:
    limit = getattr(_deadline, "at", None)
    if limit is not None and time.monotonic() > limit:
        raise RenderLimit(f"the template ran longer than {MAX_RENDER_SECONDS:g} s")


def _need(value: Any, kind: type | tuple[type, ...], filter_name: str) -> Any:
    if not isinstance(value, kind):
        raise RenderError(
            f"filter {filter_name} needs a {getattr(kind, '__name__', kind)}, got {value!r}"
        )
    return value


def money_filter(value: Any) -> str:
    """¥120,000.00 / USD 1,234.56."""
    return format_money(_need(value, Money, "money"))


def cn_upper_filter(value: Any) -> str:
    """人民币壹拾贰万元整."""
    return to_chinese_upper(_need(value, Money, "cn_upper"))


def date_cn_filter(value: Any) -> str:
    """2026年11月22日."""
    day = _need(value, date, "date_cn")
    return f"{day.year}年{day.month}月{day.day}日"


def date_en_filter(value: Any) -> str:
    """November 22, 2026 (independent of the machine's locale)."""
    day = _need(value, date, "date_en")
    return f"{MONTHS_EN[day.month - 1]} {day.day}, {day.year}"


def _bounded_range(*args: int) -> Iterator[int]:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise RenderLimit(f"range() of {len(numbers):,} items; at most {MAX_RANGE:,}")
    for number in numbers:
        _check_deadline()
        yield number


_printed = threading.local()
#: Printed values longer than this are not kept for the PDF check.
MAX_PRINTED_CHARS = 2_000


def _finalize(value: Any) -> Any:
    if value is None:
        raise RenderError(
            "the template prints a value that is empty; give the field a value or guard it "
            "with {% if %}"
        )
    values = getattr(_printed, "values", None)
    if values is not None:
        text = str(value)
        if text.strip() and len(text) <= MAX_PRINTED_CHARS:
            values[text] = None
    return value


def make_environment() -> SandboxedEnvironment:
    """The sandboxed, strict, autoescaping, bounded Jinja environment for contracts."""
    from jinja2 import StrictUndefined, Template
    from jinja2.sandbox import SandboxedEnvironment

    class BoundedTemplate(Template):
        def render(self, *args: Any, **kwargs: Any) -> str:
            ctx = self.new_context(dict(*args, **kwargs))
            parts: list[str] = []
            size = 0
            for chunk in self.root_render_func(ctx):
                size += len(chunk)
                if size > MAX_OUTPUT_CHARS:
                    raise RenderLimit(
                        f"the template produced more than {MAX_OUTPUT_CHARS:,} characters"
                    )
                _check_deadline()
                parts.append(chunk)
            return "".join(parts)

    class ContractSandbox(SandboxedEnvironment):
        intercepted_binops = frozenset(["*", "**"])

        def __init__(self) -> None:
            super().__init__(
                undefined=StrictUndefined,
                autoescape=True,
                finalize=_finalize,
                keep_trailing_newline=True,
                optimized=False,  # never fold constants: compiling runs no template code
            )
            self.template_class = BoundedTemplate
            self._compiled: dict[str, Template] = {}
            self._lock = threading.Lock()

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "**":
                if isinstance(right, (int, float, Decimal)) and not -64 <= right <= 64:
                    raise RenderLimit("exponent too large in template")
                return left**right
            for seq, count in ((left, right), (right, left)):
                if (
                    isinstance(seq, (str, list, tuple))
                    and isinstance(count, int)
                    and len(seq) * count > MAX_SEQUENCE
                ):
                    raise RenderLimit("the template builds a sequence that is too long")
            return left * right

        def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
            if globals is not None or template_class is not None or not isinstance(source, str):
                return super().from_string(source, globals, template_class)
            with self._lock:
                compiled = self._compiled.get(source)
                if compiled is None:
                    compiled = super().from_string(source)
                    if len(self._compiled) > 64:
                        self._compiled.clear()
                    self._compiled[source] = compiled
                return compiled

    env = ContractSandbox()
    env.globals.clear()
    env.globals["range"] = _bounded_range
    env.filters.update(
        {
            "money": money_filter,
            "cn_upper": cn_upper_filter,
            "date_cn": date_cn_filter,
            "date_en": date_en_filter,
        }
    )
    return env


def to_context(values: Mapping[str, Any], company: Mapping[str, str]) -> dict[str, Any]:
    """Template variables: fields by name, rows and parties as attribute records.

    Rows and parties become SimpleNamespace so ``item.items`` or ``party.values``
    reach the column, never a dict method.
    """
    context: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, list):
            context[key] = [SimpleNamespace(**row) for row in value]
        elif isinstance(value, dict):
            context[key] = SimpleNamespace(**value)
        else:
            context[key] = value
    context["company"] = SimpleNamespace(**company)
    return context


class Renderer:
    """Renders one DOCX template many times, compiling its Jinja once."""

    def __init__(self, template_path: Path) -> None:
        self.template_path = template_path
        self.env = make_environment()
        self._checked = False  # the template passed docx_safety.check_docx

    def render(self, context: Mapping[str, Any], out_path: Path) -> list[str]:
        """Render with ``context`` (see ``to_context``) and save the DOCX to ``out_path``.

        Returns every value the template printed into the document (its properties
        aside), as printed: what the PDF must show (:mod:`~contractctl.drafting.pdf_check`).

        The template is checked by docx_safety on the first render (RenderError if it is
        refused); later renders by the same Renderer trust that check. The render runs in
        a child process with hard memory and CPU limits (:mod:`~contractctl.drafting.sandbox`):
        RenderLimit names the limit a template reached.
        """
        from contractctl.drafting.sandbox import run_limited

        self._check_template()
        printed: list[str] = run_limited(
            lambda: self._render_here(context, out_path),
            what="the template",
            error=RenderLimit,
            known=(RenderError, RenderLimit),
        )
        return printed

    def _render_here(self, context: Mapping[str, Any], out_path: Path) -> list[str]:
        """The render itself, in the limited child process of :meth:`render`."""
        from docxtpl import DocxTemplate
        from jinja2 import TemplateError
        from jinja2.exceptions import SecurityError

        try:
            template = DocxTemplate(self.template_path)
            template.init_docx()
        except Exception as exc:  # python-docx raises several kinds for a bad file
            raise RenderError(f"{self.template_path.name} is not a readable DOCX: {exc}") from exc
        _deadline.at = time.monotonic() + MAX_RENDER_SECONDS
        printed: dict[str, None] = {}
        _printed.values = printed
        render_properties = template.render_properties

        def properties_unrecorded(*args: Any, **kwargs: Any) -> Any:
            _printed.values = None  # a value printed only into a property is not on a page
            return render_properties(*args, **kwargs)

        template.render_properties = properties_unrecorded
        try:
            template.render(dict(context), jinja_env=self.env, autoescape=True)
        except RenderError:
            raise
        except SecurityError as exc:
            raise RenderError(
                f"the template tries to reach Python internals, which is not allowed: {exc}"
            ) from exc
        except TemplateError as exc:
            where = " ".join(" ".join(getattr(exc, "docx_context", [])).split())
            near = f" (near: {where[:120]})" if where else ""
            raise RenderError(f"template error: {exc.message or exc}{near}") from exc
        except RecursionError as exc:
            raise RenderLimit("the template recurses too deeply") from exc
        except (TypeError, ValueError, ArithmeticError, AttributeError, LookupError) as exc:
            raise RenderError(f"the template failed on the given values: {exc}") from exc
        finally:
            _deadline.at = None
            _printed.values = None
        template.save(out_path)
        return list(printed)

    def _check_template(self) -> None:
        """Refuse a hostile template before docxtpl reads it; once, as it renders many times."""
        if self._checked:
            return
        try:
            docx_safety.check_docx(self.template_path)
        except InvalidInput as exc:
            raise RenderError(
                f"{self.template_path.name} is not a readable DOCX: {exc.message}", hint=exc.hint
            ) from exc
        self._checked = True
