"""A new user's trial: an imported DOCX contract amended with the counterparty's edited DOCX.

An imported version stores no field values (the import puts what it read on the contract
row), so the amendment used to be compared against nothing: the new version's amount and
dates were never taken from the compare engine, the contract lost its amount, and the
version in force showed none while the amendment was under way. These tests run the
user's story with real DOCX files, the real import and the real LibreOffice conversion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import Cli, imported, word_file

TRAINING = """培训服务合同
甲方（提供培训方）：上海启明星教育培训中心
乙方（接受培训方）：张伟
第一条 培训期限
培训自2027年3月1日起至2027年5月31日止。
第二条 培训费用
合计：（大写）陆仟肆佰元整（小写）6,400.00元。
第三条 其他
本合同自双方签字之日起生效。
签订日期：2027年2月20日"""

EDITED = (
    TRAINING.replace("2027年5月31日", "2027年6月30日")
    .replace("陆仟肆佰", "柒仟贰佰")
    .replace("6,400.00", "7,200.00")
)


def cny(minor: int) -> dict[str, Any]:
    return {"minor": minor, "currency": "CNY"}


def test_an_imported_contract_amended_by_file_keeps_v1s_amount_and_carries_the_new_one(
    cli: Cli, tmp_path: Path
) -> None:
    cid = imported(cli, word_file(tmp_path / "training_v1.docx", TRAINING))
    before = cli("show", cid, "--json").json()
    assert before["amount"] == cny(640_000) and before["end_date"] == "2027-05-31"

    edited = word_file(tmp_path / "v2.docx", EDITED)
    made = cli("amend", cid, "--file", str(edited), "-m", "对方修改稿")
    assert made.code == 0, made.stderr
    assert "¥6,400.00 → ¥7,200.00" in made.stderr

    shown = cli("show", cid, "--json").json()
    assert shown["amount"] == cny(720_000)  # the amendment, as routing sees it
    assert shown["end_date"] == "2027-06-30" and shown["start_date"] == before["start_date"]
    assert shown["in_force"] == {"version": 1, "status": "active", "amount": cny(640_000)}
    assert shown["pending_amendment"]["amount"] == cny(720_000)
    assert shown["fields"]["import"]["file"].endswith("training_v1.docx")  # where it came from
    listed = cli("list", "--json").json()
    assert [c["in_force"]["amount"] for c in listed] == [cny(640_000)]
    table = cli("list")
    assert "¥6,400.00" in table.stdout and "v2 draft ¥7,200.00" in table.stdout


def test_a_withdrawn_amendment_of_an_imported_contract_gives_back_its_amount_and_term(
    cli: Cli, tmp_path: Path
) -> None:
    cid = imported(cli, word_file(tmp_path / "training_v1.docx", TRAINING))
    before = cli("show", cid, "--json").json()
    edited = word_file(tmp_path / "v2.docx", EDITED)
    assert cli("amend", cid, "--file", str(edited), "-m", "对方修改稿").code == 0

    withdrawn = cli("withdraw", cid, "-m", "不改了")
    assert withdrawn.code == 0, withdrawn.stderr
    after = cli("show", cid, "--json").json()
    assert after["status"] == "active" and after["in_force"] is None
    for key in ("amount", "start_date", "end_date", "signed_date", "fields"):
        assert after[key] == before[key], key


def test_an_amount_corrected_by_edit_is_what_the_amendment_is_compared_against(
    cli: Cli, tmp_path: Path
) -> None:
    """The row is the truth for the current version: an import that missed the amount,
    corrected with `edit`, then amended, still shows the corrected amount in force and
    the document's new one on the amendment."""
    no_total = TRAINING.replace("合计：（大写）陆仟肆佰元整（小写）6,400.00元。", "费用见附件。")
    cid = imported(cli, word_file(tmp_path / "v1.docx", no_total))
    assert cli("show", cid, "--json").json()["amount"] is None
    assert cli("edit", cid, "--set", "amount=6400").code == 0
    later = no_total.replace("2027年5月31日", "2027年6月30日")
    later_file = word_file(tmp_path / "v2.docx", later)
    assert cli("amend", cid, "--file", str(later_file), "-m", "延期").code == 0
    shown = cli("show", cid, "--json").json()
    assert shown["in_force"]["amount"] == cny(640_000)
    assert shown["amount"] == cny(640_000)  # the edited document does not change it
    assert shown["end_date"] == "2027-06-30"
