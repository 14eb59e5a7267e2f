"""`notify`: send each person what is new or due, once, and keep the record.

A run, as cron starts it every few minutes:

1. **Plan** (contractctl.notify.plan): the notices due now and the audit events since
   the last run's cursor.
2. **Address**: each notice becomes one row per recipient and channel (a person's e-mail
   and robots from people.toml; a subscription's group channels from notify.toml),
   written in the recipient's language. Rows are inserted with INSERT OR IGNORE under
   UNIQUE (key, recipient, channel), and the event cursor moves in the same transaction:
   a row that exists was sent already, or is still being tried, so a rerun adds nothing.
   With the daily digest on, rows wait ``held`` until ``digest_at``; then each
   recipient's held rows become one digest message.
3. **Send** the rows that are pending and due, unless it is quiet hours: each is
   claimed first (attempts + 1, and a lease) in its own short transaction, so two runs
   at once never send the same row; then sent, then its outcome recorded. A robot's rate
   limit is kept per webhook (钉钉: 20 a minute), waiting up to ``max_wait`` seconds or
   leaving the rest for the next run. A failure is tried again after ``backoff``,
   doubling, until ``retries`` attempts; a refusal that cannot change (a wrong secret,
   an address the server refuses) fails at once.

``--dry-run`` stops after step 2 and writes nothing.
"""

from __future__ import annotations

import time as _time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from contractctl.dates import zone
from contractctl.notify.messages import Text, language_for, render, render_digest
from contractctl.notify.plan import Notice, make_plan, wants
from contractctl.notify.settings import Channel, NotifySettings, channel_from_table
from contractctl.notify.transports import Outcome, send
from contractctl.records.people import People
from contractctl.store import Store

CURSOR = "notify.event_seq"
#: How long a claimed row is left to its run before another run may try it.
LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class Recipient:
    """A person or a subscription, with the channels that reach them."""

    id: str
    lang: str
    channels: tuple[Channel, ...]
    digest: bool


@dataclass(frozen=True)
class Row:
    """One message to one recipient on one channel."""

    key: str
    recipient: str
    channel: Channel
    kind: str
    contract_id: str | None
    text: Text
    held: bool


@dataclass
class RunReport:
    """What a run did (or, with dry_run, would do)."""

    dry_run: bool = False
    planned: int = 0
    new: list[dict[str, Any]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    retrying: list[dict[str, Any]] = field(default_factory=list)
    deferred: int = 0
    held: int = 0
    quiet_until: str | None = None
    unreachable: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """Messages that failed in this run (given up or to be tried again)."""
        return len(self.failed) + len(self.retrying)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `notify --json`."""
        return {
            "dry_run": self.dry_run,
            "planned": self.planned,
            "new": self.new,
            "sent": self.sent,
            "failed": self.failed,
            "retrying": self.retrying,
            "deferred": self.deferred,
            "held": self.held,
            "quiet_until": self.quiet_until,
            "unreachable": self.unreachable,
        }


def recipients(people: People, settings: NotifySettings, company: str = "") -> dict[str, Recipient]:
    """Everyone notify can reach, by id (subscriptions as ``sub:NAME``). A group channel
    reads the company's language (Chinese for a company named in Chinese) unless its
    subscription says ``lang``."""
    out: dict[str, Recipient] = {}
    for person in people.by_id.values():
        channels = []
        if person.email:
            channels.append(Channel("email", person.email, "", f"email:{person.email}"))
        for kind, raw in person.channels.items():
            label = f"{kind}:{person.id}"
            channels.append(channel_from_table(None, kind, raw, label, "people", person.id))
        lang = language_for(person.lang, person.name)
        out[person.id] = Recipient(person.id, lang, tuple(channels), settings.digest)
    for sub in settings.subscriptions:
        lang = language_for(sub.lang, company)
        out[f"sub:{sub.name}"] = Recipient(
            f"sub:{sub.name}", lang, sub.channels, settings.digest or sub.digest
        )
    return out


def address(
    notices: list[Notice],
    people: People,
    settings: NotifySettings,
    report: RunReport,
    company: str = "",
) -> list[Row]:
    """The rows the notices make: per recipient and channel, in their language."""
    reach = recipients(people, settings, company)
    rows: list[Row] = []
    for notice in notices:
        targets = [(p, notice.key) for p in notice.people]
        targets += [
            (f"sub:{s.name}", notice.group_key) for s in settings.subscriptions if wants(s, notice)
        ]
        for who, key in targets:
            recipient = reach.get(who)
            if recipient is None or not recipient.channels:
                if who not in report.unreachable:
                    report.unreachable.append(who)
                continue
            text = render(notice.facts, recipient.lang)
            for channel in recipient.channels:
                rows.append(
                    Row(
                        key,
                        who,
                        channel,
                        notice.facts.kind,
                        notice.facts.contract_id,
                        text,
                        recipient.digest,
                    )
                )
    return rows


def run(
    store: Store,
    people: People,
    settings: NotifySettings,
    calendar: Any,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    sleep: Callable[[float], None] = _time.sleep,
) -> RunReport:
    """One `notify` run at ``now`` (default: this moment)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    conn = store.conn
    report = RunReport(dry_run=dry_run)
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (CURSOR,)).fetchone()
    cursor = int(row[0]) if row else 0
    plan = make_plan(
        conn,
        people,
        settings,
        calendar,
        now=now,
        cursor=cursor,
        today=now.astimezone(zone()).date(),
    )
    company = store.settings.company.name
    rows = address(plan.notices, people, settings, report, company)
    report.planned = len(rows)
    if dry_run:
        existing = {
            (r["key"], r["recipient"], r["channel"])
            for r in conn.execute("SELECT key, recipient, channel FROM notifications")
        }
        report.new = [
            _row_dict(r) for r in rows if (r.key, r.recipient, r.channel.label) not in existing
        ]
        return report
    stamp = _iso(now)
    with store.transaction("notify") as tx:
        for item in rows:
            inserted = tx.conn.execute(
                "INSERT OR IGNORE INTO notifications (key, recipient, channel, kind, contract_id, "
                "subject, body, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    item.key,
                    item.recipient,
                    item.channel.label,
                    item.kind,
                    item.contract_id,
                    item.text.subject,
                    item.text.body,
                    "held" if item.held else "pending",
                    stamp,
                ),
            ).rowcount
            if inserted:
                report.new.append(_row_dict(item))
        tx.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (CURSOR, str(plan.cursor)),
        )
    _digests(store, people, settings, now, company)
    report.held = int(
        conn.execute("SELECT count(*) FROM notifications WHERE state = 'held'").fetchone()[0]
    )
    quiet_end = quiet_until(settings, now)
    if quiet_end is not None:
        report.quiet_until = _iso(quiet_end)
        return report
    _send_due(store, people, settings, now, report, sleep)
    if report.sent or report.failed or report.retrying:
        with store.transaction("notify") as tx:
            tx.audit(
                "notify.run",
                None,
                {
                    "sent": len(report.sent),
                    "failed": len(report.failed),
                    "retrying": len(report.retrying),
                },
            )
    return report


