"""A template's sidecar TOML schema, validated into frozen dataclasses.

The schema is the contract between a template author and everyone who drafts from
the template: which fields exist, their types and limits, labels in Chinese and
English, and which clauses are the company's standard wording. Every mistake in it is
reported with file and line (`purchase-zh.toml:42: fields -> amount -> min: ...`),
and unknown keys are errors, so a typo never silently drops a validation rule.

The dataclasses themselves live in :mod:`~contractctl.drafting.specs`; a field's
default and the sample values are checked by :mod:`~contractctl.drafting.fields`.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from contractctl import tomlfile
from contractctl.drafting.fields import FieldProblem, coerce_value, validate_values
from contractctl.drafting.milestones import parse_milestones
from contractctl.drafting.specs import FieldSpec, ShareLimit, TemplateSpec
from contractctl.errors import ConfigError

FIELD_TYPES = ("text", "money", "date", "integer", "decimal", "boolean", "enum", "party", "table")
CONTRACT_TYPES = ("purchase", "sales", "service", "lease", "nda", "other")
LANGUAGES = ("zh", "en")
FIELD_KEYS = (
    "name",
    "type",
    "required",
    "default",
    "label",
    "help",
    "pattern",
    "min",
    "max",
    "choices",
    "currency",
    "columns",
    "required_if",
    "max_share",
)
SHARE_KEYS = ("of", "percent", "law")
TEMPLATE_KEYS = (
    "name",
    "version",
    "type",
    "language",
    "title",
    "description",
    "signatories",
    "standard_clauses",
)
#: Field names are identifiers (``Chinese`` as well as ``amount``) ...
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
#: ... except the words Jinja reads as its own, which a placeholder could never reach.
_JINJA_WORDS = frozenset(
    [
        "and",
        "or",
        "not",
        "in",
        "is",
        "if",
        "else",
        "elif",
        "for",
        "endfor",
        "true",
        "false",
        "none",
        "True",
        "False",
        "None",
        "loop",
        "range",
        "recursive",
        "with",
        "without",
        "import",
        "as",
        "set",
        "block",
    ]
)
_TEMPLATE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
#: Names a template sees besides its fields (filled by drafting, never by the user).
RESERVED_NAMES = ("company",)


def load_schema(path: Path, *, display: str | None = None) -> TemplateSpec:
    """Read and validate a template schema file."""
    doc = tomlfile.load(path, display=display or path.name)
    return parse_schema(doc)


def parse_schema(doc: tomlfile.TomlDoc) -> TemplateSpec:
    """Validate a parsed schema document; the first problem raises ConfigError."""
    tomlfile.reject_unknown(doc, doc.data, ("template", "fields", "sample", "milestones"))
    head = doc.data.get("template")
    if not isinstance(head, dict):
        raise doc.error("a schema needs a [template] table")
    tomlfile.reject_unknown(doc, head, TEMPLATE_KEYS, "template")
    name = _required_str(doc, head, "name", "template")
    if not _TEMPLATE_NAME.match(name):
        raise doc.error(
            f"template -> name: {name!r}: use lower-case letters, digits and '-'",
            "template",
            "name",
        )
    version = head.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise doc.error("template -> version: a whole number from 1", "template", "version")
    ctype = _required_str(doc, head, "type", "template")
    if ctype not in CONTRACT_TYPES:
        raise doc.error(
            f"template -> type: {ctype!r} is not one of {', '.join(CONTRACT_TYPES)}",
            "template",
            "type",
        )
    language = _required_str(doc, head, "language", "template")
    if language not in LANGUAGES:
        raise doc.error(
            f"template -> language: {language!r} is not one of {', '.join(LANGUAGES)}",
            "template",
            "language",
        )
    signatories = head.get("signatories", ["company", "counterparty"])
    if not isinstance(signatories, list) or not all(isinstance(s, str) for s in signatories):
        raise doc.error("template -> signatories: a list of names", "template", "signatories")
    clauses = head.get("standard_clauses", [])
    if not isinstance(clauses, list) or not all(
        isinstance(c, int) and not isinstance(c, bool) and c >= 1 for c in clauses
    ):
        raise doc.error(
            "template -> standard_clauses: a list of clause numbers", "template", "standard_clauses"
        )
    raw_fields = doc.data.get("fields", [])
    if not isinstance(raw_fields, list) or not raw_fields:
        raise doc.error("a schema declares its fields as [[fields]] tables")
    fields = tuple(_parse_field(doc, raw, ("fields",), allow_table=True) for raw in raw_fields)
    seen: set[str] = set()
    for declared in fields:
        if declared.name in seen:
            raise doc.error(f"fields -> {declared.name}: declared twice", "fields", declared.name)
        if declared.name in RESERVED_NAMES:
            raise doc.error(
                f"fields -> {declared.name}: reserved (filled from contractctl.toml)",
                declared.name,
            )
        seen.add(declared.name)
    money = {f.name for f in fields if f.type == "money"}
    for declared in fields:
        if declared.max_share and declared.max_share.of not in money:
            raise doc.error(
                f"fields -> {declared.name} -> max_share -> of: "
                f"'{declared.max_share.of}' is not a money field of this template",
                declared.name,
                "max_share",
            )
        if declared.required_if and declared.required_if[0] not in seen:
            raise doc.error(
                f"fields -> {declared.name} -> required_if: no field {declared.required_if[0]!r}",
                declared.name,
                "required_if",
            )
    sample = doc.data.get("sample", {})
    if not isinstance(sample, dict):
        raise doc.error("sample: expected a table", "sample")
    spec = TemplateSpec(
        name=name,
        version=version,
        type=ctype,
        language=language,
        title=_required_str(doc, head, "title", "template"),
        description=str(head.get("description", "")),
        signatories=tuple(signatories),
        standard_clauses=tuple(sorted(set(clauses))),
        fields=fields,
        sample=sample,
        milestones=parse_milestones(doc, doc.data.get("milestones"), fields),
    )
    if sample:
        _check_sample(doc, spec)
    return spec


def _required_str(doc: tomlfile.TomlDoc, table: dict[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise doc.error(f"{where} -> {key}: required text", where, key)
    return value.strip()


def _parse_field(
    doc: tomlfile.TomlDoc, raw: Any, where: tuple[str, ...], *, allow_table: bool
) -> FieldSpec:
    if not isinstance(raw, dict):
        raise doc.error(f"{' -> '.join(where)}: each field is a table", *where)
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise doc.error(
            f"{' -> '.join(where)}: a field needs a name of letters, digits and _ that "
            f"starts with a letter (got {name!r})",
            *where,
        )
    if name in _JINJA_WORDS:
        raise doc.error(
            f"{' -> '.join(where)}: {name!r} is a word of the template language, which a "
            "placeholder cannot name; choose another field name",
            *where,
        )
    path = (*where, name)
    label = " -> ".join(path)
    tomlfile.reject_unknown(doc, raw, FIELD_KEYS, *path)
    ftype = raw.get("type")
    if ftype not in FIELD_TYPES:
        raise doc.error(
            f"{label} -> type: {ftype!r} is not one of {', '.join(FIELD_TYPES)}", name, "type"
        )
    if ftype == "table" and not allow_table:
        raise doc.error(f"{label}: a table column cannot itself be a table", name, "type")
    labels = raw.get("label", {})
    if isinstance(labels, str):
        labels = {"zh": labels, "en": labels}
    if not isinstance(labels, dict) or set(labels) - {"zh", "en"}:
        raise doc.error(f"{label} -> label: a table with zh and/or en", name, "label")
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise doc.error(f"{label} -> required: true or false", name, "required")
    choices = raw.get("choices", [])
    if ftype == "enum" and (not isinstance(choices, list) or not choices):
        raise doc.error(f"{label} -> choices: an enum needs a list of choices", name, "choices")
    if ftype != "enum" and choices:
        raise doc.error(f"{label} -> choices: only enum fields have choices", name, "choices")
    pattern = raw.get("pattern")
    if pattern is not None:
        if ftype != "text":
            raise doc.error(f"{label} -> pattern: only text fields have a pattern", name, "pattern")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise doc.error(
                f"{label} -> pattern: invalid regular expression: {exc}", name, "pattern"
            ) from exc
    currency = raw.get("currency")
    if currency is not None:
        from contractctl.money import CURRENCIES

        if ftype != "money":
            raise doc.error(f"{label} -> currency: only money fields", name, "currency")
        if currency not in CURRENCIES:
            raise doc.error(f"{label} -> currency: unknown {currency!r}", name, "currency")
    columns: tuple[FieldSpec, ...] = ()
    if ftype == "table":
        raw_columns = raw.get("columns")
        if not isinstance(raw_columns, list) or not raw_columns:
            raise doc.error(f"{label} -> columns: a table needs [[fields.columns]]", name)
        columns = tuple(
            _parse_field(doc, c, (*path, "columns"), allow_table=False) for c in raw_columns
        )
    elif "columns" in raw:
        raise doc.error(f"{label} -> columns: only table fields have columns", name, "columns")
    required_if = None
    if "required_if" in raw:
        condition = raw["required_if"]
        if not isinstance(condition, str) or not condition.strip():
            raise doc.error(
                f"{label} -> required_if: 'other_field' or 'other_field == value'",
                name,
                "required_if",
            )
        other, _, equals = (part.strip() for part in condition.partition("=="))
        required_if = (other, equals.strip("\"'") or None)
    max_share = _share_limit(doc, raw, ftype, label, name) if "max_share" in raw else None
    spec = FieldSpec(
        name=name,
        type=ftype,
        required=required,
        required_if=required_if,
        label_zh=str(labels.get("zh", "")),
        label_en=str(labels.get("en", "")),
        help=str(raw.get("help", "")),
        pattern=pattern,
        choices=tuple(str(c) for c in choices),
        currency=currency,
        columns=columns,
        max_share=max_share,
    )
    bounds = {}
    for key in ("min", "max"):
        if key in raw:
            bounds[key] = _bound(doc, spec, key, raw[key])
    default = raw.get("default")
    spec = FieldSpec(**{**spec.__dict__, **bounds})
    if default is not None:
        try:
            default = coerce_value(spec, default)
        except FieldProblem as exc:
            raise doc.error(f"{label} -> default: {exc.expected}", name, "default") from exc
        spec = FieldSpec(**{**spec.__dict__, "default": default})
    return spec


def _share_limit(
    doc: tomlfile.TomlDoc, raw: dict[str, Any], ftype: str, label: str, name: str
) -> ShareLimit:
    """``max_share = { of = "amount", percent = 20, law = "民法典第五百八十六条" }``."""
    table = raw["max_share"]
    if ftype != "money":
        raise doc.error(f"{label} -> max_share: only money fields", name, "max_share")
    if not isinstance(table, dict):
        raise doc.error(
            f"{label} -> max_share: a table {{ of = FIELD, percent = N, law = TEXT }}",
            name,
            "max_share",
        )
    tomlfile.reject_unknown(doc, table, SHARE_KEYS, name, "max_share")
    of, percent, law = table.get("of"), table.get("percent"), table.get("law", "")
    if not isinstance(of, str) or not of or of == name:
        raise doc.error(f"{label} -> max_share -> of: another money field", name, "max_share")
    try:
        share = Decimal(str(percent)) if not isinstance(percent, bool) else Decimal("NaN")
    except InvalidOperation:
        share = Decimal("NaN")
    if not share.is_finite() or not 0 < share <= 100:
        raise doc.error(
            f"{label} -> max_share -> percent: a number above 0 and at most 100", name, "max_share"
        )
    if not isinstance(law, str):
        raise doc.error(f"{label} -> max_share -> law: text", name, "max_share")
    return ShareLimit(of=of, percent=share, law=law.strip())


def _bound(doc: tomlfile.TomlDoc, spec: FieldSpec, key: str, value: Any) -> Any:
    """Limits are typed like the field: lengths for text, rows for tables, amounts..."""
    where = f"fields -> {spec.name} -> {key}"
    try:
        if spec.type in ("text", "table", "integer"):
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError("a whole number")
            return value
        if spec.type == "decimal":
            return Decimal(str(value))
        if spec.type == "money":
            from contractctl.money import parse_money

            return parse_money(str(value), spec.currency or "CNY")
        if spec.type == "date":
            return value if isinstance(value, date) else date.fromisoformat(str(value))
    except (ValueError, InvalidOperation, ConfigError) as exc:
        raise doc.error(
            f"{where}: not a valid limit for a {spec.type} field ({exc})", spec.name, key
        ) from exc
    except Exception as exc:  # InvalidInput from parse_money
        raise doc.error(
            f"{where}: not a valid limit for a {spec.type} field ({exc})", spec.name, key
        ) from exc
    raise doc.error(f"{where}: a {spec.type} field has no {key}", spec.name, key)


def _check_sample(doc: tomlfile.TomlDoc, spec: TemplateSpec) -> None:
    problems = validate_values(spec, spec.sample, resolve_party=None)[1]
    if problems:
        first = problems[0]
        raise doc.error(
            f"sample -> {first.field}: {first.expected}", "sample", first.field.split("[")[0]
        )
