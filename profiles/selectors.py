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

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.http import Http404
from django.utils import timezone

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
from profiles.search import freelancer_text_search


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


def freelancer_list_public(
    *, q: str = "", skill: str = "", city: str = ""
) -> QuerySet[FreelancerProfile]:
    """Published profiles matching the filters, skills prefetched; with ``q``
    the best match first (``profiles/search.py``), otherwise newest first."""
    qs = FreelancerProfile.objects.filter(_public_q())
    if skill := _term(skill, 70):
        qs = qs.filter(skills__slug=skill)
    if city := _term(city):
        qs = qs.filter(city__iexact=city)
    if skill:
        # Filtering across skills can repeat a row; keep each profile once.
        qs = FreelancerProfile.objects.filter(pk__in=qs.values("pk"))
    if q := _term(q):
        # Last, after every filter: the search caps its candidates.
        qs = freelancer_text_search(qs, q)
    if not qs.ordered:
        qs = qs.order_by("-published_at", "pk")
    return qs.only(
        "slug",
        "full_name",
        "headline",
        "city",
        "country",
        "photo_thumbnail",
        "published_at",
    ).prefetch_related(Prefetch("skills", queryset=Skill.objects.only("name", "slug")))


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


def freelancer_profile_completeness(*, profile: FreelancerProfile | None) -> int:
    """How much of the profile is filled in, in percent (the dashboard's bar)."""
    if profile is None:
        return 0
    checks = [
        profile.full_name,
        profile.headline,
        profile.bio,
        profile.city,
        profile.phone,
        profile.photo,
        profile.cv,
        profile.skills.exists(),
    ]
    return round(100 * sum(bool(c) for c in checks) / len(checks))


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