def quiet_until(settings: NotifySettings, now: datetime) -> datetime | None:
    """The end of the quiet hours ``now`` falls in (UTC), or None."""
    start, end = settings.quiet_start, settings.quiet_end
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(zone())
    clock = local.time().replace(tzinfo=None)
    inside = start <= clock < end if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=local.tzinfo).astimezone(UTC)


def _digests(
    store: Store, people: People, settings: NotifySettings, now: datetime, company: str
) -> None:
    """At or after ``digest_at`` (local), each recipient's held rows become one digest."""
    local = now.astimezone(zone())
    if local.time().replace(tzinfo=None) < settings.digest_at:
        return
    day = local.date().isoformat()
    reach = recipients(people, settings, company)
    with store.transaction("notify") as tx:
        groups = tx.conn.execute(
            "SELECT recipient, channel FROM notifications WHERE state = 'held' "
            "GROUP BY recipient, channel ORDER BY recipient, channel"
        ).fetchall()
        for group in groups:
            items = tx.conn.execute(
                "SELECT id, subject, body FROM notifications WHERE state = 'held' "
                "AND recipient = ? AND channel = ? ORDER BY id",
                (group["recipient"], group["channel"]),
            ).fetchall()
            recipient = reach.get(group["recipient"])
            lang = recipient.lang if recipient else "en"
            text = render_digest([(i["subject"], i["body"]) for i in items], lang, day)
            digest = tx.conn.execute(
                "INSERT OR IGNORE INTO notifications (key, recipient, channel, kind, subject, "
                "body, state, created_at) VALUES (?, ?, ?, 'digest', ?, ?, 'pending', ?)",
                (
                    f"digest:{day}",
                    group["recipient"],
                    group["channel"],
                    text.subject,
                    text.body,
                    _iso(now),
                ),
            )
            if not digest.rowcount:
                continue  # today's digest went out already: these wait for tomorrow's
            tx.conn.execute(
                f"UPDATE notifications SET state = 'digested', digest_id = ? "
                f"WHERE id IN ({', '.join('?' for _ in items)})",
                (digest.lastrowid, *[i["id"] for i in items]),
            )


class _Limiter:
    """Messages per minute per webhook: what was sent in the last minute before this run
    (from the table) and in this run (by the clock)."""

    def __init__(self, settings: NotifySettings, before: dict[str, int]) -> None:
        self.settings = settings
        self.before = before
        self.sent: dict[str, deque[float]] = {}

    def wait(self, channel: Channel) -> float:
        """Seconds to wait before the next message on ``channel`` (0: go now)."""
        if channel.kind == "email":
            return 0.0
        limit = self.settings.rate_limits.get(channel.kind, 60)
        stamps = self.sent.setdefault(channel.address, deque())
        clock = _time.monotonic()
        while stamps and clock - stamps[0] >= 60:
            stamps.popleft()
        used = len(stamps) + self.before.get(channel.address, 0)
        if used < limit:
            return 0.0
        return 60.0 - (clock - stamps[0]) if stamps and len(stamps) >= limit else 60.0

    def record(self, channel: Channel) -> None:
        """A message went out on ``channel``."""
        self.sent.setdefault(channel.address, deque()).append(_time.monotonic())


