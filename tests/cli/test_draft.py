"""`contractctl draft` and `draft-batch`: a draft comes out right the first time or not at all.

These run the real LibreOffice and Poppler: the PDF text layer and embedded fonts are
what a counterparty receives.
"""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from contractctl.drafting.schema import load_schema
from contractctl.money import Money, format_money, to_chinese_upper
from tests.conftest import REPO, Cli, rewrite_docx, snapshot

TEMPLATES = sorted(p.stem for p in (REPO / "templates").glob("*.toml"))


def _pdf_text(path: str) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, text=True, check=True
    ).stdout


def _squash(text: str) -> str:
    return "".join(text.split())


def _sample_file(tmp_path: Path, name: str, **changes: Any) -> Path:
    spec = load_schema(REPO / "templates" / f"{name}.toml")
    data = {**spec.sample, **changes}
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_shipped_template_drafts_to_a_pdf_carrying_its_values(
    cli: Cli, tmp_path: Path, name: str
) -> None:
    spec = load_schema(REPO / "templates" / f"{name}.toml")
    result = cli("draft", name, "--data", str(_sample_file(tmp_path, name)), "--json")
    assert result.code == 0, result.stderr
    made = result.json()
    assert made["version"] == 1 and made["created"] is True
    detail = cli("show", made["id"], "--json").json()
    assert detail["status"] == "draft" and detail["template"] == name
    assert detail["standard"] is True
    pdf = detail["versions"][0]["pdf"]
    text = _squash(_pdf_text(pdf))
    assert _squash(spec.sample["contract_no"]) in text
    assert _squash(spec.sample["counterparty"]["name"]) in text
    amount = detail["amount"]
    if amount:
        money = Money(amount["minor"], amount["currency"])
        assert _squash(format_money(money)) in text or _squash(format_money(money)[1:]) in text
        if spec.language == "zh":
            assert to_chinese_upper(money) in text
    if spec.language == "zh":
        assert "甲方" in text and "乙方" in text
        fonts = subprocess.run(["pdffonts", pdf], capture_output=True, text=True).stdout
        cjk = [line for line in fonts.splitlines() if "CJK" in line]
        assert cjk and all(" yes " in line for line in cjk), fonts
    assert detail["counterparty"]["name"] == spec.sample["counterparty"]["name"]
    assert [e["action"] for e in detail["events"]] == ["contract.create", "contract.draft"]


def test_missing_fields_without_a_terminal_are_exit_2_listing_each_and_nothing_is_written(
    cli: Cli, home: Path
) -> None:
    before = snapshot(home)
    result = cli("draft", "purchase-zh", "--set", "contract_no=CG-2026-0009")
    assert result.code == 2
    assert "nothing was drafted" in result.stderr
    for missing in (
        "sign_date: required",
        "counterparty: required",
        "items: required",
        "delivery_date: required",
    ):
        assert f"  - {missing}" in result.stderr
    assert snapshot(home) == before


def test_wrong_types_are_reported_with_value_and_expectation_as_json(
    cli: Cli, tmp_path: Path
) -> None:
    data = _sample_file(tmp_path, "purchase-zh", sign_date="22/11/2026", tax_rate="thirteen")
    result = cli("draft", "purchase-zh", "--data", str(data), "--json")
    assert result.code == 2
    problems = result.json()["error"]["problems"]
    assert {
        "field": "sign_date",
        "value": "22/11/2026",  # the value itself, not its Python repr
        "expected": "a date as YYYY-MM-DD or 2026年11月22日",
    } in problems
    assert any(p["field"] == "tax_rate" for p in problems)


def test_the_same_key_returns_the_same_contract_instead_of_a_duplicate(
    cli: Cli, tmp_path: Path
) -> None:
    data = str(_sample_file(tmp_path, "nda-en"))
    first = cli("draft", "nda-en", "--data", data, "--key", "crm-4711", "--no-pdf", "--json")
    second = cli("draft", "nda-en", "--data", data, "--key", "crm-4711", "--no-pdf", "--json")
    assert first.code == second.code == 0
    assert first.json()["id"] == second.json()["id"]
    assert second.json()["created"] is False
    assert len(cli("list", "--json").json()) == 1


