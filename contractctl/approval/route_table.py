"""The approval decision table: facts, conditions, stages, routes and the decision.

Routing is text under version control, reviewed and tested like code, and able to
say why. Each route has conditions (all must hold) on facts about a contract and the
stages it adds. The declared hit policy decides what happens when several match:
``first`` takes the first matching route, ``collect`` merges the stages of every
matching route (deduplicated, in file order), ``unique`` requires that no two routes
can ever match together.

This module is the table as data and the one question asked of it,
:meth:`RuleSet.decide`: it is what :mod:`contractctl.approval.decide` and the rule tests
run for every contract, so it is kept apart from reading the file
(:mod:`~contractctl.approval.route_rules`), the checks that prove a table well-formed
(:mod:`~contractctl.approval.route_checks`), deadlines
(:mod:`~contractctl.approval.business_days`) and `rules explain`
(:mod:`~contractctl.approval.route_explain`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from contractctl.approval.business_days import Calendar
from contractctl.money import Money, format_money

SEVERITIES = ("low", "medium", "high")


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


def stage_labels(stages: Sequence[Stage]) -> list[str]:
    """Stages as written in rule tests: ``["dept_head", "legal", "finance+ceo"]``."""
    return [s.label for s in stages]
