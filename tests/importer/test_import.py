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
from datetime import date, timedelta
from pathlib import Path

import pytest

from contractctl.importer import ImportOptions, import_paths
from contractctl.store import DB_NAME, Store
from tests.conftest import Cli, installed_contractctl, run_installed, snapshot

_FILES: dict[str, Path] = {}


def historical(factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real contract files: a Chinese purchase contract (PDF and DOCX), an English
    service agreement and an English NDA (PDF); made once per session."""
    if not _FILES:
        from contractctl.bootstrap import initialise
        from contractctl.drafting.draft import DraftRequest, draft
        from contractctl.drafting.versions import latest_approved, load_spec
        from contractctl.records.contracts import versions

        scratch = factory.mktemp("historical")
        home = scratch / "store"
        initialise(home, "tester")
        with Store.open(home) as store:
            for name in ("purchase-zh", "service-en", "nda-en"):
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
    assert states["notes.txt"][0] == "skipped"  # not read, but never silently left behind
    rows = store.conn.execute(
        "SELECT id, source, status, counterparty_id, amount_minor FROM contracts"
    ).fetchall()
    assert len(rows) == 3 and {r["source"] for r in rows} == {"import"}
    assert {r["status"] for r in rows} <= {"active", "expired"}
    data = report.to_dict()
    assert data["imported"] == 3 and data["duplicates"] == 1 and len(data["failed"]) == 3
    assert data["skipped"] == 1


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
    assert "--password" in report.outcomes[0].reason  # what to do about it, in the report
    opened = import_paths(store, "tester", [locked], ImportOptions(password="s3cret"))
    assert opened.outcomes[0].state == "imported"


def test_the_pdf_password_never_comes_from_the_command_line(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = cli("import", "--password", "s3cret", str(tmp_path))
    assert refused.code == 2
    assert "ps" in refused.stderr and "--password-fd" in refused.stderr
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cret\n", encoding="utf-8")
    from contractctl.cli.importing import PASSWORD_ENV, pdf_password

    fd = os.open(secret, os.O_RDONLY)
    assert pdf_password(None, fd, False) == "s3cret"
    monkeypatch.setenv(PASSWORD_ENV, "from-env")
    assert pdf_password(None, None, False) == "from-env"


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
    from tests.signing.test_sign import _draft

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
    from tests.drafting.test_amend import signed_base

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


def test_files_of_other_kinds_are_reported_as_skipped_without_failing_the_batch(
    archive_folder: Path, cli: Cli, tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    (folder / "2018").mkdir(parents=True)
    shutil.copy(archive_folder / "service agreement.pdf", folder / "service.pdf")
    (folder / "2018" / "旧合同.doc").write_bytes(b"\xd0\xcf\x11\xe0 an old Word file")
    (folder / "prices.xlsx").write_bytes(b"PK\x03\x04 a spreadsheet")
    result = cli("import", str(folder))
    assert result.code == 0, result.stderr
    assert "skipped: " in result.stderr and "旧合同.doc" in result.stderr
    assert "1 imported, 0 duplicate(s), 0 failed, 2 skipped" in result.stderr
    data = cli("import", str(folder), "--json").json()
    assert data["skipped"] == 2 and data["failed"] == []
    assert {Path(f["file"]).name for f in data["files"] if f["state"] == "skipped"} == {
        "旧合同.doc",
        "prices.xlsx",
    }


def _png_header(width: int, height: int) -> bytes:
    """The start of a PNG that claims ``width`` x ``height`` pixels: all a decompression
    bomb needs to say to make an image library allocate gigabytes."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_image_bomb_is_refused_with_its_reason_and_the_batch_goes_on(
    archive_folder: Path, cli: Cli, home: Path, tmp_path: Path, workers: str
) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "scan-40000x40000.png").write_bytes(_png_header(40_000, 40_000))
    shutil.copy(archive_folder / "service agreement.pdf", folder / "fine.pdf")
    result = cli("import", str(folder), "--workers", workers, "--json")
    assert result.code == 1, result.stderr  # a file failed; not a crash of the batch
    data = result.json()
    assert data["imported"] == 1
    (failed,) = data["failed"]
    assert failed["file"].endswith("scan-40000x40000.png")
    assert "decompression bomb" in failed["reason"] and "worker died" not in failed["reason"]


