"""The archive bundle carries what happened after the signature: payments, orders and
the evidence attached, verifiable offline like the rest of the dossier."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from contractctl.archive.archiving import archive
from contractctl.archive.bundle import verify_bundle
from contractctl.store import Store
from tests.conftest import Cli
from tests.obligations.signed import PASS, copy_signed


def test_the_bundle_holds_payments_orders_and_attachments(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    home, cid = copy_signed(tmp_path_factory, tmp_path, "purchase-en")
    cli = Cli(home)
    receipt = tmp_path / "付款凭证.pdf"
    receipt.write_bytes(b"%PDF-1.4 receipt")
    paid = cli(
        "payment",
        "add",
        cid,
        "--amount",
        "1000",
        "--evidence",
        str(receipt),
        "--as",
        "sun.li",
    )
    assert paid.code == 0, paid.stderr
    order = cli("order", "create", cid, "--line", "3=1", "--as", "wang.fang")
    assert order.code == 0, order.stderr
    out = tmp_path / "bundle.zip"
    with Store.open(home) as store:
        archive(store, "tester", cid, bundle=out, passphrase=lambda: PASS)
    with zipfile.ZipFile(out) as bundle:
        names = bundle.namelist()
        execution = json.loads(bundle.read("execution.json"))
        kept = bundle.read(execution["attachments"][0]["file"])
    assert kept == receipt.read_bytes()
    assert [p["amount_minor"] for p in execution["payments"]] == [100000]
    assert execution["orders"][0]["lines"][0]["item"] == 3
    assert any(n.startswith("attachments/") for n in names)
    report = verify_bundle(out)
    assert report.ok, report.problems
