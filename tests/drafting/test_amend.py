"""Amending a signed contract: a new draft version, routed as an amendment, signed again.

One signed contract (real LibreOffice PDF, both parties' signatures) is built once per
session and copied for each test.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from contractctl.approval.decide import decide, route_view, submit
from contractctl.drafting.amend import AmendRequest, amend
from contractctl.errors import InvalidInput, NotAllowed, NotFound
from contractctl.records.contracts import get_contract
from contractctl.signing.sign import sign
from contractctl.store import Store
from contractctl.views import contract_detail
from tests.conftest import Cli, snapshot
from tests.signing.test_sign import PASS, copy_base

_BASE: dict[str, Path] = {}


def signed_base(factory: pytest.TempPathFactory) -> Path:
    """A store whose contract [0] is signed by both parties (2 x 20,000 = ¥40,000.00)."""
    if "home" not in _BASE:
        home, ids = copy_base(factory, factory.mktemp("amend-base"))
        with Store.open(home) as store:
            sign(store, "tester", ids[0], key="org", passphrase=PASS)
            sign(
                store, "tester", ids[0], key="person-li-lei", passphrase=PASS, party="counterparty"
            )
        _BASE["home"] = home
    return _BASE["home"]


@pytest.fixture
def signed(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> tuple[Path, str]:
    home = shutil.copytree(signed_base(tmp_path_factory), tmp_path / "store", symlinks=True)
    return home, json.loads((home / "ids.json").read_text())[0]


def approve_all(store: Store, contract_id: str) -> list[str]:
    """Decide every pending stage with its first approver; returns who approved."""
    approvers: list[str] = []
    while get_contract(store.conn, contract_id).status == "in_review":
        route = route_view(store, contract_id)
        stage = next(s for s in route["stages"] if s["state"] == "pending")
        person = next(a["person"] for a in stage["approvers"] if a["state"] == "pending")
        with store.transaction(person) as tx:
            decide(tx, contract_id, "approve", "ok")
        approvers.append(person)
    return approvers


def test_raising_the_amount_makes_a_draft_version_that_routes_the_full_chain(
    signed: tuple[Path, str],
) -> None:
    home, cid = signed
    with Store.open(home) as store:
        before = get_contract(store.conn, cid)
        assert before.status == "signed" and before.version == 1
        result = amend(
            store,
            "drafter",
            cid,
            AmendRequest(reason="增加数量", sets={"items[1].quantity": "3"}, pdf=False),
        )
        assert (result.version, result.parent) == (2, 1)
        amounts = [c for c in result.semantic if c["what"] == "amount"]
        assert any(c["old"] == "¥40,000.00" and c["new"] == "¥60,000.00" for c in amounts)
        now = get_contract(store.conn, cid)
        assert (now.status, now.version, now.in_force_version) == ("draft", 2, 1)
        assert now.amount is not None and now.amount.minor == 6_000_000
        with store.transaction("drafter") as tx:
            routed = submit(tx, cid)
        assert "amendment-amount" in routed["route_ids"]
        roles = [s["n"] for s in route_view(store, cid)["stages"]]
        assert len(roles) >= 3  # dept head, legal, finance, ...
        detail = contract_detail(store, cid)
        v2 = detail["versions"][1]
        assert (v2["kind"], v2["parent"], v2["reason"]) == ("amendment", 1, "增加数量")


def test_older_versions_never_change(signed: tuple[Path, str]) -> None:
    home, cid = signed
    with Store.open(home) as store:
        v1 = dict(store.conn.execute("SELECT * FROM versions WHERE n = 1").fetchone())
        amend(
            store, "drafter", cid, AmendRequest(reason="r", sets={"payment_days": "45"}, pdf=False)
        )
        again = dict(store.conn.execute("SELECT * FROM versions WHERE n = 1").fetchone())
        assert again == v1
        import sqlite3

        with pytest.raises(sqlite3.IntegrityError, match="immutable"):
            store.conn.execute("UPDATE versions SET fields = '{}' WHERE n = 1")


def test_a_rejected_amendment_leaves_the_signed_contract_in_force(
    signed: tuple[Path, str],
) -> None:
    home, cid = signed
    with Store.open(home) as store:
        amend(
            store,
            "drafter",
            cid,
            AmendRequest(reason="涨价", sets={"items[1].unit_price": "30000"}, pdf=False),
        )
        with store.transaction("drafter") as tx:
            submit(tx, cid)
        stage = route_view(store, cid)["stages"][0]
        person = stage["approvers"][0]["person"]
        with store.transaction(person) as tx:
            decide(tx, cid, "reject", "no")
        back = get_contract(store.conn, cid)
        assert (back.status, back.version, back.in_force_version) == ("signed", 1, 1)
        assert back.amount is not None and back.amount.minor == 4_000_000
        detail = contract_detail(store, cid)
        assert detail["versions"][1]["outcome"] == "rejected"
        assert "contract.amendment_rejected" in [e["action"] for e in detail["events"]]
        # A second amendment starts from the version in force and gets the next number.
        second = amend(
            store,
            "drafter",
            cid,
            AmendRequest(reason="再改", sets={"payment_days": "60"}, pdf=False),
        )
        assert (second.version, second.parent) == (3, 1)


def test_an_approved_and_signed_amendment_becomes_the_version_in_force(
    signed: tuple[Path, str],
) -> None:
    home, cid = signed
    with Store.open(home) as store:
        signed_date = get_contract(store.conn, cid).signed_date
        amend(store, "drafter", cid, AmendRequest(reason="延长付款期", sets={"payment_days": "45"}))
        with store.transaction("drafter") as tx:
            submit(tx, cid)
        approve_all(store, cid)
        assert get_contract(store.conn, cid).status == "approved"
        sign(store, "tester", cid, key="org", passphrase=PASS)
        sign(store, "tester", cid, key="person-li-lei", passphrase=PASS, party="counterparty")
        done = get_contract(store.conn, cid)
        assert (done.status, done.version, done.in_force_version) == ("signed", 2, 2)
        assert done.signed_date == signed_date
        sigs = contract_detail(store, cid)["signatures"]
        assert sorted({s["version"] for s in sigs}) == [1, 2]


def test_amend_refusals_change_nothing(signed: tuple[Path, str], tmp_path: Path) -> None:
    home, cid = signed
    with Store.open(home) as store:
        before = snapshot(home)
        with pytest.raises(InvalidInput, match="reason"):
            amend(store, "d", cid, AmendRequest(reason=" ", sets={"payment_days": "45"}))
        with pytest.raises(InvalidInput, match="either --data/--set or --file"):
            amend(store, "d", cid, AmendRequest(reason="r"))
        with pytest.raises(InvalidInput, match="changes nothing"):
            amend(store, "d", cid, AmendRequest(reason="r", sets={"payment_days": "30"}, pdf=False))
        with pytest.raises(Exception, match="problem"):
            amend(store, "d", cid, AmendRequest(reason="r", sets={"payment_days": "soon"}))
        with pytest.raises(NotFound):
            amend(store, "d", "CT-1999-0001", AmendRequest(reason="r", sets={"a": "b"}))
        draft_id = json.loads((home / "ids.json").read_text())[2]
        with pytest.raises(NotAllowed, match="cannot amend a contract that is draft"):
            amend(store, "d", draft_id, AmendRequest(reason="r", sets={"payment_days": "45"}))
        scan = tmp_path / "scan.pdf"
        scan.write_bytes(b"not a pdf")
        with pytest.raises(InvalidInput, match="not a PDF"):
            amend(store, "d", cid, AmendRequest(reason="r", file=scan))
        assert snapshot(home) == before


def test_amend_by_file_reads_the_new_amount_from_the_counterpartys_document(
    signed: tuple[Path, str], tmp_path: Path
) -> None:
    """The counterparty sends back an edited DOCX: its amount is found by the semantic diff,
    so the rules see a 50% rise."""
    home, cid = signed
    edited = tmp_path / "edited.docx"
    with Store.open(home) as store:
        row = store.conn.execute("SELECT docx_sha FROM versions WHERE n = 1").fetchone()
        from tests.conftest import rewrite_docx

        shutil.copy(store.objects.path(row["docx_sha"]), edited)
        rewrite_docx(
            edited,
            "word/document.xml",
            lambda xml: xml.replace(b"40,000.00", b"60,000.00").replace(
                "肆万元整".encode(), "陆万元整".encode()
            ),
        )
        result = amend(store, "drafter", cid, AmendRequest(reason="对方修改", file=edited))
        now = get_contract(store.conn, cid)
        assert now.amount is not None and now.amount.minor == 6_000_000
        assert result.version == 2
        with store.transaction("drafter") as tx:
            assert "amendment-amount" in submit(tx, cid)["route_ids"]


def test_amend_and_diff_on_the_command_line(signed: tuple[Path, str], tmp_path: Path) -> None:
    home, cid = signed
    cli = Cli(home)
    made = cli("amend", cid, "--set", "items[1].quantity=3", "-m", "增加数量", "--no-pdf", "--json")
    assert made.code == 0, made.stderr
    assert made.json()["id"] == cid and made.json()["version"] == 2
    redline = cli("diff", cid)
    assert redline.code == 0, redline.stderr
    assert "¥40,000.00 → ¥60,000.00" in redline.stdout
    assert "[-" in redline.stdout and "{+" in redline.stdout
    data = cli("diff", cid, "--from", "1", "--to", "2", "--json").json()
    assert data["verdict"] == "changed" and data["from"] == f"{cid} v1"
    assert all(
        {"kind", "clause", "page", "severity", "old", "new"} <= set(c) for c in data["changes"]
    )
    page = tmp_path / "redline.html"
    html = cli("diff", cid, "--format", "html", "-o", str(page))
    assert html.code == 0 and page.read_text(encoding="utf-8").lstrip().startswith("<!DOCTYPE html")
    assert cli("diff", cid, "--exit-code").code == 1
    unknown = cli("diff", cid, "--from", "7")
    assert unknown.code == 2 and "has no version 7 (it has 1, 2)" in unknown.stderr
    refused = cli("amend", cid, "--set", "payment_days=45", "-m", "again")
    assert refused.code == 3 and "cannot amend a contract that is draft" in refused.stderr


def test_a_counterparty_edit_of_a_standard_clause_makes_the_amendment_nonstandard(
    signed: tuple[Path, str], tmp_path: Path
) -> None:
    """The counterparty returns the DOCX with the liability clause softened: the new
    version is judged against the template like any draft, so the contract is no longer
    standard and the route for non-standard contracts (legal) applies; when the
    amendment is rejected, the signed version in force is standard again."""
    home, cid = signed
    edited = tmp_path / "edited.docx"
    with Store.open(home) as store:
        assert get_contract(store.conn, cid).standard is True
        row = store.conn.execute("SELECT docx_sha FROM versions WHERE n = 1").fetchone()
        from tests.conftest import rewrite_docx

        shutil.copy(store.objects.path(row["docx_sha"]), edited)
        rewrite_docx(
            edited,
            "word/document.xml",
            lambda xml: xml.replace("千分之一".encode(), "万分之一".encode()),
        )
        amend(store, "drafter", cid, AmendRequest(reason="对方修改违约责任", file=edited))
        assert get_contract(store.conn, cid).standard is False
        with store.transaction("drafter") as tx:
            assert "nonstandard" in submit(tx, cid)["route_ids"]
        route = route_view(store, cid)
        assert any(a["role"] == "legal" for s in route["stages"] for a in s["approvers"])
        first = next(s for s in route["stages"] if s["state"] == "pending")
        person = next(a["person"] for a in first["approvers"] if a["state"] == "pending")
        with store.transaction(person) as tx:
            decide(tx, cid, "reject", "违约金不能降低")
        assert get_contract(store.conn, cid).standard is True
