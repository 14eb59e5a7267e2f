"""The template linter's checks on tags together, within one part of the document.

Once each tag has been read on its own (:mod:`~contractctl.drafting.tag_checks`), a
part's tags are followed in document order: docxtpl's ``{%tr %}``, ``{%tc %}`` and
``{%p %}`` tags alone in their row, cell or paragraph (``tr-misuse``, ``p-misuse``),
blocks opened and closed at the same level (``jinja-syntax``), the names each block
binds, the attributes of parties, table rows, ``company`` and ``loop``
(``unknown-attribute``), and names that nothing declares (``undeclared-field``). This is
separate from the per-tag checks because it needs the scope that the tags before have
built up, and from :mod:`~contractctl.drafting.lint`, which runs it over every part
and keeps the report.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass, field

from contractctl.drafting.expr_checks import undeclared_names
from contractctl.drafting.tag_checks import GLOBALS, LOOP_ATTRIBUTES, OPENERS, Tag, TagChecks
from contractctl.drafting.text import Para, Part, shorten
from contractctl.records.parties import PARTY_ATTRIBUTES


@dataclass
class _Frame:
    """An open block while walking a part's tags in order."""

    tag: Tag | None
    names: dict[str, str | None] = field(default_factory=dict)  # bound name -> loop source

    @property
    def keyword(self) -> str:
        return self.tag.keyword if self.tag else ""


class BlockChecks(TagChecks):
    """The per-part half of the linter: placement, blocks, scopes, attributes and names.

    What the schema declares (fields, party fields, table columns, the company's
    attributes) and the names used so far are set by the linter that subclasses this.
    """

    declared: set[str]
    parties: set[str]
    tables: dict[str, list[str]]
    scalars: dict[str, str]  # field name -> type, for fields that hold one value
    company: list[str]
    used: set[str]

    def _undeclared_in_part(self, part: Part, *, report_syntax: bool) -> set[str] | None:
        """Jinja's own view of the patched part: its undeclared names, or None if unreadable."""
        from jinja2 import TemplateSyntaxError

        if part.source is None:
            self.add(
                "jinja-syntax",
                f"{part.unclosed:,} tags are opened but never closed; close them first",
                "",
                part,
            )
            return None
        try:
            return undeclared_names(self.env.parse(part.source))
        except TemplateSyntaxError as exc:
            if report_syntax:
                context = _line_context(part.source, exc.lineno) if exc.lineno else ""
                self.add("jinja-syntax", exc.message or str(exc), context, part)
        except RecursionError:
            self.add("jinja-syntax", "tags nested too deeply to read", "", part)
        except ValueError:  # an integer literal too long to read: its tag says so
            pass
        return None

    # ------------------------------------------------------- docxtpl's {%tr/{%p

    def _check_placement(self, part: Part, tags: list[Tag]) -> None:
        by_para: dict[int, list[Tag]] = {}
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
        tag: Tag,
        members: list[Para],
        by_para: dict[int, list[Tag]],
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

    def _walk(self, part: Part, tags: list[Tag]) -> list[tuple[Tag, str]]:
        """Follow blocks in document order: balance, levels, scopes and attributes.

        Returns the (tag, name) pairs using a name that nothing declares or binds.
        """
        frames = [_Frame(None)]
        candidates: list[tuple[Tag, str]] = []
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
            if keyword.startswith("end") and keyword[3:] in OPENERS | {"set"}:
                self._close(frames, tag, keyword[3:], part)
                continue
            if not tag.unsafe and tag.parsed:
                self._names(tag, frames, candidates)
            else:
                self.used |= tag.used
            if tag.assigns:  # {% set %} binds in the innermost scope ({% if %} makes none)
                scope = next(f for f in reversed(frames) if f.keyword != "if")
                scope.names.update(dict.fromkeys(tag.assigns))
            if tag.opens or keyword in OPENERS:
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

    def _close(self, frames: list[_Frame], tag: Tag, kind: str, part: Part) -> None:
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

    def _same_level(self, opener: Tag, tag: Tag, part: Part) -> None:
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

    def _names(self, tag: Tag, frames: list[_Frame], candidates: list[tuple[Tag, str]]) -> None:
        for name in sorted(tag.used):
            self.used.add(name)
            if name in self.declared or name in GLOBALS:
                continue
            if not any(name in frame.names for frame in frames):
                candidates.append((tag, name))

    def _attributes(self, tag: Tag, frames: list[_Frame], part: Part) -> None:
        if tag.unsafe or not tag.parsed:
            return
        self._scalar_misuse(tag, frames, part)
        for variable, attribute in tag.attributes:
            binding = next(
                (f.names[variable] for f in reversed(frames) if variable in f.names), "@unbound"
            )
            if binding == "@unbound" and variable in self.scalars:
                continue  # judged by _scalar_misuse
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

    def _scalar_misuse(self, tag: Tag, frames: list[_Frame], part: Part) -> None:
        """Attributes, loops and list filters on a one-value field would print Python."""

        def scalar(name: str) -> str | None:
            bound = any(name in frame.names for frame in frames)
            return None if bound else self.scalars.get(name)

        problems: list[str] = []
        for variable, attribute in dict.fromkeys(tag.attributes):
            kind = scalar(variable)
            if kind is None or attribute in _VALUE_ATTRIBUTES.get(kind, ()):
                continue
            if (variable, attribute) in tag.calls and attribute in _TEXT_METHODS:
                continue
            instead = (
                f"use {variable}|{attribute}"
                if attribute in _FILTER_FOR_ATTRIBUTE
                else f"print {variable} itself or through a filter"
            )
            problems.append(
                f"{variable} is a {kind} field: {variable}.{attribute} would print Python "
                f"(a method or an internal value), not contract text; {instead}"
            )
        for variable in sorted(tag.iterates):
            kind = scalar(variable)
            if kind is not None:
                problems.append(
                    f"{variable} is a {kind} field: a {{% for %}} over it walks its characters "
                    "one by one; loop over a table field instead"
                )
        for variable, name in sorted(tag.filtered):
            kind = scalar(variable)
            if kind is not None and name in _LIST_FILTERS:
                problems.append(
                    f"{variable} is a {kind} field: |{name} treats it as a list of characters"
                )
        for problem in problems:
            self.add("field-type", f"{tag.source}: {problem}", tag.context, part)

    def _undeclared(self, name: str, tag: Tag | None, part: Part) -> None:
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


def _statement(level: str, statement: str) -> str:
    """``{%tr endfor %}`` for level tr, ``{% endfor %}`` inline."""
    return "{%" + level + " " + statement + " %}"


#: Attributes a one-value field has that print as contract text.
_VALUE_ATTRIBUTES = {"date": ("year", "month", "day"), "money": ("currency",)}
#: String methods that, called, return text (``name.upper()``).
_TEXT_METHODS = frozenset({"upper", "lower", "title", "strip", "capitalize", "replace"})
#: Attributes whose filter of the same name does what the author meant.
_FILTER_FOR_ATTRIBUTE = frozenset({"upper", "lower", "title", "capitalize", "trim"})
#: Filters that treat a value as a list.
_LIST_FILTERS = frozenset({"list", "join", "sum"})

_LEVELS = {"tr": "table row", "tc": "table cell", "p": "paragraph", "r": "run", "": "inline"}


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
