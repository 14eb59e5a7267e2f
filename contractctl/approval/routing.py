"""Approval routing: rules/approval.toml as an ordered, testable decision table.

Routing is text under version control, reviewed and tested like code, and able to
say why. Each route has conditions (all must hold) on facts about a contract and the
stages it adds. The declared hit policy decides what happens when several match:
``first`` takes the first matching route, ``collect`` merges the stages of every
matching route (deduplicated, in file order), ``unique`` requires that no two routes
can ever match together. `rules check` proves the table well-formed, and every
mistake names file, line and key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from contractctl import tomlfile
from contractctl.errors import ConfigError, InvalidInput
from contractctl.money import Money, format_money, parse_money

HIT_POLICIES = ("first", "collect", "unique")
MODES = ("all", "any")
CALENDARS = ("business", "calendar")
RISK_LEVELS = ("low", "medium", "high")
SEVERITIES = ("low", "medium", "high")
DYNAMIC_ROLES = ("dept_head",)
TOP_KEYS = (
    "version",
    "hit_policy",
    "default_currency",
    "calendar",
    "holidays",
    "extra_workdays",
    "route",
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


@dataclass(frozen=True)
class Facts:
    """What routing looks at for one contract (or amendment)."""

    type: str
    amount: Money | None = None
    standard: bool | None = None
    counterparty_risk: str = "low"
    department: str = ""
    amendment: bool = False
    risk_flags: tuple[str, ...] = ()
    risk_severity: str | None = None
    template: str | None = None
    amount_change_pct: Decimal | None = None
    term_extended: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON form (for explain output and the route record)."""
        return {
            "type": self.type,
            "amount": self.amount.to_dict() if self.amount else None,
            "standard": self.standard,
            "counterparty_risk": self.counterparty_risk,
            "department": self.department,
            "amendment": self.amendment,
            "risk_flags": list(self.risk_flags),
            "risk_severity": self.risk_severity,
            "template": self.template,
            "amount_change_pct": None
            if self.amount_change_pct is None
            else str(self.amount_change_pct),
            "term_extended": self.term_extended,
        }


@dataclass(frozen=True)
class Condition:
    """One matcher of a route: a name, what it expects, and how to test a fact."""

    key: str
    expected: Any
    test: Callable[[Facts], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "test", _compile(self.key, self.expected))

    def describe(self) -> str:
        """The expectation as people read it."""
        value = self.expected
        if isinstance(value, Money):
            value = format_money(value)
        elif isinstance(value, frozenset):
            value = " | ".join(sorted(value))
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        ops = {
            "amount_min": ">=",
            "amount_max": "<=",
            "amount_change_pct_min": ">=",
            "risk_severity_min": ">=",
        }
        return (
            f"{self.key.replace('_min', '').replace('_max', '')} {ops.get(self.key, '=')} {value}"
        )

    def holds(self, facts: Facts) -> tuple[bool, Any]:
        """Whether the fact satisfies the condition, and the fact's value."""
        key, expected = self.key, self.expected
        if key == "type":
            return facts.type in expected, facts.type
        if key in ("amount_min", "amount_max"):
            amount = facts.amount
            if amount is None or amount.currency != expected.currency:
                return False, amount
            ok = (
                amount.minor >= expected.minor
                if key == "amount_min"
                else (amount.minor <= expected.minor)
            )
            return ok, amount
        if key == "standard":
            return facts.standard is expected, facts.standard
        if key == "counterparty_risk":
            return facts.counterparty_risk in expected, facts.counterparty_risk
        if key == "department":
            return facts.department in expected, facts.department
        if key == "amendment":
            return facts.amendment is expected, facts.amendment
        if key == "risk_flags":
            hit = sorted(expected.intersection(facts.risk_flags))
            return bool(hit), list(facts.risk_flags)
        if key == "risk_severity_min":
            severity = facts.risk_severity
            ok = severity is not None and SEVERITIES.index(severity) >= SEVERITIES.index(expected)
            return ok, severity
        if key == "template":
            return facts.template in expected, facts.template
        if key == "amount_change_pct_min":
            pct = facts.amount_change_pct
            return pct is not None and pct >= expected, pct
        if key == "term_extended":
            return facts.term_extended is expected, facts.term_extended
        raise AssertionError(key)


def _compile(key: str, expected: Any) -> Callable[[Facts], bool]:
    """A fast predicate for one condition: routing 10,000 contracts against hundreds of
    routes must not re-dispatch on the key for every test."""
    if key in ("type", "counterparty_risk", "department", "template"):
        values = expected
        attr = key
        return lambda f: getattr(f, attr) in values
    if key in ("amount_min", "amount_max"):
        bound, currency = expected.minor, expected.currency
        if key == "amount_min":
            return lambda f: (
                f.amount is not None and f.amount.currency == currency and f.amount.minor >= bound
            )
        return lambda f: (
            f.amount is not None and f.amount.currency == currency and f.amount.minor <= bound
        )
    if key in ("standard", "amendment", "term_extended"):
        attr = key
        return lambda f: getattr(f, attr) is expected
    if key == "risk_flags":
        return lambda f: not expected.isdisjoint(f.risk_flags)
    if key == "risk_severity_min":
        floor = SEVERITIES.index(expected)
        return lambda f: f.risk_severity is not None and SEVERITIES.index(f.risk_severity) >= floor
    if key == "amount_change_pct_min":
        return lambda f: f.amount_change_pct is not None and f.amount_change_pct >= expected
    raise AssertionError(key)


