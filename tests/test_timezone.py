"""The store's time zone: times shown in it and labelled, `today` and business days counted
in it; stored times and JSON stay UTC."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from contractctl import dates
from contractctl.approval.business_days import Calendar
from contractctl.config import DEFAULT_CONFIG, load_settings
from contractctl.errors import ConfigError
from tests.conftest import Cli


def _set_zone(home: Path, name: str) -> None:
    config = home / "contractctl.toml"
    lines = [
        line
        for line in config.read_text(encoding="utf-8").splitlines()
        if not line.startswith("timezone")
    ]
    if "[store]" not in lines:
        lines.append("[store]")
    lines.insert(lines.index("[store]") + 1, f'timezone = "{name}"')
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(autouse=True)
def _system_zone_after() -> Iterator[None]:
    yield
    dates.set_zone(None)


def test_a_stored_utc_time_is_shown_in_the_store_zone_with_its_label() -> None:
    dates.set_zone("Asia/Shanghai")
    assert dates.local_time_text("2026-12-09T05:47:03Z") == "2026-12-09 13:47 CST"
    assert dates.local_time_text("2026-12-09T05:47:03Z", seconds=True) == "2026-12-09 13:47:03 CST"
    dates.set_zone("Etc/GMT-8")  # a zone with no abbreviation: its offset
    assert dates.local_time_text("2026-12-09T05:47:03Z") == "2026-12-09 13:47 +08:00"
    assert dates.local_time_text(None) == ""


def test_without_a_setting_the_system_zone_from_tz_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    dates.set_zone(None)
    assert dates.local_time_text("2026-12-09T23:30:00Z") == "2026-12-10 07:30 CST"
    monkeypatch.setenv("TZ", "UTC")
    assert dates.local_time_text("2026-12-09T23:30:00Z") == "2026-12-09 23:30 UTC"


def test_today_is_the_store_zone_date() -> None:
    dates.set_zone("Pacific/Kiritimati")  # UTC+14
    assert dates.local_today() == (datetime.now(UTC) + timedelta(hours=14)).date()
    dates.set_zone("Pacific/Pago_Pago")  # UTC-11
    assert dates.local_today() == (datetime.now(UTC) - timedelta(hours=11)).date()


def test_business_hours_are_counted_on_the_store_zone_workdays() -> None:
    # Friday 20:00 UTC is already Saturday 04:00 in Shanghai: the weekend does not count,
    # so 8 business hours end on Monday 08:00 Shanghai time (00:00 UTC), not Monday 04:00 UTC.
    start = datetime(2026, 12, 11, 20, 0, tzinfo=UTC)
    dates.set_zone("Asia/Shanghai")
    due = Calendar().due(start, 8, "business")
    assert due == datetime(2026, 12, 14, 0, 0, tzinfo=UTC)
    assert due.tzinfo == UTC  # stored as UTC
    dates.set_zone("UTC")
    assert Calendar().due(start, 8, "business") == datetime(2026, 12, 14, 4, 0, tzinfo=UTC)


def test_an_unknown_zone_in_contractctl_toml_is_named_with_file_and_line(home: Path) -> None:
    assert 'timezone = ""' in DEFAULT_CONFIG  # the default: the system's zone
    _set_zone(home, "Mars/Base")
    with pytest.raises(ConfigError, match=r"contractctl.toml:\d+: store -> timezone: unknown"):
        load_settings(home)
    _set_zone(home, "Asia/Shanghai")
    assert load_settings(home).store.timezone == "Asia/Shanghai"


def test_the_cli_uses_the_store_zone(cli: Cli) -> None:
    _set_zone(cli.home, "Asia/Shanghai")
    assert cli("list").code == 0
    assert dates.local_time_text("2026-12-09T05:47:03Z").endswith("CST")
