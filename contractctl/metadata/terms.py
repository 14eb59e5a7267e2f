"""Term, auto-renewal, renewal notice period and governing law.

A contract states its own duration (期限为一年, 有效期为3年, "for a term of two (2)
years"), but it also states many durations that are not its term - warranty periods,
confidentiality that survives, payment and cure periods, the length of a renewal - so
each phrase is read only after the words that introduce a contract term and never after
those that introduce the others. Renewal is read sentence by sentence: a negation
(不自动续期, "shall not renew automatically", 期满即行终止) decides before a bare
自动续期 can. The notice period is the one tied to renewal or expiry
(期满前三十日书面通知, "60 days' written notice of non-renewal"), not a termination
notice.
"""

from __future__ import annotations

import re
from typing import Final

from contractctl.documents.clauses import chinese_number
from contractctl.metadata.model import Extracted, Term
from contractctl.metadata.text import Doc

_ZH_NUM: Final = r"[\d一二两三四五六七八九十百〇零]+"
_EN_WORDS: Final = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "eighteen": 18,
    "twenty": 20,
    "twenty-four": 24,
    "thirty": 30,
    "thirty-six": 36,
    "forty-five": 45,
    "sixty": 60,
    "ninety": 90,
    "one hundred twenty": 120,
    "one hundred and twenty": 120,
    "one hundred eighty": 180,
    "one hundred and eighty": 180,
}
_EN_NUM: Final = r"(?:\d+|(?:one\s+hundred\s+(?:and\s+)?)?[a-z]+(?:-[a-z]+)?(?:\s*\(\s*\d+\s*\))?)"


def zh_number(text: str) -> int | None:
    """二 → 2, 十二 → 12, 30 → 30; None for anything else."""
    try:
        return chinese_number(text.replace("〇", "零"))
    except ValueError:
        return None


def en_number(text: str) -> int | None:
    """ "two (2)" → 2 (the digits win), "sixty" → 60, "24" → 24; None otherwise."""
    digits = re.search(r"\d+", text)
    if digits:
        return int(digits.group())
    return _EN_WORDS.get(" ".join(text.lower().split()))


# --- term -------------------------------------------------------------------------------

_ZH_TERM: Final = re.compile(
    r"(?P<ctx>合同期限|合同有效期|协议有效期|有效期限|有效期|租赁期限|租赁期|租期|服务期限|服务期|"
    r"协议期限|合同期|期限|为期)\s*(?:为|是|:|共|计|均为)?\s*(?:自[^。;\n]{0,40}?起)?\s*(?:为期)?\s*"
    r"(?P<num>\d{1,3}|[一二两三四五六七八九十]{1,3})\s*(?P<unit>个自然月|个月|年|月|日|天|周|个工作日|工作日)"
    r"(?!\s*[\d一二三四五六七八九十]{1,2}\s*[月日])"
)
_ZH_TERM_NEGATIVE: Final = re.compile(
    r"质量保证|质保|保修|保质|保密|免租|付款|支付|交货|交付|验收|异议|试用|宽限|通知|整改|维修|"
    r"续期|续约|续签|延长|顺延|履约|投标|报价|退还|送达"
)
_EN_TERM: Final = re.compile(
    r"(?i)\b(?:for\s+(?:a|an)\s+(?:initial\s+)?(?:term|period)\s+of"
    r"|(?:initial\s+)?term\s+of\s+(?:this\s+agreement\s+)?(?:shall\s+be|is|will\s+be)"
    r"|remains?\s+in\s+(?:full\s+)?(?:force|effect)(?:\s+and\s+effect)?\s+for"
    r"(?:\s+(?:a|an)\s+(?:initial\s+)?period\s+of)?"
    r"|(?:have|has)\s+(?:a|an)\s+(?:initial\s+)?term\s+of"
    r"|continue\s+for\s+(?:the|an?)\s+(?:[A-Z]\w+\s+){0,3}(?:[Tt]erm|[Pp]eriod)\s+of"
    r"|(?:shall\s+)?(?:be\s+|is\s+|remain\s+)?valid\s+for(?:\s+a\s+period\s+of)?"
    r"|continues?\s+(?:in\s+force\s+)?for(?:\s+a\s+period\s+of)?|term\s*:"
    # the Common Paper NDA's cover page: "☒ Expires 2 years from Effective Date."
    rf"|expires(?=\s+{_EN_NUM}\s*(?:years?|months?)\s+(?:from|after)\s+(?:the\s+)?Effective\s+Date))"
    rf"\s+(?P<num>{_EN_NUM})\s*(?P<unit>years?|months?|calendar\s+days|days?|weeks?)\b"
)
_EN_TERM_ANCHOR: Final = re.compile(
    r"[TtPpFfEeVvCc](?:erm|eriod|orce|ffect|alid|ontinue|xpires)|TERM|PERIOD"
)
_EN_TERM_NEGATIVE: Final = re.compile(
    r"(?i)warrant|confidential|surviv|solicit|guarantee|retention|retain|cure|respon|renew|"
    r"extend|extension|successive|further|payment|invoice|notice|licen[cs]e\s+key"
)