def _send_due(
    store: Store,
    people: People,
    settings: NotifySettings,
    now: datetime,
    report: RunReport,
    sleep: Callable[[float], None],
) -> None:
    conn = store.conn
    channels = {c.label: c for r in recipients(people, settings).values() for c in r.channels}
    stamp = _iso(now)
    due = conn.execute(
        "SELECT * FROM notifications WHERE state = 'pending' "
        "AND (next_try_at IS NULL OR next_try_at <= ?) ORDER BY id",
        (stamp,),
    ).fetchall()
    minute_ago = _iso(now - timedelta(minutes=1))
    before: dict[str, int] = {}
    for label, count in conn.execute(
        "SELECT channel, count(*) FROM notifications WHERE sent_at >= ? GROUP BY channel",
        (minute_ago,),
    ):
        if label in channels:
            address = channels[label].address
            before[address] = before.get(address, 0) + int(count)
    limiter = _Limiter(settings, before)
    for row in due:
        channel = channels.get(row["channel"])
        if channel is None:
            _finish(
                store,
                row,
                Outcome(False, "channel no longer configured", permanent=True),
                now,
                settings,
                report,
            )
            continue
        wait = limiter.wait(channel)
        if wait > 0 and wait <= settings.max_wait_seconds:
            sleep(wait)
        elif wait > 0:
            _defer(store, row["id"], now + timedelta(seconds=60))
            report.deferred += 1
            continue
        if not _claim(store, row["id"], now):
            continue
        limiter.record(channel)
        outcome = send(
            channel,
            row["subject"],
            row["body"],
            email=settings.email,
            timeout=settings.timeout,
            key=row["key"],
        )
        _finish(store, row, outcome, now, settings, report)


def _claim(store: Store, row_id: int, now: datetime) -> bool:
    with store.transaction("notify") as tx:
        return bool(
            tx.conn.execute(
                "UPDATE notifications SET attempts = attempts + 1, next_try_at = ? "
                "WHERE id = ? AND state = 'pending' AND (next_try_at IS NULL OR next_try_at <= ?)",
                (_iso(now + LEASE), row_id, _iso(now)),
            ).rowcount
        )


def _defer(store: Store, row_id: int, until: datetime) -> None:
    with store.transaction("notify") as tx:
        tx.conn.execute(
            "UPDATE notifications SET next_try_at = ? WHERE id = ?", (_iso(until), row_id)
        )


def _finish(
    store: Store,
    row: Any,
    outcome: Outcome,
    now: datetime,
    settings: NotifySettings,
    report: RunReport,
) -> None:
    attempts = int(row["attempts"]) + 1
    entry = {
        "id": row["id"],
        "key": row["key"],
        "recipient": row["recipient"],
        "channel": row["channel"],
        "kind": row["kind"],
        "contract_id": row["contract_id"],
        "subject": row["subject"],
        "attempts": attempts,
        "outcome": outcome.detail,
    }
    with store.transaction("notify") as tx:
        if outcome.ok:
            tx.conn.execute(
                "UPDATE notifications SET state = 'sent', sent_at = ?, outcome = ?, "
                "next_try_at = NULL WHERE id = ?",
                (_iso(now), outcome.detail, row["id"]),
            )
            report.sent.append(entry)
            return
        if outcome.permanent or attempts >= settings.retries:
            tx.conn.execute(
                "UPDATE notifications SET state = 'failed', outcome = ?, next_try_at = NULL "
                "WHERE id = ?",
                (outcome.detail, row["id"]),
            )
            report.failed.append(entry)
            return
        backoff = timedelta(minutes=settings.backoff_minutes * 2 ** (attempts - 1))
        if outcome.retry_after is not None:
            backoff = max(backoff, timedelta(seconds=outcome.retry_after))
        retry_at = now + backoff
        tx.conn.execute(
            "UPDATE notifications SET state = 'pending', outcome = ?, next_try_at = ? WHERE id = ?",
            (outcome.detail, _iso(retry_at), row["id"]),
        )
        report.retrying.append({**entry, "next_try_at": _iso(retry_at)})


def _row_dict(row: Row) -> dict[str, Any]:
    return {
        "key": row.key,
        "recipient": row.recipient,
        "channel": row.channel.label,
        "kind": row.kind,
        "contract_id": row.contract_id,
        "subject": row.text.subject,
        "body": row.text.body,
        "held_for_digest": row.held,
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
