"""Checking a DOCX template before it enters the store, without ever running it.

A template is Jinja code hidden in a Word document, written by someone else and edited
in Word, which silently splits a placeholder into several runs when its formatting
changes mid-word. ``lint_template`` reads the file the way docxtpl will (the same
``patch_xml`` of the body, headers, footers and footnotes, the same document properties)
and reports every problem at once, each with the text of the paragraph or table row
around it so the author can find it in Word: Jinja syntax, split tags, misplaced
``{%tr %}``/``{%p %}`` tags, names the schema does not declare, required fields never
used, unknown attributes and filters, attempts to reach Python internals, and standard
clauses missing from the document.

The file is treated as hostile: it is opened through :mod:`contractctl.documents.docx_safety`,
which refuses zip bombs, XML entity declarations and absurd numbers of tags (reported
here as ``not-a-docx``), and the Jinja code is only lexed and parsed, never compiled or
rendered. The document's paragraphs and runs are read by :mod:`contractctl.drafting.text`,
the clause headings and their numerals by :mod:`contractctl.documents.clauses`.

This module is the linter's entry point and its report: ``lint_template``,
``LintProblem`` and the problem codes, ``clause_headings``, and the checks on the
template as a whole (required fields used, standard clauses present, clause
numbering). The checks on each tag alone are in :mod:`contractctl.drafting.tag_checks`,
those on the tags of a part together in :mod:`contractctl.drafting.block_checks`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import TYPE_CHECKING

from contractctl.config import Company
from contractctl.documents.clauses import clause_number, clause_numeral, paragraph_headings
from contractctl.documents.docx_safety import open_docx
from contractctl.drafting.block_checks import BlockChecks
from contractctl.drafting.normalise import normalise_docx
from contractctl.drafting.schema import RESERVED_NAMES
from contractctl.drafting.tag_checks import ALLOWED_FILTERS, GLOBALS, passthrough
from contractctl.drafting.text import Para, Part, paragraphs, shorten, template_parts
from contractctl.errors import InvalidInput

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

    from contractctl.drafting.specs import TemplateSpec


#: Every problem code, in the order a report lists them.
CODES = (
    "not-a-docx",
    "jinja-syntax",
    "split-tag",
    "tr-misuse",
    "p-misuse",
    "unsupported-tag",
    "unsafe",
    "render-limit",
    "unknown-filter",
    "undeclared-field",
    "unknown-attribute",
    "field-type",
    "unused-required-field",
    "clause-numbering",
    "clause-sequence",
)
#: Codes that point at something odd rather than something broken.
WARNING_CODES = frozenset({"clause-sequence"})


@dataclass(frozen=True)
class LintProblem:
    """One thing wrong with a template, and the text around it in the document."""

    code: str
    message: str
    context: str

    @property
    def severity(self) -> str:
        """``warning`` for oddities (a clause number skipped), ``error`` otherwise."""
        return "warning" if self.code in WARNING_CODES else "error"

    def to_dict(self) -> dict[str, str]:
        """JSON shape of one problem."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "context": self.context,
        }

    def __str__(self) -> str:
        where = f' — in: "{self.context}"' if self.context else ""
        return f"{self.code}: {self.message}{where}"


# ----------------------------------------------------------------------------- API


def lint_template(docx_path: Path, spec: TemplateSpec) -> list[LintProblem]:
    """Every problem that keeps ``docx_path`` from being a sound template for ``spec``.

    An empty list means the template is acceptable. The template is never compiled or
    rendered, and the file is opened with limits, so a hostile file is safe to lint.
    """
    with tempfile.TemporaryDirectory(prefix="contractctl-lint-") as tmp:
        clean = Path(tmp) / "template.docx"
        try:
            normalise_docx(docx_path, clean)  # Word's markers out, split tags joined
            document = open_docx(clean)
            parts = template_parts(document)
        except InvalidInput as exc:  # docx_safety refused the file
            return [LintProblem("not-a-docx", exc.message, "")]
    linter = _Linter(spec)
    for part in parts:
        linter.check_part(part)
    linter.check_required_fields_used()
    linter.check_clauses(_headings(parts[0].paras))
    order = {code: index for index, code in enumerate(CODES)}
    return sorted(dict.fromkeys(linter.problems), key=lambda p: order.get(p.code, len(order)))


