"""Writes for accounts: sign-up helpers, closing, inactivity, language.

Invariants:
- Closing an account unpublishes its profile in the same transaction and
  closes every company left without a member whose account is open; the data
  stays until the retention purge anonymises it.
- An unused account is never anonymised before its owner was warned: the
  purge counts its 30 days from ``inactivity_warning_sent_at``, which is set
  only after the warning e-mail went out.
"""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consent.mail import MailKind, mail_language, mail_send_now
from privacy.retention import retention_policies_sync
from privacy.services import audit_record
from profiles import selectors
from profiles.models import (
    Company,
    CompanyMembership,
    FreelancerProfile,
    User,
    account_last_active,
    account_purpose_ended,
)
from profiles.services.freelancers import freelancer_profile_create
from profiles.services.shortlists import shortlist_entries_delete_for_account

INACTIVITY_WARNING_BEFORE = timedelta(days=30)
WARNING_CLAIM_RETRY = timedelta(hours=1)
KEEP_ACCOUNT_SALT = "profiles.keep-account"
KEEP_ACCOUNT_LINK_DAYS = 60


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


@transaction.atomic
def account_signup_complete(*, user: User, role: str, name: str, language: str):
    """What sign-up asked besides the address: who the member is and their name.

    A freelancer's profile starts (unpublished) with that name; a company's
    member creates the company page from the dashboard. The e-mails go out in
    the language the person signed up in.
    """
    name = " ".join(name.split())[:150]
    if role not in User.Role.values:
        raise ValidationError({"role": _("Choose freelancer or company.")})
    User.objects.filter(pk=user.pk).update(name=name, role=role)
    user.name, user.role = name, role
    user_language_set(user=user, language=language)
    if role == User.Role.FREELANCER and name:
        freelancer_profile_create(user=user, full_name=name)
    audit_record(
        actor=user, subject=user, action="account.signed_up", details={"role": role}
    )
    return user


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
        selectors.company_list_memberless(
            company_ids=CompanyMembership.objects.filter(user=user).values("company_id")
        ).values_list("pk", flat=True)
    )
    # Unpublished for good: off every shortlist; closing companies' lists go too.
    shortlist_entries_delete_for_account(user=user, company_ids=closing)
    if closing:
        Company.objects.filter(pk__in=closing).update(closed_at=now)
        for company in Company.objects.filter(pk__in=closing):
            audit_record(
                actor=actor, subject=user, action="company.closed", target=company
            )


# --- Inactive accounts ------------------------------------------------------


def _account_rule_period() -> timedelta:
    """The period the purge really uses for accounts (admin-tunable)."""
    policy = retention_policies_sync()["profiles.user.closed"]
    return timedelta(days=policy.period_days)


def account_keep_token_sign(*, user: User) -> str:
    """The signed token of the "keep my account" link (valid 60 days)."""
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
            link = build_link(account_keep_token_sign(user=user))
            with translation.override(mail_language(user=user)):
                subject = _("Your Worksome account will be anonymised in 30 days")
                body = _(
                    "You have not used your Worksome account for a long time. "
                    "In 30 days we anonymise it, as our privacy policy "
                    "promises.\n\nTo keep it, open this link (or just log "
                    "in):\n%(link)s\n\nIf you do nothing, your profile and "
                    "data are anonymised and cannot be restored."
                ) % {"link": link}
            # After commit, through the mail service (the member's language,
            # the controller's footer, transient failures retried inline).
            # The purge's 30 days count from the stamp, which follows only a
            # mail that went out or an address no mail can reach (nothing
            # would ever reach it); a failure raises and leaves the claim to
            # be tried again.
            transaction.on_commit(
                lambda user=user, subject=subject, body=body: _warning_deliver(
                    user=user, subject=subject, body=body
                )
            )
            audit_record(actor=None, subject=user, action="account.inactivity_warned")
            sent += 1
    return sent


def _warning_deliver(*, user: User, subject: str, body: str) -> None:
    mail_send_now(kind=MailKind.SERVICE, user=user, subject=subject, body=body)
    User.objects.filter(pk=user.pk).update(inactivity_warning_sent_at=timezone.now())


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
