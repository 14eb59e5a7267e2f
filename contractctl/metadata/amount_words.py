"""Amounts written in words: English number words and Chinese lower-case numerals.

Besides figures and financial capitals, contracts spell the total out in ordinary words:
"One Hundred Twenty Thousand US Dollars (USD 120,000.00)", "the sum of fifty thousand
dollars", 人民币十二万元整, 合同总价一百二十万元. This module finds such sums and reads
them (Chinese numerals as the capitals they stand for); :mod:`contractctl.metadata.amounts`
then weighs them like any other sum and pairs them with the figures written beside them,
so words and figures check each other.

Precision first: a run of number words is an amount only when a currency word closes or
opens it (thirty (30) days, two thousand units and 第十二条 are not money), the words must
form one well-formed number (one two thousand is refused, not read as 2,000), a currency
the text does not pin down ("Singapore dollars", "five thousand pounds" of steel) is
skipped, and Chinese numerals go through the bank-strict reader of capitals in
:func:`contractctl.money.parse_chinese_upper`, so 十二万元 is read and 十十万元 is not.
"""

from __future__ import annotations

import re
from typing import Final

from contractctl.errors import InvalidInput
from contractctl.money import Money, parse_money

#: A sum found in words: (start, end, value) in the text it was found in.
WordSum = tuple[int, int, Money]

_UNIT_WORDS: Final = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]  # fmt: skip
_UNITS: Final = {word: value for value, word in enumerate(_UNIT_WORDS)}
_TENS: Final = {
    word: value * 10
    for value, word in enumerate(
        ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], start=2
    )
}
_SCALES: Final = {"thousand": 10**3, "million": 10**6, "billion": 10**9}
_ALL_WORDS: Final = frozenset([*_UNITS, *_TENS, *_SCALES, "hundred"])
_NUMBER_WORD: Final = "|".join(sorted(_ALL_WORDS, key=len, reverse=True))
# A run of number words ending where the text before a currency word ends. Written to be
# searched in a short window only, after a currency word was found.
_WORDS: Final = (
    rf"(?P<w>(?:{_NUMBER_WORD})(?:(?:[\s-]+|\s+and\s+)(?:{_NUMBER_WORD}))*)(?![A-Za-z-])"
)
_WORDS_TAIL: Final = re.compile(
    rf"(?i)(?<![A-Za-z-]){_WORDS}(?:\s+and\s+(?P<cents>\d{{2}})/100)?\s*$"
)
_WORDS_HEAD: Final = re.compile(rf"(?i){_WORDS}(?:\s+and\s+(?P<cents>\d{{2}})/100)?")
# Each pattern starts with a character class, which Python's regex engine scans for fast.
_CURRENCY_AFTER: Final = re.compile(
    r"[DdEePpYyRr](?:OLLARS?|ollars?|UROS?|uros?|OUNDS?\s+STERLING|ounds?\s+[Ss]terling"
    r"|UAN|uan|ENMINBI|enminbi|EN|en)(?![A-Za-z])"
)
_CURRENCY_BEFORE: Final = re.compile(
    r"[UREGH](?:SD|S\s*\$|\.?S\.?\s+[Dd]ollars|nited\s+States\s+[Dd]ollars|MB|enminbi|UR|uros?"
    r"|BP|KD|ong\s+Kong\s+[Dd]ollars)\s+(?=[A-Za-z])"
)
_CODES_BEFORE: Final = {
    "usd": "USD",
    "us$": "USD",
    "rmb": "CNY",
    "renminbi": "CNY",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "gbp": "GBP",
    "hkd": "HKD",
}
# What may stand between the number words and "dollars": it names whose dollars they are.
_QUALIFIER: Final = re.compile(
    r"(?P<q>\b(?:US|U\.S\.|United\s+States|Hong\s+Kong|HK|RMB)|\b[A-Z][a-z]+)\s*$"
)
_KNOWN_QUALIFIERS: Final = {
    "dollar": {"US": "USD", "U.S.": "USD", "United States": "USD", "American": "USD"}
    | {"Hong Kong": "HKD", "HK": "HKD"},
    "yuan": {"RMB": "CNY", "Renminbi": "CNY", "Chinese": "CNY"},
    "yen": {"Japanese": "JPY"},
}
_PLAIN_CURRENCY: Final = {
    "dollar": "USD",
    "euro": "EUR",
    "pound": "GBP",  # only "pounds sterling" is looked at: plain pounds may weigh steel
    "yuan": "CNY",
    "renminbi": "CNY",
    "yen": "JPY",
}
_CENTS_AFTER: Final = re.compile(
    rf"\s+and\s+(?P<cents>\d{{1,2}}|(?i:{_NUMBER_WORD})(?:[\s-]+(?i:{_NUMBER_WORD}))?)\s+(?i:cents?)\b"
)
_ENDS_PREFIXED: Final = re.compile(r"\s*(?:(?i:only)\b|[(（.,;:)）]|$)")
_WINDOW: Final = 160

