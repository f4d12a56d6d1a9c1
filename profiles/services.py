"""Writes for accounts, freelancer and company profiles.

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

import hashlib
import secrets
from datetime import timedelta
from uuid import uuid4

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from consent.models import Purpose
from consent.services import consent_record
from core.crypto import keyed_hash
from core.files import file_deletions_schedule
from core.ratelimit import Limit, hit
from privacy.retention import retention_policies_sync
from privacy.services import audit_record, audited_save
from profiles.identifiers import normalise_cpr
from profiles.models import (
    ApiToken,
    Company,
    CompanyInvitation,
    CompanyMembership,
    CvDownload,
    FreelancerProfile,
    FreelancerSlugHistory,
    Skill,
    User,
    account_last_active,
    account_purpose_ended,
)
from profiles.storage import private_storage
from profiles.uploads import process_image, validate_cv

INVITATION_VALID_FOR = timedelta(days=14)
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
)
COMPANY_FIELDS = (
    "name",
    "cvr",
    "website",
    "contact_email",
    "phone",
    "street",
    "postal_code",
    "city",
    "country",
    "description",
)


# --- Accounts ---------------------------------------------------------------


@transaction.atomic
def user_ensure_verified(
    *, email: str, password: str, is_staff: bool = False, is_superuser: bool = False
) -> tuple[User, bool]:
    """Create a user with a verified primary e-mail, or return the existing one.

    Idempotent: an existing user is left as it is (its password is not reset).
    """
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User.objects.create_user(
            email=email, password=password, is_staff=is_staff, is_superuser=is_superuser
        )
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user, created


@transaction.atomic
def account_close(*, user: User, actor: User) -> None:
    """Close an account: unpublish at once, stop logins, start the retention clock.

    The data stays until the retention purge anonymises it 12 months later
    (or at once through an erasure request).
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    now = timezone.now()
    if user.closed_at is None:
        user.closed_at = now
        user.is_active = False
        user.save(update_fields=["closed_at", "is_active"])
        FreelancerProfile.objects.filter(user=user).update(published_at=None)
        audit_record(actor=actor, subject=user, action="account.closed")
    # Outside the "not yet closed" branch: erasure of an account closed before
    # companies closed with their last member still closes them.
    closing = list(
        _memberless_companies(
            company_ids=CompanyMembership.objects.filter(user=user).values("company_id")
        ).values_list("pk", flat=True)
    )
    if closing:
        Company.objects.filter(pk__in=closing).update(closed_at=now)
        for company in Company.objects.filter(pk__in=closing):
            audit_record(
                actor=actor, subject=user, action="company.closed", target=company
            )


def _memberless_companies(*, company_ids=None):
    """Open companies with no member whose account is open."""
    live = CompanyMembership.objects.filter(
        company=OuterRef("pk"),
        user__closed_at__isnull=True,
        user__anonymised_at__isnull=True,
    )
    companies = Company.objects.filter(closed_at__isnull=True).filter(~Exists(live))
    if company_ids is not None:
        companies = companies.filter(pk__in=company_ids)
    return companies


def companies_close_memberless(*, now=None) -> int:
    """Close every open company without a member whose account is open.

    Set-based (one UPDATE), for the purge: it runs in the transaction of the
    batch that removed the last member, so the company leaves the directory
    and the API in the same commit. Its retention rule
    (``profiles.company.closed``) anonymises it 12 months later.
    """
    return _memberless_companies().update(closed_at=now or timezone.now())


# --- Freelancer profiles ----------------------------------------------------


def _unique_slug(base: str) -> str:
    base = slugify(base)[:60] or "profile"
    return f"{base}-{uuid4().hex[:6]}"


def freelancer_slug_for(*, full_name: str, email: str) -> str:
    """A public slug from the name, never from the e-mail address: a name that
    is the address's local part (the provisional name of a new profile) gives
    a random slug, so no part of the address is published or logged."""
    local = slugify(email.split("@", 1)[0])
    base = slugify(full_name)
    if not base or base == local:
        base = "profile"
    return _unique_slug(base)


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
        slug=freelancer_slug_for(full_name=full_name, email=user.email),
    )
    audit_record(actor=user, subject=user, action="profile.created")
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
        profile.slug = freelancer_slug_for(
            full_name=profile.full_name, email=profile.user.email
        )
        changed.append("slug")
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


def freelancer_cpr_reveal(*, profile: FreelancerProfile, actor: User) -> str:
    """Return the plaintext CPR and record who saw whose, and when."""
    audit_record(actor=actor, subject=profile.user, action="profile.cpr_revealed")
    return profile.cpr or ""


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


def on_photo_consent_withdrawn(*, user: User) -> None:
    """Consent withdrawn anywhere (banner, API, admin): the photo goes at once."""
    profile = FreelancerProfile.objects.filter(user=user).first()
    if profile is not None and (profile.photo or profile.photo_thumbnail):
        freelancer_photo_remove(profile=profile, actor=user, withdraw_consent=False)


