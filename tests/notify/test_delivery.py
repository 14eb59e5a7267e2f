"""What a cron job can trust: quiet hours hold messages until morning, the daily digest
sends one message instead of many, escalation waits for business hours (weekends and the
rules' holidays do not count), and a delegate hears what their principal would."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from contractctl.dates import set_zone, zone
from contractctl.store import Store
from tests.cli.test_approval import _draft
from tests.conftest import Cli
from tests.notify.conftest import email_settings, notify_at, write_team
from tests.notify.servers import Mailbox


@pytest.fixture(autouse=True)
def shanghai(home: Path) -> Iterator[None]:
    """The store's days are Shanghai's (contractctl.toml), whatever the machine's zone."""
    config = home / "contractctl.toml"
    text = config.read_text(encoding="utf-8")
    assert 'timezone = ""' in text
    config.write_text(text.replace('timezone = ""', 'timezone = "Asia/Shanghai"', 1), "utf-8")
    set_zone("Asia/Shanghai")
    yield
    set_zone(None)


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone()).astimezone(UTC)


def _kinds(box: Mailbox, address: str) -> list[str]:
    return [m["Subject"].split("] ")[-1].split("：")[0] for m in box.to(address)]


def test_quiet_hours_hold_messages_until_they_end(cli: Cli, home: Path, smtp: Mailbox) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    start = (now - timedelta(hours=1)).astimezone(zone()).strftime("%H:%M")
    end = (now + timedelta(hours=2)).astimezone(zone()).strftime("%H:%M")
    write_team(home, notify=email_settings(smtp) + f'[delivery]\nquiet_hours = "{start}-{end}"\n')
    cli("submit", _draft(home))
    night = notify_at(home, now)
    assert night.sent == [] and smtp.received == []
    assert night.quiet_until == (now + timedelta(hours=2)).isoformat().replace("+00:00", "Z")
    assert notify_at(home, now + timedelta(minutes=119)).sent == []
    morning = notify_at(home, now + timedelta(minutes=121))
    assert [s["recipient"] for s in morning.sent] == ["zhao.lei"]
    assert _kinds(smtp, "zhao.lei@example.com") == ["待您审批"]


def test_the_daily_digest_sends_one_message_for_the_days_items(
    cli: Cli, home: Path, smtp: Mailbox
) -> None:
    write_team(
        home, notify=email_settings(smtp) + '[delivery]\ndigest = true\ndigest_at = "09:00"\n'
    )
    cli("submit", _draft(home, key="k1"))
    cli("submit", _draft(home, key="k2"))
    day = datetime.now(UTC).astimezone(zone()).date()
    early = notify_at(home, _local(day, 7))
    assert early.sent == [] and early.held == 2
    digest = notify_at(home, _local(day, 9, 30))
    assert [(s["recipient"], s["kind"]) for s in digest.sent] == [("zhao.lei", "digest")]
    (message,) = smtp.to("zhao.lei@example.com")
    assert message["Subject"] == f"合同待办汇总（{day.isoformat()}）：共 2 项"
    assert message.get_content().count("待您审批：C-") == 2
    assert notify_at(home, _local(day, 10)).sent == []
    cli("submit", _draft(home, key="k3"))  # after today's digest: tomorrow's
    assert notify_at(home, _local(day, 11)).held == 1
    tomorrow = notify_at(home, _local(day + timedelta(days=1), 9, 5))
    assert [s["kind"] for s in tomorrow.sent] == ["digest"]
    assert len(smtp.to("zhao.lei@example.com")) == 2
    with Store.open(home) as store:
        states = [r[0] for r in store.conn.execute("SELECT state FROM notifications ORDER BY id")]
    assert sorted(states) == ["digested"] * 3 + ["sent"] * 2


