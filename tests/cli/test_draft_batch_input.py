"""draft-batch reads the CSV people have: GBK from Excel on Chinese Windows, UTF-8 with or
without a BOM, or any encoding given; its problems in JSON say row, field and value apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from contractctl.drafting.batch_csv import rows_from_csv
from contractctl.errors import InvalidInput
from tests.cli.test_draft import _batch_csv
from tests.conftest import Cli

HEADER = "key,contract_no,sign_place,party\r\n"
ROW = "k-1,CG-2026-0001,上海市浦东新区,上海星河电子科技有限公司\r\n"


@pytest.fixture
def company(cli: Cli) -> Cli:
    """The store's own company filled in, as drafts need it."""
    config = cli.home / "contractctl.toml"
    text = config.read_text(encoding="utf-8")
    for key, value in (
        ("uscc", "91350100M000100Y43"),
        ("address", "上海市徐汇区漕溪北路88号"),
        ("legal_rep", "王芳"),
    ):
        text = text.replace(f'\n{key} = ""', f'\n{key} = "{value}"', 1)
    config.write_text(text, encoding="utf-8")
    return cli


def _excel_csv(tmp_path: Path, encoding: str, *, bom: bool = False) -> Path:
    """A CSV as Excel writes it: CRLF line ends, in ``encoding``."""
    path = tmp_path / f"excel-{encoding}.csv"
    data = (HEADER + ROW).encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


@pytest.mark.parametrize(
    ("encoding", "bom"), [("gbk", False), ("gb18030", False), ("utf-8", False), ("utf-8", True)]
)
def test_the_encoding_is_detected(tmp_path: Path, encoding: str, bom: bool) -> None:
    rows = rows_from_csv(_excel_csv(tmp_path, encoding, bom=bom))
    assert rows == [
        {
            "key": "k-1",
            "contract_no": "CG-2026-0001",
            "sign_place": "上海市浦东新区",
            "party": "上海星河电子科技有限公司",
        }
    ]


def test_a_given_encoding_is_used_and_a_wrong_one_is_named(tmp_path: Path) -> None:
    path = _excel_csv(tmp_path, "gbk")
    assert rows_from_csv(path, encoding="gbk")[0]["sign_place"] == "上海市浦东新区"
    with pytest.raises(InvalidInput, match="not utf-8 text"):
        rows_from_csv(path, encoding="utf-8")
    with pytest.raises(InvalidInput, match="not an encoding"):
        rows_from_csv(path, encoding="klingon")


def test_draft_batch_drafts_from_a_gbk_csv(company: Cli, tmp_path: Path) -> None:
    cli = company
    cli("party", "add", "上海星河电子科技有限公司")
    cli("party", "add", "Harbor Analytics Ltd.")
    utf8 = _batch_csv(tmp_path, 1)
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(utf8.read_text(encoding="utf-8").replace("\n", "\r\n").encode("gbk"))
    result = cli("draft-batch", "purchase-zh", "--csv", str(gbk), "--no-pdf", "--json")
    assert result.code == 0, result.stderr
    assert result.json()["created"] == 1
    again = cli("draft-batch", "purchase-zh", "--csv", str(gbk), "--encoding", "gbk", "--no-pdf")
    assert again.code == 0, again.stderr


def test_batch_problems_in_json_give_the_row_its_own_key_and_no_python_none(
    company: Cli, tmp_path: Path
) -> None:
    cli = company
    cli("party", "add", "上海星河电子科技有限公司")
    cli("party", "add", "Harbor Analytics Ltd.")
    path = _batch_csv(tmp_path, 2, bad={2: {"sign_date": "yesterday", "delivery_date": ""}})
    result = cli("draft-batch", "purchase-zh", "--csv", str(path), "--no-pdf", "--json")
    assert result.code == 2
    assert "None" not in result.stdout
    problems = result.json()["error"]["problems"]
    assert {"row": 3, "field": "sign_date", "value": "yesterday"}.items() <= problems[0].items()
    assert all(isinstance(p["row"], int) and not p["field"].startswith("row") for p in problems)
    assert "row 3: sign_date" in result.stderr
