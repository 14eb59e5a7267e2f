"""Notification delivery: how much a cron run's bookkeeping costs over the sending itself.

N (BENCH_NOTIFY_N, default 200) messages wait to be sent by e-mail to a real SMTP server
on 127.0.0.1 (aiosmtpd). contractctl's run claims each in a transaction, sends it and
records its outcome; the baseline, in the same process, sends the same N messages with
smtplib alone, one connection each as ours makes. A second row times a rerun that finds
everything sent (what cron pays every few minutes on a quiet day) against the `remind`
query over the same store.
"""

from __future__ import annotations

import os
import smtplib
import tempfile
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

from contractctl.approval.business_days import Calendar
from contractctl.bootstrap import initialise
from contractctl.notify.deliver import run as notify_run
from contractctl.notify.settings import load_settings
from contractctl.obligations.remind import reminders
from contractctl.records.people import load_people
from contractctl.store import Store
from tests.bench.harness import Row, median_seconds

N = int(os.environ.get("BENCH_NOTIFY_N", "200"))


def run() -> Iterator[tuple[str, list[Row]]]:
    """Yield the notification benchmark table."""
    from aiosmtpd.controller import Controller

    from tests.notify.conftest import email_settings, pending, write_team
    from tests.notify.servers import Mailbox, _SmtpHandler, free_port

    box = Mailbox("127.0.0.1", free_port())
    controller = Controller(_SmtpHandler(box), hostname=box.host, port=box.port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp) / "store"
            initialise(home, "bench")
            write_team(home, notify=email_settings(box))
            pending(home, N, "zhao.lei", "email:zhao.lei@example.com")
            people = load_people(home)
            settings = load_settings(home)
            with Store.open(home) as store:
                start = time.perf_counter()
                report = notify_run(store, people, settings, Calendar())
                ours = time.perf_counter() - start
                assert len(report.sent) == N, report.to_dict()
                rerun = median_seconds(lambda: notify_run(store, people, settings, Calendar()), 5)
                query = median_seconds(lambda: reminders(store.conn), 5)
            start = time.perf_counter()
            for n in range(N):
                message = EmailMessage()
                message["Subject"] = f"[C-2026-{n:04d}] 待您审批：采购合同"
                message["From"] = "contracts@example.com"
                message["To"] = "zhao.lei@example.com"
                message.set_content(f"消息 {n}\n正文", charset="utf-8")
                with smtplib.SMTP(box.host, box.port, timeout=20) as smtp:
                    smtp.send_message(message)
            raw = time.perf_counter() - start
            assert len(box.received) == 2 * N
    finally:
        controller.stop()
    yield (
        f"Notify: {N} e-mails to a local SMTP server",
        [
            Row(
                "messages sent a second (claim, send, record)",
                N / ours,
                N / raw,
                "/s",
                "smtplib alone, same messages",
                higher_is_better=True,
            ),
            Row(
                f"rerun with {N} sent, nothing new (ms)",
                rerun * 1000,
                query * 1000,
                "ms",
                "remind's query, same store",
            ),
        ],
    )
