"""Risk checks: the things a reviewer must see before a contract is approved.

rules/risk.toml says what to look for: clauses a contract type must have, phrases that
must not appear (or only with a safeguard in the same clause), payment terms beyond a
limit, amounts in Chinese capitals (大写) that disagree with the figures, and standard
clauses of a template whose wording was edited in the draft. :func:`check` applies the
rules to a contract's text and fields and returns :class:`RiskFlag` objects; they are
computed at submit, stored with the contract, listed by ``show``, and a route of
approval.toml can match on their codes or their highest severity.

The checks are deliberately plain text heuristics over the extracted text (DOCX
paragraphs or PDF text): they must work on imported contracts we did not draft, in
Chinese and English, and every flag names the clause and quotes the text, so a person
can confirm or dismiss it in seconds. A false alarm costs a glance; a missed one costs
money, so where the two conflict the checks lean towards flagging.

This module holds the checks: :class:`RiskFlag`, :func:`check`, :func:`highest_severity`
and the text handling they share. Reading and validating rules/risk.toml lives in
:mod:`contractctl.approval.risk_rules`, split out so that neither module outgrows what one can
read whole; the names defined there (:func:`load_risk_rules`, :func:`parse_risk_rules`,
:class:`RiskRules` and its rule classes, :data:`SEVERITIES`) are re-exported here, so
callers import everything about risk from this one module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from contractctl.approval import legal_limits

# The rule file's names are re-exported from here (see __all__); ``X as X`` re-exports the
# two public constants that __all__ never listed.
from contractctl.approval.risk_rules import PAYMENT_PATTERNS as PAYMENT_PATTERNS
from contractctl.approval.risk_rules import RULES_VERSION as RULES_VERSION
from contractctl.approval.risk_rules import (
    SEVERITIES,
    AmountWordsRule,
    NonstandardRule,
    PaymentTermsRule,
    PhraseRule,
    RequiredClause,
    RiskRules,
    load_risk_rules,
    parse_risk_rules,
)
from contractctl.documents.clauses import (
    chinese_number,
    deviations,
    normalise,
    split_clauses,
    template_pattern,
)
from contractctl.drafting.schema import CONTRACT_TYPES
from contractctl.errors import InvalidInput
from contractctl.money import CHINESE_NAMES, Money, format_money, parse_chinese_upper, parse_money

if TYPE_CHECKING:
    from contractctl.drafting.specs import FieldSpec

__all__ = [
    "SEVERITIES",
    "AmountWordsRule",
    "NonstandardRule",
    "PaymentTermsRule",
    "PhraseRule",
    "RequiredClause",
    "RiskFlag",
    "RiskRules",
    "check",
    "highest_severity",
    "load_risk_rules",
    "parse_risk_rules",
]

EXCERPT_CHARS: Final = 120


# --- flags -------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskFlag:
    """One finding: what (``code``), how bad, where (``clause``), the text, and why.

    ``code`` is stable so approval rules can match on it: ``missing_clause:<id>``,
    ``forbidden:<id>``, ``payment_terms_too_long``, ``amount_words_mismatch``,
    ``amount_words_invalid``, ``nonstandard_clause``, ``over_legal_limit:<field>``.
    ``clause`` is None for findings that belong to the whole document (a missing clause,
    a field value) or to the text before the first numbered clause.
    """

    code: str
    severity: str
    clause: int | None
    text: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape stored with the contract and printed by ``show --json``."""
        return {
            "code": self.code,
            "severity": self.severity,
            "clause": self.clause,
            "text": self.text,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RiskFlag:
        """Read a stored flag back; a damaged record is an error, not a silent default."""
        keys = {"code", "severity", "clause", "text", "message"}
        if not isinstance(data, Mapping) or set(data) != keys:
            raise InvalidInput(f"not a risk flag record (expected keys {sorted(keys)}): {data!r}")
        clause = data["clause"]
        if clause is not None and (isinstance(clause, bool) or not isinstance(clause, int)):
            raise InvalidInput(f"risk flag clause {clause!r} is not a clause number")
        if data["severity"] not in SEVERITIES:
            raise InvalidInput(f"risk flag severity {data['severity']!r} is not a severity")
        if not all(isinstance(data[k], str) for k in ("code", "text", "message")):
            raise InvalidInput(f"risk flag has a non-text code, text or message: {data!r}")
        return cls(data["code"], data["severity"], clause, data["text"], data["message"])


def highest_severity(flags: Iterable[RiskFlag]) -> str | None:
    """The worst severity among ``flags`` (what ``risk_severity_min`` routes on), or None."""
    ranks = [SEVERITIES.index(flag.severity) for flag in flags]
    return SEVERITIES[max(ranks)] if ranks else None


# --- the contract as the checks see it ----------------------------------------------

_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
_CJK_GAP = re.compile(rf"(?<={_CJK})[ \t\u00a0\u3000]+(?={_CJK})")
_NUMBERING = re.compile(
    r"^\s*(?:第\s*[一二两三四五六七八九十百零〇\d]+\s*[条章节]"
    r"|[一二三四五六七八九十]+\s*[、．.]"
    r"|[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]"
    r"|(?i:article|section|clause|part)\s+[\dIVXLC]+\b\.?"
    r"|\d{1,3}(?:\.\d{1,3})*(?:[.、)]|\s))"
    r"\s*[:：.\-–—]?\s*"
)
_TITLE_END = re.compile(r"[。；;：:，,、.（(|\t]")
_SENTENCE_END = re.compile(r"[。；！？!?;\n]|\.(?=\s|$)")
_JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


@dataclass(frozen=True)
class _Document:
    """The text split into parts (numbered clauses, and what precedes the first one)."""

    text: str
    parts: tuple[tuple[int | None, str], ...]
    clauses: Mapping[int, str]
    headings: tuple[str, ...]
    numbered: bool

    @classmethod
    def of(cls, text: str) -> _Document:
        # PDF text often has spaces between Chinese characters: 知 识 产 权.
        text = _CJK_GAP.sub("", "\n".join(text.splitlines()))
        clauses = split_clauses(text)
        parts: list[tuple[int | None, str]] = []
        preamble = text
        if clauses:
            first = text.find(next(iter(clauses.values())))
            preamble = text[: max(first, 0)]
        if preamble.strip():
            parts.append((None, preamble))
        parts.extend(clauses.items())
        headings: list[str] = []
        numbered = False
        for line in text.splitlines():
            title, has_number = _heading(line)
            if title:
                headings.append(title)
                numbered = numbered or has_number
        return cls(text, tuple(parts), clauses, tuple(headings), numbered)

    def where(self, clause: int | None) -> str:
        """How a message names a place: ``Clause 13 (违约责任)``."""
        if clause is None:
            return "The text before the first clause"
        title, _ = _heading(self.clauses[clause].split("\n", 1)[0])
        return f"Clause {clause} ({title})" if title else f"Clause {clause}"


def _heading(line: str) -> tuple[str, bool]:
    """A line's heading title and whether it was numbered; ("", False) for body text.

    Numbered lines (第十一条 知识产权, 八、知识产权：..., 12.3 Confidentiality. ...) give
    the words after the number up to the first punctuation; a short line of its own is a
    heading as it stands. Body sentences are not headings, so a clause that mentions
    another in passing does not count as that clause.
    """
    match = _NUMBERING.match(line)
    if match:
        rest = line[match.end() :]
        end = _TITLE_END.search(rest)
        title = (rest[: end.start()] if end else rest).strip()[:30]
        return title, bool(title)
    stripped = line.strip()
    if 0 < len(stripped) <= 20 and not re.search(r"[。；;]", stripped):
        return stripped, False
    return "", False


def _excerpt(body: str, start: int, end: int) -> str:
    """The sentence around ``body[start:end]``, cut to about EXCERPT_CHARS characters."""
    first = 0
    for boundary in _SENTENCE_END.finditer(body, 0, start):
        first = boundary.end()
    after = _SENTENCE_END.search(body, end)
    last = after.end() if after else len(body)
    while first < last and body[first].isspace():
        first += 1
    while last > first and body[last - 1].isspace():
        last -= 1
    if last - first > EXCERPT_CHARS:
        low = max(first, min(start - 30, last - EXCERPT_CHARS))
        high = min(last, low + EXCERPT_CHARS)
        shown = ("…" if low > first else "") + body[low:high] + ("…" if high < last else "")
    else:
        shown = body[first:last]
    return " ".join(shown.split())


def _days(text: str) -> int | None:
    if text.isdigit():  # also full-width digits
        return int(text)
    try:
        return chinese_number(text)
    except ValueError:
        return None


# --- the checks --------------------------------------------------------------------


def check(
    rules: RiskRules,
    *,
    contract_type: str,
    text: str,
    fields: Mapping[str, Any] | None = None,
    template_text: str | None = None,
    standard_clauses: Sequence[int] = (),
    field_specs: Sequence[FieldSpec] = (),
) -> list[RiskFlag]:
    """Every flag the rules raise on one contract, worst first, then in clause order.

    ``text`` is the contract's extracted text (one paragraph per line); ``fields`` its
    stored field values as JSON data (money as ``{"minor", "currency"}``), empty for an
    imported contract. With ``template_text`` (the template DOCX's text, tags and all)
    and ``standard_clauses``, each standard clause whose wording changed is flagged;
    with the template's ``field_specs``, each legal ceiling its schema states
    (:mod:`~contractctl.approval.legal_limits`).
    """
    if contract_type not in CONTRACT_TYPES:
        raise InvalidInput(
            f"unknown contract type {contract_type!r} (expected one of {', '.join(CONTRACT_TYPES)})"
        )
    doc = _Document.of(text)
    values: Mapping[str, Any] = fields or {}
    flags: list[RiskFlag] = []
    flags += _missing_clauses(rules, contract_type, doc)
    flags += _phrases(rules, contract_type, doc)
    if rules.payment_terms and contract_type in rules.payment_terms.types:
        flags += _payment_terms_flags(rules.payment_terms, doc, values)
    if rules.amount_words:
        flags += _amount_flags(rules.amount_words, doc, values)
    if rules.nonstandard and template_text is not None and standard_clauses:
        flags += _nonstandard_flags(rules.nonstandard, doc, template_text, standard_clauses)
    flags += [
        RiskFlag(code, legal_limits.SEVERITY, None, text, message)
        for code, text, message in legal_limits.share_breaches(field_specs, values)
    ]
    return sorted(
        flags,
        key=lambda f: (
            -SEVERITIES.index(f.severity),
            -1 if f.clause is None else f.clause,
            f.code,
        ),
    )


def _missing_clauses(rules: RiskRules, contract_type: str, doc: _Document) -> list[RiskFlag]:
    # Only a document without numbered headings is searched whole (imported scans).
    haystacks = doc.headings if doc.numbered else (doc.text,)
    flags = []
    for rule in rules.required_clauses:
        if contract_type not in rule.types:
            continue
        if any(p.search(h) for p in rule.patterns for h in haystacks):
            continue
        message = f"This {contract_type} contract has no {rule.name} clause; {rule.reason}."
        flags.append(RiskFlag(f"missing_clause:{rule.id}", rule.severity, None, "", message))
    return flags


def _phrases(rules: RiskRules, contract_type: str, doc: _Document) -> list[RiskFlag]:
    flags = []
    for rule in rules.phrases:
        if contract_type not in rule.types:
            continue
        for clause, body in doc.parts:
            found = [m for p in rule.patterns if (m := p.search(body))]
            if not found or any(u.search(body) for u in rule.unless):
                continue
            match = min(found, key=lambda m: m.start())
            phrase = " ".join(match.group(0).split())
            message = f"{doc.where(clause)} contains “{phrase}”; {rule.reason}."
            text = _excerpt(body, match.start(), match.end())
            flags.append(RiskFlag(f"forbidden:{rule.id}", rule.severity, clause, text, message))
    return flags


def _payment_terms_flags(
    rule: PaymentTermsRule, doc: _Document, values: Mapping[str, Any]
) -> list[RiskFlag]:
    flags = []
    flagged_days: set[int] = set()
    for clause, body in doc.parts:
        longest: tuple[int, re.Match[str]] | None = None
        for pattern in rule.patterns:
            for match in pattern.finditer(body):
                days = _days(match.group("days"))
                if days is not None and (longest is None or days > longest[0]):
                    longest = (days, match)
        if longest is None or longest[0] <= rule.max_days:
            continue
        days, match = longest
        flagged_days.add(days)
        message = (
            f"{doc.where(clause)} sets a payment term of {days} days, beyond the limit of "
            f"{rule.max_days} days; {rule.reason}."
        )
        text = _excerpt(body, match.start(), match.end())
        flags.append(RiskFlag("payment_terms_too_long", rule.severity, clause, text, message))
    for name in rule.fields:
        value = values.get(name)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            continue
        if value > rule.max_days and value not in flagged_days:
            message = (
                f"The contract's {name} field sets a payment term of {value} days, beyond the "
                f"limit of {rule.max_days} days; {rule.reason}."
            )
            text = f"{name} = {value}"
            flags.append(RiskFlag("payment_terms_too_long", rule.severity, None, text, message))
        break  # the first field that holds a number is the contract's payment term
    return flags


_CAPITAL_NAME_CODES: Final = {**{v: k for k, v in CHINESE_NAMES.items()}, "港元": "HKD"}
_CAPITALS = re.compile(
    r"(?P<name>人民币|美元|欧元|英镑|港币|港元|日元)?"
    r"(?P<body>负?[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分整正〇两]*[壹贰叁肆伍陆柒捌玖]"
    r"[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分整正〇两]*)"
)
_NUMBER = r"[0-9０-９][0-9０-９,]*(?:[.．][0-9０-９]+)?"
_FIGURES = re.compile(
    r"(?:US\$|HK\$|[¥￥$€£＄]|(?<![A-Za-z])(?:RMB|CNY|USD|EUR|GBP|HKD|JPY)(?![A-Za-z])"
    rf"|人民币|美元|欧元|英镑|港币|港元|日元)\s*{_NUMBER}(?:\s*[万亿])?(?:\s*元)?"
    rf"|(?<![0-9０-９.,]){_NUMBER}\s*[万亿]?\s*(?:美元|欧元|英镑|港币|港元|日元|元)"
)
# What may stand between an amount in figures and the same amount in capitals.
_PAIR_GAP_NOISE = re.compile(r"[\s（）()\[\]【】〔〕:：,，、=]|大写|小写|金额|合计|即|为|计")
_PAIR_GAP_MAX = 12


@dataclass(frozen=True)
class _Figure:
    start: int
    end: int
    money: Money


def _figures(body: str) -> list[_Figure]:
    found = []
    for match in _FIGURES.finditer(body):
        try:
            money = parse_money(match.group(0).strip())
        except InvalidInput:
            continue
        found.append(_Figure(match.start(), match.end(), money))
    return found


def _money_values(value: Any) -> Iterable[Money]:
    """Every amount in the fields (money is stored as ``{"minor", "currency"}``)."""
    if isinstance(value, Mapping):
        if set(value) == {"minor", "currency"}:
            try:
                yield Money.from_dict(value)
            except InvalidInput:
                return
        else:
            for item in value.values():
                yield from _money_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _money_values(item)


def _adjacent(gap: str) -> bool:
    return len(gap) <= _PAIR_GAP_MAX and not _PAIR_GAP_NOISE.sub("", gap)


def _paired_figure(body: str, figures: list[_Figure], start: int, end: int) -> _Figure | None:
    """The figures written right next to capitals at body[start:end], if any.

    ``¥120,000.00（大写：人民币壹拾贰万元整）`` and ``人民币壹拾贰万元整（¥120,000.00）`` both
    pair; when figures sit on both sides the nearer wins.
    """
    before = [f for f in figures if f.end <= start and _adjacent(body[f.end : start])]
    after = [f for f in figures if f.start >= end and _adjacent(body[end : f.start])]
    candidates = [(start - f.end, 0, f) for f in before[-1:]] + [
        (f.start - end, 1, f) for f in after[:1]
    ]
    return min(candidates, key=lambda c: (c[0], c[1]))[2] if candidates else None


def _amount_flags(
    rule: AmountWordsRule, doc: _Document, values: Mapping[str, Any]
) -> list[RiskFlag]:
    flags = []
    stated = {f.money for _, body in doc.parts for f in _figures(body)}
    stated.update(_money_values(dict(values)))
    for clause, body in doc.parts:
        figures = _figures(body)
        for match in _CAPITALS.finditer(body):
            if not re.search(r"[元圆角分]", match.group("body")):
                continue  # 一式肆份, 壹号楼: capitals that are not an amount
            raw = match.group(0)
            pair = _paired_figure(body, figures, match.start(), match.end())
            name = match.group("name")
            currency = _CAPITAL_NAME_CODES[name] if name else pair.money.currency if pair else "CNY"
            excerpt = _excerpt(body, match.start(), match.end())
            try:
                words = parse_chinese_upper(raw, currency)
            except InvalidInput as exc:
                detail = exc.message.removeprefix(f"{raw!r} ")
                if detail == exc.message:
                    detail = "is not a well-formed amount in Chinese capitals"
                message = (
                    f"{doc.where(clause)} writes “{raw}”, which {detail}; "
                    "a bank or a court may read it differently from the figures."
                )
                flags.append(
                    RiskFlag("amount_words_invalid", rule.severity, clause, excerpt, message)
                )
                continue
            if pair is not None:
                if pair.money == words:
                    continue
                message = (
                    f"{doc.where(clause)} states {format_money(words)} in capitals (“{raw}”) "
                    f"but {format_money(pair.money)} in figures; {rule.reason}."
                )
            elif not stated or words in stated:
                continue
            else:
                message = (
                    f"{doc.where(clause)} states {format_money(words)} in capitals (“{raw}”), "
                    f"which matches no amount in figures or in the contract's fields; "
                    f"{rule.reason}."
                )
            flags.append(RiskFlag("amount_words_mismatch", rule.severity, clause, excerpt, message))
    return flags


def _sentences(text: str) -> list[str]:
    pieces, start = [], 0
    for boundary in _SENTENCE_END.finditer(text):
        pieces.append(text[start : boundary.end()])
        start = boundary.end()
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]


