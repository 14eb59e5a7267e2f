"""Field validation: typed values out, every problem reported at once, figures that agree."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from contractctl import tomlfile
from contractctl.drafting.fields import validate_values
from contractctl.drafting.schema import load_schema, parse_schema
from contractctl.drafting.specs import TemplateSpec
from contractctl.errors import ConfigError
from contractctl.money import Money
from tests.conftest import REPO

SCHEMA = """\
[template]
name = "t"
version = 1
type = "purchase"
language = "zh"
title = "采购合同"
standard_clauses = [1]

[[fields]]
name = "contract_no"
type = "text"
required = true
pattern = "^[A-Z]{2}-\\\\d{4}$"

[[fields]]
name = "sign_date"
type = "date"
required = true
min = "2020-01-01"

[[fields]]
name = "counterparty"
type = "party"
required = true

[[fields]]
name = "deposit"
type = "boolean"
default = false

[[fields]]
name = "invoice"
type = "enum"
choices = ["专票", "普票"]
default = "专票"

[[fields]]
name = "days"
type = "integer"
min = 0
max = 180
default = 30

[[fields]]
name = "items"
type = "table"
required = true
min = 1

  [[fields.columns]]
  name = "name"
  type = "text"
  required = true

  [[fields.columns]]
  name = "quantity"
  type = "decimal"
  required = true
  min = 0

  [[fields.columns]]
  name = "unit_price"
  type = "money"
  currency = "CNY"
  required = true

  [[fields.columns]]
  name = "amount"
  type = "money"
  currency = "CNY"
  required = true

