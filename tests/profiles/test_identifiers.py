"""CVR and CPR numbers: what is accepted, what is refused, and what is shown."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from stdnum.dk import cpr as stdnum_cpr

from profiles.identifiers import (
    cpr_validator,
    cvr_validator,
    mask_cpr,
    normalise_cpr,
    validate_cvr,
)

# Each passes the modulus-11 check (weights 2,7,6,5,4,3,2,1), e.g. 24256790:
# 2*2 + 4*7 + 2*6 + 5*5 + 6*4 + 7*3 + 9*2 + 0*1 = 132 = 12 * 11.
VALID_CVRS = ["24256790", "61126228", "10150817"]


def _weighted_sum(cvr: str) -> int:
    return sum(int(d) * w for d, w in zip(cvr, (2, 7, 6, 5, 4, 3, 2, 1), strict=True))


@pytest.mark.parametrize("cvr", VALID_CVRS)
def test_sample_cvrs_really_pass_the_checksum(cvr):
    assert _weighted_sum(cvr) % 11 == 0


@pytest.mark.parametrize("cvr", VALID_CVRS)
def test_valid_cvr_is_returned_as_eight_digits(cvr):
    assert validate_cvr(cvr) == cvr


@pytest.mark.parametrize(
    "value",
    [
        "24 25 67 90",
        " 2425 6790 ",
        "DK24256790",
        "DK 24256790",
        "dk 24 25 67 90",
        "24\u00a025\u00a067\u00a090",  # no-break spaces, as pasted from a web page
    ],
)
def test_cvr_spaces_and_dk_prefix_are_stripped(value):
    assert validate_cvr(value) == "24256790"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "DK",
        "2425679",  # 7 digits
        "242567900",  # 9 digits
        "2425679A",
        "24-25-67-90",
        "SE24256790",
        "24256791",  # last digit changed: bad checksum
        "24256709",  # two digits swapped: bad checksum
        "01000004",  # passes the checksum but starts with 0
        "٢٤٢٥٦٧٩٠",  # Arabic-Indic digits
        None,
        24256790,
    ],
)
def test_invalid_cvr_is_refused_with_code_invalid_cvr(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_cvr(value)
    assert excinfo.value.code == "invalid_cvr"


def test_leading_zero_sample_would_otherwise_pass_the_checksum():
    assert _weighted_sum("01000004") % 11 == 0


def test_cvr_validator_accepts_valid_and_refuses_invalid_values():
    assert cvr_validator("DK 24256790") is None
    with pytest.raises(ValidationError):
        cvr_validator("24256791")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("010190-1234", "0101901234"),
        ("0101901234", "0101901234"),
        ("  010190-1234\n", "0101901234"),
        ("290296-1234", "2902961234"),  # 29 Feb 1996, a leap year
        ("290200-4000", "2902004000"),  # 29 Feb 2000 (7th digit 4, year <= 36)
        ("311299-9999", "3112999999"),
    ],
)
def test_valid_cpr_is_normalised_to_ten_digits(value, expected):
    assert normalise_cpr(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "310290-1234",  # 31 February
        "300290-1234",  # 30 February
        "290297-1234",  # 29 February 1997, not a leap year
        "290200-3000",  # 29 February 1900 (7th digit 3): not a leap year
        "290201-4000",  # 29 February 2001
        "011390-1234",  # month 13
        "010090-1234",  # month 0
        "000190-1234",  # day 0
        "320190-1234",  # day 32
        "010190123",  # 9 digits
        "01019012345",  # 11 digits
        "010190-123",
        "0101901a34",
        "ab0190-1234",
        "0101-901234",  # dash in the wrong place
        "010190--1234",
        "010190 1234",
        "010190 - 1234",
        "٠١٠١٩٠١٢٣٤",  # Arabic-Indic digits
        None,
    ],
)
def test_invalid_cpr_is_refused_with_code_invalid_cpr(value):
    with pytest.raises(ValidationError) as excinfo:
        normalise_cpr(value)
    assert excinfo.value.code == "invalid_cpr"


@pytest.mark.parametrize("value", ["310290-1234", "0101901a34", "011390-5678"])
def test_cpr_error_message_never_echoes_the_value(value):
    with pytest.raises(ValidationError) as excinfo:
        normalise_cpr(value)
    shown = " ".join(str(m) for m in excinfo.value.messages) + repr(excinfo.value)
    assert value not in shown
    assert value[-4:] not in shown
    # No chained exception carries the value into a traceback either.
    assert excinfo.value.__cause__ is None
    assert excinfo.value.__context__ is None or excinfo.value.__suppress_context__


# python-stdnum computes the birth date; these pin its century rule to the
# CPR Office's table, so an upgrade that changed it would fail here.
@pytest.mark.parametrize(
    ("cpr", "birth_date"),
    [
        # 7th digit 0-3: always 1900s.
        ("0101000000", dt.date(1900, 1, 1)),
        ("3112993999", dt.date(1999, 12, 31)),
        ("0101361234", dt.date(1936, 1, 1)),
        # 7th digit 4 or 9: 2000s up to year 36, 1900s from 37.
        ("0101364000", dt.date(2036, 1, 1)),
        ("0101374000", dt.date(1937, 1, 1)),
        ("0101369000", dt.date(2036, 1, 1)),
        ("0101379000", dt.date(1937, 1, 1)),
        # 7th digit 5-8: 2000s up to year 57, 1800s from 58.
        ("0101575000", dt.date(2057, 1, 1)),
        ("0101585000", dt.date(1858, 1, 1)),
        ("0101578999", dt.date(2057, 1, 1)),
        ("0101588999", dt.date(1858, 1, 1)),
        ("150620-7123", dt.date(2020, 6, 15)),
    ],
)
def test_century_follows_the_seventh_digit(cpr, birth_date):
    assert stdnum_cpr.get_birth_date(cpr) == birth_date


def test_29_february_1900_and_2000_depend_on_the_century_rule():
    assert normalise_cpr("290200-4000") == "2902004000"
    with pytest.raises(ValidationError):
        normalise_cpr("290200-0000")


def test_a_birth_date_in_the_future_is_refused():
    # Two days ahead: stdnum compares with the local date, which may be a day
    # off UTC's.
    soon = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)
    # 7th digit 5: the 2000s for years up to 57.
    cpr = f"{soon:%d%m%y}-5000"
    assert stdnum_cpr.get_birth_date(cpr) == soon
    with pytest.raises(ValidationError) as excinfo:
        normalise_cpr(cpr)
    assert excinfo.value.code == "invalid_cpr"


@pytest.mark.parametrize("cpr", ["010190-1234", "030392-4321"])
def test_numbers_failing_modulus_11_are_accepted(cpr):
    # Numbers issued since 2007 need not pass it.
    assert stdnum_cpr.checksum(stdnum_cpr.compact(cpr)) != 0
    assert normalise_cpr(cpr) == cpr.replace("-", "")


def test_cpr_validator_accepts_valid_and_refuses_invalid_values():
    assert cpr_validator("010190-1234") is None
    with pytest.raises(ValidationError):
        cpr_validator("310290-1234")


@pytest.mark.parametrize(
    ("cpr", "masked"),
    [
        ("0101901234", "******-1234"),
        ("010190-1234", "******-1234"),
        (" 010190-5678 ", "******-5678"),
        ("", ""),
        ("12345", "******-****"),  # malformed: nothing shown
        ("01019012345", "******-****"),
    ],
)
def test_mask_cpr_shows_at_most_the_last_four_digits(cpr, masked):
    assert mask_cpr(cpr) == masked
