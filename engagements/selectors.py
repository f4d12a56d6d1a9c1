"""Reads, and every "may this user see that" decision for engagements.

The parties of a thread, an engagement, its contracts, hours and invoices are
the freelancer (the profile's user) and the company (any of its members while
the company is open). Nobody else sees them on the site or through the API:
every ``*_for_user`` answers 404 for anyone else, so ids cannot be probed.
Staff read them only in the admin (with permission and MFA); the messages of
a thread only through the audited review of a reported thread.
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from engagements.models import (
    CompanyBlock,
    ContractVersion,
    Engagement,
    HoursReport,
    Invoice,
    Party,
    Thread,
)
from profiles.models import Company, CompanyMembership, FreelancerProfile


def _party_q(user, prefix: str = "") -> Q:
    """Rows where ``user`` is a party: the freelancer, or a member of the
    (open) company."""
    member = CompanyMembership.objects.filter(
        company=OuterRef(f"{prefix}company"), user=user
    )
    return Q(**{f"{prefix}freelancer__user": user}) | Q(
        Exists(member), **{f"{prefix}company__closed_at__isnull": True}
    )


def party_of(*, user, company_id: int, freelancer_user_id: int) -> str | None:
    """``Party.FREELANCER``, ``Party.COMPANY`` or None for ``user``."""
    if not user.is_authenticated:
        return None
    if freelancer_user_id == user.pk:
        return Party.FREELANCER
    if CompanyMembership.objects.filter(
        company_id=company_id, user=user, company__closed_at__isnull=True
    ).exists():
        return Party.COMPANY
    return None


# --- Threads ----------


def _party_object(queryset: QuerySet, *, pk, user, via: str = ""):
    """Row ``pk`` of ``queryset`` and ``user``'s party in the thread or
    engagement it belongs to (itself, or the relation ``via``); 404 for a pk
    that is not a number, a missing row and anyone who is not a party."""
    obj = queryset.filter(pk=pk).first() if str(pk).isdigit() else None
    if obj is None:
        raise Http404
    owner = getattr(obj, via) if via else obj
    party = party_of(
        user=user,
        company_id=owner.company_id,
        freelancer_user_id=owner.freelancer.user_id,
    )
    if party is None:
        raise Http404
    return obj, party


def thread_list_for_user(*, user) -> QuerySet[Thread]:
    if not user.is_authenticated:
        return Thread.objects.none()
    return (
        Thread.objects.filter(_party_q(user))
        .select_related("company", "freelancer")
        .order_by("-last_activity_at")
    )


def thread_get_for_user(*, user, pk) -> tuple[Thread, str]:
    """The thread and the user's party in it; 404 for anyone else."""
    return _party_object(
        Thread.objects.select_related("company", "freelancer"), pk=pk, user=user
    )


def thread_contact_visible(*, thread: Thread, party: str) -> bool:
    """The company sees the freelancer's e-mail and phone only after accept."""
    return party == Party.FREELANCER or thread.contact_shared_at is not None


def company_is_blocked(*, company: Company, freelancer: FreelancerProfile) -> bool:
    return CompanyBlock.objects.filter(company=company, freelancer=freelancer).exists()


def company_block_list_for_owner(*, user) -> QuerySet[CompanyBlock]:
    return CompanyBlock.objects.filter(freelancer__user=user).select_related("company")


def inquiry_companies_for_user(*, user) -> QuerySet[Company]:
    """Companies ``user`` may send inquiries for: verified, open, a member."""
    if not user.is_authenticated:
        return Company.objects.none()
    return Company.objects.filter(
        memberships__user=user, verified_at__isnull=False, closed_at__isnull=True
    ).order_by("name")


def thread_unread_count_for_user(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return (
        # One filter() call: both conditions on the same participation row.
        Thread.objects.filter(
            Q(participations__user=user)
            & (
                Q(participations__last_read_at__isnull=True)
                | Q(participations__last_read_at__lt=F("last_activity_at"))
            )
        ).count()
    )


# --- Engagements, contracts, hours, invoices ----------


def engagement_list_for_user(*, user) -> QuerySet[Engagement]:
    if not user.is_authenticated:
        return Engagement.objects.none()
    return (
        Engagement.objects.filter(_party_q(user))
        .select_related("company", "freelancer")
        .order_by("-created_at")
    )


def engagement_get_for_user(*, user, pk) -> tuple[Engagement, str]:
    return _party_object(
        Engagement.objects.select_related("company", "freelancer", "thread"),
        pk=pk,
        user=user,
    )


def contract_current(*, engagement: Engagement) -> ContractVersion | None:
    """The accepted version in force, else None."""
    return (
        engagement.versions.filter(status=ContractVersion.Status.ACCEPTED)
        .order_by("-number")
        .first()
    )


def contract_pending(*, engagement: Engagement) -> ContractVersion | None:
    return (
        engagement.versions.filter(status=ContractVersion.Status.PROPOSED)
        .order_by("-number")
        .first()
    )


def contract_get_for_user(*, user, pk) -> tuple[ContractVersion, str]:
    return _party_object(
        ContractVersion.objects.select_related(
            "engagement__company", "engagement__freelancer"
        ),
        pk=pk,
        user=user,
        via="engagement",
    )


def hours_get_for_user(*, user, pk) -> tuple[HoursReport, str]:
    return _party_object(
        HoursReport.objects.select_related(
            "engagement__company", "engagement__freelancer"
        ),
        pk=pk,
        user=user,
        via="engagement",
    )


def hours_list_for_engagement(*, engagement: Engagement) -> QuerySet[HoursReport]:
    return engagement.hours.order_by("-week")


def hours_approved_total(*, engagement: Engagement) -> object:
    return engagement.hours.filter(status=HoursReport.Status.APPROVED).aggregate(
        total=Sum("hours")
    )["total"]


def invoice_list_for_user(*, user) -> QuerySet[Invoice]:
    if not user.is_authenticated:
        return Invoice.objects.none()
    return (
        Invoice.objects.filter(_party_q(user, "engagement__"))
        .select_related("engagement")
        .order_by("-number")
    )


def invoice_get_for_user(*, user, pk) -> tuple[Invoice, str]:
    return _party_object(
        Invoice.objects.select_related(
            "engagement__company", "engagement__freelancer"
        ).prefetch_related("lines"),
        pk=pk,
        user=user,
        via="engagement",
    )


def invoices_overdue(*, today=None) -> QuerySet[Invoice]:
    """Unpaid, uncredited invoices past their due date (the admin's queue)."""
    today = today or timezone.localdate()
    return Invoice.objects.filter(
        kind=Invoice.Kind.INVOICE,
        paid_at__isnull=True,
        credited_at__isnull=True,
        due_date__lt=today,
    )


def engagements_active_count_for_user(*, user) -> int:
    """Active engagements ``user`` is a party to (the invoice mail preference
    cannot be switched off while one runs)."""
    if not user.is_authenticated:
        return 0
    return (
        Engagement.objects.filter(_party_q(user))
        .filter(status=Engagement.Status.ACTIVE, restricted_at__isnull=True)
        .count()
    )
