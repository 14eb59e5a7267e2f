"""Recognisers for the values a contract states: amounts, dates, percentages, durations
and parties, each found with its position in the prepared text.

:func:`prepare` folds a clause's text once (widths, punctuation, CJK spaces) and keeps
one line per line and one tab between table cells, so every recogniser works on the same
positions; :mod:`contractctl.compare.semantic` labels the values and compares them. The
forms each recogniser accepts are listed in that module's docstring.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Final

from contractctl.compare.normalise import fold
from contractctl.compare.wrapped import CURRENCY_WORDS, unwrap_values
from contractctl.documents.clauses import chinese_number
from contractctl.errors import InvalidInput
from contractctl.money import Money, parse_chinese_upper, parse_money

__all__ = [
    "amounts",
    "dates",
    "decimal_text",
    "durations",
    "parties",
    "percentages",
    "prepare",
]


# --- text preparation ------------------------------------------------------------------

_CELL_SEPARATOR: Final = re.compile(r"[ \t]*(?:(?<=\s)|^)\|(?=\s|$)[ \t]*|\t+| {2,}", re.M)
_CJK: Final = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_LOOSE_SPACE: Final = re.compile(rf"(?<=[{_CJK}]) +| +(?=[{_CJK}])")


#: A CJK word spaced out letter by letter (项 目 地 点), and a space before a form's
#: next ``label:`` (监造 项目地点：江苏省): the fields of a form written on one line.
_SPACED_WORD: Final = re.compile(
    r"(?<![\u4e00-\u9fff])(?:[\u4e00-\u9fff] ){2,}[\u4e00-\u9fff](?![\u4e00-\u9fff])"
)
_NEXT_FIELD: Final = re.compile(r"(?<=\S) (?=[\u4e00-\u9fff]{2,12} ?:)")


def prepare(text: str) -> str:
    """Folded text, one line per line (a value a narrow cell wrapped on one:
    :func:`unwrap_values`) and one tab between table cells or a form's fields, CJK
    spaces gone."""
    lines = []
    for line in fold(text).split("\n"):
        if ":" in line and " " in line:
            line = _SPACED_WORD.sub(lambda m: m.group().replace(" ", ""), line)
            line = _NEXT_FIELD.sub("\t", line)
        line = _CELL_SEPARATOR.sub("\t", line)
        lines.append("\t".join(_LOOSE_SPACE.sub("", cell).strip() for cell in line.split("\t")))
    return unwrap_values("\n".join(lines))


# --- amounts ---------------------------------------------------------------------------

_NUM: Final = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MULTIPLIER: Final = r"(?: ?(?:万亿|万|亿))?"
_AMOUNT_BEFORE: Final = re.compile(
    rf"(?<![A-Za-z])(?:{CURRENCY_WORDS})[ \n]?(?:{_NUM}){_MULTIPLIER}(?: ?[元圆])?"
    r"(?![\d,.]*\d)"
)
_CURRENCY_AFTER: Final = r"元|美元|欧元|英镑|港币|港元|日元|(?:USD|CNY|RMB|EUR|HKD|GBP)(?![A-Za-z])"
_AMOUNT_AFTER: Final = re.compile(
    rf"(?<![\dA-Za-z¥$€£])(?<!\d[.,])(?:{_NUM}){_MULTIPLIER} ?(?:{_CURRENCY_AFTER})"
)
_CAPITALS: Final = re.compile(
    r"(?:人民币|美元|欧元|英镑|港币|港元|日元)?[零壹贰叁肆伍陆柒捌玖拾佰仟万亿两〇元圆角分整正]{2,}"
)
_CAPITAL_DIGIT: Final = re.compile(r"[壹贰叁肆伍陆柒捌玖]")
_BETWEEN_FIGURE_AND_CAPITALS: Final = re.compile(
    r"^[\s()\[\]:,、]*(?:大写|小写|即|计)?[\s()\[\]:,、]*$"
)


def amounts(text: str) -> list[tuple[int, int, Money, Money | None]]:
    """(start, end, figure or capitals, capitals restating it or None)."""
    figures: list[tuple[int, int, Money]] = []
    taken: list[tuple[int, int]] = []
    for pattern in (_AMOUNT_BEFORE, _AMOUNT_AFTER):
        for match in pattern.finditer(text):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            raw = match.group(0).replace("圆", "元")
            try:
                money = parse_money(raw)
            except InvalidInput:
                continue
            figures.append((match.start(), match.end(), money))
            taken.append((match.start(), match.end()))
    capitals: list[tuple[int, int, Money]] = []
    for match in _CAPITALS.finditer(text):
        raw = match.group(0)
        if not _CAPITAL_DIGIT.search(raw) and "零" not in raw:
            continue
        if not any(u in raw for u in "元圆角分"):
            continue
        if any(a < match.end() and match.start() < b for a, b in taken):
            continue
        try:
            capitals.append((match.start(), match.end(), parse_chinese_upper(raw)))
        except InvalidInput:
            continue
    found: list[tuple[int, int, Money, Money | None]] = []
    used: set[int] = set()
    for start, end, money in figures:
        restated: Money | None = None
        for n, (c_start, c_end, capital) in enumerate(capitals):
            if n in used:
                continue
            gap = text[end:c_start] if c_start >= end else text[c_end:start]
            if len(gap) <= 12 and _BETWEEN_FIGURE_AND_CAPITALS.match(gap):
                restated = capital
                used.add(n)
                break
        found.append((start, end, money, restated))
    for n, (c_start, c_end, capital) in enumerate(capitals):
        if n not in used:
            found.append((c_start, c_end, capital, None))
    return sorted(found, key=lambda f: f[0])


# --- dates -----------------------------------------------------------------------------

_MONTHS: Final = {
    name: n
    for n, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH_NAMES: Final = "|".join(sorted(_MONTHS, key=len, reverse=True))
_CN_DIGIT_YEAR: Final = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}
_CN_MD: Final = "[一二三四五六七八九十]{1,3}"
_ORDINAL: Final = "(?:st|nd|rd|th)?"
_DATE_PATTERNS: Final = (
    # a date filled into a form's blanks keeps the blanks' gaps: 2026年   1月    5日
    (re.compile(r"(?<!\d)(\d{4})[ \t]*年[ \t]*(\d{1,2})[ \t]*月[ \t]*(\d{1,2})[ \t]*日"), "ymd"),
    (re.compile(rf"([〇零一二三四五六七八九]{{4}})年({_CN_MD})月({_CN_MD})日"), "cn"),
    (re.compile(r"(?<![\d\-/.])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d])"), "iso"),
    (
        re.compile(rf"\b({_MONTH_NAMES})\.?\s*(\d{{1,2}})(?!\d){_ORDINAL},?\s*(\d{{4}})\b", re.I),
        "mdy",
    ),
    (
        re.compile(rf"\b(\d{{1,2}}){_ORDINAL}\s*({_MONTH_NAMES})\.?,?\s*(\d{{4}})\b", re.I),
        "dmy",
    ),
)


def dates(text: str) -> list[tuple[int, int, date]]:
    """(start, end, date) of each valid date written in one of the recognised forms."""
    found: list[tuple[int, int, date]] = []
    for pattern, form in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(a < match.end() and match.start() < b for a, b, _ in found):
                continue
            try:
                if form == "ymd":
                    y, m, d = (int(g) for g in match.groups())
                elif form == "cn":
                    y = int("".join(_CN_DIGIT_YEAR[c] for c in match.group(1)))
                    m, d = chinese_number(match.group(2)), chinese_number(match.group(3))
                elif form == "iso":
                    y, m, d = int(match.group(1)), int(match.group(3)), int(match.group(4))
                elif form == "mdy":
                    y, m, d = (
                        int(match.group(3)),
                        _MONTHS[match.group(1).lower()],
                        int(match.group(2)),
                    )
                else:
                    y, m, d = (
                        int(match.group(3)),
                        _MONTHS[match.group(2).lower()],
                        int(match.group(1)),
                    )
                found.append((match.start(), match.end(), date(y, m, d)))
            except (ValueError, KeyError):
                continue
    return found


# --- percentages -----------------------------------------------------------------------

_CN_FRACTION: Final = re.compile(
    r"(百|千|万)分之([零〇一二两三四五六七八九十百]+(?:点[零〇一二三四五六七八九]+)?)"
)
_PERCENT: Final = re.compile(
    r"(?<!\d)(?<!\d\.)(\d+(?:\.\d+)?)[ \n]?(%|‰|per ?cent\b|percent\b)", re.I
)
_DIVISOR: Final = {"百": Decimal(1), "千": Decimal(10), "万": Decimal(100)}


def decimal_text(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: ``5``, ``5.5``, ``0.05``."""
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


