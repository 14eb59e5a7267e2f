"""Static checks of an approval table: every route reachable under its hit policy.

`rules check` proves more than that the file parses: a route whose amount bounds exclude
each other can never match; under ``first``, a route that an earlier route covers (every
contract it matches, the earlier one matches too) is dead; under ``unique``, no two routes
may overlap. These checks reason about the set of contracts each route can match, not
about any one contract, so they are kept apart from the decision table
(:mod:`~contractctl.approval.route_table`) and from reading the file
(:mod:`~contractctl.approval.route_rules`, which runs them after loading).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contractctl import tomlfile
from contractctl.approval.route_table import SEVERITIES, Route, RuleSet


def _space(route: Route) -> dict[str, Any]:
    """The set of contracts a route can match, per dimension (absent = anything)."""
    space: dict[str, Any] = {}
    for condition in route.conditions:
        if condition.key == "amount_min":
            space["amount_min"] = condition.expected
        elif condition.key == "amount_max":
            space["amount_max"] = condition.expected
        else:
            space[condition.key] = condition.expected
    return space


def _satisfiable(space: Mapping[str, Any]) -> bool:
    low, high = space.get("amount_min"), space.get("amount_max")
    return not (low and high and (low.currency != high.currency or low.minor > high.minor))


def _covers(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Every contract route b can match, route a matches too."""
    for key, expected in a.items():
        if key not in b:
            return False
        other = b[key]
        if key == "amount_min":
            if other.currency != expected.currency or other.minor < expected.minor:
                return False
        elif key == "amount_max":
            if other.currency != expected.currency or other.minor > expected.minor:
                return False
        elif key in ("amount_change_pct_min",):
            if other < expected:
                return False
        elif key == "risk_severity_min":
            if SEVERITIES.index(other) < SEVERITIES.index(expected):
                return False
        elif isinstance(expected, frozenset):
            if key == "risk_flags":
                if not other <= expected:
                    return False
            elif not other <= expected:
                return False
        elif other != expected:
            return False
    return True


def _overlap(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Some contract could match both routes."""
    merged = dict(a)
    for key, other in b.items():
        if key not in merged:
            merged[key] = other
            continue
        mine = merged[key]
        if key == "amount_min":
            if mine.currency != other.currency:
                return False
            merged[key] = max(mine, other, key=lambda m: m.minor)
        elif key == "amount_max":
            if mine.currency != other.currency:
                return False
            merged[key] = min(mine, other, key=lambda m: m.minor)
        elif key in ("amount_change_pct_min", "risk_severity_min", "risk_flags"):
            continue  # thresholds and any-of flag lists can always hold together
        elif isinstance(mine, frozenset):
            if not mine & other:
                return False
        elif mine != other:
            return False
    return _satisfiable(merged)


def check_reachability(doc: tomlfile.TomlDoc, rules: RuleSet) -> None:
    """Refuse a table with a route that can never apply, or, under ``unique``, two routes
    that could apply together; the error names the file, line and route."""
    spaces = [_space(r) for r in rules.routes]
    for route, space in zip(rules.routes, spaces, strict=True):
        if not _satisfiable(space):
            raise doc.error(
                f"route {route.id!r}: unreachable: amount_min is above amount_max", route.id
            )
    if rules.hit_policy == "first":
        for index, route in enumerate(rules.routes):
            for earlier, space in zip(rules.routes[:index], spaces[:index], strict=True):
                if _covers(space, spaces[index]):
                    raise doc.error(
                        f"route {route.id!r}: unreachable under hit_policy first: route "
                        f"{earlier.id!r} above it matches every contract it matches",
                        route.id,
                    )
    if rules.hit_policy == "unique":
        for index, route in enumerate(rules.routes):
            for earlier, space in zip(rules.routes[:index], spaces[:index], strict=True):
                if _overlap(space, spaces[index]):
                    raise doc.error(
                        f"route {route.id!r}: overlaps route {earlier.id!r} under hit_policy "
                        "unique: some contract would match both",
                        route.id,
                    )