def _first_change(template_clause: str, draft_clause: str) -> str:
    """The first sentence of the draft clause that no sentence of the template matches."""
    known = [
        template_pattern(sentence)
        for sentence in _sentences(template_clause)
        if normalise(_JINJA_TAG.sub("", sentence))  # a lone {%p if %} line matches anything
    ]
    for sentence in _sentences(draft_clause):
        if not any(p.fullmatch(normalise(sentence)) for p in known):
            return _excerpt(sentence, 0, 0)
    return _excerpt(draft_clause, 0, 0)  # sentences removed or reordered: show its start


def _nonstandard_flags(
    rule: NonstandardRule, doc: _Document, template_text: str, standard: Sequence[int]
) -> list[RiskFlag]:
    changed = deviations(template_text, doc.text, tuple(standard))
    if not changed:
        return []
    template_clauses = split_clauses(
        _JINJA_TAG.sub(lambda m: m.group(0).replace("\n", " "), template_text)
    )
    flags = []
    for number in changed:
        draft_clause = doc.clauses.get(number)
        if draft_clause is None:
            title, _ = _heading(template_clauses[number].split("\n", 1)[0])
            text = ""
            message = (
                f"Standard clause {number} ({title}) of the template is missing from the "
                f"draft; {rule.reason}."
            )
        else:
            text = _first_change(template_clauses[number], draft_clause)
            message = (
                f"{doc.where(number)} differs from the template's standard wording; {rule.reason}."
            )
        flags.append(RiskFlag("nonstandard_clause", rule.severity, number, text, message))
    return flags
