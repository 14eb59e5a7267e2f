"""Signing an approved contract: order of parties, status, records, atomicity, and PDFs
that other tools (Poppler's pdfsig, qpdf) accept.

One approved contract with a real PDF (LibreOffice) is built once per test session and
copied for each test, so every test starts from the same store in well under a second.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from contractctl import tools
from contractctl.approval.decide import decide, submit
from contractctl.drafting.draft import DraftRequest, draft
from contractctl.drafting.schema import load_schema
from contractctl.errors import InvalidInput, NotAllowed, StoreProblem
from contractctl.signing import keys
from contractctl.signing.acceptances import accept
from contractctl.signing.plan import choose_party
from contractctl.signing.sign import sign
from contractctl.signing.verify import verify_contract, verify_pdf
from contractctl.signing.views import acceptances_view, signatures_view
from contractctl.store import Store
from tests.cli.test_approval import PEOPLE
from tests.conftest import REPO, snapshot

PASS = "correct horse battery"
ORG = "示例科技有限公司"
SELLER = "苏州恒泰智能装备有限公司"  # the counterparty of purchase-zh's sample
_BASE: dict[str, Path] = {}


def _draft(store: Store, *, key: str, pdf: bool) -> str:
    spec = load_schema(REPO / "templates" / "purchase-zh.toml")
    data = json.loads(json.dumps(spec.sample, default=str))
    data["items"] = [
        {"name": "服务器", "spec": "R750", "unit": "台", "quantity": 2, "unit_price": "20000"}
    ]
    data.pop("amount", None)
    data["deposit_required"] = False  # the sample's ¥20,000 定金 is 50% of this price
    data.pop("deposit_amount", None)
    request = DraftRequest(
        template="purchase-zh", data=data, key=key, pdf=pdf, department="procurement"
    )
    return draft(store, "drafter", request).contract.id


def _approve(store: Store, contract_id: str) -> None:
    with store.transaction("drafter") as tx:
        submit(tx, contract_id)
    with store.transaction("zhao.lei") as tx:
        decide(tx, contract_id, "approve", "")


def approved_base(factory: pytest.TempPathFactory) -> Path:
    """A store (built once per session) with test keys and three contracts:
    [0] approved with a PDF, [1] approved without a PDF, [2] a draft with a PDF."""
    if "home" not in _BASE:
        from contractctl.bootstrap import initialise

        home = factory.mktemp("signing-base") / "store"
        initialise(home, "tester")
        (home / "people.toml").write_text(PEOPLE, encoding="utf-8")
        with Store.open(home) as store:
            signed = _draft(store, key="with-pdf", pdf=True)
            _approve(store, signed)
            no_pdf = _draft(store, key="no-pdf", pdf=False)
            _approve(store, no_pdf)
            still_draft = _draft(store, key="draft", pdf=False)
            keys.init_test_identities(store, "tester", org=ORG, person=None, passphrase=PASS)
            keys.init_test_identities(  # the counterparty's signatory: O names 恒泰
                store, "tester", org=None, person="Li Lei", passphrase=PASS, employer=SELLER
            )
        (home / "ids.json").write_text(json.dumps([signed, no_pdf, still_draft]))
        _BASE["home"] = home
    return _BASE["home"]


def copy_base(factory: pytest.TempPathFactory, dest: Path) -> tuple[Path, list[str]]:
    """A private copy of the shared store, and its contract ids."""
    home = shutil.copytree(approved_base(factory), dest / "store", symlinks=True)
    return home, json.loads((home / "ids.json").read_text())


def rogue_identity(factory: pytest.TempPathFactory) -> Path:
    """A PKCS#12 identity from a second, unrelated test CA (another store)."""
    if "rogue" not in _BASE:
        from contractctl.bootstrap import initialise

        other = factory.mktemp("rogue") / "store"
        initialise(other, "tester")
        with Store.open(other) as store:
            keys.init_test_identities(
                store, "tester", org="Rogue Ltd", person=None, passphrase=PASS
            )
        _BASE["rogue"] = other
    return _BASE["rogue"] / "keys" / "org.p12"


