"""Edits with known answers, applied to a real document's text.

Each edit is what a person does to a contract in Word, made on the extracted text (one
line per paragraph): insert, delete, move or renumber an article (later articles
renumbered as a word processor would), reword a sentence, change an amount (figures and
大写), a date, a percentage or a party's name. Blanks are filled first (a model contract
is a form): a value sentence is appended to the paragraph, and a party's name is written
after its role's colon. The answer, the clause a reviewer should be pointed to, comes
from this module's own plain reading of the paragraphs (the nearest numbered paragraph
above the edit), never from contractctl's clause reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tests.eval.schemes import (
    EN_ARTICLE,
    EN_ROMAN,
    EN_SECTION,
    EN_SUBCLAUSES,
    NATIVE,
    Scheme,
)

#: Any paragraph that starts like a number: the nearest one above an edit must be one
#: whose clause id this module knows, or the edit is not used.
_MARKER = re.compile(
    r"^\s*(?:第\s*[一二三四五六七八九十百零〇\d]+\s*[条章节编]|[一二三四五六七八九十]+\s*[、.．]"
    r"|[（(]\s*[一二三四五六七八九十\d]+\s*[）)]|[\d０-９]+(?:[.．][\d０-９]+)*\s*[.．、]?(?![\d%])"
    r"|[a-zA-Z][.)]|[IVX]{1,6}\.\s|\([a-z]+\)|(?:Article|Section|Chapter|Part|ARTICLE|SECTION)\s)"
)
_ZH_ARTICLE = re.compile(
    r"^(\s*第\s*)([一二三四五六七八九十百零〇]+|\d+)(\s*条)(?=[\s:：、.．_]|$|[\u4e00-\u9fff])"
)
_CHAPTER = re.compile(r"^\s*第\s*[一二三四五六七八九十百零〇\d ]+\s*[章节编]")
_DOTTED = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3}){1,3})\s")
_CN_ENUM = re.compile(r"^\s*([一二三四五六七八九十]{1,3})、")
_INLINE = re.compile(r"(?:\S[\t ]+|[。；;：:])第\s*[一二三四五六七八九十百零〇\d]+\s*条")
_ROLE = re.compile(
    r"^\s*(甲方|乙方|丙方|出卖人|买受人|出租人|承租人|委托人|受托人|保管人|存货人|定作人|承揽人|"
    r"行纪人|居间人|赠与人|受赠人|托运人|承运人|发包人|承包人|出让人|受让人|出让方|受让方|"
    r"转让方|委托方|受托方|供方|需方|买方|卖方|借款人|贷款人)\s*(?:[（(][^）)]{0,12}[）)])?\s*[：:]"
)


@dataclass(frozen=True)
class Expected:
    """The change a reviewer should get: its kind, clause id and, for a value, the
    value's old and new display."""

    kind: str
    clause: str
    values: tuple[str, str] | None = None
    #: The old and new text a redline must show replaced whole (大写, a date, a name).
    tokens: tuple[str, str] | None = None
    #: What the summary must call the value (the term the edit's sentence names it by).
    label: str | None = None


@dataclass(frozen=True)
class Trial:
    """One edit of one document: the two texts and the answer (None: nothing changed)."""

    edit: str
    old: str
    new: str
    expected: Expected | None
    #: Text ``old`` holds that ``new`` does not print (``score.PDF_LOSSES``, checked on
    #: the two texts): a change that deletes it is right, not a false one.
    lost: str = ""


def _known_id(line: str, language: str, scheme: Scheme) -> str | None:
    """The clause id of a numbered paragraph, in the forms every reader agrees on."""
    match = scheme.pattern.match(line)
    if match:
        return scheme.ident(scheme.parse(match.group(2)), match.group(2))
    match = _DOTTED.match(line)
    if match:
        return match.group(1)
    if language == "en":
        return None
    match = _ZH_ARTICLE.match(line)
    if match:
        return f"第{match.group(2)}条"
    if match:
        return match.group(1)
    match = _CN_ENUM.match(line)
    return match.group(1) if match else None


