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
"""

from __future__ import annotations

import bisect
import difflib
import html
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contractctl.config import Company
from contractctl.documents.clauses import clause_number, clause_numeral, paragraph_headings
from contractctl.documents.docx_safety import open_docx, scan_tags
from contractctl.drafting.fields import PARTY_ATTRIBUTES
from contractctl.drafting.schema import RESERVED_NAMES
from contractctl.drafting.text import Para, Part, paragraphs, shorten, template_parts
from contractctl.errors import InvalidInput

if TYPE_CHECKING:
    from jinja2 import nodes
    from jinja2.sandbox import SandboxedEnvironment

    from contractctl.drafting.schema import TemplateSpec


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Every problem code, in the order a report lists them.
CODES = (
    "not-a-docx",
    "jinja-syntax",
    "split-tag",
    "tr-misuse",
    "p-misuse",
    "unsafe",
    "unknown-filter",
    "undeclared-field",
    "unknown-attribute",
    "unused-required-field",
    "clause-numbering",
    "clause-sequence",
)
#: Codes that point at something odd rather than something broken.
WARNING_CODES = frozenset({"clause-sequence"})

#: Filters a template may use: contractctl's own and harmless Jinja built-ins.
ALLOWED_FILTERS = _words(
    "money cn_upper date_cn date_en upper lower title trim default length round int float "
    "string join replace format e escape first last sum abs capitalize truncate wordcount "
    "center indent list"
)
#: Names that only serve to reach Python internals or load other templates.
UNSAFE_NAMES = _words(
    "mro globals builtins import self cycler joiner namespace lipsum config request "
    "include extends from subclasses getattr setattr delattr eval exec compile open os sys "
    "subprocess environment func_globals f_globals f_locals f_back f_code gi_frame gi_code "
    "cr_frame tb_frame im_func format_map"
)
#: Globals of the rendering environment (contractctl.drafting.render keeps only ``range``).
GLOBALS = frozenset({"range"})
LOOP_ATTRIBUTES = _words(
    "index index0 revindex revindex0 first last length cycle depth depth0 previtem nextitem changed"
)

_PREFIX = re.compile(r"^\{([{%#])(tr|tc|p|r) ")
_OPENERS = _words("for if with macro call filter block autoescape raw")
_DOCXTPL_CELL = frozenset({"colspan", "cellbg"})
_DOCXTPL_MERGE = frozenset({"vm", "hm"})


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
    try:
        document = open_docx(docx_path)
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


# --------------------------------------------------------------------------- tags


@dataclass
class _Tag:
    """One ``{{ }}``, ``{% %}`` or ``{# #}`` tag in a paragraph."""

    source: str  # as typed in Word
    para: Para
    start: int
    end: int
    level: str  # "tr", "tc", "p", "r" or "" (inline)
    delim: str  # "{{", "{%" or "{#"
    keyword: str = ""  # the statement of a {% %} tag: for, if, endfor...
    opens: bool = False  # starts a block that an {% end... %} closes
    parsed: bool = True
    unsafe: bool = False
    used: set[str] = field(default_factory=set)
    binds: set[str] = field(default_factory=set)  # names a block tag binds inside itself
    assigns: set[str] = field(default_factory=set)  # names {% set %} binds after itself
    loops: dict[str, str] = field(default_factory=dict)  # loop variable -> iterated name
    attributes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def context(self) -> str:
        return self.para.context(self.start, self.end)


@dataclass
class _Frame:
    """An open block while walking a part's tags in order."""

    tag: _Tag | None
    names: dict[str, str | None] = field(default_factory=dict)  # bound name -> loop source

    @property
    def keyword(self) -> str:
        return self.tag.keyword if self.tag else ""


class _Linter:
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
        self.company = [f.name for f in dataclass_fields(Company)]
        for name in ALLOWED_FILTERS:  # so that Jinja's analysis knows contractctl's filters
            self.env.filters.setdefault(name, _passthrough)
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

    def _undeclared_in_part(self, part: Part, *, report_syntax: bool) -> set[str] | None:
        """Jinja's own view of the patched part: its undeclared names, or None if unreadable."""
        from jinja2 import TemplateSyntaxError, meta

        if part.source is None:
            self.add(
                "jinja-syntax",
                f"{part.unclosed:,} tags are opened but never closed; close them first",
                "",
                part,
            )
            return None
        try:
            return set(meta.find_undeclared_variables(self.env.parse(part.source)))
        except TemplateSyntaxError as exc:
            if report_syntax:
                context = _line_context(part.source, exc.lineno) if exc.lineno else ""
                self.add("jinja-syntax", exc.message or str(exc), context, part)
        except RecursionError:
            self.add("jinja-syntax", "tags nested too deeply to read", "", part)
        return None

    def _tags(self, part: Part) -> Iterator[_Tag]:
        for para in part.paras:
            starts = [span[0] for span in para.spans]
            for begin, end in scan_tags(para.text):
                if end < 0:  # reported once per paragraph: the rest follows from it
                    self.add(
                        "split-tag",
                        f"{para.text[begin : begin + 30]!r} opens a tag that does not close "
                        "in the same paragraph",
                        para.context(begin, begin + 2),
                        part,
                    )
                    break
                source = para.text[begin:end]
                prefix = _PREFIX.match(source) if part.patched else None
                level = prefix.group(2) if prefix else ""
                tag = _Tag(source, para, begin, end, level, source[:2])
                first = max(bisect.bisect_right(starts, begin) - 1, 0)
                last = bisect.bisect_left(starts, end)
                runs = {run for _, _, run in para.spans[first:last]}
                if len(runs) > 1:
                    self.add(
                        "split-tag",
                        f"{source} is split over {len(runs)} Word runs (formatting changes "
                        "inside the tag); retype it in one go, or clear its formatting",
                        tag.context,
                        part,
                    )
                yield tag

    def _analyse(self, tag: _Tag, part: Part) -> None:
        """Lex and parse one tag on its own: syntax, safety, filters, names."""
        from jinja2 import TemplateSyntaxError, meta

        body = tag.source
        if part.patched:
            body = _PREFIX.sub(r"{\1 ", body)
            for curly, straight in (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'")):
                body = body.replace(curly, straight)
        try:
            tokens = [(kind, value) for _, kind, value in self.env.lex(body)]
        except TemplateSyntaxError as exc:
            tag.parsed = False
            self.add("jinja-syntax", f"{tag.source}: {exc.message}", tag.context, part)
            tag.unsafe = self._check_unsafe(tag, re.findall(r"[A-Za-z_]\w*", body), part)
            return
        names = [value for kind, value in tokens if kind == "name"]
        tag.keyword = names[0] if names and tag.delim == "{%" else ""
        tag.unsafe = self._check_unsafe(tag, names, part)
        if tag.unsafe:
            tag.used = set(names) - _JINJA_WORDS
        if tag.unsafe or tag.delim == "{#":
            return
        for index, (kind, value) in enumerate(tokens[:-1]):
            if (kind == "operator" and value == "|") or (kind, value) == ("name", "filter"):
                following = [(k, v) for k, v in tokens[index + 1 :] if k != "whitespace"]
                if following and following[0][0] == "name":
                    name = following[0][1]
                    if name not in ALLOWED_FILTERS:
                        self._unknown_filter(name, tag, part)
                        self.env.filters.setdefault(name, _passthrough)
        standalone = self._standalone(tag, body, tokens)
        if standalone is None:
            return
        try:
            tree = self.env.parse(standalone)
            tag.used = set(meta.find_undeclared_variables(tree))
        except TemplateSyntaxError as exc:  # also an unknown test: "No test named 'x'"
            tag.parsed = False
            tag.used = set(names) - _JINJA_WORDS
            self.add("jinja-syntax", f"{tag.source}: {exc.message}", tag.context, part)
            return
        except RecursionError:
            tag.parsed = False
            self.add("jinja-syntax", f"{tag.source}: nested too deeply", tag.context, part)
            return
        self._collect(tag, tree)

    def _standalone(self, tag: _Tag, body: str, tokens: Sequence[tuple[str, str]]) -> str | None:
        """Jinja source that parses on its own and uses the tag's names, or None."""
        keyword = tag.keyword
        if tag.delim == "{{" or not keyword:
            return body
        if keyword in _OPENERS:
            tag.opens = True
            return body + "{% end" + keyword + " %}"
        if keyword == "set":
            tag.opens = not any(kind == "operator" and value == "=" for kind, value in tokens)
            return body + ("{% endset %}" if tag.opens else "")
        if keyword == "elif":
            return re.sub(r"\belif\b", "if", body, count=1) + "{% endif %}"
        if keyword in _DOCXTPL_CELL:
            return "{{ " + re.sub(r"^\{%-?\s*\w+|-?%\}$", "", body) + " }}"
        if keyword == "else" or keyword.startswith("end") or keyword in _DOCXTPL_MERGE:
            return None
        return body

    def _collect(self, tag: _Tag, tree: nodes.Template) -> None:
        from jinja2 import nodes

        for statement in tree.body:
            if isinstance(statement, nodes.For):
                tag.binds = _bound(statement.target) | {"loop"}
                if isinstance(statement.target, nodes.Name):
                    source = statement.iter
                    tag.loops[statement.target.name] = (
                        source.name if isinstance(source, nodes.Name) else ""
                    )
            elif isinstance(statement, nodes.With):
                tag.binds = set().union(*map(_bound, statement.targets))
            elif isinstance(statement, nodes.Macro):
                tag.binds = {a.name for a in statement.args}
                tag.assigns = {statement.name}
            elif isinstance(statement, (nodes.Assign, nodes.AssignBlock)):
                tag.assigns = _bound(statement.target)
        for getattr_node in tree.find_all(nodes.Getattr):
            if isinstance(getattr_node.node, nodes.Name):
                tag.attributes.append((getattr_node.node.name, getattr_node.attr))
        for getitem in tree.find_all(nodes.Getitem):
            key = getitem.arg
            if (
                isinstance(getitem.node, nodes.Name)
                and isinstance(key, nodes.Const)
                and isinstance(key.value, str)
            ):
                tag.attributes.append((getitem.node.name, key.value))

    def _check_unsafe(self, tag: _Tag, names: Sequence[str], part: Part) -> bool:
        bad = sorted({n for n in names if n in UNSAFE_NAMES or (n.startswith("_") and n != "_")})
        if "__" in tag.source and not bad:
            bad = ["__"]
        if not bad:
            return False
        self.add(
            "unsafe",
            f"{tag.source} uses {', '.join(bad)}: templates cannot reach Python internals "
            "or load other templates; use only the schema's fields",
            tag.context,
            part,
        )
        return True

    def _unknown_filter(self, name: str, tag: _Tag, part: Part) -> None:
        close = difflib.get_close_matches(name, sorted(ALLOWED_FILTERS), n=1)
        hint = (
            f"did you mean {close[0]}?"
            if close
            else ("allowed: " + ", ".join(sorted(ALLOWED_FILTERS)))
        )
        self.add(
            "unknown-filter",
            f"{tag.source}: filter {name!r} is not allowed ({hint})",
            tag.context,
            part,
        )

    # ------------------------------------------------------- docxtpl's {%tr/{%p

    def _check_placement(self, part: Part, tags: list[_Tag]) -> None:
        by_para: dict[int, list[_Tag]] = {}
        for tag in tags:
            by_para.setdefault(id(tag.para), []).append(tag)
        rows: dict[int, list[Para]] = {}
        for para in part.paras:
            if para.row is not None:
                rows.setdefault(para.row, []).append(para)
        seen: set[tuple[str, int]] = set()
        for tag in tags:
            if tag.level == "p":
                self._alone(tag, [tag.para], by_para, "p-misuse", "paragraph", part, seen)
            elif tag.level in ("tr", "tc"):
                what = "table row" if tag.level == "tr" else "table cell"
                row, cell = tag.para.row, tag.para.cell
                if row is None or cell is None:
                    self.add(
                        "tr-misuse",
                        f"{tag.source} is not inside a {what}: a {{%{tag.level} %}} tag "
                        f"must sit alone in a {what} of a Word table, which docxtpl "
                        "replaces by the tag",
                        tag.context,
                        part,
                    )
                    continue
                members = (
                    rows[row] if tag.level == "tr" else [p for p in rows[row] if p.cell == cell]
                )
                self._alone(tag, members, by_para, "tr-misuse", what, part, seen)

    def _alone(
        self,
        tag: _Tag,
        members: list[Para],
        by_para: dict[int, list[_Tag]],
        code: str,
        what: str,
        part: Part,
        seen: set[tuple[str, int]],
    ) -> None:
        """A {%p/{%tr/{%tc tag must be the only content of its paragraph/row/cell."""
        key = (tag.level, id(members[0]))
        if key in seen:
            return
        seen.add(key)
        same = [t for p in members for t in by_para.get(id(p), []) if t.level == tag.level]
        pieces = []
        for para in members:
            text = para.text
            for other_tag in (t for t in same if t.para is para):
                start, end = other_tag.start, other_tag.end
                text = text[:start] + " " * (end - start) + text[end:]
            pieces.append(text.strip())
        other = " ".join(p for p in pieces if p)
        if len(same) > 1:
            self.add(
                code,
                f"{len(same)} {{%{tag.level} %}} tags share one {what} "
                f"({', '.join(t.source for t in same)}); docxtpl keeps only the first: "
                f"give each its own {what}",
                tag.context,
                part,
            )
        elif other:
            self.add(
                code,
                f"{tag.source} shares its {what} with other text ({shorten(other, 0, 0, 40)}"
                f"), which docxtpl deletes with the {what}: give the tag a {what} of its own",
                tag.context,
                part,
            )

    # ------------------------------------------------------ blocks and scopes

    def _walk(self, part: Part, tags: list[_Tag]) -> list[tuple[_Tag, str]]:
        """Follow blocks in document order: balance, levels, scopes and attributes.

        Returns the (tag, name) pairs using a name that nothing declares or binds.
        """
        frames = [_Frame(None)]
        candidates: list[tuple[_Tag, str]] = []
        for tag in tags:
            keyword = tag.keyword
            if tag.delim == "{#":
                continue
            if keyword in ("else", "elif"):
                top = frames[-1].tag
                allowed = ("if",) if keyword == "elif" else ("if", "for")
                if top is None or top.keyword not in allowed:
                    self.add(
                        "jinja-syntax",
                        f"{tag.source} has no open {{% if %}} (or {{% for %}}) before it",
                        tag.context,
                        part,
                    )
                else:
                    self._same_level(top, tag, part)
            if keyword.startswith("end") and keyword[3:] in _OPENERS | {"set"}:
                self._close(frames, tag, keyword[3:], part)
                continue
            if not tag.unsafe and tag.parsed:
                self._names(tag, frames, candidates)
            else:
                self.used |= tag.used
            if tag.assigns:  # {% set %} binds in the innermost scope ({% if %} makes none)
                scope = next(f for f in reversed(frames) if f.keyword != "if")
                scope.names.update(dict.fromkeys(tag.assigns))
            if tag.opens or keyword in _OPENERS:
                frames.append(_Frame(tag, {n: tag.loops.get(n) for n in tag.binds}))
                if keyword == "for":
                    frames[-1].names["loop"] = "@loop"
            self._attributes(tag, frames, part)
        for frame in reversed(frames[1:]):
            assert frame.tag is not None
            closer = _statement(frame.tag.level, f"end{frame.tag.keyword}")
            self.add(
                "jinja-syntax",
                f"{frame.tag.source} is never closed: add {closer}",
                frame.tag.context,
                part,
            )
        return candidates

    def _close(self, frames: list[_Frame], tag: _Tag, kind: str, part: Part) -> None:
        depth = next(
            (i for i in range(len(frames) - 1, 0, -1) if frames[i].keyword == kind),
            None,
        )
        if depth is None:
            self.add(
                "jinja-syntax",
                f"{tag.source} closes nothing: there is no open {{% {kind} %}} before it",
                tag.context,
                part,
            )
            return
        for frame in frames[depth + 1 :]:
            assert frame.tag is not None
            self.add(
                "jinja-syntax",
                f"{frame.tag.source} is never closed before {tag.source}",
                frame.tag.context,
                part,
            )
        opener = frames[depth].tag
        assert opener is not None
        self._same_level(opener, tag, part)
        del frames[depth:]

    def _same_level(self, opener: _Tag, tag: _Tag, part: Part) -> None:
        if opener.level == tag.level:
            return
        code = "tr-misuse" if {"tr", "tc"} & {opener.level, tag.level} else "p-misuse"
        self.add(
            code,
            f"{opener.source} ({_LEVELS[opener.level]}) is continued by {tag.source} "
            f"({_LEVELS[tag.level]}): use the same kind of tag, "
            f"{_statement(opener.level, tag.keyword)}; the block opens at "
            f"{opener.context!r}",
            tag.context,
            part,
        )

    def _names(self, tag: _Tag, frames: list[_Frame], candidates: list[tuple[_Tag, str]]) -> None:
        for name in sorted(tag.used):
            self.used.add(name)
            if name in self.declared or name in GLOBALS:
                continue
            if not any(name in frame.names for frame in frames):
                candidates.append((tag, name))

    def _attributes(self, tag: _Tag, frames: list[_Frame], part: Part) -> None:
        if tag.unsafe or not tag.parsed:
            return
        for variable, attribute in tag.attributes:
            binding = next(
                (f.names[variable] for f in reversed(frames) if variable in f.names), "@unbound"
            )
            if binding == "@loop":
                known, what = sorted(LOOP_ATTRIBUTES), "loop"
            elif binding == "@unbound" and variable == "company":
                known, what = self.company, "company (contractctl.toml [company])"
            elif binding == "@unbound" and variable in self.parties:
                known, what = list(PARTY_ATTRIBUTES), f"party field {variable}"
            elif binding in self.tables:
                known, what = self.tables[binding], f"a row of table field {binding}"
            else:
                continue
            if attribute not in known:
                close = difflib.get_close_matches(attribute, known, n=1)
                hint = f"did you mean {close[0]}?" if close else f"it has {', '.join(known)}"
                self.add(
                    "unknown-attribute",
                    f"{tag.source}: {variable}.{attribute} — {what} has no attribute "
                    f"{attribute!r} ({hint})",
                    tag.context,
                    part,
                )

    def _undeclared(self, name: str, tag: _Tag | None, part: Part) -> None:
        simple = tag is None or re.fullmatch(
            r"\{\{-?\s*" + re.escape(name) + r"\s*-?\}\}", tag.source
        )
        subject = name if tag is None else tag.source if simple else f"{name} in {tag.source}"
        if name == "loop":
            message = f"{subject}: loop exists only inside {{% for %}} … {{% endfor %}}"
        else:
            close = difflib.get_close_matches(name, sorted(self.declared), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            message = f"{subject} is not declared in the schema{hint}"
        self.add("undeclared-field", message, tag.context if tag else "", part)

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


def _bound(target: nodes.Node) -> set[str]:
    """The names an assignment target binds: ``x`` or ``a, b``."""
    from jinja2 import nodes

    found = [target] if isinstance(target, nodes.Name) else list(target.find_all(nodes.Name))
    return {n.name for n in found if isinstance(n, nodes.Name)}


def _passthrough(value: Any, *args: Any, **kwargs: Any) -> Any:
    """Stands in for a filter: the linter analyses templates, it never renders them."""
    return value


def _statement(level: str, statement: str) -> str:
    """``{%tr endfor %}`` for level tr, ``{% endfor %}`` inline."""
    return "{%" + level + " " + statement + " %}"


_LEVELS = {"tr": "table row", "tc": "table cell", "p": "paragraph", "r": "run", "": "inline"}
#: Lexer names that are Jinja keywords or tests, not template variables.
_JINJA_WORDS = _words(
    "for in if elif else endif endfor set endset with endwith not and or is true false none "
    "True False None recursive filter endfilter macro endmacro call endcall block endblock "
    "defined undefined loop range"
)


def _line_context(source: str, line: int) -> str:
    """The text of a patched part around a Jinja error line, tags stripped."""
    lines = source.split("\n")
    index = min(max(line - 1, 0), len(lines) - 1)
    for offset in (0, 1, -1, 2, -2):
        if 0 <= index + offset < len(lines):
            text = html.unescape(re.sub(r"<[^>]+>", "", lines[index + offset])).strip()
            if text:
                return shorten(text, 0, 0)
    return ""


def _headings(paras: Sequence[Para]) -> list[tuple[int, str]]:
    """The clause headings among the body paragraphs outside tables and text boxes."""
    return paragraph_headings(para.text for para in paras if para.top_level)
