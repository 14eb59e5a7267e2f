"""Milestones in a template's schema: checked with file and line; planned into dated,
exact amounts; found for a store that registered its templates before milestones."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from contractctl import tomlfile
from contractctl.drafting.schema import load_schema, parse_schema
from contractctl.errors import ConfigError
from contractctl.obligations.schedule import add_offset, plan
from contractctl.store import Store
from tests.conftest import REPO


def _schema(edit: str, new: str) -> str:
    text = (REPO / "templates" / "purchase-en.toml").read_text(encoding="utf-8")
    assert edit in text
    return text.replace(edit, new, 1)


@pytest.mark.parametrize(
    ("edit", "new", "message"),
    [
        ('after = "delivery"', 'after = "balance"', "an earlier milestone"),
        ('days = "acceptance_days"', 'days = "delivery_place"', "not a integer field"),
        ('share = "rest"', "share = 120", "a percent"),
        ('date = "delivery_date"', 'date = "delivery_date"\nafter = "signing"', "one of after"),
        ('by = "counterparty"', 'by = "seller"', "company or counterparty"),
    ],
)
def test_a_mistake_in_a_milestone_names_the_file_and_line(
    edit: str, new: str, message: str
) -> None:
    doc = tomlfile.parse(_schema(edit, new), path=Path("x.toml"), display="purchase-en.toml")
    with pytest.raises(ConfigError) as caught:
        parse_schema(doc)
    assert message in caught.value.message
    assert re.match(r"purchase-en\.toml:\d+: milestones -> ", caught.value.message)


def test_shares_round_half_up_and_the_rest_makes_up_the_price() -> None:
    spec = load_schema(REPO / "templates" / "purchase-en.toml")
    values = {
        "amount": {"minor": 100001, "currency": "USD"},
        "advance_payment": True,
        "advance_percent": 33,
        "payment_days": 10,
        "delivery_date": "2027-01-29",
        "acceptance_days": 3,
        "warranty_months": 1,
    }
    planned = {p.milestone: p for p in plan(spec.milestones, values, date(2027, 1, 1))}
    assert planned["prepayment"].amount.minor == 33000  # 33% of 1000.01 = 330.0033
    assert planned["balance"].amount.minor == 100001 - 33000
    assert planned["warranty"].expected == date(2027, 3, 1)  # Feb 1 + 1 month
    values["advance_payment"] = False
    assert "prepayment" not in {p.milestone for p in plan(spec.milestones, values, date.today())}


def test_working_days_skip_the_weekend() -> None:
    assert add_offset(date(2026, 12, 4), 1, "workdays") == date(2026, 12, 7)  # Fri -> Mon
    assert add_offset(date(2027, 1, 31), 1, "months") == date(2027, 2, 28)


def test_a_store_registered_before_milestones_uses_the_shipped_ones(store: Store) -> None:
    from contractctl.obligations.schedule import _milestones_for

    text = (REPO / "templates" / "purchase-en.toml").read_text(encoding="utf-8")
    old = text[: text.index("# Milestones")] + text[text.index("[sample]") :]
    with store.transaction("tester") as tx:
        sha = tx.put_bytes(old.encode("utf-8"))
        tx.conn.execute("UPDATE templates SET schema_sha = ? WHERE name = 'purchase-en'", (sha,))
        row = {"template": "purchase-en", "template_version": 1}
        names = [m.name for m in _milestones_for(tx, row)]
    assert names == ["prepayment", "delivery", "acceptance", "balance", "warranty"]


def test_a_sale_is_paid_by_the_buyer_and_counts_from_our_delivery() -> None:
    spec = load_schema(REPO / "templates" / "sales-zh.toml")
    values = {k: str(v) if isinstance(v, date) else v for k, v in spec.sample.items()}
    values["amount"] = {"minor": 10000000, "currency": "CNY"}
    values["deposit_amount"] = {"minor": 1000000, "currency": "CNY"}
    values["deposit_required"] = True
    planned = {p.milestone: p for p in plan(spec.milestones, values, date(2026, 12, 7))}
    assert {m: p.party for m, p in planned.items()} == {
        "deposit": "counterparty",
        "prepayment": "counterparty",
        "delivery": "company",
        "acceptance": "counterparty",
        "balance": "counterparty",
        "warranty": "company",
    }
    assert planned["deposit"].due == date(2026, 12, 14)  # five working days
    assert planned["balance"].after == "delivery"
    total = sum(p.amount.minor for p in planned.values() if p.amount)
    assert total == 10000000