#: The heading of a table of contents, and a page number at the end of one of its entries
#: (after a dot leader or a tab).
_TOC_HEAD = re.compile(r"^\s*(?:目\s*录|目\s*次|contents|table\s+of\s+contents)\s*$", re.I)
_PAGE_TAIL = re.compile(r"\s*(?:\.{2,}|…+|·{2,}|\t)\s*\d{1,4}\s*$")
#: A table of contents' entry is short: a line longer than this (a page number aside)
#: is the document's own text, and what went before it was no table of contents.
_TOC_ENTRY_CHARS = 60


def toc_lines(lines: list[str]) -> set[int]:
    """The lines of each table of contents: from a heading 目录 / Contents to the line
    before its first entry comes again as the body's heading, every line in between
    short or ending in a page number. A table of contents' entries are not clauses, even
    when Word's list numbers make them read like ones (``4.2 对使用土地的限制``)."""

    def key(line: str) -> str:
        return "".join(_PAGE_TAIL.sub("", line).split())

    found: set[int] = set()
    keys = [key(line) for line in lines]
    for k, line in enumerate(lines):
        if not _TOC_HEAD.match(line):
            continue
        first = next((j for j in range(k + 1, len(lines)) if keys[j]), None)
        if first is None:
            continue
        for j in range(first + 1, len(lines)):
            if len(keys[j]) >= 2 and keys[first].startswith(keys[j]):
                found.update(range(k, j))  # the body starts: the first entry's heading
                break
            if len(keys[j]) > _TOC_ENTRY_CHARS and not _PAGE_TAIL.search(lines[j]):
                break
    return found


#: The contract proper's title after cover pages (a 使用说明 numbered 一、…五、): a
#: paragraph that only names a contract, not an annex's, a list item's or a sentence.
_CONTRACT_NAME = re.compile(
    r"[^\s。，；：:]{0,40}(?:合同|协议|协议书|合同书)(?:[（(][^（）()]{1,12}[）)])?"
)
_NOT_NAME = re.compile(r"^(?:附件|附表|附录|补充|本|第\S{1,4}[条章节]|[（(\d])")
#: What follows such a title within a few paragraphs: its number or its parties.
_FRONT_LINE = re.compile(
    r"^\s*(?:合同编号|协议编号|本(?:合同|协议)\S{0,4}当事人|.{0,16}由下列\S{1,3}签署"
    r"|[\u4e00-\u9fff]{1,6}[人方社]\s*(?:[（(][^）)]{0,12}[）)])?\s*[：:])"
)


def _contract_opens(lines: list[str]) -> int | None:
    """The line where the contract proper starts again after numbered cover pages."""
    numbered = False
    for k, line in enumerate(lines):
        marker = _MARKER.match(line)
        if marker and line[marker.end() :].strip():  # a number alone is a page's
            numbered = True
            continue
        name = "".join(line.split())
        if not numbered or _NOT_NAME.match(name) or not _CONTRACT_NAME.fullmatch(name):
            continue
        after = [other for other in lines[k + 1 :] if other.strip()][:4]
        if any(_ROLE.match(other) or _FRONT_LINE.match(other) for other in after):
            return k
    return None


