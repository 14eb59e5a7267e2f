"""Importing a folder of historical contracts: each file once, bad files reported, nothing
half-written, and a rerun continues where a killed run stopped.

The historical contracts are real: drafted from the shipped templates in a scratch store
and converted by LibreOffice (built once per session), then copied into folders with the
odd names, duplicates, corrupt, empty, encrypted and hostile files a real archive holds.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from contractctl.importer import ImportOptions, import_paths
from contractctl.store import DB_NAME, Store
from tests.conftest import Cli, installed_contractctl, snapshot

_FILES: dict[str, Path] = {}


def historical(factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real contract files: a Chinese purchase contract (PDF and DOCX), an English
    service agreement (PDF); made once per session."""
    if not _FILES:
        from contractctl.bootstrap import initialise
        from contractctl.contracts import versions
        from contractctl.drafting import DraftRequest, draft
        from contractctl.template_store import latest_approved, load_spec

        scratch = factory.mktemp("historical")
        home = scratch / "store"
        initialise(home, "tester")
        with Store.open(home) as store:
            for name in ("purchase-zh", "service-en"):
                spec = load_spec(store, latest_approved(store.conn, name))
                made = draft(store, "t", DraftRequest(template=name, data=dict(spec.sample)))
                files = versions(store, made.contract.id)[0]
                _FILES[f"{name}.pdf"] = shutil.copy(files["pdf"], scratch / f"{name}.pdf")
                _FILES[f"{name}.docx"] = shutil.copy(files["docx"], scratch / f"{name}.docx")
    return _FILES


def unique_copy(source: Path, dest: Path, n: int) -> Path:
    """The same contract with different bytes (a comment after %%EOF), as rescans and
    re-saves make: a different file to dedupe, the same text to read."""
    dest.write_bytes(source.read_bytes() + f"\n% copy {n}\n".encode())
    return dest


@pytest.fixture
def archive_folder(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    files = historical(tmp_path_factory)
    folder = tmp_path / "合同档案"
    (folder / "2019").mkdir(parents=True)
    shutil.copy(files["purchase-zh.pdf"], folder / "2019" / "采购合同　2019—副本.pdf")
    shutil.copy(files["service-en.pdf"], folder / "service agreement.pdf")
    shutil.copy(files["purchase-zh.docx"], folder / "2019" / "采购合同.docx")
    shutil.copy(files["purchase-zh.pdf"], folder / "same bytes again.pdf")  # a duplicate
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n garbage, not a PDF body")
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "notes.txt").write_text("not imported")
    (folder / "passwd.pdf").symlink_to("/etc/passwd")
    return folder


def test_a_folder_is_imported_each_file_once_with_bad_files_reported(
    archive_folder: Path, store: Store
) -> None:
    report = import_paths(store, "tester", [archive_folder], ImportOptions(workers=1))
    states = {Path(o.file).name: (o.state, o.reason) for o in report.outcomes}
    pair = sorted([states["采购合同　2019—副本.pdf"][0], states["same bytes again.pdf"][0]])
    assert pair == ["duplicate", "imported"]  # the same bytes twice: imported once
    assert states["service agreement.pdf"][0] == "imported"
    assert states["采购合同.docx"][0] == "imported"
    assert states["corrupt.pdf"][0] == "failed" and "PDF" in states["corrupt.pdf"][1]
    assert states["empty.pdf"] == ("failed", "empty file")
    assert states["passwd.pdf"][0] == "refused" and "outside" in states["passwd.pdf"][1]
    assert "notes.txt" not in states
    rows = store.conn.execute(
        "SELECT id, source, status, counterparty_id, amount_minor FROM contracts"
    ).fetchall()
    assert len(rows) == 3 and {r["source"] for r in rows} == {"import"}
    assert {r["status"] for r in rows} <= {"active", "expired"}
    data = report.to_dict()
    assert data["imported"] == 3 and data["duplicates"] == 1 and len(data["failed"]) == 3


def test_the_original_file_is_stored_byte_for_byte(archive_folder: Path, store: Store) -> None:
    import hashlib

    original = (archive_folder / "service agreement.pdf").read_bytes()
    import_paths(store, "tester", [archive_folder / "service agreement.pdf"], ImportOptions())
    row = store.conn.execute("SELECT pdf_sha, sha256 FROM versions").fetchone()
    assert row["pdf_sha"] == hashlib.sha256(original).hexdigest() == row["sha256"]
    assert store.objects.path(row["pdf_sha"]).read_bytes() == original


def test_importing_again_finds_only_duplicates(archive_folder: Path, store: Store) -> None:
    import_paths(store, "tester", [archive_folder], ImportOptions(workers=1))
    again = import_paths(store, "tester", [archive_folder], ImportOptions(workers=2))
    assert again.count("imported") == 0
    assert again.count("duplicate") == 4
    assert store.conn.execute("SELECT COUNT(*) FROM contracts").fetchone()[0] == 3