def test_a_file_name_that_is_not_utf8_is_imported_and_reported(
    archive_folder: Path, home: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "old-windows-share"
    folder.mkdir()
    name = os.fsdecode("采购合同2019.pdf".encode("gbk"))  # as unzip leaves a GBK name
    shutil.copy(archive_folder / "service agreement.pdf", folder / name)
    result = run_installed("--home", str(home), "import", str(folder), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    (imported,) = data["contracts"]
    assert imported["file"].endswith(".pdf") and "\\x" in imported["file"]
    with Store.open(home) as store:
        row = store.conn.execute("SELECT path FROM import_files").fetchone()
        assert row["path"] == str(folder) + "/" + Path(imported["file"]).name
    again = run_installed("--home", str(home), "import", str(folder))
    assert again.returncode == 0 and "0 imported, 1 duplicate(s)" in again.stderr


def test_the_store_records_where_a_file_was_found_as_an_absolute_path(
    archive_folder: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(archive_folder)
    report = import_paths(store, "tester", [Path("service agreement.pdf")], ImportOptions())
    assert report.outcomes[0].file == "service agreement.pdf"  # the report: as given
    row = store.conn.execute("SELECT path FROM import_files").fetchone()
    assert row["path"] == str(archive_folder / "service agreement.pdf")


def test_a_file_rewritten_between_reading_and_storing_is_not_imported_with_the_wrong_text(
    archive_folder: Path, home: Path, tmp_path: Path
) -> None:
    from contractctl.importer.inspect import InspectOptions, file_sha256, inspect_file
    from contractctl.importer.pipeline import _record

    path = Path(shutil.copy(archive_folder / "service agreement.pdf", tmp_path / "inbox.pdf"))
    found = inspect_file(str(path), *file_sha256(path), InspectOptions())
    path.write_bytes((archive_folder / "2019" / "采购合同　2019—副本.pdf").read_bytes())
    before = snapshot(home)
    with Store.open(home) as store:
        outcome = _record(store, "tester", found, ImportOptions(), None)
        assert outcome.state == "failed" and "changed while" in outcome.reason
        assert store.conn.execute("SELECT COUNT(*) FROM contracts").fetchone()[0] == 0
    after = snapshot(home)
    assert after["objects"] == before["objects"] and after["rows"] == before["rows"]
    rerun = import_paths_cli(home, path)
    assert rerun["imported"] == 1


def import_paths_cli(home: Path, path: Path) -> dict[str, object]:
    """Import one file the way a user would, and the JSON report."""
    result = Cli(home)("import", str(path), "--json")
    assert result.code == 0, result.stderr
    data: dict[str, object] = result.json()
    return data


def test_confirming_every_field_the_import_flagged_clears_the_review_mark(
    tmp_path_factory: pytest.TempPathFactory, cli: Cli, tmp_path: Path
) -> None:
    nda = shutil.copy(historical(tmp_path_factory)["nda-en.pdf"], tmp_path / "NDA 2021.pdf")
    made = cli("import", str(nda), "--json").json()
    cid = made["contracts"][0]["id"]
    flagged = made["files"][0].get("needs_review", [])
    # An NDA has no amount: the import does not ask for one, and neither may edit.
    assert "amount" not in flagged
    edited = cli("edit", cid, "--set", "department=Legal", "--json")
    assert edited.code == 0, edited.stderr
    assert edited.json()["needs_review"] == bool(flagged)
    for name in flagged:
        field = {"parties": "counterparty", "contract_type": "type"}.get(name, name)
        done = cli("edit", cid, "--set", f"{field}=confirm")
        assert done.code == 0, done.stderr
    assert cid not in [c["id"] for c in cli("list", "--needs-review", "--json").json()]


def test_edit_names_what_is_still_to_review(archive_folder: Path, cli: Cli) -> None:
    made = cli("import", str(archive_folder / "service agreement.pdf"), "--json").json()
    cid = made["contracts"][0]["id"]
    flagged = made["files"][0].get("needs_review", [])
    result = cli("edit", cid, "--set", "department=Legal")
    assert result.code == 0, result.stderr
    if flagged:
        assert f"still to review: {', '.join(flagged)}" in result.stderr
    else:
        assert "reviewed" in result.stderr


def test_a_contract_the_import_thought_expired_runs_again_once_its_expiry_is_corrected(
    archive_folder: Path, cli: Cli
) -> None:
    made = cli("import", str(archive_folder / "service agreement.pdf"), "--json").json()
    cid = made["contracts"][0]["id"]
    # the sample renews itself; as a fixed term a past expiry expires it
    misread = ("--set", "effective_date=2020-01-01", "--set", "expiry_date=2021-01-01")
    assert cli("edit", cid, *misread, "--set", "auto_renewal=no").code == 0
    assert cli("show", cid, "--json").json()["status"] == "expired"

    later = (date.today() + timedelta(days=400)).isoformat()
    assert cli("edit", cid, "--set", f"expiry_date={later}").code == 0
    shown = cli("show", cid, "--json").json()
    assert (shown["status"], shown["end_date"]) == ("active", later)
    open_ = [(o["kind"], o["due"]) for o in shown["obligations"] if o["state"] == "open"]
    assert ("expiry", later) in open_ and ("expiry", "2021-01-01") not in open_
    actions = [e["action"] for e in cli("audit", cid, "--json").json()]
    assert actions.index("contract.reactivate") > actions.index("contract.expire")


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        (("expiry_date=2001-01-01",), "before the effective date"),
        (("effective_date=2031-01-01", "expiry_date=2030-12-31"), "cannot end before it starts"),
        (("expiry_date=03/04/2027",), "YYYY-MM-DD"),
        (("expiry_date=2027-02-30",), "not a date"),
        (("notice_days=thirty",), "whole number of days"),
        (("amount=lots",), "amount: 'lots' is not an amount of money"),
    ],
)
def test_edit_refuses_impossible_values_with_one_line_and_changes_nothing(
    archive_folder: Path, cli: Cli, home: Path, sets: tuple[str, ...], message: str
) -> None:
    made = cli("import", str(archive_folder / "service agreement.pdf"), "--json").json()
    cid = made["contracts"][0]["id"]
    assert cli("edit", cid, "--set", "effective_date=2025-01-01").code == 0
    before = snapshot(home)
    args = [arg for value in sets for arg in ("--set", value)]
    refused = cli("edit", cid, *args)
    assert refused.code == 2
    assert message in refused.stderr and "Invalid isoformat" not in refused.stderr
    assert "expected 'lots'" not in refused.stderr
    assert snapshot(home) == before
