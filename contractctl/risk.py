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
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeVar

from contractctl import tomlfile
from contractctl.clauses import (
    chinese_number,
    deviations,
    normalise,
    split_clauses,
    template_pattern,
)
from contractctl.errors import ConfigError, InvalidInput
from contractctl.money import CHINESE_NAMES, Money, format_money, parse_chinese_upper, parse_money
from contractctl.template_schema import CONTRACT_TYPES

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

SEVERITIES: Final = ("low", "medium", "high")
RULES_VERSION: Final = 1
EXCERPT_CHARS: Final = 120

_TOP_KEYS = ("version", "required_clause", "phrase", "payment_terms", "amount_words", "nonstandard")
_REQUIRED_KEYS = ("id", "name", "types", "severity", "patterns", "reason")
_PHRASE_KEYS = ("id", "types", "severity", "patterns", "unless", "reason")
_PAYMENT_KEYS = ("max_days", "severity", "types", "fields", "extra_patterns", "reason")
_AMOUNT_KEYS = ("severity", "reason")
_NONSTANDARD_KEYS = ("severity", "reason")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_T = TypeVar("_T")


# --- flags -------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskFlag:
    """One finding: what (``code``), how bad, where (``clause``), the text, and why.

    ``code`` is stable so approval rules can match on it: ``missing_clause:<id>``,
    ``forbidden:<id>``, ``payment_terms_too_long``, ``amount_words_mismatch``,
    ``amount_words_invalid``, ``nonstandard_clause``. ``clause`` is None for findings
    that belong to the whole document (a missing clause, a field value) or to the text
    before the first numbered clause.
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


# --- rules -------------------------------------------------------------------------


@dataclass(frozen=True)
class RequiredClause:
    """A clause every contract of ``types`` must have, recognised by its heading."""

    id: str
    name: str
    types: frozenset[str]
    severity: str
    patterns: tuple[re.Pattern[str], ...]
    reason: str


@dataclass(frozen=True)
class PhraseRule:
    """Wording to flag wherever it appears, unless a safeguard is in the same clause."""

    id: str
    types: frozenset[str]
    severity: str
    patterns: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]
    reason: str


@dataclass(frozen=True)
class PaymentTermsRule:
    """The longest payment term accepted, read from fields and from the text."""

    max_days: int
    severity: str
    types: frozenset[str]
    fields: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    reason: str


@dataclass(frozen=True)
class AmountWordsRule:
    """Amounts in Chinese capitals must equal the figures."""

    severity: str
    reason: str


@dataclass(frozen=True)
class NonstandardRule:
    """A draft's standard clauses must keep the template's wording."""

    severity: str
    reason: str


@dataclass(frozen=True)
class RiskRules:
    """rules/risk.toml, validated. ``source_hash`` (sha256 of the file) goes in the audit
    record of every submit, so a flag can be traced to the exact rules that raised it."""

    version: int
    required_clauses: tuple[RequiredClause, ...]
    phrases: tuple[PhraseRule, ...]
    payment_terms: PaymentTermsRule | None
    amount_words: AmountWordsRule | None
    nonstandard: NonstandardRule | None
    source: str
    source_hash: str

    def codes(self) -> frozenset[str]:
        """Every flag code these rules can raise (to catch a misspelt code in approval.toml)."""
        codes = {f"missing_clause:{rule.id}" for rule in self.required_clauses}
        codes |= {f"forbidden:{rule.id}" for rule in self.phrases}
        if self.payment_terms:
            codes.add("payment_terms_too_long")
        if self.amount_words:
            codes |= {"amount_words_mismatch", "amount_words_invalid"}
        if self.nonstandard:
            codes.add("nonstandard_clause")
        return frozenset(codes)


# Payment terms as contracts write them; each pattern captures the days as `days`.
_DAYS_ZH = r"(?P<days>[0-9０-９]{1,4}|[一二两三四五六七八九十百零〇]{1,6})"
_DAY_UNIT_ZH = r"\s*(?:个\s*)?(?:工作|自然|日历)?[日天]"
_PAY_EN = r"\b(?:pay|pays|paid|payable|payment|payments|settle|settled)\b"
_WITHIN_EN = (
    r"\bwithin\s+(?:[a-z-]+\s+){0,4}\(?(?P<days>[0-9]{1,4})\)?\s+"
    r"(?:business\s+|calendar\s+|working\s+)?days\b"
)
PAYMENT_PATTERNS: Final = (
    # the gap holds no other number of days: 90日内交货，30日内付款 is a 30-day term
    re.compile(_DAYS_ZH + _DAY_UNIT_ZH + r"内[^。；;\n0-9０-９日天]{0,40}?(?:支付|付款|付清|结清)"),
    re.compile(
        r"(?:付款|支付|结算|账)期(?:限)?(?:为|是)?[^。；;\n0-9]{0,15}?" + _DAYS_ZH + _DAY_UNIT_ZH
    ),
    re.compile(r"月结\s*" + _DAYS_ZH + _DAY_UNIT_ZH),
    re.compile(r"(?i)" + _PAY_EN + r"[^.;\n]{0,80}?" + _WITHIN_EN),
    # ... unless the payment has its own "within": deliver within 90 days, pay within 30
    re.compile(
        r"(?i)"
        + _WITHIN_EN
        + r"(?:(?!\bwithin\b)[^.;\n]){0,120}?"
        + _PAY_EN
        + r"(?![^.;\n]{0,60}?\bwithin\b)"
    ),
    re.compile(r"(?i)\bnet\s*(?P<days>[0-9]{1,3})\s*days\b"),
)


def load_risk_rules(path: Path, *, display: str | None = None) -> RiskRules:
    """Read and validate a risk rule file; every mistake is a ConfigError naming file:line.

    ``display`` is the name used in messages (``rules/risk.toml``); the path otherwise.
    The hash is taken over the bytes read, so it identifies exactly what was applied.
    """
    name = display or str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(f"{name}: file not found") from exc
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read: {exc}") from exc
    return parse_risk_rules(raw, path=path, display=name)


def parse_risk_rules(raw: bytes, *, display: str, path: Path | None = None) -> RiskRules:
    """Validate risk rules held in memory (a file's bytes, or a stored copy of them)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{display}: not UTF-8 text: {exc}") from exc
    doc = tomlfile.parse(text, path=path or Path(display), display=display)
    data = doc.data
    tomlfile.reject_unknown(doc, data, _TOP_KEYS)
    version = data.get("version")
    if version != RULES_VERSION or isinstance(version, bool):
        raise doc.error(
            f"version: expected {RULES_VERSION} (the rule format this contractctl reads), "
            f"got {_shown(version)}",
            *(("version",) if "version" in data else ()),
        )
    required = tuple(
        _required_clause(_Where(doc, "required_clause", i, f"required_clause #{i + 1}"), table)
        for i, table in enumerate(_entries(doc, data, "required_clause"))
    )
    phrases = tuple(
        _phrase(_Where(doc, "phrase", i, f"phrase #{i + 1}"), table)
        for i, table in enumerate(_entries(doc, data, "phrase"))
    )
    _unique_ids(doc, "required_clause", [rule.id for rule in required])
    _unique_ids(doc, "phrase", [rule.id for rule in phrases])
    return RiskRules(
        version=RULES_VERSION,
        required_clauses=required,
        phrases=phrases,
        payment_terms=_optional_table(doc, data, "payment_terms", _payment_terms),
        amount_words=_optional_table(doc, data, "amount_words", _amount_words),
        nonstandard=_optional_table(doc, data, "nonstandard", _nonstandard),
        source=display,
        source_hash=hashlib.sha256(raw).hexdigest(),
    )


# --- validation helpers --------------------------------------------------------------

_HEADER_LINE = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY_LINE = re.compile(r"^\s*[\"']?[A-Za-z0-9_-]+[\"']?\s*=")


@dataclass(frozen=True)
class _Where:
    """One table of the rule file, able to say on which line a key of it sits.

    tomlfile's line lookup finds the first ``[[phrase]]``; the n-th entry of an array
    of tables needs counting headers, which is what this adds.
    """

    doc: tomlfile.TomlDoc
    table: str
    index: int | None  # position in an array of tables; None for a plain [table]
    label: str

    def named(self, rule_id: str) -> _Where:
        """The same table, called by its rule id in messages."""
        return _Where(self.doc, self.table, self.index, f"{self.table} {rule_id!r}")

    def error(self, message: str, key: str | None = None, item: str | None = None) -> ConfigError:
        """``file:line: label -> key: message``; ``item`` finds an element of a list."""
        path = f"{self.label} -> {key}" if key else self.label
        line = self.line(key, item)
        where = f"{self.doc.display}:{line}" if line else self.doc.display
        return ConfigError(f"{where}: {path}: {message}")

    def line(self, key: str | None, item: str | None = None) -> int | None:
        """Line of this table's header, of ``key`` in it, or of ``item`` in key's list."""
        lines = self.doc.text.splitlines()
        start: int | None = None
        seen = -1
        for number, text in enumerate(lines):
            match = _HEADER_LINE.match(text)
            if match and match.group(1).strip("\"' ") == self.table:
                seen += 1
                if self.index is None or seen == self.index:
                    start = number
                    break
        if start is None:  # written as an inline table: fall back to the first mention
            return self.doc.line_of(self.table, *((key,) if key else ()))
        if key is None:
            return start + 1
        key_line = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for number in range(start + 1, len(lines)):
            if _HEADER_LINE.match(lines[number]):
                break
            if key_line.match(lines[number]):
                return self._item_line(lines, number, item) if item is not None else number + 1
        return start + 1

    @staticmethod
    def _item_line(lines: list[str], key_number: int, item: str) -> int:
        forms = (item, item.replace("\\", "\\\\").replace('"', '\\"'))
        for number in range(key_number, len(lines)):
            if number > key_number and (
                _HEADER_LINE.match(lines[number]) or _KEY_LINE.match(lines[number])
            ):
                break
            if any(form in lines[number] for form in forms):
                return number + 1
        return key_number + 1


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


def _entries(doc: tomlfile.TomlDoc, data: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    value = data.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise doc.error(f"{name}: write each rule as a [[{name}]] table", name)
    return value


def _unique_ids(doc: tomlfile.TomlDoc, kind: str, ids: list[str]) -> None:
    """Ids become flag codes that routes match on, so two rules must not share one."""
    seen: set[str] = set()
    for index, rule_id in enumerate(ids):
        if rule_id in seen:
            where = _Where(doc, kind, index, f"{kind} {rule_id!r}")
            raise where.error("declared twice (ids must be unique)", "id")
        seen.add(rule_id)


def _optional_table(
    doc: tomlfile.TomlDoc,
    data: Mapping[str, Any],
    name: str,
    parse: Callable[[_Where, dict[str, Any]], _T],
) -> _T | None:
    """None when the table is absent (that check is off), else the parsed table."""
    if name not in data:
        return None
    table = data[name]
    if not isinstance(table, dict):
        raise doc.error(f"{name}: expected a [{name}] table, got {_shown(table)}", name)
    return parse(_Where(doc, name, None, name), table)


def _reject_unknown(where: _Where, table: Mapping[str, Any], allowed: Sequence[str]) -> None:
    for key in table:
        if key not in allowed:
            hint = ", ".join(sorted(allowed))
            raise where.error(f"unknown key (expected one of: {hint})", key)


def _text(where: _Where, table: Mapping[str, Any], key: str, *, default: str | None) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value.strip():
        needed = "required text" if default is None else "expected text"
        got = "" if key not in table else f", got {_shown(value)}"
        raise where.error(f"{needed}{got}", key if key in table else None)
    return value.strip()


def _rule_id(where: _Where, table: Mapping[str, Any]) -> str:
    rule_id = _text(where, table, "id", default=None)
    if not _ID.match(rule_id):
        raise where.error(
            f"{rule_id!r}: use lower-case letters, digits and _ (it becomes a flag code)", "id"
        )
    return rule_id


def _severity(where: _Where, table: Mapping[str, Any]) -> str:
    value = table.get("severity")
    if value not in SEVERITIES:
        got = "it is missing" if "severity" not in table else f"got {_shown(value)}"
        raise where.error(
            f"expected one of {', '.join(SEVERITIES)}; {got}",
            "severity" if "severity" in table else None,
        )
    assert isinstance(value, str)
    return value


def _types(where: _Where, table: Mapping[str, Any]) -> frozenset[str]:
    if "types" not in table:
        return frozenset(CONTRACT_TYPES)
    value = table["types"]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise where.error(f"expected a list of contract types, got {_shown(value)}", "types")
    for ctype in value:
        if ctype not in CONTRACT_TYPES:
            raise where.error(
                f"{ctype!r} is not a contract type (expected one of {', '.join(CONTRACT_TYPES)})",
                "types",
            )
    return frozenset(value)


def _patterns(
    where: _Where, table: Mapping[str, Any], key: str, *, required: bool, need_days: bool = False
) -> tuple[re.Pattern[str], ...]:
    if key not in table:
        if required:
            raise where.error(f"{key} is required (a list of regular expressions)")
        return ()
    value = table[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise where.error(f"expected a list of regular expressions, got {_shown(value)}", key)
    if required and not value:
        raise where.error("needs at least one regular expression", key)
    compiled: list[re.Pattern[str]] = []
    for source in value:
        try:
            pattern = re.compile(source)
        except re.error as exc:
            raise where.error(
                f"bad regular expression {source!r}: {exc.msg} at position {exc.pos}", key, source
            ) from exc
        if pattern.search("") is not None:
            raise where.error(
                f"{source!r} matches empty text, so it would match everywhere", key, source
            )
        if need_days and "days" not in pattern.groupindex:
            raise where.error(
                f"{source!r} needs a (?P<days>...) group capturing the number of days",
                key,
                source,
            )
        compiled.append(pattern)
    return tuple(compiled)


def _reason(where: _Where, table: Mapping[str, Any], default: str) -> str:
    return _text(where, table, "reason", default=default).rstrip(".")


def _required_clause(where: _Where, table: dict[str, Any]) -> RequiredClause:
    where = where.named(table["id"]) if isinstance(table.get("id"), str) else where
    _reject_unknown(where, table, _REQUIRED_KEYS)
    rule_id = _rule_id(where, table)
    return RequiredClause(
        id=rule_id,
        name=_text(where, table, "name", default=rule_id.replace("_", " ")),
        types=_types(where, table),
        severity=_severity(where, table),
        patterns=_patterns(where, table, "patterns", required=True),
        reason=_reason(where, table, "the company's contracts of this type must have one"),
    )


def _phrase(where: _Where, table: dict[str, Any]) -> PhraseRule:
    where = where.named(table["id"]) if isinstance(table.get("id"), str) else where
    _reject_unknown(where, table, _PHRASE_KEYS)
    rule_id = _rule_id(where, table)
    return PhraseRule(
        id=rule_id,
        types=_types(where, table),
        severity=_severity(where, table),
        patterns=_patterns(where, table, "patterns", required=True),
        unless=_patterns(where, table, "unless", required=False),
        reason=_reason(where, table, "the rules flag this wording for review"),
    )


def _payment_terms(where: _Where, table: dict[str, Any]) -> PaymentTermsRule:
    _reject_unknown(where, table, _PAYMENT_KEYS)
    max_days = table.get("max_days")
    if isinstance(max_days, bool) or not isinstance(max_days, int) or max_days < 0:
        got = "it is missing" if "max_days" not in table else f"got {_shown(max_days)}"
        raise where.error(
            f"expected a whole number of days; {got}",
            "max_days" if "max_days" in table else None,
        )
    fields = table.get("fields", ["payment_days"])
    if not isinstance(fields, list) or not all(
        isinstance(f, str) and re.match(r"^[a-z][a-z0-9_]*$", f) for f in fields
    ):
        raise where.error(f"expected a list of field names, got {_shown(fields)}", "fields")
    extra = _patterns(where, table, "extra_patterns", required=False, need_days=True)
    return PaymentTermsRule(
        max_days=max_days,
        severity=_severity(where, table),
        types=_types(where, table),
        fields=tuple(fields),
        patterns=PAYMENT_PATTERNS + extra,
        reason=_reason(where, table, "longer payment terms need finance's agreement"),
    )


def _amount_words(where: _Where, table: dict[str, Any]) -> AmountWordsRule:
    _reject_unknown(where, table, _AMOUNT_KEYS)
    return AmountWordsRule(
        severity=_severity(where, table),
        reason=_reason(where, table, "words and figures that disagree make the price ambiguous"),
    )


def _nonstandard(where: _Where, table: dict[str, Any]) -> NonstandardRule:
    _reject_unknown(where, table, _NONSTANDARD_KEYS)
    return NonstandardRule(
        severity=_severity(where, table),
        reason=_reason(where, table, "edited standard wording has not been approved by legal"),
    )


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
) -> list[RiskFlag]:
    """Every flag the rules raise on one contract, worst first, then in clause order.

    ``text`` is the contract's extracted text (one paragraph per line); ``fields`` its
    stored field values as JSON data (money as ``{"minor", "currency"}``), empty for an
    imported contract. With ``template_text`` (the template DOCX's text, tags and all)
    and ``standard_clauses``, each standard clause whose wording changed is flagged.
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
