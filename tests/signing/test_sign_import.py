"""`sign-import`: the counterparty signs our PDF in its own tool (here: pyHanko, with a key
and a CA that live outside our store) and we take the file back. Only an incremental
update of our stored PDF that adds one valid signature, by a certificate that names the
counterparty, is accepted; everything else is refused and nothing changes.

Exit codes: 3 when the file is not an update of our PDF, adds no or several signatures,
changes more than the signature, or the signer is not the party; 1 when it does not
verify (an untrusted CA until --trust, a broken signature).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from contractctl.signing import keys
from contractctl.store import Store
from tests.conftest import Cli, snapshot
from tests.signing.test_sign import _BASE, PASS, SELLER, copy_base, rogue_identity


def outside(factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The counterparty's own tool: another store with its own test CA, whose
    organisation identity names 苏州恒泰; (its PKCS#12, its CA certificate)."""
    if "outside" not in _BASE:
        from contractctl.bootstrap import initialise

        theirs = factory.mktemp("counterparty") / "store"
        initialise(theirs, "them")
        with Store.open(theirs) as store:
            keys.init_test_identities(store, "them", org=SELLER, person=None, passphrase=PASS)
        _BASE["outside"] = theirs
    home = _BASE["outside"]
    return home / "keys" / "org.p12", home / "keys" / "test-ca.crt.pem"


def sign_elsewhere(pdf: bytes, p12: Path, *, field: str = "Signature2", extra: Any = None) -> bytes:
    """Sign ``pdf`` with pyHanko alone (as another tool would), filling ``field``;
    ``extra(writer)`` may change the revision before it is signed."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = signers.SimpleSigner.load_pkcs12(str(p12), passphrase=PASS.encode())
    assert signer is not None
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    if extra is not None:
        extra(writer)
    meta = signers.PdfSignatureMetadata(
        field_name=field, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    return bytes(signers.PdfSigner(meta, signer).sign_pdf(writer).getvalue())


@pytest.fixture
def certified(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Cli, str, bytes]:
    """Our company has certified the contract; (cli, id, the PDF we send out)."""
    home, ids = copy_base(tmp_path_factory, tmp_path)
    monkeypatch.setenv("CONTRACTCTL_KEY_PASSPHRASE", PASS)
    cli = Cli(home)
    sent = cli("sign", ids[0], "--key", "org", "--json")
    assert sent.code == 0, sent.stderr
    return cli, ids[0], Path(sent.json()["pdf"]).read_bytes()


def test_a_pdf_signed_by_the_counterparty_elsewhere_is_taken_back(
    certified: tuple[Cli, str, bytes], tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    cli, cid, sent = certified
    p12, their_ca = outside(tmp_path_factory)
    back = tmp_path / "signed-by-hengtai.pdf"
    back.write_bytes(sign_elsewhere(sent, p12))
    untrusted = cli("sign-import", cid, str(back))
    assert untrusted.code == 1 and "--trust" in untrusted.stderr
    result = cli("sign-import", cid, str(back), "--trust", str(their_ca), "--json")
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    data = result.json()
    assert (data["status"], data["party"], data["seq"], data["signer"]) == (
        "signed",
        "counterparty",
        2,
        SELLER,
    )
    assert Path(data["pdf"]).read_bytes() == back.read_bytes()
    verified = cli("verify", cid, "--trust", str(their_ca), "--json")
    assert verified.code == 0, verified.stdout
    assert [s["signer"] for s in verified.json()["signatures"]] == ["示例科技有限公司", SELLER]
    with Store.open(cli.home) as store:
        row = store.conn.execute("SELECT key_name, party FROM signatures WHERE seq = 2").fetchone()
        event = store.conn.execute(
            "SELECT data FROM events WHERE action = 'signature.add' ORDER BY seq DESC"
        ).fetchone()[0]
    assert tuple(row) == ("(imported)", "counterparty")
    assert '"imported":true' in event and '"source":"signed-by-hengtai.pdf"' in event
    again = cli("sign-import", cid, str(back), "--trust", str(their_ca))
    assert again.code == 3  # every signatory has signed


def test_a_file_that_is_not_an_update_of_our_pdf_is_refused(
    certified: tuple[Cli, str, bytes], tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    cli, cid, sent = certified
    p12, their_ca = outside(tmp_path_factory)
    before = snapshot(cli.home)
    changed = bytearray(sent)
    changed[sent.find(b"stream") + 50] ^= 0x01  # a byte of our page content
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(sign_elsewhere(bytes(changed), p12))
    refused = cli("sign-import", cid, str(forged), "--trust", str(their_ca))
    assert refused.code == 3 and "not an incremental update" in refused.stderr
    same = tmp_path / "same.pdf"
    same.write_bytes(sent)
    unchanged = cli("sign-import", cid, str(same), "--trust", str(their_ca))
    assert unchanged.code == 3 and "adds no signature" in unchanged.stderr
    assert cli("sign-import", cid, str(tmp_path / "none.pdf")).code == 2
    assert snapshot(cli.home) == before


def test_more_than_a_signature_in_the_update_is_refused(
    certified: tuple[Cli, str, bytes], tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    from pyhanko.pdf_utils import generic

    cli, cid, sent = certified
    p12, their_ca = outside(tmp_path_factory)
    before = snapshot(cli.home)

    def orphan(writer: Any) -> None:
        writer.add_object(
            generic.DictionaryObject(
                {generic.pdf_name("/Note"): generic.TextStringObject("USD 9,999,999")}
            )
        )

    extra = tmp_path / "extra.pdf"
    extra.write_bytes(sign_elsewhere(sent, p12, extra=orphan))
    refused = cli("sign-import", cid, str(extra), "--trust", str(their_ca))
    assert refused.code == 3, refused.stderr
    assert "changes more than the signature" in refused.stderr
    twice = tmp_path / "twice.pdf"
    once = sign_elsewhere(sent, p12)
    twice.write_bytes(sign_elsewhere(once, p12, field="Extra"))
    several = cli("sign-import", cid, str(twice), "--trust", str(their_ca))
    assert several.code == 3 and "adds 2 signatures" in several.stderr
    broken = bytearray(once)
    broken[len(sent) + 40] ^= 0x01  # inside their revision, covered by their signature
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(bytes(broken))
    assert cli("sign-import", cid, str(bad), "--trust", str(their_ca)).code in (1, 3)
    assert snapshot(cli.home) == before


def test_a_signer_who_is_not_the_counterparty_is_refused(
    certified: tuple[Cli, str, bytes], tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    cli, cid, sent = certified
    rogue = rogue_identity(tmp_path_factory)  # "Rogue Ltd", its own CA
    before = snapshot(cli.home)
    signed = tmp_path / "rogue.pdf"
    signed.write_bytes(sign_elsewhere(sent, rogue))
    refused = cli("sign-import", cid, str(signed), "--trust", str(rogue.parent / "test-ca.crt.pem"))
    assert refused.code == 3, refused.stderr
    assert "does not belong to the counterparty" in refused.stderr
    assert snapshot(cli.home) == before
