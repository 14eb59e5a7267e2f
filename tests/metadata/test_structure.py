"""The issue's examples, as a user met them on real contracts: labels with empty blanks,
descriptors after names, clause numbers and fees beside money, dates by role, notice in
months, renewal that keeps a contract alive."""

from __future__ import annotations

from datetime import date

import pytest

from contractctl.metadata import Term, extract_metadata
from contractctl.money import Money

BLANK_FORM = """农药买卖合同
合同编号：
出卖人：\t\t签订地点：\t
买受人：\t\t签订时间：\t年     月     日
合同价格形式： 1
合计人民币金额（大写）：
出卖人（章）： 住所：
邮政编码： | 传真：
证件号码：\t年\t月\t日
"""


def test_a_blank_form_names_no_party_and_no_amount() -> None:
    meta = extract_metadata(BLANK_FORM)
    assert meta.parties == [] and meta.amount is None


def test_a_filled_label_line_gives_both_parties_not_the_next_label() -> None:
    text = BLANK_FORM.replace("出卖人：\t\t", "出卖人：江苏沃田农业发展有限公司\t").replace(
        "买受人：\t\t", "买受人：王建华\t"
    )
    names = [p.name for p in extract_metadata(text).parties]
    assert names == ["江苏沃田农业发展有限公司", "王建华"]


def test_descriptors_are_cut_from_names_in_the_preamble() -> None:
    text = (
        "TRUST AGREEMENT\n"
        "This Agreement is made as of the 17th day of December, 2019 by and between Wilmington "
        'Harbor Funding Trust, a Delaware statutory trust (the "Trust"), and Cedar Bay '
        'Servicing, L.L.C., a Texas limited liability company (the "Servicer").\n'
    )
    meta = extract_metadata(text)
    assert [p.name for p in meta.parties] == [
        "Wilmington Harbor Funding Trust",
        "Cedar Bay Servicing, L.L.C.",
    ]
    assert meta.signed_date is not None and meta.signed_date.value == date(2019, 12, 17)


@pytest.mark.parametrize(
    "text",
    [
        "SERVICES AGREEMENT\nSection 4. A handling fee of $30.00 applies to each rush order.",
        "Tenant shall pay base rent of $4,200.00 per month.",
        "Client shall pay an annual fee of $96,000, payable monthly.",
    ],
)
def test_a_fee_or_rate_is_not_the_contract_value(text: str) -> None:
    assert extract_metadata(text).amount is None


def test_the_total_price_clause_is_the_value() -> None:
    text = (
        "The total purchase price for the Products is One Million Two Hundred Fifty Thousand "
        "Dollars ($1,250,000.00)."
    )
    amount = extract_metadata(text).amount
    assert amount is not None and amount.value == Money(125_000_000, "USD")


def test_notice_in_months_stays_months_and_evergreen_terms_renew() -> None:
    text = (
        "14.1 This Agreement shall remain in force for an initial period of five (5) years. It "
        "shall thereafter be renewed automatically for successive periods of two (2) years unless "
        "terminated by either party giving not less than twelve (12) months prior written notice "
        "before the end of the then current period."
    )
    meta = extract_metadata(text)
    assert meta.auto_renewal is not None and meta.auto_renewal.value is True
    assert meta.notice is not None and meta.notice.value == Term(12, "months")
    assert meta.notice_days is None  # never 360 days


@pytest.mark.parametrize(
    "text",
    [
        "This Agreement shall continue automatically for successive annual periods unless either "
        "party gives sixty (60) days' written notice of non-renewal.",
        "The tenancy shall continue on a month-to-month basis until terminated by either party "
        "giving the other at least thirty (30) days' written notice.",
    ],
)
def test_automatic_and_month_to_month_renewal_are_read(text: str) -> None:
    meta = extract_metadata(text)
    assert meta.auto_renewal is not None and meta.auto_renewal.value is True
    assert meta.notice is not None and meta.notice.value.unit == "days"  # type: ignore[union-attr]


def test_the_expiry_is_the_term_end_not_another_date() -> None:
    text = (
        "Section 9.3 Term. This Agreement shall be effective as of January 1, 2020 and shall "
        "expire on December 31, 2034.\nDelivery shall take place by September 1, 2021."
    )
    meta = extract_metadata(text)
    assert meta.expiry_date is not None and meta.expiry_date.value == date(2034, 12, 31)
