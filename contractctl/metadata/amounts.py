"""The contract amount: figures (¥1,200,000.00, USD 132,000, 120万元), capitals and words.

A contract names many sums - deposits, monthly rent, unit prices, penalties, liability
caps - and one total. Each sum is judged by the nearest keyword before it (总价款,
合同金额, "total Contract Price" against 定金, 月租金, "deposit", "per month"); the
total wins. Chinese contracts state it twice, in figures and in capitals
(人民币壹拾贰万元整), English ones often in words and figures ("One Hundred Twenty Thousand
US Dollars (USD 120,000.00)"), and some in lower-case numerals (十二万元; see
:mod:`contractctl.metadata.amount_words`): when both are read and agree the value is near
certain, when they disagree it is flagged ``amount_words_disagree`` with a low confidence
and the words' value (banks and most contracts let the words prevail). Values are exact
:class:`~contractctl.money.Money`, never floats.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from contractctl.errors import InvalidInput
from contractctl.metadata.amount_words import chinese_numerals, english_amounts
from contractctl.metadata.model import Extracted
from contractctl.metadata.text import Doc
from contractctl.money import Money, parse_chinese_upper, parse_money

_CURRENCY_CODES: Final = {
    "人民币": "CNY",
    "RMB": "CNY",
    "CNY": "CNY",
    "¥": "CNY",
    "元": "CNY",
    "圆": "CNY",
    "USD": "USD",
    "US$": "USD",
    "$": "USD",
    "美元": "USD",
    "EUR": "EUR",
    "€": "EUR",
    "欧元": "EUR",
    "GBP": "GBP",
    "£": "GBP",
    "英镑": "GBP",
    "HKD": "HKD",
    "HK$": "HKD",
    "港币": "HKD",
    "港元": "HKD",
    "JPY": "JPY",
    "日元": "JPY",
}
_PREFIX: Final = r"人民币|RMB|CNY|USD|US\$|HK\$|HKD|EUR|GBP|JPY|美元|¥|\$|€|£"
_SUFFIX: Final = r"美元|欧元|英镑|港币|港元|日元|元|圆"
# Anchored on their first character (a digit, a capital numeral), which Python's regex
# engine scans for quickly; the currency around a number is then read in place.
_NUMBER: Final = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?")
_BEFORE_NUMBER: Final = re.compile(
    rf"(?P<pre>{_PREFIX})\s*(?:\(\s*(?:小写|figures?)\s*\)\s*:?\s*)?$"
)
_AFTER_NUMBER: Final = re.compile(
    rf"\s*(?:(?P<mult>万|亿)|(?P<scale>(?i:million|billion|thousand|mn|bn))(?![A-Za-z]))?"
    rf"\s*(?P<suf>{_SUFFIX}|(?i:yuan|dollars?|US\s+dollars))?"
)
_SPACE_GROUPED: Final = re.compile(r" \d{3}(?!\d)")
_SCALES: Final = {"thousand": 3, "million": 6, "mn": 6, "billion": 9, "bn": 9}
# USD 1.5m, 1.5 MM, 500k: a scale we do not read is a reason to read nothing, since the
# figure alone (USD 1.50) would be confidently wrong.
_UNREAD_SCALE: Final = re.compile(r" ?(?i:mm|m|k)(?![A-Za-z])")
_SCALE_LETTERS: Final = frozenset("mMkK")
_BARE_AFTER: Final = re.compile(r"(?:为|:|是|of|is|are)\s*$")
_CAPITAL_CHARS: Final = "零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分整正〇两"
_CAPITALS: Final = re.compile(rf"[壹贰叁肆伍陆柒捌玖][{_CAPITAL_CHARS} ]{{2,40}}")
_CAPITALS_NAME: Final = re.compile(r"(?P<cur>人民币|美元|港币|港元|欧元|英镑|日元)[^\n\d]{0,6}$")
_KEYWORDS: Final = re.compile(
    r"(?P<pos>总价款|合同总价|合同总金额|合同金额|合同总额|合同价款|价款总额|总金额|总价|总额|"
    r"费用总额|服务费总额|租金总额|合同价格|含税总价|合同总价款|总计|合计|共计|签约合同价|"
    r"(?i:total\s+contract\s+price|contract\s+price|total\s+price|total\s+amount|total\s+fees?"
    r"|total\s+consideration|aggregate\s+(?:fees?|price|amount)|contract\s+(?:sum|value|amount)"
    r"|purchase\s+price|licen[cs]e\s+fees?|fees\s+for\s+the\s+term|fixed\s+fees?|lump\s+sum"
    r"|\btotal\b))"
    r"|(?P<neg>(?:违约金|赔偿|罚款|保证金|定金|押金)的?(?:总额|总计|合计|累计)|定金|保证金|押金|"
    r"违约金|赔偿|月租金|年租金|日租金|单价|每月|每年|每日|每季度|每次|"
    r"罚款|上限|不超过|预付款|首付|首期|余款|利息|滞纳金|质保金|"
    r"(?i:deposit|per\s+month|monthly|per\s+annum|annual|unit\s+price|penalt|liquidated"
    r"|\bcap\b|not\s+exceed|advance\s+payment|service\s+credit|interest|insurance|per\s+day"
    r"|\bper\b|up\s+to(?:\s+a\s+total(?:\s+of)?)?|limit|of\s+which|thereof|escrow|instal+ments?)"
    r"|其中)"
)
# A sum the text then names the price: "$430,000.00 (the "Purchase Price")".
_DEFINED_TOTAL: Final = re.compile(
    r"\s*\)?\s*\(\s*(?:the\s+)?[\"“](?i:(?:total\s+|aggregate\s+)?(?:purchase\s+price|contract\s+"
    r"(?:price|sum|value|amount)|price|consideration|total\s+fees?|fees?))[\"”]\s*\)"
    r"|\s*[（(]以下(?:简)?称[\"“](?:合同价款|合同总价|总价款|合同金额|价款)[\"”][)）]"
)
_WORDS_NEAR: Final = 24
# A sum paid by the period or the piece is a rate, never the contract's value: "$4,200.00
# per month", "$225.00 per hour", "GBP 4,750 per quarter", 每月5000元 - also when the
# period follows the bracket that closes the figures: 人民币叁万伍仟元整（¥35,000.00）每月.
_PERIODIC_AFTER: Final = re.compile(
    r"\s*\)?\s*(?:\([^)]{0,60}\)\s*)?,?\s*(?:(?i:per\s+(?:calendar\s+)?(?:month|hour|annum|year|quarter|week"
    r"|day|unit|shipment|item|person|page|seat|user|order|delivery)|a\s+(?:month|year|week|day)"
    r"|each\s+(?:month|year|quarter)|monthly|annually|quarterly|weekly|hourly"
    r"|/\s*(?:month|mo|hr|hour|year|yr|unit|quarter|week|day|sq|m2|kg|ton|piece|person|seat|user)"
    r"|(?:applies\s+to|is\s+due\s+for|for)\s+(?:each|every))"
    # a sum over a unit is a rate or a unit price: 元/月, 元/季度, 元/平方米/月, 元/吨, 元/㎡
    r"|每月|每年|每季度?|每小时|每日|每天|/\s*(?![零壹贰叁肆伍陆柒捌玖拾佰仟一二三四五六七八九十百千])[\u4e00-\u9fff㎡])"
)
_CHOICE: Final = re.compile(r"形式|方式|类型|种类|第|条|款|项|选择|(?i:option|section|clause)")
# A fee named by its period before the sum: "monthly subscription fee of", "annual fee of".
_PERIODIC_BEFORE: Final = re.compile(
    r"(?i:monthly|annual|yearly|quarterly|weekly|hourly|retainer|per\s+month|salary|rent"
    r"|subscription)|月|年租|月租"
)


@dataclass(frozen=True)
class _Sum:
    start: int
    end: int
    money: Money
    explicit_currency: bool


def _figures(flow: str, default_currency: str | None) -> list[_Sum]:
    sums: list[_Sum] = []
    for match in _NUMBER.finditer(flow):
        start, end = match.span()
        if (start and flow[start - 1] in "0123456789.,") or (
            end < len(flow) and flow[end] in "0123456789%"
        ):
            continue
        if (start > 1 and flow[start - 1] == " " and flow[start - 2].isdigit()) or (
            flow.startswith(" ", end) and _SPACE_GROUPED.match(flow, end)
        ):
            continue  # "3 7 2万元" letter-spaced, "1 200 000" grouped: its parts are not sums
        after = _AFTER_NUMBER.match(flow, end)
        assert after is not None  # every group is optional
        before = _BEFORE_NUMBER.search(flow, max(0, start - 16), start)
        pre = before.group("pre") if before else None
        suf = after.group("suf")
        if not pre and not suf:
            # A bare number is an amount only straight after an amount keyword.
            if default_currency is None or not _BARE_AFTER.search(flow, max(0, start - 4), start):
                continue
            if not _KEYWORDS.search(flow, max(0, start - 12), start):
                continue
            if int(match.group().split(".")[0].replace(",", "")) < 100 or _CHOICE.search(
                flow, max(0, start - 12), start
            ):
                continue  # 合同价格形式： 1 - a choice or a clause number, not money
        currency = _CURRENCY_CODES.get(pre or "") or _currency_word(suf) or default_currency
        if currency is None:
            continue
        scale = after.group("scale")
        if (
            scale is None
            and flow[end : end + 2].lstrip()[:1] in _SCALE_LETTERS
            and _UNREAD_SCALE.match(flow, end)
        ):
            continue
        figure = match.group()
        if scale:  # USD 1.5 million: exact, through Decimal
            number = Decimal(figure.replace(",", "")).scaleb(_SCALES[scale.lower()])
            figure = format(number, "f")
        try:
            money = parse_money(figure + (after.group("mult") or ""), currency)
        except InvalidInput:
            continue
        if money.minor == 0:
            continue
        first = before.start() if before else start
        last = after.end() if suf or after.group("mult") or scale else end
        sums.append(_Sum(first, last, money, bool(pre or suf)))
    return sums


def _currency_word(word: str | None) -> str | None:
    if not word:
        return None
    lowered = word.lower()
    if lowered == "yuan":
        return "CNY"
    if "dollar" in lowered:
        return "USD"
    return _CURRENCY_CODES.get(word)


def _words(flow: str, language: str) -> list[_Sum]:
    """Sums in capitals (人民币壹拾贰万元整), lower-case numerals (十二万元) or, in an English
    contract, English words (a Chinese one states its total in figures and capitals)."""
    spans = [(m.start(), m.start() + len(m.group().rstrip())) for m in _CAPITALS.finditer(flow)]
    bodies = [flow[start:end] for start, end in spans]
    for start, end, body in chinese_numerals(flow):
        if not any(s < end and start < e for s, e in spans):
            spans.append((start, end))
            bodies.append(body)
    sums: list[_Sum] = []
    for (start, end), body in zip(spans, bodies, strict=True):
        if not any(c in body for c in "元圆角分"):
            continue
        named = _CAPITALS_NAME.search(flow, max(0, start - 12), start)
        money = _read_capitals(named.group("cur") if named else "", body)
        if money is not None and money.minor != 0:
            sums.append(_Sum(named.start() if named else start, end, money, True))
    if language == "en":
        sums += [_Sum(start, end, money, True) for start, end, money in english_amounts(flow)]
    return sorted(sums, key=lambda s: s.start)


def _read_capitals(name: str, body: str) -> Money | None:
    """The capitals read strictly; else up to the first place an amount can end (整, 分)."""
    try:
        return parse_chinese_upper(name + body)
    except InvalidInput:
        trimmed = re.match(rf"[{_CAPITAL_CHARS}]+?(?:整|正|分|$)", body.replace(" ", ""))
        if not trimmed:
            return None
        try:
            return parse_chinese_upper(name + trimmed.group())
        except InvalidInput:
            return None


def _keyword_score(doc: Doc, start: int) -> tuple[float, int]:
    """How much the words before ``start`` say this is the contract total.

    The nearest keyword within 60 characters of the same sentence decides: a total
    keyword scores 1, a deposit/rent/penalty keyword -1, none 0. Returns (score, keyword
    start).
    """
    window_start = max(0, start - 60)
    before = doc.flow[window_start:start]
    cut = max(before.rfind("。"), before.rfind(";"), before.rfind(". "), before.rfind("\n"))
    window_start += cut + 1
    keywords = list(_KEYWORDS.finditer(doc.flow, window_start, start))
    if not keywords:
        return 0.0, start
    last = keywords[-1]  # the nearest
    return (1.0 if last.group("pos") else -1.0), last.start()


@dataclass(frozen=True)
class _Candidate:
    score: float  # 1 total keyword, 0 none, -1 deposit/rent/penalty keyword
    start: int  # where its source starts (the keyword, when there is one)
    end: int
    value: Money
    confidence: float
    flags: tuple[str, ...] = ()
    figures: Money | None = None  # the figures' reading when they disagree with the capitals


def _candidates(doc: Doc, language: str) -> list[_Candidate]:
    """Every sum in the text, figures paired with the capitals written beside them."""
    flow = doc.flow
    figures = _figures(flow, "CNY" if language == "zh" else None)
    words = _words(flow, language)
    candidates: list[_Candidate] = []
    paired: set[int] = set()
    for figure in figures:
        partner = next((w for w in words if _beside(flow, figure, w)), None)
        first = min(figure.start, partner.start) if partner else figure.start
        score, key_start = _keyword_score(doc, first)
        end_at = max(figure.end, partner.end) if partner else figure.end
        if _DEFINED_TOTAL.match(doc.flow, end_at):
            score, key_start = 1.0, first
        if _periodic(
            doc, first, max(figure.end, partner.end) if partner else figure.end, key_start
        ):
            score = -1.0
        end = max(figure.end, partner.end) if partner else figure.end
        if partner is None:
            confidence = 0.9 if score > 0 else 0.55
            flags: tuple[str, ...] = ()
            if not figure.explicit_currency:
                confidence, flags = confidence - 0.15, ("currency_assumed",)
            candidates.append(_Candidate(score, key_start, end, figure.money, confidence, flags))
            continue
        paired.add(partner.start)
        if partner.money == figure.money:
            confidence = 0.98 if score > 0 else 0.7
            candidates.append(_Candidate(score, key_start, end, figure.money, confidence))
        else:
            candidates.append(
                _Candidate(
                    score,
                    key_start,
                    end,
                    partner.money,
                    0.4,
                    ("amount_words_disagree",),
                    figures=figure.money,
                )
            )
    for word in words:
        if word.start not in paired:
            score, key_start = _keyword_score(doc, word.start)
            if _periodic(doc, word.start, word.end, key_start):
                score = -1.0
            confidence = 0.9 if score > 0 else 0.55
            candidates.append(_Candidate(score, key_start, word.end, word.money, confidence))
    return candidates


def _periodic(doc: Doc, start: int, end: int, key_start: int) -> bool:
    """Whether a sum is a rate: "per month" after it, or a periodic fee named before it
    (the words between its keyword, or 30 characters, and the sum)."""
    if _PERIODIC_AFTER.match(doc.flow, end):
        return True
    para_start, _ = doc.paragraph(start)
    before = doc.flow[max(para_start, min(key_start, start) - 30, start - 50) : start]
    return _PERIODIC_BEFORE.search(before) is not None and not _TOTAL_NEAR.search(before)


_TOTAL_NEAR: Final = re.compile(
    r"总价|总额|总金额|合计|总计|共计|(?i:total|aggregate|contract\s+(?:sum|price))"
)


def _beside(flow: str, figure: _Sum, words: _Sum) -> bool:
    """Capitals right after the figure (in brackets) or right before it, same paragraph."""
    if 0 <= words.start - figure.end <= _WORDS_NEAR:
        return "\n" not in flow[figure.end : words.start]
    if 0 <= figure.start - words.end <= 8:
        return "\n" not in flow[words.end : figure.start]
    return False


def extract_amount(doc: Doc, language: str) -> Extracted[Money] | None:
    """The contract total, with the capitals as a cross-check when they are written."""
    candidates = _candidates(doc, language)
    positive = [c for c in candidates if c.score > 0]
    if positive:
        best = max(positive, key=lambda c: (c.confidence, -c.start))
    else:
        neutral = [c for c in candidates if c.score == 0]
        if not neutral or len({c.value for c in neutral}) > 1:
            return None  # several sums and none named the total: no guess
        # No keyword anywhere: the largest sum is the likeliest total, but only a hint.
        best = max(neutral, key=lambda c: (c.value.minor, -c.start))
        best = _Candidate(
            0, best.start, best.end, best.value, min(best.confidence, 0.5), best.flags
        )
    firm = {c.value for c in positive if c.confidence >= 0.85 and not c.flags}
    disagreeing = [c for c in positive if "amount_words_disagree" in c.flags]
    if disagreeing:
        # Figures and capitals of the total differ: flag it whatever else agrees. The
        # capitals prevail unless another statement of the total backs the figures.
        pair = disagreeing[0]
        value = pair.figures if pair.figures in firm and pair.value not in firm else pair.value
        assert value is not None
        return Extracted(value, 0.4, doc.source(pair.start, pair.end), pair.flags)
    source = doc.source(best.start, best.end)
    if len(firm - {best.value}) > 0:
        flags = (*best.flags, "amount_conflict")
        return Extracted(best.value, min(best.confidence, 0.55), source, flags)
    confidence = best.confidence
    if sum(1 for c in positive if c.value == best.value) > 1:
        confidence = min(0.99, confidence + 0.02)
    return Extracted(best.value, confidence, source, best.flags)
