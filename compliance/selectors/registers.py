"""Reads of the registers GDPR asks for: processors (Art. 28), the record of
processing activities (Art. 30) and who is told about breaches (Art. 33).

Retention periods come from ``privacy.selectors.retention_periods()``, the
same rows the policy shows, so the record and the policy agree.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q

from compliance.models import ProcessingActivity, Processor
from privacy.facts import controller
from privacy.selectors import RulePeriod, retention_periods


def processors_list() -> list[Processor]:
    return list(Processor.objects.all())


def activities_list(periods: dict[str, RulePeriod]) -> list[dict]:
    """Processing activities with their recipients, transfers and period."""
    activities = ProcessingActivity.objects.prefetch_related("recipients")
    result = []
    for activity in activities:
        recipients = list(activity.recipients.all())
        result.append(
            {
                "activity": activity,
                "recipients": recipients,
                "transfers": [p for p in recipients if p.is_transfer],
                "period": periods.get(activity.retention_key),
            }
        )
    return result


def activity_gaps(activity: ProcessingActivity, periods: dict[str, RulePeriod]):
    """What an entry of the record of processing lacks of purpose, legal basis
    and retention period (empty when complete)."""
    gaps = []
    if not (activity.purpose_en or "").strip():
        gaps.append("purpose")
    if activity.legal_basis not in ProcessingActivity.LegalBasis.values:
        gaps.append("legal basis")
    if activity.retention_key not in periods:
        gaps.append("retention period")
    return gaps


def ropa_rows() -> list[dict]:
    """The record of processing activities (Art. 30(1)) as flat rows."""
    periods = retention_periods()
    ctrl = controller()
    rows = []
    for entry in activities_list(periods):
        activity = entry["activity"]
        period = entry["period"]
        rows.append(
            {
                "controller": ctrl["name"],
                "controller_cvr": ctrl["cvr"],
                "controller_email": ctrl["email"],
                "purpose": activity.purpose,
                "description": activity.description,
                "legal_basis": activity.get_legal_basis_display(),
                "legal_basis_note": activity.legal_basis_note,
                "data_subjects": activity.data_subjects,
                "data_categories": activity.data_categories,
                "recipients": "; ".join(
                    f"{p.vendor} ({p.get_service_display()})"
                    for p in entry["recipients"]
                ),
                "other_recipients": activity.other_recipients,
                "transfers": "; ".join(
                    f"{p.vendor}: {p.country}, {p.get_transfer_basis_display()}"
                    for p in entry["transfers"]
                ),
                "retention_rule": activity.retention_key,
                "retention_days": period.days if period else None,
                "retention_action": period.action if period else "",
                "retention_period": period.text if period else "",
            }
        )
    return rows


def breach_staff_recipients() -> list[str]:
    """Addresses of active staff who may view breaches (superusers included)."""
    staff = (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__codename="view_breach")
            | Q(groups__permissions__codename="view_breach")
        )
        .distinct()
        .order_by("pk")
    )
    return [u.email for u in staff if u.email and u.has_perm("compliance.view_breach")]
