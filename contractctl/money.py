"""Money as integer minor units plus an ISO 4217 code: parsing, formatting, capitals.

Contracts state the same amount in many ways: ``120000``, ``¥120,000.50``, ``USD 1,234.56``,
``人民币120,000元``, ``12万元`` and, on every Chinese contract and cheque, in financial
capital numerals (``人民币壹拾贰万元整``). This module turns all of them into one exact value,
:class:`Money`, and writes that value back out. Amounts are never floats: text goes through
:class:`decimal.Decimal` and ends up as an ``int`` count of minor units (fen, cents), so a
contract total is the sum of its lines to the last fen.

The capital-numeral rules follow the People's Bank of China rules for filling in bills
(支付结算办法 附件一): 壹拾 for ten, one 零 for a run of zeros, 零 between 元 and 分 when 角 is
zero, 整 after 元 or 角 but never after 分.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Final, TypedDict

from contractctl.errors import InvalidInput

__all__ = [
    "CHINESE_NAMES",
    "CURRENCIES",
    "CURRENCY_WORDS",
    "MAX_MAJOR",
    "SYMBOLS",
    "Money",
    "MoneyDict",
    "format_money",
    "format_plain",
    "parse_chinese_upper",
    "parse_money",
    "to_chinese_upper",
]

#: ISO 4217 code -> number of minor-unit digits (CNY 2: 1 元 = 100 分; JPY 0).
CURRENCIES: Final[Mapping[str, int]] = MappingProxyType(
    {"CNY": 2, "USD": 2, "EUR": 2, "GBP": 2, "HKD": 2, "JPY": 0}
)

#: Currency symbols accepted by :func:`parse_money` -> ISO code.
SYMBOLS: Final[Mapping[str, str]] = MappingProxyType(
    {"¥": "CNY", "￥": "CNY", "$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "HK$": "HKD"}
)

#: Currency words accepted by :func:`parse_money` (before or after the number) -> ISO code.
CURRENCY_WORDS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "人民币": "CNY",
        "元": "CNY",
        "RMB": "CNY",
        "美元": "USD",
        "欧元": "EUR",
        "英镑": "GBP",
        "港币": "HKD",
        "港元": "HKD",
        "日元": "JPY",
    }
)

#: The name written in front of an amount in capitals (人民币壹万元整, 美元壹万元整).
CHINESE_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {"CNY": "人民币", "USD": "美元", "EUR": "欧元", "GBP": "英镑", "HKD": "港币", "JPY": "日元"}
)

#: The largest amount accepted from input, in major units: anything above is a typo.
MAX_MAJOR: Final = 10**15

_MAX_TEXT = 100  # longer input is not an amount; refusing it early bounds the work done

# Full-width digits and punctuation from Chinese input methods, and the Unicode minus signs.
_FULL_WIDTH: Final = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "，": ",",
        "．": ".",
        "－": "-",
        "−": "-",
        "＄": "$",
    }
)

_MULTIPLIERS: Final[Mapping[str, int]] = MappingProxyType({"万": 4, "亿": 8, "万亿": 12})

_AMOUNT_RE: Final = re.compile(
    r"""
    (?P<sign1>-)?\s*
    (?P<pre>[^0-9\s.,+\-]+)?\s*
    (?P<sign2>-)?\s*
    (?P<num>[0-9][0-9,]*(?:\.[0-9]+)?)\s*
    (?P<mult>万亿|万|亿)?\s*
    (?P<suf>[^0-9\s.,+\-]+)?
    """,
    re.VERBOSE,
)
_GROUPED_RE: Final = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")

_DIGITS: Final = "零壹贰叁肆伍陆柒捌玖"
_DIGIT_VALUES: Final[Mapping[str, int]] = MappingProxyType({c: i for i, c in enumerate(_DIGITS)})
_SMALL_UNITS: Final[Mapping[str, int]] = MappingProxyType({"拾": 10, "佰": 100, "仟": 1000})
_CAPITAL_CHARS: Final = frozenset(_DIGITS + "拾佰仟万亿元角分整")
# Variants tolerated on input: 圆 for 元, 〇 (and the look-alike ○) for 零, 正 for 整.
_CAPITAL_VARIANTS: Final = str.maketrans({"圆": "元", "〇": "零", "○": "零", "正": "整"})
_LIANG_RE: Final = re.compile(r"两(?=[拾佰仟万亿元角分])")
_CAPITAL_LABELS: Final = ("（大写）", "(大写)", "大写", "：", ":")
# Every name that may precede an amount in capitals (none is a prefix of another).
_CAPITAL_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {**{name: code for code, name in CHINESE_NAMES.items()}, "港元": "HKD"}
)
# Marks a place where a 零 may be written or left out (壹拾万[零]柒仟, 壹拾元[零]伍角);
# to_chinese_upper leaves it out, parse_chinese_upper accepts both.
_OPTIONAL_ZERO: Final = "\x00"


class MoneyDict(TypedDict):
    """The JSON shape of an amount, ``{"minor": 12000050, "currency": "CNY"}``."""

    minor: int
    currency: str


@dataclass(frozen=True, order=True)
class Money:
    """An exact amount: ``minor`` units (fen, cents) of the ISO 4217 ``currency``.

    Ordering compares ``minor`` and then ``currency``; it is only meaningful between
    amounts of the same currency, which is all a contract ever compares.
    """

    minor: int
    currency: str

    def __post_init__(self) -> None:
        """Refuse anything but an integer count of a known currency's minor units."""
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise InvalidInput(
                f"{self.minor!r} is not a whole number of minor units (expected an int)"
            )
        if not isinstance(self.currency, str) or self.currency not in CURRENCIES:
            raise InvalidInput(
                f"{self.currency!r} is not a known currency "
                f"(expected one of {', '.join(CURRENCIES)})"
            )

    def __add__(self, other: Money) -> Money:
        """Add two amounts of the same currency; mixing currencies is refused, not converted."""
        if not isinstance(other, Money):
            return NotImplemented
        self._require_same_currency(other, "add")
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        """Subtract an amount of the same currency; mixing currencies is refused."""
        if not isinstance(other, Money):
            return NotImplemented
        self._require_same_currency(other, "subtract")
        return Money(self.minor - other.minor, self.currency)

    def _require_same_currency(self, other: Money, verb: str) -> None:
        if other.currency != self.currency:
            raise InvalidInput(
                f"cannot {verb} {format_money(other)} and {format_money(self)}: "
                f"different currencies ({other.currency} and {self.currency})"
            )

    @property
    def major(self) -> Decimal:
        """The amount in major units as an exact Decimal (``Decimal('120000.50')``)."""
        digits = CURRENCIES[self.currency]
        sign = 1 if self.minor < 0 else 0
        coefficient = tuple(int(c) for c in str(abs(self.minor)))
        return Decimal((sign, coefficient, -digits))

    def to_dict(self) -> MoneyDict:
        """The JSON shape scripts rely on: ``{"minor": int, "currency": str}``."""
        return {"minor": self.minor, "currency": self.currency}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Money:
        """Read the :meth:`to_dict` shape back, refusing anything else (extra keys too)."""
        if not isinstance(data, Mapping):
            raise InvalidInput(
                f"{data!r} is not an amount object (expected {{'minor': int, 'currency': str}})"
            )
        keys = set(data)
        if keys != {"minor", "currency"}:
            raise InvalidInput(
                f"amount object has keys {sorted(keys)!r} (expected exactly 'minor' and 'currency')"
            )
        minor = data["minor"]
        currency = data["currency"]
        if isinstance(minor, bool) or not isinstance(minor, int):
            raise InvalidInput(
                f"amount 'minor' is {minor!r} (expected an integer number of minor units)"
            )
        if not isinstance(currency, str):
            raise InvalidInput(f"amount 'currency' is {currency!r} (expected an ISO 4217 code)")
        return cls(minor, currency)


