"""notify.toml: how reminders are delivered (the store's folder, beside people.toml).

People's own channels are in people.toml (``email``, and ``dingtalk``/``wecom``/
``feishu``/``webhook`` tables); this file holds what is the company's rather than a
person's: the SMTP server, quiet hours, the daily digest, retries, the robots' rate
limits, when an overdue approval is reminded and escalated, and the group channels that
subscribe to a department's or a role's contracts. Every key is optional; a store without
the file sends e-mail through localhost:25 and nothing else changes. Unknown keys are
errors that name file and line, as for every other rules file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

from contractctl import tomlfile
from contractctl.errors import ConfigError
from contractctl.money import Money, parse_money

FILE = "notify.toml"
TOP_KEYS = ("email", "delivery", "reminders", "rate_limits", "subscriptions")
EMAIL_KEYS = ("host", "port", "from", "starttls", "ssl", "username", "password_env", "timeout")
DELIVERY_KEYS = (
    "quiet_hours",
    "digest",
    "digest_at",
    "retries",
    "backoff",
    "max_wait",
    "events_within",
    "timeout",
)
REMINDER_KEYS = (
    "remind_every",
    "max_reminders",
    "escalate_after",
    "escalate_to",
    "obligations_within",
)
SUBSCRIPTION_KEYS = (
    "name",
    "department",
    "role",
    "amount_min",
    "events",
    "lang",
    "digest",
    "email",
    "dingtalk",
    "wecom",
    "feishu",
    "webhook",
)
#: The kinds of channel, and the robots among them.
CHANNEL_KINDS = ("email", "dingtalk", "wecom", "feishu", "webhook")
ROBOTS = ("dingtalk", "wecom", "feishu", "webhook")
#: Documented limits of each robot, messages per minute (钉钉: 20 a minute per robot;
#: 企业微信 group robots: 20 a minute; 飞书 custom bots: 100 a minute).
DEFAULT_RATE_LIMITS = {"dingtalk": 20, "wecom": 20, "feishu": 100, "webhook": 60}
#: What a subscription may ask to hear about (see contractctl.notify.plan).
EVENT_KINDS = (
    "submitted",
    "waiting",
    "stage_advanced",
    "approved",
    "returned",
    "rejected",
    "signed",
    "amendment_in_force",
    "overdue",
    "escalated",
    "obligation_due",
)
ESCALATE_TO = ("department_head", "stage")
_DURATION = re.compile(r"^(\d+)\s*([mhd])$")


@dataclass(frozen=True)
class EmailServer:
    """The SMTP server e-mail goes through."""

    host: str = "localhost"
    port: int = 25
    sender: str = "contractctl@localhost"
    starttls: bool = False
    ssl: bool = False
    username: str = ""
    password_env: str = "CONTRACTCTL_SMTP_PASSWORD"
    timeout: float = 20.0


@dataclass(frozen=True)
class Channel:
    """One place a message goes: an e-mail address or a robot's webhook (and secret).

    ``label`` is what the notifications table records (``email:wang@example.com``,
    ``dingtalk:wang.fang``, ``dingtalk:legal-group``): never the webhook's token."""

    kind: str
    address: str
    secret: str = ""
    label: str = ""


@dataclass(frozen=True)
class Subscription:
    """A group channel that hears about the contracts of a department or a role."""

    name: str
    channels: tuple[Channel, ...]
    department: str = ""
    role: str = ""
    amount_min: Money | None = None
    events: frozenset[str] = frozenset(EVENT_KINDS)
    lang: str = ""
    digest: bool = False


@dataclass(frozen=True)
class NotifySettings:
    """Everything in notify.toml, with its defaults."""

    email: EmailServer = field(default_factory=EmailServer)
    quiet_start: time | None = None
    quiet_end: time | None = None
    digest: bool = False
    digest_at: time = time(9, 0)
    retries: int = 5
    backoff_minutes: int = 5
    max_wait_seconds: int = 60
    events_within_minutes: int = 7 * 24 * 60
    timeout: float = 10.0
    remind_every_minutes: int = 24 * 60
    max_reminders: int = 3
    escalate_after_minutes: int = 24 * 60
    escalate_to: str = "department_head"
    obligations_within_days: int = 7
    rate_limits: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_RATE_LIMITS))
    subscriptions: tuple[Subscription, ...] = ()