def _term_value(number: int, unit: str) -> Term:
    unit = unit.lower()
    if unit in ("年",) or unit.startswith("year"):
        return Term(number * 12, "months")
    if unit in ("个月", "个自然月", "月") or unit.startswith("month"):
        return Term(number, "months")
    if unit in ("周",) or unit.startswith("week"):
        return Term(number * 7, "days")
    return Term(number, "days")


def extract_term(doc: Doc) -> Extracted[Term] | None:
    """The contract's duration as written, in months (years × 12) or days (weeks × 7)."""
    flow = doc.flow
    for match in _ZH_TERM.finditer(flow):
        if "工作日" in match.group("unit"):
            continue
        para_start, _ = doc.paragraph(match.start())
        before = flow[max(para_start, match.start() - 8) : match.start() + len(match.group("ctx"))]
        if _ZH_TERM_NEGATIVE.search(before):
            continue
        number = zh_number(match.group("num"))
        if not number:
            continue
        generic = match.group("ctx") in ("期限", "为期")
        confidence = 0.8 if generic else 0.9
        value = _term_value(number, match.group("unit"))
        return Extracted(value, confidence, doc.source(match.start(), match.end()))
    for anchor in _EN_TERM_ANCHOR.finditer(flow):
        phrase = _EN_TERM.search(flow, max(0, anchor.start() - 24), anchor.end() + 60)
        if phrase is None or phrase.end() <= anchor.start():
            continue
        para_start, _ = doc.paragraph(phrase.start())
        if _EN_TERM_NEGATIVE.search(flow[max(para_start, phrase.start() - 60) : phrase.start()]):
            continue  # the warranty period is ..., confidentiality survives for ...
        number = en_number(phrase.group("num"))
        if not number:
            continue
        value = _term_value(number, phrase.group("unit"))
        return Extracted(value, 0.9, doc.source(phrase.start(), phrase.end()))
    return None


# --- renewal and notice -------------------------------------------------------------------

