"""Danish identifiers: CVR (company) and CPR (person) numbers, as pure functions.

python-stdnum (``stdnum.dk.cvr``, ``stdnum.dk.cpr``) does the mechanics:
the CVR checksum, the century a CPR number's 7th digit gives, the date check.
This module keeps the product's rules around it:

- The accepted input shapes are the ones the error messages describe, which
  are narrower than stdnum's (it also drops dashes, dots and slashes anywhere
  in a CVR number, and spaces or dashes anywhere in a CPR number).
- A CPR number is personal data: no error message raised here contains the
  value, and ``mask_cpr`` shows at most its last four digits, whatever it is
  given.
- Only ASCII digits count as digits (``str.isdigit`` would accept "٣").
- CPR numbers get no modulus-11 check: numbers issued since 2007 need not
  pass it, so it would reject real people (stdnum's ``validate`` does not
  check it either).
- A CPR number whose birth date lies in the future is refused (stdnum's
  rule): nobody holds one, so it is a mistyped year or 7th digit.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.dk import cpr as stdnum_cpr
from stdnum.dk import cvr as stdnum_cvr

# Whitespace is removed before this is matched.
_CVR_SHAPE_RE = re.compile(r"(?:[Dd][Kk])?[0-9]+")
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
    if not _CVR_SHAPE_RE.fullmatch(compact):
        raise ValidationError(_CVR_FORMAT_MESSAGE, code="invalid_cvr")
    try:
        return stdnum_cvr.validate(compact)
    except stdnum_exceptions.InvalidChecksum:
        raise ValidationError(_CVR_CHECKSUM_MESSAGE, code="invalid_cvr") from None
    except stdnum_exceptions.ValidationError:
        # Length, or a leading 0.
        raise ValidationError(_CVR_FORMAT_MESSAGE, code="invalid_cvr") from None


def normalise_cpr(value: str) -> str:
    """Return ``value`` as 10 CPR digits without the dash, or raise ValidationError.

    Accepts ``DDMMYY-SSSS`` or ``DDMMYYSSSS`` with surrounding whitespace; the
    first six digits must be a real date, not in the future, in the century
    the 7th digit gives.
    """
    if not isinstance(value, str) or not _CPR_RE.fullmatch(value.strip()):
        raise ValidationError(_CPR_MESSAGE, code="invalid_cpr")
    try:
        return stdnum_cpr.validate(value.strip())
    except stdnum_exceptions.ValidationError:
        # "from None": stdnum's reason would only repeat what was wrong with
        # the number, and a traceback must not carry it.
        raise ValidationError(_CPR_MESSAGE, code="invalid_cpr") from None


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
