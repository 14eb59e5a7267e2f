"""Long-term validation: `sign --level B-LT|B-LTA` embeds the validation data (chains,
the test CA's CRL) in the PDF's DSS, B-LTA adds a document timestamp, and `verify`
accepts those later revisions, reports the level, and still catches anything else.

Real pyHanko, the real loopback TSA of tests/test_timestamp.py (its fixtures imported).
"""

from __future__ import annotations

import io
import time
from pathlib import Path

from contractctl import keys, ltv
from contractctl.signing import sign, signatures_view
from contractctl.store import Store
from contractctl.store.audit import events
from contractctl.verify import verify_contract, verify_pdf
from tests.conftest import Cli, snapshot
from tests.test_signing import PASS
from tests.test_timestamp import Tsa, cli_setup, signing_home, tsa

__all__ = ["cli_setup", "signing_home", "tsa"]  # fixtures, used by name


def _trust(home: Path, tsa: Tsa) -> list[bytes]:
    return [*keys.trust_anchors(home), tsa.ca_pem.read_bytes()]


def _pdf(store: Store, cid: str) -> bytes:
    row = store.conn.execute("SELECT pdf_sha FROM versions WHERE contract_id = ?", (cid,))
    return bytes(store.objects.path(row.fetchone()[0]).read_bytes())


def test_a_b_lta_signature_carries_its_validation_data_and_verifies_as_b_lta(
    tsa: Tsa, signing_home: tuple[Path, str]
) -> None:
    from asn1crypto import x509 as ax509
    from pyhanko.pdf_utils.reader import PdfFileReader

    home, cid = signing_home
    with Store.open(home) as store:
        started = time.perf_counter()
        first = sign(
            store,
            "wang.fang",
            cid,
            key="org",
            passphrase=PASS,
            tsa_url=tsa.url,
            level="B-LTA",
            trust=[tsa.ca_pem.read_bytes()],
        )
        elapsed = time.perf_counter() - started
        pdf = _pdf(store, cid)
        report = verify_contract(store, cid, trust=_trust(home, tsa))
        rows = signatures_view(store, cid)
        (event,) = [e for e in events(store.conn, cid, None) if e.action == "signature.add"]
    print(f"B-LTA signature: {elapsed * 1000:.0f} ms")
    assert first.level == "B-LTA" and first.timestamp and first.document_timestamp
    assert rows[0]["level"] == "B-LTA"
    assert event.data["level"] == "B-LTA"
    assert event.data["document_timestamp"] == first.document_timestamp
    assert report.verdict == "valid", [s.problems for s in report.signatures] + report.problems
    (only,) = report.signatures
    assert (only.level, only.modifications, only.timestamp) == (
        "B-LTA",
        "lta_updates",
        first.timestamp,
    )
    (stamp,) = report.document_timestamps
    assert stamp.holds and stamp.timestamp == first.document_timestamp
    assert stamp.tsa == "contractctl test TSA"
    # The DSS holds the test CA's CRL and both chains: signer + test CA, TSA + its CA.
    dss = ltv.read_dss(PdfFileReader(io.BytesIO(pdf)))
    assert (home / "keys" / "test-ca.crl").read_bytes() in dss.crls
    names = {ax509.Certificate.load(c).subject.native["common_name"] for c in dss.certs}
    assert names >= {
        "示例科技有限公司",
        "示例科技有限公司 Test CA (contractctl TEST ONLY)",
        "contractctl test TSA",
        "contractctl test TSA CA",
    }


def test_b_lt_on_the_command_line_is_recorded_shown_and_verified(
    tsa: Tsa, cli_setup: tuple[Cli, str]
) -> None:
    cli, cid = cli_setup
    trust = str(tsa.ca_pem)
    signed = cli("sign", cid, "--key", "org", "--tsa", tsa.url, "--level", "B-LT", "--trust", trust)
    assert signed.code == 0, signed.stderr
    assert "(B-LT, field" in signed.stderr
    data = cli(
        "sign", cid, "--key", "person-li-lei", "--tsa", tsa.url, "--level", "b-lt",
        "--trust", trust, "--json",
    )  # fmt: skip
    assert data.code == 0, data.stderr
    assert data.json()["level"] == "B-LT" and data.json()["document_timestamp"] is None
    shown = cli("show", cid, "--json").json()
    assert [s["level"] for s in shown["signatures"]] == ["B-LT", "B-LT"]
    verified = cli("verify", cid, "--trust", trust, "--json")
    assert verified.code == 0, verified.stdout + verified.stderr
    report = verified.json()
    assert [s["level"] for s in report["signatures"]] == ["B-LT", "B-LT"]
    assert report["document_timestamps"] == []
    # Without the TSA's root the levels are not claimed (the timestamp does not count).
    untrusted = cli("verify", cid, "--json")
    assert untrusted.code == 1
    assert [s["level"] for s in untrusted.json()["signatures"]] == ["B-T", "B-T"]


