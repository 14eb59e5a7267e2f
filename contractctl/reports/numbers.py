"""Amounts and durations as people read them in a report.

English: ``¥1,234,567.89``, ``USD 12,000.00``. Chinese: the same below 10,000, then in
万 (10^4) or 亿 (10^8) to two decimals, ``¥123.46万``, ``USD 1.20亿``: the way a
manager reads a total. Rounding (half up) is for display only and done on the integer
minor units through Decimal; JSON, CSV and XLSX keep the exact amounts.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from contractctl.money import CURRENCIES, Money, format_money

_UNITS = ((8, "亿"), (4, "万"))


def amount_text(money: Money, lang: str) -> str:
    """``money`` for a report in ``lang`` (zh: 万/亿 from 10,000 up)."""
    if lang != "zh":
        return format_money(money)
    major = Decimal(money.minor).scaleb(-CURRENCIES[money.currency])
    sign = "-" if major < 0 else ""
    major = abs(major)
    prefix = "¥" if money.currency == "CNY" else f"{money.currency} "
    for power, unit in _UNITS:
        if major >= Decimal(10) ** power:
            shown = (major.scaleb(-power)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            return f"{sign}{prefix}{shown:,}{unit}"
    return format_money(money)


def duration_text(seconds: int | None, lang: str) -> str:
    """A duration in days (one decimal), or hours below a day: ``3.5 d``, ``4.0 h``."""
    if seconds is None:
        return "-"
    days = Decimal(seconds) / Decimal(86400)
    if days >= 1:
        value, unit = days, ("天" if lang == "zh" else "d")
    else:
        value, unit = Decimal(seconds) / Decimal(3600), ("小时" if lang == "zh" else "h")
    shown = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{shown} {unit}" if lang != "zh" else f"{shown}{unit}"
