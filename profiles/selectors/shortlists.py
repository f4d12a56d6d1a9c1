"""Reads for company shortlists, and who may keep one.

A member keeps the shortlist of their company (an open one; the oldest
membership when they belong to several). Its page lists only profiles that
are public right now (``freelancer_public_q``): a freelancer who unpublished,
was restricted or closed their account leaves every shortlist at once, even
before their entries are deleted.
"""

from __future__ import annotations

from django.db.models import QuerySet

from profiles.models import (
    Company,
    CompanyMembership,
    FreelancerProfile,
    ShortlistEntry,
)
from profiles.selectors.freelancers import freelancer_public_q


def shortlist_company_among(memberships) -> Company | None:
    """The company whose shortlist a member keeps, from their memberships
    (with ``company`` loaded): the open company they joined first. The one
    rule; the dashboard applies it to the memberships it already read."""
    open_ones = [m for m in memberships if m.company.closed_at is None]
    first = min(open_ones, key=lambda m: (m.created_at, m.pk), default=None)
    return first.company if first else None


def shortlist_company_for_user(*, user) -> Company | None:
    """The company whose shortlist ``user`` keeps, or None (not a member of an
    open company, or not logged in)."""
    if not user.is_authenticated:
        return None
    return shortlist_company_among(
        CompanyMembership.objects.filter(
            user=user, company__closed_at__isnull=True
        ).select_related("company")
    )


def shortlist_entries_for_company(*, company: Company) -> QuerySet[ShortlistEntry]:
    """The company's entries whose freelancer is public now, newest first."""
    return (
        ShortlistEntry.objects.filter(company=company)
        .filter(freelancer_public_q("profile__"))
        .select_related("profile")
        .only(
            "added_at",
            "company_id",
            "profile__slug",
            "profile__full_name",
            "profile__headline",
            "profile__city",
            "profile__region",
        )
        .order_by("-added_at", "-pk")
    )


def shortlist_contains(*, company: Company, profile: FreelancerProfile) -> bool:
    return ShortlistEntry.objects.filter(company=company, profile=profile).exists()
