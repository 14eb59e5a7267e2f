"""`contractctl sign`, `verify` and `accept` as a user runs them: exit codes, stdout/stderr."""

from __future__ import annotations

from pathlib import Path

import pytest

from contractctl.store import Store
from tests.conftest import Cli, snapshot
from tests.signing.test_sign import PASS, copy_base


@pytest.fixture
def setup(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Cli, list[str]]:
    home, ids = copy_base(tmp_path_factory, tmp_path)
    monkeypatch.setenv("CONTRACTCTL_KEY_PASSPHRASE", PASS)
    return Cli(home), ids


def test_sign_both_parties_then_verify_the_contract(setup: tuple[Cli, list[str]]) -> None:
    cli, (cid, _, _) = setup
    first = cli("sign", cid, "--key", "org", "--reason", "同意", "--location", "上海")
    assert first.code == 0, first.stderr
    assert first.stdout.strip() == "signing"
    assert "certified by 示例科技有限公司 for the company" in first.stderr
    assert "Next to sign: counterparty" in first.stderr
    second = cli("sign", cid, "--key", "person-li-lei", "--party", "counterparty", "--json")
    assert second.code == 0, second.stderr
    data = second.json()
    assert (data["status"], data["party"], data["seq"], data["certify"]) == (
        "signed",
        "counterparty",
        2,
        False,
    )
    assert Path(data["pdf"]).is_file() and data["level"] == "B-B"
    verified = cli("verify", cid, "--json")
    assert verified.code == 0, verified.stdout + verified.stderr
    report = verified.json()
    assert report["verdict"] == "valid"
    assert [s["signer"] for s in report["signatures"]] == ["示例科技有限公司", "Li Lei"]
    human = cli("verify", data["pdf"])
    assert human.code == 0 and "valid (validated at " in human.stdout
    shown = cli("show", cid).stdout  # who signed, for which party, at what level
    assert "company" in shown and "counterparty" in shown and "Li Lei" in shown
    assert shown.count("B-B") == 2


def test_verify_exits_1_on_a_tampered_file_and_2_on_bad_usage(
    setup: tuple[Cli, list[str]], tmp_path: Path
) -> None:
    cli, (cid, _, _) = setup
    pdf = Path(cli("sign", cid, "--key", "org", "--json").json()["pdf"])
    tampered = tmp_path / "tampered.pdf"
    data = bytearray(pdf.read_bytes())
    data[10] ^= 0x01
    tampered.write_bytes(bytes(data))
    result = cli("verify", str(tampered), "--json")
    assert result.code == 1
    assert result.json()["verdict"] == "invalid"
    human = cli("verify", str(tampered))
    assert human.code == 1 and "digest mismatch" in human.stdout
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf at all")
    cannot = cli("verify", str(junk), "--json")
    assert cannot.code == 1 and cannot.json()["verdict"] == "cannot_verify"
    assert cli("verify", str(pdf), "--at", "someday").code == 2
    assert cli("verify", str(tmp_path / "missing.pdf")).code == 2
    assert cli("verify", str(pdf), "--trust", str(tmp_path / "nope.pem")).code == 2


