"""Word's automatic list numbers, as Word shows them: ``第一条``, ``1.1``, ``（一）``.

A numbered paragraph keeps no number in its text: it names a list (``w:numPr``: a
``numId`` and a level, directly or through its paragraph style) and Word counts. The list
(``w:num``) points at an abstract definition (``w:abstractNum``) whose levels say how to
count and write: ``w:start``, ``w:numFmt`` (decimal, chineseCounting, lowerLetter,
upperRoman, ...), ``w:lvlText`` (``%1.``, ``（%1）``, ``第%1条``, ``%1.%2``), ``w:suff``
(tab, space or nothing after the number), ``w:isLgl`` (every level in decimal) and
``w:lvlRestart``. A list may override a level's start (``w:lvlOverride/w:startOverride``)
or the whole level.

Counting follows Word: lists that share an abstract definition share their counters (a
heading list and the list of its sub-clauses count together), a list that overrides a
level's start restarts that level where it is first used, and using a level resets the
deeper ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_VAL = _W + "val"


@dataclass(frozen=True)
class Level:
    """How one level of a list counts and writes its number."""

    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    suffix: str = "\t"
    legal: bool = False
    restart: int | None = None  # restart after this (0-based) level or shallower; -1 never


@dataclass
class _List:
    abstract: str
    overrides: dict[int, Level] = field(default_factory=dict)
    starts: dict[int, int] = field(default_factory=dict)


class Numbering:
    """The numbering definitions of one DOCX and the counters of one reading."""

    def __init__(self, numbering_xml: bytes | None, styles_xml: bytes | None, parser: Any) -> None:
        from lxml import etree  # type: ignore[import-untyped]

        self._abstract: dict[str, dict[int, Level]] = {}
        self._links: dict[str, str] = {}  # abstractNum id -> numStyleLink style id
        self._lists: dict[str, _List] = {}
        self._styles: dict[str, tuple[str | None, int | None, str | None]] = {}
        self._counters: dict[str, dict[int, int]] = {}
        self._started: set[str] = set()
        if styles_xml:
            for style in etree.fromstring(styles_xml, parser).iter(_W + "style"):
                num_id, ilvl = _num_pr(style.find(f"{_W}pPr/{_W}numPr"))
                based = style.find(_W + "basedOn")
                self._styles[style.get(_W + "styleId") or ""] = (
                    num_id,
                    ilvl,
                    based.get(_VAL) if based is not None else None,
                )
        if not numbering_xml:
            return
        root = etree.fromstring(numbering_xml, parser)
        for abstract in root.iter(_W + "abstractNum"):
            ident = abstract.get(_W + "abstractNumId") or ""
            self._abstract[ident] = {
                int(lvl.get(_W + "ilvl") or 0): _level(lvl) for lvl in abstract.iter(_W + "lvl")
            }
            link = abstract.find(_W + "numStyleLink")
            if link is not None and link.get(_VAL):
                self._links[ident] = link.get(_VAL)
        for num in root.iter(_W + "num"):
            ref = num.find(_W + "abstractNumId")
            if ref is None:
                continue
            entry = _List(ref.get(_VAL) or "")
            for override in num.iter(_W + "lvlOverride"):
                ilvl = int(override.get(_W + "ilvl") or 0)
                start = override.find(_W + "startOverride")
                if start is not None:
                    entry.starts[ilvl] = _int(start.get(_VAL), 0)
                lvl = override.find(_W + "lvl")
                if lvl is not None:
                    entry.overrides[ilvl] = _level(lvl)
            self._lists[num.get(_W + "numId") or ""] = entry

    def restart(self) -> None:
        """Count afresh (a header, footnote or footer part numbers on its own)."""
        self._counters.clear()
        self._started.clear()

    def number(self, paragraph: Any) -> str:
        """The number Word shows before ``paragraph`` (with its suffix), or ``""``."""
        ppr = paragraph.find(_W + "pPr")
        if ppr is None:
            return ""
        num_id, ilvl = _num_pr(ppr.find(_W + "numPr"))
        style = ppr.find(_W + "pStyle")
        if style is not None and (num_id is None or ilvl is None):
            style_num, style_lvl = self._style_numbering(style.get(_VAL) or "")
            num_id = num_id if num_id is not None else style_num
            ilvl = ilvl if ilvl is not None else style_lvl
        if num_id is None or num_id == "0" or num_id not in self._lists:
            return ""
        return self._count(num_id, ilvl or 0)

    def _style_numbering(self, style_id: str) -> tuple[str | None, int | None]:
        num_id: str | None = None
        ilvl: int | None = None
        seen: set[str] = set()
        while style_id and style_id not in seen and style_id in self._styles:
            seen.add(style_id)
            s_num, s_lvl, based = self._styles[style_id]
            num_id = num_id if num_id is not None else s_num
            ilvl = ilvl if ilvl is not None else s_lvl
            style_id = based or ""
        return num_id, ilvl

    def _levels(self, entry: _List) -> tuple[str, dict[int, Level]]:
        abstract = entry.abstract
        for _ in range(3):  # a numStyleLink points at a style whose list holds the levels
            style = self._links.get(abstract)
            if style is None:
                break
            linked, _lvl = self._style_numbering(style)
            if linked is None or linked not in self._lists:
                break
            abstract = self._lists[linked].abstract
        return abstract, self._abstract.get(abstract, {})

    def _count(self, num_id: str, ilvl: int) -> str:
        entry = self._lists[num_id]
        abstract, levels = self._levels(entry)
        levels = {**levels, **entry.overrides}
        if ilvl not in levels:
            return ""
        counters = self._counters.setdefault(abstract, {})
        if entry.starts and num_id not in self._started:  # the override restarts the count
            self._started.add(num_id)
            for overridden in entry.starts:
                counters.pop(overridden, None)

        def start(level: int) -> int:
            if level in entry.starts:
                return entry.starts[level]
            return levels[level].start if level in levels else 1

        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else start(ilvl)
        for deeper in [k for k in counters if k > ilvl]:
            restart = levels[deeper].restart if deeper in levels else None
            if restart is None or (restart >= 0 and ilvl <= restart):
                del counters[deeper]
        level = levels[ilvl]
        if level.fmt == "bullet":
            return level.text + level.suffix if level.text else ""
        text = level.text
        for k in range(8, -1, -1):
            token = f"%{k + 1}"
            if token in text:
                value = counters.setdefault(k, start(k))  # a parent used unseen counts
                fmt = levels[k].fmt if k in levels else "decimal"
                if level.legal and fmt != "none":
                    fmt = "decimal"
                text = text.replace(token, format_number(value, fmt))
        return text + level.suffix if text else ""


def _level(lvl: Any) -> Level:
    def val(name: str) -> str | None:
        node = lvl.find(_W + name)
        return node.get(_VAL) if node is not None else None

    suffix = {"space": " ", "nothing": ""}.get(val("suff") or "tab", "\t")
    restart = val("lvlRestart")
    is_lgl = lvl.find(_W + "isLgl")
    legal = is_lgl is not None and (is_lgl.get(_VAL) or "1") not in ("0", "false", "off")
    return Level(
        start=_int(val("start"), 1),
        fmt=val("numFmt") or "decimal",
        text=val("lvlText") or "",
        suffix=suffix,
        legal=legal,
        restart=None if restart is None else _int(restart, 0) - 1,
    )


def _num_pr(num_pr: Any) -> tuple[str | None, int | None]:
    if num_pr is None:
        return None, None
    num = num_pr.find(_W + "numId")
    lvl = num_pr.find(_W + "ilvl")
    return (
        num.get(_VAL) if num is not None else None,
        _int(lvl.get(_VAL), 0) if lvl is not None else None,
    )


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


_CN_DIGITS = "零一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip


def format_number(value: int, fmt: str) -> str:
    """``value`` written in Word's number format ``fmt`` (decimal when unknown)."""
    if fmt == "none":
        return ""
    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting",
               "taiwaneseCountingThousand", "japaneseCounting", "koreanCounting"):  # fmt: skip
        return _chinese(value, _CN_DIGITS, "十百千")
    if fmt in ("chineseLegalSimplified", "ideographLegalTraditional", "japaneseLegal"):
        return _chinese(value, _CN_LEGAL, "拾佰仟")
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(_CN_DIGITS[int(d)] if d != "0" else "〇" for d in str(value))
    if fmt == "ideographTraditional" and 1 <= value <= 10:
        return _TIANGAN[value - 1]
    if fmt == "ideographZodiac" and 1 <= value <= 12:
        return _DIZHI[value - 1]
    if fmt in ("upperRoman", "lowerRoman") and value > 0:
        roman = _roman(value)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt in ("upperLetter", "lowerLetter") and value > 0:
        letter = chr(ord("A") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(ord(d) + 0xFEE0) for d in str(value))
    if fmt == "decimalEnclosedCircle" and 1 <= value <= 20:
        return chr(0x2460 + value - 1)
    if fmt == "decimalEnclosedParen" and 1 <= value <= 20:
        return chr(0x2474 + value - 1)
    if fmt == "decimalEnclosedFullstop" and 1 <= value <= 20:
        return chr(0x2488 + value - 1)
    return str(value)


def _roman(value: int) -> str:
    out = []
    for number, letters in _ROMAN:
        while value >= number:
            out.append(letters)
            value -= number
    return "".join(out)


def _chinese(value: int, digits: str, units: str) -> str:
    """1 一, 10 十, 12 十二, 20 二十, 105 一百零五, as Word counts in Chinese."""
    if value <= 0 or value >= 10000:
        return str(value)
    parts: list[str] = []
    places = [(1000, units[2]), (100, units[1]), (10, units[0]), (1, "")]
    zero = False
    for place, unit in places:
        digit = value // place % 10
        if digit == 0:
            zero = bool(parts)
            continue
        if zero:
            parts.append(digits[0])
            zero = False
        if not (place == 10 and digit == 1 and not parts):
            parts.append(digits[digit])
        parts.append(unit)
    return "".join(parts)
