"""How long things take: the reply's due date, its extensions, and how long
the links a request e-mails stay valid.

Due one calendar month after receipt (GDPR Art. 12(3)), extendable by at
most two further months in total, with a reason the requester is told.
Reads of due and overdue requests are ``privacy.requests.selectors``.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy.models import DataSubjectRequest

#: the link that verifies an anonymous request.
TOKEN_VALID_FOR = dt.timedelta(hours=24)
#: the link that downloads an export archive.
EXPORT_VALID_FOR = dt.timedelta(days=7)
#: an export still "building" after this is taken to have died with its worker.
EXPORT_STALE_AFTER = dt.timedelta(hours=1)
MAX_EXTENSION_MONTHS = 2
#: the window of the flag rule for members' exports (``intake.dsr_flag_reason``).
EXPORT_FLAG_WINDOW = dt.timedelta(days=30)


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """``moment`` plus calendar months, in local time, clamped to the month's end.

    31 January + 1 month is 28 (or 29) February; the time of day is kept.
    """
    local = timezone.localtime(moment)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    naive = local.replace(tzinfo=None).replace(year=year, month=month, day=day)
    return timezone.make_aware(naive, timezone.get_current_timezone())


def dsr_due_at(received_at: dt.datetime) -> dt.datetime:
    """The reply is due one calendar month after receipt (GDPR Art. 12(3))."""
    return add_months(received_at, 1)


def dsr_extension_months(request: DataSubjectRequest) -> int:
    """How many months the deadline was already extended by."""
    if request.extended_due_at is None:
        return 0
    for months in range(1, MAX_EXTENSION_MONTHS + 1):
        if request.extended_due_at <= add_months(request.received_at, 1 + months):
            return months
    return MAX_EXTENSION_MONTHS


def dsr_extended_due_at(request: DataSubjectRequest, *, months: int) -> dt.datetime:
    """The due date after extending by ``months`` more; ValidationError when
    that is not 1 or 2, or passes three months after receipt in all."""
    if months not in range(1, MAX_EXTENSION_MONTHS + 1):
        raise ValidationError(
            {"months": _("Extend by 1 or 2 months.")}, code="bad_months"
        )
    already = dsr_extension_months(request)
    if already + months > MAX_EXTENSION_MONTHS:
        raise ValidationError(
            {"months": _("The deadline can be extended by at most 2 months in total.")},
            code="too_long",
        )
    return add_months(request.received_at, 1 + already + months)