def _known_currency(code: str) -> str:
    """Return ``code`` upper-cased if it is a known ISO code, else raise InvalidInput."""
    if not isinstance(code, str) or code.upper() not in CURRENCIES:
        raise InvalidInput(
            f"{code!r} is not a known currency (expected one of {', '.join(CURRENCIES)})"
        )
    return code.upper()


def _currency_token(token: str, shown: str) -> str:
    """Resolve a symbol, code or word written next to a number to its ISO code."""
    if token in SYMBOLS:
        return SYMBOLS[token]
    if token in CURRENCY_WORDS:
        return CURRENCY_WORDS[token]
    if token.upper() in CURRENCIES:
        return token.upper()
    if token.upper() in CURRENCY_WORDS:
        return CURRENCY_WORDS[token.upper()]
    if len(token) > 1 and token[-1] in "整正" and token[:-1] in CURRENCY_WORDS:
        return CURRENCY_WORDS[token[:-1]]  # 人民币120,000元整
    raise InvalidInput(
        f"{shown} has an unknown currency {token!r} "
        f"(expected a code such as {', '.join(CURRENCIES)}, a symbol such as ¥ $ €, or 元)"
    )


def _to_minor(amount: Decimal, power: int, currency: str, shown: str) -> int:
    """Convert ``amount * 10**power`` major units to minor units exactly, or raise.

    Integer arithmetic on the Decimal's digits, so no context precision or rounding is
    involved; trailing zeros beyond the currency's decimals ("12.340") are accepted
    because they lose nothing.
    """
    if not amount.is_finite():
        raise InvalidInput(f"{shown} is not a finite amount of money")
    if amount.is_zero():
        return 0
    if amount.adjusted() + power > 15:
        raise InvalidInput(f"{shown} is larger than 10^15 {currency}, not a plausible amount")
    digits = CURRENCIES[currency]
    sign, coefficient_digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)  # finite, checked above
    coefficient = int("".join(str(d) for d in coefficient_digits))
    shift = exponent + power + digits
    minor: int
    if shift >= 0:
        minor = coefficient * int(10**shift)
    else:
        # A nonzero coefficient with fewer digits than the shift cannot divide exactly.
        if -shift > len(coefficient_digits):
            raise _too_many_decimals(shown, currency)
        minor, remainder = divmod(coefficient, int(10**-shift))
        if remainder:
            raise _too_many_decimals(shown, currency)
    if minor > MAX_MAJOR * 10**digits:
        raise InvalidInput(f"{shown} is larger than 10^15 {currency}, not a plausible amount")
    return -minor if sign else minor


