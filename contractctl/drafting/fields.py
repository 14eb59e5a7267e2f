"""Validating contract data against a template's field schema.

Values arrive as TOML, JSON, CSV cells or `--set k=v` strings; they leave as typed
Python values (Money, date, Decimal, int, bool, party dicts, lists of rows). Every
problem is collected, so the user fixes a data file once, not once per error. Where a
contract's numbers must agree (a row's amount is quantity × unit price; the total is
the sum of the rows) a missing figure is computed and a wrong one is reported: a
contract must come out right the first time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from contractctl.errors import ContractctlError
from contractctl.money import Money, format_money, parse_money
from contractctl.records.parties import PARTY_ATTRIBUTES

if TYPE_CHECKING:
    from contractctl.drafting.specs import FieldSpec, TemplateSpec

_TRUE = {"true", "yes", "y", "1", "是", "有", "on"}
_FALSE = {"false", "no", "n", "0", "否", "无", "off"}
_CN_DATE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")

PartyResolver = Callable[[Any], dict[str, Any]]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data: which field, the value given, what was expected,
    and for a batch the CSV row (its own key in JSON, never glued into the field)."""

    field: str
    value: Any
    expected: str
    row: int | None = None

    def __str__(self) -> str:
        shown = "" if self.value is None else f" = {_short(self.value)}"
        where = "" if self.row is None else f"row {self.row}: "
        return f"{where}{self.field}{shown}: {self.expected}"

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of one problem: ``value`` is null when none was given."""
        data: dict[str, Any] = {} if self.row is None else {"row": self.row}
        value = None if self.value is None else _short(self.value, quoted=False)
        return {**data, "field": self.field, "value": value, "expected": self.expected}


class FieldProblem(Exception):
    """Raised by ``coerce_value`` for a single bad value."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def _short(value: Any, *, quoted: bool = True) -> str:
    text = repr(value) if quoted and isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def coerce_value(spec: FieldSpec, value: Any, resolve_party: PartyResolver | None = None) -> Any:
    """Convert one raw value to the field's type and check its limits."""
    kind = spec.type
    if kind == "text":
        if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
            raise FieldProblem("text expected")
        text = str(value).strip()
        if spec.min is not None and len(text) < spec.min:
            raise FieldProblem(f"at least {spec.min} characters")
        if spec.max is not None and len(text) > spec.max:
            raise FieldProblem(f"at most {spec.max} characters (has {len(text)})")
        if spec.pattern and not re.fullmatch(spec.pattern, text):
            raise FieldProblem(f"must match the pattern {spec.pattern}")
        return text
    if kind == "money":
        return _money(spec, value)
    if kind == "date":
        return _date(spec, value)
    if kind == "integer":
        number = _integer(value)
        _check_range(spec, number, str(number))
        return number
    if kind == "decimal":
        decimal = _decimal(value)
        _check_range(spec, decimal, str(decimal))
        return decimal
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise FieldProblem("true or false (also yes/no, 是/否)")
    if kind == "enum":
        text = str(value).strip()
        if text not in spec.choices:
            raise FieldProblem(f"one of: {', '.join(spec.choices)}")
        return text
    if kind == "party":
        return _party(value, resolve_party)
    if kind == "table":
        raise FieldProblem("a table is validated row by row")  # handled by validate_values
    raise FieldProblem(f"unknown field type {kind}")


def _money(spec: FieldSpec, value: Any) -> Money:
    currency = spec.currency or "CNY"
    try:
        money = parse_money(value, currency)
    except ContractctlError as exc:
        raise FieldProblem(f"an amount such as 120000.00 or ¥120,000.00 ({exc.message})") from exc
    if money.currency != currency:
        raise FieldProblem(f"an amount in {currency}, not {money.currency}")
    if spec.min is not None and money.minor < spec.min.minor:
        raise FieldProblem(f"at least {format_money(spec.min)}")
    if spec.max is not None and money.minor > spec.max.minor:
        raise FieldProblem(f"at most {format_money(spec.max)}")
    return money


