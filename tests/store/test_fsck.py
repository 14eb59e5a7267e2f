"""`contractctl fsck`: years later, the legal team must be able to trust that every signed
PDF is byte for byte what was signed. fsck reads the whole store and says what is
missing, altered or falsified (exit 1), and what a crash left behind (warnings, exit 0).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from contractctl.signing.sign import sign
from contractctl.store import DB_NAME, Store
from tests.conftest import Cli, snapshot
from tests.signing.test_sign import PASS, copy_base


@pytest.fixture
def signed(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> tuple[Cli, str, str]:
    """A store with a contract the company has signed: (cli, contract id, signed PDF sha)."""
    home, ids = copy_base(tmp_path_factory, tmp_path)
    with Store.open(home) as store:
        result = sign(store, "wang.fang", ids[0], key="org", passphrase=PASS)
    return Cli(home), ids[0], result.pdf_sha


def _object(home: Path, sha: str) -> Path:
    return home / "objects" / sha[:2] / sha[2:]


def test_a_healthy_store_checks_out_and_fsck_changes_nothing(signed: tuple[Cli, str, str]) -> None:
    cli, _, _ = signed
    before = snapshot(cli.home)
    human = cli("fsck")
    assert human.code == 0, human.stderr
    assert human.stdout.startswith("ok: ") and "files" in human.stdout
    report = cli("fsck", "--json").json()
    assert report["ok"] is True and report["problems"] == [] and report["warnings"] == []
    assert report["checked"]["objects"] > 5 and report["checked"]["events"] > 5
    assert snapshot(cli.home) == before


def test_an_altered_signed_pdf_is_found_and_named(signed: tuple[Cli, str, str]) -> None:
    cli, cid, sha = signed
    path = _object(cli.home, sha)
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit, in the middle of the signed PDF
    path.write_bytes(bytes(data))
    result = cli("fsck")
    assert result.code == 1
    assert f"object {sha[:12]} was altered" in result.stderr
    assert f"{cid} v1" in result.stderr and "signature 1 (pdf_after)" in result.stderr
    assert "fsck found 1 problems" in result.stderr
    report = cli("fsck", "--json")
    assert report.code == 1 and report.json()["ok"] is False


def test_a_missing_file_is_found(signed: tuple[Cli, str, str]) -> None:
    cli, cid, sha = signed
    _object(cli.home, sha).unlink()
    result = cli("fsck", "--json")
    assert result.code == 1
    [problem] = result.json()["problems"]
    assert problem.startswith(f"object {sha[:12]} is missing: named by {cid} v1 (pdf_sha)")


def test_what_an_interrupted_command_left_is_a_warning_not_a_failure(
    signed: tuple[Cli, str, str],
) -> None:
    cli, _, _ = signed
    with Store.open(cli.home) as store:
        stray, _ = store.objects.put_bytes(b"written, then the process was killed")
    (cli.home / "objects" / stray[:2] / ".tmp-abc123").write_bytes(b"half a file")
    result = cli("fsck", "--json")
    assert result.code == 0
    warnings = result.json()["warnings"]
    assert any(f"object {stray[:12]} is named by no row" in w for w in warnings)
    assert any("temporary file of an interrupted write" in w for w in warnings)


def test_a_rewritten_audit_event_fails_the_check(signed: tuple[Cli, str, str]) -> None:
    cli, _, _ = signed
    conn = sqlite3.connect(cli.home / DB_NAME)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET actor = 'someone-else' WHERE seq = 3")
    conn.commit()
    conn.close()
    result = cli("fsck")
    assert result.code == 1
    assert "audit chain broken: event 3" in result.stderr


def test_a_row_naming_no_real_hash_is_a_problem(signed: tuple[Cli, str, str]) -> None:
    cli, cid, _ = signed
    conn = sqlite3.connect(cli.home / DB_NAME)
    conn.execute("DROP TRIGGER versions_immutable")
    conn.execute("UPDATE versions SET text_sha = 'not-a-hash' WHERE contract_id = ?", (cid,))
    conn.commit()
    conn.close()
    result = cli("fsck", "--json")
    assert result.code == 1
    assert f"{cid} v1: text_sha is not a SHA-256 ('not-a-hash')" in result.json()["problems"]


def test_a_pdf_named_only_by_a_timestamp_renewal_is_not_a_stray(
    signed: tuple[Cli, str, str],
) -> None:
    """After two renewals of an archive timestamp chain, the first renewal's PDF is named
    only by its audit event: it is evidence, not a leftover."""
    cli, cid, _ = signed
    with Store.open(cli.home) as store, store.transaction("tester") as tx:
        sha = tx.put_bytes(b"%PDF- the PDF of a renewal a later renewal replaced")
        tx.audit("timestamp.renew", cid, {"version": 1, "pdf_after": sha})
    report = cli("fsck", "--json").json()
    assert report["ok"] and report["warnings"] == []