def _friday_due(home: Path, friday: datetime) -> None:
    with Store.open(home) as store, store.transaction("tester") as tx:
        tx.conn.execute(
            "UPDATE approval_tasks SET due_at = ?, calendar = 'business' WHERE state = 'pending'",
            (friday.isoformat().replace("+00:00", "Z"),),
        )


def _escalated_to(home: Path) -> list[str]:
    with Store.open(home) as store:
        rows = store.conn.execute(
            "SELECT recipient FROM notifications WHERE kind = 'escalated' ORDER BY recipient"
        )
        return [r[0] for r in rows]


@pytest.mark.parametrize("holiday", [False, True])
def test_escalation_waits_for_business_hours_weekends_and_holidays_do_not_count(
    cli: Cli, home: Path, smtp: Mailbox, holiday: bool
) -> None:
    write_team(home, notify=email_settings(smtp) + '[reminders]\nescalate_after = "24h"\n')
    friday = date(2027, 1, 8)
    monday, tuesday = friday + timedelta(days=3), friday + timedelta(days=4)
    if holiday:  # the approval rules' holiday list (the calendar every deadline runs on)
        rules = home / "rules" / "approval.toml"
        text = rules.read_text(encoding="utf-8").replace(
            "holidays = []", f"holidays = [{monday.isoformat()}]", 1
        )
        rules.write_text(text, encoding="utf-8")
    cli("submit", _draft(home))
    _friday_due(home, _local(friday, 17))
    notify_at(home, _local(friday + timedelta(days=1), 12))  # Saturday: overdue, reminded
    assert _kinds(smtp, "zhao.lei@example.com") == ["待您审批", "审批已逾期"]
    notify_at(home, _local(monday, 16))  # 7 h on Friday + 16 h on Monday: 23 business hours
    assert _escalated_to(home) == []
    notify_at(home, _local(monday, 17, 30))
    if holiday:
        assert _escalated_to(home) == []
        notify_at(home, _local(tuesday, 17, 30))
    assert _escalated_to(home) == ["li.ming"]  # 赵磊's department head
    (message,) = smtp.to("li.ming@example.com")
    assert "审批超时升级" in message["Subject"]


def test_escalation_to_the_stages_escalate_to_when_configured(
    cli: Cli, home: Path, smtp: Mailbox
) -> None:
    write_team(
        home,
        notify=email_settings(smtp) + '[reminders]\nescalate_after = "2h"\nescalate_to = "stage"\n',
    )
    cli("submit", _draft(home))
    with Store.open(home) as store, store.transaction("tester") as tx:
        tx.conn.execute(
            "UPDATE approval_tasks SET due_at = ?, calendar = 'calendar' WHERE state = 'pending'",
            ((datetime.now(UTC) - timedelta(hours=3)).isoformat().replace("+00:00", "Z"),),
        )
    report = notify_at(home)
    # rules/approval.toml: the department stage escalates to legal (王芳, 周敏); 周敏 has
    # no e-mail and no robot, which the run says rather than hides
    assert _escalated_to(home) == ["wang.fang"]
    assert report.unreachable == ["zhou.min"]
    assert len(smtp.to("wang.fang@example.com")) == 1


def test_a_delegate_hears_what_waits_for_the_person_they_stand_in_for(
    cli: Cli, home: Path, smtp: Mailbox
) -> None:
    write_team(home, notify=email_settings(smtp))
    today = date.today()
    with (home / "people.toml").open("a", encoding="utf-8") as people:
        people.write(
            '\n[[people]]\nid = "qian.feng"\nname = "钱峰"\nemail = "qian.feng@example.com"\n'
            f'\n[[delegations]]\nfrom = "zhao.lei"\nto = "qian.feng"\n'
            f"start = {today - timedelta(days=1)}\nend = {today + timedelta(days=1)}\n"
        )
    cli("submit", _draft(home))
    notify_at(home)
    assert _kinds(smtp, "qian.feng@example.com") == ["待您审批"]
    assert _kinds(smtp, "zhao.lei@example.com") == ["待您审批"]