def load_settings(home: Path, default_currency: str = "CNY") -> NotifySettings:
    """Read ``home/notify.toml``; a missing file means every default."""
    path = home / FILE
    if not path.exists():
        return NotifySettings()
    doc = tomlfile.load(path, display=FILE)
    data = doc.data
    tomlfile.reject_unknown(doc, data, TOP_KEYS)
    email = _email(doc, _table(doc, data, "email"))
    delivery = _table(doc, data, "delivery")
    tomlfile.reject_unknown(doc, delivery, DELIVERY_KEYS, "delivery")
    reminders = _table(doc, data, "reminders")
    tomlfile.reject_unknown(doc, reminders, REMINDER_KEYS, "reminders")
    limits = _table(doc, data, "rate_limits")
    tomlfile.reject_unknown(doc, limits, ROBOTS, "rate_limits")
    quiet = delivery.get("quiet_hours", "")
    quiet_start, quiet_end = _quiet(doc, quiet) if quiet else (None, None)
    escalate_to = reminders.get("escalate_to", "department_head")
    if escalate_to not in ESCALATE_TO:
        raise doc.error(
            f"reminders -> escalate_to: {escalate_to!r} is not one of {', '.join(ESCALATE_TO)}",
            "reminders",
            "escalate_to",
        )
    rate_limits = dict(DEFAULT_RATE_LIMITS)
    for kind, value in limits.items():
        rate_limits[kind] = _count(doc, value, "rate_limits", kind, least=1)
    return NotifySettings(
        email=email,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        digest=_bool(doc, delivery.get("digest", False), "delivery", "digest"),
        digest_at=_clock(doc, delivery.get("digest_at", "09:00"), "delivery", "digest_at"),
        retries=_count(doc, delivery.get("retries", 5), "delivery", "retries", least=1),
        backoff_minutes=_minutes(doc, delivery.get("backoff", "5m"), "delivery", "backoff"),
        max_wait_seconds=_count(doc, delivery.get("max_wait", 60), "delivery", "max_wait"),
        events_within_minutes=_minutes(
            doc, delivery.get("events_within", "7d"), "delivery", "events_within"
        ),
        timeout=float(_count(doc, delivery.get("timeout", 10), "delivery", "timeout", least=1)),
        remind_every_minutes=_minutes(
            doc, reminders.get("remind_every", "24h"), "reminders", "remind_every"
        ),
        max_reminders=_count(
            doc, reminders.get("max_reminders", 3), "reminders", "max_reminders", least=1
        ),
        escalate_after_minutes=_minutes(
            doc, reminders.get("escalate_after", "24h"), "reminders", "escalate_after"
        ),
        escalate_to=str(escalate_to),
        obligations_within_days=_minutes(
            doc, reminders.get("obligations_within", "7d"), "reminders", "obligations_within"
        )
        // (24 * 60),
        rate_limits=rate_limits,
        subscriptions=_subscriptions(doc, data.get("subscriptions", []), default_currency),
    )


def channel_from_table(
    doc: tomlfile.TomlDoc | None, kind: str, raw: Any, label: str, *where: str
) -> Channel:
    """A robot's table (``{ webhook = "https://...", secret = "SEC..." }``) as a Channel;
    ``doc`` is None for people.toml's tables, whose errors name people.toml."""
    keys = ("url", "secret") if kind == "webhook" else ("webhook", "secret")

    def fail(message: str) -> ConfigError:
        text = f"{' -> '.join(where)} -> {kind}: {message}"
        return doc.error(text, *where, kind) if doc else ConfigError(f"people.toml: {text}")

    if not isinstance(raw, dict):
        raise fail('a table like { webhook = "https://...", secret = "..." }')
    unknown = sorted(set(raw) - set(keys))
    if unknown:
        raise fail(f"{unknown[0]}: unknown key (expected one of: {', '.join(keys)})")
    address = raw.get(keys[0], "")
    if not isinstance(address, str) or not address.startswith(("http://", "https://")):
        raise fail(f"{keys[0]}: an http:// or https:// address")
    secret = raw.get("secret", "")
    if not isinstance(secret, str):
        raise fail("secret: a string")
    return Channel(kind, address, secret, label)


def _table(doc: tomlfile.TomlDoc, data: dict[str, Any], name: str) -> dict[str, Any]:
    raw = data.get(name, {})
    if not isinstance(raw, dict):
        raise doc.error(f"{name}: a table", name)
    return raw


