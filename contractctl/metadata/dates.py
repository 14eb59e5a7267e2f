"""Which dates in a contract are the signing, effective and expiry dates.

The dates themselves are found by :mod:`contractctl.metadata.date_forms`, exactly or
with the readings they allow. The role of a date comes from the words around it
(签订日期, 自…起至…止, "effective as of", "until"); a date with no role is not reported.
A date that could be two days (03/05/2026) is returned with no value and the
``ambiguous_date`` flag, never guessed; one whose century was inferred (24年3月1日,
1 Mar 24) with its value, the ``two_digit_year`` flag and a confidence under the review
threshold.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from contractctl.metadata.date_forms import DateHit, find_dates
from contractctl.metadata.model import Extracted
from contractctl.metadata.text import Doc

# --- roles ------------------------------------------------------------------------------

_NEGATIVE: Final = re.compile(
    r"交货|交付|付款|支付|发货|验收|免租|质保|保修|开票|发票|到货|报价|投标|"
    r"(?i:deliver|payment|invoice|warranty|shipment|rent-free|quotation|dispatch)"
)
_SIGN_LABEL: Final = re.compile(
    r"(?:签订|签署|签约|订立|签字|签章)(?:日期|时间|日)\s*:?\s*$|签订于\s*$"
    r"|(?i:date\s+of\s+(?:signing|signature|execution|this\s+agreement)|signing\s+date"
    r"|execution\s+date|agreement\s+date|contract\s+date|signed\s+on|dated)\s*:?\s*"
    r"(?:as\s+of\s+|this\s+)?(?:the\s+)?$"
)
_SIGN_SENTENCE: Final = re.compile(
    r"(?i:(?:entered\s+into|made|executed|signed|concluded)"
    r"(?:\s+and\s+entered\s+into)?(?:\s+this\s+agreement)?\s+(?:on|as\s+of|this)(?:\s+the)?)\s*$"
)
# "... dated March 1, 2012" after another agreement's name: that agreement's date.
_OTHER_AGREEMENT: Final = re.compile(
    r"(?i:\b(?:a|an|the|said|that|certain|existing|original)\s+(?:[A-Z][\w-]*\s+){0,4}"
    r"(?:agreement|contract|lease|license|licence)\s*(?:\([^)]*\)\s*)?dated(?:\s+as\s+of)?(?:\s+the)?)\s*$"
)
# March 3, 2021 (the "Effective Date"): whatever else the sentence makes it, it is the
# effective date.
_DEFINED_EFFECTIVE: Final = re.compile(
    r"\s*\(\s*(?:the\s+|this\s+)?[\"“”']?(?i:effective\s+date|commencement\s+date)[\"“”']?\s*\)"
)
_GENERIC_DATE_LABEL: Final = re.compile(r"(?:^|[^\u4e00-\u9fff])日期\s*:?\s*$|(?:^|\n)Date\s*:\s*$")
_SIGN_AFTER: Final = re.compile(
    r"\s*(?:在[^,。;\n]{1,20}?)?(?:由|经)?(?:双方)?(?:共同)?(?:签订|签署|订立|签字|签约)"
)
_AT_ON: Final = re.compile(r"[于在]\s*$")
_EFFECTIVE_LABEL: Final = re.compile(
    r"(?:生效日期|生效日|生效时间|起始日期|开始日期|起租日|起始日)\s*:?\s*$"
    r"|(?i:(?:effective|commencement|start)\s+date)(?:\s*\([^)]*\))?\s*:?\s*$"
)
_EFFECTIVE_SENTENCE: Final = re.compile(
    r"(?i:(?:effective|effect|force)\s+(?:as\s+of|on|from)"
    r"|(?:commenc(?:e|es|ing)|start(?:s|ing)?|begin(?:s|ning)?)\s+(?:on|from))(?:\s+the)?\s*$"
)
_ZH_FROM: Final = re.compile(r"自\s*$")
_ZH_FROM_CONTEXT: Final = re.compile(r"期限|有效期|本合同|本协议|合同|协议|租期|服务期|履行期")
_ZH_START_AFTER: Final = re.compile(r"\s*(?:起|开始)")
_TAKES_EFFECT_AFTER: Final = re.compile(r"\s*(?:起)?(?:正式)?生效")
_EN_FROM: Final = re.compile(r"(?i:\bfrom(?:\s+the)?)\s*$")
_EN_RANGE_AFTER: Final = re.compile(r"(?i)\s*(?:\([^)]{0,40}\)\s*)?(?:until|to|through|till)\b")
_EN_TERM_CONTEXT: Final = re.compile(
    r"(?i)\bterm\b|agreement|services|period|lease|provided|valid|force|effect"
)
_EXPIRY_LABEL: Final = re.compile(
    r"(?:到期日期|到期日|终止日期|届满日|截止日期|结束日期|终止日)\s*:?\s*$|有效期至\s*$"
    r"|(?i:(?:expiry|expiration|end|termination)\s+date)(?:\s*\([^)]*\))?\s*:?\s*$"
)
_ZH_UNTIL: Final = re.compile(r"至\s*$")
_ZH_UNTIL_AFTER: Final = re.compile(r"\s*(?:止|为止|到期|届满|终止|结束)")
_ENDS_AFTER: Final = re.compile(r"\s*(?:(?:期满|届满|到期|终止|结束)(?!后)|止)")
_EN_ENDS: Final = re.compile(
    r"(?i:agreement\s+(?:shall|will)?\s*(?:terminate|expire|end)s?\s+(?:automatically\s+)?on"
    r"(?:\s+the)?)\s*$"
)
_EN_UNTIL: Final = re.compile(
    r"(?i:\b(?:until|till|through|to|ending\s+on|expir(?:e|es|ing)\s+on|ends?\s+on)"
    r"(?:\s+and\s+including)?(?:\s+the)?)\s*$"
)

_RANGE_LINK: Final = re.compile(
    r"\s*(?:起)?\s*(?:至|到|~|～|-|—|–|(?i:until|to|through|till|and\s+end(?:s|ing)?\s+on"
    r"|and\s+expir(?:e|es|ing)\s+on))\s*(?i:the\s+)?"
)
_RANGE_CONTEXT: Final = re.compile(
    r"期限|有效期|租期|服务期|合同|协议|生效|(?i:term|agreement|period|lease|services?|valid|effect"
    r"|from|commenc)"
)
_TERM_FROM: Final = re.compile(
    r"(?i:(?:years?|months?|days?)\s+(?:\(\d+\)\s+)?(?:commencing\s+)?(?:from|as\s+of))\s*$"
)
_TRAILING_THE: Final = re.compile(r"(?i)\bthe\s*$")

SIGNED, EFFECTIVE, EXPIRY = "signed_date", "effective_date", "expiry_date"
#: A date whose century was inferred is a suggestion for review, however clear its role.
TWO_DIGIT_YEAR_CONFIDENCE: Final = 0.75


@dataclass(frozen=True)
class RoleHit:
    """A date with a role, how sure that role is, and where its context starts."""

    role: str
    hit: DateHit
    confidence: float
    context_start: int


def _clause_before(flow: str, para_start: int, position: int, width: int = 40) -> str:
    """Up to ``width`` characters before ``position``, within its clause (after 。 or ;)."""
    text = flow[max(para_start, position - width) : position]
    return text[max(text.rfind("。"), text.rfind(";")) + 1 :]


def _ranges(doc: Doc, hits: list[DateHit]) -> list[RoleHit]:
    """Start and end of a term written as a range: 自X起至Y止, X至Y, from X until Y."""
    flow = doc.flow
    found: list[RoleHit] = []
    for first, second in itertools.pairwise(hits):
        if second.start - first.end > 40 or not _RANGE_LINK.fullmatch(
            flow, first.end, second.start
        ):
            continue
        para_start, _ = doc.paragraph(first.start)
        before = _clause_before(flow, para_start, first.start)
        if not _RANGE_CONTEXT.search(before) or _NEGATIVE.search(before):
            continue
        found.append(RoleHit(EFFECTIVE, first, 0.9, max(para_start, first.start - len(before))))
        found.append(RoleHit(EXPIRY, second, 0.9, first.end))
    return found


@dataclass(frozen=True)
class _Context:
    """The words around one date, within its paragraph."""

    before: str  # up to 40 characters before it ("Date: the" has lost its "the")
    after: str  # up to 24 characters after it
    wide: str  # up to 80 characters before it
    next_to_date: bool  # another date ends less than 30 characters before it


_Role = tuple[str, float, "re.Match[str] | None"]


def _role_of(c: _Context) -> _Role | None:
    """The role the words around a date give it, how sure, and the words that said so."""
    before, after = c.before, c.after
    if _OTHER_AGREEMENT.search(before):
        return None
    for pattern, role, confidence in (
        (_SIGN_LABEL, SIGNED, 0.95),
        (_EFFECTIVE_LABEL, EFFECTIVE, 0.95),
        (_EXPIRY_LABEL, EXPIRY, 0.95),
    ):
        if m := pattern.search(before):
            return role, confidence, m
    if (m := _ZH_FROM.search(before)) and (
        _TAKES_EFFECT_AFTER.match(after)
        or (_ZH_START_AFTER.match(after) and _ZH_FROM_CONTEXT.search(before))
    ):
        return EFFECTIVE, 0.92, m  # 自2026年1月1日起生效
    if (m := _ZH_UNTIL.search(before)) and (_ZH_UNTIL_AFTER.match(after) or "起至" in before[-4:]):
        return EXPIRY, 0.92, m  # 至2026年12月31日止
    if m := _SIGN_SENTENCE.search(before):
        return SIGNED, 0.92, m  # entered into on ...
    if (m := _AT_ON.search(before)) and _SIGN_AFTER.match(after):
        return SIGNED, 0.92, m  # 本合同于2026年3月5日在上海签订
    if (m := _AT_ON.search(before)) and _ENDS_AFTER.match(after):
        return EXPIRY, 0.88, m  # 本合同于2026年12月31日到期
    if m := _EN_ENDS.search(before):
        return EXPIRY, 0.88, m  # this Agreement shall terminate on ...
    if _TAKES_EFFECT_AFTER.match(after):
        return EFFECTIVE, 0.85, None  # 2026年1月1日起生效
    if m := _EFFECTIVE_SENTENCE.search(before) or _TERM_FROM.search(before):
        return EFFECTIVE, 0.88, m  # effective as of ...; for two years from ...
    if (
        (m := _EN_FROM.search(before))
        and _EN_RANGE_AFTER.match(after)
        and _EN_TERM_CONTEXT.search(c.wide)
    ):
        return EFFECTIVE, 0.9, m  # the Services are provided from ... until
    if (m := _EN_UNTIL.search(before)) and (c.next_to_date or _EN_TERM_CONTEXT.search(c.wide)):
        return EXPIRY, 0.88, m  # remains in force until ...
    if m := _GENERIC_DATE_LABEL.search(before):
        return SIGNED, 0.82, m  # 日期：… / Date: … (a header or a signature block)
    return None


def _roles(doc: Doc, hits: list[DateHit]) -> list[RoleHit]:
    """The role each date plays, judged from its words before and after."""
    flow = doc.flow
    found = _ranges(doc, hits)
    in_range = {id(r.hit) for r in found}
    previous_end: dict[int, int] = {}  # paragraph start -> end of the last date in it
    for hit in hits:
        para_start, para_end = doc.paragraph(hit.start)
        last_end = previous_end.get(para_start)
        previous_end[para_start] = hit.end
        if id(hit) in in_range or _NEGATIVE.search(_clause_before(flow, para_start, hit.start)):
            continue
        window = max(para_start, hit.start - 40)
        context = _Context(
            before=_TRAILING_THE.sub("", flow[window : hit.start]),
            after=flow[hit.end : min(para_end, hit.end + 24)],
            wide=flow[max(para_start, hit.start - 80) : hit.start],
            next_to_date=last_end is not None and hit.start - last_end < 30,
        )
        role = _role_of(context)
        if role is not None:
            name, confidence, match = role
            start = window + match.start() if match else hit.start
            found.append(RoleHit(name, hit, confidence, start))
        if _DEFINED_EFFECTIVE.match(flow, hit.end) and (role is None or role[0] != EFFECTIVE):
            found.append(RoleHit(EFFECTIVE, hit, 0.95, hit.start))
    return found


def _fallback_signed(doc: Doc, hits: list[DateHit]) -> RoleHit | None:
    """A date alone on a line near the top is usually the signing date, weakly."""
    limit = max(400, len(doc.flow) // 10)
    for hit in hits:
        if hit.start > limit:
            break
        para_start, para_end = doc.paragraph(hit.start)
        if para_end - para_start <= (hit.end - hit.start) + 12:
            return RoleHit(SIGNED, hit, 0.55, para_start)
    return None


def extract_dates(doc: Doc) -> dict[str, Extracted[date]]:
    """The signing, effective and expiry dates the text states, by role."""
    hits = find_dates(doc.flow)
    roles = _roles(doc, hits)
    if not any(r.role == SIGNED for r in roles):
        fallback = _fallback_signed(doc, hits)
        if fallback is not None and not any(r.hit is fallback.hit for r in roles):
            roles.append(fallback)
    result: dict[str, Extracted[date]] = {}
    for role in (SIGNED, EFFECTIVE, EXPIRY):
        candidates = [r for r in roles if r.role == role]
        if candidates:
            result[role] = _choose(doc, candidates)
    return result


def _choose(doc: Doc, candidates: list[RoleHit]) -> Extracted[date]:
    """The best-supported date for one role; conflicts and ambiguity become flags."""
    best = max(candidates, key=lambda r: (r.confidence, -r.hit.start))
    source = doc.source(best.context_start, best.hit.end)
    if best.hit.ambiguous:
        readings = set(best.hit.readings)
        resolved = [
            r
            for r in candidates
            if r.hit.value is not None and r.hit.value in readings and r.confidence >= 0.8
        ]
        if resolved:
            best = max(resolved, key=lambda r: (r.confidence, -r.hit.start))
            source = doc.source(best.context_start, best.hit.end)
        else:
            return Extracted(None, best.confidence, source, ("ambiguous_date",))
    value = best.hit.value
    assert value is not None
    confidence = best.confidence * (0.95 if best.hit.inferred_order else 1.0)
    flags: tuple[str, ...] = ()
    if best.hit.two_digit_year:
        confidence, flags = min(confidence, TWO_DIGIT_YEAR_CONFIDENCE), ("two_digit_year",)
    rivals = {
        r.hit.value
        for r in candidates
        if r.hit.value is not None and r.confidence >= best.confidence - 0.05
    }
    if len(rivals - {value}) > 0:
        return Extracted(value, min(confidence, 0.6), source, (*flags, "date_conflict"))
    return Extracted(value, confidence, source, flags)
