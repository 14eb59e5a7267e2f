"""Keys are bound to parties: the company's key signs only as the company, a counterparty
signature needs a key whose certificate names that counterparty or an audited binding,
and a key signs a contract once. Refusals exit 3, say why and change nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contractctl.signing import keys
from contractctl.store import Store
from tests.conftest import Cli, snapshot
from tests.signing.test_sign import PASS, SELLER, copy_base, rogue_identity


@pytest.fixture
def setup(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Cli, str]:
    home, ids = copy_base(tmp_path_factory, tmp_path)
    monkeypatch.setenv("CONTRACTCTL_KEY_PASSPHRASE", PASS)
    with Store.open(home) as store:  # the counterparty's own organisation key
        keys.init_test_identities(
            store, "tester", org=SELLER, person=None, passphrase=PASS, name="hengtai"
        )
    return Cli(home), ids[0]


def _party(cli: Cli, cid: str) -> str:
    return str(cli("show", cid, "--json").json()["counterparty"]["id"])


def test_our_key_cannot_sign_for_the_counterparty_nor_theirs_for_us(
    setup: tuple[Cli, str],
) -> None:
    cli, cid = setup
    before = snapshot(cli.home)
    theirs = cli("sign", cid, "--key", "hengtai", "--party", "company")
    assert theirs.code == 3, theirs.stderr
    assert f"names {SELLER} (the counterparty)" in theirs.stderr
    assert "cannot sign for the company" in theirs.stderr
    assert snapshot(cli.home) == before
    assert cli("sign", cid, "--key", "org", "--party", "company").code == 0
    ours = cli("sign", cid, "--key", "org", "--party", "counterparty")
    assert ours.code == 3 and "already signed" in ours.stderr
    assert "a key signs a contract once" in ours.stderr


def test_signing_twice_with_our_key_never_ends_signed(setup: tuple[Cli, str]) -> None:
    cli, cid = setup
    assert cli("sign", cid, "--key", "org").stdout.strip() == "signing"
    before = snapshot(cli.home)
    again = cli("sign", cid, "--key", "org")
    assert again.code == 3, again.stdout
    assert snapshot(cli.home) == before
    assert cli("show", cid, "--json").json()["status"] == "signing"
    done = cli("sign", cid, "--key", "hengtai", "--json")
    assert done.code == 0, done.stderr
    assert (done.json()["status"], done.json()["party"]) == ("signed", "counterparty")
    with Store.open(cli.home) as store:
        data = store.conn.execute(
            "SELECT data FROM events WHERE action = 'signature.add' ORDER BY seq DESC"
        ).fetchone()[0]
    assert '"bound_by":"organisation name"' in data and f'"party_name":"{SELLER}"' in data


def test_a_person_of_our_company_cannot_sign_for_the_counterparty(
    setup: tuple[Cli, str],
) -> None:
    cli, cid = setup
    with Store.open(cli.home) as store:
        keys.init_test_identities(store, "t", org=None, person="王芳", passphrase=PASS)
    assert cli("sign", cid, "--key", "org").code == 0
    refused = cli("sign", cid, "--key", "person-王芳")
    assert refused.code == 3
    assert "names 示例科技有限公司 (the company)" in refused.stderr
    refused_bind = cli("keys", "bind", "person-王芳", "--party", _party(cli, cid))
    assert refused_bind.code == 3 and "a company identity signs only" in refused_bind.stderr


def test_an_unrelated_key_needs_an_audited_binding(
    setup: tuple[Cli, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    cli, cid = setup
    imported = cli("keys", "import", str(rogue_identity(tmp_path_factory)), "--name", "rogue")
    assert imported.code == 0, imported.stderr
    assert cli("sign", cid, "--key", "org").code == 0
    before = snapshot(cli.home)
    refused = cli("sign", cid, "--key", "rogue")
    assert refused.code == 3
    assert "does not belong to the counterparty" in refused.stderr
    assert f"keys bind rogue --party {_party(cli, cid)}" in refused.stderr
    assert snapshot(cli.home) == before
    assert cli("keys", "bind", "rogue", "--party", "nobody-at-all").code == 2
    bound = cli("keys", "bind", "rogue", "--party", SELLER)
    assert bound.code == 0, bound.stderr
    assert bound.stdout.strip() == _party(cli, cid)
    assert cli("keys", "bind", "rogue", "--party", SELLER).code == 3  # already bound
    events = cli("audit", "--json").json()
    assert any(e["action"] == "key.bind" and e["subject"] == "key:rogue" for e in events)
    assert cli("keys", "unbind", "rogue").code == 0
    assert cli("sign", cid, "--key", "rogue").code == 3
    assert cli("keys", "bind", "rogue", "--party", _party(cli, cid)).code == 0
    signed = cli("sign", cid, "--key", "rogue", "--json")
    assert signed.code == 0, signed.stderr
    assert signed.json()["status"] == "signed"
    assert signed.stderr == ""


def test_the_company_key_cannot_be_bound_to_a_counterparty(setup: tuple[Cli, str]) -> None:
    cli, cid = setup
    refused = cli("keys", "bind", "org", "--party", _party(cli, cid))
    assert refused.code == 3 and "names our company" in refused.stderr
    theirs = cli("keys", "bind", "hengtai", "--party", "company")
    assert theirs.code == 3 and "cannot be bound to the company" in theirs.stderr
    assert cli("keys", "unbind", "org").code == 2
    assert cli("keys", "bind", "--help").code == 0


def test_an_imported_company_key_seals_with_the_companys_chinese_name(
    setup: tuple[Cli, str], tmp_path: Path
) -> None:
    """A real certificate may say "CN=Company Signer": on a Chinese contract the company's
    round seal still reads 示例科技有限公司 (the party's name the key is bound to)."""
    from datetime import UTC, datetime, timedelta

    from contractctl import tools
    from contractctl.signing.sign import _seal_name
    from tests.pki import make_ca, make_leaf
    from tests.signing.test_verify import _p12

    assert _seal_name("imported", "Company Signer", "示例科技有限公司") == "示例科技有限公司"
    assert _seal_name("person", "Li Lei", "示例科技有限公司") is None
    assert _seal_name("imported", "王芳", "示例科技有限公司") is None
    assert _seal_name("imported", "Company Signer", "Example Ltd") is None
    cli, cid = setup
    ca_key, ca_cert = make_ca()
    now = datetime.now(UTC)
    key, cert = make_leaf(ca_key, ca_cert, start=now - timedelta(1), end=now + timedelta(30))
    p12 = tmp_path / "signer.p12"
    p12.write_bytes(_p12(key, cert, ca_cert))  # CN=Old Signer: Latin letters only
    assert cli("keys", "import", str(p12), "--name", "latin").code == 0
    assert cli("keys", "bind", "latin", "--party", "company").code == 0
    signed = cli("sign", cid, "--key", "latin", "--seal", "auto", "--json")
    assert signed.code == 0, signed.stderr
    with Store.open(cli.home) as store:
        unsigned = store.objects.path(
            store.conn.execute(
                "SELECT unsigned_pdf_sha FROM versions WHERE contract_id = ?", (cid,)
            ).fetchone()[0]
        )

    def text(pdf: Path) -> str:
        return tools.run(["pdftotext", str(pdf), "-"], timeout=60).stdout

    before, after = text(unsigned), text(Path(signed.json()["pdf"]))
    assert "Old Signer" not in after
    assert all(after.count(ch) == before.count(ch) + 1 for ch in "示例科技有限公司")