def _too_many_decimals(shown: str, currency: str) -> InvalidInput:
    digits = CURRENCIES[currency]
    return InvalidInput(f"{shown} has more decimals than {currency} allows ({digits})")


def _parse_text(value: str, default_currency: str) -> tuple[Decimal, int, str]:
    """Split a written amount into (number, power of ten from 万/亿, currency)."""
    shown = repr(value)
    text = value.translate(_FULL_WIDTH).strip()
    if not text:
        raise InvalidInput(
            "empty amount of money (expected e.g. 120,000.50, ¥120,000.50 or USD 1,234.56)"
        )
    if len(text) > _MAX_TEXT:
        raise InvalidInput(f"{value[:40]!r}... is too long to be an amount of money")
    match = _AMOUNT_RE.fullmatch(text)
    if match is None or (match["sign1"] and match["sign2"]):
        raise InvalidInput(
            f"{shown} is not an amount of money "
            "(expected e.g. 120,000.50, ¥120,000.50, USD 1,234.56, 人民币120,000元 or 12万元)"
        )
    whole_part = match["num"].partition(".")[0]
    if "," in whole_part and not _GROUPED_RE.fullmatch(whole_part):
        raise InvalidInput(
            f"{shown} has a misplaced thousands separator "
            "(expected groups of three digits, e.g. 1,234,567.89)"
        )
    found = [_currency_token(match[g], shown) for g in ("pre", "suf") if match[g]]
    if len(set(found)) > 1:
        raise InvalidInput(f"{shown} names two different currencies ({found[0]} and {found[1]})")
    currency = found[0] if found else default_currency
    number = Decimal(match["num"].replace(",", ""))
    if match["sign1"] or match["sign2"]:
        number = -number
    power = _MULTIPLIERS[match["mult"]] if match["mult"] else 0
    return number, power, currency


