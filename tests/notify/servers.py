"""Real servers for the notification tests: an SMTP server (aiosmtpd) on 127.0.0.1 that
keeps what it receives, and one HTTP server that answers as 钉钉, 企业微信 and 飞书's
robots do, checking what they check.

The robot server checks, as the services document:

- 钉钉 ``POST /robot/send?access_token=T&timestamp=MS&sign=S``: the token; with a
  secret, a timestamp within an hour and ``sign`` = base64(HMAC-SHA256(secret,
  timestamp + "\\n" + secret)) (errcode 310000 otherwise); a text message's
  ``text.content``; at most ``limit`` messages a minute per robot (errcode 130101,
  "send too fast").
- 企业微信 ``POST /cgi-bin/webhook/send?key=K``: the key (93000), ``text.content``, the
  rate limit (45009).
- 飞书 ``POST /open-apis/bot/v2/hook/TOKEN``: with a secret, ``timestamp`` (seconds)
  within an hour and ``sign`` = base64(HMAC-SHA256(timestamp + "\\n" + secret, "")) in
  the body (code 19021); ``msg_type`` text with ``content.text``; the rate limit (9499).
- ``POST /hook``: a generic webhook; ``X-Contractctl-Signature`` checked when a secret is
  set; ``fail_next`` makes it answer 503 that many times.

All robots answer HTTP 200 with the error in the JSON, as the real ones do.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

DING_TOKEN = "d1n9t0ken"
DING_SECRET = "SECd1n9s3cr3t"
WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
FEISHU_TOKEN = "f3ishu-hook-token"
FEISHU_SECRET = "f3ishus3cr3t"
HOOK_SECRET = "h00ks3cr3t"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Mailbox:
    """What the SMTP server received: (envelope recipients, parsed message, raw bytes)."""

    host: str
    port: int
    received: list[tuple[list[str], EmailMessage, bytes]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    def to(self, address: str) -> list[EmailMessage]:
        """Messages delivered to ``address``."""
        return [m for rcpt, m, _ in self.received if address in rcpt]


class _SmtpHandler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.box.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        parsed = message_from_bytes(raw, policy=policy.default)
        self.box.received.append((list(envelope.rcpt_tos), parsed, raw))  # type: ignore[arg-type]
        return "250 Message accepted"


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1 for one test."""
    from aiosmtpd.controller import Controller

    box = Mailbox("127.0.0.1", free_port())
    controller = Controller(_SmtpHandler(box), hostname=box.host, port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@dataclass
class Robots:
    """The robot server's address, what it accepted, and its answers to tune."""

    base: str
    accepted: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    answers: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    limit: dict[str, int] = field(
        default_factory=lambda: {"dingtalk": 20, "wecom": 20, "feishu": 100}
    )
    fail_next: int = 0
    sent_at: dict[str, list[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def texts(self, kind: str) -> list[str]:
        """The texts a robot kind accepted, in order."""
        out = []
        for got, payload in self.accepted:
            if got != kind:
                continue
            if kind == "feishu":
                out.append(payload["content"]["text"])
            elif kind == "webhook":
                out.append(payload["text"])
            else:
                out.append(payload["text"]["content"])
        return out

    def dingtalk(self, secret: str = DING_SECRET) -> dict[str, str]:
        return {"webhook": f"{self.base}/robot/send?access_token={DING_TOKEN}", "secret": secret}

    def wecom(self, key: str = WECOM_KEY) -> dict[str, str]:
        return {"webhook": f"{self.base}/cgi-bin/webhook/send?key={key}"}

    def feishu(self, secret: str = FEISHU_SECRET) -> dict[str, str]:
        return {"webhook": f"{self.base}/open-apis/bot/v2/hook/{FEISHU_TOKEN}", "secret": secret}

    def hook(self) -> dict[str, str]:
        return {"url": f"{self.base}/hook", "secret": HOOK_SECRET}

    def _too_fast(self, robot: str, kind: str) -> bool:
        now = time.monotonic()
        with self.lock:
            stamps = [t for t in self.sent_at.get(robot, []) if now - t < 60]
            if len(stamps) >= self.limit[kind]:
                self.sent_at[robot] = stamps
                return True
            self.sent_at[robot] = [*stamps, now]
            return False


def _within_an_hour(stamp: str, scale: int) -> bool:
    return stamp.isdigit() and abs(time.time() - int(stamp) / scale) < 3600


def _answer(
    robots: Robots, path: str, query: dict[str, list[str]], body: bytes, headers: Any
) -> tuple[int, dict[str, Any], str]:
    """(HTTP status, JSON answer, robot kind) for one request."""
    payload = json.loads(body.decode("utf-8"))
    if path == "/robot/send":
        if query.get("access_token") != [DING_TOKEN]:
            return 200, {"errcode": 300001, "errmsg": "token is not exist"}, "dingtalk"
        stamp, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
        expected = base64.b64encode(
            hmac.new(
                DING_SECRET.encode(), f"{stamp}\n{DING_SECRET}".encode(), hashlib.sha256
            ).digest()
        ).decode()
        if not _within_an_hour(stamp, 1000) or not hmac.compare_digest(sign, expected):
            return 200, {"errcode": 310000, "errmsg": "sign not match"}, "dingtalk"
        if payload.get("msgtype") != "text" or not payload.get("text", {}).get("content"):
            return 200, {"errcode": 40035, "errmsg": "missing parameter"}, "dingtalk"
        if robots._too_fast(DING_TOKEN, "dingtalk"):
            return (
                200,
                {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"},
                "dingtalk",
            )
        return 200, {"errcode": 0, "errmsg": "ok"}, "dingtalk"
    if path == "/cgi-bin/webhook/send":
        if query.get("key") != [WECOM_KEY]:
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}, "wecom"
        if payload.get("msgtype") != "text" or not payload.get("text", {}).get("content"):
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}, "wecom"
        if robots._too_fast(WECOM_KEY, "wecom"):
            return 200, {"errcode": 45009, "errmsg": "api freq out of limit"}, "wecom"
        return 200, {"errcode": 0, "errmsg": "ok"}, "wecom"
    if path == f"/open-apis/bot/v2/hook/{FEISHU_TOKEN}":
        stamp, sign = str(payload.get("timestamp", "")), str(payload.get("sign", ""))
        expected = base64.b64encode(
            hmac.new(f"{stamp}\n{FEISHU_SECRET}".encode(), b"", hashlib.sha256).digest()
        ).decode()
        if not _within_an_hour(stamp, 1) or not hmac.compare_digest(sign, expected):
            return (
                200,
                {
                    "code": 19021,
                    "msg": "sign match fail or timestamp is not within one hour from current time",
                },
                "feishu",
            )
        if payload.get("msg_type") != "text" or not payload.get("content", {}).get("text"):
            return 200, {"code": 9209, "msg": "params error"}, "feishu"
        if robots._too_fast(FEISHU_TOKEN, "feishu"):
            return 200, {"code": 9499, "msg": "too many request"}, "feishu"
        return 200, {"code": 0, "msg": "success", "data": {}}, "feishu"
    if path == "/hook":
        if robots.fail_next > 0:
            robots.fail_next -= 1
            return 503, {"error": "unavailable"}, "webhook"
        expected = "sha256=" + hmac.new(HOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
        if headers.get("X-Contractctl-Signature") != expected:
            return 401, {"error": "bad signature"}, "webhook"
        return 200, {"ok": True}, "webhook"
    return 404, {"error": "not found"}, "unknown"


@pytest.fixture
def robots() -> Iterator[Robots]:
    """One local HTTP server answering as 钉钉, 企业微信, 飞书 and a generic webhook."""
    state: Robots

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            assert self.headers.get("Content-Type", "").startswith("application/json")
            status, answer, kind = _answer(
                state, parts.path, parse_qs(parts.query), body, self.headers
            )
            ok = status == 200 and answer.get("errcode", answer.get("code", 0)) == 0
            with state.lock:
                state.answers.append((kind, answer))
                if ok:
                    state.accepted.append((kind, json.loads(body.decode("utf-8"))))
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state = Robots(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