@dataclass(frozen=True)
class Stage:
    """One approval stage: who, how many of them, and by when."""

    roles: tuple[str, ...]
    people: tuple[str, ...]
    mode: str
    due_hours: int
    calendar: str
    escalate_to: tuple[str, ...] = ()
    name: str = ""

    @property
    def identity(self) -> tuple[Any, ...]:
        """Two routes adding the same stage add it once."""
        return (self.roles, self.people, self.mode)

    @property
    def label(self) -> str:
        """``legal`` / ``finance+ceo`` / ``wang.fang``: how stages are written in tests."""
        return self.name or "+".join([*self.roles, *self.people])

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "name": self.label,
            "roles": list(self.roles),
            "people": list(self.people),
            "mode": self.mode,
            "due_hours": self.due_hours,
            "calendar": self.calendar,
            "escalate_to": list(self.escalate_to),
        }


@dataclass(frozen=True)
class Route:
    """One row of the decision table."""

    id: str
    description: str
    conditions: tuple[Condition, ...]
    stages: tuple[Stage, ...]

    def evaluate(self, facts: Facts) -> list[tuple[Condition, bool, Any]]:
        """Each condition with whether it held and the fact's value."""
        return [(c, *c.holds(facts)) for c in self.conditions]

    def matches(self, facts: Facts) -> bool:
        """All conditions hold (a plain loop: all() over a generator is slower here, and
        this runs routes x contracts times)."""
        for condition in self.conditions:  # noqa: SIM110
            if not condition.test(facts):
                return False
        return True

    @property
    def types(self) -> frozenset[str] | None:
        """The contract types this route is limited to (None: any type)."""
        for condition in self.conditions:
            if condition.key == "type":
                return frozenset(condition.expected)
        return None


@dataclass(frozen=True)
class Calendar:
    """Which days count for ``business`` deadlines: Mon-Fri, minus holidays, plus 调休 days."""

    holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()

    def is_workday(self, day: date) -> bool:
        """Mon-Fri unless a holiday; a weekend make-up workday counts."""
        if day in self.extra_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def due(self, start: datetime, hours: int, kind: str) -> datetime:
        """``hours`` after ``start``; on the business calendar only workdays' hours count."""
        if kind == "calendar":
            return start + timedelta(hours=hours)
        remaining = timedelta(hours=hours)
        current = start
        for _ in range(10_000):
            day_end = datetime.combine(
                current.date() + timedelta(days=1), datetime.min.time(), tzinfo=current.tzinfo
            )
            if self.is_workday(current.date()):
                available = day_end - current
                if remaining <= available:
                    return current + remaining
                remaining -= available
            current = day_end
        raise InvalidInput("a deadline could not be placed within 10,000 days")


@dataclass(frozen=True)
class RuleSet:
    """The validated decision table."""

    hit_policy: str
    default_currency: str
    routes: tuple[Route, ...]
    calendar: Calendar
    source_hash: str
    path: Path | None = None
    _by_type: dict[str, tuple[Route, ...]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        from contractctl.drafting.schema import CONTRACT_TYPES

        index = {
            ctype: tuple(r for r in self.routes if r.types is None or ctype in r.types)
            for ctype in CONTRACT_TYPES
        }
        object.__setattr__(self, "_by_type", index)

    def candidates(self, facts: Facts) -> tuple[Route, ...]:
        """Routes that could match a contract of this type, in file order."""
        return self._by_type.get(facts.type, self.routes)

    def decide(self, facts: Facts) -> Decision:
        """The routes that apply and the stages they add (per the hit policy)."""
        matched = [r for r in self.candidates(facts) if r.matches(facts)]
        if self.hit_policy == "first":
            matched = matched[:1]
        stages: list[Stage] = []
        seen: set[tuple[Any, ...]] = set()
        for route in matched:
            for stage in route.stages:
                if stage.identity not in seen:
                    seen.add(stage.identity)
                    stages.append(stage)
        return Decision(tuple(r.id for r in matched), tuple(stages))


@dataclass(frozen=True)
class Decision:
    """Which routes matched and the merged stages."""

    route_ids: tuple[str, ...]
    stages: tuple[Stage, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"route_ids": list(self.route_ids), "stages": [s.to_dict() for s in self.stages]}


# --- loading ------------------------------------------------------------------------


def parse_due(text: Any) -> int:
    """``48h`` or ``3d`` as hours."""
    if (
        not isinstance(text, str)
        or len(text) < 2
        or text[-1] not in "hd"
        or not text[:-1].isdigit()
    ):
        raise ValueError("a duration like 48h or 3d")
    number = int(text[:-1])
    return number * 24 if text[-1] == "d" else number


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
    _check_reachability(doc, rules)
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


# --- static checks ------------------------------------------------------------------


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


def _check_reachability(doc: tomlfile.TomlDoc, rules: RuleSet) -> None:
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


# --- explanation --------------------------------------------------------------------


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


def stage_labels(stages: Sequence[Stage]) -> list[str]:
    """Stages as written in rule tests: ``["dept_head", "legal", "finance+ceo"]``."""
    return [s.label for s in stages]
