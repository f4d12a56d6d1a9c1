"""Reads for freelancer profiles: the one public rule, the directory and its
filters, profile pages, photos, CVs and who may download them.

One rule says whether a freelancer profile is public: ``_public_q`` (the
directory's). Pages, the API, photos and CVs all ask it, in SQL, so a profile
that is unpublished, restricted, closed or whose account is deactivated
(``is_active=False``) disappears from every path at once.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
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
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from profiles.models import (
    Company,
    CvDownload,
    FreelancerProfile,
    FreelancerSlugHistory,
    Skill,
)
from profiles.search import freelancer_text_search
from profiles.selectors.companies import company_list_verified_for_user, search_term


def _public_q(prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}published_at__isnull": False,
            f"{prefix}restricted_at__isnull": True,
            f"{prefix}user__closed_at__isnull": True,
            f"{prefix}user__is_active": True,
        }
    )


def freelancer_public_q(prefix: str = "") -> Q:
    """The public rule as a condition, for rows that point at a profile
    through ``prefix`` (e.g. ``"profile__"``: a shortlist's entries)."""
    return _public_q(prefix)


def _with_public(qs: QuerySet[FreelancerProfile]) -> QuerySet[FreelancerProfile]:
    """Annotate ``public``: the directory's rule, evaluated by the database."""
    return qs.annotate(
        public=ExpressionWrapper(_public_q(), output_field=BooleanField())
    )


#: The directory's orders: "relevance" the best match first with search
#: text (``profiles.search``), else the latest published; "newest" the latest
#: published first; "availability" who can start soonest first.
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
    region: str = "",
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
    With ``q``, the full-text search (``profiles/search.py``) runs last, over
    the filtered profiles, and orders by relevance unless ``sort`` says
    otherwise; without it, newest first. ``sort="availability"`` without
    search text on PostgreSQL returns an ``AvailabilityOrder`` (a sequence
    that pages like a queryset: ``count()`` and slices), not a queryset.
    """
    qs = FreelancerProfile.objects.filter(_public_q())
    if skill := slugify(search_term(skill, 70))[:70]:
        skill_id = _skill_id(skill)
        if skill_id is None:  # no such competence: nobody has it
            return _card_columns(qs.none())
        # A semi-join on the competence's id, not a join on its slug: no
        # repeated rows to fold away, and the planner sees how common that
        # id is (its statistics), so it starts from whichever side is rarer.
        qs = qs.filter(
            Exists(
                FreelancerProfile.skills.through.objects.filter(
                    freelancerprofile_id=OuterRef("pk"), skill_id=skill_id
                )
            )
        )
    if city := search_term(city):
        qs = qs.filter(city__iexact=city)
    if region:  # a Region value (checked by the form)
        qs = qs.filter(region=region)
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
        if connection.vendor == "postgresql":
            qs = qs.filter(languages__contains=[language])  # jsonb @>
        else:  # SQLite (make run): the stored JSON text holds "xx"
            qs = qs.filter(languages__icontains=f'"{language}"')
    if work_mode:
        qs = qs.filter(work_mode=work_mode)
    if q := search_term(q):
        # Last, after every filter: the search caps its candidates. With a
        # city, they are walked in the city index's order; with a competence,
        # found by one scan from its holders; else newest first (``walk``).
        walk = (Upper("city"), "pk") if city else () if skill else None
        qs = freelancer_text_search(qs, q, walk=walk)
    if sort == "availability" and not q and connection.vendor == "postgresql":
        return AvailabilityOrder(qs, timezone.localdate())
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
        ).order_by(
            "soonest",
            F("available_from").asc(nulls_last=True),
            "-published_at",
            "pk",
        )
    elif sort == "newest" or not qs.ordered:
        # With a search, "newest" orders its (ranked) matches by publication.
        qs = qs.order_by("-published_at", "pk")
    return _card_columns(qs)


class AvailabilityOrder:
    """The profiles of ``profiles`` in the directory's availability order (the
    soonest available first: now or from a date already passed, then from a
    later date, then not said, then not available; each by date, then the
    latest published), as a sequence a ``Paginator`` can page: ``count()``
    and slicing, a slice being a queryset of the page's rows.

    Why not ``ORDER BY`` that order: it depends on today's date, so no index
    can hold it, and PostgreSQL read and sorted the whole directory for every
    page (1 s at 1M profiles). It is, though, six ranges of one index
    (``freelancer_avail_walk_idx``: availability, date, publication,
    id) taken in a fixed order. A slice reads them in one statement, each
    range walked in its index order and cut at the slice's end, and sorts the
    few rows that come back; then the page's rows by primary key, under the
    public rule again. The ranges cover every profile because the database
    allows no other availability and no date without "from"
    (``freelancer_availability_known``, ``freelancer_available_from_only_from``).
    PostgreSQL only (``make run``'s SQLite sorts the rows, which is fine at its
    size)."""

    ORDER = (F("available_from").asc(nulls_last=True), "-published_at", "pk")

    def __init__(self, profiles: QuerySet[FreelancerProfile], today):
        A = FreelancerProfile.Availability
        self.profiles = profiles
        self.ranges = [
            Q(availability=A.FROM, available_from__lte=today),
            Q(availability=A.NOW),
            Q(availability=A.FROM, available_from__gt=today),
            Q(availability=A.FROM, available_from__isnull=True),
            Q(availability=""),
            Q(availability=A.NOT),
        ]

    def count(self) -> int:
        return self.profiles.count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        return iter(self[0 : self.count()])

    def __getitem__(self, index):
        if isinstance(index, int):
            rows = list(self[index : index + 1])
            if not rows:
                raise IndexError(index)
            return rows[0]
        start, stop = index.start or 0, index.stop
        if stop is None:
            stop = self.count()
        if index.step is not None or start < 0 or stop <= start:
            return _card_columns(FreelancerProfile.objects.none())
        parts = [
            self.profiles.filter(condition)
            .annotate(availability_range=Value(position))
            .order_by(*self.ORDER)
            .values_list("pk", "availability_range", "available_from", "published_at")[
                :stop
            ]
            for position, condition in enumerate(self.ranges)
        ]
        page = (
            parts[0]
            .union(*parts[1:], all=True)
            .order_by("availability_range", *self.ORDER)[start:stop]
        )
        ids = [pk for pk, *_ in page]
        return freelancer_list_public_in_order(ids=ids)


SKILL_ID_TTL = 300  # seconds


def _skill_id(slug: str) -> int | None:
    """The primary key of the competence ``slug``, cached (competences are
    public and rarely change): the directory's filter costs no query for it
    when warm. An unknown slug is asked each time (it may be added)."""
    key = "profiles:skill-id:" + slug
    pk = cache.get(key)
    if pk is None:
        pk = Skill.objects.filter(slug=slug).values_list("pk", flat=True).first()
        if pk is not None:
            cache.set(key, pk, SKILL_ID_TTL)
    return pk


#: What a directory card shows (``profiles/_freelancer_card.html``).
CARD_FIELDS = (
    "slug",
    "full_name",
    "headline",
    "city",
    "region",
    "country",
    "photo_thumbnail",
    "published_at",
    "availability",
    "available_from",
    "rate_min",
    "rate_max",
    "work_mode",
)


def _card_columns(qs: QuerySet[FreelancerProfile]) -> QuerySet[FreelancerProfile]:
    return qs.only(*CARD_FIELDS).prefetch_related(
        Prefetch("skills", queryset=Skill.objects.only("name", "slug"))
    )


def freelancer_list_public_in_order(*, ids: list[int]) -> QuerySet[FreelancerProfile]:
    """The profiles of ``ids`` (a search's ranked primary keys) that are
    public right now, in the order of ``ids``: the rule is asked live, so a
    profile that stopped being public since the ranking is simply left out."""
    if not ids:
        return FreelancerProfile.objects.none()
    table = FreelancerProfile._meta.db_table
    # PostgreSQL (the ranked search is PostgreSQL's): one array_position(),
    # where a CASE of one WHEN per id cost the ORM milliseconds to build.
    position = RawSQL(  # noqa: S611 - the table name is the model's; ids are parameters
        f'array_position(%s::bigint[], "{table}"."id")',
        ([int(pk) for pk in ids],),
        output_field=IntegerField(),
    )
    return _card_columns(
        FreelancerProfile.objects.filter(_public_q(), pk__in=ids).order_by(position)
    )


def skill_names_suggest(*, prefix: str, limit: int = 10) -> list[str]:
    """Names of competences starting with ``prefix`` that at least one public
    profile lists (public data only), for the directory's autocomplete."""
    prefix = search_term(prefix, 60)
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


def freelancer_is_public(*, profile: FreelancerProfile) -> bool:
    """Whether the directory shows ``profile`` now (the one rule, asked in SQL:
    an inquiry may only reach a profile anyone may see)."""
    return FreelancerProfile.objects.filter(_public_q(), pk=profile.pk).exists()
