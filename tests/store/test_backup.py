"""`backup DEST` / `restore SRC`: legal ops back the store up every night from cron while
people keep working, and on a bad day restore it on another machine, with the signed
PDFs, the audit trail and the signing keys intact."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from contractctl.store import DB_NAME
from tests.conftest import Cli, snapshot
from tests.signing.test_sign import PASS
from tests.store import test_fsck

signed = test_fsck.signed  # the fixture: a store with a contract the company signed


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if ".partial-" in p.name]


def test_a_backup_restores_to_the_same_store_with_signatures_and_keys(
    signed: tuple[Cli, str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, cid, _ = signed
    dest = tmp_path / "backups" / "2026-11-23"
    dest.parent.mkdir()
    made = cli("backup", str(dest), "--json")
    assert made.code == 0, made.stderr
    report = made.json()
    assert report["path"] == str(dest) and report["objects"] > 5 and report["contracts"] >= 1
    manifest = json.loads((dest / "backup.json").read_text(encoding="utf-8"))
    assert manifest["format"] == 1 and manifest["events"] == report["events"]
    assert stat.S_IMODE((dest / "keys").stat().st_mode) == 0o700
    assert stat.S_IMODE((dest / "keys" / "org.p12").stat().st_mode) == 0o600

    # a backup is a store folder: fsck checks it, and leaves it exactly as it was
    before = (dest / DB_NAME).read_bytes()
    assert Cli(dest)("fsck").code == 0
    assert (dest / DB_NAME).read_bytes() == before

    home = tmp_path / "restored"
    restored = Cli(home)("restore", str(dest), "--json")
    assert restored.code == 0, restored.stderr
    assert restored.json()["check"]["ok"] is True
    again = Cli(home)
    assert again("list", "--json").json() == cli("list", "--json").json()
    assert again("audit", "verify").code == 0
    assert again("verify", cid).code == 0  # the signed PDF, the trust roots, byte for byte
    # the restored keys still sign: the counterparty signs on the restored store
    monkeypatch.setenv("CONTRACTCTL_KEY_PASSPHRASE", PASS)
    countersigned = again("sign", cid, "--key", "person-li-lei", "--party", "counterparty")
    assert countersigned.code == 0, countersigned.stderr
    assert again("verify", cid).code == 0


def test_what_changes_after_the_backup_is_not_in_it(
    signed: tuple[Cli, str, str], tmp_path: Path
) -> None:
    cli, _, _ = signed
    assert cli("backup", str(tmp_path / "monday")).code == 0
    assert cli("party", "add", "后来公司").code == 0
    home = tmp_path / "restored"
    assert Cli(home)("restore", str(tmp_path / "monday")).code == 0
    names = [p["name"] for p in Cli(home)("party", "list", "--json").json()]
    assert "后来公司" not in names and names


def test_a_backup_never_overwrites_and_never_goes_into_the_store(
    signed: tuple[Cli, str, str], tmp_path: Path
) -> None:
    cli, _, _ = signed
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine", encoding="utf-8")
    refused = cli("backup", str(taken))
    assert refused.code == 2 and "never overwrites" in refused.stderr
    assert [p.name for p in taken.iterdir()] == ["keep.txt"]
    inside = cli("backup", str(cli.home / "backup"))
    assert inside.code == 2 and "inside the store" in inside.stderr
    nowhere = cli("backup", str(tmp_path / "no" / "such" / "folder"))
    assert nowhere.code == 2 and "no such folder" in nowhere.stderr


def test_a_damaged_file_stops_the_backup_and_leaves_nothing(
    signed: tuple[Cli, str, str], tmp_path: Path
) -> None:
    cli, _, sha = signed
    path = cli.home / "objects" / sha[:2] / sha[2:]
    path.chmod(0o644)
    path.write_bytes(path.read_bytes()[:-10])
    result = cli("backup", str(tmp_path / "tonight"))
    assert result.code == 4
    assert f"object {sha[:12]} is damaged" in result.stderr and "fsck" in result.stderr
    assert not (tmp_path / "tonight").exists() and _leftovers(tmp_path) == []


def test_restore_never_overwrites_a_store(signed: tuple[Cli, str, str], tmp_path: Path) -> None:
    cli, _, _ = signed
    assert cli("backup", str(tmp_path / "b")).code == 0
    before = snapshot(cli.home)
    refused = cli("restore", str(tmp_path / "b"))
    assert refused.code == 3 and "already holds a store" in refused.stderr
    assert snapshot(cli.home) == before


def test_restore_refuses_what_is_not_a_sound_backup(
    signed: tuple[Cli, str, str], tmp_path: Path
) -> None:
    cli, _, _ = signed
    target = Cli(tmp_path / "new")
    not_backup = target("restore", str(cli.home))
    assert not_backup.code == 2 and "not a contractctl backup" in not_backup.stderr

    assert cli("backup", str(tmp_path / "b")).code == 0
    db = tmp_path / "b" / DB_NAME
    data = bytearray(db.read_bytes())
    data[-100] ^= 0xFF
    db.write_bytes(bytes(data))
    damaged = target("restore", str(tmp_path / "b"))
    assert damaged.code == 4 and "does not match the hash" in damaged.stderr
    assert not (tmp_path / "new").exists() and _leftovers(tmp_path) == []


def test_a_killed_backup_leaves_its_hidden_folder_and_the_next_backup_sweeps_it(
    signed: tuple[Cli, str, str], tmp_path: Path
) -> None:
    """SIGKILL (or a power cut) stops a backup before its clean-up can run: the hidden
    folder it was writing stays, its lock file no longer held. The next backup (or
    restore) into the same folder removes it, and leaves alone one whose lock a running
    backup holds. Found writing the soak's backup check (tests/soak/drivers.py)."""
    from contractctl.store import scratch

    cli, _, _ = signed
    out = tmp_path / "backups"
    out.mkdir()
    killed = out / ".monday.partial-4242"
    killed.mkdir()
    (killed / scratch.LOCK).touch()  # what a dead process's flock leaves: the file alone
    (killed / DB_NAME).write_bytes(b"half a database")
    running = out / ".tuesday.partial-4243"
    running.mkdir()
    fd = scratch.lock(running)
    try:
        assert cli("backup", str(out / "wednesday")).code == 0
        assert sorted(p.name for p in out.iterdir()) == [".tuesday.partial-4243", "wednesday"]
        assert not (out / "wednesday" / scratch.LOCK).exists()  # the lock is not backed up
    finally:
        os.close(fd)  # the running backup dies
    restored = Cli(out / "restored")("restore", str(out / "wednesday"))
    assert restored.code == 0, restored.stderr
    assert sorted(p.name for p in out.iterdir()) == ["restored", "wednesday"]
    assert not (out / "restored" / scratch.LOCK).exists()
