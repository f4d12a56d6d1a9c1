"""Writes for freelancer profiles: the profile, publishing, photo, CV, CPR.

One module (a little over 400 lines) because every service here acts on one
``FreelancerProfile`` and writes its owner's audit trail, and all are named
``freelancer_*``: a reader looking for any of them opens this file. Much of
it is the CPR number's oracle-proof storage and the photo's consent coupling,
which read best beside the profile they guard.

Invariants:
- A profile photo exists only while its owner's photo-publication consent is
  active: it is stored only with consent granted in the same transaction, and
  removing it or withdrawing consent deletes the files (after commit).
- The CPR number is stored only encrypted, with its keyed hash beside it; it is
  never logged or put into an audit event.
- Every change of personal data by a member or staff writes an audit event in
  the same transaction.
"""

from __future__ import annotations

from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from consent.models import Purpose
from consent.services import consent_record
from core.crypto import keyed_hash
from core.files import file_deletions_schedule
from core.ratelimit import Limit, hit
from privacy.services import audit_record, audited_save
from profiles import selectors
from profiles.identifiers import normalise_cpr
from profiles.models import (
    Company,
    CvDownload,
    FreelancerProfile,
    FreelancerSlugHistory,
    Skill,
    User,
)
from profiles.slugs import slug_generate
from profiles.storage import private_storage
from profiles.uploads import process_image, validate_cv

CPR_HASH_PURPOSE = "cpr"

# Fields a freelancer edits on their profile form / PATCH /api/v1/me/profile/.
PROFILE_FIELDS = (
    "full_name",
    "headline",
    "phone",
    "company_name",
    "website",
    "cvr",
    "street",
    "postal_code",
    "city",
    "country",
    "bio",
    "availability",
    "available_from",
    "rate_min",
    "rate_max",
    "languages",
    "years_experience",
    "work_mode",
    "portfolio_links",
)


# --- The profile --------------------------------------------------------------


def _freelancer_slug(*, full_name: str, email: str) -> str:
    """A public slug from the name, never from the e-mail address: a name that
    is the address's local part (the provisional name of a new profile) gives
    a random slug, so no part of the address is published or logged."""
    local = slugify(email.split("@", 1)[0])
    base = slugify(full_name)
    if not base or base == local:
        base = "profile"
    return slug_generate(base)


def skills_parse(text: str) -> list[str]:
    """Comma-separated skills, trimmed, de-duplicated case-insensitively."""
    seen: dict[str, str] = {}
    for raw in text.split(","):
        name = " ".join(raw.split())[:60]
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    if len(seen) > 30:
        raise ValidationError(_("List at most 30 skills."), code="too_many_skills")
    return list(seen.values())


def _skills_set(profile: FreelancerProfile, names: list[str]) -> None:
    skills = []
    for name in names:
        slug = slugify(name)[:70] or uuid4().hex[:8]
        skill = Skill.objects.filter(slug=slug).first()
        if skill is None:
            skill, _created = Skill.objects.get_or_create(
                slug=slug, defaults={"name": name}
            )
        skills.append(skill)
    profile.skills.set(skills)


@transaction.atomic
def freelancer_profile_create(*, user: User, full_name: str) -> FreelancerProfile:
    profile = FreelancerProfile.objects.create(
        user=user,
        full_name=full_name,
        slug=_freelancer_slug(full_name=full_name, email=user.email),
    )
    audit_record(actor=user, subject=user, action="profile.created")
    return profile


def freelancer_profile_ensure(*, user: User) -> FreelancerProfile:
    """The member's own profile, created on first use (site and API alike).

    A new profile starts with the name given at sign-up, or none: never the
    e-mail address's local part (the member fills the name in).
    """
    profile = selectors.freelancer_profile_for_owner(user=user)
    if profile is None:
        profile = freelancer_profile_create(user=user, full_name=user.name)
    return profile


