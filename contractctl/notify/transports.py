"""Sending one message: e-mail over SMTP, and the group robots of 钉钉, 企业微信 and 飞书.

Written with the standard library (smtplib, urllib) rather than apprise, which was
evaluated first (docs/notifications.md says why in full): its DingTalk plugin posts to a
fixed https://oapi.dingtalk.com address (no local server for tests, no company proxy),
and it judges a robot's answer by the HTTP status alone, while these robots answer
HTTP 200 with an ``errcode`` for a bad signature or "send too fast"; a cron job that must
know whether each message arrived needs that answer, message by message.

Every send returns an :class:`Outcome`: sent, or failed with ``permanent`` saying
whether trying again could help (a wrong secret will not fix itself; a rate limit, a
timeout or a busy server will) and ``retry_after`` when the service said how long.

What each robot checks, and how it answers:

- 钉钉 custom robot: POST JSON ``{"msgtype": "text", "text": {"content": ...}}`` to the
  webhook (``...?access_token=``), signed by ``timestamp`` (milliseconds) and ``sign``
  = URL-encoded base64 of HMAC-SHA256 keyed by the secret over ``timestamp + "\\n" +
  secret``, added to the query. Answers ``{"errcode": 0, "errmsg": "ok"}``; 310000 for a
  bad signature or keyword, 130101 "send too fast" past 20 messages a minute.
- 企业微信 group robot: POST ``{"msgtype": "text", "text": {"content": ...}}`` to
  ``...webhook/send?key=``; ``errcode`` 45009 when over its rate limit, 93000 for a bad key.
- 飞书 custom bot: POST ``{"timestamp": seconds, "sign": ..., "msg_type": "text",
  "content": {"text": ...}}``; ``sign`` = base64 of HMAC-SHA256 keyed by ``timestamp +
  "\\n" + secret`` over nothing. Answers ``{"code": 0}``; 19021 for a bad signature,
  9499/11232 when sending too often.
- A generic webhook gets the message as JSON, with ``X-Contractctl-Signature: sha256=``
  and the hex HMAC-SHA256 of the body when a secret is set.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from contractctl.notify.settings import Channel, EmailServer

#: Robot answers that mean "too fast": try again after a minute.
RATE_LIMITED = {"dingtalk": {130101}, "wecom": {45009}, "feishu": {9499, 11232, 11233}}
#: Robot answers that mean "busy": try again later.
BUSY = {-1}
#: The most a robot's text message may hold (企业微信: 2048 bytes; the others more).
MAX_TEXT_BYTES = 2000


@dataclass(frozen=True)
class Outcome:
    """How one send went."""

    ok: bool
    detail: str
    permanent: bool = False
    retry_after: float | None = None


def send(
    channel: Channel,
    subject: str,
    body: str,
    *,
    email: EmailServer,
    timeout: float,
    key: str = "",
) -> Outcome:
    """Send one message on ``channel``; never raises for a delivery failure."""
    if channel.kind == "email":
        return send_email(email, channel.address, subject, body, key=key)
    text = _fit(body)  # its first line is the subject's: a chat bubble needs it once
    if channel.kind == "dingtalk":
        payload: dict[str, Any] = {"msgtype": "text", "text": {"content": text}}
        return _post(channel, _dingtalk_url(channel), payload, timeout)
    if channel.kind == "wecom":
        payload = {"msgtype": "text", "text": {"content": text}}
        return _post(channel, channel.address, payload, timeout)
    if channel.kind == "feishu":
        payload = {"msg_type": "text", "content": {"text": text}}
        if channel.secret:
            stamp = str(int(time.time()))
            payload = {"timestamp": stamp, "sign": feishu_sign(stamp, channel.secret), **payload}
        return _post(channel, channel.address, payload, timeout)
    payload = {"key": key, "subject": subject, "text": body}
    return _post(channel, channel.address, payload, timeout)


def dingtalk_sign(timestamp_ms: str, secret: str) -> str:
    """钉钉's signature of a request made at ``timestamp_ms`` (before URL encoding)."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def feishu_sign(timestamp_s: str, secret: str) -> str:
    """飞书's signature of a request made at ``timestamp_s``."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def webhook_signature(body: bytes, secret: str) -> str:
    """The ``X-Contractctl-Signature`` of a generic webhook's body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _dingtalk_url(channel: Channel) -> str:
    if not channel.secret:
        return channel.address
    stamp = str(int(time.time() * 1000))
    query = urllib.parse.urlencode(
        {"timestamp": stamp, "sign": dingtalk_sign(stamp, channel.secret)}
    )
    joiner = "&" if "?" in channel.address else "?"
    return f"{channel.address}{joiner}{query}"


