"""Builders for mailings tests: members in every state a sender must honour,
staff who may or may not send, and mailings."""

from __future__ import annotations

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Permission
from django.utils import timezone

from consent.models import MarketingSuppression, Purpose
from consent.selectors import marketing_suppression_hash
from consent.services import consent_record
from mailings.models import Mailing
from privacy.models import DataSubjectRequest
from tests.factories import CompanyFactory, FreelancerProfileFactory, UserFactory

CONTENT = {
    "subject_da": "Planlagt nedetid",
    "subject_en": "Planned downtime",
    "body_da": "Sitet er nede søndag nat.",
    "body_en": "The site is down on Sunday night.",
}


def grant(user, purpose) -> None:
    consent_record(purpose=purpose, granted=True, source="settings", user=user)


def withdraw(user, purpose) -> None:
    consent_record(purpose=purpose, granted=False, source="settings", user=user)


def member(state: str = "opted_in", *, language: str = "da", role: str = "freelancer"):
    """A member in ``state``: opted_in (marketing granted), not_opted_in,
    withdrawn, restricted, suppressed, closed, inactive (the last four had
    opted in)."""
    user = UserFactory(language=language)
    if role == "freelancer":
        FreelancerProfileFactory(user=user)
    elif role == "company":
        CompanyFactory(verified=True).memberships.create(user=user, role="member")
    if state != "not_opted_in":
        grant(user, Purpose.MARKETING_EMAIL)
    if state == "withdrawn":
        withdraw(user, Purpose.MARKETING_EMAIL)
    elif state == "restricted":
        DataSubjectRequest.objects.create(
            kind=DataSubjectRequest.Kind.RESTRICTION,
            subject=user,
            email=user.email,
            due_at=timezone.now(),
            restriction_applied_at=timezone.now(),
        )
    elif state == "suppressed":
        MarketingSuppression.objects.create(
            email_hash=marketing_suppression_hash(user.email)
        )
    elif state == "closed":
        user.closed_at = timezone.now()
        user.save()
    elif state == "inactive":
        user.is_active = False
        user.save()
    return user


def staff(*, may_send: bool = True):
    """A staff member with the TOTP authenticator the admin demands, who may
    view, add and change mailings, and send them when ``may_send``."""
    user = UserFactory(is_staff=True, language="en")
    TOTP.activate(user, generate_totp_secret())
    codenames = ["view_mailing", "add_mailing", "change_mailing", "delete_mailing"]
    if may_send:
        codenames.append("send_mailing")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="mailings", codename__in=codenames
        )
    )
    return type(user).objects.get(pk=user.pk)  # fresh permission cache


def mailing(kind: str = Mailing.Kind.SERVICE, **fields) -> Mailing:
    return Mailing.objects.create(kind=kind, **{**CONTENT, **fields})
