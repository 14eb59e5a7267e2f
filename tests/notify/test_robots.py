"""The robots of 钉钉, 企业微信 and 飞书, and a generic webhook: a local server checks what
the services check (the JSON shape, 钉钉's and 飞书's timestamp + HMAC-SHA256 signature,
the key) and answers as they answer, errors and rate limits included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from contractctl.store import Store
from tests.cli.test_approval import _draft
from tests.conftest import Cli
from tests.notify.conftest import notify_at, pending, write_team
from tests.notify.servers import Robots


def _table(kind: str, values: dict[str, str]) -> str:
    inner = ", ".join(f'{k} = "{v}"' for k, v in values.items())
    return f"{kind} = {{ {inner} }}\n"


def test_each_robot_gets_the_message_signed_and_shaped_as_it_checks(
    cli: Cli, home: Path, robots: Robots
) -> None:
    zhao = (
        _table("dingtalk", robots.dingtalk())
        + _table("wecom", robots.wecom())
        + _table("feishu", robots.feishu())
        + _table("webhook", robots.hook())
    )
    write_team(home, zhao=zhao)
    contract = _draft(home)
    cli("submit", contract)
    report = cli("notify", "--json").json()
    assert sorted(s["channel"] for s in report["sent"] if s["recipient"] == "zhao.lei") == [
        "dingtalk:zhao.lei",
        "feishu:zhao.lei",
        "webhook:zhao.lei",
        "wecom:zhao.lei",
    ]
    # no SMTP server in this test: his e-mail waits to be tried again, the robots do not
    assert [r["channel"] for r in report["retrying"]] == ["email:zhao.lei@example.com"]
    for kind in ("dingtalk", "wecom", "feishu", "webhook"):
        (text,) = robots.texts(kind)
        assert contract in text and "待您审批" in text and "¥123,456.50" in text, (kind, text)
    assert all(answer.get("errcode", answer.get("code", 0)) == 0 for _, answer in robots.answers)
    assert cli("notify", "--json").json()["sent"] == []  # once
    assert len(robots.accepted) == 4


def test_a_wrong_secret_is_refused_by_the_robot_and_not_tried_again(
    home: Path, robots: Robots
) -> None:
    write_team(home, zhao=_table("dingtalk", robots.dingtalk(secret="SECwrong")))
    pending(home, 1, "zhao.lei", "dingtalk:zhao.lei")
    report = notify_at(home)
    (failed,) = report.failed
    assert "310000" in failed["outcome"] and "sign not match" in failed["outcome"]
    assert notify_at(home, datetime.now(UTC) + timedelta(hours=2)).failed == []


def test_a_wrong_wecom_key_fails_with_the_robots_answer(home: Path, robots: Robots) -> None:
    write_team(home, zhao=_table("wecom", robots.wecom(key="nope")))
    pending(home, 1, "zhao.lei", "wecom:zhao.lei")
    (failed,) = notify_at(home).failed
    assert "93000" in failed["outcome"]


def test_dingtalks_20_a_minute_is_kept_the_rest_waits_for_the_next_run(
    home: Path, robots: Robots
) -> None:
    write_team(
        home,
        zhao=_table("dingtalk", robots.dingtalk()),
        notify="[delivery]\nmax_wait = 0\n",
    )
    pending(home, 25, "zhao.lei", "dingtalk:zhao.lei")
    now = datetime.now(UTC)
    report = notify_at(home, now)
    assert len(report.sent) == 20 and report.deferred == 5
    assert all(answer["errcode"] == 0 for _, answer in robots.answers)  # never "too fast"
    assert notify_at(home, now + timedelta(seconds=30)).sent == []  # still the same minute
    robots.sent_at.clear()  # the robot's minute is over too (its clock is the real one)
    later = notify_at(home, now + timedelta(seconds=61))
    assert len(later.sent) == 5
    assert len(robots.texts("dingtalk")) == 25


def test_the_robots_own_rate_limit_answer_is_retried_after_a_minute(
    home: Path, robots: Robots
) -> None:
    robots.limit["feishu"] = 2  # the service is stricter than notify.toml knows
    write_team(home, zhao=_table("feishu", robots.feishu()))
    pending(home, 3, "zhao.lei", "feishu:zhao.lei")
    now = datetime.now(UTC)
    report = notify_at(home, now)
    assert len(report.sent) == 2
    (retry,) = report.retrying
    assert "rate limit" in retry["outcome"] and "9499" in retry["outcome"]
    assert retry["next_try_at"] >= (now + timedelta(seconds=60)).isoformat()[:19]
    with Store.open(home) as store:
        row = store.conn.execute(
            "SELECT state, attempts FROM notifications WHERE key = 'test:2'"
        ).fetchone()
    assert (row["state"], row["attempts"]) == ("pending", 1)


def test_a_failing_webhook_is_retried_with_backoff_until_it_answers(
    home: Path, robots: Robots
) -> None:
    write_team(home, zhao=_table("webhook", robots.hook()), notify='[delivery]\nbackoff = "5m"\n')
    pending(home, 1, "zhao.lei", "webhook:zhao.lei")
    robots.fail_next = 2
    start = datetime.now(UTC)
    first = notify_at(home, start)
    assert [r["outcome"] for r in first.retrying] == ["HTTP 503 Service Unavailable"]
    assert first.retrying[0]["next_try_at"] == _z(start + timedelta(minutes=5))
    assert notify_at(home, start + timedelta(minutes=1)).retrying == []  # not yet
    second = notify_at(home, start + timedelta(minutes=6))
    assert second.retrying[0]["next_try_at"] == _z(start + timedelta(minutes=16))  # doubled
    third = notify_at(home, start + timedelta(minutes=17))
    assert [s["attempts"] for s in third.sent] == [3]
    assert robots.texts("webhook") == ["消息 0\n正文"]


def test_retries_end_as_failed_after_the_configured_attempts(home: Path, robots: Robots) -> None:
    write_team(home, zhao=_table("webhook", robots.hook()), notify="[delivery]\nretries = 2\n")
    pending(home, 1, "zhao.lei", "webhook:zhao.lei")
    robots.fail_next = 5
    start = datetime.now(UTC)
    assert notify_at(home, start).retrying
    last = notify_at(home, start + timedelta(hours=1))
    assert [f["attempts"] for f in last.failed] == [2]


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def test_two_runs_at_once_never_send_the_same_message(home: Path, robots: Robots) -> None:
    """Cron started a run while the last one was still sending: each message is claimed
    by one run before it is sent."""
    import threading

    write_team(home, zhao=_table("webhook", robots.hook()))
    pending(home, 30, "zhao.lei", "webhook:zhao.lei")
    reports = []

    def one_run() -> None:
        reports.append(notify_at(home))

    runs = [threading.Thread(target=one_run) for _ in range(3)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=120)
    sent = sorted(s["key"] for report in reports for s in report.sent)
    assert sent == sorted(f"test:{n}" for n in range(30))
    assert sorted(robots.texts("webhook")) == sorted(f"消息 {n}\n正文" for n in range(30))
