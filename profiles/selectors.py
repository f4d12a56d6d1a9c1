"""Reads, and every "may this user see that" decision for profiles and companies.

A profile someone may not see answers 404, never 403, so slugs cannot be probed.

One rule says whether a freelancer profile is public: ``_public_q`` (the
directory's). Pages, the API, photos and CVs all ask it, in SQL, so a profile
that is unpublished, restricted, closed or whose account is deactivated
(``is_active=False``) disappears from every path at once.

Staff powers (``user.has_perm``) count only for staff with a TOTP authenticator:
``User.has_perm`` asks ``user_has_staff_powers``, so every check here, in the
API, the media views and the admin follows the one rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from core.crypto import token_hash
from profiles.models import (
    ApiToken,
    Company,
    CompanyInvitation,
    CompanyMembership,
    CvDownload,
    FreelancerProfile,
    FreelancerSlugHistory,
    Skill,
)


def _public_q(prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}published_at__isnull": False,
            f"{prefix}restricted_at__isnull": True,
            f"{prefix}user__closed_at__isnull": True,
            f"{prefix}user__is_active": True,
        }
    )


def _with_public(qs: QuerySet[FreelancerProfile]) -> QuerySet[FreelancerProfile]:
    """Annotate ``public``: the directory's rule, evaluated by the database."""
    return qs.annotate(
        public=ExpressionWrapper(_public_q(), output_field=BooleanField())
    )


def _term(value: str, limit: int = 100) -> str:
    """A search term: bounded, trimmed, without NUL (PostgreSQL refuses it)."""
    return value.replace("\x00", "")[:limit].strip()


#: The directory's orders: "relevance" is today's order until full-text
#: ranking arrives (a later issue); "newest" the latest published first;
#: "availability" who can start soonest first.
DIRECTORY_SORTS = ("relevance", "newest", "availability")


def _available_by_q(day) -> Q:
    """Available on ``day``: now, or from a date no later than it."""
    return Q(availability=FreelancerProfile.Availability.NOW) | Q(
        availability=FreelancerProfile.Availability.FROM, available_from__lte=day
    )