def test_sign_refusals_name_the_reason_and_change_nothing(
    setup: tuple[Cli, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, (cid, no_pdf, still_draft) = setup
    before = snapshot(cli.home)
    wrong_state = cli("sign", still_draft, "--key", "org")
    assert wrong_state.code == 3
    assert f"{still_draft} is draft: only approved contracts can be signed" in wrong_state.stderr
    out_of_order = cli("sign", cid, "--key", "person-li-lei", "--party", "counterparty")
    assert out_of_order.code == 3 and "company must sign before counterparty" in (
        out_of_order.stderr
    )
    assert cli("sign", no_pdf, "--key", "org").code == 2
    assert cli("sign", cid, "--key", "nobody").code == 2
    assert cli("sign", cid, "--key", "org", "--party", "witness").code == 2
    monkeypatch.setenv("CONTRACTCTL_KEY_PASSPHRASE", "wrong")
    wrong = cli("sign", cid, "--key", "org")
    assert wrong.code == 2 and "wrong passphrase" in wrong.stderr
    assert snapshot(cli.home) == before


def test_sign_without_a_passphrase_and_no_terminal_exits_2(
    setup: tuple[Cli, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, (cid, _, _) = setup
    monkeypatch.delenv("CONTRACTCTL_KEY_PASSPHRASE")
    before = snapshot(cli.home)
    result = cli("sign", cid, "--key", "org")
    assert result.code == 2
    assert "CONTRACTCTL_KEY_PASSPHRASE" in result.stderr
    assert snapshot(cli.home) == before
    help_text = cli("sign", "--help").stdout
    assert "--key" in help_text and "CONTRACTCTL_KEY_PASSPHRASE" in help_text
    assert "--passphrase" not in help_text


def test_accept_records_evidence_and_refuses_a_repeat(setup: tuple[Cli, list[str]]) -> None:
    cli, (cid, _, still_draft) = setup
    result = cli("accept", cid, "--by", "Zhang San", "--json")
    assert result.code == 0, result.stderr
    record = result.json()
    assert record["kind"] == "acceptance" and len(record["pdf_sha256"]) == 64
    human = cli("accept", cid, "--by", "Li Si")
    assert human.stdout.strip() == record["pdf_sha256"]
    assert "not a digital signature" in human.stderr
    assert cli("accept", cid, "--by", "Zhang San").code == 3
    assert cli("accept", still_draft, "--by", "Zhang San").code == 3
    assert cli("accept", cid).code == 2  # --by is required


def test_show_lists_acceptances_and_rechecks_each_against_the_store(
    setup: tuple[Cli, list[str]],
) -> None:
    """`show` lists who accepted which PDF, apart from the signatures, and re-checks each:
    an acceptance whose recorded hash was edited in the database, or whose PDF was
    damaged in the store, says so instead of "ok"."""
    cli, (cid, _, _) = setup
    assert cli("accept", cid, "--by", "Zhang San").code == 0
    assert cli("accept", cid, "--by", "Li Si").code == 0
    human = cli("show", cid).stdout
    assert "acceptances" in human and "Zhang San" in human and "Li Si" in human
    [first, second] = cli("show", cid, "--json").json()["acceptances"]
    assert (first["check"], second["check"]) == ("ok", "ok")
    with Store.open(cli.home) as store:
        other = store.conn.execute(
            "SELECT text_sha FROM versions WHERE contract_id = ?", (cid,)
        ).fetchone()[0]
        store.conn.execute(
            "UPDATE acceptances SET pdf_sha = ? WHERE accepted_by = 'Li Si'", (other,)
        )
        pdf = store.objects.path(first["pdf_sha256"])
    pdf.chmod(0o644)
    pdf.write_bytes(pdf.read_bytes() + b"%")
    first, second = cli("show", cid, "--json").json()["acceptances"]
    assert first["check"] == "the accepted PDF in the store no longer matches its SHA-256"
    assert second["check"] == "the accepted PDF is not a PDF of version 1"
    assert "no longer matches" in cli("show", cid).stdout


def test_verify_an_untrusted_signer_quietly_then_with_its_root(
    setup: tuple[Cli, list[str]], tmp_path: Path
) -> None:
    cli, (cid, _, _) = setup
    pdf = cli("sign", cid, "--key", "org", "--json").json()["pdf"]
    (root,) = (cli.home / "keys" / "trust").glob("*.pem")
    kept = root.rename(tmp_path / "root.pem")  # the store no longer trusts its test CA
    untrusted = cli("verify", pdf)
    assert untrusted.code == 1
    assert "does not chain to a trusted root" in untrusted.stdout
    assert "Traceback" not in untrusted.stderr and untrusted.stderr == ""
    assert cli("verify", pdf, "--trust", str(kept)).code == 0


def test_sign_with_a_bad_seal_box_exits_2_and_signs_nothing(setup: tuple[Cli, list[str]]) -> None:
    cli, (cid, _, _) = setup
    before = snapshot(cli.home)
    bad = cli("sign", cid, "--key", "org", "--seal", "auto", "--box", "100,100,50,50")
    assert bad.code == 2 and "--box" in bad.stderr
    assert snapshot(cli.home) == before
    sealed = cli("sign", cid, "--key", "org", "--seal", "auto", "--json")
    assert sealed.code == 0, sealed.stderr
    verified = cli("verify", cid, "--json")
    assert verified.code == 0 and verified.json()["verdict"] == "valid"


def test_sign_seals_by_default_and_later_seals_fill_the_fields_made_at_certification(
    setup: tuple[Cli, list[str]],
) -> None:
    from tests.signing.test_seal import _seal_rects

    cli, (cid, _, _) = setup
    first = cli("sign", cid, "--key", "org", "--json")
    assert first.code == 0, first.stderr
    pdf = Path(first.json()["pdf"])
    assert len(_seal_rects(pdf)) == 1 and len(_seal_rects(pdf, filled=False)) == 1
    before = snapshot(cli.home)
    moved = cli("sign", cid, "--key", "person-li-lei", "--box", "300,400,420,520")
    assert moved.code == 2
    assert "fixed when the company certified" in moved.stderr
    assert snapshot(cli.home) == before
    second = cli("sign", cid, "--key", "person-li-lei", "--json")
    assert second.code == 0, second.stderr
    assert second.json()["field"] == "Signature2"
    assert len(_seal_rects(Path(second.json()["pdf"]))) == 2
    verified = cli("verify", cid, "--json")
    assert verified.code == 0, verified.stdout
    assert [s["modifications"] for s in verified.json()["signatures"]] == ["signatures", "none"]


def test_after_an_invisible_certification_a_visible_seal_exits_3(
    setup: tuple[Cli, list[str]],
) -> None:
    cli, (cid, _, _) = setup
    assert cli("sign", cid, "--key", "org", "--seal", "none").code == 0
    refused = cli("sign", cid, "--key", "person-li-lei")
    assert refused.code == 3
    assert "a visible seal added now would make the certification fail" in refused.stderr
    assert cli("sign", cid, "--key", "person-li-lei", "--seal", "none").code == 0
    assert cli("verify", cid).code == 0


def test_no_library_warning_reaches_stderr_from_a_real_process(
    setup: tuple[Cli, list[str]], tmp_path: Path
) -> None:
    """pyHanko imports cryptography's deprecated DSA: the CryptographyDeprecationWarning
    must never reach the user's stderr (cron mails it). A real process, not the in-process
    runner, because pytest captures warnings itself."""
    from tests.conftest import run_installed

    cli, (cid, _, _) = setup
    home = ["--home", str(cli.home), "-q"]
    env = {"CONTRACTCTL_KEY_PASSPHRASE": PASS, "PYTHONWARNINGS": "", "CONTRACTCTL_USER": ""}
    # a real process acts as the real login (in PEOPLE's admins)
    for args in (
        ["sign", cid, "--key", "org"],
        ["sign", cid, "--key", "person-li-lei"],
        ["verify", cid],
        ["--as", "zhou.min", "archive", cid, "--bundle", str(tmp_path / "b.zip")],
        ["verify-bundle", str(tmp_path / "b.zip")],
    ):
        done = run_installed(*home, *args, env=env, timeout=120)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        assert done.stderr == "", (args, done.stderr)
        assert "Warning" not in done.stdout
