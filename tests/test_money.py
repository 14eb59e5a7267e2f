"""Money as a contract states it: exact parsing, formatting and Chinese capitals.

The capital-amount expectations below were written from the PBoC rules for filling in
bills (支付结算办法 附件一) and their worked examples (¥1,409.50, ¥6,007.14, ¥1,680.32,
¥107,000.53, ¥325.04), not from this module's output.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contractctl.errors import InvalidInput
from contractctl.money import (
    CURRENCIES,
    Money,
    format_money,
    format_plain,
    parse_chinese_upper,
    parse_money,
    to_chinese_upper,
)


def cny(major: str) -> Money:
    """A CNY amount from its major-unit text, for readable tables."""
    return Money(int(Decimal(major) * 100), "CNY")


# --- capitals: what a bank expects to see written on the contract -----------------------

BANK_CAPITALS = [
    # zero and fractions of a yuan
    ("0", "人民币零元整"),
    ("0.05", "人民币伍分"),
    ("0.50", "人民币伍角整"),
    ("0.55", "人民币伍角伍分"),
    # 整 after 元 or 角, never after 分; 零 between 元 and 分 when 角 is zero
    ("1.00", "人民币壹元整"),
    ("1.05", "人民币壹元零伍分"),
    ("1.50", "人民币壹元伍角整"),
    ("10.05", "人民币壹拾元零伍分"),
    ("325.04", "人民币叁佰贰拾伍元零肆分"),
    # ten to nineteen are written with 壹拾
    ("10", "人民币壹拾元整"),
    ("15", "人民币壹拾伍元整"),
    ("19.99", "人民币壹拾玖元玖角玖分"),
    ("20", "人民币贰拾元整"),
    # one 零 for a run of zeros inside a section, none at the end of a section
    ("100", "人民币壹佰元整"),
    ("101", "人民币壹佰零壹元整"),
    ("110", "人民币壹佰壹拾元整"),
    ("1001", "人民币壹仟零壹元整"),
    ("1010", "人民币壹仟零壹拾元整"),
    ("1100", "人民币壹仟壹佰元整"),
    ("1409.50", "人民币壹仟肆佰零玖元伍角整"),
    ("6007.14", "人民币陆仟零柒元壹角肆分"),
    # where 零 is optional (元位 or 万位 zero, next digit not) it is left out
    ("1680.32", "人民币壹仟陆佰捌拾元叁角贰分"),
    ("107000.53", "人民币壹拾万柒仟元伍角叁分"),
    # 万 sections
    ("10000", "人民币壹万元整"),
    ("10001", "人民币壹万零壹元整"),
    ("10010", "人民币壹万零壹拾元整"),
    ("100000", "人民币壹拾万元整"),
    ("123456.50", "人民币壹拾贰万叁仟肆佰伍拾陆元伍角整"),
    ("1000000", "人民币壹佰万元整"),
    ("10000000", "人民币壹仟万元整"),
    ("10010000", "人民币壹仟零壹万元整"),
    ("20000010", "人民币贰仟万零壹拾元整"),
    # 亿 and 万亿
    ("100000000", "人民币壹亿元整"),
    ("100000001", "人民币壹亿零壹元整"),
    ("100010000", "人民币壹亿零壹万元整"),
    ("110000000", "人民币壹亿壹仟万元整"),
    ("1000000010", "人民币壹拾亿零壹拾元整"),
    ("123456789012.34", "人民币壹仟贰佰叁拾肆亿伍仟陆佰柒拾捌万玖仟零壹拾贰元叁角肆分"),
    ("1000000000000", "人民币壹万亿元整"),
    ("1000100000000", "人民币壹万零壹亿元整"),
    ("10000000000000", "人民币壹拾万亿元整"),
    # a credit note
    ("-1.00", "人民币负壹元整"),
]


@pytest.mark.parametrize(("major", "capitals"), BANK_CAPITALS)
def test_a_contract_amount_in_capitals_reads_as_a_bank_would(major: str, capitals: str) -> None:
    assert to_chinese_upper(cny(major)) == capitals


@pytest.mark.parametrize(("major", "capitals"), BANK_CAPITALS)
def test_the_capitals_a_bank_expects_read_back_to_the_same_amount(
    major: str, capitals: str
) -> None:
    assert parse_chinese_upper(capitals) == cny(major)


@pytest.mark.parametrize(
    ("money", "capitals"),
    [
        (Money(123456, "USD"), "美元壹仟贰佰叁拾肆元伍角陆分"),
        (Money(100000, "EUR"), "欧元壹仟元整"),
        (Money(50, "GBP"), "英镑伍角整"),
        (Money(1005, "HKD"), "港币壹拾元零伍分"),
        (Money(1235, "JPY"), "日元壹仟贰佰叁拾伍元整"),
        (Money(10, "JPY"), "日元壹拾元整"),
        (Money(10**15, "JPY"), "日元壹仟万亿元整"),
    ],
)
def test_a_foreign_currency_contract_names_its_currency_in_capitals(
    money: Money, capitals: str
) -> None:
    assert to_chinese_upper(money) == capitals


def test_capitals_without_prefix_leave_the_currency_name_to_the_template() -> None:
    assert to_chinese_upper(cny("123456.50"), prefix=False) == "壹拾贰万叁仟肆佰伍拾陆元伍角整"
    assert to_chinese_upper(Money(100, "USD"), prefix=False) == "壹元整"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("壹拾贰万叁仟肆佰伍拾陆圆伍角", cny("123456.50")),  # 圆 and no 整
        ("人民币壹万元正", cny("10000")),  # 正 for 整
        ("（大写）人民币壹万元整", cny("10000")),
        ("(大写)人民币壹万元整", cny("10000")),
        ("大写：人民币壹万元整", cny("10000")),
        ("人民币（大写）：壹万元整", cny("10000")),
        ("人民币 壹 万 元 整", cny("10000")),
        ("壹仟〇壹元整", cny("1001")),
        ("两万元整", cny("20000")),
        ("贰仟两佰元整", cny("2200")),
        ("两元整", cny("2")),
        ("壹元伍角", cny("1.50")),
        ("壹拾万零柒仟元伍角叁分", cny("107000.53")),  # optional 零 written
        ("壹仟陆佰捌拾元零叁角贰分", cny("1680.32")),
        ("负壹元整", cny("-1")),
        ("负人民币壹元整", cny("-1")),
        ("美元壹仟元整", Money(100000, "USD")),
        ("港元壹元整", Money(100, "HKD")),
        ("日元壹仟元整", Money(1000, "JPY")),
    ],
)
def test_capitals_as_people_actually_type_them_are_understood(
    written: str, expected: Money
) -> None:
    assert parse_chinese_upper(written) == expected


def test_capitals_without_a_currency_name_use_the_currency_given() -> None:
    assert parse_chinese_upper("壹仟元整", "USD") == Money(100000, "USD")
    assert parse_chinese_upper("壹仟元整", "JPY") == Money(1000, "JPY")
    assert parse_chinese_upper("欧元壹元整", "USD") == Money(100, "EUR")


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("", "no amount"),
        ("   ", "no amount"),
        ("人民币", "no amount"),
        ("拾元整", "壹拾"),
        ("人民币拾伍元整", "壹拾"),
        ("一百元整", "not a Chinese capital numeral"),
        ("壹佰元整abc", "not a Chinese capital numeral"),
        ("壹仟贰佰", "no 元"),
        ("伍分整", "整 after 分"),
        ("壹元零伍分整", "整 after 分"),
        ("日元壹元伍角", "no minor unit"),
        ("人民币美元壹元整", "currency twice"),
        ("负负壹元整", "负 twice"),
        ("壹元伍分", "not a well-formed"),  # 零 missing between 元 and 分
        ("壹佰零零壹元整", "not a well-formed"),  # two 零 in a row
        ("壹拾零元整", "not a well-formed"),  # 零 at the end of a section
        ("壹万零元整", "not a well-formed"),
        ("壹佰壹元整", "not a well-formed"),  # 零 missing inside a section
        ("壹万壹元整", "not a well-formed"),  # 零 missing between sections
        ("壹亿壹元整", "not a well-formed"),
        ("壹拾拾元整", "not a well-formed"),
        ("壹佰壹仟元整", "not a well-formed"),
        ("壹万壹万元整", "not a well-formed"),
        ("壹万亿亿元整", "not a well-formed"),
        ("零元伍分", "not a well-formed"),
        ("零壹元整", "not a well-formed"),
        ("伍角伍", "not a well-formed"),
        ("壹元整元", "not a well-formed"),
        ("负零元整", "not a well-formed"),
        ("壹拾元零伍角零分", "not a well-formed"),
        ("壹仟万亿零壹元整", "larger than 10^15"),
    ],
)
def test_capitals_a_bank_would_refuse_are_refused(written: str, why: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_chinese_upper(written)
    assert why in caught.value.message
    assert "\n" not in caught.value.message


def test_capitals_in_an_unknown_currency_are_refused() -> None:
    with pytest.raises(InvalidInput, match="not a known currency"):
        parse_chinese_upper("壹元整", "XXX")


def _amounts_with_many_zeros() -> st.SearchStrategy[int]:
    """Minor amounts below 10^15 whose digits are mostly zeros, where the 零 rules bite."""
    return st.lists(st.sampled_from("0000000123456789"), min_size=1, max_size=15).map(
        lambda ds: int("".join(ds))
    )


MINOR_BELOW_10_15 = st.integers(min_value=0, max_value=10**15 - 1) | _amounts_with_many_zeros()


@settings(max_examples=400)
@given(
    minor=MINOR_BELOW_10_15,
    currency=st.sampled_from(sorted(CURRENCIES)),
    negative=st.booleans(),
)
def test_every_amount_survives_a_round_trip_through_capitals(
    minor: int, currency: str, negative: bool
) -> None:
    money = Money(-minor if negative else minor, currency)
    assert parse_chinese_upper(to_chinese_upper(money)) == money
    assert parse_chinese_upper(to_chinese_upper(money, prefix=False), currency) == money


@settings(max_examples=200)
@given(minor=MINOR_BELOW_10_15, currency=st.sampled_from(sorted(CURRENCIES)))
def test_every_formatted_amount_parses_back(minor: int, currency: str) -> None:
    for money in (Money(minor, currency), Money(-minor, currency)):
        assert parse_money(format_money(money), allow_negative=True) == money


# --- parsing what people type -----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("120000", Money(12000000, "CNY")),
        ("120,000.50", Money(12000050, "CNY")),
        ("¥120,000.50", Money(12000050, "CNY")),
        ("￥120,000.50", Money(12000050, "CNY")),
        ("¥ 120,000.50", Money(12000050, "CNY")),
        ("  120,000.50\t", Money(12000050, "CNY")),
        ("CNY 120000", Money(12000000, "CNY")),
        ("CNY120000", Money(12000000, "CNY")),
        ("RMB 120,000", Money(12000000, "CNY")),
        ("USD 1,234.56", Money(123456, "USD")),
        ("usd 1,234.56", Money(123456, "USD")),
        ("1234.56 USD", Money(123456, "USD")),
        ("$1,234.56", Money(123456, "USD")),
        ("€10", Money(1000, "EUR")),
        ("£3.5", Money(350, "GBP")),
        ("HK$ 100", Money(10000, "HKD")),
        ("JPY 1,235", Money(1235, "JPY")),
        ("1235日元", Money(1235, "JPY")),
        ("1,000美元", Money(100000, "USD")),
        ("港币500", Money(50000, "HKD")),
        ("欧元20", Money(2000, "EUR")),
        ("人民币120,000元", Money(12000000, "CNY")),
        ("人民币120,000元整", Money(12000000, "CNY")),
        ("120,000.00元", Money(12000000, "CNY")),
        ("12万元", Money(12000000, "CNY")),
        ("12.5万", Money(12500000, "CNY")),
        ("1.5亿", Money(15000000000, "CNY")),
        ("1.234567万", Money(1234567, "CNY")),
        ("１２０，０００．５０", Money(12000050, "CNY")),
        ("１２万元", Money(12000000, "CNY")),
        ("12.340", Money(1234, "CNY")),  # trailing zeros lose nothing
        ("0", Money(0, "CNY")),
        ("1000000000000000", Money(10**17, "CNY")),  # 10^15 is the largest accepted
    ],
)
def test_amounts_typed_into_a_contract_are_read_exactly(typed: str, expected: Money) -> None:
    assert parse_money(typed) == expected


@pytest.mark.parametrize(
    ("value", "default", "expected"),
    [
        (120000, "CNY", Money(12000000, "CNY")),  # an int is major units
        (1235, "JPY", Money(1235, "JPY")),
        (120000, "usd", Money(12000000, "USD")),
        (1234.56, "CNY", Money(123456, "CNY")),  # a JSON number, read through str()
        (0.1, "CNY", Money(10, "CNY")),
        (1e3, "CNY", Money(100000, "CNY")),
        (Decimal("12.30"), "CNY", Money(1230, "CNY")),
        (Decimal("1E+3"), "EUR", Money(100000, "EUR")),
        (Money(5, "USD"), "CNY", Money(5, "USD")),
        ("100", "EUR", Money(10000, "EUR")),
        ("USD 100", "EUR", Money(10000, "USD")),  # the value's own currency wins
    ],
)
def test_numbers_from_scripts_and_json_are_read_in_the_default_currency(
    value: str | int | Decimal | float | Money, default: str, expected: Money
) -> None:
    assert parse_money(value, default) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("-5", Money(-500, "CNY")),
        ("-¥1.00", Money(-100, "CNY")),
        ("¥-1.00", Money(-100, "CNY")),
        ("－１", Money(-100, "CNY")),
        ("-USD 1,234.56", Money(-123456, "USD")),
        (-3, Money(-300, "CNY")),
    ],
)
def test_a_credit_note_may_be_negative_when_allowed(typed: str | int, expected: Money) -> None:
    assert parse_money(typed, allow_negative=True) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12.345", "'12.345' has more decimals than CNY allows (2)"),
        ("JPY 12.5", "'JPY 12.5' has more decimals than JPY allows (0)"),
        ("1.23456789万", "'1.23456789万' has more decimals than CNY allows (2)"),
        (Decimal("0.001"), "'0.001' has more decimals than CNY allows (2)"),
        (1e-7, "'1e-07' has more decimals than CNY allows (2)"),
        ("-5", "'-5' is negative (expected an amount of 0 or more)"),
        (-5, "'-5' is negative (expected an amount of 0 or more)"),
        (Money(-1, "CNY"), "'-¥0.01' is negative (expected an amount of 0 or more)"),
    ],
)
def test_a_wrong_amount_is_refused_with_a_message_naming_it(
    value: str | int | Decimal | float | Money, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_money(value)
    assert caught.value.message == message
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("value", "default", "why"),
    [
        ("", "CNY", "empty"),
        ("   ", "CNY", "empty"),
        ("abc", "CNY", "not an amount of money"),
        ("12.5.3", "CNY", "not an amount of money"),
        ("1e5", "CNY", "not an amount of money"),
        ("12.", "CNY", "not an amount of money"),
        (".5", "CNY", "not an amount of money"),
        ("--5", "CNY", "not an amount of money"),
        ("-¥-5", "CNY", "not an amount of money"),
        ("NaN", "CNY", "not an amount of money"),
        ("inf", "CNY", "not an amount of money"),
        ("1,50", "CNY", "misplaced thousands separator"),
        ("1,2,3", "CNY", "misplaced thousands separator"),
        ("12,0000", "CNY", "misplaced thousands separator"),
        ("USD 5 EUR", "CNY", "two different currencies"),
        ("$5元", "CNY", "two different currencies"),
        ("XYZ 12", "CNY", "unknown currency"),
        ("12 万万", "CNY", "unknown currency"),
        ("120000", "XXX", "not a known currency"),
        (True, "CNY", "boolean"),
        (False, "CNY", "boolean"),
        (float("nan"), "CNY", "not a finite amount"),
        (float("inf"), "CNY", "not a finite amount"),
        (Decimal("NaN"), "CNY", "not a finite amount"),
        (Decimal("-Infinity"), "CNY", "not a finite amount"),
        ("1,000,000,000,000,000.01", "CNY", "larger than 10^15"),
        ("10000000000000000", "CNY", "larger than 10^15"),
        ("10万亿零1", "CNY", "not an amount of money"),
        ("1001万亿", "CNY", "larger than 10^15"),
        (10**16, "CNY", "larger than 10^15"),
        (1e300, "CNY", "larger than 10^15"),
        ("1" * 200, "CNY", "too long"),
    ],
)
def test_garbage_is_refused_as_invalid_input(
    value: str | int | Decimal | float | Money, default: str, why: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_money(value, default)
    assert why in caught.value.message
    assert "\n" not in caught.value.message


# --- the Money value itself -------------------------------------------------------------


@pytest.mark.parametrize(
    ("minor", "currency", "why"),
    [
        (1.5, "CNY", "whole number of minor units"),
        ("100", "CNY", "whole number of minor units"),
        (True, "CNY", "whole number of minor units"),
        (Decimal("1"), "CNY", "whole number of minor units"),
        (100, "XXX", "not a known currency"),
        (100, "cny", "not a known currency"),
        (100, None, "not a known currency"),
    ],
)
def test_money_refuses_anything_but_whole_minor_units_of_a_known_currency(
    minor: object, currency: object, why: str
) -> None:
    with pytest.raises(InvalidInput, match=why):
        Money(minor, currency)  # type: ignore[arg-type]


def test_line_items_of_one_currency_add_up_exactly() -> None:
    lines = [parse_money("0.10"), parse_money("0.20"), parse_money("¥120,000.50")]
    total = lines[0] + lines[1] + lines[2]
    assert total == Money(12000080, "CNY")
    assert total - lines[2] == Money(30, "CNY")
    assert total.major == Decimal("120000.80")


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (Money(100, "CNY"), Money(100, "USD")),
        (Money(100, "USD"), Money(100, "HKD")),
        (Money(100, "JPY"), Money(100, "CNY")),
    ],
)
def test_amounts_in_different_currencies_are_never_added_or_subtracted(
    left: Money, right: Money
) -> None:
    with pytest.raises(InvalidInput, match="different currencies"):
        left + right
    with pytest.raises(InvalidInput, match="different currencies"):
        left - right


def test_money_does_not_add_bare_numbers() -> None:
    with pytest.raises(TypeError):
        Money(100, "CNY") + 1  # type: ignore[operator]


@pytest.mark.parametrize(
    ("money", "major"),
    [
        (Money(12000050, "CNY"), "120000.50"),
        (Money(5, "CNY"), "0.05"),
        (Money(-100, "USD"), "-1.00"),
        (Money(1235, "JPY"), "1235"),
        (Money(10**30 + 1, "CNY"), "1" + "0" * 28 + ".01"),
    ],
)
def test_the_major_amount_is_an_exact_decimal(money: Money, major: str) -> None:
    assert money.major == Decimal(major)
    assert str(money.major) == major


def test_the_json_shape_scripts_rely_on_round_trips() -> None:
    money = Money(12000050, "CNY")
    assert money.to_dict() == {"minor": 12000050, "currency": "CNY"}
    assert Money.from_dict(money.to_dict()) == money


@pytest.mark.parametrize(
    "data",
    [
        {"minor": "100", "currency": "CNY"},
        {"minor": 1.0, "currency": "CNY"},
        {"minor": True, "currency": "CNY"},
        {"minor": 100},
        {"minor": 100, "currency": "CNY", "note": "x"},
        {"minor": 100, "currency": 156},
        {"minor": 100, "currency": "XXX"},
    ],
)
def test_a_malformed_json_amount_is_refused(data: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        Money.from_dict(data)


def test_amounts_of_one_currency_sort_by_size() -> None:
    amounts = [Money(300, "CNY"), Money(-5, "CNY"), Money(100, "CNY")]
    assert sorted(amounts) == [Money(-5, "CNY"), Money(100, "CNY"), Money(300, "CNY")]


# --- formatting -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("money", "shown", "plain"),
    [
        (Money(12000050, "CNY"), "¥120,000.50", "120,000.50"),
        (Money(0, "CNY"), "¥0.00", "0.00"),
        (Money(5, "CNY"), "¥0.05", "0.05"),
        (Money(-100, "CNY"), "-¥1.00", "-1.00"),
        (Money(123456, "USD"), "USD 1,234.56", "1,234.56"),
        (Money(-123456, "USD"), "-USD 1,234.56", "-1,234.56"),
        (Money(100000000, "EUR"), "EUR 1,000,000.00", "1,000,000.00"),
        (Money(99, "GBP"), "GBP 0.99", "0.99"),
        (Money(10000, "HKD"), "HKD 100.00", "100.00"),
        (Money(1235, "JPY"), "JPY 1,235", "1,235"),
        (Money(0, "JPY"), "JPY 0", "0"),
    ],
)
def test_amounts_are_shown_the_way_a_reader_expects(money: Money, shown: str, plain: str) -> None:
    assert format_money(money) == shown
    assert format_plain(money) == plain