_CN_NUMERALS: Final = re.compile(
    r"[一二两三四五六七八九十][〇零一二两三四五六七八九十百千万亿]{0,20}[元圆]整?"
)
_TO_CAPITALS: Final = str.maketrans(
    {
        "〇": "零",
        "一": "壹",
        "二": "贰",
        "两": "贰",
        "三": "叁",
        "四": "肆",
        "五": "伍",
        "六": "陆",
        "七": "柒",
        "八": "捌",
        "九": "玖",
        "十": "拾",
        "百": "佰",
        "千": "仟",
    }
)
_CN_NOT_BEFORE: Final = "第每零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟0123456789"


def english_number(words: str) -> int | None:
    """ "One Hundred Twenty Thousand" → 120000; None unless the words make one number.

    Groups of up to three digits ([unit hundred] [and] [tens[-unit] | unit]) joined by
    thousand, million and billion in falling order; "and" only inside the words. Anything
    else (one two, thousand thousand, twenty twelve) is None, not a best effort.
    """
    tokens = [t for t in re.split(r"[\s-]+", words.lower().strip()) if t]
    if not tokens or tokens[0] == "and" or tokens[-1] == "and":
        return None
    tokens = [t for t in tokens if t != "and"]
    total, last_scale, index = 0, 10**12, 0
    while index < len(tokens):
        group, index = _group(tokens, index)
        if group is None:
            return None
        scale = _SCALES.get(tokens[index]) if index < len(tokens) else None
        if scale is None:
            return total + group if index == len(tokens) else None
        if scale >= last_scale or group == 0:
            return None
        total, last_scale, index = total + group * scale, scale, index + 1
    return total


def _group(tokens: list[str], index: int) -> tuple[int | None, int]:
    """One group below a thousand from ``tokens[index:]``, and where it ends."""
    value, seen = 0, False
    if (
        index + 1 < len(tokens)
        and 1 <= _UNITS.get(tokens[index], 0) <= 9
        and tokens[index + 1] == "hundred"
    ):
        value, index, seen = _UNITS[tokens[index]] * 100, index + 2, True
    if index < len(tokens) and tokens[index] in _TENS:
        value, index, seen = value + _TENS[tokens[index]], index + 1, True
        if index < len(tokens) and 1 <= _UNITS.get(tokens[index], 0) <= 9:
            value, index = value + _UNITS[tokens[index]], index + 1
    elif index < len(tokens) and tokens[index] in _UNITS:
        if seen and tokens[index] == "zero":
            return None, index
        value, index, seen = value + _UNITS[tokens[index]], index + 1, True
    return (value if seen else None), index


def _currency_kind(word: str) -> str | None:
    """dollar, euro, pound, yuan, renminbi or yen for a currency word; None for others."""
    word = word.lower().split()[0].rstrip("s")
    return word if word in _PLAIN_CURRENCY else None


