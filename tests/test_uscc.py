"""统一社会信用代码: a typo in a credit code is caught before it reaches a contract."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contractctl import uscc
from contractctl.errors import InvalidInput

# Codes published on real business licences (public registry data).
REAL_CODES = [
    "91350100M000100Y43",
    "91110000802100433B",
    "914403001922038216",
    "9144030071526726XG",
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_credit_codes_are_accepted(code: str) -> None:
    assert uscc.validate(code) == code


def test_codes_are_normalised_from_how_people_type_them() -> None:
    assert uscc.validate(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert uscc.validate("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"
    assert uscc.validate("913501-00M000-100Y43") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("91350100M000100Y44", "should be '3'"),
        ("91350100M000100Y4", "17 characters"),
        ("91350100M000100Y433", "19 characters"),
        ("91350100MOOO100Y43", "'O'"),
        ("9135A100M000100Y43", "administrative division"),
    ],
    ids=["check-digit", "too-short", "too-long", "letter-O", "division-not-digits"],
)
def test_a_wrong_code_is_refused_with_the_reason(code: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        uscc.validate(code)


@given(
    st.text(alphabet=uscc.ALPHABET, min_size=2, max_size=2),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=uscc.ALPHABET, min_size=9, max_size=9),
)
def test_every_completed_code_validates_and_any_single_change_is_caught(
    head: str, division: str, org: str
) -> None:
    code = uscc.complete(head + division + org)
    assert uscc.validate(code) == code
    last = code[-1]
    for other in uscc.ALPHABET:
        if other != last:
            with pytest.raises(InvalidInput):
                uscc.validate(code[:-1] + other)