def parse_money(
    value: str | int | Decimal | float | Money,
    default_currency: str = "CNY",
    *,
    allow_negative: bool = False,
) -> Money:
    """Read an amount as people write it in contracts, exactly, into :class:`Money`.

    Accepts ``"120,000.50"``, ``"¥120,000.50"``, ``"CNY 120000"``, ``"1234.56 USD"``,
    ``"人民币120,000元"``, ``"12.5万"`` (万 = 10^4, 亿 = 10^8), full-width digits and
    punctuation. A Python ``int`` or ``Decimal`` is in major units (120000 is ¥120,000.00);
    a ``float`` (a JSON number) is read through ``str()``, never by float arithmetic.
    ``default_currency`` applies when the value names no currency. Raises InvalidInput for
    garbage, more decimals than the currency has, a negative amount unless
    ``allow_negative``, two currencies in one value, NaN/infinity, booleans, and anything
    above 10^15 major units.
    """
    currency = _known_currency(default_currency)
    if isinstance(value, Money):
        shown, money = repr(format_money(value)), value
    elif isinstance(value, bool):
        raise InvalidInput(f"{value!r} is a boolean, not an amount of money")
    else:
        if isinstance(value, int):
            shown, number, power = repr(str(value)), Decimal(value), 0
        elif isinstance(value, float):
            shown = repr(str(value))
            if not math.isfinite(value):
                raise InvalidInput(f"{shown} is not a finite amount of money")
            number, power = Decimal(str(value)), 0
        elif isinstance(value, Decimal):
            shown, number, power = repr(str(value)), value, 0
        elif isinstance(value, str):
            shown = repr(value)
            try:
                number, power, currency = _parse_text(value, currency)
            except InvalidOperation as exc:  # pragma: no cover - the regex admits only digits
                raise InvalidInput(f"{shown} is not an amount of money") from exc
        else:
            raise InvalidInput(f"{value!r} is a {type(value).__name__}, not an amount of money")
        money = Money(_to_minor(number, power, currency, shown), currency)
    if money.minor < 0 and not allow_negative:
        raise InvalidInput(f"{shown} is negative (expected an amount of 0 or more)")
    return money


def format_plain(m: Money) -> str:
    """The amount with thousands separators and the currency's decimals, no symbol.

    ``120,000.50`` for CNY, ``1,235`` for JPY; for tables where the currency is in the header.
    """
    digits = CURRENCIES[m.currency]
    whole, fraction = divmod(abs(m.minor), 10**digits)
    text = f"{whole:,}"
    if digits:
        text += f".{fraction:0{digits}d}"
    return f"-{text}" if m.minor < 0 else text


def format_money(m: Money) -> str:
    """The amount for people: ``¥120,000.50`` for CNY, ``USD 1,234.56`` for the rest.

    CNY gets the ¥ sign because it is the home currency of the contracts; every other
    currency is spelled with its code so $ (USD, HKD, ...) is never ambiguous. A negative
    amount starts with a minus sign (``-¥1.00``). :func:`parse_money` reads it back.
    """
    sign = "-" if m.minor < 0 else ""
    plain = format_plain(Money(abs(m.minor), m.currency))
    if m.currency == "CNY":
        return f"{sign}¥{plain}"
    return f"{sign}{m.currency} {plain}"


def _section_pieces(n: int) -> list[str]:
    """Capitals for 1 <= n <= 9999: 壹仟零壹, 壹佰壹拾; inner zero runs give one 零."""
    pieces: list[str] = []
    zero_pending = False
    for power, unit in ((1000, "仟"), (100, "佰"), (10, "拾"), (1, "")):
        digit = n // power % 10
        if digit == 0:
            zero_pending = bool(pieces)
            continue
        if zero_pending:
            pieces.append("零")
            zero_pending = False
        pieces.append(_DIGITS[digit] + unit)
    return pieces


