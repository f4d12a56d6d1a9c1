"""Writes for company shortlists.

Invariants:
- Only a profile that is public when it is added gets on a shortlist (the
  caller reads it with ``freelancer_get_public``; this module checks again in
  the same transaction).
- One entry per company and profile (a unique constraint): adding again only
  moves ``added_at`` on, so the 12-month retention counts from the last add.
- Entries go at once when the freelancer's account closes or is erased, the
  company closes, or the member who added them is erased
  (``shortlist_entries_delete_for_account``, the registry's erasure, and
  ``shortlist_entries_delete_gone`` after a purge batch).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy.services import audit_record
from profiles import selectors
from profiles.models import Company, FreelancerProfile, ShortlistEntry, User


@transaction.atomic
def shortlist_add(
    *, company: Company, profile: FreelancerProfile, actor: User
) -> ShortlistEntry:
    """Put ``profile`` on ``company``'s shortlist (idempotent)."""
    if not selectors.freelancer_is_public(profile=profile):
        raise ValidationError(_("This profile is not public."), code="not_public")
    entry, created = ShortlistEntry.objects.update_or_create(
        company=company,
        profile=profile,
        defaults={"added_by": actor, "added_at": timezone.now()},
    )
    if created:
        audit_record(
            actor=actor,
            subject=actor,
            action="shortlist.added",
            target=company,
            details={"profile": profile.pk},
        )
    return entry


@transaction.atomic
def shortlist_remove(*, company: Company, profile: FreelancerProfile, actor: User):
    """Take ``profile`` off ``company``'s shortlist (idempotent)."""
    deleted, _per_model = ShortlistEntry.objects.filter(
        company=company, profile=profile
    ).delete()
    if deleted:
        audit_record(
            actor=actor,
            subject=actor,
            action="shortlist.removed",
            target=company,
            details={"profile": profile.pk},
        )


def shortlist_entries_delete_for_account(*, user: User, company_ids) -> int:
    """Delete the entries about ``user``'s profile and those of the companies
    ``company_ids`` (closing with them): their purpose ended for good."""
    deleted, _per_model = ShortlistEntry.objects.filter(
        Q(profile__user=user) | Q(company_id__in=company_ids)
    ).delete()
    return deleted


def shortlist_entries_delete_gone() -> int:
    """Delete entries whose company closed, or whose freelancer's account
    closed or was anonymised (set-based: after a purge batch did that in SQL)."""
    deleted, _per_model = ShortlistEntry.objects.filter(
        Q(company__closed_at__isnull=False)
        | Q(profile__anonymised_at__isnull=False)
        | Q(profile__user__closed_at__isnull=False)
    ).delete()
    return deleted
