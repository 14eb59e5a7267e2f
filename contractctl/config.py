"""Where the store lives, and its contractctl.toml as a frozen, validated dataclass.

Resolution order for the store home: an explicit ``--home``, then
``CONTRACTCTL_HOME``, then the platform's user data directory. Unknown keys in
contractctl.toml are errors naming file and line, never silently ignored: a typo in
the company's credit code field must not quietly leave drafts blank.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tempfile
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from contractctl import tomlfile, uscc
from contractctl.errors import InvalidInput

CONFIG_NAME = "contractctl.toml"

DEFAULT_CONFIG = """\
# contractctl store configuration. Edit freely: `contractctl init` never overwrites it.

[company]
# Your own company. Drafts fill your side of a contract (甲方 or 乙方) from here.
name = "示例科技有限公司"
uscc = ""          # 统一社会信用代码, 18 characters
address = ""
legal_rep = ""     # 法定代表人
contact = ""
phone = ""
email = ""
bank = ""          # 开户行
account = ""       # 账号

[store]
contract_prefix = "C"      # contract ids look like C-2026-0001
default_currency = "CNY"   # ISO 4217 code used when an amount names none
timezone = ""              # Asia/Shanghai...; empty: the system's (times, today, business days)
"""


def resolve_home(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The store folder: ``--home``, then CONTRACTCTL_HOME, then the user data dir."""
    if explicit:
        return Path(explicit).expanduser().absolute()
    env = os.environ.get("CONTRACTCTL_HOME")
    if env:
        return Path(env).expanduser().absolute()
    from platformdirs import user_data_dir

    return Path(user_data_dir("contractctl", appauthor=False))


@dataclass(frozen=True)
class Company:
    """The user's own company, as it appears in every contract it signs."""

    name: str = ""
    uscc: str = ""
    address: str = ""
    legal_rep: str = ""
    contact: str = ""
    phone: str = ""
    email: str = ""
    bank: str = ""
    account: str = ""

    def as_dict(self) -> dict[str, str]:
        """The attributes templates see as ``company.*``."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class StoreSettings:
    """How the store names and counts things."""

    contract_prefix: str = "C"
    default_currency: str = "CNY"
    timezone: str = ""  # an IANA name (Asia/Shanghai); empty: the system's zone


@dataclass(frozen=True)
class Settings:
    """Everything contractctl.toml configures, validated."""

    company: Company = field(default_factory=Company)
    store: StoreSettings = field(default_factory=StoreSettings)


def load_settings(home: Path) -> Settings:
    """Read and validate ``home/contractctl.toml``; a missing file means defaults."""
    path = home / CONFIG_NAME
    if not path.exists():
        return Settings()
    doc = tomlfile.load(path)
    tomlfile.reject_unknown(doc, doc.data, ("company", "store"))
    company_raw = _table(doc, "company")
    store_raw = _table(doc, "store")
    company = Company(**_strings(doc, company_raw, Company, "company"))
    if company.uscc:
        try:
            uscc.validate(company.uscc)
        except InvalidInput as exc:
            raise doc.error(f"company -> uscc: {exc.message}", "company", "uscc") from exc
    store = StoreSettings(**_strings(doc, store_raw, StoreSettings, "store"))
    if not store.contract_prefix.isalnum():
        raise doc.error(
            "store -> contract_prefix: use letters and digits only", "store", "contract_prefix"
        )
    from contractctl.money import CURRENCIES

    if store.default_currency not in CURRENCIES:
        raise doc.error(
            f"store -> default_currency: unknown currency {store.default_currency!r}",
            "store",
            "default_currency",
        )
    if store.timezone:
        from contractctl.dates import zone_named

        try:
            zone_named(store.timezone)
        except InvalidInput as exc:
            raise doc.error(f"store -> timezone: {exc.message}", "store", "timezone") from None
    return Settings(company=company, store=store)


def _table(doc: tomlfile.TomlDoc, name: str) -> dict[str, Any]:
    value = doc.data.get(name, {})
    if not isinstance(value, dict):
        raise doc.error(f"{name}: expected a table", name)
    return value


def _strings(doc: tomlfile.TomlDoc, raw: dict[str, Any], cls: type, section: str) -> dict[str, str]:
    names = [f.name for f in fields(cls)]
    tomlfile.reject_unknown(doc, raw, names, section)
    for key, value in raw.items():
        if not isinstance(value, str):
            raise doc.error(f"{section} -> {key}: expected a string", section, key)
    return {key: value.strip() for key, value in raw.items()}


# --- `contractctl config get/set` ---------------------------------------------------
# A set edits the one line it changes and keeps every comment and every other line as
# the user wrote them. The changed file is validated as a whole (load_settings: unknown
# keys, a credit code down to its check character) before it replaces the old one, so a
# bad value leaves the file as it was and says why (exit 2).


def known_keys(settings: Settings | None = None) -> list[str]:
    """Every settable key, as ``section.key`` (or ``key`` for a top-level setting)."""
    settings = settings or Settings()
    keys: list[str] = []
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if dataclasses.is_dataclass(value):
            keys.extend(f"{f.name}.{sub.name}" for sub in dataclasses.fields(value))
        else:
            keys.append(f.name)
    return keys


def _check_key(key: str) -> None:
    if key not in known_keys():
        raise InvalidInput(
            f"unknown setting {key!r}",
            hint="settings: " + ", ".join(known_keys()),
        )


def get_value(home: Path, key: str) -> Any:
    """The value of ``key`` (``company.uscc``) in the store's validated settings."""
    _check_key(key)
    value: Any = load_settings(home)
    for part in key.split("."):
        value = getattr(value, part)
    return value