@transaction.atomic
def freelancer_profile_update(
    *,
    profile: FreelancerProfile,
    actor: User,
    data: dict,
    skills: list[str] | None = None,
) -> FreelancerProfile:
    """Update the editable fields given in ``data`` (already validated).

    Compares against the stored row (a ModelForm may already have changed the
    caller's instance in memory), locked for the rest of the transaction.
    """
    profile = FreelancerProfile.objects.select_for_update().get(pk=profile.pk)
    changed = []
    for name in PROFILE_FIELDS:
        if name in data and getattr(profile, name) != data[name]:
            setattr(profile, name, data[name])
            changed.append(name)
    if "full_name" in changed:
        # The slug follows the name; the old one keeps redirecting.
        FreelancerSlugHistory.objects.get_or_create(
            slug=profile.slug, defaults={"profile": profile}
        )
        profile.slug = _freelancer_slug(
            full_name=profile.full_name, email=profile.user.email
        )
        changed.append("slug")
    if (
        "available_from" in changed
        and profile.availability == FreelancerProfile.Availability.FROM
        and profile.available_from is not None
        and profile.available_from < timezone.localdate()
    ):
        # Only a new date must lie ahead: a stored one simply passes.
        raise ValidationError(
            {"available_from": _("Choose today or a date in the future.")},
            code="past",
        )
    if profile.availability != FreelancerProfile.Availability.FROM:
        if profile.available_from is not None:
            profile.available_from = None
            if "available_from" not in changed:
                changed.append("available_from")
    if changed:
        profile.full_clean(exclude=["cpr", "cpr_hash", "slug", "user"])
        profile.save(update_fields=[*changed, "updated_at"])
    if skills is not None:
        _skills_set(profile, skills)
        changed.append("skills")
    if changed:
        audit_record(
            actor=actor,
            subject=profile.user,
            action="profile.updated",
            details={"fields": changed},
        )
    return profile


@transaction.atomic
def freelancer_admin_update(
    *, profile: FreelancerProfile, actor: User, fields, created: bool = False
) -> FreelancerProfile:
    """A staff edit of a profile in the admin: saved and audited together.

    The admin form has no CPR, files or restriction fields; those change only
    through their own services.
    """
    return audited_save(
        obj=profile,
        actor=actor,
        action="profile.changed_by_staff",
        fields=fields,
        created=created,
        subject=profile.user,
    )


# --- Publishing ---------------------------------------------------------------


@transaction.atomic
def freelancer_publish(*, profile: FreelancerProfile, actor: User) -> FreelancerProfile:
    if profile.restricted_at is not None or profile.user.closed_at is not None:
        raise ValidationError(
            _("This profile cannot be published while it is restricted or closed."),
            code="not_publishable",
        )
    if not profile.full_name.strip():
        raise ValidationError(_("Add your name before publishing."), code="incomplete")
    if profile.published_at is None:
        profile.published_at = timezone.now()
        profile.save(update_fields=["published_at", "updated_at"])
        audit_record(actor=actor, subject=profile.user, action="profile.published")
    return profile


@transaction.atomic
def freelancer_unpublish(*, profile: FreelancerProfile, actor: User):
    if profile.published_at is not None:
        profile.published_at = None
        profile.save(update_fields=["published_at", "updated_at"])
        audit_record(actor=actor, subject=profile.user, action="profile.unpublished")
    return profile


# --- CPR number -----------------------------------------------------------------


class CprChangeRateLimited(Exception):
    """Too many CPR changes by one member; ``retry_after`` seconds to wait."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def _cpr_change_limit() -> Limit:
    uses, window = settings.CPR_CHANGE_RATE_LIMIT
    return Limit(scope="cpr_change", limit=uses, window=window)


def freelancer_cpr_set(
    *, profile: FreelancerProfile, actor: User, cpr: str | None
) -> FreelancerProfile:
    """Store (or clear, with None/"") the CPR number, encrypted, with its hash.

    Never tells whether another profile holds the same number (that answer
    would be an oracle: try numbers from a known birth date until one is
    "taken"). A number found on another profile is stored all the same, both
    profiles are flagged for staff review (``cpr_review_at``) and the conflict
    is audited on both subjects. Setting a number is limited per member
    (CPR_CHANGE_RATE_LIMIT); a refused attempt is audited too.
    """
    if cpr:
        wait = hit(_cpr_change_limit(), f"user:{profile.user_id}")
        if wait is not None:
            with transaction.atomic():
                audit_record(
                    actor=actor,
                    subject=profile.user,
                    action="profile.cpr_rate_limited",
                    details={"retry_after": wait},
                )
            raise CprChangeRateLimited(wait)
    with transaction.atomic():
        return _cpr_store(profile=profile, actor=actor, cpr=cpr)


def _cpr_store(
    *, profile: FreelancerProfile, actor: User, cpr: str | None
) -> FreelancerProfile:
    others: list[FreelancerProfile] = []
    if cpr:
        cpr = normalise_cpr(cpr)
        digest = keyed_hash(cpr, purpose=CPR_HASH_PURPOSE)
        others = list(
            FreelancerProfile.objects.select_for_update()
            .filter(cpr_hash=digest)
            .exclude(pk=profile.pk)
            .select_related("user")
        )
        profile.cpr, profile.cpr_hash = cpr, digest
    else:
        profile.cpr, profile.cpr_hash = None, None
    fields = ["cpr", "cpr_hash", "updated_at"]
    if others:
        now = timezone.now()
        profile.cpr_review_at = now
        fields.append("cpr_review_at")
        FreelancerProfile.objects.filter(pk__in=[o.pk for o in others]).update(
            cpr_review_at=now
        )
    profile.save(update_fields=fields)
    audit_record(
        actor=actor,
        subject=profile.user,
        action="profile.cpr_set" if cpr else "profile.cpr_cleared",
    )
    for other in others:
        # On both subjects' trails: staff find the pair from either side.
        details = {"profiles": sorted([profile.pk, other.pk])}
        for subject in (profile.user, other.user):
            audit_record(
                actor=actor,
                subject=subject,
                action="profile.cpr_conflict",
                target=profile,
                details=details,
            )
    return profile


def freelancer_cpr_reveal(*, profile: FreelancerProfile, actor: User) -> str:
    """Return the plaintext CPR and record who saw whose, and when."""
    audit_record(actor=actor, subject=profile.user, action="profile.cpr_revealed")
    return profile.cpr or ""


# --- Photo ------------------------------------------------------------------------


@transaction.atomic
def freelancer_photo_set(
    *, profile: FreelancerProfile, actor: User, upload, consent_text: str
) -> FreelancerProfile:
    """Store a processed photo; the owner's publication consent is recorded with it."""
    processed = process_image(upload)
    old = [profile.photo.name, profile.photo_thumbnail.name]
    consent_record(
        purpose=Purpose.PROFILE_PHOTO,
        granted=True,
        source="profile",
        user=profile.user,
        shown_text=consent_text,
        actor=actor,
    )
    profile.photo.save(processed.image.name, processed.image, save=False)
    profile.photo_thumbnail.save(
        processed.thumbnail.name, processed.thumbnail, save=False
    )
    profile.save(update_fields=["photo", "photo_thumbnail", "updated_at"])
    file_deletions_schedule((default_storage, n) for n in old)
    audit_record(actor=actor, subject=profile.user, action="profile.photo_set")
    return profile


