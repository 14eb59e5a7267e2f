"""The template linter's checks on each tag alone: is it whole, does it parse, is it safe.

:func:`~contractctl.drafting.lint.lint_template` first reads every ``{{ }}``, ``{% %}``
and ``{# #}`` tag of a part on its own: a tag split over Word runs or left open at the
end of its paragraph (``split-tag``), Jinja syntax (``jinja-syntax``), names that reach
Python internals (``unsafe``), filters outside the allowed list (``unknown-filter``),
and what the tag uses, binds and looks up, for the checks that follow. The vocabulary
a template may use (filters, globals, loop attributes) is kept here too. This is
separate from :mod:`~contractctl.drafting.block_checks` because a tag is judged here
without looking at any other tag; how the tags fit together is judged there.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from contractctl.documents.docx_safety import scan_tags
from contractctl.drafting.expr_checks import costly, undeclared_names
from contractctl.drafting.text import Para, Part

if TYPE_CHECKING:
    from jinja2 import nodes
    from jinja2.sandbox import SandboxedEnvironment


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


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
#: Statements that open a block, closed by ``{% end... %}``.
OPENERS = _words("for if with macro call filter block autoescape raw")
_DOCXTPL_CELL = frozenset({"colspan", "cellbg"})
_DOCXTPL_MERGE = frozenset({"vm", "hm"})


@dataclass
class Tag:
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
    calls: set[tuple[str, str]] = field(default_factory=set)  # name.method(...) called
    iterates: set[str] = field(default_factory=set)  # names a {% for %} loops over
    filtered: set[tuple[str, str]] = field(default_factory=set)  # (name, filter) applied

    @property
    def context(self) -> str:
        """The paragraph's text around the tag, for the report."""
        return self.para.context(self.start, self.end)


class TagChecks:
    """The per-tag half of the linter: each tag read, lexed and parsed on its own.

    The linter in :mod:`~contractctl.drafting.lint` subclasses this (through
    ``BlockChecks``); it provides the sandboxed Jinja environment the tags are analysed
    with and ``add``, which keeps the problems.
    """

    env: SandboxedEnvironment

    def add(self, code: str, message: str, context: str = "", part: Part | None = None) -> None:
        """Report one problem with the text around it (the linter keeps them)."""
        raise NotImplementedError

    def _tags(self, part: Part) -> Iterator[Tag]:
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
                tag = Tag(source, para, begin, end, level, source[:2])
                if level in ("r", "p") and tag.delim == "{{":
                    self.add(
                        "unsupported-tag", _UNSUPPORTED[level].format(source), tag.context, part
                    )
                first = max(bisect.bisect_right(starts, begin) - 1, 0)
                last = bisect.bisect_left(starts, end)
                spans = para.spans[first:last]
                if len({run for _, _, run in spans}) > 1:
                    self.add(
                        "split-tag", _split_message(source, para, begin, spans), tag.context, part
                    )
                yield tag

    def _analyse(self, tag: Tag, part: Part) -> None:
        """Lex and parse one tag on its own: syntax, safety, filters, names."""
        from jinja2 import TemplateSyntaxError

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
                        self.env.filters.setdefault(name, passthrough)
        standalone = self._standalone(tag, body, tokens)
        if standalone is None:
            return
        try:
            tree = self.env.parse(standalone)
            tag.used = undeclared_names(tree)
        except TemplateSyntaxError as exc:  # also an unknown test: "No test named 'x'"
            tag.parsed = False
            tag.used = set(names) - _JINJA_WORDS
            self.add("jinja-syntax", f"{tag.source}: {exc.message}", tag.context, part)
            return
        except RecursionError:
            tag.parsed = False
            self.add("jinja-syntax", f"{tag.source}: nested too deeply", tag.context, part)
            return
        except ValueError:  # Python refuses to read an integer literal of 4,300+ digits
            tag.parsed = False
            self.add(
                "render-limit",
                f"{tag.source[:40]}…: a number too long to read (thousands of digits)",
                tag.context,
                part,
            )
            return
        for reason in costly(tree):
            self.add(
                "render-limit",
                f"{tag.source}: {reason}; a contract never needs this, and rendering it "
                "would exhaust memory or CPU",
                tag.context,
                part,
            )
        self._collect(tag, tree)

    def _standalone(self, tag: Tag, body: str, tokens: Sequence[tuple[str, str]]) -> str | None:
        """Jinja source that parses on its own and uses the tag's names, or None."""
        keyword = tag.keyword
        if tag.delim == "{{" or not keyword:
            return body
        if keyword in OPENERS:
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

    def _collect(self, tag: Tag, tree: nodes.Template) -> None:
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
        for loop in tree.find_all(nodes.For):
            if isinstance(loop.iter, nodes.Name):
                tag.iterates.add(loop.iter.name)
        for call in tree.find_all(nodes.Call):
            callee = call.node
            if isinstance(callee, nodes.Getattr) and isinstance(callee.node, nodes.Name):
                tag.calls.add((callee.node.name, callee.attr))
        for applied in tree.find_all(nodes.Filter):
            if isinstance(applied.node, nodes.Name):
                tag.filtered.add((applied.node.name, applied.name))
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

    def _check_unsafe(self, tag: Tag, names: Sequence[str], part: Part) -> bool:
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

    def _unknown_filter(self, name: str, tag: Tag, part: Part) -> None:
        close = [_INSTEAD[name]] if name in _INSTEAD else []
        close = close or difflib.get_close_matches(name, sorted(ALLOWED_FILTERS), n=1)
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