[[fields]]
name = "amount"
type = "money"
currency = "CNY"
required = true
"""


def _spec(tmp_path: Path, text: str = SCHEMA) -> TemplateSpec:
    path = tmp_path / "t.toml"
    path.write_text(text, encoding="utf-8")
    return load_schema(path)


GOOD = {
    "contract_no": "CG-2026",
    "sign_date": "2026年11月22日",
    "counterparty": {"name": "星河电子"},
    "deposit": "是",
    "items": [{"name": "服务器", "quantity": "2", "unit_price": "¥61,728.25"}],
}


def test_good_data_comes_out_typed_with_defaults_and_computed_amounts(tmp_path: Path) -> None:
    values, problems = validate_values(_spec(tmp_path), GOOD, resolve_party=None)
    assert problems == []
    assert values["sign_date"] == date(2026, 11, 22)
    assert values["deposit"] is True
    assert values["invoice"] == "专票" and values["days"] == 30
    assert values["items"][0]["quantity"] == Decimal("2")
    assert values["items"][0]["amount"] == Money(12_345_650, "CNY")
    assert values["amount"] == Money(12_345_650, "CNY")


def test_every_problem_is_reported_at_once_with_field_value_and_expectation(
    tmp_path: Path,
) -> None:
    data = {
        "contract_no": "cg 1",
        "sign_date": "03/04/2026",
        "deposit": "maybe",
        "invoice": "收据",
        "days": "200",
        "items": [{"name": "x", "quantity": "-1", "unit_price": "USD 5", "colour": "red"}],
        "amout": "5",
    }
    _, problems = validate_values(_spec(tmp_path), data, resolve_party=None)
    shown = [str(p) for p in problems]
    expected = [
        "amout: not a field of template t",
        "contract_no = 'cg 1': must match the pattern",
        "sign_date = '03/04/2026': a date as YYYY-MM-DD or 2026年11月22日",
        "counterparty: required",
        "deposit = 'maybe': true or false",
        "invoice = '收据': one of: 专票, 普票",
        "days = '200': at most 180",
        "items[1].colour: not a column of this table",
        "items[1].quantity = '-1': at least 0",
        "items[1].unit_price = 'USD 5': an amount in CNY, not USD",
    ]
    # The total is not "missing": it is computed from the rows once they are valid.
    assert not any(line.startswith("amount") for line in shown)
    for wanted in expected:
        assert any(line.startswith(wanted) for line in shown), (wanted, shown)


def test_figures_that_disagree_are_refused(tmp_path: Path) -> None:
    data = {
        **GOOD,
        "items": [{"name": "a", "quantity": 3, "unit_price": "10.00", "amount": "31.00"}],
        "amount": "30.00",
    }
    _, problems = validate_values(_spec(tmp_path), data, resolve_party=None)
    assert [str(p) for p in problems] == [
        "items[1].amount = '¥31.00': quantity × unit price is ¥30.00",
        "amount = '¥30.00': the t.items rows add up to ¥31.00".replace("t.items", "items"),
    ]


@pytest.mark.parametrize(
    "schema", sorted((REPO / "templates").glob("*.toml")), ids=lambda p: p.stem
)
def test_every_shipped_schema_and_its_sample_are_valid(schema: Path) -> None:
    spec = load_schema(schema)
    assert len(spec.fields) >= 5
    assert spec.sample, "a sample is needed for template preview, tests and the demo"
    values, problems = validate_values(spec, spec.sample, resolve_party=None)
    assert problems == []
    assert values["counterparty"]["name"]


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (
            (
                'name = "days"\ntype = "integer"\nmin = 0',
                'name = "days"\ntype = "integer"\namout_max = 0',
            ),
            ":40: fields -> days -> amout_max: unknown key",
        ),
        (('type = "boolean"', 'type = "bool"'), "fields -> deposit -> type: 'bool' is not one of"),
        (('choices = ["专票", "普票"]\n', ""), "fields -> invoice -> choices: an enum needs"),
        (('[template]\nname = "t"', '[template]\nname = "T t"'), "template -> name: 'T t'"),
        (
            (
                'name = "days"\ntype = "integer"\nmin = 0',
                'name = "days"\ntype = "integer"\nmin = "x"',
            ),
            "fields -> days -> min: not a valid limit",
        ),
        (("default = 30", "default = 365"), "fields -> days -> default: at most 180"),
    ],
    ids=[
        "unknown-key",
        "bad-type",
        "enum-without-choices",
        "bad-name",
        "bad-limit",
        "default-out-of-range",
    ],
)
def test_schema_mistakes_name_file_line_and_key(
    tmp_path: Path, edit: tuple[str, str], says: str
) -> None:
    old, new = edit
    assert old in SCHEMA
    with pytest.raises(ConfigError) as caught:
        _spec(tmp_path, SCHEMA.replace(old, new))
    assert caught.value.message.startswith("t.toml:")
    assert says in caught.value.message


def test_an_invalid_sample_is_reported_against_the_schema(tmp_path: Path) -> None:
    text = SCHEMA + '\n[sample]\ncontract_no = "bad"\n'
    with pytest.raises(ConfigError, match="sample -> contract_no"):
        _spec(tmp_path, text)


def test_field_json_has_everything_a_script_needs_to_generate_data(tmp_path: Path) -> None:
    doc = tomlfile.parse(SCHEMA, path=Path("t.toml"), display="t.toml")
    items = parse_schema(doc).field("items")
    assert items is not None
    shape = items.to_dict()
    assert set(shape) >= {
        "name",
        "type",
        "required",
        "default",
        "label",
        "choices",
        "min",
        "max",
        "pattern",
        "columns",
    }
    price = shape["columns"][2]
    assert price["name"] == "unit_price" and price["currency"] == "CNY"


@pytest.mark.parametrize(
    ("limit", "says"),
    [
        (
            'type = "money"\nmax_share = { of = "nope", percent = 20 }',
            "'nope' is not a money field",
        ),
        ('type = "money"\nmax_share = { of = "amount", percent = 120 }', "at most 100"),
        (
            'type = "money"\nmax_share = { of = "amount", per = 20 }',
            "max_share -> per: unknown key",
        ),
        ('type = "text"\nmax_share = { of = "amount", percent = 20 }', "only money fields"),
    ],
    ids=["of-not-money", "percent-over-100", "unknown-key", "not-money"],
)
def test_a_legal_share_limit_is_checked_where_the_schema_states_it(
    tmp_path: Path, limit: str, says: str
) -> None:
    field = f'\n[[fields]]\nname = "deposit_amount"\n{limit}\n'
    with pytest.raises(ConfigError) as caught:
        _spec(tmp_path, SCHEMA + field)
    assert says in caught.value.message


def test_a_legal_share_limit_is_part_of_the_field_json(tmp_path: Path) -> None:
    law = "民法典第五百八十六条"
    field = (
        '\n[[fields]]\nname = "deposit_amount"\ntype = "money"\ncurrency = "CNY"\n'
        f'max_share = {{ of = "amount", percent = 20, law = "{law}" }}\n'
    )
    spec = _spec(tmp_path, SCHEMA + field)
    deposit = spec.field("deposit_amount")
    assert deposit is not None
    assert deposit.to_dict()["max_share"] == {"of": "amount", "percent": "20", "law": law}