def _fit(text: str) -> str:
    data = text.encode("utf-8")
    if len(data) <= MAX_TEXT_BYTES:
        return text
    return data[: MAX_TEXT_BYTES - 3].decode("utf-8", "ignore") + "..."


def _post(channel: Channel, url: str, payload: dict[str, Any], timeout: float) -> Outcome:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if channel.kind == "webhook" and channel.secret:
        headers["X-Contractctl-Signature"] = webhook_signature(body, channel.secret)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = response.read(65536)
    except urllib.error.HTTPError as exc:
        wait = exc.headers.get("Retry-After") if exc.headers else None
        transient = exc.code == 429 or exc.code >= 500
        return Outcome(
            False,
            f"HTTP {exc.code} {exc.reason}",
            permanent=not transient,
            retry_after=float(wait) if wait and wait.isdigit() else None,
        )
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Outcome(False, f"cannot reach the {channel.kind} service: {reason}")
    if channel.kind == "webhook":
        return Outcome(True, "HTTP 2xx")
    return _robot_answer(channel.kind, answer)


def _robot_answer(kind: str, answer: bytes) -> Outcome:
    """钉钉/企业微信 answer ``errcode``/``errmsg``; 飞书 ``code``/``msg`` (or
    ``StatusCode``/``StatusMessage`` in its older form)."""
    try:
        data = json.loads(answer.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return Outcome(False, f"{kind}: an answer that is not JSON", permanent=False)
    if not isinstance(data, dict):
        return Outcome(False, f"{kind}: an unexpected answer", permanent=False)
    code = data.get("errcode", data.get("code", data.get("StatusCode", 0)))
    message = str(data.get("errmsg", data.get("msg", data.get("StatusMessage", ""))))
    if code == 0:
        return Outcome(True, f"{kind}: {message or 'ok'}")
    if code in RATE_LIMITED.get(kind, set()):
        return Outcome(False, f"{kind} rate limit: {code} {message}", retry_after=60.0)
    if code in BUSY:
        return Outcome(False, f"{kind} busy: {code} {message}")
    return Outcome(False, f"{kind} refused: {code} {message}", permanent=True)


def send_email(server: EmailServer, to: str, subject: str, body: str, *, key: str = "") -> Outcome:
    """One plain-text UTF-8 e-mail (the subject RFC 2047-encoded) through ``server``."""
    import smtplib
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = server.sender
    message["To"] = to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=server.sender.rpartition("@")[2].strip(">") or None)
    if key:
        message["X-Contractctl-Key"] = key
    message.set_content(body, charset="utf-8")
    try:
        connect = smtplib.SMTP_SSL if server.ssl else smtplib.SMTP
        with connect(server.host, server.port, timeout=server.timeout) as smtp:
            if server.starttls and not server.ssl:
                smtp.starttls()
            if server.username:
                smtp.login(server.username, os.environ.get(server.password_env, ""))
            refused = smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        return Outcome(
            False, f"SMTP refused {to}: {codes[0] if codes else ''}", permanent=_permanent(codes)
        )
    except smtplib.SMTPResponseException as exc:
        text = (
            exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else ""
        )
        return Outcome(
            False, f"SMTP {exc.smtp_code} {text}".strip(), permanent=exc.smtp_code >= 500
        )
    except (smtplib.SMTPException, OSError) as exc:
        return Outcome(False, f"cannot reach the SMTP server {server.host}:{server.port}: {exc}")
    if refused:
        return Outcome(False, f"SMTP refused {to}", permanent=True)
    return Outcome(True, f"SMTP accepted for {to}")


def _permanent(codes: list[int]) -> bool:
    return bool(codes) and all(code >= 500 for code in codes)
