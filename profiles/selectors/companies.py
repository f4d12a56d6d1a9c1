"""Reads for company pages, memberships and invitations; who may edit a company."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core.crypto import token_hash
from profiles.models import Company, CompanyInvitation, CompanyMembership


def search_term(value: str, limit: int = 100) -> str:
    """A search term: bounded, trimmed, without NUL (PostgreSQL refuses it)."""
    return value.replace("\x00", "")[:limit].strip()


def company_list_verified_for_user(*, user) -> QuerySet[Company]:
    if not user.is_authenticated:
        return Company.objects.none()
    return Company.objects.filter(
        memberships__user=user, verified_at__isnull=False, closed_at__isnull=True
    )


def company_list_public(*, q: str = "") -> QuerySet[Company]:
    qs = Company.objects.filter(closed_at__isnull=True)
    if q := search_term(q):
        qs = qs.filter(Q(name__icontains=q) | Q(city__icontains=q))
    return qs.order_by("name")


def company_get_public(*, slug: str) -> Company:
    company = Company.objects.filter(slug=slug, closed_at__isnull=True).first()
    if company is None:
        raise Http404
    return company


@dataclass(frozen=True)
class CompanyPage:
    company: Company
    membership: CompanyMembership | None  # the visitor's own
    shown_members: list[CompanyMembership]  # those who chose to be shown


def company_page_for_user(*, slug: str, user) -> CompanyPage:
    """An open company's page: its members who chose to be shown (by name,
    open accounts only) and the visitor's own membership, if any."""
    company = company_get_public(slug=slug)
    members = list(
        CompanyMembership.objects.filter(company=company)
        .filter(
            Q(show_on_page=True, user__closed_at__isnull=True, user__is_active=True)
            | Q(user_id=user.pk if user.is_authenticated else None)
        )
        .select_related("user")
        .only("role", "show_on_page", "user_id", "user__name", "company_id")
        .order_by("role", "user__name", "pk")
    )
    own = next((m for m in members if m.user_id == user.pk), None)
    shown = [m for m in members if m.show_on_page and m.user.name]
    return CompanyPage(company=company, membership=own, shown_members=shown)


def membership_get_for_user(*, slug: str, user) -> CompanyMembership:
    """The member's own membership of an open company; 404 for anyone else."""
    membership = (
        CompanyMembership.objects.filter(
            company__slug=slug, company__closed_at__isnull=True, user=user
        )
        .select_related("company")
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def company_role_for_user(*, company: Company, user) -> str | None:
    if not user.is_authenticated:
        return None
    return (
        CompanyMembership.objects.filter(company=company, user=user)
        .values_list("role", flat=True)
        .first()
    )


def company_get_for_owner(*, slug: str, user) -> Company:
    """Edit and invite pages: owners only; everyone else gets 404."""
    company = company_get_public(slug=slug)
    if (
        company_role_for_user(company=company, user=user)
        != CompanyMembership.Role.OWNER
    ):
        raise Http404
    return company


def company_list_memberless(*, company_ids=None) -> QuerySet[Company]:
    """Open companies with no member whose account is open (to be closed).

    ``company_ids`` (ids or a subquery of them) narrows the search.
    """
    live = CompanyMembership.objects.filter(
        company=OuterRef("pk"),
        user__closed_at__isnull=True,
        user__anonymised_at__isnull=True,
    )
    companies = Company.objects.filter(closed_at__isnull=True).filter(~Exists(live))
    if company_ids is not None:
        companies = companies.filter(pk__in=company_ids)
    return companies


def company_invitation_get(*, token: str) -> CompanyInvitation | None:
    """The open invitation a link's token belongs to, or None."""
    return (
        CompanyInvitation.objects.select_related("company")
        .filter(
            token_hash=token_hash(token),
            accepted_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )


def membership_list_for_user(*, user) -> QuerySet[CompanyMembership]:
    return CompanyMembership.objects.filter(user=user).select_related("company")