class Reading:
    """A document's lines, which clause each line stands in, and its top-level articles.

    Lines of a table of contents (:func:`toc_lines`) stand in the clause before it (the
    front matter, as a rule) and are never edited: an entry is no clause, and a sentence
    added to one makes it read like a clause of its own.
    """

    def __init__(self, text: str, language: str, scheme: Scheme | None = None) -> None:
        self.text = text
        self.language = language
        self.scheme = scheme or NATIVE[language]
        self.lines = text.split("\n")
        self.owner: list[str | None] = []
        counts: dict[str, int] = {}
        current: str | None = "preamble"
        articles_seen = False
        self.toc = toc_lines(self.lines)
        opens = _contract_opens(self.lines)
        for k, line in enumerate(self.lines):
            entry = k in self.toc  # of a table of contents: its number is no clause's
            if k == opens:
                current, articles_seen = "preamble", False
            elif k == 0 and opens is not None:
                current = "cover"
            if _MARKER.match(line):
                ident = _known_id(line, language, self.scheme)
                if ident is not None and opens is not None and k < opens:
                    ident = f"cover {ident}"
                top = bool(self.scheme.pattern.match(line))
                if ident is not None and not top and articles_seen and language == "zh":
                    ident = None  # 一、 under 第N条: its id depends on the reader's outline
                articles_seen = articles_seen or top
                if ident is not None:
                    counts[ident] = counts.get(ident, 0) + 1
                if not entry:
                    current = ident
            if _INLINE.search(line) and not entry:
                current = None  # a paragraph that runs two articles together
            self.owner.append(current)
        # An id written twice (a table of contents, general and special terms) is unsure.
        self.owner = [o if o is None or counts.get(o, 1) == 1 else None for o in self.owner]
        self.merged = any(_INLINE.search(line) for line in self.lines)

    def targets(self, n: int) -> list[int]:
        """Up to ``n`` lines, spread over the document, to edit inside."""
        chinese = self.language == "zh"
        usable = [
            k
            for k, line in enumerate(self.lines)
            if self.owner[k] not in (None, "preamble", "cover")
            and k not in self.toc
            and not _INLINE.search(line)
            and (
                len(re.findall(r"[\u4e00-\u9fff]", line)) >= 12
                if chinese
                else len(re.findall(r"[A-Za-z]{5,}", line)) >= 5
            )
        ]
        if len(usable) <= n:
            return usable
        return [usable[int((k + 0.5) * len(usable) / n)] for k in range(n)]

    def articles(self) -> list[tuple[int, int, int]] | None:
        """(number, first line, end line) of each top-level article, when they run 1..n
        on their own paragraphs (structural edits need to renumber them)."""
        heads: list[tuple[int, int]] = []
        for k, line in enumerate(self.lines):
            match = self.scheme.pattern.match(line)
            if match:
                heads.append((self.scheme.parse(match.group(2)), k))
        if self.merged or len(heads) < 4 or [n for n, _ in heads] != list(range(1, len(heads) + 1)):
            return None
        if any(_CHAPTER.match(line) for line in self.lines[heads[0][1] :]):
            return None  # chapters between the articles would move with them
        ends = [k for _, k in heads[1:]] + [len(self.lines)]
        return [(n, k, end) for (n, k), end in zip(heads, ends, strict=True)]

    def renumbered(self, order: list[tuple[int, list[str]]]) -> str:
        """The document with its articles in ``order`` ((old number or 0, lines)),
        numbered 1..n, their N.M sub-paragraphs with them."""
        articles = self.articles()
        assert articles is not None
        out = self.lines[: articles[0][1]]
        for new, (old, lines) in enumerate(order, 1):
            out.append(self._number(lines[0], new))
            for line in lines[1:]:
                out.append(re.sub(rf"^(\s*){old}\.(\d)", rf"\g<1>{new}.\2", line) if old else line)
        return "\n".join(out)

    def _number(self, line: str, n: int) -> str:
        match = self.scheme.pattern.match(line)
        assert match is not None
        numeral = self.scheme.write(n, match.group(2))
        return f"{match.group(1)}{numeral}{match.group(3)}{line[match.end() :]}"

    def article_id(self, n: int, like: int) -> str:
        """The id article ``n`` has, written like article ``like``."""
        articles = self.articles()
        assert articles is not None
        match = self.scheme.pattern.match(self.lines[articles[like - 1][1]])
        assert match is not None
        return self.scheme.ident(n, match.group(2))

    def new_article(self) -> list[str]:
        """An article to insert, numbered 1 in this document's scheme."""
        like = self.lines[self.articles()[0][1]]  # type: ignore[index]
        match = self.scheme.pattern.match(like)
        assert match is not None
        one = self.scheme.write(1, match.group(2))
        title, text = _NEW_ARTICLE[self.language]
        if self.language == "zh":
            return [
                f"{match.group(1)}{one}{match.group(3)}{' ' if '条' in like else ''}{title}",
                text,
            ]
        if self.scheme is EN_ARTICLE:
            return [f"ARTICLE {one}", title, text]
        if self.scheme is EN_SUBCLAUSES:
            return [f"1. {title}", f"1.1 {text}"]
        if self.scheme in (EN_SECTION, EN_ROMAN):
            return [f"{match.group(1)}{one}{match.group(3)}{title}. {text}"]
        return [f"{match.group(1)}{one}{match.group(3)}**{title}**. {text}"]


