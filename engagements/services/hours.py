"""Hours: the freelancer reports a week, the company approves or disputes.

What must never happen, and how it is prevented:
- Hours on someone else's engagement, or approved by the freelancer
  themselves: each service checks the actor's party.
- Invoiced hours changed: a report on an invoice is final; a correction
  goes through a credit note (``invoice_credit``), which releases them.
- Nonsense hours (negative, zero, over 168 a week, a week outside the
  contract or in the future): refused with a message, nothing stored.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engagements.models import (
    Engagement,
    HoursReport,
    Party,
    RateKind,
    bookkeeping_retain_until,
)
from engagements.selectors import contract_current, party_of


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def _hours_clean(hours) -> Decimal:
    try:
        value = Decimal(str(hours))
        if not value.is_finite():
            raise InvalidOperation
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({"hours": _("Give the hours as a number.")}) from None
    if value < Decimal("0.25"):
        raise ValidationError(
            {"hours": _("Report at least a quarter of an hour (0.25).")}, code="min"
        )
    if value > 168:
        raise ValidationError({"hours": _("A week has at most 168 hours.")}, code="max")
    if value.as_tuple().exponent < -2:
        raise ValidationError(
            {"hours": _("Give the hours with at most two decimals.")}, code="decimals"
        )
    return value


@transaction.atomic
def hours_report(
    *, engagement: Engagement, actor, week, hours, note: str = ""
) -> HoursReport:
    """Report (or correct, until approved) the hours of one week."""
    engagement = (
        Engagement.objects.select_for_update()
        .select_related("freelancer")
        .get(pk=engagement.pk)
    )
    if engagement.freelancer.user_id != actor.pk:
        raise ValidationError(
            _("Only the freelancer reports hours on an engagement."),
            code="not_freelancer",
        )
    if not engagement.is_active:
        raise ValidationError(
            _("Hours can only be reported on an active engagement."), code="inactive"
        )
    contract = contract_current(engagement=engagement)
    if contract is None or contract.rate_kind != RateKind.HOURLY:
        raise ValidationError(
            _("This engagement has a fixed price; there are no hours to report."),
            code="fixed_price",
        )
    if not isinstance(week, dt.date):
        raise ValidationError({"week": _("Choose the week.")}, code="required")
    monday = week_start(week)
    errors: dict[str, list[str]] = {}
    if monday > timezone.localdate():
        errors["week"] = [_("You cannot report hours for a week that has not begun.")]
    elif (
        monday + dt.timedelta(days=6) < contract.start_date
        or monday > contract.end_date
    ):
        errors["week"] = [_("The week is outside the contract's period.")]
    try:
        value = _hours_clean(hours)
    except ValidationError as error:
        errors.update(error.message_dict)
    note = (note or "").strip()
    if len(note) > 2000:
        errors["note"] = [_("Keep the note under 2,000 characters.")]
    if errors:
        raise ValidationError(errors)
    report = (
        HoursReport.objects.select_for_update()
        .filter(engagement=engagement, week=monday)
        .first()
    )
    now = timezone.now()
    if report is None:
        return HoursReport.objects.create(
            engagement=engagement,
            week=monday,
            hours=value,
            note=note,
            submitted_by=actor,
            submitted_at=now,
        )
    if report.status == HoursReport.Status.APPROVED or report.invoice_id:
        raise ValidationError(
            _("The hours of this week are approved and can no longer be changed."),
            code="approved",
        )
    report.hours = value
    report.note = note
    report.status = HoursReport.Status.SUBMITTED
    report.submitted_at = now
    report.submitted_by = actor
    report.decided_at = None
    report.decided_by = None
    report.save()
    return report


def _decision_prepare(report: HoursReport, actor) -> HoursReport:
    report = (
        HoursReport.objects.select_for_update()
        .select_related("engagement__freelancer")
        .get(pk=report.pk)
    )
    engagement = report.engagement
    party = party_of(
        user=actor,
        company_id=engagement.company_id,
        freelancer_user_id=engagement.freelancer.user_id,
    )
    if party != Party.COMPANY:
        raise ValidationError(
            _("Only the client company approves or disputes hours."),
            code="not_company",
        )
    if report.status != HoursReport.Status.SUBMITTED:
        raise ValidationError(
            _("These hours have already been answered."), code="answered"
        )
    if engagement.restricted_at:
        raise ValidationError(_("This engagement has ended."), code="ended")
    return report


@transaction.atomic
def hours_approve(*, report: HoursReport, actor) -> HoursReport:
    report = _decision_prepare(report, actor)
    report.status = HoursReport.Status.APPROVED
    report.decided_by = actor
    report.decided_at = timezone.now()
    # Approved hours are an accounting basis: kept like the invoice they
    # will be on (an invoice sets the date again, later if need be).
    report.retain_until = bookkeeping_retain_until(report.week)
    report.save(update_fields=["status", "decided_by", "decided_at", "retain_until"])
    return report


@transaction.atomic
def hours_dispute(*, report: HoursReport, actor, reason: str) -> HoursReport:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why you dispute the hours.")}, code="required"
        )
    if len(reason) > 2000:
        raise ValidationError(
            {"reason": _("Keep the reason under 2,000 characters.")}, code="max_length"
        )
    report = _decision_prepare(report, actor)
    report.status = HoursReport.Status.DISPUTED
    report.dispute_reason = reason
    report.decided_by = actor
    report.decided_at = timezone.now()
    report.save(update_fields=["status", "dispute_reason", "decided_by", "decided_at"])
    return report