_CN_DIGITS: Final = {c: str(i) for i, c in enumerate("零一二三四五六七八九")} | {"〇": "0"}


def _cn_decimal(text: str) -> Decimal:
    whole, _, fraction = text.partition("点")
    digits = "".join(_CN_DIGITS[c] for c in fraction)
    value = Decimal(chinese_number(whole.replace("两", "二")))
    return value + (Decimal(f"0.{digits}") if digits else Decimal(0))


def percentages(text: str) -> list[tuple[int, int, Decimal]]:
    """(start, end, percent) of each rate: 5%, 百分之五, 千分之一 (0.1), 5 per cent."""
    found: list[tuple[int, int, Decimal]] = []
    for match in _PERCENT.finditer(text):
        value = Decimal(match.group(1))
        if match.group(2) == "‰":
            value /= 10
        found.append((match.start(), match.end(), value))
    for match in _CN_FRACTION.finditer(text):
        try:
            value = _cn_decimal(match.group(2)) / _DIVISOR[match.group(1)]
        except (ValueError, InvalidOperation):
            continue
        found.append((match.start(), match.end(), value))
    return found


# --- durations -------------------------------------------------------------------------

_CN_COUNT: Final = "一二两三四五六七八九十百零"
_DURATION_CN: Final = re.compile(
    rf"(?<![第\d])(?<!\d[.,])(\d{{1,3}}|[{_CN_COUNT}]{{1,4}})(?: ?[)）])?[ \n]?(个)?"
    r"(工作日|日|天|周|星期|月|年|小时)(?![\d])"
)
_DURATION_EN: Final = re.compile(
    r"(?<!\d)(?<!\d[.,])\(?(\d{1,3})\)?[ \n]?"
    r"(business days?|working days?|calendar days?|days?|weeks?|months?|years?|hours?)\b",
    re.I,
)
#: unit -> (base unit, factor)
_UNITS: Final = {
    "工作日": ("business_day", 1), "日": ("day", 1), "天": ("day", 1), "周": ("day", 7),
    "星期": ("day", 7), "月": ("month", 1), "年": ("month", 12), "小时": ("hour", 1),
    "business day": ("business_day", 1), "working day": ("business_day", 1),
    "calendar day": ("day", 1), "day": ("day", 1), "week": ("day", 7), "month": ("month", 1),
    "year": ("month", 12), "hour": ("hour", 1),
}  # fmt: skip