def _split_message(
    source: str, para: Para, begin: int, spans: Sequence[tuple[int, int, int]]
) -> str:
    """Why a tag stays split after normalisation: the two formats, or what lies between."""
    from contractctl.drafting.normalise import format_difference, same_format

    pieces: list[tuple[str, Any]] = []
    for start, stop, number in spans:
        piece = para.text[max(start, begin) : min(stop, begin + len(source))]
        run = para.runs.get(number)
        if pieces and pieces[-1][1] is run:
            pieces[-1] = (pieces[-1][0] + piece, run)
        else:
            pieces.append((piece, run))
    for (one, first), (two, second) in itertools.pairwise(pieces):
        if first is None or second is None:
            continue
        if not same_format(first, second):
            look, other = format_difference(first, second)
            return (
                f"{source} is split over {len(pieces)} Word runs whose formatting differs: "
                f"{one!r} is {look}, {two!r} is {other}; "
                "give the whole tag one format (select it and clear its formatting)"
            )
        if first.getparent() is not second.getparent():
            holder = second if first.getparent() is para_element(first) else first
            what = _CONTAINERS.get(_local(holder.getparent()), "another element")
            return (
                f"{source} is split over {len(pieces)} Word runs: {one!r} and {two!r} lie "
                f"on either side of the edge of {what}; keep the whole tag inside or "
                "outside it"
            )
    return (
        f"{source} is split over {len(pieces)} Word runs by a tab, break or other "
        "non-text content inside the tag; retype it in one go"
    )


#: Filters Jinja has under another name than the one on the allowed list.
_INSTEAD = {"count": "length", "len": "length", "strip": "trim", "size": "length"}

_UNSUPPORTED = {
    "r": (
        "{} is docxtpl rich text, which contractctl does not support: the value would land "
        "outside any run, missing from the PDF that gets signed; use {{{{ name }}}} and "
        "format the placeholder itself in Word"
    ),
    "p": (
        "{} is a docxtpl subdocument or paragraph insert, which contractctl does not "
        "support: its content would be missing from the PDF that gets signed; put the "
        "text in the template, or use {{%p if %}} for optional paragraphs"
    ),
}

_CONTAINERS = {
    "hyperlink": "a hyperlink",
    "ins": "a tracked insertion",
    "del": "a tracked deletion",
    "fldSimple": "a field",
    "smartTag": "a smart tag",
    "sdtContent": "a content control",
    "customXml": "a custom XML element",
}


def _local(element: Any) -> str:
    tag = element.tag if element is not None else ""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def para_element(run: Any) -> Any:
    """The w:p a run belongs to."""
    return next(
        (a for a in run.iterancestors() if _local(a) == "p"),
        None,
    )


def _bound(target: nodes.Node) -> set[str]:
    """The names an assignment target binds: ``x`` or ``a, b``."""
    from jinja2 import nodes

    found = [target] if isinstance(target, nodes.Name) else list(target.find_all(nodes.Name))
    return {n.name for n in found if isinstance(n, nodes.Name)}


def passthrough(value: Any, *args: Any, **kwargs: Any) -> Any:
    """Stands in for a filter: the linter analyses templates, it never renders them."""
    return value


#: Lexer names that are Jinja keywords or tests, not template variables.
_JINJA_WORDS = _words(
    "for in if elif else endif endfor set endset with endwith not and or is true false none "
    "True False None recursive filter endfilter macro endmacro call endcall block endblock "
    "defined undefined loop range"
)
