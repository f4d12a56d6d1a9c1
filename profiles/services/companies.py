"""Writes for companies: the company page, its members and invitations.

Invariants:
- An invitation's token is only in the e-mailed link; the database keeps its
  hash (``core.crypto.token_hash``), so a copy of the table opens no company.
- An invitation is accepted only by a member whose verified address is the
  one it was sent to.
- A company without a member whose account is open is closed in the
  transaction that removed the last one (``account_close``, the purge).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.crypto import token_hash
from core.files import file_deletions_schedule
from core.mail import mail_after_commit
from privacy.services import audit_record
from profiles import selectors
from profiles.models import Company, CompanyInvitation, CompanyMembership, User
from profiles.slugs import slug_generate
from profiles.uploads import process_image

INVITATION_VALID_FOR = timedelta(days=14)

# Fields an owner edits on the company form; the API shows the same.
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


@transaction.atomic
def company_create(*, actor: User, data: dict) -> Company:
    company = Company(**{k: v for k, v in data.items() if k in COMPANY_FIELDS})
    company.slug = slug_generate(company.name)
    company.full_clean()
    company.save()
    CompanyMembership.objects.create(
        company=company, user=actor, role=CompanyMembership.Role.OWNER
    )
    audit_record(actor=actor, subject=actor, action="company.created", target=company)
    return company


@transaction.atomic
def membership_show_set(
    *, membership: CompanyMembership, actor: User, show: bool
) -> CompanyMembership:
    """The member's own choice to be shown on the company's page (off by default)."""
    if membership.show_on_page != show:
        membership.show_on_page = show
        membership.save(update_fields=["show_on_page"])
        audit_record(
            actor=actor,
            subject=membership.user,
            action="company.membership_shown" if show else "company.membership_hidden",
            target=membership.company,
        )
    return membership


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


def companies_close_memberless(*, now=None) -> int:
    """Close every open company without a member whose account is open.

    Set-based (one UPDATE), for the purge: it runs in the transaction of the
    batch that removed the last member, so the company leaves the directory
    and the API in the same commit. Its retention rule
    (``profiles.company.closed``) anonymises it 12 months later.
    """
    return selectors.company_list_memberless().update(closed_at=now or timezone.now())


# --- Invitations ----------------------------------------------------------------


@transaction.atomic
def company_invite(
    *,
    company: Company,
    actor: User,
    email: str,
    role: str,
    build_link: Callable[[str], str] | None = None,
) -> tuple[CompanyInvitation, str]:
    """Create an invitation; returns it and the token for the link.

    With ``build_link(token)`` (the absolute URL of the accept page) the
    invitation is e-mailed after commit, in the inviter's language.
    """
    token = secrets.token_urlsafe(32)
    invitation = CompanyInvitation.objects.create(
        company=company,
        email=User.objects.normalize_email(email).lower(),
        role=role,
        token_hash=token_hash(token),
        invited_by=actor,
        expires_at=timezone.now() + INVITATION_VALID_FOR,
    )
    audit_record(actor=actor, subject=actor, action="company.invited", target=company)
    if build_link is not None:
        mail_after_commit(
            to=invitation.email,
            # One line whatever the stored name holds: a line break in a
            # subject raises BadHeaderError.
            subject=_("You are invited to join %(company)s on Worksome")
            % {"company": " ".join(company.name.split())},
            body=_(
                "%(inviter)s invited you to join %(company)s on Worksome.\n\n"
                "Accept within 14 days: %(link)s\n\n"
                "If you don't know them, ignore this e-mail; nothing happens."
            )
            % {
                "inviter": actor.email,
                "company": company.name,
                "link": build_link(token),
            },
        )
    return invitation, token


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