def test_metadata_parties_and_obligations_are_recorded(archive_folder: Path, store: Store) -> None:
    report = import_paths(
        store, "tester", [archive_folder / "2019" / "采购合同　2019—副本.pdf"], ImportOptions()
    )
    (cid,) = [o.contract_id for o in report.outcomes]
    contract = store.conn.execute("SELECT * FROM contracts WHERE id = ?", (cid,)).fetchone()
    party = store.conn.execute(
        "SELECT name, uscc FROM parties WHERE id = ?", (contract["counterparty_id"],)
    ).fetchone()
    assert party["name"] == "苏州恒泰智能装备有限公司"
    assert contract["amount_minor"] == 20_712_200 and contract["currency"] == "CNY"
    fields = {
        r["field"]
        for r in store.conn.execute(
            "SELECT field FROM contract_metadata WHERE contract_id = ?", (cid,)
        )
    }
    assert {"title", "amount"} <= fields


def test_dry_run_reads_everything_and_stores_nothing(archive_folder: Path, home: Path) -> None:
    before = snapshot(home)
    with Store.open(home) as store:
        report = import_paths(store, "tester", [archive_folder], ImportOptions(dry_run=True))
    assert report.count("would_import") == 3
    assert snapshot(home) == before


def test_bad_options_are_refused_before_reading(archive_folder: Path, cli: Cli, home: Path) -> None:
    before = snapshot(home)
    assert cli("import", str(archive_folder), "--ocr", "sometimes").code == 2
    assert cli("import", str(archive_folder), "--type", "loan").code == 2
    assert cli("import", str(archive_folder), "--key-from", "(").code == 2
    missing = cli("import", str(archive_folder / "nope"))
    assert missing.code == 2 and "no such file or folder" in missing.stderr
    assert snapshot(home) == before


def test_import_on_the_command_line_reports_and_exits_1_on_failures(
    archive_folder: Path, cli: Cli
) -> None:
    result = cli("import", str(archive_folder), "--json")
    assert result.code == 1
    data = result.json()
    assert data["imported"] == 3 and data["duplicates"] == 1
    assert {Path(f["file"]).name for f in data["failed"]} == {
        "corrupt.pdf",
        "empty.pdf",
        "passwd.pdf",
    }
    listed = cli("list", "--source", "import", "--json").json()
    assert len(listed) == 3


def test_an_encrypted_pdf_is_recorded_as_such_and_opens_with_its_password(
    archive_folder: Path, store: Store, tmp_path: Path
) -> None:
    locked = tmp_path / "locked" / "locked.pdf"
    locked.parent.mkdir()
    subprocess.run(
        [
            "qpdf",
            "--encrypt",
            "s3cret",
            "owner",
            "256",
            "--",
            str(archive_folder / "service agreement.pdf"),
            str(locked),
        ],
        check=True,
    )
    report = import_paths(store, "tester", [locked], ImportOptions())
    assert report.outcomes[0].state == "failed"
    assert "encrypted PDF" in report.outcomes[0].reason
    opened = import_paths(store, "tester", [locked], ImportOptions(password="s3cret"))
    assert opened.outcomes[0].state == "imported"


