"""RFC 3161 timestamps on `sign --tsa URL`: B-T when the TSA answers, exit 4 (nothing
stored) when it does not, B-B with a note under --tsa-optional, a bounded timeout, and
http(s) URLs only.

The TSA is real HTTP on loopback, started by this module: a ThreadingHTTPServer whose
handler decodes the TimeStampReq and answers with a token from pyHanko's
DummyTimeStamper, signed by a TSA certificate (EKU timeStamping, critical) of a test CA.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from contractctl.errors import InvalidInput, NotAllowed, ToolFailed
from contractctl.signing import keys
from contractctl.signing.sign import TsaFailed, sign
from contractctl.signing.verify import verify_contract
from contractctl.signing.views import signatures_view
from contractctl.store import DB_NAME, Store
from tests.conftest import Cli, snapshot
from tests.pki import make_ca, make_leaf
from tests.signing.test_sign import PASS, copy_base


@dataclass(frozen=True)
class Tsa:
    """The loopback TSA: its URL, the test CA's PEM, and URLs that fail."""

    url: str
    ca_pem: Path
    error_url: str  # HTTP 500
    junk_url: str  # 200 with the right content type, but not a TimeStampResp
    silent_url: str  # accepts the connection, never answers
    refused_url: str  # nothing listens there
    meanwhile_url: str  # runs MEANWHILE[0]() before it answers, as a slow TSA lets others


