"""Danish identifiers: CVR (company) and CPR (person) numbers, as pure functions.

Invariants:
- A CPR number is personal data: no error message raised here contains the
  value, and ``mask_cpr`` shows at most its last four digits, whatever it is
  given.
- Only ASCII digits count as digits (``str.isdigit`` would accept "٣").
- CPR numbers get no modulus-11 check: numbers issued since 2007 need not
  pass it, so it would reject real people.
"""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)
_CVR_RE = re.compile(r"[1-9][0-9]{7}")
_CPR_RE = re.compile(r"([0-9]{6})-?([0-9]{4})")

_CVR_FORMAT_MESSAGE = _(
    "Enter a valid CVR number: 8 digits, not starting with 0 (spaces and a "
    "DK prefix are allowed)."
)
_CVR_CHECKSUM_MESSAGE = _(
    "This is not a valid CVR number; check the digits for a typing mistake."
)
_CPR_MESSAGE = _(
    "Enter a valid CPR number: a date of birth as DDMMYY followed by four "
    "digits, e.g. DDMMYY-XXXX."
)


def validate_cvr(value: str) -> str:
    """Return ``value`` as an 8-digit CVR number, or raise ValidationError.

    Whitespace anywhere and a leading "DK" (any case) are removed first.
    """
    if not isinstance(value, str):
        raise ValidationError(_CVR_FORMAT_MESSAGE, code="invalid_cvr")
    compact = "".join(value.split())
    if compact[:2].upper() == "DK":
        compact = compact[2:]
    if not _CVR_RE.fullmatch(compact):
        raise ValidationError(_CVR_FORMAT_MESSAGE, code="invalid_cvr")
    checksum = sum(
        int(digit) * weight for digit, weight in zip(compact, _CVR_WEIGHTS, strict=True)
    )
    if checksum % 11:
        raise ValidationError(_CVR_CHECKSUM_MESSAGE, code="invalid_cvr")
    return compact


def _century(seventh_digit: int, yy: int) -> int:
    # The 7th digit and the year together give the century (CPR Office rules).
    if seventh_digit <= 3:
        return 1900
    if seventh_digit in (4, 9):
        return 2000 if yy <= 36 else 1900
    return 2000 if yy <= 57 else 1800  # 5-8


def _birth_date(digits: str) -> dt.date:
    """The date in 10 CPR digits; ValueError when it is not a real date."""
    day, month, yy = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    return dt.date(_century(int(digits[6]), yy) + yy, month, day)


def normalise_cpr(value: str) -> str:
    """Return ``value`` as 10 CPR digits without the dash, or raise ValidationError.

    Accepts ``DDMMYY-SSSS`` or ``DDMMYYSSSS`` with surrounding whitespace; the
    first six digits must be a real date in the century the 7th digit gives.
    """
    if not isinstance(value, str):
        raise ValidationError(_CPR_MESSAGE, code="invalid_cpr")
    match = _CPR_RE.fullmatch(value.strip())
    if match is None:
        raise ValidationError(_CPR_MESSAGE, code="invalid_cpr")
    digits = match.group(1) + match.group(2)
    try:
        _birth_date(digits)
    except ValueError:
        # "from None": the ValueError would only repeat what was wrong with it.
        raise ValidationError(_CPR_MESSAGE, code="invalid_cpr") from None
    return digits


def cpr_birth_date(cpr: str) -> dt.date:
    """The date of birth a CPR number encodes; ValidationError when invalid."""
    return _birth_date(normalise_cpr(cpr))


def mask_cpr(cpr: str) -> str:
    """``"******-1234"``: only the last four digits stay visible.

    Anything that is not 10 digits (with or without the dash) is masked
    completely, so a malformed value never shows more than a valid one would.
    """
    if not cpr:
        return ""
    match = _CPR_RE.fullmatch(cpr.strip()) if isinstance(cpr, str) else None
    if match is None:
        return "******-****"
    return f"******-{match.group(2)}"


def cvr_validator(value: str) -> None:
    """Model/form field validator for CVR numbers (see ``validate_cvr``)."""
    validate_cvr(value)


def cpr_validator(value: str) -> None:
    """Model/form field validator for CPR numbers (see ``normalise_cpr``)."""
    normalise_cpr(value)