@transaction.atomic
def freelancer_photo_remove(
    *, profile: FreelancerProfile, actor: User, withdraw_consent: bool = True
) -> FreelancerProfile:
    """Unpublish the photo at once and delete its files after commit."""
    old = [profile.photo.name, profile.photo_thumbnail.name]
    FreelancerProfile.objects.filter(pk=profile.pk).update(
        photo="", photo_thumbnail="", updated_at=timezone.now()
    )
    profile.photo = profile.photo_thumbnail = ""
    if withdraw_consent:
        consent_record(
            purpose=Purpose.PROFILE_PHOTO,
            granted=False,
            source="profile",
            user=profile.user,
            actor=actor,
        )
    file_deletions_schedule((default_storage, n) for n in old)
    if any(old):
        audit_record(actor=actor, subject=profile.user, action="profile.photo_removed")
    return profile


def freelancer_photo_consent_withdrawn(*, user: User) -> None:
    """Consent withdrawn anywhere (banner, API, admin): the photo goes at once."""
    profile = FreelancerProfile.objects.filter(user=user).first()
    if profile is not None and (profile.photo or profile.photo_thumbnail):
        freelancer_photo_remove(profile=profile, actor=user, withdraw_consent=False)


# --- CV -----------------------------------------------------------------------------


@transaction.atomic
def freelancer_cv_set(*, profile: FreelancerProfile, actor: User, upload):
    checked = validate_cv(upload)
    old = profile.cv.name
    profile.cv.save(f"cv.{checked.extension}", upload, save=False)
    profile.cv_content_type = checked.content_type
    profile.save(update_fields=["cv", "cv_content_type", "updated_at"])
    file_deletions_schedule([(private_storage, old)])
    audit_record(actor=actor, subject=profile.user, action="profile.cv_set")
    return profile


@transaction.atomic
def freelancer_cv_remove(*, profile: FreelancerProfile, actor: User):
    old = profile.cv.name
    profile.cv = ""
    profile.cv_content_type = ""
    profile.save(update_fields=["cv", "cv_content_type", "updated_at"])
    file_deletions_schedule([(private_storage, old)])
    if old:
        audit_record(actor=actor, subject=profile.user, action="profile.cv_removed")
    return profile


@transaction.atomic
def freelancer_cv_download_record(
    *, profile: FreelancerProfile, user: User, company: Company | None
) -> CvDownload | None:
    """Record a company's download as a recipient of the freelancer's data."""
    if company is None:
        audit_record(actor=user, subject=profile.user, action="profile.cv_downloaded")
        return None
    download = CvDownload.objects.create(
        profile=profile, company=company, company_name=company.name, downloaded_by=user
    )
    audit_record(
        actor=user,
        subject=profile.user,
        action="profile.cv_downloaded",
        details={"company_id": company.pk},
    )
    return download
