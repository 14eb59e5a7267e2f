"""Search queries: what people type, turned into an FTS5 expression and into patterns.

Syntax (every word must match: AND is the default):

- ``违约 penalty``: contracts containing both. Chinese matches anywhere inside the text
  (one, two or more characters); English matches whole words, in any case: ``pay`` does
  not match "payment".
- ``pay*``: words starting with "pay".
- ``"liquidated damages"``, ``"违约金 penalty"``: a phrase, its words in this order.
- ``-word``, ``-"a phrase"``: contracts containing it are left out.
- ``a OR b``: either (binds tighter than AND: ``违约 a OR b`` is 违约 AND (a OR b)).

User text never reaches FTS5 as syntax: every term is rebuilt from its tokens, so a
query cannot fail inside SQLite. Anything malformed (an unclosed quote, a lone ``-``,
only exclusions) is an InvalidInput (exit 2) naming the problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from contractctl.errors import InvalidInput
from contractctl.store.search_text import CJK_CLASS, fold_char, segments

#: The columns of search_fts that hold text (``chars`` serves one-character queries).
TEXT_COLUMNS = "{title parties body meta}"

_WORD_CHAR = f"(?![{CJK_CLASS}])[^\\W_]"
_CJK = f"[{CJK_CLASS}]"


def _fold(text: str) -> str:
    return "".join(fold_char(c) for c in text)


@dataclass(frozen=True)
class Term:
    """One word or phrase of a query."""

    text: str
    segments: tuple[tuple[str, str], ...]
    prefix: bool = False
    quoted: bool = False

    def __str__(self) -> str:
        shown = f'"{self.text}"' if self.quoted else self.text
        return shown + ("*" if self.prefix else "")

    @property
    def single_char(self) -> bool:
        """One CJK character: looked up in the ``chars`` column."""
        if len(self.segments) != 1:
            return False
        kind, text = self.segments[0]
        return kind == "cjk" and len(text) == 1

    def tokens(self) -> tuple[list[str], bool]:
        """The index tokens this term must match in a row, and whether the last one is a
        prefix.

        A CJK run becomes its pairs; inside a phrase, a run followed by more words also
        has its last character (the index puts it there, closing the run). A single CJK
        character at the end of a phrase is a prefix (it starts a pair or stands alone).
        """
        tokens: list[str] = []
        prefix = False
        last = len(self.segments) - 1
        for i, (kind, text) in enumerate(self.segments):
            if kind == "word":
                tokens.append(text)
                prefix = self.prefix and i == last
            elif len(text) == 1:
                tokens.append(text)
                prefix = i == last
            else:
                tokens.extend(text[j : j + 2] for j in range(len(text) - 1))
                if i < last:
                    tokens.append(text[-1])
                prefix = False
        return tokens, prefix

    def fts(self) -> str:
        """This term as an FTS5 expression: a phrase of its tokens in the text columns,
        or for one CJK character, a lookup in the ``chars`` column."""
        if self.single_char:
            return f'chars : "{self.segments[0][1]}"'
        tokens, prefix = self.tokens()
        return f'{TEXT_COLUMNS} : "{" ".join(tokens)}"' + ("*" if prefix else "")

    def probe(self) -> str:
        """An FTS5 expression matching every contract holding all of this term's tokens,
        in any order: a superset of its matches, found without comparing positions.
        How many contracts it matches is what ranking by this term would cost."""
        if self.single_char:
            return self.fts()
        tokens, prefix = self.tokens()
        quoted = [f'"{t}"' for t in tokens]
        if prefix:
            quoted[-1] += "*"
        return f"{TEXT_COLUMNS} : (" + " AND ".join(dict.fromkeys(quoted)) + ")"

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """A regular expression finding this term in folded text (for snippets).

        It starts with the literal word, so the regex engine can skip ahead to it: the
        "no letter before" check comes after the word (``cafe(?<!Xcafe)`` rather than
        ``(?<!X)cafe``), which is a hundred times faster on a long text."""
        parts: list[str] = []
        last = len(self.segments) - 1
        for i, (kind, text) in enumerate(self.segments):
            folded = re.escape(_fold(text))
            if kind == "cjk":  # layout spaces may sit between the characters
                folded = r"\s*".join(re.escape(c) for c in _fold(text))
            if kind == "word":
                tail = "" if (self.prefix and i == last) else f"(?!{_WORD_CHAR})"
                parts.append(f"{folded}(?<!{_WORD_CHAR}{folded}){tail}")
            else:
                head = f"(?<!{_CJK})" if i > 0 else ""
                tail = f"(?!{_CJK})" if i < last and len(self.segments) > 1 else ""
                parts.append(f"{head}{folded}{tail}")
        return re.compile(r"[\W_]*".join(parts))


@dataclass(frozen=True)
class Query:
    """A parsed query: every group must match (a group is one term or an OR of terms),
    no excluded term may."""

    text: str
    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()

    @property
    def terms(self) -> list[Term]:
        """Every term that must (or may, in an OR) match: what snippets highlight."""
        return [t for group in self.groups for t in group]

    @staticmethod
    def and_fts(groups: list[tuple[Term, ...]] | tuple[tuple[Term, ...], ...]) -> str:
        """Groups as one FTS5 expression: each an OR of its terms, all of them required."""
        return " AND ".join("(" + " OR ".join(t.fts() for t in group) + ")" for group in groups)

    def fts(self) -> str:
        """The whole query as an FTS5 MATCH expression."""
        required = self.and_fts(self.groups)
        if not self.excluded:
            return required
        return f"({required}) NOT (" + " OR ".join(t.fts() for t in self.excluded) + ")"


_TOKEN = re.compile(r'\s*(-?)(?:"([^"]*)("?)|([^\s"]+))(\*?)')


def parse(text: str) -> Query:
    """Parse what the user typed; InvalidInput (exit 2) says what is wrong with it."""
    position = 0
    items: list[tuple[str, Term | None]] = []  # ("term" | "exclude" | "or", term)
    stripped = text.strip()
    if not stripped:
        raise InvalidInput("empty search query", hint='example: contractctl search 违约 "penalty"')
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:  # a lone '"' at the end, say
            raise InvalidInput(f"cannot read the query at {text[position:].strip()!r}")
        minus, phrase, closing, word, star = match.groups()
        position = match.end()
        if phrase is not None and not closing:
            raise InvalidInput(
                f"unbalanced quote in the query: {text.strip()!r}",
                hint='close the phrase: "liquidated damages"',
            )
        if word is not None and word.endswith("*") and not star:
            star, word = "*", word.rstrip("*")
        raw = phrase if phrase is not None else word
        if word == "OR" and not minus and not star:
            items.append(("or", None))
            continue
        if raw is None or (not raw.strip() and phrase is None):
            raise InvalidInput(f"nothing to search for after {minus or star!r}")
        if "*" in raw and phrase is None:
            raise InvalidInput(f"'*' is allowed only at the end of a word (pay*), not in {raw!r}")
        if phrase is None and raw.startswith("-"):
            if not raw.strip("-"):
                raise InvalidInput("a lone '-': write -word (no space) to leave a word out")
            raise InvalidInput(f"one '-' before a word leaves it out; {minus + raw!r} has more")
        pieces = tuple(segments(raw))
        if not pieces:
            shown = f'"{raw}"' if phrase is not None else raw
            raise InvalidInput(
                f"{minus}{shown}: no letters, digits or Chinese characters to search for"
            )
        term = Term(raw.strip(), pieces, prefix=bool(star), quoted=phrase is not None)
        items.append(("exclude" if minus else "term", term))
    return _assemble(text.strip(), items)


def _assemble(text: str, items: list[tuple[str, Term | None]]) -> Query:
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    joining = False
    for index, (kind, term) in enumerate(items):
        if kind == "or":
            previous = items[index - 1][0] if index else None
            following = items[index + 1][0] if index + 1 < len(items) else None
            if previous != "term" or following != "term":
                raise InvalidInput(
                    "OR needs a word on each side (and cannot join an excluded -word)"
                )
            joining = True
            continue
        assert term is not None
        if kind == "exclude":
            excluded.append(term)
        elif joining:
            groups[-1].append(term)
        else:
            groups.append([term])
        joining = False
    if not groups:
        raise InvalidInput(
            "a query needs at least one word to find, not only -exclusions",
            hint="example: contractctl search 合同 -草稿",
        )
    return Query(text, tuple(tuple(g) for g in groups), tuple(excluded))
