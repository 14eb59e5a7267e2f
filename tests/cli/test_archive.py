"""`contractctl archive`, `verify-bundle` and `export` as a user runs them."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from contractctl.money import Money
from contractctl.records.contracts import NewContract, NewVersion, create_contract
from contractctl.records.parties import add_party
from contractctl.store import Store
from tests.archive.test_dossier import copy_signed
from tests.conftest import Cli, snapshot
from tests.signing.test_sign import PASS


@pytest.fixture
def setup(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Cli, list[str]]:
    monkeypatch.setenv("CONTRACTCTL_KEY_PASSPHRASE", PASS)  # archive signs the manifest
    home, ids = copy_signed(tmp_path_factory, tmp_path)
    return Cli(home), ids


def test_archive_a_signed_contract_and_check_its_bundle_anywhere(
    setup: tuple[Cli, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, (cid, _, _) = setup
    out = tmp_path / "C.zip"
    result = cli("--as", "zhou.min", "archive", cid, "--bundle", str(out), "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    assert set(data) == {
        "id",
        "status",
        "dossier_sha256",
        "files",
        "archived_by",
        "archived_at",
        "changed",
        "bundle",
    }
    assert (data["id"], data["status"], data["archived_by"], data["changed"]) == (
        cid,
        "archived",
        "zhou.min",
        True,
    )
    assert data["bundle"] == str(out) and out.is_file()
    shown = cli("show", cid, "--json").json()
    assert shown["status"] == "archived"
    assert shown["events"][-1]["action"] == "contract.archive"

    # Offline: no store anywhere.
    nowhere = tmp_path / "no-store"
    monkeypatch.setenv("CONTRACTCTL_HOME", str(nowhere))
    offline = Cli(nowhere)
    checked = offline("verify-bundle", str(out), "--json")
    assert checked.code == 0, checked.stdout + checked.stderr
    report = checked.json()
    assert (report["verdict"], report["problems"], report["contract"]) == ("valid", [], cid)
    assert report["files"] == data["files"] and report["sha256"] == data["dossier_sha256"]
    human = offline("verify-bundle", str(out))
    assert human.code == 0 and human.stdout.rstrip().endswith("valid")
    assert "示例科技有限公司, Li Lei" in human.stdout
    assert not nowhere.exists()


def test_archive_human_output_is_the_dossier_hash(setup: tuple[Cli, list[str]]) -> None:
    cli, (cid, _, _) = setup
    result = cli("archive", cid)
    assert result.code == 0, result.stderr
    assert len(result.stdout.strip()) == 64
    assert f"{cid} is archived" in result.stderr


def test_verify_bundle_exits_1_naming_each_tampered_missing_or_added_file(
    setup: tuple[Cli, list[str]], tmp_path: Path
) -> None:
    cli, (cid, _, _) = setup
    out = tmp_path / "b.zip"
    assert cli("archive", cid, "--bundle", str(out)).code == 0
    with zipfile.ZipFile(out) as bundle:
        members = {i.filename: bundle.read(i) for i in bundle.infolist()}

    def variant(name: str, change: dict[str, bytes | None]) -> Path:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as bundle:
            for member, data in {**members, **change}.items():
                if data is not None:
                    bundle.writestr(member, data)
        return path

    forged = members["signatures.json"].replace(b"Li Lei", b"Li Lie")
    tampered = variant("t.zip", {"signatures.json": forged})
    result = cli("verify-bundle", str(tampered))
    assert result.code == 1
    assert "signatures.json: changed (its SHA-256 does not match the manifest)" in result.stdout
    assert result.stdout.rstrip().endswith("invalid (1 problem)")
    as_json = cli("verify-bundle", str(tampered), "--json").json()
    assert as_json["verdict"] == "invalid" and len(as_json["problems"]) == 1

    removed = cli("verify-bundle", str(variant("r.zip", {"final.pdf": None})), "--json")
    assert removed.code == 1
    assert removed.json()["problems"] == ["final.pdf: listed in the manifest but missing"]

    added = cli("verify-bundle", str(variant("a.zip", {"extra/x.txt": b"x"})), "--json")
    assert added.code == 1
    assert added.json()["problems"] == ["extra/x.txt: not listed in the manifest (added)"]


def test_verify_bundle_refuses_entry_names_that_leave_the_folder_listed_or_not(
    setup: tuple[Cli, list[str]], tmp_path: Path
) -> None:
    import hashlib

    cli, (cid, _, _) = setup
    out = tmp_path / "b.zip"
    assert cli("archive", cid, "--bundle", str(out)).code == 0
    with zipfile.ZipFile(out) as bundle:
        members = {i.filename: bundle.read(i) for i in bundle.infolist()}
    evil = "../../../tmp/evil.txt"
    manifest = json.loads(members["manifest.json"])
    manifest["files"].append(
        {"path": evil, "size": 4, "sha256": hashlib.sha256(b"evil").hexdigest()}
    )
    listed = tmp_path / "listed.zip"
    with zipfile.ZipFile(listed, "w") as bundle:
        for member, data in members.items():
            if member != "manifest.json":
                bundle.writestr(member, data)
        bundle.writestr("manifest.json", json.dumps(manifest))
        bundle.writestr(evil, b"evil")
    result = cli("verify-bundle", str(listed), "--json")
    assert result.code == 1
    problems = " | ".join(result.json()["problems"])
    assert "'../../../tmp/evil.txt'" in problems and "not a plain relative path" in problems
    linked = tmp_path / "link.zip"
    with zipfile.ZipFile(linked, "w") as bundle:
        for member, data in members.items():
            bundle.writestr(member, data)
        link = zipfile.ZipInfo("trust/link.pem")
        link.external_attr = 0o120777 << 16
        bundle.writestr(link, "/etc/passwd")
        bundle.writestr("C:/windows.txt", b"x")
        bundle.writestr("a\\b.txt", b"x")
    found = " | ".join(cli("verify-bundle", str(linked), "--json").json()["problems"])
    assert "a symbolic link, not a file" in found
    assert "an absolute path or a drive" in found and "a backslash" in found


def test_verify_bundle_on_a_corrupt_or_missing_file_is_bad_input(
    setup: tuple[Cli, list[str]], tmp_path: Path
) -> None:
    cli, (cid, _, _) = setup
    out = tmp_path / "b.zip"
    assert cli("archive", cid, "--bundle", str(out)).code == 0
    cut = tmp_path / "cut.zip"
    cut.write_bytes(out.read_bytes()[:-200])  # the central directory is gone
    result = cli("verify-bundle", str(cut))
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("contractctl: error: cut.zip is not a readable ZIP file")
    assert len(result.stderr.strip().splitlines()) == 1
    assert cli("verify-bundle", str(tmp_path / "none.zip")).code == 2
    as_json = cli("verify-bundle", str(cut), "--json")
    assert as_json.code == 2 and as_json.json()["error"]["code"] == 2


def test_archive_refusals_name_the_reason_and_change_nothing(
    setup: tuple[Cli, list[str]], tmp_path: Path
) -> None:
    cli, (cid, approved, draft) = setup
    before = snapshot(cli.home)
    result = cli("archive", draft, "--bundle", str(tmp_path / "d.zip"))
    assert result.code == 3
    assert "cannot archive a contract that is draft" in result.stderr
    assert cli("archive", approved).code == 3
    assert cli("archive", "C-1999-0001").code == 2
    taken = tmp_path / "taken.zip"
    taken.write_text("mine")
    exists = cli("archive", cid, "--bundle", str(taken))
    assert exists.code == 3 and "already exists" in exists.stderr and "--force" in exists.stderr
    assert cli("archive", cid, "--bundle", str(tmp_path / "no" / "dir.zip")).code == 2
    assert cli("archive", cid, "--bundle", str(tmp_path)).code == 2
    assert snapshot(cli.home) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store", "taken.zip"]
    assert taken.read_text() == "mine"


def test_archive_twice_is_refused_and_bundle_rewrites_the_stored_dossier(
    setup: tuple[Cli, list[str]], tmp_path: Path
) -> None:
    cli, (cid, _, _) = setup
    first = cli("archive", cid, "--bundle", str(tmp_path / "1.zip"), "--json").json()
    before = snapshot(cli.home)
    again = cli("archive", cid)
    assert again.code == 3 and f"{cid} is already archived on " in again.stderr
    bundle = cli("archive", cid, "--bundle", str(tmp_path / "2.zip"), "--json")
    assert bundle.code == 0, bundle.stderr
    assert bundle.json()["changed"] is False
    assert bundle.json()["dossier_sha256"] == first["dossier_sha256"]
    assert (tmp_path / "1.zip").read_bytes() == (tmp_path / "2.zip").read_bytes()
    assert snapshot(cli.home) == before
    forced = cli("archive", cid, "--bundle", str(tmp_path / "1.zip"), "--force")
    assert forced.code == 0


# -- export ------------------------------------------------------------------------------


@pytest.fixture
def exporting(cli: Cli) -> Cli:
    with Store.open(cli.home) as store, store.transaction("tester") as tx:
        party = add_party(tx, name="北京星河贸易有限公司")
        create_contract(
            tx,
            NewContract(
                title="办公家具采购",
                type="purchase",
                counterparty_id=party.id,
                amount=Money(12000050, "CNY"),
                end_date=date(2026, 6, 30),
            ),
            NewVersion(),
        )
        create_contract(
            tx,
            NewContract(title="Support", type="service", amount=Money(99, "USD"), status="signed"),
            NewVersion(),
        )
    return cli


def test_export_csv_json_and_xlsx_round_trip_with_the_list_filters(
    exporting: Cli, tmp_path: Path
) -> None:
    cli = exporting
    result = cli("export")
    assert result.code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["title"] for r in rows] == ["办公家具采购", "Support"]
    assert (rows[0]["amount"], rows[0]["currency"], rows[0]["amount_minor"]) == (
        "120000.50",
        "CNY",
        "12000050",
    )
    assert rows[0]["counterparty_name"] == "北京星河贸易有限公司"

    only_signed = cli("export", "--format", "json", "--status", "signed")
    assert only_signed.code == 0
    assert [c["title"] for c in only_signed.json()] == ["Support"]
    assert only_signed.json()[0]["amount"] == {"minor": 99, "currency": "USD"}
    assert cli("export", "--json", "--type", "purchase").json()[0]["title"] == "办公家具采购"
    big = cli("export", "--min-amount", "100000", "--format", "json").json()
    assert [c["title"] for c in big] == ["办公家具采购"]
    party = cli("export", "--party", "北京星河贸易有限公司", "--format", "json").json()
    assert [c["title"] for c in party] == ["办公家具采购"]

    xlsx = tmp_path / "contracts.xlsx"
    written = cli("export", "--format", "xlsx", "-o", str(xlsx), "--expires-to", "2026-12-31")
    assert written.code == 0, written.stderr
    assert written.stdout == "" and "1 contract written to" in written.stderr
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx).active
    header = [c.value for c in sheet[1]]
    values = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert sheet.max_row == 2 and values["title"] == "办公家具采购"
    assert Decimal(str(values["amount"])) == Decimal("120000.50")
    assert values["currency"] == "CNY"

    by_suffix = tmp_path / "all.xlsx"
    assert cli("export", "-o", str(by_suffix)).code == 0
    assert load_workbook(by_suffix).active.max_row == 3

    bom = tmp_path / "excel.csv"
    summary = cli("export", "--bom", "-o", str(bom), "--json")
    assert summary.json() == {"format": "csv", "path": str(bom), "rows": 2}
    assert bom.read_bytes().startswith(b"\xef\xbb\xbfid,title")
    assert "办公家具采购" in bom.read_text(encoding="utf-8-sig")


def test_export_of_nothing_is_a_header_or_an_empty_list(exporting: Cli) -> None:
    cli = exporting
    empty = cli("export", "--status", "archived")
    assert (
        empty.code == 0 and empty.stdout.startswith("id,title,") and empty.stdout.count("\n") == 1
    )
    as_json = cli("export", "--status", "archived", "--format", "json")
    assert as_json.code == 0 and json.loads(as_json.stdout) == []


def test_export_refuses_bad_usage_with_exit_2(exporting: Cli, tmp_path: Path) -> None:
    cli = exporting
    no_file = cli("export", "--format", "xlsx")
    assert no_file.code == 2 and "-o FILE.xlsx" in no_file.stderr and no_file.stdout == ""
    assert cli("export", "--format", "pdf").code == 2
    assert cli("export", "--status", "nonsense").code == 2
    assert cli("export", "--signed-from", "03/04/2026").code == 2
    assert cli("export", "--format", "json", "--bom").code == 2
    assert cli("export", "-o", str(tmp_path / "missing" / "x.csv")).code == 2
    assert not (tmp_path / "missing").exists()