# --- the edits -------------------------------------------------------------------------

_VALUES = {
    "zh": {
        "amount": (
            "合同价款为¥32,400.00（大写：人民币叁万贰仟肆佰元整）。",
            "合同价款为¥38,400.00（大写：人民币叁万捌仟肆佰元整）。",
            ("¥32,400.00", "¥38,400.00"),
        ),
        "amount_cn": (
            "保证金为人民币叁万贰仟肆佰元整。",
            "保证金为人民币叁万捌仟肆佰元整。",
            ("¥32,400.00", "¥38,400.00"),
        ),
        "date": (
            "交付日期为2026年3月1日。", "交付日期为2026年4月15日。", ("2026-03-01", "2026-04-15"),
        ),
        "percentage": (
            "逾期每日按未付款项的0.05%支付违约金。",
            "逾期每日按未付款项的0.1%支付违约金。",
            ("0.05%", "0.1%"),
        ),
    },
    "en": {
        "amount": (
            " The fee is USD 32,400.00.",
            " The fee is USD 38,400.00.",
            ("USD 32,400.00", "USD 38,400.00"),
        ),
        "date": (
            " This applies from March 1, 2026.",
            " This applies from April 15, 2026.",
            ("2026-03-01", "2026-04-15"),
        ),
        "percentage": (
            " Late payments bear interest at 1.5% per month.",
            " Late payments bear interest at 2% per month.",
            ("1.5%", "2%"),
        ),
    },
}  # fmt: skip
#: The term each value sentence names its value by (the percentage's and the English
#: date's name nothing before the value).
_NAMED = {
    ("zh", "amount"): "合同价款",
    ("zh", "amount_cn"): "保证金",
    ("zh", "date"): "交付日期",
    ("en", "amount"): "fee",
}
#: What the redline must replace as one token, per (language, edit).
_TOKENS = {
    ("zh", "amount"): ("¥32,400.00", "¥38,400.00"),
    ("en", "amount"): ("32,400.00", "38,400.00"),
    ("zh", "amount_cn"): ("人民币叁万贰仟肆佰元整", "人民币叁万捌仟肆佰元整"),
    ("zh", "date"): ("2026年3月1日", "2026年4月15日"),
    ("en", "date"): ("March 1, 2026", "April 15, 2026"),
}
_PARTIES = {
    "zh": ("上海星河电子科技有限公司", "杭州云栖数据服务有限公司"),
    "en": ("Beta Analytics LLC", "Gamma Data Corp."),
}
_NEW_ARTICLE = {
    "zh": ("信息保密",
           "双方对履行本合同中知悉的对方商业秘密负有保密义务，未经对方书面同意不得向第三方披露。"),
    "en": ("Business Continuity", "Each party shall maintain a business continuity plan "
           "appropriate to its obligations and test it at least once a year."),
}  # fmt: skip