# --- Companies --------------------------------------------------------------


@transaction.atomic
def company_create(*, actor: User, data: dict) -> Company:
    company = Company(**{k: v for k, v in data.items() if k in COMPANY_FIELDS})
    company.slug = _unique_slug(company.name)
    company.full_clean()
    company.save()
    CompanyMembership.objects.create(
        company=company, user=actor, role=CompanyMembership.Role.OWNER
    )
    audit_record(actor=actor, subject=actor, action="company.created", target=company)
    return company


@transaction.atomic
def company_update(*, company: Company, actor: User, data: dict) -> Company:
    company = Company.objects.select_for_update().get(pk=company.pk)
    changed = []
    for name in COMPANY_FIELDS:
        if name in data and getattr(company, name) != data[name]:
            setattr(company, name, data[name])
            changed.append(name)
    if changed:
        company.full_clean(exclude=["slug"])
        company.save(update_fields=changed)
        audit_record(
            actor=actor,
            subject=actor,
            action="company.updated",
            target=company,
            details={"fields": changed},
        )
    return company


@transaction.atomic
def company_verify(*, company: Company, actor: User | None) -> Company:
    """Staff checked the CVR and contact: members may now download CVs."""
    if company.verified_at is None:
        company.verified_at = timezone.now()
        company.save(update_fields=["verified_at"])
        audit_record(
            actor=actor, subject=None, action="company.verified", target=company
        )
    return company


@transaction.atomic
def company_logo_set(*, company: Company, actor: User, upload) -> Company:
    processed = process_image(upload)
    old = [company.logo.name, company.logo_thumbnail.name]
    company.logo.save(processed.image.name, processed.image, save=False)
    company.logo_thumbnail.save(
        processed.thumbnail.name, processed.thumbnail, save=False
    )
    company.save(update_fields=["logo", "logo_thumbnail"])
    file_deletions_schedule((default_storage, n) for n in old)
    return company


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def company_invite(
    *, company: Company, actor: User, email: str, role: str
) -> tuple[CompanyInvitation, str]:
    """Create an invitation; returns it and the token for the e-mailed link."""
    token = secrets.token_urlsafe(32)
    invitation = CompanyInvitation.objects.create(
        company=company,
        email=User.objects.normalize_email(email).lower(),
        role=role,
        token_hash=_token_hash(token),
        invited_by=actor,
        expires_at=timezone.now() + INVITATION_VALID_FOR,
    )
    audit_record(actor=actor, subject=actor, action="company.invited", target=company)
    return invitation, token


