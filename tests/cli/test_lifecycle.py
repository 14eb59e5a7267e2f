"""A contract's course outside the happy path: revise after a return, withdraw, revoke,
the verbs of a contract in force refused where they do not apply, `draft --key` reused,
and your company's details before the first draft."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contractctl.drafting.draft import DraftRequest, draft
from contractctl.drafting.schema import load_schema
from contractctl.store import Store
from tests.cli.test_approval import PEOPLE
from tests.conftest import REPO, Cli


def _data(payment_days: int = 30) -> dict[str, object]:
    spec = load_schema(REPO / "templates" / "purchase-zh.toml")
    data: dict[str, object] = json.loads(json.dumps(spec.sample, default=str))
    data["items"] = [
        {"name": "服务器", "spec": "R750", "unit": "台", "quantity": 2, "unit_price": "60000.00"}
    ]
    data.pop("amount", None)
    data["deposit_required"] = False
    data.pop("deposit_amount", None)
    data["payment_days"] = payment_days
    return data


def _draft(home: Path, key: str = "crm-4711", payment_days: int = 30) -> str:
    with Store.open(home) as store:
        made = draft(
            store,
            "drafter",
            DraftRequest(
                template="purchase-zh",
                data=_data(payment_days),
                key=key,
                pdf=False,
                department="procurement",
            ),
        )
    return made.contract.id


@pytest.fixture
def team(home: Path) -> Path:
    drafter = '\n[[people]]\nid = "drafter"\nname = "起草人"\nroles = []\n'  # --as drafter
    (home / "people.toml").write_text(PEOPLE + drafter, encoding="utf-8")
    return home


def test_a_returned_contract_is_revised_by_its_drafter_and_submitted_again(
    cli: Cli, team: Path
) -> None:
    cid = _draft(team)
    assert cli("submit", cid).code == 0
    assert cli("--as", "zhao.lei", "approve", cid).code == 0
    assert cli("--as", "wang.fang", "return", cid, "-m", "付款条件改为 45 天").code == 0
    assert cli("--as", "sun.li", "revise", cid, "--set", "payment_days=45").code == 3
    revised = cli(
        "--as", "drafter", "--json", "revise", cid, "--set", "payment_days=45", "--no-pdf"
    )
    assert revised.code == 0, revised.stderr
    assert revised.json()["version"] == 2 and revised.json()["status"] == "draft"
    shown = cli("--json", "show", cid).json()
    assert shown["fields"]["payment_days"] == 45
    assert [v["kind"] for v in shown["versions"]] == ["original", "revision"]
    assert cli("submit", cid).code == 0


def test_the_same_key_with_other_data_is_refused_not_silently_dropped(cli: Cli, team: Path) -> None:
    first = _draft(team)
    assert _draft(team) == first  # the same data: the same contract, nothing new
    with pytest.raises(Exception) as caught:
        _draft(team, payment_days=45)
    assert getattr(caught.value, "exit_code", None) == 3
    assert first in str(caught.value) and "revise" in (caught.value.hint or "")  # type: ignore[attr-defined]


def test_a_draft_is_withdrawn_once_and_stays_withdrawn(cli: Cli, team: Path) -> None:
    cid = _draft(team)
    assert cli("submit", cid).code == 0
    assert cli("--as", "drafter", "withdraw", cid).code == 2  # say why
    done = cli("--as", "drafter", "withdraw", cid, "-m", "重复起草")
    assert (done.code, done.stdout.strip()) == (0, "withdrawn")
    assert cli("--json", "route", cid).json()["state"] == "withdrawn"
    again = cli("--as", "drafter", "withdraw", cid, "-m", "again")
    assert again.code == 3 and len(again.stderr.strip().splitlines()) == 1
    assert cli("--json", "list", "--status", "withdrawn").json()[0]["id"] == cid


def test_a_stranger_may_not_withdraw(cli: Cli, team: Path) -> None:
    cid = _draft(team)
    refused = cli("--as", "sun.li", "withdraw", cid, "-m", "mine now")
    assert refused.code == 3 and "who may: drafter" in refused.stderr


def test_an_approval_is_revoked_before_the_next_stage_decides(cli: Cli, team: Path) -> None:
    cid = _draft(team)
    cli("submit", cid)
    assert cli("--as", "zhao.lei", "approve", cid).code == 0
    assert cli("--as", "wang.fang", "revoke", cid, "-m", "not mine").code == 3
    back = cli("--as", "zhao.lei", "revoke", cid, "-m", "数量未核对")
    assert back.code == 0, back.stderr
    stages = cli("--json", "route", cid).json()["stages"]
    assert [s["state"] for s in stages] == ["pending", "waiting"]
    assert cli("--as", "zhao.lei", "approve", cid).code == 0
    assert cli("--as", "wang.fang", "approve", cid).code == 0
    assert cli("--json", "show", cid).json()["status"] == "approved"
    assert cli("--as", "zhao.lei", "revoke", cid, "-m", "late").code == 3  # legal decided


@pytest.mark.parametrize(
    "args",
    [
        ("activate",),
        ("terminate", "--reason", "x"),
        ("expire",),
        ("renew", "--until", "2030-01-01"),
    ],
)
def test_the_verbs_of_a_contract_in_force_refuse_a_draft_in_one_line(
    cli: Cli, team: Path, args: tuple[str, ...]
) -> None:
    cid = _draft(team)
    refused = cli("--as", "drafter", args[0], cid, *args[1:])
    assert refused.code == 3
    assert "a draft contract allows" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1


def test_expire_alone_finds_nothing_to_expire_in_a_fresh_store(cli: Cli) -> None:
    done = cli("--json", "expire")
    assert (done.code, done.json()) == (0, {"expired": []})


def test_config_set_checks_a_credit_code_and_keeps_the_file_when_it_is_wrong(
    cli: Cli, home: Path
) -> None:
    before = (home / "contractctl.toml").read_text(encoding="utf-8")
    bad = cli("config", "set", "company.uscc", "91310115MA1K4A2B3B")
    assert bad.code == 2
    assert (home / "contractctl.toml").read_text(encoding="utf-8") == before
    assert cli("config", "set", "company.uscc", "91310115ma1k4a2b3a").code == 0
    assert cli("config", "get", "company.uscc").stdout.strip() == "91310115MA1K4A2B3A"
    assert cli("config", "set", "company.nmae", "x").code == 2


def test_draft_refuses_a_blank_company_block_and_names_config_set(cli: Cli, home: Path) -> None:
    (home / "contractctl.toml").write_text('[company]\nname = "示例科技有限公司"\n', "utf-8")
    data = home.parent / "purchase.json"
    data.write_text(json.dumps(_data()), encoding="utf-8")
    refused = cli("draft", "purchase-zh", "--data", str(data), "--no-pdf")
    assert refused.code == 2
    assert "统一社会信用代码 (company.uscc)" in refused.stderr
    assert "contractctl config set company.uscc" in refused.stderr
    assert cli("--json", "list").json() == []