def durations(text: str) -> list[tuple[int, int, int, str, str]]:
    """(start, end, amount in the base unit, base unit, display)."""
    found: list[tuple[int, int, int, str, str]] = []
    for match in _DURATION_CN.finditer(text):
        count_text, ge, unit = match.group(1), match.group(2), match.group(3)
        if unit == "月" and not ge:
            continue  # 11月 is a month of a date, 三个月 a duration
        try:
            count = (
                int(count_text)
                if count_text.isdigit()
                else chinese_number(count_text.replace("两", "二"))
            )
        except ValueError:
            continue
        if unit == "年" and (count >= 100 or re.match(r"\d{1,2}月", text[match.end() :])):
            continue
        base, factor = _UNITS[unit]
        display = f"{count}{'个' if ge else ''}{unit}"
        found.append((match.start(), match.end(), count * factor, base, display))
    for match in _DURATION_EN.finditer(text):
        count = int(match.group(1))
        unit = match.group(2).lower().rstrip("s")
        base, factor = _UNITS[unit]
        display = f"{count} {unit}{'' if count == 1 else 's'}"
        found.append((match.start(), match.end(), count * factor, base, display))
    return found


# --- parties ---------------------------------------------------------------------------

_ROLES_CN: Final = (
    "甲方|乙方|丙方|丁方|委托方|受托方|委托人|受托人|出租方|承租方|出租人|承租人|买方|卖方|供方|需方|"
    "出卖人|买受人|发包方|承包方|发包人|承包人|借款人|贷款人|保证人|担保方|披露方|接收方|服务方|"
    # the parties the Civil Code names for each contract type
    "保管人|寄存人|存货人|定作人|承揽人|行纪人|居间人|中介人|赠与人|受赠人|托运人|承运人|出质人|"
    "质权人|抵押人|抵押权人|投保人|保险人|监理人|设计人|勘察人|出让人|受让人|出让方|受让方|转让方|"
    "转让人|供电人|用电人|供水人|用水人|供气人|用气人|供热人|用热人|技术服务方|服务提供方"
)
_ROLES_EN: Final = (
    "Party [A-D]|Buyer|Seller|Supplier|Customer|Client|Service Provider|Contractor|Licensor|"
    "Licensee|Lessor|Lessee|Landlord|Tenant|Disclosing Party|Receiving Party"
)
_PARTY: Final = re.compile(rf"^({_ROLES_CN}|{_ROLES_EN})\s?(?:\([^)]{{0,30}}\))?\s?:\s?(.*)$")
_COMPANY: Final = (
    r"(?:Co\.,?\s?Ltd\.?|Ltd\.?|Limited|Inc\.?|LLC|Corporation|Corp\.?|GmbH|S\.A\.|有限公司|公司)"
)
_BETWEEN: Final = re.compile(
    rf"between\s?:?\s?([A-Z\u4e00-\u9fff][^;:()\n]{{1,80}}?{_COMPANY})\s?(?:\([^)]*\))?,?\s+and\s+"
    rf"([A-Z\u4e00-\u9fff][^;:()\n]{{1,80}}?{_COMPANY})"
)


