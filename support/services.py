"""Every write to tickets: intake, verification, replies, notes, assignment,
status, and the deletion of tickets nobody verified.

What must never happen, and how it is prevented:
- Staff reading a visitor's words before the visitor proved the address:
  a visitor's ticket is stored with ``verified_at`` NULL and only a hash of
  its link's token; staff see it (``selectors.ticket_queue``) once the
  single-use, expiring link was opened (checked again under the row lock).
  Unverified tickets are deleted, files included, once the link expired
  (``ticket_unverified_purge``, daily in beat).
- A flood: submissions are counted per client IP and per e-mail address
  (``settings.SUPPORT_RATE_LIMIT``) after the input was checked and before
  anything is stored; a refused one stores nothing (``SubmissionThrottled``).
- A file that is not what it says: the attachment goes through the CV checks
  (``profiles.uploads.validate_cv``: PDF or .docx by content, no active
  content, size cap) and is saved under a random name in private storage.
- An internal note reaching the member: notes are never mailed, and the
  member's pages read ``selectors.ticket_messages_for_member`` only.
- A staff action without a trace: every one writes its audit event in the
  transaction of the change (details name fields, never what was written).
- Mail sent for a change that rolled back: ``consent.mail.mail_send`` queues
  after commit.
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

from consent.mail import MailKind, mail_send
from core import ratelimit
from core.crypto import token_hash
from core.files import file_deletions_schedule
from core.mail import absolute_url
from privacy.services import audit_record
from profiles.uploads import validate_cv
from profiles.uploads.sizes import megabytes
from support.models import MAX_MESSAGE, Ticket, TicketMessage
from support.selectors import ticket_get_by_token

#: how long a visitor's verification link works; the ticket goes after that.
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


def _body_clean(body: str, *, field: str = "body") -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({field: _("Write a message.")}, code="required")
    if "\x00" in body:
        raise ValidationError(
            {field: _("The message contains characters that cannot be stored.")},
            code="invalid",
        )
    if len(body) > MAX_MESSAGE:
        raise ValidationError(
            {field: _("Keep the message under 5,000 characters.")}, code="max_length"
        )
    return body


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


def _audit(ticket: Ticket, *, actor, action: str, **details) -> None:
    audit_record(
        actor=actor,
        subject=ticket.user,
        action=f"support.{action}",
        target=ticket,
        details=details,
    )


def _mail(ticket: Ticket, *, template: str, context: dict) -> None:
    """A service mail to the ticket's requester, in their language."""
    mail_send(
        kind=MailKind.SERVICE,
        user=ticket.user,
        to="" if ticket.user_id else ticket.email,
        language=ticket.language,
        template=f"support/email/{template}",
        context={"number": ticket.pk, **context},
    )


def _receipt_send(ticket: Ticket, *, base_url: str) -> None:
    link = ""
    if ticket.user_id:
        link = absolute_url(ticket.get_absolute_url(), base_url=base_url)
    _mail(ticket, template="received", context={"link": link})


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
        body = _body_clean(body)
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
    _audit(
        ticket,
        actor=user if member else None,
        action="ticket_received",
        channel="session" if member else "email",
        attachment=checked is not None,
    )
    if member:
        _receipt_send(ticket, base_url=base_url)
    else:
        link = absolute_url(
            reverse("support:verify", kwargs={"token": token}), base_url=base_url
        )
        _mail(ticket, template="verify", context={"link": link})
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
    _audit(ticket, actor=None, action="ticket_verified", method="email")
    _receipt_send(ticket, base_url=base_url)
    return ticket


def _lock(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=ticket.pk)
    )


def _touch(ticket: Ticket, *, now, fields: list[str]) -> None:
    ticket.last_activity_at = now
    ticket.save(update_fields=[*fields, "last_activity_at"])


