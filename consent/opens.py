"""E-mail opens: recorded from the open pixel, only with consent.

What must never happen, and how it is prevented:
- An open recorded without consent: ``email_open_record`` reads the member's
  current ``EMAIL_TRACKING`` record at the moment of the open and records only
  when it is a grant (a withdrawal stops recording at once; the mail service
  adds the pixel only to mail for members who granted it, but a mail read
  after a withdrawal still carries it). A restricted member (Art. 18) or a
  closed account is not recorded either.
- More than the fact of the open: one row per member and mail (the first
  open), with the time; no IP address, no user agent, no count of re-opens.
- A forged or broken token recording anything: the token is signed by the
  mail service (``consent.mail.open_token_read``); anything else is ignored.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from consent.mail import open_token_read
from consent.models import EmailOpen, Purpose
from consent.selectors import consent_current, consent_record_effective
from privacy.selectors import subject_is_restricted


def email_open_record(*, token: str) -> EmailOpen | None:
    """Record the first open of the mail ``token`` names, when its member
    allows tracking now; None when nothing is recorded."""
    read = open_token_read(token=token.replace("\x00", ""))
    if read is None:
        return None
    user_id, tag = read
    tag = tag.replace("\x00", "")
    if not tag:
        return None
    user = (
        get_user_model()
        .objects.filter(
            pk=user_id,
            is_active=True,
            closed_at__isnull=True,
            anonymised_at__isnull=True,
        )
        .first()
    )
    if user is None:
        return None
    record = consent_current(user=user).get(str(Purpose.EMAIL_TRACKING))
    if consent_record_effective(record) is not True:
        return None
    if subject_is_restricted(user=user):
        return None
    opened, _created = EmailOpen.objects.get_or_create(user=user, tag=tag)
    return opened