def parties(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, role, name) for each party named at a line or cell start."""
    found: list[tuple[int, int, str, str]] = []
    offset = 0
    waiting: tuple[str, int] | None = None  # a role whose name is on a line below
    columns: list[str] = []  # a signature table's parties, one per column (PARTY 1 | PARTY 2)
    for line in text.split("\n"):
        cells = line.split("\t")
        position = offset
        heads = [c.strip() for c in cells if c.strip()]
        if len(heads) >= 2 and all(_COLUMN_ROLE.fullmatch(h) for h in heads):
            columns = [re.sub(r"(?i)^party\s*", "Party ", h) for h in heads]
        elif columns and _NAME_ROW.fullmatch(cells[0].strip()):
            # Company | Acme Robotics, Inc. | Blue Harbor Analytics LLC, under the parties
            at = offset + len(cells[0]) + 1
            for role, cell in zip(columns, cells[1:], strict=False):
                name = cell.strip()
                if _plausible_name(name):
                    start = at + cell.find(name)
                    found.append((start, start + len(name), role, name))
                at += len(cell) + 1
        if waiting is not None and line.strip():
            role, left = waiting
            named = _NAME_LABEL.match(line)  # 甲方：\n机构名称（…）：上海启明星教育培训中心
            if named and _plausible_name(named.group(1).strip()):
                name = named.group(1).strip()
                start = offset + named.start(1)
                found.append((start, start + len(name), role, name))
                waiting = None
            else:
                waiting = (role, left - 1) if left > 1 else None
        for n, cell in enumerate(cells):
            match = _PARTY.match(cell)
            if match:
                name, start = match.group(2).strip(), position + match.start(2)
                if not name:
                    later = [(k, c) for k, c in enumerate(cells[n + 1 :], n + 1) if c.strip()]
                    if later and not _PARTY.match(later[0][1]) and not later[0][1].endswith(":"):
                        k, name = later[0][0], later[0][1].strip()
                        start = position + sum(len(c) + 1 for c in cells[n:k])
                role = (
                    "Party " + match.group(1)[-1]
                    if match.group(1).startswith("Party")
                    else match.group(1)
                )
                if _plausible_name(name):
                    found.append((start, start + len(name), role, name))
                elif not name and n == len(cells) - 1:
                    waiting = (role, 2)
            position += len(cell) + 1
        offset += len(line) + 1
    for match in _BETWEEN.finditer(text):
        for group, role in ((1, "first party"), (2, "second party")):
            found.append((match.start(group), match.end(group), role, match.group(group).strip()))
    return found


#: A signature table's header cells, one party per column, and the row of their names.
_COLUMN_ROLE: Final = re.compile(r"(?i)party\s*(?:[12ab]|one|two)|[甲乙丙丁]方")
_NAME_ROW: Final = re.compile(
    r"(?i)(?:company|company name|legal name|entity|名称|单位名称|公司名称)\s*:?"
)
#: The name under a party's role, on the line below it: 名称：, 机构名称（…）：, 姓名：.
_NAME_LABEL: Final = re.compile(
    r"^\s*[\u4e00-\u9fff]{0,4}(?:名称|姓名|全称)(?:\([^()]{0,40}\))?\s*:\s*([^\t]+)"
)


def _plausible_name(name: str) -> bool:
    if not name or len(name) > 80 or name.endswith(("。", ";", ",")):
        return False
    return bool(re.search(r"[A-Za-z\u4e00-\u9fff]", name)) and ":" not in name