def _joint(high: int, low: int, lowest_full: int) -> list[str]:
    """The zero between a section and the nonzero section below it.

    零 is required when the lower section has a leading zero (壹万零壹, 壹亿零壹万); when it
    does not but the digit just above it is zero (107,000: 壹拾万[零]柒仟) the PBoC rules
    make 零 optional.
    """
    if low < lowest_full:
        return ["零"]
    if high % 10 == 0:
        return [_OPTIONAL_ZERO]
    return []


def _below_yi_pieces(n: int) -> list[str]:
    """Capitals for 1 <= n < 10^8, with 万 between the two 4-digit sections."""
    high, low = divmod(n, 10**4)
    if not high:
        return _section_pieces(low)
    pieces = [*_section_pieces(high), "万"]
    if low:
        pieces += _joint(high, low, 1000) + _section_pieces(low)
    return pieces


def _integer_pieces(n: int) -> list[str]:
    """Capitals for 0 <= n < 10^16; 亿 multiplies everything before it (壹万亿 = 10^12)."""
    if n == 0:
        return ["零"]
    high, low = divmod(n, 10**8)
    if not high:
        return _below_yi_pieces(low)
    pieces = [*_below_yi_pieces(high), "亿"]
    if low:
        pieces += _joint(high, low, 10**7) + _below_yi_pieces(low)
    return pieces


def _capital_pieces(minor: int, currency: str) -> list[str]:
    """The canonical capitals of a non-negative amount, as pieces with optional-zero marks."""
    digits = CURRENCIES[currency]
    if digits not in (0, 2):  # pragma: no cover - every currency in CURRENCIES has 0 or 2
        raise InvalidInput(f"{currency} has {digits} decimals; capitals need 0 or 2 (角, 分)")
    whole, fraction = divmod(minor, 10**digits)
    if whole >= 10**16:
        raise InvalidInput(
            f"{format_plain(Money(minor, currency))} {currency} is too large to write in capitals"
        )
    if fraction == 0:
        return [*_integer_pieces(whole), "元", "整"]
    jiao, fen = divmod(fraction, 10)
    pieces: list[str] = []
    if whole:
        pieces += [*_integer_pieces(whole), "元"]
        if jiao == 0:
            pieces.append("零")  # 壹元零伍分
        elif whole % 10 == 0:
            pieces.append(_OPTIONAL_ZERO)  # 壹拾元[零]伍角
    if jiao:
        pieces += [_DIGITS[jiao], "角"]
    if fen:
        pieces += [_DIGITS[fen], "分"]
    else:
        pieces.append("整")  # 伍角整; never after 分
    return pieces


def to_chinese_upper(m: Money, *, prefix: bool = True) -> str:
    """The amount in Chinese financial capitals, as banks require on contracts and cheques.

    ``人民币壹拾贰万叁仟肆佰伍拾陆元伍角整`` for CNY 123,456.50. Capitals exist so an amount
    cannot be altered by adding a stroke; the rules are the PBoC ones (壹拾 for ten, one 零
    per run of zeros, 零 between 元 and 分, 整 after 元 or 角 only). With ``prefix`` the
    currency's Chinese name comes first (人民币, 美元, 欧元, 英镑, 港币, 日元); a negative
    amount has 负 before the numerals (人民币负壹元整).
    """
    pieces = _capital_pieces(abs(m.minor), m.currency)
    body = "".join(p for p in pieces if p != _OPTIONAL_ZERO)
    name = CHINESE_NAMES[m.currency] if prefix else ""
    sign = "负" if m.minor < 0 else ""
    return f"{name}{sign}{body}"


def _read_integer_capitals(text: str) -> int:
    """Value of the part before 元, read leniently; the caller checks the spelling."""
    total = wan = section = digit = 0
    for ch in text:
        if ch in _DIGIT_VALUES:
            digit = _DIGIT_VALUES[ch]
        elif ch in _SMALL_UNITS:
            section += digit * _SMALL_UNITS[ch]
            digit = 0
        elif ch == "万":
            wan += (section + digit) * 10**4
            section = digit = 0
        elif ch == "亿":
            total += (wan + section + digit) * 10**8
            wan = section = digit = 0
    return total + wan + section + digit


