"""An approver configured with e-mail: cron runs `notify` every few minutes, and 赵磊 gets
exactly one message when a contract reaches his stage and one reminder when it is
overdue, however often cron runs; a day later his department head 李明 hears of it. The
messages arrive at a real SMTP server, in Chinese, correctly encoded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from contractctl.store import Store
from tests.cli.test_approval import _draft
from tests.conftest import Cli, snapshot
from tests.notify.servers import Mailbox


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _due_in_past(home: Path, contract: str, ago: timedelta) -> None:
    """Move the pending task's due time back, as if days had passed (the task's clock
    set to calendar hours, so weekends do not stretch the delay)."""
    with Store.open(home) as store, store.transaction("tester") as tx:
        tx.conn.execute(
            "UPDATE approval_tasks SET due_at = ?, calendar = 'calendar' WHERE state = 'pending' "
            "AND route_id IN (SELECT id FROM approval_routes WHERE contract_id = ?)",
            (_stamp(datetime.now(UTC) - ago), contract),
        )


def test_one_message_at_the_stage_one_reminder_when_overdue_then_the_department_head(
    cli: Cli, home: Path, mailbox_team: Mailbox
) -> None:
    contract = _draft(home)  # ¥123,456.50 for procurement: its head 赵磊, then legal
    assert cli("submit", contract).code == 0
    for _ in range(3):  # cron, every few minutes
        result = cli("notify", "--json")
        assert result.code == 0, result.stderr
    first = mailbox_team.to("zhao.lei@example.com")
    assert len(first) == 1
    assert "待您审批" in first[0]["Subject"] and contract in first[0]["Subject"]

    _due_in_past(home, contract, timedelta(hours=1))
    for _ in range(3):
        assert cli("notify").code == 0
    reminders = mailbox_team.to("zhao.lei@example.com")[1:]
    assert [m["Subject"].split("] ")[1].split("：")[0] for m in reminders] == ["审批已逾期"]
    assert mailbox_team.to("li.ming@example.com") == []  # not yet: 24 hours after the due time

    _due_in_past(home, contract, timedelta(hours=25))
    for _ in range(2):
        assert cli("notify").code == 0
    escalated = mailbox_team.to("li.ming@example.com")
    assert len(escalated) == 1
    body = escalated[0].get_content()
    assert "审批超时升级" in escalated[0]["Subject"]
    assert "赵磊 未在期限内完成第 1 (dept_head) 级审批" in body
    # and 赵磊 his daily reminder (remind_every = 24h), once however often cron ran
    subjects = [m["Subject"] for m in mailbox_team.to("zhao.lei@example.com")]
    assert [s.split("] ")[1].split("：")[0] for s in subjects] == [
        "待您审批",
        "审批已逾期",
        "审批已逾期",
    ]


def test_the_message_is_chinese_correctly_encoded_with_what_is_needed_and_by_when(
    cli: Cli, home: Path, mailbox_team: Mailbox
) -> None:
    contract = _draft(home)
    cli("submit", contract)
    cli("notify")
    (message,) = mailbox_team.to("zhao.lei@example.com")
    raw = next(raw for rcpt, _, raw in mailbox_team.received if "zhao.lei@example.com" in rcpt)
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n")[0].lower()  # RFC 2047 subject
    assert message.get_content_charset() == "utf-8"
    subject, body = message["Subject"], message.get_content()
    assert subject.startswith(f"[{contract}] 待您审批：")
    shown = cli("show", contract, "--json").json()
    assert shown["title"] in subject
    for line in (
        f"待您审批：{contract} {shown['title']}",
        f"相对方：{shown['counterparty']['name']}",
        "金额：¥123,456.50",
        "需要：请审批：第 1 (dept_head) 级",
        "截止：",
    ):
        assert line in body, body
    assert message["From"] == "合同系统 <contracts@example.com>"
    # English for someone whose people.toml says so
    assert mailbox_team.to("tess@example.com") == []  # the submitter did it themselves


def test_a_rerun_never_sends_twice_and_the_record_says_who_what_channel_when_outcome(
    cli: Cli, home: Path, mailbox_team: Mailbox
) -> None:
    contract = _draft(home)
    cli("submit", contract)
    sent = cli("notify", "--json").json()["sent"]
    again = cli("notify", "--json").json()
    assert again["sent"] == [] and again["new"] == []
    assert [(s["recipient"], s["channel"], s["kind"]) for s in sent] == [
        ("zhao.lei", "email:zhao.lei@example.com", "waiting")
    ]
    with Store.open(home) as store:
        row = store.conn.execute("SELECT * FROM notifications").fetchone()
    assert (row["recipient"], row["state"], row["attempts"]) == ("zhao.lei", "sent", 1)
    assert row["sent_at"] and row["outcome"].startswith("SMTP accepted")
    assert row["key"].endswith(":waiting") and row["contract_id"] == contract
    checked = cli("fsck", "--json")  # the record is part of a whole store
    assert checked.code == 0, checked.stdout


def test_dry_run_prints_what_would_be_sent_and_writes_nothing(
    cli: Cli, home: Path, mailbox_team: Mailbox
) -> None:
    contract = _draft(home)
    cli("submit", contract)
    before = snapshot(home)
    with Store.open(home) as store:
        counted = store.counts()
    result = cli("notify", "--dry-run", "--json")
    assert result.code == 0, result.stderr
    would = result.json()["new"]
    assert [(w["recipient"], w["kind"]) for w in would] == [("zhao.lei", "waiting")]
    assert "待您审批" in would[0]["subject"]
    assert mailbox_team.received == []
    assert snapshot(home) == before
    with Store.open(home) as store:
        assert store.counts() == counted
    plain = cli("notify", "--dry-run")
    assert "Would send" in plain.stdout or "将发送" in plain.stdout
    assert "nothing sent" in plain.stderr


def test_an_smtp_refusal_fails_at_once_and_fail_on_error_exits_1(
    cli: Cli, home: Path, mailbox_team: Mailbox
) -> None:
    mailbox_team.refuse.add("zhao.lei@example.com")
    contract = _draft(home)
    cli("submit", contract)
    result = cli("notify", "--fail-on-error")
    assert result.code == 1
    assert "1 notifications failed" in result.stderr
    with Store.open(home) as store:
        row = store.conn.execute("SELECT state, outcome FROM notifications").fetchone()
    assert row["state"] == "failed" and "550" in row["outcome"]
    assert cli("notify", "--fail-on-error").code == 0  # given up: not tried again


def test_an_unreachable_smtp_server_is_retried_later_and_reported(
    cli: Cli, home: Path, smtp: Mailbox
) -> None:
    from tests.notify.conftest import write_team
    from tests.notify.servers import free_port

    write_team(home, notify=f'[email]\nhost = "127.0.0.1"\nport = {free_port()}\n')
    contract = _draft(home)
    cli("submit", contract)
    result = cli("notify", "--json", "--fail-on-error")
    assert result.code == 1
    (retry,) = result.json()["retrying"]
    assert "cannot reach the SMTP server" in retry["outcome"]
    assert retry["next_try_at"] > retry["subject"][:0]  # a time is set
