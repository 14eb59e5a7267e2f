"""Reading rules/approval.toml: the TOML validated into a :class:`RuleSet`.

:func:`load_rules` turns the file into the frozen decision table of
:mod:`~contractctl.approval.route_table`. Unknown keys are errors and every mistake names
file, line and key (``rules/approval.toml:14: route 'major' -> when -> amout_max: unknown
key``); with people.toml and risk.toml at hand, unknown roles, people and risk flags are
errors too. The file format lives here, apart from the table it produces, so the table
can be read without the validation; the reachability checks a valid table must also pass
are :mod:`~contractctl.approval.route_checks`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from contractctl import tomlfile
from contractctl.approval.business_days import CALENDARS, Calendar, parse_due
from contractctl.approval.route_checks import check_reachability
from contractctl.approval.route_table import SEVERITIES, Condition, Route, RuleSet, Stage
from contractctl.errors import ConfigError, InvalidInput
from contractctl.money import parse_money

HIT_POLICIES = ("first", "collect", "unique")
MODES = ("all", "any")
RISK_LEVELS = ("low", "medium", "high")
DYNAMIC_ROLES = ("dept_head",)
TOP_KEYS = (
    "version",
    "hit_policy",
    "default_currency",
    "calendar",
    "holidays",
    "extra_workdays",
    "route",
    "approval",
)
ROUTE_KEYS = ("id", "description", "when", "stages")
STAGE_KEYS = ("roles", "people", "mode", "due", "calendar", "escalate_to", "name")
WHEN_KEYS = (
    "type",
    "amount_min",
    "amount_max",
    "standard",
    "counterparty_risk",
    "department",
    "amendment",
    "risk_flags",
    "risk_severity_min",
    "template",
    "amount_change_pct_min",
    "term_extended",
)


def load_rules(
    path: Path,
    *,
    display: str | None = None,
    known_roles: Iterable[str] | None = None,
    known_people: Iterable[str] | None = None,
    known_flags: Iterable[str] | None = None,
) -> RuleSet:
    """Read and validate an approval table; every mistake names file, line and key.

    With ``known_roles``/``known_people`` (from people.toml), stages naming a role nobody
    holds or an unknown person are errors too; with ``known_flags`` (from risk.toml), so
    is a ``risk_flags`` condition naming a flag no risk rule raises.
    """
    raw_bytes = path.read_bytes() if path.exists() else b""
    doc = tomlfile.load(path, display=display or path.name)
    data = doc.data
    tomlfile.reject_unknown(doc, data, TOP_KEYS)
    from contractctl.approval.duties import from_doc

    from_doc(doc)  # [approval]: separation of duties, signed decisions
    policy = data.get("hit_policy", "collect")
    if policy not in HIT_POLICIES:
        raise doc.error(
            f"hit_policy: {policy!r} is not one of {', '.join(HIT_POLICIES)}", "hit_policy"
        )
    currency = data.get("default_currency", "CNY")
    default_calendar = data.get("calendar", "business")
    if default_calendar not in CALENDARS:
        raise doc.error(
            f"calendar: {default_calendar!r} is not one of {', '.join(CALENDARS)}", "calendar"
        )
    calendar = Calendar(_dates(doc, data, "holidays"), _dates(doc, data, "extra_workdays"))
    raw_routes = data.get("route", [])
    if not isinstance(raw_routes, list) or not raw_routes:
        raise doc.error("the table needs at least one [[route]]")
    roles = set(known_roles) | set(DYNAMIC_ROLES) if known_roles is not None else None
    people = set(known_people) if known_people is not None else None
    routes: list[Route] = []
    for raw in raw_routes:
        routes.append(_route(doc, raw, currency, default_calendar, roles, people))
    if known_flags is not None:
        flags = set(known_flags)
        for route in routes:
            for condition in route.conditions:
                unknown = (
                    sorted(set(condition.expected) - flags)
                    if (condition.key == "risk_flags")
                    else []
                )
                if unknown:
                    raise doc.error(
                        f"route {route.id!r} -> when -> risk_flags: no risk rule raises "
                        f"{', '.join(unknown)}",
                        route.id,
                        "risk_flags",
                    )
    ids = [r.id for r in routes]
    for route_id in ids:
        if ids.count(route_id) > 1:
            raise doc.error(f"route {route_id!r}: declared twice", route_id)
    rules = RuleSet(
        policy, currency, tuple(routes), calendar, hashlib.sha256(raw_bytes).hexdigest(), path
    )
    check_reachability(doc, rules)
    return rules


def _dates(doc: tomlfile.TomlDoc, data: Mapping[str, Any], key: str) -> frozenset[date]:
    values = data.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, date) for v in values):
        raise doc.error(f"{key}: a list of dates like 2026-10-01", key)
    return frozenset(values)


def _route(
    doc: tomlfile.TomlDoc,
    raw: Any,
    currency: str,
    default_calendar: str,
    roles: set[str] | None,
    people: set[str] | None,
) -> Route:
    if not isinstance(raw, dict):
        raise doc.error("route: each [[route]] is a table", "route")
    route_id = raw.get("id")
    if not isinstance(route_id, str) or not route_id.strip():
        raise doc.error("route: every route needs an id", "route")
    where = f"route {route_id!r}"
    tomlfile.reject_unknown(doc, raw, ROUTE_KEYS, where)
    when = raw.get("when", {})
    if not isinstance(when, dict):
        raise doc.error(f"{where} -> when: a table of conditions", route_id, "when")
    conditions = [_condition(doc, route_id, key, value, currency) for key, value in when.items()]
    stages_raw = raw.get("stages", [])
    if not isinstance(stages_raw, list) or not stages_raw:
        raise doc.error(f"{where} -> stages: at least one [[route.stages]]", route_id)
    stages = [_stage(doc, route_id, s, default_calendar, roles, people) for s in stages_raw]
    return Route(route_id, str(raw.get("description", "")), tuple(conditions), tuple(stages))


def _condition(
    doc: tomlfile.TomlDoc, route_id: str, key: str, value: Any, currency: str
) -> Condition:
    where = f"route {route_id!r} -> when -> {key}"
    if key not in WHEN_KEYS:
        raise doc.error(
            f"{where}: unknown key (expected one of: {', '.join(WHEN_KEYS)})", route_id, key
        )

    def fail(expected: str) -> ConfigError:
        return doc.error(f"{where}: expected {expected}, got {value!r}", route_id, key)

    if key in ("standard", "amendment", "term_extended"):
        if not isinstance(value, bool):
            raise fail("true or false")
        return Condition(key, value)
    if key in ("amount_min", "amount_max"):
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise fail('an amount like "100000" or "USD 5000"')
        try:
            return Condition(key, parse_money(str(value), currency))
        except InvalidInput as exc:
            raise fail('an amount like "100000" or "USD 5000"') from exc
    if key == "amount_change_pct_min":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise fail("a percentage like 10")
        try:
            return Condition(key, Decimal(str(value)))
        except InvalidOperation as exc:
            raise fail("a percentage like 10") from exc
    if key == "risk_severity_min":
        if value not in SEVERITIES:
            raise fail(f"one of {', '.join(SEVERITIES)}")
        return Condition(key, value)
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise fail("a name or a list of names")
    if key == "counterparty_risk" and any(v not in RISK_LEVELS for v in values):
        raise fail(f"levels from {', '.join(RISK_LEVELS)}")
    if key == "type":
        from contractctl.drafting.schema import CONTRACT_TYPES

        unknown = [v for v in values if v not in CONTRACT_TYPES]
        if unknown:
            raise fail(f"contract types from {', '.join(CONTRACT_TYPES)}")
    return Condition(key, frozenset(values))


def _stage(
    doc: tomlfile.TomlDoc,
    route_id: str,
    raw: Any,
    default_calendar: str,
    roles: set[str] | None,
    people: set[str] | None,
) -> Stage:
    where = f"route {route_id!r} -> stages"
    if not isinstance(raw, dict):
        raise doc.error(f"{where}: each stage is a table", route_id, "stages")
    tomlfile.reject_unknown(doc, raw, STAGE_KEYS, where)
    stage_roles = _names(doc, route_id, raw, "roles")
    stage_people = _names(doc, route_id, raw, "people")
    if not stage_roles and not stage_people:
        raise doc.error(f"{where}: name roles and/or people who approve", route_id, "stages")
    if roles is not None:
        for role in stage_roles:
            if role not in roles:
                raise doc.error(
                    f"{where} -> roles: unknown role {role!r} (nobody in people.toml holds it)",
                    route_id,
                    "roles",
                )
    if people is not None:
        for person in stage_people:
            if person not in people:
                raise doc.error(
                    f"{where} -> people: {person!r} is not in people.toml", route_id, "people"
                )
    mode = raw.get("mode", "all")
    if mode not in MODES:
        raise doc.error(f"{where} -> mode: {mode!r} is not one of all, any", route_id, "mode")
    try:
        due = parse_due(raw.get("due", "48h"))
    except ValueError as exc:
        raise doc.error(f"{where} -> due: {exc}, got {raw.get('due')!r}", route_id, "due") from exc
    calendar = raw.get("calendar", default_calendar)
    if calendar not in CALENDARS:
        raise doc.error(
            f"{where} -> calendar: {calendar!r} is not business or calendar", route_id, "calendar"
        )
    escalate = raw.get("escalate_to", [])
    escalate = [escalate] if isinstance(escalate, str) else escalate
    if not isinstance(escalate, list) or not all(isinstance(e, str) for e in escalate):
        raise doc.error(
            f"{where} -> escalate_to: a role or person, or a list of them", route_id, "escalate_to"
        )
    return Stage(
        tuple(stage_roles),
        tuple(stage_people),
        mode,
        due,
        calendar,
        tuple(escalate),
        str(raw.get("name", "")),
    )


def _names(doc: tomlfile.TomlDoc, route_id: str, raw: Mapping[str, Any], key: str) -> list[str]:
    value = raw.get(key, [])
    value = [value] if isinstance(value, str) else value
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise doc.error(f"route {route_id!r} -> stages -> {key}: a list of names", route_id, key)
    return list(value)
