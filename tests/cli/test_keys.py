"""`contractctl keys`: a legal-ops user tries signing with TEST identities, imports the
company's real certificate and manages the trust roots used by `verify`."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from tests.conftest import Cli, installed_contractctl, run_on_terminal, snapshot
from tests.signing.test_keys import ORG, PASS, RealCa, key_files, make_real_ca, run_openssl

PASS_ENV = "CONTRACTCTL_KEY_PASSPHRASE"


@pytest.fixture
def passphrase(monkeypatch: pytest.MonkeyPatch) -> str:
    """The passphrase, given the way scripts give it: in the environment."""
    monkeypatch.setenv(PASS_ENV, PASS)
    return PASS


@pytest.fixture(scope="module")
def real_ca(tmp_path_factory: pytest.TempPathFactory) -> RealCa:
    return make_real_ca(tmp_path_factory.mktemp("real-ca"))


def row(listing: str, name: str) -> str:
    """The line of a plain (piped) table whose first column is ``name``."""
    [line] = [line for line in listing.splitlines() if line.split()[:1] == [name]]
    return line


def test_init_creates_test_identities_in_private_files_and_trusts_the_test_ca(
    cli: Cli, home: Path, passphrase: str
) -> None:
    result = cli("keys", "init", "--org", ORG, "--person", "李雷")

    assert result.code == 0, result.stderr
    assert result.stdout.splitlines() == ["org", "person-李雷"]
    assert "TEST" in result.stderr and "never for real contracts" in result.stderr
    folder = home / "keys"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "trust").stat().st_mode) == 0o700
    names = key_files(home)
    assert {"org.p12", "org.crt.pem", "person-李雷.p12", "test-ca.p12"} <= set(names)
    for name in names:
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name

    [root] = cli("keys", "trust", "list", "--json").json()
    assert root["test"] is True
    assert root["subject"].startswith(f"CN={ORG} Test CA (contractctl TEST ONLY)")
    assert Path(root["path"]).read_bytes() == (folder / "test-ca.crt.pem").read_bytes()
    events = cli("audit", "--json").json()
    assert [e["action"] for e in events[-4:]] == [
        "key.create",
        "trust.add",
        "key.create",
        "key.create",
    ]
    assert all(e["actor"] == "tester" and e["data"]["fingerprint"] for e in events[-4:])


def test_list_marks_test_identities_and_shows_the_fingerprint_openssl_computes(
    cli: Cli, home: Path, passphrase: str
) -> None:
    cli("keys", "init", "--org", ORG, "--person", "李雷")
    printed = run_openssl(
        "x509", "-noout", "-fingerprint", "-sha256", "-in", str(home / "keys" / "org.crt.pem")
    )
    fingerprint = printed.strip().split("=", 1)[1]

    listing = cli("keys", "list")
    assert listing.code == 0, listing.stderr
    org_row = row(listing.stdout, "org")
    subject = f"CN={ORG},OU=contractctl TEST identity — not for real contracts,O={ORG}"
    for shown in ("organisation", "TEST", subject, fingerprint, "digitalSignature"):
        assert shown in org_row
    assert "TEST" in row(listing.stdout, "person-李雷")

    as_json = {k["name"]: k for k in cli("keys", "list", "--json").json()}
    org = as_json["org"]
    assert set(org) >= {
        "name",
        "kind",
        "subject",
        "issuer",
        "valid_from",
        "valid_to",
        "expired",
        "key_usage",
        "fingerprint",
        "test",
    }
    assert (org["kind"], org["test"], org["expired"]) == ("organisation", True, False)
    assert org["fingerprint"] == fingerprint
    assert org["subject"] == subject
    assert org["key_usage"] == ["digitalSignature", "nonRepudiation"]
    assert as_json["person-李雷"]["kind"] == "person"


def test_the_p12_opens_with_openssl_and_with_pyhanko_given_the_passphrase(
    cli: Cli, home: Path, passphrase: str
) -> None:
    from contractctl.signing.keys import load_signer

    cli("keys", "init", "--org", ORG)
    p12 = str(home / "keys" / "org.p12")
    run_openssl("pkcs12", "-in", p12, "-passin", f"env:{PASS_ENV}", "-noout")
    pem = run_openssl("pkcs12", "-in", p12, "-passin", f"env:{PASS_ENV}", "-nokeys", "-clcerts")
    issued = x509.load_pem_x509_certificate(pem[pem.index("-----BEGIN") :].encode())
    stored = x509.load_pem_x509_certificate((home / "keys" / "org.crt.pem").read_bytes())
    assert issued == stored
    chain = run_openssl("pkcs12", "-in", p12, "-passin", f"env:{PASS_ENV}", "-nokeys", "-cacerts")
    assert "Test CA (contractctl TEST ONLY)" in chain
    key = run_openssl("pkcs12", "-in", p12, "-passin", f"env:{PASS_ENV}", "-nocerts", "-nodes")
    assert "PRIVATE KEY" in key

    signer = load_signer(home, "org", passphrase)
    assert signer.signing_cert.sha256 == stored.fingerprint(hashes.SHA256())


def test_without_a_passphrase_and_no_terminal_nothing_is_written(
    cli: Cli, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASS_ENV, raising=False)
    before = snapshot(home)

    result = cli("keys", "init", "--org", ORG)

    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(
        "contractctl: error: no passphrase: set CONTRACTCTL_KEY_PASSPHRASE or run in a terminal"
    )
    assert "Traceback" not in result.stderr
    assert snapshot(home) == before
    assert key_files(home) == []
    as_json = cli("keys", "init", "--org", ORG, "--json")
    assert as_json.code == 2 and as_json.json()["error"]["type"] == "invalid_input"


def test_an_empty_passphrase_is_refused(
    cli: Cli, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASS_ENV, "")
    result = cli("keys", "init", "--org", ORG)
    assert result.code == 2
    assert "CONTRACTCTL_KEY_PASSPHRASE is set but empty" in result.stderr
    assert key_files(home) == []


def test_an_existing_name_is_refused_with_exit_3_and_nothing_changes(
    cli: Cli, home: Path, passphrase: str
) -> None:
    assert cli("keys", "init", "--org", ORG).code == 0
    before, files = snapshot(home), key_files(home)
    org_p12 = (home / "keys" / "org.p12").read_bytes()

    again = cli("keys", "init", "--org", ORG, "--person", "李雷")
    assert again.code == 3
    assert "a signing identity named 'org' already exists" in again.stderr
    named = cli("keys", "init", "--person", "李雷", "--name", "org")
    assert named.code == 3

    assert snapshot(home) == before and key_files(home) == files
    assert (home / "keys" / "org.p12").read_bytes() == org_p12


def test_a_second_init_adds_a_person_issued_by_the_same_ca(
    cli: Cli, home: Path, passphrase: str
) -> None:
    cli("keys", "init", "--org", ORG)
    folder = home / "keys"
    ca = (folder / "test-ca.crt.pem").read_bytes()

    result = cli("keys", "init", "--person", "李雷")

    assert result.code == 0, result.stderr
    assert result.stdout.strip() == "person-李雷"
    assert (folder / "test-ca.crt.pem").read_bytes() == ca
    assert len(cli("keys", "trust", "list", "--json").json()) == 1
    verified = run_openssl(
        "verify", "-CAfile", str(folder / "test-ca.crt.pem"), str(folder / "person-李雷.crt.pem")
    )
    assert verified.strip().endswith(": OK")
    person = {k["name"]: k for k in cli("keys", "list", "--json").json()}["person-李雷"]
    assert person["subject"].startswith("CN=李雷,") and person["subject"].endswith(f"O={ORG}")


def test_a_second_init_with_a_wrong_passphrase_is_exit_2(
    cli: Cli, home: Path, monkeypatch: pytest.MonkeyPatch, passphrase: str
) -> None:
    cli("keys", "init", "--org", ORG)
    before, files = snapshot(home), key_files(home)
    monkeypatch.setenv(PASS_ENV, "not the passphrase")
    result = cli("keys", "init", "--person", "李雷")
    assert result.code == 2
    assert "wrong passphrase for the test CA key" in result.stderr
    assert snapshot(home) == before and key_files(home) == files


def test_a_certificate_from_a_real_ca_imports_and_lists_as_real(
    cli: Cli, home: Path, passphrase: str, real_ca: RealCa
) -> None:
    result = cli("keys", "import", str(real_ca.identity_p12), "--name", "wang")

    assert result.code == 0, result.stderr
    assert result.stdout.strip() == "wang"
    [wang] = cli("keys", "list", "--json").json()
    assert (wang["name"], wang["kind"], wang["test"]) == ("wang", "imported", False)
    assert wang["issuer"] == "CN=Example Trust Services Root CA,O=Example Trust"
    line = row(cli("keys", "list").stdout, "wang")
    assert "real" in line and "TEST" not in line
    for name in ("wang.p12", "wang.crt.pem"):
        assert stat.S_IMODE((home / "keys" / name).stat().st_mode) == 0o600
    run_openssl("pkcs12", "-in", str(home / "keys" / "wang.p12"), "-passin", "env:X", "-noout",
                env={"X": passphrase})  # fmt: skip
    assert cli("audit", "--json").json()[-1]["action"] == "key.import"


def test_an_import_with_a_wrong_passphrase_is_one_clear_line_and_changes_nothing(
    cli: Cli, home: Path, monkeypatch: pytest.MonkeyPatch, real_ca: RealCa
) -> None:
    monkeypatch.setenv(PASS_ENV, "wrong")
    before = snapshot(home)

    result = cli("keys", "import", str(real_ca.identity_p12), "--name", "wang")

    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"contractctl: error: cannot open {real_ca.identity_p12}: wrong passphrase, or not a "
        "PKCS#12 file"
    ]
    assert snapshot(home) == before and key_files(home) == []
    missing = cli("keys", "import", str(home / "nope.p12"), "--name", "wang")
    assert missing.code == 2 and "no file" in missing.stderr


def test_trust_add_takes_ca_certificates_only_and_each_once(
    cli: Cli, home: Path, real_ca: RealCa
) -> None:
    before = snapshot(home)
    not_ca = cli("keys", "trust", "add", str(real_ca.identity_pem))
    assert not_ca.code == 2
    assert "is not a CA certificate" in not_ca.stderr
    assert snapshot(home) == before

    added = cli("keys", "trust", "add", str(real_ca.ca_pem))
    assert added.code == 0, added.stderr
    stored = home / "keys" / "trust" / added.stdout.strip()
    assert stored.read_bytes() == real_ca.ca_pem.read_bytes()
    [root] = cli("keys", "trust", "list", "--json").json()
    assert (root["test"], root["subject"]) == (
        False,
        "CN=Example Trust Services Root CA,O=Example Trust",
    )
    assert "real" in cli("keys", "trust", "list").stdout
    assert cli("audit", "--json").json()[-1]["action"] == "trust.add"

    again = cli("keys", "trust", "add", str(real_ca.ca_pem))
    assert again.code == 3 and "already trusted" in again.stderr


def test_an_empty_store_lists_nothing_on_stdout(cli: Cli) -> None:
    listing = cli("keys", "list")
    assert listing.code == 0 and listing.stdout == ""
    assert "keys init" in listing.stderr
    assert cli("keys", "list", "--json").json() == []
    assert cli("keys", "trust", "list", "--json").json() == []


def test_help_names_every_keys_command_and_never_offers_a_passphrase_option(cli: Cli) -> None:
    top = cli("keys", "--help")
    assert top.code == 0
    for command in ("init", "import", "list", "trust"):
        assert command in top.stdout
    for command in (("init",), ("import",), ("list",), ("trust", "add"), ("trust", "list")):
        shown = cli("keys", *command, "--help")
        assert shown.code == 0, command
        assert "--pass" not in shown.stdout


def test_on_a_terminal_the_passphrase_is_asked_hidden_and_twice(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASS_ENV, raising=False)
    code, seen = run_on_terminal(
        [installed_contractctl(), "--home", str(home), "keys", "init", "--org", ORG],
        [("passphrase: ", PASS), ("confirmation: ", PASS)],
    )
    assert code == 0, seen
    assert PASS not in seen  # never echoed
    assert (home / "keys" / "org.p12").is_file()