def _reword(line: str, language: str) -> str | None:
    if language == "zh":
        runs = [m for m in re.finditer(r"[\u4e00-\u9fff]{6,}", line)]
        if not runs:
            return None
        run = runs[len(runs) // 2]
        middle = run.start() + len(run.group(0)) // 2
        return line[:middle] + "（经双方书面确认）" + line[middle:]
    words = [m for m in re.finditer(r"\b[a-z]{5,}\b", line)]
    if not words:
        return None
    word = words[len(words) // 2]
    return line[: word.start()] + "promptly " + line[word.start() :]


def _replace_line(reading: Reading, k: int, line: str) -> str:
    return "\n".join([*reading.lines[:k], line, *reading.lines[k + 1 :]])


def value_trials(reading: Reading, per_kind: int) -> Iterator[Trial]:
    """Reword, amount, date and percentage edits inside numbered clauses, and the party."""
    if per_kind == 0:
        return
    language = reading.language
    for k in reading.targets(per_kind):
        line, clause = reading.lines[k], reading.owner[k]
        assert clause is not None
        reworded = _reword(line, language)
        if reworded is not None:
            yield Trial("reword", reading.text, _replace_line(reading, k, reworded),
                        Expected("modified", clause))  # fmt: skip
        for what, (before, after, shown) in _VALUES[language].items():
            old = _replace_line(reading, k, line + before)
            new = _replace_line(reading, k, line + after)
            tokens = _TOKENS.get((language, what))
            label = _NAMED.get((language, what))
            yield Trial(what, old, new, Expected("modified", clause, shown, tokens, label))
    yield from _party_trials(reading)


def _party_trials(reading: Reading) -> Iterator[Trial]:
    first, second = _PARTIES[reading.language]
    if reading.language == "en":
        k = next((n for n, line in enumerate(reading.lines) if len(line) > 200), None)
        if k is None or reading.owner[k] is None:
            return
        line = reading.lines[k]
        sentence = " It is made between Acme Robotics, Inc. and {} as the recipient."
        yield Trial(
            "party",
            _replace_line(reading, k, line + sentence.format(first)),
            _replace_line(reading, k, line + sentence.format(second)),
            Expected("modified", reading.owner[k] or "", (first, second), (first, second)),
        )
        return
    for k, line in enumerate(reading.lines):
        match = _ROLE.match(line)
        if match and reading.owner[k] is not None:
            rest = line[match.end() :].lstrip(" \t_")
            tail = "\t" + rest if rest else ""
            yield Trial(
                "party",
                _replace_line(reading, k, f"{match.group(0)}{first}{tail}"),
                _replace_line(reading, k, f"{match.group(0)}{second}{tail}"),
                Expected("modified", reading.owner[k] or "", (first, second), (first, second)),
            )
            return


def structure_trials(reading: Reading) -> Iterator[Trial]:
    """Insert, delete, move and renumber a top-level article in the middle."""
    articles = reading.articles()
    if articles is None:
        return
    n = len(articles)
    k = n // 2  # the article in the middle, 1-based
    bodies = [(number, reading.lines[start:end]) for number, start, end in articles]
    base = reading.renumbered(bodies)  # the same text; numbering written once
    extra = reading.new_article()
    yield Trial(
        "insert", base, reading.renumbered([*bodies[: k - 1], (1, extra), *bodies[k - 1 :]]),
        Expected("added", reading.article_id(k, k)),
    )  # fmt: skip
    yield Trial(
        "delete", base, reading.renumbered([*bodies[: k - 1], *bodies[k:]]),
        Expected("deleted", reading.article_id(k, k)),
    )  # fmt: skip
    # A move is the article that left the bulk of the text in place: it must be
    # well shorter than the articles it passes, or they could be the ones that moved.
    weight = [sum(len(line) for line in lines) for _, lines in bodies]
    moving = next(
        (
            m
            for m in (k, k - 1, k + 1, 2)
            if 1 <= m < n - 1 and 2 * weight[m - 1] < sum(weight[m:-1])
        ),
        None,
    )
    if moving is not None:
        order = [*bodies[: moving - 1], *bodies[moving:-1], bodies[moving - 1], bodies[-1]]
        yield Trial(
            "move", base, reading.renumbered(order), Expected("moved", reading.article_id(n - 1, k))
        )
    start = articles[k - 1][1]
    by_hand = reading._number(reading.lines[start], k + 1)
    yield Trial(
        "renumber", base, _replace_line(reading, start, by_hand),
        Expected("renumbered", reading.article_id(k + 1, k)),
    )  # fmt: skip