def test_xml_characters_in_values_reach_the_pdf_intact(cli: Cli, tmp_path: Path) -> None:
    data = _sample_file(tmp_path, "nda-zh", sign_place="A&B <东区> 会议室")
    result = cli("draft", "nda-zh", "--data", str(data), "--json")
    assert result.code == 0, result.stderr
    pdf = cli("show", result.json()["id"], "--json").json()["versions"][0]["pdf"]
    assert "A&B<东区>会议室" in _squash(_pdf_text(pdf))


def test_the_counterparty_can_be_an_existing_party(cli: Cli, tmp_path: Path) -> None:
    cli("party", "add", "福建星网锐捷通讯股份有限公司", "--uscc", "91350100M000100Y43")
    data = _sample_file(tmp_path, "purchase-zh")
    result = cli(
        "draft",
        "purchase-zh",
        "--data",
        str(data),
        "--party",
        "91350100M000100Y43",
        "--no-pdf",
        "--json",
    )
    assert result.code == 0, result.stderr
    detail = cli("show", result.json()["id"], "--json").json()
    assert detail["counterparty"] == {"id": "P-0001", "name": "福建星网锐捷通讯股份有限公司"}
    assert len(cli("party", "list", "--json").json()) == 1


def test_an_unknown_template_is_exit_2(cli: Cli) -> None:
    result = cli("draft", "purchase-xx", "--set", "a=b")
    assert result.code == 2 and "no template 'purchase-xx'" in result.stderr


# --- templates ---------------------------------------------------------------------------


def test_template_fields_json_is_complete_enough_to_generate_data(cli: Cli) -> None:
    fields = cli("template", "fields", "purchase-zh", "--json").json()
    by_name = {f["name"]: f for f in fields}
    assert by_name["contract_no"]["pattern"]
    assert by_name["invoice_type"]["choices"]
    assert by_name["items"]["type"] == "table"
    assert {c["name"] for c in by_name["items"]["columns"]} >= {"name", "quantity", "unit_price"}
    assert by_name["amount"]["min"] == {"minor": 1, "currency": "CNY"}
    assert by_name["deposit_amount"]["required_if"] == {"field": "deposit_required", "equals": None}
    listed = cli("template", "list", "--json").json()
    assert {t["name"] for t in listed} == set(TEMPLATES)
    assert all(t["status"] == "approved" and t["source"] == "shipped" for t in listed)


def _edited_template(tmp_path: Path, old: str, new: str, version: int = 2) -> tuple[Path, Path]:
    """A copy of purchase-zh with one edit in its document XML, as version ``version``."""
    import shutil

    out = shutil.copy(
        REPO / "templates" / "purchase-zh.docx", tmp_path / f"purchase-zh-v{version}.docx"
    )

    def edit(data: bytes) -> bytes:
        text = data.decode("utf-8")
        assert old in text, old
        return text.replace(old, new, 1).encode("utf-8")

    rewrite_docx(out, "word/document.xml", edit)
    schema = tmp_path / f"purchase-zh-v{version}.toml"
    schema.write_text(
        (REPO / "templates" / "purchase-zh.toml")
        .read_text(encoding="utf-8")
        .replace("version = 1", f"version = {version}", 1),
        encoding="utf-8",
    )
    return out, schema


def _legal(home: Path) -> None:
    (home / "people.toml").write_text(
        'admins = ["tester"]\n\n'
        '[[people]]\nid = "wang.fang"\nname = "王芳"\nroles = ["legal"]\n\n'
        '[[people]]\nid = "li.lei"\nname = "李雷"\nroles = ["sales"]\n',
        encoding="utf-8",
    )