_TRIGGER: Final = re.compile(r"续|期满|届满|到期")
# One leading character class, which Python's regex engine scans for quickly.
_TRIGGER_EN: Final = re.compile(
    r"[RrEeMmIiUuSs](?:enew|xten|xpir|nd\s+of\s+the|onth-to-month|ndefinitely|ntil\s+terminated"
    r"|uccessive)|RENEW|EXPIR|EXTEN"
)
_SENTENCE_END: Final = re.compile(r"[。;\n]|\.(?=\s+[A-Z(“\"])")
_RENEWAL_WORDS: Final = re.compile(
    r"续期|续约|续展|续签|续订|续租|延续|顺延|继续承租|继续租赁|继续租用"
    r"|(?i:renew|extension|extended|non-renewal|month-to-month|month\s+to\s+month|indefinitely"
    r"|until\s+terminated|successive)"
)
# A negation of automatic renewal decides; a bare 不续约 is often only the condition of
# one ("未书面通知对方不再续约的，本合同自动续期"), so it decides only when nothing says yes.
_RENEWAL_NO: Final = re.compile(
    r"不(?:再|得|会|予)?自动(?:续期|续约|续展|续签|续订|延续|延长|顺延)|期满(?:后)?(?:即行|即|自动)?终止"
    # a form's yes/no answered no (自动续期：□是 ☑否 reads 自动续期: 否)
    r"|自动(?:续期|续约|续展|续签|续订|延续|延长|顺延)\s*:\s*(?:否|无)"
    r"|(?i:auto(?:matic)?[- ]?renew(?:al|s)?\s*:\s*no\b)"
    r"|(?i:(?:shall|will|does|do)\s+not\s+(?:be\s+)?(?:automatically\s+)?(?:renew|extend)"
    r"|no\s+automatic\s+renewal|without\s+automatic\s+renewal|not\s+(?:be\s+)?subject\s+to\s+"
    r"automatic\s+renewal|any\s+renewal\s+(?:shall\s+)?requires?|renewal\s+(?:shall\s+)?requires?"
    r"\s+(?:a|the)\s+(?:separate\s+|new\s+)?written|expires?\s+(?:automatically\s+)?at\s+the\s+end"
    r"\s+of\s+the\s+(?:initial\s+)?term|expire\s+without\s+renewal|does\s+not\s+renew"
    r"|(?:shall|will)\s+not\s+be\s+renewed)"
)
_RENEWAL_NO_WEAK: Final = re.compile(
    r"不(?:再|得|会|予|同意)?(?:续期|续约|续展|续签|续订|延续)"
    r"|(?:续约|续期|续签|续租)[^。;]{0,30}另行签订|另行签订[^。;]{0,20}(?:续约|续期|续签|续租)"
)
_RENEWAL_YES: Final = re.compile(
    r"自动(?:续期|续约|续展|延续|延长|延期|顺延|续签|续订)|视为(?:双方)?(?:同意)?(?:续约|续期|续签|延期)"
    r"|(?i:(?:renew(?:s|ed)?|extend(?:s|ed)?)\s+automatically|automatic(?:ally)?\s+(?:be\s+)?"
    r"(?:renew|extend)|auto-?renew|tacitly\s+renew|(?:renewed|extended)\s+(?:automatically\s+)?"
    r"for\s+(?:successive|additional|further|consecutive)"
    r"|(?:continue|continues|remain|remains)\s+(?:in\s+(?:full\s+)?force\s+(?:and\s+effect\s+)?)?"
    r"(?:automatically\s+)?(?:for\s+(?:successive|additional|further|consecutive)|indefinitely"
    r"|(?:on\s+a\s+)?month[\s-]to[\s-]month|from\s+(?:month|year)\s+to\s+(?:month|year))"
    r"|month-to-month\s+(?:basis|tenancy|term)|thereafter\s+(?:be\s+)?renewed"
    r"|until\s+terminated\s+by\s+(?:either|any|one)\s+party)"
)
_ZH_NOTICE: Final = re.compile(
    rf"(?:(?:期满|届满|到期|终止)(?:之日|日)?前|提前)\s*(?:至少|不少于|不迟于)?\s*(?P<num>{_ZH_NUM})"
    r"\s*(?P<unit>个工作日|工作日|个月|月|日|天|周|年)"
)
_EN_NOTICE: Final = re.compile(
    rf"(?i)\b(?P<num>{_EN_NUM})\s*[- ]?(?P<unit>calendar\s+days|business\s+days|days|months"
    r"|day|month|years|year|weeks|week)"
    r"(?:['’]s?)?\s+(?:prior\s+|advance\s+|previous\s+)?(?:written\s+)?notice"
    rf"|(?i:at\s+least|not\s+less\s+than|no\s+later\s+than|no\s+less\s+than)\s+(?P<num2>{_EN_NUM})"
    r"\s*(?P<unit2>calendar\s+days|business\s+days|days|months|years|weeks)\s+(?:before|prior\s+to)"
)


def _renewal_sentences(flow: str) -> list[tuple[int, int]]:
    """The spans of the sentences that speak of renewal or expiry, in order."""
    spans: list[tuple[int, int]] = []
    triggers = sorted(
        [m.span() for m in _TRIGGER.finditer(flow)] + [m.span() for m in _TRIGGER_EN.finditer(flow)]
    )
    for trigger_start, trigger_end in triggers:
        if spans and trigger_start < spans[-1][1]:
            continue
        start = max(flow.rfind(c, 0, trigger_start) for c in "。;\n") + 1
        dot = flow.rfind(". ", start, trigger_start)
        start = dot + 2 if dot >= 0 else start
        end_match = _SENTENCE_END.search(flow, trigger_end)
        end = end_match.end() if end_match else len(flow)
        spans.append((start, end))
    return spans


