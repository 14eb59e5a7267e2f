"""Archiving a contract: the archive transition, its dossier, bundles and their offline check.

A signed contract (the signing tests' approved contract, signed by the company and then
by Li Lei with the test keys) is built once per session and copied for each test.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from contractctl.archive import archiving
from contractctl.archive.archiving import archive, archive_record
from contractctl.archive.bundle import verify_bundle
from contractctl.archive.dossier import build_dossier
from contractctl.errors import EnvironmentProblem, InvalidInput, NotAllowed
from contractctl.records.lifecycle import transition
from contractctl.signing.sign import sign
from contractctl.store import Store
from tests.conftest import snapshot
from tests.signing.test_sign import PASS, copy_base

_SIGNED: dict[str, Path] = {}


def signed_base(factory: pytest.TempPathFactory) -> Path:
    """A store (built once per session) whose contract [0] is signed by both parties;
    [1] is approved without a PDF and [2] is a draft."""
    if "home" not in _SIGNED:
        home, ids = copy_base(factory, factory.mktemp("archive-base"))
        with Store.open(home) as store:
            sign(store, "wang.fang", ids[0], key="org", passphrase=PASS)
            sign(store, "li.lei", ids[0], key="person-li-lei", passphrase=PASS)
        _SIGNED["home"] = home
    return _SIGNED["home"]


def copy_signed(factory: pytest.TempPathFactory, dest: Path) -> tuple[Path, list[str]]:
    """A private copy of the signed store, and its contract ids."""
    home = shutil.copytree(signed_base(factory), dest / "store", symlinks=True)
    return home, json.loads((home / "ids.json").read_text())


@pytest.fixture
def signed(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> tuple[Path, list[str]]:
    return copy_signed(tmp_path_factory, tmp_path)


def _pass() -> str:
    return PASS


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        return {info.filename: bundle.read(info) for info in bundle.infolist()}


def _rezip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)


def _relist(members: dict[str, bytes], name: str) -> None:
    """Update the manifest entry of ``name`` to match its new bytes (a careful forger)."""
    manifest = json.loads(members["manifest.json"])
    for entry in manifest["files"]:
        if entry["path"] == name:
            entry["sha256"] = hashlib.sha256(members[name]).hexdigest()
            entry["size"] = len(members[name])
    members["manifest.json"] = json.dumps(manifest).encode()


def test_archiving_a_signed_contract_stores_its_dossier_with_the_status_change(
    signed: tuple[Path, list[str]], tmp_path: Path
) -> None:
    home, (cid, _, _) = signed
    out = tmp_path / "dossier.zip"
    with Store.open(home) as store:
        result = archive(store, "zhou.min", cid, bundle=out, passphrase=_pass)
        assert (result.status, result.changed, result.bundle) == ("archived", True, out)
        status = store.conn.execute("SELECT status FROM contracts WHERE id = ?", (cid,))
        assert status.fetchone()[0] == "archived"
        record = archive_record(store, cid)
        assert record is not None
        assert (record["dossier_sha"], record["files"], record["archived_by"]) == (
            result.dossier_sha,
            result.files,
            "zhou.min",
        )
        stored = store.objects.read_bytes(result.dossier_sha)
        event = store.conn.execute(
            "SELECT actor, data FROM events WHERE subject = ? ORDER BY seq DESC LIMIT 1", (cid,)
        ).fetchone()
        signed_pdf = store.conn.execute(
            "SELECT pdf_sha, unsigned_pdf_sha FROM versions WHERE contract_id = ?", (cid,)
        ).fetchone()
    assert event["actor"] == "zhou.min"
    data = json.loads(event["data"])
    assert data.pop("rows")["contract"]["status"] == "archived"  # the rows as left
    assert data == {
        "from": "signed",
        "to": "archived",
        "dossier_sha256": result.dossier_sha,
        "files": result.files,
    }
    assert out.read_bytes() == stored
    assert hashlib.sha256(stored).hexdigest() == result.dossier_sha
    entries = _entries(stored)
    assert len(entries) == result.files
    for name in (
        "README.txt",
        "manifest.json",
        "contract.json",
        "final.pdf",
        "versions/v1/contract.pdf",
        "versions/v1/unsigned.pdf",
        "versions/v1/contract.docx",
        "versions/v1/contract.txt",
        "approvals.json",
        "signatures.json",
        "verification.json",
        "ocr_checks.json",
        "changes.json",
        "events.json",
    ):
        assert name in entries, name
    assert hashlib.sha256(entries["final.pdf"]).hexdigest() == signed_pdf["pdf_sha"]
    unsigned = entries["versions/v1/unsigned.pdf"]
    assert hashlib.sha256(unsigned).hexdigest() == signed_pdf["unsigned_pdf_sha"]
    assert [n for n in entries if n.startswith("trust/") and n.endswith(".pem")]
    manifest = json.loads(entries["manifest.json"])
    assert {e["path"] for e in manifest["files"]} == set(entries) - {
        "manifest.json",
        "manifest.sig",
    }
    for entry in manifest["files"]:
        data = entries[entry["path"]]
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["size"] == len(data) and entry["what"]
    assert manifest["contract"]["id"] == cid and manifest["contract"]["status"] == "archived"
    assert manifest["archive"]["status_before"] == "signed"
    assert "updated_at" not in manifest["contract"]
    contract = json.loads(entries["contract.json"])
    assert contract["versions"][0]["files"]["pdf"] == "versions/v1/contract.pdf"
    verification = json.loads(entries["verification.json"])
    assert verification["verdict"] == "valid"
    assert [s["signer"] for s in verification["signatures"]] == ["示例科技有限公司", "Li Lei"]
    assert [s["party"] for s in json.loads(entries["signatures.json"])] == [
        "company",
        "counterparty",
    ]
    approvals = json.loads(entries["approvals.json"])
    assert approvals["route"]["state"] == "approved"
    assert approvals["routes"][0]["tasks"][0]["decided_by"] == "zhao.lei"
    events = json.loads(entries["events.json"])["events"]
    assert events[0]["action"] == "contract.create"
    # the last signature completes the signing and makes the contract's obligations
    assert [e["action"] for e in events[-2:]] == [
        "contract.complete_signing",
        "obligations.created",
    ]
    assert json.loads(entries["changes.json"]) == []
    assert f"dossier of {cid}" in entries["README.txt"].decode()
    # Timestamps and modes are fixed: the bytes depend only on the contract's state.
    with zipfile.ZipFile(out) as bundle:
        infos = bundle.infolist()
    assert [i.filename for i in infos] == sorted(entries)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_the_same_state_gives_the_same_dossier_bytes(signed: tuple[Path, list[str]]) -> None:
    home, (cid, _, _) = signed
    with Store.open(home) as store:
        first = build_dossier(store, cid, archived_by="x", archived_at="2026-01-02T03:04:05Z")
        second = build_dossier(store, cid, archived_by="x", archived_at="2026-01-02T03:04:05Z")
    assert first.data == second.data and first.sha256 == second.sha256


def test_a_bundle_verifies_offline_with_nothing_but_the_file(
    signed: tuple[Path, list[str]], tmp_path: Path
) -> None:
    home, (cid, _, _) = signed
    out = tmp_path / "bundle.zip"
    with Store.open(home) as store:
        archive(store, "tester", cid, bundle=out, passphrase=_pass)
    moved = tmp_path / "elsewhere" / "bundle.zip"
    moved.parent.mkdir()
    shutil.move(out, moved)
    shutil.rmtree(home)  # no store, no trust roots but those in the bundle
    report = verify_bundle(moved)
    assert report.ok, report.problems
    assert report.to_dict()["verdict"] == "valid"
    assert report.contract == cid
    assert [s["signer"] for s in report.signatures] == ["示例科技有限公司", "Li Lei"]
    assert report.events >= 8
    assert report.files == len(_entries(moved.read_bytes()))


def test_verify_bundle_names_every_changed_missing_or_added_file(
    signed: tuple[Path, list[str]], tmp_path: Path
) -> None:
    home, (cid, _, _) = signed
    out = tmp_path / "bundle.zip"
    with Store.open(home) as store:
        archive(store, "tester", cid, bundle=out, passphrase=_pass)
    members = _entries(out.read_bytes())

    changed = dict(members)
    changed["contract.json"] = changed["contract.json"].replace(b"archived", b"ARCHIVED")
    del changed["versions/v1/contract.txt"]
    changed["notes.txt"] = b"added later"
    _rezip(tmp_path / "t.zip", changed)
    problems = verify_bundle(tmp_path / "t.zip").problems
    assert problems == [
        "contract.json: changed (its SHA-256 does not match the manifest)",
        "versions/v1/contract.txt: listed in the manifest but missing",
        "notes.txt: not listed in the manifest (added)",
    ]

    no_manifest = dict(members)
    del no_manifest["manifest.json"]
    _rezip(tmp_path / "m.zip", no_manifest)
    assert verify_bundle(tmp_path / "m.zip").problems == [
        "manifest.json is missing: this is not a contractctl dossier"
    ]


def test_verify_bundle_catches_a_forger_who_also_updates_the_manifest(
    signed: tuple[Path, list[str]], tmp_path: Path
) -> None:
    home, (cid, _, _) = signed
    out = tmp_path / "bundle.zip"
    with Store.open(home) as store:
        archive(store, "tester", cid, bundle=out, passphrase=_pass)
    members = _entries(out.read_bytes())

    events = json.loads(members["events.json"])
    events["events"][1]["actor"] = "someone.else"
    forged = {**members, "events.json": json.dumps(events).encode()}
    _relist(forged, "events.json")
    _rezip(tmp_path / "e.zip", forged)
    problems = verify_bundle(tmp_path / "e.zip").problems
    assert len(problems) == 2 and problems[0].startswith("events.json: event ")
    assert "was modified" in problems[0]
    assert problems[1] == (
        "manifest.sig: the signature does not verify: manifest.json was changed after archiving"
    )

    pdf = bytearray(members["final.pdf"])
    pdf[10] ^= 0x01
    forged = {**members, "final.pdf": bytes(pdf)}
    _relist(forged, "final.pdf")
    _rezip(tmp_path / "p.zip", forged)
    problems = verify_bundle(tmp_path / "p.zip").problems
    assert any("final.pdf: signature" in p and "digest mismatch" in p for p in problems)
    assert "final.pdf: not the PDF the last recorded signature (or timestamp renewal) produced" in (
        problems
    )


def test_a_file_that_is_not_a_zip_is_bad_input(tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(InvalidInput, match=r"junk\.zip is not a readable ZIP file"):
        verify_bundle(junk)
    with pytest.raises(InvalidInput, match="no file"):
        verify_bundle(tmp_path / "missing.zip")


def test_only_signed_active_expired_or_terminated_contracts_are_archived(
    signed: tuple[Path, list[str]], tmp_path: Path
) -> None:
    home, (cid, approved, draft) = signed
    before = snapshot(home)
    with Store.open(home) as store:
        for other, status in ((approved, "approved"), (draft, "draft")):
            with pytest.raises(NotAllowed, match=f"cannot archive a contract that is {status}"):
                archive(store, "tester", other, bundle=tmp_path / "x.zip", passphrase=_pass)
    assert snapshot(home) == before
    assert not (tmp_path / "x.zip").exists()
    with Store.open(home) as store:
        with store.transaction("tester") as tx:
            transition(tx, cid, "terminate")
        assert archive(store, "tester", cid, passphrase=_pass).status == "archived"
        entries = _entries(store.objects.read_bytes(archive_record(store, cid)["dossier_sha"]))  # type: ignore[index]
    assert json.loads(entries["manifest.json"])["archive"]["status_before"] == "terminated"


def test_archiving_twice_is_refused_but_the_stored_dossier_can_be_written_again(
    signed: tuple[Path, list[str]], tmp_path: Path
) -> None:
    home, (cid, _, _) = signed
    with Store.open(home) as store:
        first = archive(store, "zhou.min", cid, passphrase=_pass)
    before = snapshot(home)
    with Store.open(home) as store:
        with pytest.raises(NotAllowed, match=f"{cid} is already archived on .* by zhou.min"):
            archive(store, "tester", cid, passphrase=_pass)
        again = archive(store, "tester", cid, bundle=tmp_path / "again.zip", passphrase=_pass)
    assert snapshot(home) == before
    assert (again.changed, again.dossier_sha, again.archived_by) == (
        False,
        first.dossier_sha,
        "zhou.min",
    )
    assert hashlib.sha256((tmp_path / "again.zip").read_bytes()).hexdigest() == first.dossier_sha


def test_an_existing_bundle_file_is_kept_unless_forced_and_nothing_is_archived(
    signed: tuple[Path, list[str]], tmp_path: Path
) -> None:
    home, (cid, _, _) = signed
    out = tmp_path / "out.zip"
    out.write_bytes(b"someone's file")
    before = snapshot(home)
    with Store.open(home) as store, pytest.raises(NotAllowed, match="already exists"):
        archive(store, "tester", cid, bundle=out, passphrase=_pass)
    assert snapshot(home) == before and out.read_bytes() == b"someone's file"
    with Store.open(home) as store:
        result = archive(store, "tester", cid, bundle=out, force=True, passphrase=_pass)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == result.dossier_sha
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.zip", "store"]


def test_a_failure_while_writing_the_bundle_changes_nothing_and_leaves_no_file(
    signed: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, (cid, _, _) = signed
    before = snapshot(home)

    class FullDisk:
        """The os module as archive.py sees it, on a disk that fills up."""

        def __getattr__(self, name: str) -> Any:
            return getattr(os, name)

        @staticmethod
        def fsync(fd: int) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(archiving, "os", FullDisk())
    with Store.open(home) as store, pytest.raises(EnvironmentProblem, match="No space left"):
        archive(store, "tester", cid, bundle=tmp_path / "out.zip", passphrase=_pass)
    assert snapshot(home) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_a_contract_whose_signatures_do_not_verify_is_not_archived(
    signed: tuple[Path, list[str]],
) -> None:
    home, (cid, _, _) = signed
    for pem in (home / "keys" / "trust").glob("*.pem"):
        pem.unlink()
    before = snapshot(home)
    with Store.open(home) as store, pytest.raises(NotAllowed, match="signatures do not verify"):
        archive(store, "tester", cid, passphrase=_pass)
    assert snapshot(home) == before


def test_an_amended_contract_keeps_every_version_and_the_diff_of_each_amendment(
    signed: tuple[Path, list[str]], tmp_path: Path
) -> None:
    engine = pytest.importorskip("contractctl.compare", reason="the compare engine is not built")
    if not hasattr(engine, "compare"):
        pytest.skip("the compare engine (contractctl.compare.compare) is not built yet")
    from contractctl.approval.decide import submit
    from contractctl.drafting.amend import AmendRequest, amend
    from tests.drafting.test_amend import approve_all

    home, (cid, _, _) = signed
    with Store.open(home) as store:
        amend(store, "drafter", cid, AmendRequest(reason="延长付款期", sets={"payment_days": "45"}))
        with pytest.raises(NotAllowed, match="cannot archive a contract that is draft"):
            archive(
                store, "tester", cid, passphrase=_pass
            )  # an amendment under way is not archived
        with store.transaction("drafter") as tx:
            submit(tx, cid)
        approve_all(store, cid)
        sign(store, "tester", cid, key="org", passphrase=PASS)
        sign(store, "tester", cid, key="person-li-lei", passphrase=PASS, party="counterparty")
        archive(store, "tester", cid, bundle=tmp_path / "b.zip", passphrase=_pass)
    entries = _entries((tmp_path / "b.zip").read_bytes())
    assert {"versions/v1/contract.pdf", "versions/v2/contract.pdf", "versions/v2/unsigned.pdf"} <= (
        set(entries)
    )
    manifest = json.loads(entries["manifest.json"])
    assert manifest["archive"]["final_version"] == 2
    assert entries["final.pdf"] == entries["versions/v2/contract.pdf"]
    changes = json.loads(entries["changes.json"])
    assert [(c["version"], c["parent"], c["reason"]) for c in changes] == [(2, 1, "延长付款期")]
    assert changes[0]["diff"]["verdict"] != "same" and changes[0]["diff"]["changes"]
    assert verify_bundle(tmp_path / "b.zip").ok


def test_the_stored_dossier_is_the_dossier_of_the_state_that_was_archived(
    signed: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    home, (cid, _, _) = signed
    monkeypatch.setattr(archiving, "now_iso", lambda: "2026-05-01T08:00:00.000000Z")
    with Store.open(home) as store:
        expected = build_dossier(
            store, cid, archived_by="tester", archived_at="2026-05-01T08:00:00.000000Z"
        )
        result = archive(store, "tester", cid, passphrase=_pass)
        stored = _entries(store.objects.read_bytes(result.dossier_sha))
    assert stored.pop("manifest.sig")  # the company's signature of manifest.json
    assert stored == _entries(expected.data)
    assert result.archived_at == "2026-05-01T08:00:00.000000Z"


def test_imported_contracts_without_signatures_are_archived_and_their_bundles_verify(
    store: Store, tmp_path: Path
) -> None:
    from contractctl.records.contracts import NewContract, NewVersion, create_contract

    with store.transaction("importer") as tx:
        scan = tx.put_bytes(b"%PDF-1.4 a scanned paper original")
        expired = create_contract(
            tx,
            NewContract(title="旧租赁合同", type="lease", status="expired", source="import"),
            NewVersion(pdf_sha=scan),
        )
        archived = create_contract(
            tx,
            NewContract(title="旧采购合同", type="purchase", status="archived", source="import"),
            NewVersion(),
        )
    result = archive(store, "tester", expired.id, bundle=tmp_path / "expired.zip", passphrase=_pass)
    entries = _entries((tmp_path / "expired.zip").read_bytes())
    assert entries["final.pdf"] == b"%PDF-1.4 a scanned paper original"
    assert json.loads(entries["verification.json"])["verdict"] == "unsigned"
    assert verify_bundle(tmp_path / "expired.zip").ok
    assert result.status == "archived"

    # Imported already archived: no dossier yet, so the first --bundle records one.
    with pytest.raises(NotAllowed, match="already archived"):
        archive(store, "tester", archived.id, passphrase=_pass)
    first = archive(store, "tester", archived.id, bundle=tmp_path / "a.zip", passphrase=_pass)
    assert first.changed and archive_record(store, archived.id) is not None
    assert "final.pdf" not in _entries((tmp_path / "a.zip").read_bytes())
    assert verify_bundle(tmp_path / "a.zip").ok
    again = archive(store, "tester", archived.id, bundle=tmp_path / "b.zip", passphrase=_pass)
    assert not again.changed and again.dossier_sha == first.dossier_sha
    actions = [
        e[0]
        for e in store.conn.execute("SELECT action FROM events WHERE subject = ?", (archived.id,))
    ]
    assert actions == ["contract.create", "contract.dossier"]


def test_a_manifest_that_is_not_a_dossier_manifest_is_a_problem(tmp_path: Path) -> None:
    for name, manifest in (
        ("a.zip", b"not json"),
        ("b.zip", b'{"format": "something-else"}'),
        ("c.zip", b'{"format": "contractctl-dossier", "format_version": 1, "files": "x"}'),
    ):
        _rezip(tmp_path / name, {"manifest.json": manifest})
        assert verify_bundle(tmp_path / name).problems == [
            "manifest.json is not a contractctl dossier manifest"
        ]
    _rezip(
        tmp_path / "d.zip",
        {"manifest.json": b'{"format": "contractctl-dossier", "format_version": 9}'},
    )
    assert verify_bundle(tmp_path / "d.zip").problems == [
        "manifest.json: dossier format 9; this contractctl reads format 1"
    ]


@pytest.mark.parametrize("member", ["contract.json", "approvals.json", "events.json"])
def test_a_forged_record_with_the_manifest_rehashed_fails_on_its_signature(
    signed: tuple[Path, list[str]], tmp_path: Path, member: str
) -> None:
    """The forger rewrites a record, re-hashes the manifest, and keeps, drops or makes
    up the manifest's signature: each is invalid."""
    home, (cid, _, _) = signed
    out = tmp_path / "bundle.zip"
    with Store.open(home) as store:
        archive(store, "tester", cid, bundle=out, passphrase=_pass)
    members = _entries(out.read_bytes())
    assert verify_bundle(out).ok
    assert verify_bundle(out).manifest_signer == json.loads(members["manifest.sig"])["fingerprint"]
    record = json.loads(members[member])
    record["forged"] = "amount 9,999,999"  # an added key is a change like any other
    forged = {**members, member: json.dumps(record).encode()}
    _relist(forged, member)
    _rezip(tmp_path / "f.zip", forged)
    report = verify_bundle(tmp_path / "f.zip")
    assert report.problems == [
        "manifest.sig: the signature does not verify: manifest.json was changed after archiving"
    ]
    del forged["manifest.sig"]
    _rezip(tmp_path / "s.zip", forged)
    stripped = verify_bundle(tmp_path / "s.zip").problems
    assert len(stripped) == 1 and stripped[0].startswith("manifest.sig is missing")