def clause_headings(docx_path: Path) -> list[tuple[int, str]]:
    """The clause headings of a contract, in document order: ``(number, heading text)``.

    Headings are literal text at the start of a body paragraph: ``第一条 合同标的`` …
    ``第二十一条 …`` in Chinese contracts, ``1. Definitions`` in English ones (used only
    when there are no Chinese headings). The heading text is the whole paragraph.
    Raises InvalidInput when the file is not a readable DOCX.
    """
    try:
        document = open_docx(docx_path)
    except InvalidInput as exc:
        raise InvalidInput(f"{docx_path.name}: {exc.message}") from exc
    return _headings(paragraphs(document.element.body))


#: The names the clause numeral helpers had when they lived here.
cn_numeral_to_int = clause_number
int_to_cn_numeral = clause_numeral


# ------------------------------------------------------------------------ linter


class _Linter(BlockChecks):
    """Collects the problems of one template, part by part."""

    def __init__(self, spec: TemplateSpec) -> None:
        from jinja2.sandbox import SandboxedEnvironment

        self.spec = spec
        self.env: SandboxedEnvironment = SandboxedEnvironment()
        self.problems: list[LintProblem] = []
        self.declared = spec.field_names | set(RESERVED_NAMES)
        self.parties = {f.name for f in spec.fields if f.type == "party"}
        self.tables = {
            f.name: [c.name for c in f.columns] for f in spec.fields if f.type == "table"
        }
        self.scalars = {f.name: f.type for f in spec.fields if f.type not in ("party", "table")}
        self.company = [f.name for f in dataclass_fields(Company)]
        for name in ALLOWED_FILTERS:  # so that Jinja's analysis knows contractctl's filters
            self.env.filters.setdefault(name, passthrough)
        self.used: set[str] = set()

    def add(self, code: str, message: str, context: str = "", part: Part | None = None) -> None:
        if part is not None and part.label:
            message = f"{message} (in {part.label})"
        self.problems.append(LintProblem(code, message, context))

    # ---------------------------------------------------------------- one part

    def check_part(self, part: Part) -> None:
        tags = list(self._tags(part))
        before = len(self.problems)
        for tag in tags:
            self._analyse(tag, part)
        self._check_placement(part, tags)
        candidates = self._walk(part, tags)
        tag_syntax = any(p.code == "jinja-syntax" for p in self.problems[before:])
        undeclared = self._undeclared_in_part(part, report_syntax=not tag_syntax)
        reported: set[str] = set()
        for tag, name in candidates:
            if undeclared is None or name in undeclared:
                self._undeclared(name, tag, part)
                reported.add(name)
        refused = {name for tag in tags if tag.unsafe for name in tag.used}
        for name in sorted((undeclared or set()) - self.declared - GLOBALS - reported - refused):
            self._undeclared(name, None, part)

    # ------------------------------------------------------- whole template

    def check_required_fields_used(self) -> None:
        for spec in self.spec.fields:
            if spec.required and spec.name not in self.used:
                self.add(
                    "unused-required-field",
                    f"{spec.name} ({spec.label}) is required by the schema but the "
                    "template never uses it; use it, or make it optional",
                )

    def check_clauses(self, headings: list[tuple[int, str]]) -> None:
        zh = self.spec.language == "zh"
        numbers = [n for n, _ in headings]
        for wanted in self.spec.standard_clauses:
            if wanted in numbers:
                continue
            shown = f"第{clause_numeral(wanted)}条" if zh and wanted < 100 else f"{wanted}."
            before = [text for n, text in headings if n < wanted]
            span = f"{min(numbers)}..{max(numbers)}" if numbers else "none"
            self.add(
                "clause-numbering",
                f"standard clause {wanted} ({shown}) is listed in standard_clauses but "
                f"the document has no such heading (clause numbers found: {span})",
                shorten(before[-1], 0, 0) if before else "",
            )
        previous = 0
        for number, text in headings:
            if number > previous + 1:
                message = f"clause numbering skips from {previous} to {number}"
            elif number <= previous:
                message = f"clause {number} repeats or goes back (it follows clause {previous})"
            else:
                message = ""
            if message:
                self.add("clause-sequence", message, shorten(text, 0, 0))
            previous = number


def _headings(paras: Sequence[Para]) -> list[tuple[int, str]]:
    """The clause headings among the body paragraphs outside tables and text boxes."""
    return paragraph_headings(para.text for para in paras if para.top_level)
