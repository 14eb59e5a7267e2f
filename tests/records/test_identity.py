"""People are who they say: the OS login maps to a person in people.toml, and `--as`
names someone else only through a delegation or the admins list; the audit event records
both the person the act counts for and who did it. Whoever drafted or submitted a
contract does not approve it.

The test runner's login is "tester" (tests/conftest.py); each store here says in its
people.toml who "tester" is.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from contractctl.errors import NotAllowed
from contractctl.records.identity import resolve
from contractctl.records.people import load_people
from tests.cli.test_approval import _draft
from tests.conftest import Cli, snapshot

TODAY = date.today()

TEAM = f"""\
[[people]]
id = "chen.jing"
name = "陈静"
login = "tester"
roles = []

[[people]]
id = "zhao.lei"
name = "赵磊"
roles = []

[[people]]
id = "qian.feng"
name = "钱峰"
roles = []

[[people]]
id = "wang.fang"
name = "王芳"
login = "wangf"
roles = ["legal"]

[[people]]
id = "sun.li"
name = "孙丽"
roles = ["finance"]

[[people]]
id = "li.ming"
name = "李明"
roles = ["ceo"]

[departments]
procurement = {{ head = "zhao.lei" }}

[[delegations]]
from = "zhao.lei"
to = "chen.jing"
start = {TODAY - timedelta(days=1)}
end = {TODAY + timedelta(days=1)}
"""


@pytest.fixture
def team(home: Path) -> Path:
    (home / "people.toml").write_text(TEAM, encoding="utf-8")
    return home


def test_the_login_is_the_person_and_as_needs_a_delegation_or_admins(team: Path) -> None:
    people = load_people(team)
    assert resolve(people, "tester", None, TODAY).actor == "chen.jing"
    assert resolve(people, "tester", "chen.jing", TODAY).operator is None
    delegated = resolve(people, "tester", "zhao.lei", TODAY)  # zhao.lei delegated to her
    assert (delegated.actor, delegated.operator) == ("zhao.lei", "chen.jing")
    with pytest.raises(NotAllowed, match=r"needs a delegation from wang\.fang"):
        resolve(people, "tester", "wang.fang", TODAY)
    with pytest.raises(NotAllowed, match="needs a delegation"):  # the delegation has ended
        resolve(people, "tester", "zhao.lei", TODAY + timedelta(days=5))
    with pytest.raises(NotAllowed, match=r"nobody in people\.toml has that id"):
        resolve(people, "tester", "nobody", TODAY)
    assert resolve(people, "wangf", None, TODAY).actor == "wang.fang"
    stranger = resolve(people, "mallory", None, TODAY)  # an unmapped login: itself, no roles
    assert (stranger.actor, stranger.operator) == ("mallory", None)
    with pytest.raises(NotAllowed, match=r"mallory \(a login no person"):
        resolve(people, "mallory", "wang.fang", TODAY)


def test_admins_act_for_anyone_listed_and_never_for_nobody(team: Path) -> None:
    (team / "people.toml").write_text('admins = ["chen.jing"]\n' + TEAM, encoding="utf-8")
    people = load_people(team)
    acting = resolve(people, "tester", "wang.fang", TODAY)
    assert (acting.actor, acting.operator) == ("wang.fang", "chen.jing")
    with pytest.raises(NotAllowed):
        resolve(people, "tester", "nobody", TODAY)


def test_a_login_twice_in_people_toml_is_an_error_with_its_line(team: Path) -> None:
    from contractctl.errors import ConfigError

    (team / "people.toml").write_text(TEAM.replace('"wangf"', '"tester"'), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"tester is already chen\.jing's"):
        load_people(team)


@pytest.mark.parametrize(
    "command",
    [
        ("party", "add", "Nobody Ltd"),
        ("edit", "C-2026-0001", "--set", "title=X"),
        ("archive", "C-2026-0001"),
        ("sign", "C-2026-0001", "--key", "org"),
    ],
)
def test_as_nobody_is_refused_before_anything_changes(
    cli: Cli, team: Path, command: tuple[str, ...]
) -> None:
    before = snapshot(team)
    result = cli("--as", "nobody", *command)
    assert result.code == 3, result.stderr
    assert "--as nobody: nobody in people.toml has that id" in result.stderr
    assert snapshot(team) == before


def test_as_someone_without_a_delegation_is_refused(cli: Cli, team: Path) -> None:
    result = cli("--as", "wang.fang", "party", "add", "Forged Ltd")
    assert result.code == 3
    assert "needs a delegation from wang.fang to you" in result.stderr


def test_an_act_for_someone_else_records_both(cli: Cli, team: Path) -> None:
    assert cli("--as", "zhao.lei", "party", "add", "Delegated Ltd").code == 0
    [event] = cli("audit", "P-0001", "--json").json()
    assert event["actor"] == "zhao.lei" and event["data"]["operator"] == "chen.jing"
    assert cli("party", "add", "Mine Ltd").code == 0
    [mine] = cli("audit", "P-0002", "--json").json()
    assert mine["actor"] == "chen.jing" and "operator" not in mine["data"]


def test_the_drafter_does_not_approve_their_own_contract(cli: Cli, team: Path) -> None:
    """chen.jing submits; zhao.lei (department head) delegated to her: the
    delegation makes her an approver of the stage, but not of her own contract, neither
    as herself nor acting as zhao.lei."""
    contract = _draft(team)
    assert cli("submit", contract).code == 0
    before = snapshot(team)
    mine = cli("approve", contract)
    assert mine.code == 3
    assert "chen.jing submitted" in mine.stderr
    assert "separation of duties" in mine.stderr
    as_head = cli("--as", "zhao.lei", "approve", contract)
    assert as_head.code == 3 and "chen.jing submitted" in as_head.stderr
    assert snapshot(team) == before


def test_an_admin_acting_for_the_approver_is_recorded_as_operator(cli: Cli, team: Path) -> None:
    (team / "people.toml").write_text('admins = ["tester"]\n' + TEAM, encoding="utf-8")
    contract = _draft(team)
    assert cli("submit", contract).code == 0
    done = cli("--as", "zhao.lei", "approve", contract)  # admins are trusted with the store
    assert done.code == 0, done.stderr
    event = next(
        e for e in cli("audit", contract, "--json").json() if e["action"] == "approval.approve"
    )
    assert event["actor"] == "zhao.lei" and event["data"]["operator"] == "chen.jing"


def test_separation_of_duties_can_be_turned_off(cli: Cli, team: Path) -> None:
    rules = team / "rules" / "approval.toml"
    rules.write_text(
        rules.read_text(encoding="utf-8") + "\n[approval]\nseparation_of_duties = false\n",
        encoding="utf-8",
    )
    contract = _draft(team)
    assert cli("submit", contract).code == 0
    assert cli("approve", contract).code == 0  # her delegation from the head decides


def test_a_mistake_in_the_approval_table_names_file_and_line(cli: Cli, team: Path) -> None:
    rules = team / "rules" / "approval.toml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text + '\n[approval]\nseparation_of_duties = "no"\n', encoding="utf-8")
    checked = cli("rules", "check")
    assert checked.code in (1, 2)
    line = text.count("\n") + 3
    assert f"rules/approval.toml:{line}" in checked.stderr + checked.stdout
    assert "separation_of_duties: true or false" in checked.stderr + checked.stdout