def test_a_new_template_version_is_pending_until_legal_approves_it(
    cli: Cli, home: Path, tmp_path: Path
) -> None:
    _legal(home)
    docx, schema = _edited_template(tmp_path, "本合同一式肆份", "本合同一式陆份")
    added = cli("template", "add", str(docx), "--schema", str(schema))
    assert added.code == 0, added.stderr
    assert added.stdout.strip() == "purchase-zh@2"
    data = str(_sample_file(tmp_path, "purchase-zh"))
    before = cli("draft", "purchase-zh", "--data", data, "--no-pdf", "--json").json()
    assert cli("show", before["id"], "--json").json()["fields"]  # drafted from v1
    assert cli("template", "show", "purchase-zh", "--json").json()["version"] == 1

    refused = cli("template", "approve", "purchase-zh@2", "--as", "li.lei")
    assert refused.code == 3 and "only the legal role" in refused.stderr
    assert cli("template", "approve", "purchase-zh@2", "--as", "wang.fang").code == 0
    assert cli("template", "approve", "purchase-zh@2", "--as", "wang.fang").code == 3

    after = cli(
        "draft",
        "purchase-zh",
        "--data",
        data,
        "--set",
        "contract_no=CG-2026-0002",
        "--no-pdf",
        "--json",
    ).json()
    events = cli("audit", after["id"], "--json").json()
    assert events[-1]["data"]["template"] == "purchase-zh@2"
    again = cli("template", "add", str(docx), "--schema", str(schema))
    assert again.code == 3 and "already has version 2" in again.stderr


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("{{ contract_no }}", "{{ contract_number }}", "undeclared-field"),
        ("{{ contract_no }}", "{{ contract_no.__class__ }}", "unsafe"),
        ("{{ contract_no }}", "{{ contract_no }", "jinja-syntax"),
    ],
    ids=["undeclared-placeholder", "sandbox-escape", "syntax-error"],
)
def test_a_bad_template_is_refused_at_add_with_its_paragraph_and_nothing_is_stored(
    cli: Cli, home: Path, tmp_path: Path, old: str, new: str, code: str
) -> None:
    docx, schema = _edited_template(tmp_path, old, new)
    before = snapshot(home)
    result = cli("template", "add", str(docx), "--schema", str(schema))
    assert result.code == 2, result.stderr
    assert "nothing was added" in result.stderr
    assert code in result.stderr
    assert "合同编号" in result.stderr  # the paragraph around the problem
    assert snapshot(home) == before


