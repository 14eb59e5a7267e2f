"""Legal ceilings a template's schema states on its money fields, checked as risk flags.

A schema may say ``max_share = { of = "amount", percent = 20, law = "民法典第五百八十六条" }``
on a deposit (定金): the law gives the part above 20% of the contract price no effect as
a deposit. The drafter may still need to write it (the parties agreed it), so it is not
refused; it is a high-severity flag at submit, which routes the contract to legal and
names the article. Its own module because the ceiling comes from the template, not from
rules/risk.toml: it holds for every store, whatever its risk policy says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from contractctl.money import Money, format_money

if TYPE_CHECKING:
    from contractctl.drafting.specs import FieldSpec

#: The severity of a breach: high, so the routes for high-risk contracts (legal) apply.
SEVERITY = "high"


def _money(value: Any) -> Money | None:
    if isinstance(value, Money):
        return value
    if isinstance(value, Mapping) and {"minor", "currency"} <= set(value):
        return Money(int(value["minor"]), str(value["currency"]))
    return None


def share_breaches(
    fields: Sequence[FieldSpec], values: Mapping[str, Any]
) -> list[tuple[str, str, str]]:
    """(code, text, message) of an ``over_legal_limit:<field>`` flag for each money field
    above its share of another (same currency only: two currencies are never compared)."""
    flags = []
    by_name = {f.name: f for f in fields}
    for spec in fields:
        limit = spec.max_share
        if limit is None:
            continue
        value, base = _money(values.get(spec.name)), _money(values.get(limit.of))
        if value is None or base is None or value.currency != base.currency or base.minor <= 0:
            continue
        if Decimal(value.minor) * 100 <= Decimal(base.minor) * limit.percent:
            continue
        share = (Decimal(value.minor) * 100 / Decimal(base.minor)).quantize(Decimal("0.1"))
        of = by_name[limit.of].label if limit.of in by_name else limit.of
        law = f" ({limit.law})" if limit.law else ""
        message = (
            f"{spec.label} {format_money(value)} is {share}% of {of} {format_money(base)}; "
            f"the law allows at most {limit.percent.normalize():f}%{law}, and the excess has "
            "no legal effect as agreed."
        )
        text = f"{spec.name} = {format_money(value)}"
        flags.append((f"over_legal_limit:{spec.name}", text, message))
    return flags
