"""`rules explain`: why each route of an approval table did or did not apply.

For one contract's facts, every route in file order with each condition's expectation,
the fact it was tested against and whether it held, and whether the route applied under
the hit policy. A view over :mod:`~contractctl.approval.route_table` for people (the CLI,
the demo) rather than part of the decision, so it is kept apart from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from contractctl.approval.route_table import Condition, Facts, Route, RuleSet
from contractctl.money import Money, format_money


@dataclass(frozen=True)
class RouteExplanation:
    """Why one route did or did not apply."""

    route: Route
    matched: bool
    applied: bool
    checks: list[tuple[Condition, bool, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON form of `rules explain`."""
        return {
            "route": self.route.id,
            "description": self.route.description,
            "matched": self.matched,
            "applied": self.applied,
            "conditions": [
                {"condition": c.describe(), "key": c.key, "holds": ok, "value": _plain(value)}
                for c, ok, value in self.checks
            ],
            "stages": [s.label for s in self.route.stages],
        }


def _plain(value: Any) -> Any:
    if isinstance(value, Money):
        return format_money(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def explain(rules: RuleSet, facts: Facts) -> list[RouteExplanation]:
    """Every route, whether it matched, whether it applied, and each condition's value."""
    out: list[RouteExplanation] = []
    applied_any = False
    for route in rules.routes:
        checks = route.evaluate(facts)
        matched = all(ok for _, ok, _ in checks)
        applied = matched and not (rules.hit_policy == "first" and applied_any)
        applied_any = applied_any or applied
        out.append(RouteExplanation(route, matched, applied, checks))
    return out
