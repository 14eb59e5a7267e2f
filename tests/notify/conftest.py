"""Fixtures of the notification tests: the real servers, a team with channels, and a
contract that waits for approval."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.drafting.test_amend import signed
from tests.notify.servers import Mailbox, Robots, robots, smtp
from tests.signing.test_sign import signing_store

if TYPE_CHECKING:
    from contractctl.notify.deliver import RunReport

PEOPLE = """\
admins = ["tester"]

[[people]]
id = "zhao.lei"
name = "赵磊"
email = "zhao.lei@example.com"
department = "operations"
roles = []

[[people]]
id = "li.ming"
name = "李明"
email = "li.ming@example.com"
department = "operations"
roles = ["ceo"]

[[people]]
id = "wang.fang"
name = "王芳"
email = "wang.fang@example.com"
department = "legal"
roles = ["legal"]

[[people]]
id = "zhou.min"
name = "周敏"
department = "legal"
roles = ["legal"]

[[people]]
id = "sun.li"
name = "孙丽"
email = "sun.li@example.com"
roles = ["finance"]

[[people]]
id = "tester"
name = "Tess Tester"
email = "tess@example.com"
lang = "en"
department = "procurement"
roles = []

[[people]]
id = "drafter"
name = "陈静"
email = "chen.jing@example.com"
department = "procurement"
roles = []

[departments]
procurement = { head = "zhao.lei" }
operations = { head = "li.ming" }
legal = { head = "wang.fang" }
"""


def write_team(home: Path, *, zhao: str = "", notify: str = "") -> None:
    """people.toml and notify.toml for ``home``; ``zhao`` adds lines to 赵磊's entry
    (his robots)."""
    people = PEOPLE.replace("roles = []\n", f"roles = []\n{zhao}", 1)
    (home / "people.toml").write_text(people, encoding="utf-8")
    (home / "notify.toml").write_text(notify, encoding="utf-8")


def pending(home: Path, count: int, recipient: str, channel: str) -> None:
    """``count`` messages already addressed and waiting to be sent (the delivery layer's
    input), as a run that planned them and was stopped before sending leaves them."""
    from contractctl.store import Store

    with Store.open(home) as store, store.transaction("tester") as tx:
        for n in range(count):
            tx.conn.execute(
                "INSERT INTO notifications (key, recipient, channel, kind, subject, body, state, "
                "created_at) VALUES (?, ?, ?, 'waiting', ?, ?, 'pending', '2026-01-01T00:00:00Z')",
                (f"test:{n}", recipient, channel, f"消息 {n}", f"消息 {n}\n正文"),
            )


def email_settings(box: Mailbox) -> str:
    """notify.toml's [email] table pointing at the test's SMTP server."""
    return (
        f'[email]\nhost = "{box.host}"\nport = {box.port}\n'
        'from = "合同系统 <contracts@example.com>"\n'
    )


@pytest.fixture
def mailbox_team(home: Path, smtp: Mailbox) -> Mailbox:
    """A store whose team gets e-mail through the test's SMTP server."""
    write_team(home, notify=email_settings(smtp))
    return smtp


def notify_at(home: Path, now: datetime | None = None, *, dry_run: bool = False) -> RunReport:
    """One notify run at ``now``, as cron's `notify` would make it then (the clock is the
    one thing a test moves; rules, people and notify.toml are read from the store)."""
    from contractctl.approval.route_rules import load_rules
    from contractctl.dates import set_zone
    from contractctl.notify.deliver import run
    from contractctl.notify.settings import load_settings
    from contractctl.records.people import load_people
    from contractctl.store import Store

    rules = load_rules(home / "rules" / "approval.toml")
    with Store.open(home) as store:
        set_zone(store.settings.store.timezone)  # as the CLI does: the store's days
        return run(
            store,
            load_people(home),
            load_settings(home, rules.default_currency),
            rules.calendar,
            now=now,
            dry_run=dry_run,
            sleep=lambda seconds: None,
        )


__all__ = [
    "Robots",
    "notify_at",
    "pending",
    "robots",
    "signed",
    "signing_store",
    "smtp",
    "write_team",
]
