"""The Chinese interface: chosen by the locale, CONTRACTCTL_LANG or --lang; every message
in the catalog has both languages."""

from __future__ import annotations

import pytest

from contractctl import i18n
from tests.conftest import REPO, Cli, run_installed

PO = REPO / "contractctl" / "locale" / "zh" / "LC_MESSAGES" / "contractctl.po"


def test_every_message_in_the_catalog_has_both_languages() -> None:
    from babel.messages.pofile import read_po

    with PO.open("rb") as handle:
        catalog = read_po(handle)
    messages = [m for m in catalog if m.id]
    assert len(messages) > 40
    for message in messages:
        assert message.string and message.string != message.id, message.id


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C"}, "en"),
        ({}, "en"),
        ({"CONTRACTCTL_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"CONTRACTCTL_LANG": "zh", "LANG": "C"}, "zh"),
    ],
)
def test_the_language_comes_from_the_environment(environ: dict[str, str], expected: str) -> None:
    assert i18n.from_environment(environ) == expected


def _chinese_env() -> dict[str, str]:
    return {"LANG": "zh_CN.UTF-8", "LC_ALL": "", "CONTRACTCTL_LANG": ""}


def test_help_is_chinese_in_a_chinese_locale() -> None:
    assert i18n.catalogs_compiled(), "run make setup: it compiles the catalogs"
    result = run_installed("--help", env=_chinese_env())
    assert result.returncode == 0, result.stderr
    assert "用法: contractctl" in result.stdout
    assert "合同记录:" in result.stdout and "审批:" in result.stdout
    assert "列出合同" in result.stdout


def test_an_error_is_chinese_in_a_chinese_locale() -> None:
    result = run_installed("show", env=_chinese_env())
    assert result.returncode == 2
    assert result.stderr.startswith("contractctl: 错误: ")
    assert "提示: 参见: contractctl show --help" in result.stderr


def test_lang_before_the_command_chooses_the_language(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "C")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("CONTRACTCTL_LANG", raising=False)
    assert "用法" in cli("--lang", "zh", "list", "--help").stdout
    assert "Usage" in cli("list", "--help").stdout
    monkeypatch.setenv("CONTRACTCTL_LANG", "zh")
    assert "示例:" in cli("list", "--help").stdout
    assert "Usage" in cli("--lang", "en", "list", "--help").stdout
