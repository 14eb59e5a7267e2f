"""Numbering schemes for the evaluation's top-level articles, and documents rewritten in them.

A real contract numbers its articles 第N条, 一、, 1., Section N, Article N or I., II., with
the title on the number's line or on its own, with or without a full stop. The corpus
has only some of these (its one English agreement numbers ``1. **Title**. Text``), so
every document whose articles run 1..n is also evaluated rewritten in the other schemes
of its language: the same text, numbered another way. The answer for each edit comes from
the scheme written here, never from contractctl's reader.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from contractctl.documents.clauses import chinese_number, clause_numeral, roman_to_int

_ROMANS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
           "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI", "XXII", "XXIII", "XXIV",
           "XXV", "XXVI", "XXVII", "XXVIII", "XXIX", "XXX")  # fmt: skip


@dataclass(frozen=True)
class Scheme:
    """How top-level articles are numbered: ``pattern`` matches a heading line with the
    groups (before the number, the number, after it); ``write`` writes number n (like
    the number it replaces); ``ident`` is the clause id a reviewer expects; ``parse``
    reads a number as written."""

    name: str
    pattern: re.Pattern[str]
    write: Callable[[int, str], str]
    ident: Callable[[int, str], str]
    parse: Callable[[str], int]


def _zh_numeral(n: int, like: str) -> str:
    if like and not like.isdigit() and _zh_parse(like) == n:
        return like  # as written (一百零五 is beyond clause_numeral)
    return str(n) if like.isdigit() else clause_numeral(n)


def _zh_parse(text: str) -> int:
    return int(text) if text.isdigit() else chinese_number(text)


ZH_ARTICLE = Scheme(
    "第N条",
    re.compile(
        r"^(\s*第\s*)([一二三四五六七八九十百零〇]+|\d+)(\s*条)(?=[\s:：、.．_]|$|[\u4e00-\u9fff])"
    ),
    _zh_numeral,
    lambda n, like: f"第{_zh_numeral(n, like)}条",
    _zh_parse,
)
ZH_ENUM = Scheme(
    "一、",
    re.compile(r"^(\s*)([一二三四五六七八九十]{1,3})(、)"),
    lambda n, like: clause_numeral(n),
    lambda n, like: clause_numeral(n),
    chinese_number,
)
EN_DOTTED = Scheme(
    "N.", re.compile(r"^(\s*)(\d{1,2})(\.\s)"), lambda n, like: str(n), lambda n, like: str(n), int
)
EN_SECTION = Scheme(
    "Section N.",
    re.compile(r"^(\s*Section )(\d{1,2})(\.\s)"),
    lambda n, like: str(n),
    lambda n, like: f"Section {n}",
    int,
)
EN_ARTICLE = Scheme(
    "Article N (title on its own line)",
    re.compile(r"^(\s*ARTICLE )(\d{1,2})(\s|$)"),
    lambda n, like: str(n),
    lambda n, like: f"Article {n}",
    int,
)
EN_ROMAN = Scheme(
    "I., II.",
    re.compile(r"^(\s*)([IVX]{1,6})(\.\s)"),
    lambda n, like: _ROMANS[n - 1],
    lambda n, like: _ROMANS[n - 1],
    roman_to_int,
)
EN_SUBCLAUSES = Scheme(
    "N. Title / N.M (no full stops)",
    re.compile(r"^(\s*)(\d{1,2})(\.\s)"),
    lambda n, like: str(n),
    lambda n, like: str(n),
    int,
)

#: The scheme each language's documents are written in, and the ones they are rewritten in.
NATIVE = {"zh": ZH_ARTICLE, "en": EN_DOTTED}
VARIANTS = {"zh": (ZH_ENUM, "digits"), "en": (EN_SECTION, EN_ARTICLE, EN_ROMAN, EN_SUBCLAUSES)}

_BOLD_TITLE = re.compile(r"^\*\*(.+?)\*\*\.?\s*(.*)$")
_SENTENCE = re.compile(r"(?<=[a-z)”\"]\.)\s+(?=[A-Z])")


def rewrite(lines: list[str], heads: list[int], scheme: Scheme | str) -> list[str]:
    """The document's lines with the native article headings at ``heads`` (line indexes,
    articles 1..n) written in ``scheme``; ``"digits"`` writes 第N条 with Arabic digits."""
    out = list(lines)
    spread: dict[int, list[str]] = {}
    for n, k in enumerate(heads, 1):
        line = lines[k]
        if scheme == "digits":
            match = ZH_ARTICLE.pattern.match(line)
            assert match is not None
            out[k] = f"{match.group(1)}{n}{match.group(3)}{line[match.end() :]}"
            continue
        assert isinstance(scheme, Scheme)
        native = ZH_ARTICLE if scheme is ZH_ENUM else EN_DOTTED
        match = native.pattern.match(line)
        assert match is not None
        rest = line[match.end() :].lstrip()
        number = scheme.write(n, "")
        if scheme is ZH_ENUM:
            out[k] = f"{number}、{rest}"
        elif scheme is EN_SECTION:
            out[k] = f"Section {number}. {rest}"
        elif scheme is EN_ROMAN:
            out[k] = f"{number}. {rest}"
        else:  # the title on its own line, no full stop; the text below it
            bold = _BOLD_TITLE.match(rest)
            title, body = (bold.group(1), bold.group(2)) if bold else ("", rest)
            if scheme is EN_ARTICLE:
                spread[k] = [f"ARTICLE {number}", title, body] if title else [f"ARTICLE {n}", body]
            else:
                sentences = [s for s in _SENTENCE.split(body) if s.strip()]
                spread[k] = [f"{n}. {title}".rstrip()] + [
                    f"{n}.{m} {s}" for m, s in enumerate(sentences, 1)
                ]
    if not spread:
        return out
    joined: list[str] = []
    for k, line in enumerate(out):
        joined += spread.get(k, [line])
    return joined
