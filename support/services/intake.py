"""How a question comes in: the contact form (members verified by their
session, visitors by a single-use, expiring link), and the deletion of
visitors' tickets whose link was never opened.

- Staff never see a visitor's words before the address was proved: the
  ticket is stored with ``verified_at`` NULL and only a hash of its link's
  token; the link is checked again under the row lock.
- A flood stores nothing: the limits (``settings.SUPPORT_RATE_LIMIT``, per
  client IP and per address) are counted after the input was checked and
  before anything is written; a refusal raises ``SubmissionThrottled``.
- An attachment is what its content says: the CV checks
  (``profiles.uploads.validate_cv``), saved under a random name in private
  storage.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import ratelimit
from core.crypto import token_hash
from core.files import file_deletions_schedule
from core.mail import absolute_url
from profiles.uploads import validate_cv
from profiles.uploads.sizes import megabytes
from support.models import Ticket, TicketMessage
from support.selectors import ticket_get_by_token
from support.services.common import (
    message_clean,
    ticket_audit,
    ticket_mail,
    ticket_receipt_send,
)

TOKEN_VALID_FOR = dt.timedelta(days=3)

Status = Ticket.Status
Kind = TicketMessage.Kind


class SubmissionThrottled(Exception):
    """Too many submissions from this client or address; nothing was stored."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def _limits() -> tuple[ratelimit.Limit, ratelimit.Limit]:
    uses, window = settings.SUPPORT_RATE_LIMIT
    return (
        ratelimit.Limit("support.ip", limit=uses, window=window),
        ratelimit.Limit("support.email", limit=uses, window=window),
    )


def _attachment_check(attachment):
    """The CV checks, with messages that speak of an attachment."""
    try:
        return validate_cv(attachment)
    except ValidationError as error:
        if error.code == "too_large":
            max_bytes = getattr(settings, "CV_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
            error = ValidationError(
                _("The attachment must be %(megabytes)s MB or smaller.")
                % {"megabytes": megabytes(max_bytes)},
                code="too_large",
            )
        raise ValidationError({"attachment": error.messages}, code=error.code) from None


def _normalise_email(email: str) -> str:
    return get_user_model().objects.normalize_email((email or "").strip()).lower()


@transaction.atomic
def ticket_submit(
    *,
    topic: str,
    body: str,
    user=None,
    email: str = "",
    attachment=None,
    language: str = "",
    client_ip: str = "",
    base_url: str = "",
) -> Ticket:
    """A question from the contact form.

    A member's ticket is verified by their session and answered at the
    account's address; a visitor's waits for its e-mailed link. Raises
    ValidationError (field errors) or ``SubmissionThrottled`` and then stores
    nothing.
    """
    member = user is not None and user.is_authenticated
    errors: dict[str, list[str]] = {}
    if topic not in Ticket.Topic.values:
        errors["topic"] = [_("Choose a topic from the list.")]
    try:
        body = message_clean(body)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not member:
        email = _normalise_email(email)
        if not email or "@" not in email or len(email) > 254:
            errors["email"] = [_("Enter the e-mail address we should answer.")]
    checked = None
    if attachment:
        try:
            checked = _attachment_check(attachment)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    by_ip, by_email = _limits()
    address = user.email if member else email
    for limit, value in ((by_ip, client_ip or "unknown"), (by_email, address)):
        wait = ratelimit.hit(limit, value)
        if wait is not None:
            raise SubmissionThrottled(wait)
    now = timezone.now()
    ticket = Ticket(
        user=user if member else None,
        email="" if member else email,
        language=language,
        topic=topic,
        created_at=now,
        last_activity_at=now,
    )
    token = ""
    if member:
        ticket.verified_at = now
    else:
        token = secrets.token_urlsafe(32)
        ticket.token_hash = token_hash(token)
        ticket.token_expires_at = now + TOKEN_VALID_FOR
    if checked is not None:
        ticket.attachment.save(
            f"attachment.{checked.extension}", attachment, save=False
        )
        ticket.attachment_content_type = checked.content_type
    ticket.save()
    TicketMessage.objects.create(
        ticket=ticket,
        kind=Kind.MEMBER,
        author=user if member else None,
        body=body,
        created_at=now,
    )
    ticket_audit(
        ticket,
        actor=user if member else None,
        action="ticket_received",
        channel="session" if member else "email",
        attachment=checked is not None,
    )
    if member:
        ticket_receipt_send(ticket, base_url=base_url)
    else:
        link = absolute_url(
            reverse("support:verify", kwargs={"token": token}), base_url=base_url
        )
        ticket_mail(ticket, template="verify", context={"link": link})
    return ticket


@transaction.atomic
def ticket_verify_token(*, token: str, base_url: str = "") -> Ticket:
    """Verify a visitor's ticket by its e-mailed link; the link then stops
    working. Raises ValidationError when the link is wrong, used or expired."""
    ticket = ticket_get_by_token(token=token)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    ticket_get_by_token(token=token)  # again, under the lock: single use
    now = timezone.now()
    ticket.verified_at = now
    ticket.last_activity_at = now
    ticket.token_hash = None
    ticket.token_expires_at = None
    ticket.save(
        update_fields=[
            "verified_at",
            "last_activity_at",
            "token_hash",
            "token_expires_at",
        ]
    )
    ticket_audit(ticket, actor=None, action="ticket_verified", method="email")
    ticket_receipt_send(ticket, base_url=base_url)
    return ticket


def ticket_unverified_purge(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Delete visitors' tickets whose link expired unopened, with their files.

    One transaction per batch; rows are claimed with SKIP LOCKED so several
    workers share the work, and a ticket being verified right now is skipped.
    """
    now = now or timezone.now()
    deleted = 0
    while True:
        with transaction.atomic():
            rows = list(
                Ticket.objects.select_for_update(skip_locked=True)
                .filter(verified_at__isnull=True, token_expires_at__lt=now)
                .order_by("pk")
                .values_list("pk", "attachment")[:batch]
            )
            if not rows:
                return deleted
            file_deletions_schedule(
                (Ticket._meta.get_field("attachment").storage, name)
                for _pk, name in rows
                if name
            )
            Ticket.objects.filter(pk__in=[pk for pk, _name in rows]).delete()
            deleted += len(rows)
        if len(rows) < batch:
            return deleted


def tickets_for_address_erase(*, email: str) -> int:
    """Delete every ticket filed without an account under ``email`` (verified
    or not), messages and files with them: a visitor's erasure request, made
    and verified under that address (``support.personal_data``). Returns the
    number of tickets deleted."""
    email = (email or "").strip()
    if not email:
        return 0
    with transaction.atomic():
        rows = list(
            Ticket.objects.select_for_update()
            .filter(user__isnull=True, email__iexact=email)
            .values_list("pk", "attachment")
        )
        file_deletions_schedule(
            (Ticket._meta.get_field("attachment").storage, name)
            for _pk, name in rows
            if name
        )
        Ticket.objects.filter(pk__in=[pk for pk, _name in rows]).delete()
    return len(rows)