def _currency_of(kind: str, qualifier: str | None) -> str | None:
    """The ISO code of ``kind`` given the word before it; None when it is not ours to say
    (Singapore dollars, Australian dollars)."""
    if qualifier is None:
        return _PLAIN_CURRENCY[kind]
    return _KNOWN_QUALIFIERS.get(kind, {}).get(" ".join(qualifier.split()))


def _money(whole: int, cents: int, currency: str) -> Money | None:
    try:
        money = parse_money(f"{whole}.{cents:02d}" if cents else str(whole), currency)
    except InvalidInput:
        return None
    return money if money.minor > 0 else None


def _cents(text: str | None) -> int | None:
    if not text:
        return 0
    value = int(text) if text.isdigit() else english_number(text)
    return value if value is not None and value < 100 else None


def _whole_and_cents(words: re.Match[str], cents_text: str | None) -> tuple[int, int] | None:
    whole, cents = english_number(words.group("w")), _cents(cents_text)
    return None if whole is None or cents is None else (whole, cents)


def _suffixed(flow: str) -> list[WordSum]:
    """Number words closed by a currency word: fifty thousand dollars, ... Euros."""
    found: list[WordSum] = []
    for anchor in _CURRENCY_AFTER.finditer(flow):
        start = anchor.start()
        kind = _currency_kind(anchor.group())
        if kind is None or (start and flow[start - 1].isalpha()):
            continue
        window_start = max(0, start - _WINDOW)
        before = flow[window_start:start]
        qualifier = _QUALIFIER.search(before)
        name = None
        if qualifier and qualifier.group("q").lower() not in _ALL_WORDS:
            name, before = qualifier.group("q"), before[: qualifier.start()]
        currency = _currency_of(kind, name)
        words = _WORDS_TAIL.search(before) if currency else None
        if currency is None or words is None:
            continue
        after = _CENTS_AFTER.match(flow, anchor.end())
        cents_text = words.group("cents") or (after.group("cents") if after else None)
        end = after.end() if after and not words.group("cents") else anchor.end()
        parts = _whole_and_cents(words, cents_text)
        money = _money(*parts, currency) if parts else None
        if money is not None:
            found.append((window_start + words.start(), end, money))
    return found


def _prefixed(flow: str, taken: list[WordSum]) -> list[WordSum]:
    """Number words opened by a currency: US Dollars One Hundred Thousand Only."""
    found: list[WordSum] = []
    for anchor in _CURRENCY_BEFORE.finditer(flow):
        words = _WORDS_HEAD.match(flow, anchor.end())
        if words is None or not _ENDS_PREFIXED.match(flow, words.end()):
            continue
        if any(s <= anchor.start() < e for s, e, _ in taken):
            continue
        code = " ".join(anchor.group().split()).lower()
        currency = _CODES_BEFORE.get(code) or ("HKD" if code.startswith("hong") else "USD")
        parts = _whole_and_cents(words, words.group("cents"))
        money = _money(*parts, currency) if parts else None
        if money is not None:
            found.append((anchor.start(), words.end(), money))
    return found


def english_amounts(flow: str) -> list[WordSum]:
    """Every amount in English words that a currency word closes or opens, in order."""
    suffixed = _suffixed(flow)
    return sorted(suffixed + _prefixed(flow, suffixed))


def chinese_numerals(flow: str) -> list[tuple[int, int, str]]:
    """Every sum in lower-case Chinese numerals closed by 元 (十二万元, 一百二十万元整), as
    ``(start, end, the same sum in capitals)``.

    The caller reads the capitals with the strict reader, so only the one correct spelling
    of a number is taken; 第十二条 and 十二个月 have no 元 and are never looked at.
    """
    found: list[tuple[int, int, str]] = []
    for match in _CN_NUMERALS.finditer(flow):
        start = match.start()
        if start and flow[start - 1] in _CN_NOT_BEFORE:
            continue
        body = match.group().translate(_TO_CAPITALS)
        found.append((start, match.end(), "壹" + body if body.startswith("拾") else body))
    return found