def test_the_counterparty_signs_after_a_company_b_lta_signature_and_both_verify(
    tsa: Tsa, signing_home: tuple[Path, str]
) -> None:
    home, cid = signing_home
    with Store.open(home) as store:
        company = sign(
            store,
            "wang.fang",
            cid,
            key="org",
            passphrase=PASS,
            tsa_url=tsa.url,
            level="B-LTA",
            trust=[tsa.ca_pem.read_bytes()],
        )
        counterparty = sign(
            store,
            "li.lei",
            cid,
            key="person-li-lei",
            passphrase=PASS,
            tsa_url=tsa.url,
            level="B-LTA",
            trust=[tsa.ca_pem.read_bytes()],
        )
        report = verify_contract(store, cid, trust=_trust(home, tsa))
    assert (company.certify, counterparty.status) == (True, "signed")
    assert report.verdict == "valid", [s.problems for s in report.signatures] + report.problems
    assert [(s.level, s.modifications) for s in report.signatures] == [
        ("B-LTA", "signatures"),
        ("B-LTA", "lta_updates"),
    ]
    assert len(report.document_timestamps) == 2
    assert all(t.holds for t in report.document_timestamps)


def test_b_lt_without_a_tsa_is_bad_usage_and_changes_nothing(cli_setup: tuple[Cli, str]) -> None:
    cli, cid = cli_setup
    before = snapshot(cli.home)
    for level in ("B-LT", "B-LTA"):
        result = cli("sign", cid, "--key", "org", "--level", level)
        assert result.code == 2, result.stderr
        assert f"--level {level} needs --tsa URL" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    unknown = cli("sign", cid, "--key", "org", "--level", "B-XL")
    assert unknown.code == 2 and "is not one of B-B, B-T, B-LT, B-LTA" in unknown.stderr
    optional = cli(
        "sign", cid, "--key", "org", "--level", "B-LT", "--tsa", "http://x/", "--tsa-optional"
    )
    assert optional.code == 2 and "--tsa-optional cannot be used" in optional.stderr
    assert snapshot(cli.home) == before


def test_a_tsa_whose_chain_cannot_be_built_stops_b_lt_with_exit_4_and_stores_nothing(
    tsa: Tsa, cli_setup: tuple[Cli, str]
) -> None:
    """B-LT embeds the TSA's chain: without its root (no --trust) there is none to embed."""
    cli, cid = cli_setup
    before = snapshot(cli.home)
    result = cli("sign", cid, "--key", "org", "--tsa", tsa.url, "--level", "B-LT", "--json")
    assert result.code == 4, result.stdout + result.stderr
    error = result.json()["error"]
    assert error["type"] == "ltv_failed" and "validation data for B-LT" in error["message"]
    assert snapshot(cli.home) == before


def test_a_b_lta_pdf_with_an_annotation_appended_is_modified_after_signing(
    tsa: Tsa, signing_home: tuple[Path, str]
) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    home, cid = signing_home
    with Store.open(home) as store:
        sign(
            store,
            "wang.fang",
            cid,
            key="org",
            passphrase=PASS,
            tsa_url=tsa.url,
            level="B-LTA",
            trust=[tsa.ca_pem.read_bytes()],
        )
        pdf = _pdf(store, cid)
    trust = _trust(home, tsa)
    assert verify_pdf(pdf, trust=trust).verdict == "valid"
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    note = writer.add_object(
        generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Text"),
                generic.pdf_name("/Rect"): generic.ArrayObject(
                    [generic.NumberObject(n) for n in (10, 10, 30, 30)]
                ),
                generic.pdf_name("/Contents"): generic.TextStringObject("price is 1 yuan"),
            }
        )
    )
    annots = generic.ArrayObject([*page.get("/Annots", generic.ArrayObject()), note])
    page[generic.pdf_name("/Annots")] = annots
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    report = verify_pdf(out.getvalue(), trust=trust)
    assert report.verdict == "invalid"
    (signature,) = report.signatures
    assert signature.revisions_after == 1
    assert any("modified after signing" in p for p in signature.problems), signature.problems
    assert signature.modifications in ("annotations", "other")
    assert not report.document_timestamps[0].holds


def test_a_missing_crl_is_issued_again_when_signing_at_b_lt(
    tsa: Tsa, signing_home: tuple[Path, str]
) -> None:
    """A store made before CRLs: the test CA issues one with the signing passphrase."""
    home, cid = signing_home
    (home / "keys" / "test-ca.crl").unlink()
    with Store.open(home) as store:
        signed = sign(
            store,
            "wang.fang",
            cid,
            key="org",
            passphrase=PASS,
            tsa_url=tsa.url,
            level="B-LT",
            trust=[tsa.ca_pem.read_bytes()],
        )
        assert "crl.issue" in [e.action for e in events(store.conn, None, None)]
        report = verify_contract(store, cid, trust=_trust(home, tsa))
    assert signed.level == "B-LT" and ltv.test_crl(home) is not None
    assert report.verdict == "valid" and report.signatures[0].level == "B-LT"