@pytest.fixture
def signing_store(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> tuple[Path, str]:
    home, ids = copy_base(tmp_path_factory, tmp_path)
    return home, ids[0]


def _trust(home: Path) -> list[bytes]:
    return keys.trust_anchors(home)


def test_company_certifies_then_counterparty_signs_and_the_contract_is_signed(
    signing_store: tuple[Path, str],
) -> None:
    home, cid = signing_store
    with Store.open(home) as store:
        unsigned = store.conn.execute(
            "SELECT pdf_sha FROM versions WHERE contract_id = ?", (cid,)
        ).fetchone()[0]
        first = sign(store, "wang.fang", cid, key="org", passphrase=PASS, reason="同意签署")
        assert (first.party, first.seq, first.certify, first.status) == (
            "company",
            1,
            True,
            "signing",
        )
        assert first.remaining == ("counterparty",) and first.field == "Signature1"
        second = sign(store, "li.lei", cid, key="person-li-lei", passphrase=PASS)
        assert (second.party, second.certify, second.status, second.remaining) == (
            "counterparty",
            False,
            "signed",
            (),
        )
        row = store.conn.execute(
            "SELECT pdf_sha, unsigned_pdf_sha FROM versions WHERE contract_id = ?", (cid,)
        ).fetchone()
        assert (row["pdf_sha"], row["unsigned_pdf_sha"]) == (second.pdf_sha, unsigned)
        status, signed_date = store.conn.execute(
            "SELECT status, signed_date FROM contracts WHERE id = ?", (cid,)
        ).fetchone()
        assert status == "signed" and signed_date
        view = signatures_view(store, cid)
        assert [(s["seq"], s["party"], s["certify"], s["level"]) for s in view] == [
            (1, "company", True, "B-B"),
            (2, "counterparty", False, "B-B"),
        ]
        assert view[0]["signer"] == ORG and view[1]["signer"] == "Li Lei"
        assert view[0]["pdf_before"] == unsigned
        assert view[0]["pdf_after"] == view[1]["pdf_before"]
        assert view[1]["pdf_after"] == second.pdf_sha
        assert view[0]["fingerprint"] == keys.get_identity(home, "org").fingerprint
        assert view[0]["signed_by"] == "wang.fang"
        actions = [
            (r["action"], r["actor"])
            for r in store.conn.execute(
                "SELECT action, actor FROM events WHERE subject = ? ORDER BY seq", (cid,)
            )
        ][-5:]
        assert actions == [
            ("signature.add", "wang.fang"),
            ("contract.sign", "wang.fang"),
            ("signature.add", "li.lei"),
            ("contract.complete_signing", "li.lei"),
            ("obligations.created", "li.lei"),  # the template's milestones, dated
        ]
        added = store.conn.execute(
            "SELECT data FROM events WHERE action = 'signature.add' ORDER BY seq"
        ).fetchone()[0]
        assert json.loads(added)["fingerprint"] == view[0]["fingerprint"]
        # The unsigned PDF is still there, and the signed one is a pure incremental update.
        before = store.objects.path(unsigned).read_bytes()
        after = store.objects.path(second.pdf_sha).read_bytes()
        middle = store.objects.path(first.pdf_sha).read_bytes()
        assert middle.startswith(before) and after.startswith(middle)
        report = verify_contract(store, cid, trust=_trust(home))
    assert report.verdict == "valid", report.to_dict()
    assert [s.signer for s in report.signatures] == [ORG, "Li Lei"]
    assert report.signatures[0].certify and not report.signatures[1].certify


def test_pdfs_we_sign_pass_poppler_pdfsig_and_qpdf(signing_store: tuple[Path, str]) -> None:
    home, cid = signing_store
    with Store.open(home) as store:
        first = sign(store, "tester", cid, key="org", passphrase=PASS)
        second = sign(store, "tester", cid, key="person-li-lei", passphrase=PASS)
    nss = _nss_db(home)
    for result, count in ((first, 1), (second, 2)):
        checked = tools.run(["qpdf", "--check", result.pdf_path], timeout=60, check=False)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "No syntax or stream encoding errors" in checked.stdout
        argv: list[str | os.PathLike[str]] = ["pdfsig"]
        if nss:
            argv += ["-nssdir", f"sql:{nss}"]
        out = tools.run([*argv, result.pdf_path], timeout=60, check=False).stdout
        assert out.count("Signature Validation: Signature is Valid.") == count, out
        assert "ETSI.CAdES.detached" in out
        if nss:
            assert out.count("Certificate Validation: Certificate is Trusted.") == count, out
        else:
            assert out.count("Certificate issuer isn't Trusted.") == count, out
        assert "Total document signed" in out


def _nss_db(home: Path) -> Path | None:
    """An NSS database trusting the store's test CA, for pdfsig (needs libnss3-tools)."""
    if shutil.which("certutil") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("certutil (libnss3-tools) is needed to check signatures with pdfsig")
        return None
    db = home.parent / "nss"
    db.mkdir()
    tools.run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"], timeout=30)
    for n, pem in enumerate(sorted((home / "keys" / "trust").glob("*.pem"))):
        tools.run(
            ["certutil", "-A", "-d", f"sql:{db}", "-n", f"ca{n}", "-t", "CT,C,C", "-i", pem],
            timeout=30,
        )
    return db


def test_parties_sign_in_template_order_once_each(signing_store: tuple[Path, str]) -> None:
    home, cid = signing_store
    with Store.open(home) as store:
        with pytest.raises(NotAllowed, match="company must sign before counterparty"):
            sign(store, "t", cid, key="person-li-lei", passphrase=PASS, party="counterparty")
        with pytest.raises(InvalidInput, match="not a signatory"):
            sign(store, "t", cid, key="org", passphrase=PASS, party="witness")
        sign(store, "t", cid, key="org", passphrase=PASS)
        with pytest.raises(NotAllowed, match="company has already signed; counterparty must"):
            sign(store, "t", cid, key="org", passphrase=PASS, party="company")
        sign(store, "t", cid, key="person-li-lei", passphrase=PASS)
        with pytest.raises(NotAllowed, match="is signed: only approved contracts can be signed"):
            sign(store, "t", cid, key="org", passphrase=PASS)


def test_choose_party_follows_the_template_order() -> None:
    lease = ("counterparty", "company")
    assert choose_party(lease, [], None) == "counterparty"
    assert choose_party(lease, ["counterparty"], None) == "company"
    with pytest.raises(NotAllowed, match="counterparty must sign before company"):
        choose_party(lease, [], "company")
    with pytest.raises(NotAllowed, match="every signatory has signed"):
        choose_party(lease, ["counterparty", "company"], None)


def test_a_company_signing_second_gives_an_approval_signature(
    signing_store: tuple[Path, str],
) -> None:
    home, cid = signing_store
    with Store.open(home) as store:
        lease = store.conn.execute(
            "SELECT version FROM templates WHERE name = 'lease-zh' AND status = 'approved'"
        ).fetchone()[0]
        store.conn.execute(  # as if drafted from the lease template: counterparty signs first
            "UPDATE contracts SET template = 'lease-zh', template_version = ? WHERE id = ?",
            (lease, cid),
        )
        first = sign(store, "t", cid, key="person-li-lei", passphrase=PASS)
        second = sign(store, "t", cid, key="org", passphrase=PASS)
        assert (first.party, first.certify, second.party, second.certify) == (
            "counterparty",
            False,
            "company",
            False,
        )
        assert verify_contract(store, cid, trust=_trust(home)).verdict == "valid"


def test_one_signatory_completes_signing_directly(signing_store: tuple[Path, str]) -> None:
    home, cid = signing_store
    schema = home / "templates" / "one.toml"
    with Store.open(home) as store:
        name, version = store.conn.execute(
            "SELECT template, template_version FROM contracts WHERE id = ?", (cid,)
        ).fetchone()
        sha = store.conn.execute(
            "SELECT schema_sha FROM templates WHERE name = ? AND version = ?", (name, version)
        ).fetchone()[0]
        text = store.objects.path(sha).read_text(encoding="utf-8")
        schema.write_text(
            text.replace('signatories = ["company", "counterparty"]', 'signatories = ["company"]'),
            encoding="utf-8",
        )
        with store.transaction("t") as tx:
            new_sha = tx.put_file(schema)
            tx.conn.execute(
                "UPDATE templates SET schema_sha = ? WHERE name = ? AND version = ?",
                (new_sha, name, version),
            )
        result = sign(store, "t", cid, key="org", passphrase=PASS)
        assert (result.status, result.remaining, result.certify) == ("signed", (), True)
        events = [
            r[0]
            for r in store.conn.execute(
                "SELECT action FROM events WHERE subject = ? ORDER BY seq", (cid,)
            )
        ]
        assert events[-3:] == [
            "signature.add",
            "contract.complete_signing",
            "obligations.created",
        ]
        assert "contract.sign" not in events


def test_only_approved_contracts_with_a_pdf_can_be_signed(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    home, (_, no_pdf, still_draft) = copy_base(tmp_path_factory, tmp_path)
    with Store.open(home) as store:
        with pytest.raises(NotAllowed, match=f"{still_draft} is draft: only approved"):
            sign(store, "t", still_draft, key="org", passphrase=PASS)
        with pytest.raises(InvalidInput, match="has no PDF to sign"):
            sign(store, "t", no_pdf, key="org", passphrase=PASS)


def test_a_failed_signing_leaves_the_store_unchanged(
    signing_store: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home, cid = signing_store
    before = snapshot(home)
    with Store.open(home) as store:
        with pytest.raises(InvalidInput, match="wrong passphrase"):
            sign(store, "t", cid, key="org", passphrase="wrong")

        def fail(*args: object, **kwargs: object) -> str:
            raise StoreProblem("disk full (injected)")

        # Fails after the signed PDF, the signature row and its audit event were written.
        monkeypatch.setattr("contractctl.signing.sign._transition", fail)
        with pytest.raises(StoreProblem, match="injected"):
            sign(store, "t", cid, key="org", passphrase=PASS)
    assert snapshot(home) == before
    with Store.open(home) as store:
        assert store.counts()["signatures"] == 0
        assert (
            store.conn.execute(
                "SELECT unsigned_pdf_sha FROM versions WHERE contract_id = ?", (cid,)
            ).fetchone()[0]
            is None
        )


def test_a_damaged_stored_pdf_is_never_signed(signing_store: tuple[Path, str]) -> None:
    home, cid = signing_store
    with Store.open(home) as store:
        sha = store.conn.execute(
            "SELECT pdf_sha FROM versions WHERE contract_id = ?", (cid,)
        ).fetchone()[0]
        path = store.objects.path(sha)
        os.chmod(path, 0o644)
        path.write_bytes(path.read_bytes().replace(b"%%EOF", b"%%EOX", 1))
        with pytest.raises(StoreProblem, match="does not match its SHA-256"):
            sign(store, "t", cid, key="org", passphrase=PASS)
        assert store.counts()["signatures"] == 0


def test_an_expired_identity_cannot_sign(signing_store: tuple[Path, str], tmp_path: Path) -> None:
    from tests.signing.test_verify import make_expired_p12

    home, cid = signing_store
    p12 = make_expired_p12(home, tmp_path)
    with Store.open(home) as store:
        keys.import_identity(store, "t", p12, name="old", passphrase=PASS)
        with pytest.raises(NotAllowed, match="'old' expired on"):
            sign(store, "t", cid, key="old", passphrase=PASS)


def test_acceptance_is_evidence_of_the_exact_pdf_not_a_signature(
    signing_store: tuple[Path, str],
) -> None:
    home, cid = signing_store
    with Store.open(home) as store:
        sha = store.conn.execute(
            "SELECT pdf_sha FROM versions WHERE contract_id = ?", (cid,)
        ).fetchone()[0]
        record = accept(store, "sales.bot", cid, by="Zhang San <zhang@example.com>")
        assert record["kind"] == "acceptance" and "not a digital signature" in record["note"]
        assert record["pdf_sha256"] == sha
        assert (
            record["pdf_sha256"] == hashlib.sha256(store.objects.path(sha).read_bytes()).hexdigest()
        )
        assert (record["accepted_by"], record["recorded_by"]) == (
            "Zhang San <zhang@example.com>",
            "sales.bot",
        )
        with pytest.raises(NotAllowed, match="already accepted"):
            accept(store, "sales.bot", cid, by="Zhang San <zhang@example.com>")
        assert signatures_view(store, cid) == []
        assert [a["accepted_by"] for a in acceptances_view(store, cid)] == [record["accepted_by"]]
        status = store.conn.execute("SELECT status FROM contracts WHERE id = ?", (cid,)).fetchone()
        assert status[0] == "approved"
        event = store.conn.execute(
            "SELECT action, data FROM events WHERE subject = ? ORDER BY seq DESC", (cid,)
        ).fetchone()
        assert event[0] == "acceptance.record" and "not a digital signature" in event[1]
        with pytest.raises(InvalidInput):
            accept(store, "t", cid, by="  ")


def test_signing_time_per_document(signing_store: tuple[Path, str]) -> None:
    """Not a benchmark: a guard that signing stays in the expected range (< 1 s each)."""
    import time

    home, cid = signing_store
    with Store.open(home) as store:
        started = time.perf_counter()
        result = sign(store, "t", cid, key="org", passphrase=PASS)
        signed = time.perf_counter() - started
        started = time.perf_counter()
        report = verify_pdf(result.pdf_path, trust=_trust(home))
        verified = time.perf_counter() - started
    assert report.ok
    assert signed < 1.5 and verified < 1.0, (signed, verified)


def test_a_signer_who_lost_a_race_is_refused_not_reassigned(
    signing_store: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two people sign at once: the one who commits second must not become the next party."""
    from contractctl.signing import sign as signing

    home, cid = signing_store
    real = signing._key_once

    def meanwhile(signer: object) -> object:  # the other signer commits while we open our key
        monkeypatch.setattr(signing, "_key_once", real)
        with Store.open(home) as other:
            sign(other, "other", cid, key="org", passphrase=PASS)
        return real(signer)  # type: ignore[arg-type]

    monkeypatch.setattr(signing, "_key_once", meanwhile)
    with Store.open(home) as store:
        with pytest.raises(NotAllowed, match="company has already signed"):
            sign(store, "late", cid, key="org", passphrase=PASS)
        assert [s["signed_by"] for s in signatures_view(store, cid)] == ["other"]