@transaction.atomic
def ticket_member_reply(*, ticket: Ticket, actor, body: str) -> TicketMessage:
    """The member answers on their ticket while it is open."""
    ticket = _lock(ticket)
    if ticket.user_id is None or ticket.user_id != actor.pk:
        raise ValidationError(_("This is not your ticket."), code="not_owner")
    if ticket.status == Status.CLOSED:
        raise ValidationError(
            {"body": _("This ticket is closed. Write a new message instead.")},
            code="closed",
        )
    body = _body_clean(body)
    now = timezone.now()
    message = TicketMessage.objects.create(
        ticket=ticket, kind=Kind.MEMBER, author=actor, body=body, created_at=now
    )
    fields = []
    if ticket.status == Status.WAITING:
        ticket.status = Status.OPEN
        fields.append("status")
    _touch(ticket, now=now, fields=fields)
    _audit(ticket, actor=actor, action="member_replied")
    return message


def _staff_require(ticket: Ticket, actor) -> None:
    if not getattr(actor, "is_staff", False):
        raise ValidationError(_("Only staff can do this."), code="not_staff")
    if ticket.verified_at is None:
        raise ValidationError(
            _("The sender has not confirmed their address yet."), code="unverified"
        )


@transaction.atomic
def ticket_reply(
    *, ticket: Ticket, actor, body: str, base_url: str = ""
) -> TicketMessage:
    """Staff answer: stored, shown to the member on the site and e-mailed to
    them in their language; the ticket then waits for the member."""
    ticket = _lock(ticket)
    _staff_require(ticket, actor)
    if ticket.status == Status.CLOSED:
        raise ValidationError(
            _("This ticket is closed; reopen it to reply."), code="closed"
        )
    body = _body_clean(body)
    now = timezone.now()
    message = TicketMessage.objects.create(
        ticket=ticket, kind=Kind.REPLY, author=actor, body=body, created_at=now
    )
    ticket.status = Status.WAITING
    _touch(ticket, now=now, fields=["status"])
    _audit(ticket, actor=actor, action="reply_sent")
    link = ""
    if ticket.user_id:
        link = absolute_url(ticket.get_absolute_url(), base_url=base_url)
    _mail(ticket, template="reply", context={"link": link, "body": body})
    return message


@transaction.atomic
def ticket_note_add(*, ticket: Ticket, actor, body: str) -> TicketMessage:
    """An internal note for staff: never shown or mailed to the member."""
    ticket = _lock(ticket)
    _staff_require(ticket, actor)
    body = _body_clean(body)
    message = TicketMessage.objects.create(
        ticket=ticket, kind=Kind.NOTE, author=actor, body=body
    )
    _audit(ticket, actor=actor, action="note_added")
    return message


@transaction.atomic
def ticket_assign(*, ticket: Ticket, actor, assignee) -> Ticket:
    """Give the ticket to a member of staff (or to nobody: ``assignee=None``)."""
    ticket = _lock(ticket)
    _staff_require(ticket, actor)
    if assignee is not None and not (assignee.is_staff and assignee.is_active):
        raise ValidationError(
            {"assignee": _("Tickets can only be assigned to active staff.")},
            code="not_staff",
        )
    ticket.assigned_to = assignee
    fields = ["assigned_to"]
    if assignee is not None and ticket.status == Status.NEW:
        ticket.status = Status.OPEN
        fields.append("status")
    ticket.save(update_fields=fields)
    _audit(
        ticket,
        actor=actor,
        action="assigned",
        assignee=assignee.pk if assignee is not None else None,
    )
    return ticket


@transaction.atomic
def ticket_status_set(*, ticket: Ticket, actor, status: str) -> Ticket:
    """Move the ticket to ``status``; closing stamps ``closed_at`` (the
    12-month retention counts from it), reopening clears it."""
    ticket = _lock(ticket)
    _staff_require(ticket, actor)
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status.")}, code="status")
    if status == ticket.status:
        return ticket
    previous = ticket.status
    ticket.status = status
    ticket.closed_at = timezone.now() if status == Status.CLOSED else None
    ticket.save(update_fields=["status", "closed_at"])
    _audit(
        ticket,
        actor=actor,
        action="closed" if status == Status.CLOSED else "status_changed",
        previous=previous,
        status=status,
    )
    return ticket


def ticket_close(*, ticket: Ticket, actor) -> Ticket:
    return ticket_status_set(ticket=ticket, actor=actor, status=Status.CLOSED)


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