def set_value(home: Path, key: str, value: str) -> Settings:
    """Set ``key`` to ``value`` in home/contractctl.toml; the validated new settings.

    A credit code is normalised first (upper case, no spaces) and must be valid.
    """
    _check_key(key)
    value = value.strip()
    if key == "company.uscc" and value:
        from contractctl import uscc

        value = uscc.validate(value)
    path = home / CONFIG_NAME
    text = path.read_text(encoding="utf-8") if path.exists() else DEFAULT_CONFIG
    new_text = _with_value(text, key, value)
    with tempfile.TemporaryDirectory(prefix="contractctl-config-") as tmp:
        trial = Path(tmp)
        (trial / CONFIG_NAME).write_text(new_text, encoding="utf-8")
        settings = load_settings(trial)
    handle, temp_name = tempfile.mkstemp(prefix=".contractctl-", suffix=".toml", dir=home)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(new_text)
    os.replace(temp_name, path)
    return settings


def _with_value(text: str, key: str, value: str) -> str:
    """``text`` with ``key`` set to the TOML string ``value``; comments kept."""
    section, _, name = key.rpartition(".")
    literal = json.dumps(value, ensure_ascii=False)
    lines = text.splitlines(keepends=True)
    start, end = _section_span(lines, section)
    if start is None:
        suffix = "" if text.endswith("\n") or not text else "\n"
        return f"{text}{suffix}\n[{section}]\n{name} = {literal}\n"
    pattern = re.compile(
        rf"^(\s*{re.escape(name)}\s*=\s*)(\"(?:[^\"\\]|\\.)*\"|'[^']*'|[^#\s]*)(.*)$"
    )
    for index in range(start, end):
        match = pattern.match(lines[index].rstrip("\n"))
        if match:
            newline = "\n" if lines[index].endswith("\n") else ""
            lines[index] = f"{match.group(1)}{literal}{match.group(3)}{newline}"
            return "".join(lines)
    insert_at = end
    while insert_at > start and not lines[insert_at - 1].strip():
        insert_at -= 1
    if insert_at and not lines[insert_at - 1].endswith("\n"):
        lines[insert_at - 1] += "\n"
    lines.insert(insert_at, f"{name} = {literal}\n")
    return "".join(lines)


def _section_span(lines: list[str], section: str) -> tuple[int | None, int]:
    """(first line after ``[section]``, line of the next header) or (None, 0); the
    top level (section "") runs from the start to the first header."""
    header = re.compile(r"^\s*\[([^\[\]]+)\]\s*(#.*)?$")
    start: int | None = 0 if not section else None
    for index, line in enumerate(lines):
        match = header.match(line)
        if not match:
            continue
        if start is not None:
            return start, index
        if match.group(1).strip() == section:
            start = index + 1
    return start, len(lines)