def parse_chinese_upper(text: str, currency: str = "CNY") -> Money:
    """Read an amount written in Chinese capitals, refusing anything a bank would refuse.

    The inverse of :func:`to_chinese_upper`. Tolerates spaces, 圆 for 元, 〇 for 零, 两 for
    贰 before a unit, 正 for 整 or no 整 at all, a leading 人民币/大写/（大写）, the optional
    零s of the PBoC rules (壹拾万零柒仟, 壹拾元零伍角) and 负 for a negative amount. A
    currency name in the text (美元, 港币...) wins over ``currency``, which applies when the
    text names none. Everything else that is not the one correct spelling (拾元, 壹元伍分,
    壹佰零零壹元, 伍分整, lower-case 一二三) raises InvalidInput.
    """
    if not isinstance(text, str):
        raise InvalidInput(f"{text!r} is not text in Chinese capitals")
    code = _known_currency(currency)
    shown = repr(text)
    body = "".join(text.split()).translate(_CAPITAL_VARIANTS)
    body = _LIANG_RE.sub("贰", body)
    if len(body) > _MAX_TEXT:
        raise InvalidInput(f"{text[:40]!r}... is too long to be an amount in Chinese capitals")

    named: str | None = None
    negative = False
    progress = True
    while progress and body:
        progress = False
        for label in _CAPITAL_LABELS:
            if body.startswith(label):
                body, progress = body[len(label) :], True
        for name, name_code in _CAPITAL_NAMES.items():
            if body.startswith(name):
                if named is not None:
                    raise InvalidInput(f"{shown} names a currency twice (expected one name)")
                named, body, progress = name_code, body[len(name) :], True
        if body.startswith("负"):
            if negative:
                raise InvalidInput(f"{shown} has 负 twice (expected at most one)")
            negative, body, progress = True, body[1:], True
    if named is not None:
        code = named

    if not body:
        raise InvalidInput(f"{shown} has no amount (expected e.g. 人民币壹拾贰万元整)")
    for ch in body:
        if ch not in _CAPITAL_CHARS:
            raise InvalidInput(
                f"{shown} contains {ch!r}, which is not a Chinese capital numeral "
                "(expected 零壹贰叁肆伍陆柒捌玖, 拾佰仟万亿 and 元角分整)"
            )
    if body.startswith("拾"):
        raise InvalidInput(f"{shown} starts with 拾 (banks require 壹拾 for ten)")
    if body.endswith("分整"):
        raise InvalidInput(f"{shown} has 整 after 分 (整 follows only 元 or 角)")

    plain = body.removesuffix("整")
    integer_text, has_yuan, decimal_text = plain.partition("元")
    if not has_yuan:
        integer_text, decimal_text = "", plain
        if not any(unit in plain for unit in "角分"):
            raise InvalidInput(f"{shown} has no 元 (expected e.g. 壹佰元整)")
    digits = CURRENCIES[code]
    if decimal_text and digits == 0:
        raise InvalidInput(f"{shown} has 角 or 分, but {code} has no minor unit")
    jiao = fen = pending = 0
    for ch in decimal_text:
        if ch in _DIGIT_VALUES:
            pending = _DIGIT_VALUES[ch]
        elif ch == "角":
            jiao, pending = pending, 0
        elif ch == "分":
            fen, pending = pending, 0
    whole = _read_integer_capitals(integer_text)
    if whole > MAX_MAJOR:
        raise InvalidInput(f"{shown} is larger than 10^15 {code}, not a plausible amount")
    minor = whole * 10**digits + (jiao * 10 + fen if digits else 0)

    pieces = _capital_pieces(minor, code)
    pattern = "".join(
        "零?" if p == _OPTIONAL_ZERO else "整?" if p == "整" else re.escape(p) for p in pieces
    )
    if not re.fullmatch(pattern, body) or (negative and minor == 0):
        raise InvalidInput(f"{shown} is not a well-formed amount in Chinese capitals")
    return Money(-minor if negative else minor, code)