def _date(spec: FieldSpec, value: Any) -> date:
    if isinstance(value, date):
        day = value
    elif isinstance(value, str):
        match = _CN_DATE.match(value)
        try:
            if match:
                day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            else:
                day = date.fromisoformat(value.strip())
        except ValueError as exc:
            raise FieldProblem("a date as YYYY-MM-DD or 2026年11月22日") from exc
    else:
        raise FieldProblem("a date as YYYY-MM-DD or 2026年11月22日")
    _check_range(spec, day, day.isoformat())
    return day


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise FieldProblem("a whole number")
    if isinstance(value, int):
        return value
    try:
        decimal = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise FieldProblem("a whole number") from exc
    if not decimal.is_finite() or decimal != decimal.to_integral_value():
        raise FieldProblem("a whole number")
    return int(decimal)


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise FieldProblem("a number")
    try:
        decimal = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise FieldProblem("a number") from exc
    if not decimal.is_finite():
        raise FieldProblem("a finite number")
    return decimal


def _check_range(spec: FieldSpec, value: Any, shown: str) -> None:
    if spec.min is not None and value < spec.min:
        raise FieldProblem(f"at least {spec.min}")
    if spec.max is not None and value > spec.max:
        raise FieldProblem(f"at most {spec.max}")


def _party(value: Any, resolve_party: PartyResolver | None) -> dict[str, Any]:
    if resolve_party is not None:
        return resolve_party(value)
    if isinstance(value, Mapping):
        unknown = set(value) - set(PARTY_ATTRIBUTES) - {"id", "kind"}
        if unknown:
            raise FieldProblem(f"unknown party attributes: {', '.join(sorted(unknown))}")
        if not str(value.get("name", "")).strip():
            raise FieldProblem("a party needs a name")
        return {k: str(value.get(k, "") or "") for k in PARTY_ATTRIBUTES} | (
            {"id": value["id"]} if "id" in value else {}
        )
    if isinstance(value, str) and value.strip():
        return {"ref": value.strip()}
    raise FieldProblem("a party id (P-0001), credit code or name, or a table of party details")


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def validate_values(
    spec: TemplateSpec,
    data: Mapping[str, Any],
    *,
    resolve_party: PartyResolver | None,
) -> tuple[dict[str, Any], list[Problem]]:
    """Typed values for every declared field, and every problem found.

    Unknown keys are problems (a misspelt field name must not vanish silently);
    missing optional fields are None; defaults fill missing values.
    """
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for key in data:
        if spec.field(key) is None:
            problems.append(Problem(key, None, f"not a field of template {spec.name}"))
    for field_spec in spec.fields:
        raw = data.get(field_spec.name)
        if _missing(raw) or (field_spec.type == "table" and raw == []):
            if field_spec.default is not None:
                values[field_spec.name] = field_spec.default
            elif field_spec.required and not _derivable(spec, field_spec, data):
                problems.append(Problem(field_spec.name, None, f"required ({field_spec.label})"))
                values[field_spec.name] = None
            else:
                values[field_spec.name] = [] if field_spec.type == "table" else None
            continue
        if field_spec.type == "table":
            values[field_spec.name] = _table(field_spec, raw, problems, resolve_party)
            continue
        try:
            values[field_spec.name] = coerce_value(field_spec, raw, resolve_party)
        except FieldProblem as exc:
            problems.append(Problem(field_spec.name, raw, exc.expected))
            values[field_spec.name] = None
    _conditional_requirements(spec, values, problems)
    _reconcile_amounts(spec, values, problems)
    return values, problems


def _conditional_requirements(
    spec: TemplateSpec, values: dict[str, Any], problems: list[Problem]
) -> None:
    """A field required only when another holds: the deposit amount when a deposit is
    agreed, the arbitration body when disputes go to arbitration."""
    for field_spec in spec.fields:
        if field_spec.required_if is None or values.get(field_spec.name) is not None:
            continue
        other, equals = field_spec.required_if
        value = values.get(other)
        applies = bool(value) if equals is None else str(value) == equals
        if applies:
            because = f"{other} is {value}" if equals is not None else f"{other} is set"
            problems.append(
                Problem(field_spec.name, None, f"required when {because} ({field_spec.label})")
            )