def test_a_killed_import_continues_on_rerun_and_imports_every_file_exactly_once(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, home: Path
) -> None:
    source = historical(tmp_path_factory)["service-en.pdf"]
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(60):
        unique_copy(source, folder / f"contract-{n:03d}.pdf", n)
    argv = [installed_contractctl(), "--home", str(home), "import", str(folder), "--workers", "2"]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    db = home / DB_NAME
    while time.monotonic() < deadline:
        with sqlite3.connect(db, timeout=30) as conn:
            done = conn.execute("SELECT COUNT(*) FROM import_files").fetchone()[0]
        if done >= 10:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    with sqlite3.connect(db) as conn:
        first = conn.execute("SELECT COUNT(*) FROM contracts").fetchone()[0]
    assert 10 <= first < 60, "the kill should land in the middle of the batch"
    rerun = subprocess.run([*argv, "--json"], capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    data = json.loads(rerun.stdout)
    assert data["imported"] + data["duplicates"] == 60
    with Store.open(home) as store:
        assert store.conn.execute("SELECT COUNT(*) FROM contracts").fetchone()[0] == 60
        assert (
            store.conn.execute(
                "SELECT COUNT(DISTINCT sha256) FROM import_files WHERE state = 'imported'"
            ).fetchone()[0]
            == 60
        )
        from contractctl.store import audit

        assert audit.verify(store.conn).ok


def test_two_imports_at_once_on_overlapping_folders_import_each_file_once(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, home: Path
) -> None:
    source = historical(tmp_path_factory)["service-en.pdf"]
    left, right = tmp_path / "left", tmp_path / "right"
    left.mkdir()
    right.mkdir()
    for n in range(16):
        unique_copy(source, (left if n < 10 else right) / f"c{n}.pdf", n)
    for n in range(6, 10):  # the same bytes in both folders
        shutil.copy(left / f"c{n}.pdf", right / f"c{n}.pdf")
    runs = [
        subprocess.Popen(
            [
                installed_contractctl(),
                "--home",
                str(home),
                "import",
                str(folder),
                "--json",
                "--workers",
                "1",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for folder in (left, right)
    ]
    outputs = [json.loads(r.communicate(timeout=300)[0]) for r in runs]
    assert sum(o["imported"] for o in outputs) == 16
    with Store.open(home) as store:
        assert store.conn.execute("SELECT COUNT(*) FROM contracts").fetchone()[0] == 16


def test_edit_confirms_and_corrects_what_the_import_guessed(
    archive_folder: Path, cli: Cli, home: Path
) -> None:
    made = cli("import", str(archive_folder / "service agreement.pdf"), "--json").json()
    cid = made["contracts"][0]["id"]
    fixed = cli(
        "edit",
        cid,
        "--set",
        "expiry_date=2031-12-31",
        "--set",
        "amount=USD 1,000.00",
        "--set",
        "title=confirm",
        "--json",
    )
    assert fixed.code == 0, fixed.stderr
    data = fixed.json()
    assert data["end_date"] == "2031-12-31" and data["amount"] == {
        "minor": 100000,
        "currency": "USD",
    }
    detail = cli("show", cid, "--json").json()
    assert any(e["action"] == "contract.edit" for e in detail["events"])
    with Store.open(home) as store:
        due = store.conn.execute(
            "SELECT due_date FROM obligations WHERE contract_id = ? AND state = 'open' "
            "AND kind = 'expiry'",
            (cid,),
        ).fetchall()
        assert [r[0] for r in due] == ["2031-12-31"]
    before = snapshot(home)
    assert cli("edit", cid, "--set", "amount=lots").code == 2
    assert cli("edit", cid, "--set", "colour=red").code == 2
    assert snapshot(home) == before


def test_a_drafted_contract_is_not_edited_but_amended(cli: Cli, home: Path) -> None:
    from tests.test_signing import _draft

    with Store.open(home) as store:
        cid = _draft(store, key="k", pdf=False)
    refused = cli("edit", cid, "--set", "title=x")
    assert refused.code == 3 and "amend" in refused.stderr
    assert os.path.exists(home)


def test_hostile_docx_files_are_refused_with_their_reason_and_the_batch_goes_on(
    archive_folder: Path, store: Store, tmp_path: Path
) -> None:
    import zipfile

    from tests.conftest import rewrite_docx

    hostile = tmp_path / "hostile"
    hostile.mkdir()
    bomb = Path(shutil.copy(archive_folder / "2019" / "采购合同.docx", hostile / "bomb.docx"))
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/image1.png", bytes(20 * 2**20))  # 20 MB of zeros
    entities = Path(shutil.copy(archive_folder / "2019" / "采购合同.docx", hostile / "lol.docx"))
    lol = b'<!DOCTYPE w:document [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    rewrite_docx(entities, "word/document.xml", lambda xml: xml.replace(b"?>", b"?>" + lol, 1))
    shutil.copy(archive_folder / "service agreement.pdf", hostile / "fine.pdf")
    report = import_paths(store, "tester", [hostile], ImportOptions(workers=1))
    states = {Path(o.file).name: (o.state, o.reason) for o in report.outcomes}
    assert states["bomb.docx"][0] == "failed" and "zip bomb" in states["bomb.docx"][1]
    assert states["lol.docx"][0] == "failed" and "DOCTYPE" in states["lol.docx"][1]
    assert states["fine.pdf"][0] == "imported"
    failed = store.conn.execute(
        "SELECT path, reason FROM import_files WHERE state = 'failed'"
    ).fetchall()
    assert len(failed) == 2


def test_a_signed_pdf_is_stored_byte_for_byte_and_its_signatures_still_verify(
    tmp_path_factory: pytest.TempPathFactory, store: Store, tmp_path: Path
) -> None:
    from tests.test_amend import signed_base

    base = signed_base(tmp_path_factory)
    with Store.open(base) as signed_store:
        row = signed_store.conn.execute(
            "SELECT pdf_sha FROM versions WHERE pdf_sha IS NOT NULL ORDER BY rowid LIMIT 1"
        ).fetchone()
        original = signed_store.objects.path(row["pdf_sha"]).read_bytes()
    assert b"/ByteRange" in original
    path = tmp_path / "已签署合同.pdf"
    path.write_bytes(original)
    report = import_paths(store, "tester", [path], ImportOptions())
    assert report.outcomes[0].state == "imported"
    stored = store.conn.execute("SELECT pdf_sha FROM versions").fetchone()["pdf_sha"]
    assert store.objects.path(stored).read_bytes() == original
    event = store.conn.execute(
        "SELECT data FROM events WHERE action = 'contract.import'"
    ).fetchone()
    assert json.loads(event["data"])["signed_pdf"] is True