def company_invitation_get(*, token: str) -> CompanyInvitation | None:
    return (
        CompanyInvitation.objects.select_related("company")
        .filter(
            token_hash=_token_hash(token),
            accepted_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )


@transaction.atomic
def company_invitation_accept(
    *, invitation: CompanyInvitation, user: User
) -> CompanyMembership:
    """Join the company. The invitation is for one address: it must be the user's."""
    verified = EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists()
    if not verified:
        raise ValidationError(
            _("This invitation was sent to another e-mail address."),
            code="wrong_recipient",
        )
    membership, _created = CompanyMembership.objects.get_or_create(
        company=invitation.company, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user, subject=user, action="company.joined", target=invitation.company
    )
    return membership


# --- Inactive accounts ------------------------------------------------------

INACTIVITY_WARNING_BEFORE = timedelta(days=30)
WARNING_CLAIM_RETRY = timedelta(hours=1)
KEEP_ACCOUNT_SALT = "profiles.keep-account"
KEEP_ACCOUNT_LINK_DAYS = 60


def _account_rule_period() -> timedelta:
    """The period the purge really uses for accounts (admin-tunable)."""
    policy = retention_policies_sync()["profiles.user.closed"]
    return timedelta(days=policy.period_days)


def keep_account_token(*, user: User) -> str:
    return signing.TimestampSigner(salt=KEEP_ACCOUNT_SALT).sign(str(user.pk))


def inactivity_warnings_send(*, now=None, build_link) -> int:
    """E-mail members whose unused account is anonymised in 30 days or less.

    Each member is warned once per period of inactivity (a login or "keep my
    account" starts a new one). ``build_link(token)`` makes the absolute URL.
    """
    now = now or timezone.now()
    due_before = now - _account_rule_period() + INACTIVITY_WARNING_BEFORE
    # A claim whose e-mail never went out (the process died, the mail server
    # refused) is claimed again after a while: the purge waits for a sent one.
    claimed_not_sent = Q(inactivity_warned_at__lt=now - WARNING_CLAIM_RETRY) & (
        Q(inactivity_warning_sent_at__isnull=True)
        | Q(inactivity_warning_sent_at__lt=F("inactivity_warned_at"))
    )
    not_warned_since_active = (
        Q(inactivity_warned_at__isnull=True)
        | Q(inactivity_warned_at__lt=F("_last_active"))
        | claimed_not_sent
    )
    candidates = (
        User.objects.filter(closed_at__isnull=True, anonymised_at__isnull=True)
        .alias(_ended=account_purpose_ended(), _last_active=account_last_active())
        .filter(_ended__lt=due_before)
        .filter(not_warned_since_active)
    )
    sent = 0
    for user in candidates.iterator():
        with transaction.atomic():
            # Claimed by this run only if no concurrent run warned them first.
            claimed = (
                User.objects.filter(pk=user.pk)
                .alias(_last_active=account_last_active())
                .filter(not_warned_since_active)
                .update(inactivity_warned_at=now)
            )
            if not claimed:
                continue
            link = build_link(keep_account_token(user=user))
            email = user.email
            transaction.on_commit(
                lambda email=email, link=link: send_mail(
                    _("Your Worksome account will be anonymised in 30 days"),
                    _(
                        "You have not used your Worksome account for a long time. "
                        "In 30 days we anonymise it, as our privacy policy "
                        "promises.\n\nTo keep it, open this link (or just log "
                        "in):\n%(link)s\n\nIf you do nothing, your profile and "
                        "data are anonymised and cannot be restored."
                    )
                    % {"link": link},
                    None,
                    [email],
                )
            )
            # Runs only if the e-mail above was sent (a failing callback stops
            # the ones after it): the purge's 30 days count from here.
            transaction.on_commit(
                lambda pk=user.pk: User.objects.filter(pk=pk).update(
                    inactivity_warning_sent_at=timezone.now()
                )
            )
            audit_record(actor=None, subject=user, action="account.inactivity_warned")
            sent += 1
    return sent


@transaction.atomic
def account_keep(*, token: str) -> User:
    """The "keep my account" link: the inactivity clock starts again."""
    try:
        pk = signing.TimestampSigner(salt=KEEP_ACCOUNT_SALT).unsign(
            token, max_age=timedelta(days=KEEP_ACCOUNT_LINK_DAYS)
        )
    except signing.BadSignature as exc:
        raise ValidationError(
            _("This link is not valid or has expired. Log in to keep your account."),
            code="invalid_link",
        ) from exc
    user = User.objects.select_for_update().filter(pk=pk).first()
    if user is None or user.closed_at is not None or user.anonymised_at is not None:
        raise ValidationError(
            _("This account is closed and cannot be kept."), code="closed"
        )
    user.activity_confirmed_at = timezone.now()
    user.save(update_fields=["activity_confirmed_at"])
    audit_record(actor=user, subject=user, action="account.kept")
    return user


# --- API tokens ----------------------------------------------------------------

#: How often a token's last use is written (seconds): reads stay cheap.
TOKEN_TOUCH_INTERVAL = 60
#: Live tokens one member may hold.
API_TOKEN_LIMIT = 10


@transaction.atomic
def api_token_create(*, user: User) -> tuple[ApiToken, str]:
    """A new token for ``user``: the row and the key (shown once, never stored)."""
    ApiToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    if ApiToken.objects.filter(user=user).count() >= API_TOKEN_LIMIT:
        raise ValidationError(
            _(
                "You have %(count)d API tokens already; revoke one before "
                "creating another."
            )
            % {"count": API_TOKEN_LIMIT},
            code="token_limit",
        )
    token, key = ApiToken.objects.create(
        user=user, auth_hash=user.get_session_auth_hash()
    )
    audit_record(
        actor=user, subject=user, action="api_token.created", details={"id": token.pk}
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User | None, reason: str) -> None:
    """Delete one token. ``reason``: "member", "password", ... (audited)."""
    user = token.user
    token_id = token.pk
    if ApiToken.objects.filter(pk=token_id).delete()[0]:
        audit_record(
            actor=actor,
            subject=user,
            action="api_token.revoked",
            details={"id": token_id, "reason": reason},
        )


@transaction.atomic
def api_tokens_revoke_all(*, user: User, actor: User | None, reason: str) -> int:
    """Delete every token of ``user`` (password changed or reset)."""
    ids = list(ApiToken.objects.filter(user=user).values_list("pk", flat=True))
    if not ids:
        return 0
    ApiToken.objects.filter(pk__in=ids).delete()
    audit_record(
        actor=actor,
        subject=user,
        action="api_token.revoked",
        details={"ids": ids, "reason": reason},
    )
    return len(ids)


def api_token_touch(*, token: ApiToken, now=None) -> None:
    """Record a use, writing at most once per TOKEN_TOUCH_INTERVAL."""
    now = now or timezone.now()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() >= TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def user_language_set(*, user, language: str) -> bool:
    """Remember the language a member reads the site in, for their e-mails.
    Languages the site does not offer are ignored; returns whether it changed."""
    language = (language or "").split("-")[0].lower()
    if language not in dict(settings.LANGUAGES) or user.pk is None:
        return False
    if user.language == language:
        return False
    user._meta.model.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    return True