def freelancer_list_public(
    *,
    q: str = "",
    skill: str = "",
    city: str = "",
    available_by=None,
    rate_min: int | None = None,
    rate_max: int | None = None,
    language: str = "",
    work_mode: str = "",
    sort: str = "relevance",
) -> QuerySet[FreelancerProfile]:
    """Published profiles matching the search and filters, skills prefetched.

    Filters take values already checked (``DirectoryFilterForm``). A rate
    range keeps profiles whose own range overlaps it (a profile with no rate
    drops out). Every filter is one indexed condition on the profile row
    (or a semi-join on skills), so the page's query count does not change.
    """
    qs = FreelancerProfile.objects.filter(_public_q())
    if q := _term(q):
        skill_ids = Skill.objects.filter(name__icontains=q).values("pk")
        qs = qs.filter(
            Q(full_name__icontains=q)
            | Q(headline__icontains=q)
            | Q(company_name__icontains=q)
            | Q(skills__in=skill_ids)
        )
    if skill := slugify(_term(skill, 70))[:70]:
        qs = qs.filter(skills__slug=skill)
    if city := _term(city):
        qs = qs.filter(city__iexact=city)
    if available_by is not None:
        qs = qs.filter(_available_by_q(available_by))
    if rate_min is not None:
        qs = qs.filter(
            Q(rate_max__gte=rate_min) | Q(rate_max__isnull=True, rate_min__gte=rate_min)
        )
    if rate_max is not None:
        qs = qs.filter(
            Q(rate_min__lte=rate_max) | Q(rate_min__isnull=True, rate_max__lte=rate_max)
        )
    if language:
        qs = qs.filter(languages__contains=[language])
    if work_mode:
        qs = qs.filter(work_mode=work_mode)
    if q or skill:
        # Filtering across skills can repeat a row; keep each profile once.
        qs = FreelancerProfile.objects.filter(pk__in=qs.values("pk"))
    if sort == "availability":
        today = timezone.localdate()
        qs = qs.annotate(
            soonest=Case(
                When(_available_by_q(today), then=Value(0)),
                When(availability=FreelancerProfile.Availability.FROM, then=Value(1)),
                When(availability="", then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            )
        )
        order = ["soonest", F("available_from").asc(nulls_last=True), "-published_at"]
    else:
        order = ["-published_at"]
    return (
        qs.only(
            "slug",
            "full_name",
            "headline",
            "city",
            "country",
            "photo_thumbnail",
            "published_at",
            "availability",
            "available_from",
            "rate_min",
            "rate_max",
            "work_mode",
        )
        .prefetch_related(
            Prefetch("skills", queryset=Skill.objects.only("name", "slug"))
        )
        .order_by(*order, "pk")
    )


def skill_names_suggest(*, prefix: str, limit: int = 10) -> list[str]:
    """Names of competences starting with ``prefix`` that at least one public
    profile lists (public data only), for the directory's autocomplete."""
    prefix = _term(prefix, 60)
    if not prefix:
        return []
    public = FreelancerProfile.objects.filter(_public_q(), skills=OuterRef("pk"))
    return list(
        Skill.objects.filter(name__istartswith=prefix)
        .filter(Exists(public))
        .order_by("name")
        .values_list("name", flat=True)[:limit]
    )


def freelancer_get_public(*, slug: str) -> FreelancerProfile:
    profile = (
        FreelancerProfile.objects.filter(_public_q(), slug=slug)
        .select_related("user")
        .prefetch_related("skills")
        .first()
    )
    if profile is None:
        raise Http404
    return profile


def freelancer_public_stamp(*, slug: str) -> tuple[int, object, str] | None:
    """(pk, updated_at, full_name) of a public profile, or None: one query
    that says whether the page may be shown and which version of it."""
    return (
        FreelancerProfile.objects.filter(_public_q(), slug=slug)
        .values_list("pk", "updated_at", "full_name")
        .first()
    )


def freelancer_get_for_user(*, slug: str, user) -> FreelancerProfile:
    """The profile page: public ones for all; others only for the owner and staff."""
    profile = (
        _with_public(FreelancerProfile.objects.filter(slug=slug))
        .select_related("user")
        .prefetch_related("skills")
        .first()
    )
    if profile is None:
        raise Http404
    if profile.public:
        return profile
    if user.is_authenticated and (
        profile.user_id == user.pk or user.has_perm("profiles.view_freelancerprofile")
    ):
        return profile
    raise Http404


def freelancer_current_slug(*, old_slug: str) -> str | None:
    """The profile's slug now, when ``old_slug`` is one it had (for a redirect)."""
    return (
        FreelancerSlugHistory.objects.filter(slug=old_slug)
        .values_list("profile__slug", flat=True)
        .first()
    )


def photo_file_is_visible(*, name: str, user) -> bool:
    """May ``user`` see the photo or logo file ``name`` (a storage name)?

    A freelancer's photo while the profile is public, and always to its owner
    and staff who may view profiles; a company logo while the company is
    open. A restricted, unpublished, closed or erased profile's photo is
    therefore unreachable at once, even by someone who kept its URL.
    """
    profile = (
        _with_public(
            FreelancerProfile.objects.filter(Q(photo=name) | Q(photo_thumbnail=name))
        )
        .only("user_id")
        .first()
    )
    if profile is not None:
        if profile.public:
            return True
        return user.is_authenticated and (
            profile.user_id == user.pk
            or user.has_perm("profiles.view_freelancerprofile")
        )
    return Company.objects.filter(
        Q(logo=name) | Q(logo_thumbnail=name), closed_at__isnull=True
    ).exists()


def freelancer_profile_for_owner(*, user) -> FreelancerProfile | None:
    return (
        FreelancerProfile.objects.filter(user=user).prefetch_related("skills").first()
    )


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


def company_list_verified_for_user(*, user) -> QuerySet[Company]:
    if not user.is_authenticated:
        return Company.objects.none()
    return Company.objects.filter(
        memberships__user=user, verified_at__isnull=False, closed_at__isnull=True
    )


def _is_public(profile: FreelancerProfile) -> bool:
    public = getattr(profile, "public", None)
    if public is None:
        public = FreelancerProfile.objects.filter(_public_q(), pk=profile.pk).exists()
    return public


def cv_download_access_for_user(
    *, profile: FreelancerProfile, user
) -> tuple[bool, Company | None]:
    """Who may download a CV, and as which company.

    The owner; staff with the permission; logged-in members of a verified
    company (recorded as recipients) when the profile is public.
    """
    if not user.is_authenticated or not profile.cv:
        return False, None
    if profile.user_id == user.pk:
        return True, None
    if user.is_staff and user.has_perm("profiles.download_any_cv"):
        return True, None
    if _is_public(profile):
        company = company_list_verified_for_user(user=user).first()
        if company is not None:
            return True, company
    return False, None


def cv_recipient_list_for_owner(*, user) -> QuerySet[CvDownload]:
    return CvDownload.objects.filter(profile__user=user).order_by("-downloaded_at")


def company_list_public(*, q: str = "") -> QuerySet[Company]:
    qs = Company.objects.filter(closed_at__isnull=True)
    if q := _term(q):
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


def api_token_list_for_user(*, user) -> QuerySet[ApiToken]:
    """The member's API tokens that have not expired, newest first."""
    return ApiToken.objects.filter(
        Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()), user=user
    ).order_by("-created", "-pk")


def api_token_get_for_user(*, user, pk: int) -> ApiToken:
    token = ApiToken.objects.filter(user=user, pk=pk).select_related("user").first()
    if token is None:
        raise Http404
    return token


def freelancer_is_public(*, profile: FreelancerProfile) -> bool:
    """Whether the directory shows ``profile`` now (the one rule, asked in SQL:
    an inquiry may only reach a profile anyone may see)."""
    return FreelancerProfile.objects.filter(_public_q(), pk=profile.pk).exists()
