"""Risk rules: rules/risk.toml read and validated into frozen dataclasses.

This module holds the rule file's format: :func:`load_risk_rules` and
:func:`parse_risk_rules`, the :class:`RiskRules` they return and its rule dataclasses
(:class:`RequiredClause`, :class:`PhraseRule`, :class:`PaymentTermsRule`,
:class:`AmountWordsRule`, :class:`NonstandardRule`), the payment-term patterns every
payment rule starts from, and the helpers that check each table and key. Every mistake
in the file is a ConfigError that names ``file:line`` and the rule, and unknown keys are
errors, as for every rule file contractctl reads.

It was split out of :mod:`contractctl.approval.risk`, which keeps the checks that apply these
rules, so that each module stays a size one can read whole and the rule format can be
changed without reading the checks. The dependency runs one way: risk imports this
module, never the reverse, so :data:`SEVERITIES` lives here, where both the validation
of a rule's severity and the checks' flags can use it. :mod:`contractctl.approval.risk`
re-exports the public names, so ``from contractctl.approval.risk import load_risk_rules`` keeps
working.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeVar

from contractctl import tomlfile
from contractctl.drafting.schema import CONTRACT_TYPES
from contractctl.errors import ConfigError

__all__ = [
    "PAYMENT_PATTERNS",
    "RULES_VERSION",
    "SEVERITIES",
    "AmountWordsRule",
    "NonstandardRule",
    "PaymentTermsRule",
    "PhraseRule",
    "RequiredClause",
    "RiskRules",
    "load_risk_rules",
    "parse_risk_rules",
]

SEVERITIES: Final = ("low", "medium", "high")
RULES_VERSION: Final = 1

_TOP_KEYS = ("version", "required_clause", "phrase", "payment_terms", "amount_words", "nonstandard")
_REQUIRED_KEYS = ("id", "name", "types", "severity", "patterns", "reason")
_PHRASE_KEYS = ("id", "types", "severity", "patterns", "unless", "reason")
_PAYMENT_KEYS = ("max_days", "severity", "types", "fields", "extra_patterns", "reason")
_AMOUNT_KEYS = ("severity", "reason")
_NONSTANDARD_KEYS = ("severity", "reason")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_T = TypeVar("_T")


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