def _email(doc: tomlfile.TomlDoc, raw: dict[str, Any]) -> EmailServer:
    tomlfile.reject_unknown(doc, raw, EMAIL_KEYS, "email")
    for key in ("host", "from", "username", "password_env"):
        if key in raw and not isinstance(raw[key], str):
            raise doc.error(f"email -> {key}: a string", "email", key)
    return EmailServer(
        host=raw.get("host", "localhost"),
        port=_count(doc, raw.get("port", 25), "email", "port", least=1),
        sender=raw.get("from", "contractctl@localhost"),
        starttls=_bool(doc, raw.get("starttls", False), "email", "starttls"),
        ssl=_bool(doc, raw.get("ssl", False), "email", "ssl"),
        username=raw.get("username", ""),
        password_env=raw.get("password_env", "CONTRACTCTL_SMTP_PASSWORD"),
        timeout=float(_count(doc, raw.get("timeout", 20), "email", "timeout", least=1)),
    )


def _subscriptions(
    doc: tomlfile.TomlDoc, raw: Any, default_currency: str
) -> tuple[Subscription, ...]:
    if not isinstance(raw, list):
        raise doc.error("subscriptions: use [[subscriptions]] tables", "subscriptions")
    out: list[Subscription] = []
    for entry in raw:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise doc.error("subscriptions: each needs a name", "subscriptions")
        name = entry["name"]
        tomlfile.reject_unknown(doc, entry, SUBSCRIPTION_KEYS, "subscriptions", name)
        channels: list[Channel] = []
        for kind in CHANNEL_KINDS:
            if kind not in entry:
                continue
            if kind == "email":
                address = entry["email"]
                if not isinstance(address, str) or "@" not in address:
                    raise doc.error(f"subscriptions -> {name} -> email: an address", name, "email")
                channels.append(Channel("email", address, "", f"email:{address}"))
            else:
                channels.append(
                    channel_from_table(
                        doc, kind, entry[kind], f"{kind}:{name}", "subscriptions", name
                    )
                )
        if not channels:
            raise doc.error(
                f"subscriptions -> {name}: no channel (email, dingtalk, wecom, feishu or webhook)",
                name,
            )
        events = entry.get("events", list(EVENT_KINDS))
        if not isinstance(events, list) or not all(e in EVENT_KINDS for e in events):
            raise doc.error(
                f"subscriptions -> {name} -> events: a list of {', '.join(EVENT_KINDS)}",
                name,
                "events",
            )
        amount = entry.get("amount_min")
        minimum = None
        if amount is not None:
            try:
                minimum = parse_money(str(amount), default_currency)
            except Exception as exc:
                raise doc.error(
                    f"subscriptions -> {name} -> amount_min: {exc}", name, "amount_min"
                ) from None
        out.append(
            Subscription(
                name=name,
                channels=tuple(channels),
                department=str(entry.get("department", "")),
                role=str(entry.get("role", "")),
                amount_min=minimum,
                events=frozenset(events),
                lang=str(entry.get("lang", "")),
                digest=_bool(doc, entry.get("digest", False), name, "digest"),
            )
        )
    return tuple(out)


def _bool(doc: tomlfile.TomlDoc, value: Any, *where: str) -> bool:
    if not isinstance(value, bool):
        raise doc.error(f"{' -> '.join(where)}: true or false", *where)
    return value


def _count(doc: tomlfile.TomlDoc, value: Any, *where: str, least: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise doc.error(f"{' -> '.join(where)}: a whole number, at least {least}", *where)
    return value


def _minutes(doc: tomlfile.TomlDoc, value: Any, *where: str) -> int:
    match = _DURATION.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise doc.error(f"{' -> '.join(where)}: a duration like 30m, 24h or 3d", *where)
    number, unit = int(match.group(1)), match.group(2)
    return number * {"m": 1, "h": 60, "d": 24 * 60}[unit]


def _clock(doc: tomlfile.TomlDoc, value: Any, *where: str) -> time:
    match = re.match(r"^(\d{1,2}):(\d{2})$", value.strip()) if isinstance(value, str) else None
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise doc.error(f"{' -> '.join(where)}: a time of day like 08:30", *where)
    return time(int(match.group(1)), int(match.group(2)))


def _quiet(doc: tomlfile.TomlDoc, value: Any) -> tuple[time, time]:
    if not isinstance(value, str) or value.count("-") != 1:
        raise doc.error(
            "delivery -> quiet_hours: a span like 22:00-08:00", "delivery", "quiet_hours"
        )
    start, end = value.split("-")
    return (
        _clock(doc, start, "delivery", "quiet_hours"),
        _clock(doc, end, "delivery", "quiet_hours"),
    )