def test_a_manifest_signed_by_another_key_is_not_the_company_s(
    signed: tuple[Path, list[str]], tmp_path: Path
) -> None:
    import base64

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    home, (cid, _, _) = signed
    out = tmp_path / "bundle.zip"
    with Store.open(home) as store:
        archive(store, "tester", cid, bundle=out, passphrase=_pass)
    members = _entries(out.read_bytes())
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "示例科技有限公司")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    signature = json.loads(members["manifest.sig"])
    signature["certificate"] = cert.public_bytes(serialization.Encoding.PEM).decode()
    signature["signature"] = base64.b64encode(
        key.sign(members["manifest.json"], ec.ECDSA(hashes.SHA256()))
    ).decode()
    forged = {**members, "manifest.sig": json.dumps(signature).encode()}
    _rezip(tmp_path / "k.zip", forged)
    [problem] = verify_bundle(tmp_path / "k.zip").problems
    assert problem.endswith("not by the certificate of the company signature in final.pdf")


def test_archiving_a_company_signed_contract_needs_the_passphrase(
    signed: tuple[Path, list[str]],
) -> None:
    home, (cid, _, _) = signed
    before = snapshot(home)
    with Store.open(home) as store, pytest.raises(InvalidInput, match="needs its passphrase"):
        archive(store, "tester", cid)
    assert snapshot(home) == before


def test_the_manifest_carries_the_audit_anchor_signed_by_the_same_key(
    signed: tuple[Path, list[str]], tmp_path: Path
) -> None:
    from contractctl.signing.anchor import make_anchor

    home, (cid, _, _) = signed
    with Store.open(home) as store:
        make_anchor(store, "tester", passphrase=PASS)
        archive(store, "tester", cid, bundle=tmp_path / "a.zip", passphrase=_pass)
    members = _entries((tmp_path / "a.zip").read_bytes())
    manifest = json.loads(members["manifest.json"])
    assert manifest["audit_anchor"]["payload"]["kind"] == "contractctl audit anchor"
    assert verify_bundle(tmp_path / "a.zip").ok