def extract_renewal(doc: Doc) -> tuple[Extracted[bool] | None, Extracted[Term] | None]:
    """Whether the contract renews itself, and the notice period against renewal in the
    unit the contract writes it (twelve months stay 12 months, never 360 days).

    A clause whose blanks are empty (到期后自动延期    年) says nothing: the form offers
    renewal, the parties did not fill it in.
    """
    renewal: Extracted[bool] | None = None
    notice: Extracted[Term] | None = None
    weak_no: Extracted[bool] | None = None  # 不续约 alone: decides only if nothing else does
    for start, end in _renewal_sentences(doc.flow):
        text = doc.flow[start:end]
        has_words = _RENEWAL_WORDS.search(text) is not None
        if renewal is None:
            if _RENEWAL_NO.search(text):
                renewal = Extracted(False, 0.88, doc.source(start, end))
            elif (
                (yes := _RENEWAL_YES.search(text))
                and not _OTHER_SUBJECT.search(text)
                and not _unfilled(doc, start, end)
                and not _UNANSWERED.match(text, yes.end())
            ):
                renewal = Extracted(True, 0.92, doc.source(start, end))
            elif weak_no is None and _RENEWAL_NO_WEAK.search(text):
                weak_no = Extracted(False, 0.85, doc.source(start, end))
        if notice is None and (has_words or re.search(r"期满前|届满前|到期前", text)):
            notice = _notice(doc, start, text, 0.9 if has_words else 0.75)
        if renewal is not None and notice is not None:
            break
    return renewal or weak_no, notice


# 住宅建设用地使用权期限届满的，自动续期: a right that renews by law, not the contract.
_OTHER_SUBJECT: Final = re.compile(r"使用权(?:期限)?(?:届满|期满)")
_BLANK: Final = re.compile(r"[ \t\u3000]{3,}|_{2,}")
# 自动续期： with nothing after it - a form's question whose boxes nobody ticked.
_UNANSWERED: Final = re.compile(r"\s*:\s*[。;]?\s*$")


def _unfilled(doc: Doc, start: int, end: int) -> bool:
    """Whether a clause, as written, still has empty blanks (到期后自动延期    年): the
    form offers renewal, the parties did not fill it in - "not filled", never a value."""
    if start >= len(doc.origin):
        return False
    first = doc.origin[start]
    last = doc.origin[min(end, len(doc.origin)) - 1] + 1
    return _BLANK.search(doc.original, first, last) is not None


def _notice(doc: Doc, offset: int, text: str, confidence: float) -> Extracted[Term] | None:
    match = _ZH_NOTICE.search(text)
    if match:
        number, unit = zh_number(match.group("num")), match.group("unit")
    else:
        match = _EN_NOTICE.search(text)
        if not match:
            return None
        if match.group("num"):
            number, unit = en_number(match.group("num")), match.group("unit").lower()
        else:
            number, unit = en_number(match.group("num2")), match.group("unit2").lower()
    if not number:
        return None
    flags: tuple[str, ...] = ()
    if unit.startswith(("个月", "month")):
        value = Term(number, "months")
    elif unit.startswith(("年", "year")):
        value = Term(number * 12, "months")
    elif "工作日" in unit or unit.startswith("business"):
        value = Term(number, "days")
        flags, confidence = ("business_days",), min(confidence, 0.7)
    elif unit == "周" or unit.startswith("week"):
        value = Term(number * 7, "days")
    else:
        value = Term(number, "days")
    source = doc.source(offset + match.start(), offset + match.end())
    return Extracted(value, confidence, source, flags)


# --- governing law --------------------------------------------------------------------------