def _test_pki() -> tuple[bytes, Any, Any]:
    """A test CA (PEM) and a TSA certificate and key it issued, as asn1crypto objects."""
    from asn1crypto import keys as akeys
    from asn1crypto import x509 as ax509
    from cryptography.hazmat.primitives import serialization
    from cryptography.x509.oid import ExtendedKeyUsageOID

    now = datetime.now(UTC)
    ca_key, ca = make_ca(1, name="contractctl test TSA CA")
    tsa_key, tsa = make_leaf(
        ca_key,
        ca,
        start=now - timedelta(days=1),
        end=now + timedelta(days=30),
        name="contractctl test TSA",
        extended_usage=[ExtendedKeyUsageOID.TIME_STAMPING],
        rsa=True,
    )
    tsa_cert = ax509.Certificate.load(tsa.public_bytes(serialization.Encoding.DER))
    tsa_pkey = akeys.PrivateKeyInfo.load(
        tsa_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca.public_bytes(serialization.Encoding.PEM), tsa_cert, tsa_pkey


#: What happens in the store while the TSA at meanwhile_url is answering (set per test).
MEANWHILE: list[Callable[[], None]] = []


def _handler(stamper: Any) -> type[BaseHTTPRequestHandler]:
    from asn1crypto import tsp

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path == "/error":
                self.send_error(500, "TSA out of order")
                return
            if self.path == "/meanwhile":
                MEANWHILE.pop()()
            if self.path == "/junk":
                answer = b"this is not a TimeStampResp"
            else:
                request = tsp.TimeStampReq.load(body)
                answer = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tsa]:
    """The loopback TSA and its failing neighbours, stopped at the end of the module."""
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    ca_pem, tsa_cert, tsa_key = _test_pki()
    pem = tmp_path_factory.mktemp("tsa") / "tsa-ca.pem"
    pem.write_bytes(ca_pem)
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), _handler(DummyTimeStamper(tsa_cert=tsa_cert, tsa_key=tsa_key))
    )
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # the kernel completes the handshake; nobody ever reads or answers
    closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield Tsa(
            url=f"{base}/tsa",
            ca_pem=pem,
            error_url=f"{base}/error",
            junk_url=f"{base}/junk",
            silent_url=f"http://127.0.0.1:{silent.getsockname()[1]}/tsa",
            refused_url=f"http://127.0.0.1:{closed_port}/tsa",
            meanwhile_url=f"{base}/meanwhile",
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        silent.close()


@pytest.fixture
def signing_home(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> tuple[Path, str]:
    home, ids = copy_base(tmp_path_factory, tmp_path)
    return home, ids[0]


@pytest.fixture
def cli_setup(signing_home: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> tuple[Cli, str]:
    monkeypatch.setenv("CONTRACTCTL_KEY_PASSPHRASE", PASS)
    home, cid = signing_home
    return Cli(home), cid


def test_a_timestamped_signature_is_b_t_and_verifies_with_its_timestamp(
    tsa: Tsa, signing_home: tuple[Path, str]
) -> None:
    home, cid = signing_home
    with Store.open(home) as store:
        started = time.perf_counter()
        first = sign(store, "wang.fang", cid, key="org", passphrase=PASS, tsa_url=tsa.url)
        elapsed = time.perf_counter() - started
        second = sign(store, "li.lei", cid, key="person-li-lei", passphrase=PASS, tsa_url=tsa.url)
        rows = signatures_view(store, cid)
        trust = [*keys.trust_anchors(home), tsa.ca_pem.read_bytes()]
        report = verify_contract(store, cid, trust=trust)
        untrusted = verify_contract(store, cid, trust=keys.trust_anchors(home))
    print(f"timestamped signature: {elapsed * 1000:.0f} ms")
    assert (first.level, second.level) == ("B-T", "B-T")
    assert first.timestamp is not None and first.timestamp_skipped is None
    gen_time = datetime.fromisoformat(first.timestamp.replace("Z", "+00:00"))
    assert abs(datetime.now(UTC) - gen_time) < timedelta(minutes=5)
    assert first.to_dict()["timestamp"] == first.timestamp
    assert [(r["level"], r["timestamp"]) for r in rows] == [
        ("B-T", first.timestamp),
        ("B-T", second.timestamp),
    ]
    assert report.verdict == "valid", [s.problems for s in report.signatures] + report.problems
    assert [(s.level, s.timestamp) for s in report.signatures] == [
        ("B-T", first.timestamp),
        ("B-T", second.timestamp),
    ]
    # The TSA's CA not among the trust roots: the timestamp does not count, and says so.
    assert untrusted.verdict == "invalid"
    assert all(
        any("timestamp's TSA certificate does not chain" in p for p in s.problems)
        for s in untrusted.signatures
    )


def test_sign_and_verify_with_tsa_on_the_command_line(tsa: Tsa, cli_setup: tuple[Cli, str]) -> None:
    cli, cid = cli_setup
    human = cli("sign", cid, "--key", "org", "--tsa", tsa.url)
    assert human.code == 0, human.stderr
    assert "(B-T, field" in human.stderr and f"from {tsa.url}" in human.stderr
    data = cli(
        "sign", cid, "--key", "person-li-lei", "--party", "counterparty", "--tsa", tsa.url, "--json"
    )
    assert data.code == 0, data.stderr
    signed = data.json()
    assert signed["level"] == "B-T" and signed["timestamp"] and signed["tsa"] == tsa.url
    verified = cli("verify", cid, "--trust", str(tsa.ca_pem), "--json")
    assert verified.code == 0, verified.stdout + verified.stderr
    report = verified.json()
    assert report["verdict"] == "valid"
    assert [s["level"] for s in report["signatures"]] == ["B-T", "B-T"]
    assert report["signatures"][1]["timestamp"] == signed["timestamp"]
    for run in (human, data, verified):  # nothing of the libraries' on the user's stderr
        assert "Unclosed" not in run.stderr and "Warning" not in run.stderr, run.stderr


@pytest.mark.parametrize(
    ("which", "reason"),
    [
        ("refused_url", "connection refused"),
        ("error_url", "500"),
        ("junk_url", ""),
    ],
)
def test_a_failing_tsa_stops_signing_with_exit_4_and_stores_nothing(
    tsa: Tsa, cli_setup: tuple[Cli, str], which: str, reason: str
) -> None:
    cli, cid = cli_setup
    url = getattr(tsa, which)
    before = snapshot(cli.home)
    result = cli("sign", cid, "--key", "org", "--tsa", url)
    assert result.code == 4, result.stderr
    assert f"timestamp authority {url} failed" in result.stderr
    assert reason in result.stderr
    assert "--tsa-optional" in result.stderr  # the hint
    assert snapshot(cli.home) == before
    as_json = cli("sign", cid, "--key", "org", "--tsa", url, "--json")
    assert as_json.code == 4 and as_json.json()["error"]["type"] == "tsa_failed"
    assert snapshot(cli.home) == before


def test_a_tsa_host_that_does_not_resolve_is_named_in_words_not_as_a_python_error(
    cli_setup: tuple[Cli, str],
) -> None:
    """Offline, or a mistyped host: one sentence a person reads, no "gaierror: [Errno -2]"."""
    cli, cid = cli_setup
    result = cli("sign", cid, "--key", "org", "--tsa", "http://tsa.invalid/")
    assert result.code == 4, result.stderr
    assert "its host name cannot be resolved (no network, or a wrong URL)" in result.stderr
    assert "gaierror" not in result.stderr and "Errno" not in result.stderr


def test_tsa_optional_signs_b_b_and_says_why_the_timestamp_was_skipped(
    tsa: Tsa, cli_setup: tuple[Cli, str]
) -> None:
    cli, cid = cli_setup
    human = cli("sign", cid, "--key", "org", "--tsa", tsa.refused_url, "--tsa-optional")
    assert human.code == 0, human.stderr
    assert "(B-B, field" in human.stderr
    assert "Timestamp skipped (--tsa-optional): timestamp authority" in human.stderr
    data = cli(
        "sign",
        cid,
        "--key",
        "person-li-lei",
        "--party",
        "counterparty",
        "--tsa",
        tsa.error_url,
        "--tsa-optional",
        "--json",
    )
    assert data.code == 0, data.stderr
    signed = data.json()
    assert (signed["level"], signed["timestamp"]) == ("B-B", None)
    assert tsa.error_url in signed["timestamp_skipped"]
    with Store.open(cli.home) as store:
        assert [r["level"] for r in signatures_view(store, cid)] == ["B-B", "B-B"]
    assert cli("verify", cid).code == 0


def test_a_silent_tsa_times_out_within_the_bound(tsa: Tsa, signing_home: tuple[Path, str]) -> None:
    home, cid = signing_home
    before = snapshot(home)
    with Store.open(home) as store:
        started = time.perf_counter()
        with pytest.raises(TsaFailed) as caught:
            sign(
                store,
                "wang.fang",
                cid,
                key="org",
                passphrase=PASS,
                tsa_url=tsa.silent_url,
                tsa_timeout=2,
            )
        elapsed = time.perf_counter() - started
        assert isinstance(caught.value, ToolFailed) and caught.value.exit_code == 4
        assert "timed out" in caught.value.message
        assert 1.5 < elapsed < 8
        optional = sign(
            store,
            "wang.fang",
            cid,
            key="org",
            passphrase=PASS,
            tsa_url=tsa.silent_url,
            tsa_timeout=2,
            tsa_optional=True,
        )
    assert snapshot(home) != before
    assert optional.level == "B-B" and "timed out" in (optional.timestamp_skipped or "")


def test_tsa_timeout_on_the_command_line_bounds_the_wait(
    tsa: Tsa, cli_setup: tuple[Cli, str]
) -> None:
    cli, cid = cli_setup
    before = snapshot(cli.home)
    started = time.perf_counter()
    result = cli("sign", cid, "--key", "org", "--tsa", tsa.silent_url, "--tsa-timeout", "1")
    elapsed = time.perf_counter() - started
    assert result.code == 4 and "timed out" in result.stderr
    assert elapsed < 8  # the default wait alone would be 10 s
    assert snapshot(cli.home) == before
    for bad in ("0", "-1", "301"):
        refused = cli("sign", cid, "--key", "org", "--tsa", tsa.url, "--tsa-timeout", bad)
        assert refused.code == 2 and "--tsa-timeout must be" in refused.stderr
    alone = cli("sign", cid, "--key", "org", "--tsa-timeout", "5")
    assert alone.code == 2 and "--tsa-timeout needs --tsa URL" in alone.stderr
    assert snapshot(cli.home) == before


def test_other_commands_write_while_the_tsa_is_answering(
    tsa: Tsa, signing_home: tuple[Path, str]
) -> None:
    """A TSA may take seconds: the store's write lock is not held while it answers."""
    home, cid = signing_home
    took: list[bool] = []

    def write_meanwhile() -> None:
        other = sqlite3.connect(home / DB_NAME, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            took.append(True)
        except sqlite3.OperationalError:
            took.append(False)
        finally:
            other.close()

    MEANWHILE.append(write_meanwhile)
    with Store.open(home) as store:
        result = sign(
            store, "wang.fang", cid, key="org", passphrase=PASS, tsa_url=tsa.meanwhile_url
        )
        assert [r["level"] for r in signatures_view(store, cid)] == ["B-T"]
    assert took == [True]
    assert result.level == "B-T"


def test_a_signature_that_lost_the_race_during_the_tsa_request_is_not_stored(
    tsa: Tsa, signing_home: tuple[Path, str]
) -> None:
    """Someone else signs for the company while our TSA answers: ours is refused, and
    neither its PDF nor a row of it is left in the store."""
    home, cid = signing_home
    settled: list[dict[str, Any]] = []

    def sign_meanwhile() -> None:
        with Store.open(home) as other:
            sign(other, "li.na", cid, key="org", passphrase=PASS)
        settled.append(snapshot(home))

    MEANWHILE.append(sign_meanwhile)
    with Store.open(home) as store:
        with pytest.raises(NotAllowed, match="company has already signed"):
            sign(store, "wang.fang", cid, key="org", passphrase=PASS, tsa_url=tsa.meanwhile_url)
        rows = signatures_view(store, cid)
    assert [(r["signed_by"], r["level"]) for r in rows] == [("li.na", "B-B")]
    assert snapshot(home) == settled[0]


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1/tsa", "file:///etc/passwd", "tsa.example.com", "http://", ""]
)
def test_only_http_urls_are_accepted(
    cli_setup: tuple[Cli, str], signing_home: tuple[Path, str], url: str
) -> None:
    cli, cid = cli_setup
    before = snapshot(cli.home)
    result = cli("sign", cid, "--key", "org", "--tsa", url)
    assert result.code == 2, result.stderr
    assert "--tsa" in result.stderr
    assert snapshot(cli.home) == before
    with Store.open(signing_home[0]) as store, pytest.raises(InvalidInput):
        sign(store, "wang.fang", cid, key="org", passphrase=PASS, tsa_url=url)


def test_tsa_optional_without_tsa_is_bad_usage(cli_setup: tuple[Cli, str]) -> None:
    cli, cid = cli_setup
    result = cli("sign", cid, "--key", "org", "--tsa-optional")
    assert result.code == 2 and "--tsa-optional needs --tsa" in result.stderr
