"""notify.toml and people.toml's channels: mistakes are told with file and line and
change nothing; `remind --notify` sends what `notify` would."""

from __future__ import annotations

from pathlib import Path

from contractctl.store import Store
from tests.cli.test_approval import _draft
from tests.conftest import Cli, snapshot
from tests.notify.conftest import email_settings, write_team
from tests.notify.servers import Mailbox


def test_an_unknown_key_in_notify_toml_names_file_and_line(cli: Cli, home: Path) -> None:
    write_team(home, notify='[delivery]\nquiet_hours = "22:00-08:00"\nquite = true\n')
    before = snapshot(home)
    result = cli("notify")
    assert result.code == 2
    assert "notify.toml:3: delivery -> quite: unknown key" in result.stderr
    assert snapshot(home) == before


def test_a_bad_duration_and_a_robot_without_a_webhook_are_refused(cli: Cli, home: Path) -> None:
    write_team(home, notify='[reminders]\nescalate_after = "tomorrow"\n')
    result = cli("notify")
    assert result.code == 2 and "reminders -> escalate_after: a duration like" in result.stderr
    write_team(home, zhao='dingtalk = { secret = "SEC1" }\n')
    result = cli("notify")
    assert result.code == 2
    assert "people.toml: people -> zhao.lei -> dingtalk: webhook: an http:// or https://" in (
        result.stderr
    )


def test_remind_notify_sends_once_what_notify_would(cli: Cli, home: Path, smtp: Mailbox) -> None:
    write_team(home, notify=email_settings(smtp))
    cli("submit", _draft(home))
    result = cli("remind", "--notify", "--json")
    assert result.code == 0, result.stderr
    view = result.json()
    assert view["reminders"] == [] and len(view["notify"]["sent"]) == 1
    assert cli("notify", "--json").json()["sent"] == []
    with Store.open(home) as store:
        (count,) = store.conn.execute("SELECT count(*) FROM notifications").fetchone()
    assert count == 1 and len(smtp.received) == 1
