"""How contracts write a calendar date, read exactly or flagged, never guessed.

Chinese (2026年3月5日, 二〇二六年三月五日, 二零二四年十二月三十一日), ISO and year-first
(2026-03-05, 2026.3.5, 2026/3/5) and English (March 5, 2026; 5 March 2026; the 5th day
of March, 2026; this first day of March 2024) forms are read exactly. A day-month-year
in digits is read only when it can mean one day: 25/03/2026 is 25 March, 03/03/2026 is
3 March, but 03/05/2026 is 3 May to one reader and March 5 to another, so it comes back
with no value and both readings, never guessed.

A two-digit year is a reading too. Where the order of the parts is fixed by the words
(24年3月1日, 1 Mar 24) only the century is inferred, by the POSIX rule readers know
(00-68 is 20xx, 69-99 is 19xx), and the hit says ``two_digit_year`` so the contract is
reviewed. Where digits alone are given (03/01/24) day, month and year can each be any of
the three: read only when a single day results, else ambiguous. 24.3.1 is not read at
all: it is a clause number as often as a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from contractctl.documents.clauses import chinese_number

MONTHS: Final = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_CN_YEAR_DIGITS: Final = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {
    "零": "0",
    "○": "0",
    "O": "0",
    "o": "0",
    "0": "0",
}
_MONTH_NAME: Final = r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[A-Za-z]{0,6}"
# Three patterns, each starting with a character class, which Python's regex engine scans
# for quickly; a pattern starting with alternatives or a look-behind is many times slower.
_DIGIT_DATE: Final = re.compile(
    r"(?P<a>\d{1,4})(?:\s*年\s*(?P<zm>\d{1,2})\s*月\s*(?P<zd>\d{1,2})\s*[日号]"
    r"|(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})(?![\d/\-])"
    r"|(?:st|nd|rd|th)?\s+(?:(?:day\s+)?of\s+)?(?P<fm>" + _MONTH_NAME + r")\.?,?\s*"
    r"(?:(?P<fy>(?:19|20)\d{2})\b|(?P<fy2>\d{2})(?![\w:/\-]|\.\d|,? *\d))"
    r"|(?P<dm>[-/])(?P<dmm>" + _MONTH_NAME + r")(?P=dm)(?P<dmy>\d{2}|(?:19|20)\d{2})(?![\w/\-]))"
)
_CN_DATE: Final = re.compile(
    r"(?P<cy>[〇零○Oo0一二三四五六七八九]{4})\s*年\s*(?P<cm>[一二三四五六七八九十元]{1,2})\s*月"
    r"\s*(?P<cd>[一二三四五六七八九十]{1,3})\s*[日号]"
)
_EN_DATE: Final = re.compile(
    r"(?P<em>[JFMASONDjfmasond](?i:an|eb|ar|pr|ay|un|ul|ug|ep|ct|ov|ec)[A-Za-z]{0,7})\.?\s*"
    r"(?P<ed>\d{1,2})(?:st|nd|rd|th)?\s*,?\s*(?P<ey>(?:19|20)\d{2})(?!\d)"
)
# "the first day of March, 2024": found from "day of", the ordinal read backwards.
_DAY_OF: Final = re.compile(
    r"[Dd]ay\s+of\s+(?P<m>" + _MONTH_NAME + r")\.?,?\s*(?P<y>(?:19|20)\d{2})(?!\d)"
)
_ORDINAL_WORDS: Final = [
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth", "twentieth",
]  # fmt: skip
_ORDINALS: Final = {word: number for number, word in enumerate(_ORDINAL_WORDS, start=1)} | {
    "thirtieth": 30
}
_ORDINAL_BEFORE: Final = re.compile(
    r"(?i)(?<![A-Za-z-])(?:(?P<tens>twenty|thirty)[\s-]?)?(?P<unit>[a-z]+)\s+$"
)


@dataclass(frozen=True)
class DateHit:
    """A date written in the text: its value, or None with both readings when ambiguous."""

    start: int
    end: int
    value: date | None
    readings: tuple[date, ...] = ()
    inferred_order: bool = False
    two_digit_year: bool = False

    @property
    def ambiguous(self) -> bool:
        """Two different days are possible readings."""
        return self.value is None and len(self.readings) > 1


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def century(year: int) -> int:
    """A two-digit year in full: 00-68 is 2000-2068, 69-99 is 1969-1999 (as POSIX)."""
    return year + (2000 if year < 69 else 1900)


def _short_year_hit(start: int, end: int, a: int, b: int, c: int) -> DateHit | None:
    """a/b/c with a two-digit year: day-month-year, month-day-year or year-month-day."""
    readings = tuple(
        d
        for d in {
            _safe_date(century(c), b, a),
            _safe_date(century(c), a, b),
            _safe_date(century(a), b, c),
        }
        if d
    )
    if not readings:
        return None
    if len(readings) == 1:
        return DateHit(start, end, readings[0], inferred_order=True, two_digit_year=True)
    return DateHit(start, end, None, readings=tuple(sorted(readings)))


def _digit_hit(flow: str, match: re.Match[str]) -> DateHit | None:
    """2026年3月5日, 2026-03-05 / 2026.3.5, 5 March 2026, or a day and month in digits."""
    g = match.group
    start, end = match.span()
    first = g("a")
    if start and (flow[start - 1].isdigit() or (g("sep") and flow[start - 1] in ".-/")):
        return None
    short = False
    if g("zm"):
        short = len(first) == 2
        year = century(int(first)) if short else int(first) if len(first) == 4 else 0
        value = _safe_date(year, int(g("zm")), int(g("zd"))) if year else None
    elif g("fm") or g("dmm"):
        if " of" in match.group() and not re.search(r"(?:st|nd|rd|th)\s|day", match.group()):
            return None  # "Article 3 of May 2024" names no day; "1st of May 2024" does
        month = MONTHS.get((g("fm") or g("dmm")).lower())
        written = g("fy") or g("fy2") or g("dmy")
        short = len(written) == 2
        year = century(int(written)) if short else int(written)
        value = _safe_date(year, month, int(first)) if month and len(first) <= 2 else None
    elif len(first) == 4 and len(g("c")) <= 2 and first[:2] in ("19", "20"):
        value = _safe_date(int(first), int(g("b")), int(g("c")))
    elif len(first) <= 2 and len(g("c")) == 4 and g("c")[:2] in ("19", "20"):
        a, b, year = int(first), int(g("b")), int(g("c"))
        readings = tuple(d for d in (_safe_date(year, b, a), _safe_date(year, a, b)) if d)
        if not readings:
            return None
        if len(set(readings)) == 1:
            return DateHit(start, end, readings[0], inferred_order=a != b)
        return DateHit(start, end, None, readings=readings)
    elif len(first) <= 2 and len(g("c")) == 2 and g("sep") != ".":
        return _short_year_hit(start, end, int(first), int(g("b")), int(g("c")))
    else:
        return None
    return DateHit(start, end, value, two_digit_year=short) if value else None


def _cn_hit(match: re.Match[str]) -> DateHit | None:
    year = int("".join(_CN_YEAR_DIGITS[c] for c in match.group("cy")))
    try:
        month = 1 if match.group("cm") == "元" else chinese_number(match.group("cm"))
        day = chinese_number(match.group("cd"))
    except ValueError:
        return None
    value = _safe_date(year, month, day)
    return DateHit(match.start(), match.end(), value) if value else None


def _en_hit(flow: str, match: re.Match[str]) -> DateHit | None:
    start = match.start()
    if start and flow[start - 1].isalpha():
        return None
    month = MONTHS.get(match.group("em").lower())
    if month is None:
        return None
    value = _safe_date(int(match.group("ey")), month, int(match.group("ed")))
    return DateHit(start, match.end(), value) if value else None


def _ordinal_hit(flow: str, match: re.Match[str]) -> DateHit | None:
    """The first day of March, 2024; the twenty-first day of June 2023."""
    window = max(0, match.start() - 24)
    word = _ORDINAL_BEFORE.search(flow, window, match.start())
    month = MONTHS.get(match.group("m").lower())
    if word is None or month is None:
        return None
    unit = _ORDINALS.get(word.group("unit").lower())
    tens = {"twenty": 20, "thirty": 30}.get((word.group("tens") or "").lower(), 0)
    if unit is None or (tens and unit > 9):
        return None
    value = _safe_date(int(match.group("y")), month, tens + unit)
    return DateHit(word.start(), match.end(), value) if value else None


def find_dates(flow: str) -> list[DateHit]:
    """Every calendar date written in ``flow``, in order."""
    hits = [h for m in _DIGIT_DATE.finditer(flow) if (h := _digit_hit(flow, m))]
    hits += [h for m in _CN_DATE.finditer(flow) if (h := _cn_hit(m))]
    if re.search("[A-Za-z]", flow):
        hits += [h for m in _EN_DATE.finditer(flow) if (h := _en_hit(flow, m))]
        if "day of" in flow or "Day of" in flow:
            hits += [h for m in _DAY_OF.finditer(flow) if (h := _ordinal_hit(flow, m))]
    hits.sort(key=lambda h: (h.start, -h.end))
    kept: list[DateHit] = []
    for hit in hits:
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept
