"""The member's dashboard: the freelancer checklist and its completeness
figure, and a checklist per company the member owns (one home for both)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from profiles.models import CompanyMembership, FreelancerProfile, Skill


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    done: bool
    url: str


@dataclass(frozen=True)
class CompanyChecklist:
    membership: CompanyMembership
    items: list[ChecklistItem]

    @property
    def missing(self) -> list[ChecklistItem]:
        return [item for item in self.items if not item.done]


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard offers, by the member's role (``dashboard_for_user``)."""

    role: str
    profile: FreelancerProfile | None
    items: list[ChecklistItem]  # the freelancer's checklist
    companies: list[CompanyChecklist]
    memberships: list[CompanyMembership]

    @property
    def completeness(self) -> int:
        if not self.items:
            return 0
        return round(100 * sum(item.done for item in self.items) / len(self.items))

    @property
    def missing(self) -> list[ChecklistItem]:
        return [item for item in self.items if not item.done]


def freelancer_checklist(*, profile: FreelancerProfile | None) -> list[ChecklistItem]:
    """The steps to a good public profile, each done or not (the dashboard's
    checklist and its completeness figure). A photo exists only with its
    publication consent (``freelancer_photo_set``), so "photo" means both."""
    has_skills = profile is not None and bool(profile.skills.all())
    p = profile
    return [
        ChecklistItem(
            "profile",
            _("Name, headline, about text and city"),
            bool(p and p.full_name and p.headline and p.bio and p.city),
            reverse("profiles:profile_edit"),
        ),
        ChecklistItem(
            "photo",
            _("A photo, published with your consent"),
            bool(p and p.photo),
            reverse("profiles:profile_photo"),
        ),
        ChecklistItem(
            "cv", _("Your CV"), bool(p and p.cv), reverse("profiles:profile_cv")
        ),
        ChecklistItem(
            "skills",
            _("Your competences"),
            has_skills,
            reverse("profiles:profile_edit"),
        ),
        ChecklistItem(
            "publish",
            _("Publish your profile"),
            bool(p and p.published_at),
            reverse("profiles:profile_publish"),
        ),
    ]


def company_checklist(*, membership: CompanyMembership) -> list[ChecklistItem]:
    """An owner's steps for their company page (``invited``, ``members``
    annotated by ``dashboard_for_user``)."""
    company = membership.company
    edit = reverse("profiles:company_edit", kwargs={"slug": company.slug})
    return [
        ChecklistItem(
            "details",
            _("Description, city and logo"),
            bool(company.description and company.city and company.logo),
            edit,
        ),
        ChecklistItem(
            "cvr",
            _("CVR number checked by staff"),
            bool(company.cvr and company.verified_at),
            edit,
        ),
        ChecklistItem(
            "team",
            _("Invite your team"),
            membership.invited > 0 or membership.members > 1,
            reverse("profiles:company_invite", kwargs={"slug": company.slug}),
        ),
    ]


def dashboard_for_user(*, user) -> Dashboard:
    """The member's dashboard in a fixed number of queries: the role they
    signed up with (or, for older accounts, what they have: a company they
    own and no profile makes a company member), the freelancer checklist and
    a checklist per company they own."""
    profile = (
        FreelancerProfile.objects.filter(user=user)
        .prefetch_related(Prefetch("skills", queryset=Skill.objects.only("pk")))
        .first()
    )
    memberships = list(
        CompanyMembership.objects.filter(user=user, company__closed_at__isnull=True)
        .select_related("company")
        .annotate(
            invited=Count("company__invitations", distinct=True),
            members=Count("company__memberships", distinct=True),
        )
        .order_by("company__name")
    )
    owned = [m for m in memberships if m.role == CompanyMembership.Role.OWNER]
    role = user.role or ("company" if owned and profile is None else "freelancer")
    return Dashboard(
        role=role,
        profile=profile,
        items=freelancer_checklist(profile=profile),
        companies=[
            CompanyChecklist(membership=m, items=company_checklist(membership=m))
            for m in owned
        ],
        memberships=memberships,
    )