def test_a_corrupt_docx_is_refused_at_add(cli: Cli, home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    _, schema = _edited_template(tmp_path, "本合同一式肆份", "本合同一式陆份")
    before = snapshot(home)
    result = cli("template", "add", str(bad), "--schema", str(schema))
    assert result.code == 2 and "not-a-docx" in result.stderr
    assert snapshot(home) == before


def test_preview_renders_the_sample_to_docx_pdf_and_a_png(cli: Cli, tmp_path: Path) -> None:
    result = cli("template", "preview", "service-zh", "--out", str(tmp_path / "p"), "--json")
    assert result.code == 0, result.stderr
    files = result.json()
    assert Path(files["png"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "服务合同" in _pdf_text(files["pdf"])


def test_a_preview_that_cannot_be_converted_leaves_nothing_behind(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LibreOffice missing (or timing out on a file it cannot lay out): exit 4, one
    line, and no half-made preview (the DOCX was written before the conversion)."""
    bare = tmp_path / "bin"
    bare.mkdir()
    monkeypatch.setenv("PATH", str(bare))
    out = tmp_path / "p"
    result = cli("template", "preview", "service-zh", "--out", str(out))
    assert result.code == 4, result.stderr
    assert "soffice" in result.stderr and "Traceback" not in result.stderr
    assert list(out.iterdir()) == []


# --- draft-batch -------------------------------------------------------------------------


def _batch_csv(tmp_path: Path, rows: int, *, bad: dict[int, dict[str, str]] | None = None) -> Path:
    path = tmp_path / "batch.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "key",
                "contract_no",
                "sign_date",
                "sign_place",
                "party",
                "delivery_date",
                "delivery_address",
                "items[1].name",
                "items[1].spec",
                "items[1].unit",
                "items[1].quantity",
                "items[1].unit_price",
            ]
        )
        for n in range(1, rows + 1):
            row = {
                "key": f"batch-{n}",
                "contract_no": f"CG-2026-{n:04d}",
                "sign_date": "2026-11-22",
                "sign_place": "上海",
                "party": "P-0001" if n % 2 else "Harbor Analytics Ltd.",
                "delivery_date": "2026-12-31",
                "delivery_address": "上海市浦东新区",
                "items[1].name": f"笔记本电脑 {n}",
                "items[1].spec": "14 寸",
                "items[1].unit": "台",
                "items[1].quantity": str(n),
                "items[1].unit_price": "6,999.00",
            }
            row.update((bad or {}).get(n, {}))
            writer.writerow(row.values())
    return path


def test_draft_batch_makes_one_contract_per_row_and_a_rerun_makes_nothing_twice(
    cli: Cli, tmp_path: Path
) -> None:
    cli("party", "add", "上海星河电子科技有限公司", "--uscc", "91350100M000100Y43")
    cli("party", "add", "Harbor Analytics Ltd.")
    csv_path = _batch_csv(tmp_path, 6)
    first = cli("draft-batch", "purchase-zh", "--csv", str(csv_path), "--json")
    assert first.code == 0, first.stderr
    report = first.json()
    assert (report["created"], report["existing"], report["failed"]) == (6, 0, [])
    ids = [c["id"] for c in report["contracts"]]
    assert [c["row"] for c in report["contracts"]] == [2, 3, 4, 5, 6, 7]
    assert ids == sorted(ids), "contract ids follow the CSV rows"
    third = cli("show", ids[2], "--json").json()
    assert third["amount"] == {"minor": 3 * 699_900, "currency": "CNY"}
    assert "笔记本电脑3" in _squash(_pdf_text(third["versions"][0]["pdf"]))

    rerun = cli("draft-batch", "purchase-zh", "--csv", str(csv_path), "--json").json()
    assert (rerun["created"], rerun["existing"]) == (0, 6)
    assert sorted(c["id"] for c in rerun["contracts"]) == sorted(ids)
    assert len(cli("list", "--json").json()) == 6


def test_draft_batch_validates_every_row_first_and_names_the_bad_ones(
    cli: Cli, home: Path, tmp_path: Path
) -> None:
    cli("party", "add", "上海星河电子科技有限公司")
    cli("party", "add", "Harbor Analytics Ltd.")
    csv_path = _batch_csv(
        tmp_path, 5, bad={2: {"sign_date": "yesterday"}, 4: {"items[1].quantity": "many"}}
    )
    before = snapshot(home)
    result = cli("draft-batch", "purchase-zh", "--csv", str(csv_path))
    assert result.code == 2
    assert "row 3: sign_date" in result.stderr  # CSV line 3 = data row 2
    assert "row 5: items[1].quantity" in result.stderr
    assert snapshot(home) == before


def test_a_new_counterparty_shared_by_many_rows_is_created_once(home: Path) -> None:
    from contractctl.drafting.batch import draft_batch
    from contractctl.store import Store

    spec = load_schema(REPO / "templates" / "nda-zh.toml")
    sample = json.loads(json.dumps(spec.sample, default=str))
    rows = [{**sample, "contract_no": f"BM-2026-{n:04d}"} for n in range(3)]
    with Store.open(home) as store:
        result = draft_batch(store, "tester", "nda-zh", rows, pdf=False)
        assert len(result.made) == 3 and not result.failed
        parties = store.conn.execute("SELECT id, name FROM parties").fetchall()
        used = store.conn.execute("SELECT DISTINCT counterparty_id FROM contracts").fetchall()
    assert [tuple(p) for p in parties] == [("P-0001", sample["counterparty"]["name"])]
    assert [u[0] for u in used] == ["P-0001"]


def test_on_a_terminal_draft_asks_for_each_missing_required_field(
    cli: Cli, home: Path, tmp_path: Path
) -> None:
    from tests.conftest import installed_contractctl, run_on_terminal

    spec = load_schema(REPO / "templates" / "nda-en.toml")
    data = json.loads(json.dumps(spec.sample, default=str))
    del data["contract_no"], data["sign_place"]
    path = tmp_path / "nda.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, seen = run_on_terminal(
        [
            installed_contractctl(),
            "--home",
            str(home),
            "draft",
            "nda-en",
            "--data",
            str(path),
            "--no-pdf",
        ],
        [("Agreement number: ", "NDA-2026-0042"), ("Place of signing: ", "Shanghai")],
    )
    assert code == 0, seen
    contract = cli("list", "--json").json()[0]
    fields = cli("show", contract["id"], "--json").json()["fields"]
    assert (fields["contract_no"], fields["sign_place"]) == ("NDA-2026-0042", "Shanghai")
