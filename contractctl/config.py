"""Where the store lives, and its contractctl.toml as a frozen, validated dataclass.

Resolution order for the store home: an explicit ``--home``, then
``CONTRACTCTL_HOME``, then the platform's user data directory. Unknown keys in
contractctl.toml are errors naming file and line, never silently ignored: a typo in
the company's credit code field must not quietly leave drafts blank.
"""

from __future__ import annotations

import os
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