_LAW_ZH: Final = re.compile(
    r"(?:适用|受|遵循|服从)(?P<j>中华人民共和国|中国大陆|中国|香港特别行政区|香港|澳门特别行政区|澳门|新加坡|"
    r"英格兰(?:和|及|与)威尔士|英国|美国纽约州|纽约州|日本|德国|瑞士|"
    r"[\u4e00-\u9fff]{1,8}?(?:国|州|省|特别行政区))"
    r"(?:的)?(?:现行)?(?:有效)?(?:的)?法律"
    r"|(?:适用法律|管辖法律|准据法)\s*:\s*(?P<j2>[\u4e00-\u9fff]{2,12}?)(?:的)?法律"
)
_LAW_EN: Final = re.compile(
    r"(?i:(?:governed\s+by|construed|interpreted)\b[^.;\n]{0,80}?\blaws?\s+(?:in\s+force\s+in\s+)?"
    r"of\s+"
    r"|(?:governing|applicable)\s+law\s*:\s*(?:the\s+)?(?:laws?\s+of\s+)?)"
    r"(?P<j>(?:the\s+)?[A-Z][^.;,\n()]{1,60}?)"
    r"(?=\s*(?:,|\.|;|\(|$|\b(?:without|excluding|except|as\s+amended|as\s+in\s+force|in\s+force)\b"
    r"|\band\s+(?:the\s+)?(?:parties|each|any|shall|its|all)\b))"
    r"|(?i:(?:governed\s+by|subject\s+to)\s+(?:the\s+)?)(?P<adj>English|New\s+York|Chinese|PRC|"
    r"Singapore|Hong\s+Kong|Delaware|Californian?|German|Swiss|Japanese)\s+law",
    re.M,
)
_JURISDICTIONS: Final = {
    "People's Republic of China": (
        "people's republic of china",
        "prc",
        "the prc",
        "china",
        "mainland china",
        "chinese",
        "中华人民共和国",
        "中国",
        "中国大陆",
    ),
    "England and Wales": (
        "england and wales",
        "england & wales",
        "england",
        "english",
        "英格兰和威尔士",
    ),
    "United Kingdom": ("united kingdom", "uk", "英国"),
    "New York": ("state of new york", "new york", "new york state", "纽约州", "美国纽约州"),
    "Hong Kong": (
        "hong kong",
        "hong kong sar",
        "hong kong special administrative region",
        "香港特别行政区",
        "香港",
    ),
    "Macao": ("macao", "macau", "澳门", "澳门特别行政区"),
    "Singapore": ("singapore", "republic of singapore", "新加坡"),
    "California": ("state of california", "california", "californian"),
    "Delaware": ("state of delaware", "delaware"),
    "Germany": ("germany", "federal republic of germany", "german", "德国"),
    "Switzerland": ("switzerland", "swiss", "瑞士"),
    "Japan": ("japan", "japanese", "日本"),
}
_CANONICAL: Final = {alias: name for name, aliases in _JURISDICTIONS.items() for alias in aliases}


def canonical_jurisdiction(text: str) -> tuple[str, bool]:
    """The canonical name of a jurisdiction and whether it is one we know."""
    key = " ".join(text.replace("’", "'").split()).strip(" .,")
    key = re.sub(r"^(?i:the)\s+", "", key)
    hit = _CANONICAL.get(key.lower()) or _CANONICAL.get(key.removesuffix("的"))
    if hit:
        return hit, True
    key = re.sub(r"^(?i:(?:the\s+)?(?:state|commonwealth|province|republic)\s+of)\s+", "", key)
    return _CANONICAL.get(key.lower(), key), key.lower() in _CANONICAL


_LAW_EN_ANCHOR: Final = re.compile(
    r"[GgAaSsCcIi](?:overned\s+by|overning\s+[Ll]aw|pplicable\s+[Ll]aw|ubject\s+to|onstrued"
    r"|nterpreted)|GOVERN|APPLICABLE"
)


def extract_governing_law(doc: Doc) -> Extracted[str] | None:
    """The law the contract chooses, as a canonical jurisdiction name."""
    flow = doc.flow
    found: list[re.Match[str]] = []
    zh = _LAW_ZH.search(flow)
    if zh:
        found.append(zh)
    for anchor in _LAW_EN_ANCHOR.finditer(flow):
        en = _LAW_EN.match(flow, anchor.start())
        if en:
            found.append(en)
            break
    for match in sorted(found, key=lambda m: m.start()):
        groups = match.groupdict()
        raw = groups.get("j") or groups.get("j2") or groups.get("adj") or ""
        name, known = canonical_jurisdiction(raw)
        if name:
            return Extracted(name, 0.95 if known else 0.75, doc.source(match.start(), match.end()))
    return None
