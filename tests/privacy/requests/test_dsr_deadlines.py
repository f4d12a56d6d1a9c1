"""Due dates: one calendar month after receipt, clamped to the month's end."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from privacy.models import DataSubjectRequest
from privacy.requests import deadlines
from privacy.requests import services as dsr

CPH = ZoneInfo("Europe/Copenhagen")


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, 0, tzinfo=CPH)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (at(2027, 1, 31), at(2027, 2, 28)),  # common year
        (at(2028, 1, 31), at(2028, 2, 29)),  # leap year
        (at(2028, 1, 29), at(2028, 2, 29)),
        (at(2027, 1, 28), at(2027, 2, 28)),
        (at(2027, 3, 31), at(2027, 4, 30)),
        (at(2027, 8, 31), at(2027, 9, 30)),
        (at(2027, 12, 31), at(2028, 1, 31)),  # across the year end
        (at(2027, 6, 15), at(2027, 7, 15)),
        (at(2027, 3, 15, 23), at(2027, 4, 15, 23)),  # across summer time
    ],
)
def test_due_one_calendar_month_after_receipt(received, due):
    assert deadlines.dsr_due_at(received) == due


@pytest.mark.parametrize(
    ("received", "months", "due"),
    [
        (at(2027, 1, 31), 2, at(2027, 3, 31)),
        (at(2027, 1, 31), 3, at(2027, 4, 30)),
        (at(2027, 11, 30), 3, at(2028, 2, 29)),  # into a leap February
        (at(2028, 2, 29), 12, at(2029, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(received, months, due):
    assert deadlines.add_months(received, months) == due


def _request(received):
    return DataSubjectRequest.objects.create(
        kind="access",
        email="a@example.com",
        received_at=received,
        due_at=deadlines.dsr_due_at(received),
        status="verified",
    )


def test_extension_counts_from_receipt_up_to_three_months_in_all(db):
    request = _request(at(2027, 1, 31))
    dsr.dsr_extend(request=request, actor=None, months=1, reason="Complex case")
    request.refresh_from_db()
    assert request.extended_due_at == at(2027, 3, 31)
    dsr.dsr_extend(request=request, actor=None, months=1, reason="Still complex")
    request.refresh_from_db()
    assert request.extended_due_at == at(2027, 4, 30)
    assert request.extension_reason == "Complex case\nStill complex"
    with pytest.raises(ValidationError):
        dsr.dsr_extend(request=request, actor=None, months=1, reason="Again")
    request.refresh_from_db()
    assert request.extended_due_at == at(2027, 4, 30)


def test_two_month_extension_at_once_then_no_more(db):
    request = _request(at(2027, 11, 30))
    dsr.dsr_extend(request=request, actor=None, months=2, reason="Many requests")
    request.refresh_from_db()
    assert request.extended_due_at == at(2028, 2, 29)
    with pytest.raises(ValidationError):
        dsr.dsr_extend(request=request, actor=None, months=1, reason="More")


@pytest.mark.parametrize(
    ("months", "reason"), [(1, ""), (1, "   "), (3, "x"), (0, "x")]
)
def test_extension_needs_a_reason_and_one_or_two_months(db, months, reason):
    request = _request(at(2027, 1, 31))
    with pytest.raises(ValidationError):
        dsr.dsr_extend(request=request, actor=None, months=months, reason=reason)
    request.refresh_from_db()
    assert request.extended_due_at is None and request.extension_reason == ""