def _derivable(spec: TemplateSpec, field_spec: FieldSpec, data: Mapping[str, Any]) -> bool:
    """The total amount may be left out when line items give it."""
    if field_spec.name != "amount" or field_spec.type != "money":
        return False
    return any(
        f.type == "table" and _amount_column(f) is not None and data.get(f.name)
        for f in spec.fields
    )


def _table(
    spec: FieldSpec,
    raw: Any,
    problems: list[Problem],
    resolve_party: PartyResolver | None,
) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not all(isinstance(r, Mapping) for r in raw):
        problems.append(Problem(spec.name, raw, "a list of rows (tables of column values)"))
        return []
    if spec.min is not None and len(raw) < spec.min:
        problems.append(Problem(spec.name, None, f"at least {spec.min} rows (has {len(raw)})"))
    if spec.max is not None and len(raw) > spec.max:
        problems.append(Problem(spec.name, None, f"at most {spec.max} rows (has {len(raw)})"))
    names = {c.name for c in spec.columns}
    rows: list[dict[str, Any]] = []
    for index, row in enumerate(raw, start=1):
        where = f"{spec.name}[{index}]"
        for key in row:
            if key not in names:
                problems.append(Problem(f"{where}.{key}", None, "not a column of this table"))
        out: dict[str, Any] = {}
        for column in spec.columns:
            value = row.get(column.name)
            if _missing(value):
                if column.default is not None:
                    out[column.name] = column.default
                elif column.required and not _row_amount_derivable(spec, column, row):
                    problems.append(
                        Problem(f"{where}.{column.name}", None, f"required ({column.label})")
                    )
                    out[column.name] = None
                else:
                    out[column.name] = None
                continue
            try:
                out[column.name] = coerce_value(column, value, resolve_party)
            except FieldProblem as exc:
                problems.append(Problem(f"{where}.{column.name}", value, exc.expected))
                out[column.name] = None
        rows.append(out)
    return rows


def _amount_column(spec: FieldSpec) -> FieldSpec | None:
    for column in spec.columns:
        if column.name == "amount" and column.type == "money":
            return column
    return None


def _row_amount_derivable(table: FieldSpec, column: FieldSpec, row: Mapping[str, Any]) -> bool:
    names = {c.name for c in table.columns}
    return (
        column.name == "amount"
        and {"quantity", "unit_price"} <= names
        and not _missing(row.get("quantity"))
        and not _missing(row.get("unit_price"))
    )


def _reconcile_amounts(spec: TemplateSpec, values: dict[str, Any], problems: list[Problem]) -> None:
    """Row amount = quantity × unit price; contract amount = sum of row amounts.

    A missing figure is computed; a given one that disagrees is a problem, because a
    contract whose figures disagree is the kind of error that costs money later.
    """
    for table in spec.fields:
        column = _amount_column(table) if table.type == "table" else None
        if column is None:
            continue
        rows = values.get(table.name) or []
        total = 0
        currency = column.currency or "CNY"
        complete = True
        for index, row in enumerate(rows, start=1):
            quantity, price = row.get("quantity"), row.get("unit_price")
            if isinstance(price, Money) and isinstance(quantity, (int, Decimal)):
                exact = Decimal(price.minor) * Decimal(quantity)
                expected = Money(
                    int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)), price.currency
                )
                if row.get("amount") is None:
                    row["amount"] = expected
                elif row["amount"] != expected:
                    problems.append(
                        Problem(
                            f"{table.name}[{index}].amount",
                            format_money(row["amount"]),
                            f"quantity × unit price is {format_money(expected)}",
                        )
                    )
            amount = row.get("amount")
            if isinstance(amount, Money):
                total += amount.minor
            else:
                complete = False
        top = spec.field("amount")
        if top is None or top.type != "money" or not rows or not complete:
            continue
        expected_total = Money(total, currency)
        if values.get("amount") is None:
            values["amount"] = expected_total
        elif values["amount"] != expected_total:
            problems.append(
                Problem(
                    "amount",
                    format_money(values["amount"]),
                    f"the {table.label} rows add up to {format_money(expected_total)}",
                )
            )
