"""Approval rules: the shipped table and its cases, every `rules check` error, deadlines,
people and delegation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from contractctl.approval.business_days import Calendar
from contractctl.approval.route_rules import load_rules
from contractctl.approval.route_table import Facts
from contractctl.approval.rule_tests import run_rule_tests
from contractctl.errors import ConfigError
from contractctl.money import Money
from contractctl.records.people import load_people
from tests.conftest import REPO

RULES = REPO / "rules" / "approval.toml"


def test_the_shipped_rules_pass_their_own_cases_and_every_route_is_covered() -> None:
    report = run_rule_tests(load_rules(RULES), REPO / "rules" / "tests")
    assert len(report.results) >= 20
    assert report.failed == []
    assert report.uncovered == []


def test_collect_merges_stages_once_each_in_chain_order() -> None:
    decision = load_rules(RULES).decide(
        Facts("purchase", Money(500_000_000, "CNY"), standard=False, counterparty_risk="high")
    )
    assert [s.label for s in decision.stages] == ["dept_head", "legal", "finance", "ceo"]


BASE = """\
hit_policy = "{policy}"

[[route]]
id = "small"
when = {{ amount_max = "100000" }}
  [[route.stages]]
  roles = ["dept_head"]

[[route]]
id = "large"
when = {{ amount_min = "100000.01" }}
  [[route.stages]]
  roles = ["legal"]
  mode = "any"
  due = "72h"
"""


def _load(tmp_path: Path, text: str, **kwargs: object) -> object:
    path = tmp_path / "approval.toml"
    path.write_text(text, encoding="utf-8")
    return load_rules(path, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        (
            'amount_max = "100000"',
            'amout_max = "100000"',
            "approval.toml:5: route 'small' -> when -> amout_max: unknown key",
        ),
        ('amount_max = "100000"', "amount_max = true", "when -> amount_max: expected an amount"),
        ('roles = ["legal"]', 'roles = ["lawyer"]', "unknown role 'lawyer'"),
        ('mode = "any"', 'mode = "some"', "mode: 'some' is not one of all, any"),
        ('due = "72h"', 'due = "3 days"', "due: a duration like 48h or 3d"),
        ('hit_policy = "collect"', 'hit_policy = "best"', "hit_policy: 'best'"),
        (
            'amount_max = "100000"',
            'amount_max = "100000", type = "purchse"',
            "when -> type: expected contract types",
        ),
        ('id = "large"', 'id = "small"', "route 'small': declared twice"),
        (
            'amount_min = "100000.01"',
            'amount_min = "5000000", amount_max = "10"',
            "unreachable: amount_min is above amount_max",
        ),
    ],
    ids=[
        "unknown-key",
        "wrong-type",
        "unknown-role",
        "bad-mode",
        "bad-due",
        "bad-policy",
        "unknown-type",
        "duplicate-id",
        "unsatisfiable",
    ],
)
def test_rules_check_names_file_line_and_key(tmp_path: Path, old: str, new: str, says: str) -> None:
    text = BASE.format(policy="collect")
    assert old in text
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text.replace(old, new), known_roles={"legal"}, known_people=set())
    assert says in caught.value.message
    assert caught.value.message.startswith("approval.toml:")


def test_a_route_hidden_behind_an_earlier_one_is_unreachable_under_first(tmp_path: Path) -> None:
    text = BASE.format(policy="first").replace(
        'when = { amount_min = "100000.01" }', 'when = { amount_max = "50000" }'
    )
    with pytest.raises(ConfigError, match="route 'large': unreachable under hit_policy first"):
        _load(tmp_path, text)


def test_overlapping_routes_are_an_error_under_unique(tmp_path: Path) -> None:
    assert _load(tmp_path, BASE.format(policy="unique"))  # disjoint amount ranges are fine
    text = BASE.format(policy="unique").replace('amount_min = "100000.01"', 'amount_min = "50000"')
    with pytest.raises(ConfigError, match="'large': overlaps route 'small'"):
        _load(tmp_path, text)


def test_business_deadlines_skip_weekends_and_holidays_and_count_make_up_days() -> None:
    friday_5pm = datetime(2026, 9, 25, 17, 0, tzinfo=UTC)
    plain = Calendar()
    assert plain.due(friday_5pm, 48, "business") == datetime(2026, 9, 29, 17, 0, tzinfo=UTC)
    assert plain.due(friday_5pm, 48, "calendar") == datetime(2026, 9, 27, 17, 0, tzinfo=UTC)
    golden_week = Calendar(
        holidays=frozenset(date(2026, 10, d) for d in range(1, 8)),
        extra_workdays=frozenset({date(2026, 9, 27)}),
    )
    wednesday = datetime(2026, 9, 30, 12, 0, tzinfo=UTC)
    assert golden_week.due(wednesday, 24, "business") == datetime(2026, 10, 8, 12, 0, tzinfo=UTC)
    # Sunday 27 September is a make-up workday (调休): Friday's 7 h + 17 h of Sunday.
    assert golden_week.due(friday_5pm, 24, "business") == datetime(2026, 9, 27, 17, 0, tzinfo=UTC)


PEOPLE = """\
[[people]]
id = "a"
roles = ["legal"]

[[people]]
id = "b"
roles = []

[[people]]
id = "c"
roles = []

[departments]
sales = { head = "a" }

[[delegations]]
from = "a"
to = "b"
start = 2026-11-01
end = 2026-11-30
"""


def test_delegation_applies_only_within_its_dates_and_follows_chains(tmp_path: Path) -> None:
    (tmp_path / "people.toml").write_text(
        PEOPLE + '\n[[delegations]]\nfrom = "b"\nto = "c"\nstart = 2026-11-10\nend = 2026-11-12\n',
        encoding="utf-8",
    )
    people = load_people(tmp_path)
    assert people.resolve_role("dept_head", "sales") == ["a"]
    assert people.may_act_for("b", "a", date(2026, 11, 5))
    assert not people.may_act_for("b", "a", date(2026, 12, 1))
    assert people.may_act_for("c", "a", date(2026, 11, 11))
    assert not people.may_act_for("c", "a", date(2026, 11, 20))
    assert people.delegate_of("a", date(2026, 11, 11)) == "c"


def test_circular_delegation_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "people.toml").write_text(
        PEOPLE + '\n[[delegations]]\nfrom = "b"\nto = "a"\nstart = 2026-11-20\nend = 2026-12-05\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="circular delegation a -> b -> a"):
        load_people(tmp_path)


def test_people_mistakes_name_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "people.toml").write_text(
        PEOPLE.replace('head = "a"', 'head = "zz"'), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"people.toml:\d+: departments -> sales -> head"):
        load_people(tmp_path)


def test_a_risk_flag_no_risk_rule_raises_is_an_error(tmp_path: Path) -> None:
    text = BASE.format(policy="collect").replace(
        'when = { amount_max = "100000" }',
        'when = { amount_max = "100000", risk_flags = ["forbidden:unlimted_liability"] }',
    )
    with pytest.raises(ConfigError, match="no risk rule raises forbidden:unlimted_liability"):
        _load(tmp_path, text, known_flags={"forbidden:unlimited_liability"})
