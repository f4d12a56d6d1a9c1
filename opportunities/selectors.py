"""Reads of opportunities, and every "may this user" decision for them.

- Anyone reads an opportunity of an open company (closed or past its
  deadline, the page says so); the listing shows only open ones before
  their deadline.
- Editing and closing: members of the company, while it is verified and
  open (``engagements.selectors.inquiry_companies_for_user``, the same rule
  as sending an inquiry); anyone else gets 404.
- Alerts: the freelancer's own, only for a user with a freelancer profile.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from consent.mail import email_preferences_get
from engagements.selectors import inquiry_companies_for_user
from opportunities.models import (
    Opportunity,
    OpportunityAlert,
    OpportunityInterest,
    WorkMode,
)
from profiles.models import Company, FreelancerProfile, Skill


def opportunity_companies_for_user(*, user) -> QuerySet[Company]:
    """Companies ``user`` may post opportunities for (the inquiry rule)."""
    return inquiry_companies_for_user(user=user)


def _listed_q(prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}status": Opportunity.Status.OPEN,
            f"{prefix}deadline__gte": timezone.localdate(),
            f"{prefix}company__closed_at__isnull": True,
        }
    )


def skill_find(value: str) -> Skill | None:
    """The skill named by id, slug or (case-insensitive) name."""
    value = (value or "").strip().replace("\x00", "")
    if not value:
        return None
    if value.isdigit():
        found = Skill.objects.filter(pk=int(value)).first()
        if found:
            return found
    return Skill.objects.filter(Q(slug=value) | Q(name__iexact=value)).first()


def opportunity_list_public(
    *, skill: str = "", remote: bool | None = None
) -> QuerySet[Opportunity]:
    """Open opportunities before their deadline, newest first; ``skill`` (id,
    slug or name) and ``remote`` (True: remote or hybrid) narrow it. An
    unknown skill matches nothing."""
    queryset = Opportunity.objects.filter(_listed_q())
    if skill:
        found = skill_find(skill)
        if found is None:
            return Opportunity.objects.none()
        queryset = queryset.filter(skills=found)
    if remote is True:
        queryset = queryset.filter(work_mode__in=[WorkMode.REMOTE, WorkMode.HYBRID])
    elif remote is False:
        queryset = queryset.filter(work_mode=WorkMode.ONSITE)
    return (
        queryset.select_related("company")
        .prefetch_related("skills")
        .order_by("-created_at", "-pk")
    )


def opportunity_get_public(*, pk) -> Opportunity:
    """Any opportunity of an open company (closed ones too: the page says so)."""
    opportunity = (
        Opportunity.objects.filter(pk=pk, company__closed_at__isnull=True)
        .select_related("company")
        .prefetch_related("skills")
        .first()
        if str(pk).isdigit()
        else None
    )
    if opportunity is None:
        raise Http404
    return opportunity


def opportunity_get_for_member(*, user, pk) -> Opportunity:
    """The opportunity, for a member of its verified, open company; else 404."""
    if not user.is_authenticated or not str(pk).isdigit():
        raise Http404
    opportunity = (
        Opportunity.objects.filter(
            pk=pk, company__in=opportunity_companies_for_user(user=user)
        )
        .select_related("company")
        .prefetch_related("skills")
        .first()
    )
    if opportunity is None:
        raise Http404
    return opportunity


def opportunity_list_for_member(*, user) -> QuerySet[Opportunity]:
    """Opportunities of the companies ``user`` may post for, with counts."""
    return (
        Opportunity.objects.filter(
            company__in=opportunity_companies_for_user(user=user)
        )
        .select_related("company")
        .annotate(interest_count=Count("interests", distinct=True))
        .order_by("-created_at", "-pk")
    )


def opportunity_may_edit(*, user, opportunity: Opportunity) -> bool:
    return (
        user.is_authenticated
        and opportunity_companies_for_user(user=user)
        .filter(pk=opportunity.company_id)
        .exists()
    )


def freelancer_for_user(*, user) -> FreelancerProfile | None:
    if not user.is_authenticated:
        return None
    return FreelancerProfile.objects.filter(user=user).first()


def alert_get_for_user(*, user) -> OpportunityAlert | None:
    """The freelancer's alert (None when not set yet); 404 for a user
    without a freelancer profile."""
    if freelancer_for_user(user=user) is None:
        raise Http404
    return OpportunityAlert.objects.filter(user=user).first()


def interest_get(*, opportunity: Opportunity, user) -> OpportunityInterest | None:
    if not user.is_authenticated:
        return None
    return OpportunityInterest.objects.filter(
        opportunity=opportunity, user=user
    ).first()


def alert_subscribed(*, user) -> bool:
    """Whether the member has granted Purpose.OPPORTUNITY_EMAIL now."""
    return bool(email_preferences_get(user=user)["opportunities"])
