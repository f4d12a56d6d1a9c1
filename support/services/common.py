"""What the support services share: checking a message, the audit event,
the mail to a ticket's requester, and the row lock."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from consent.mail import MailKind, mail_send
from core.mail import absolute_url
from privacy.services import audit_record
from support.models import MAX_MESSAGE, Ticket


def message_clean(body: str, *, field: str = "body") -> str:
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


def ticket_audit(ticket: Ticket, *, actor, action: str, **details) -> None:
    audit_record(
        actor=actor,
        subject=ticket.user,
        action=f"support.{action}",
        target=ticket,
        details=details,
    )


def ticket_mail(ticket: Ticket, *, template: str, context: dict) -> None:
    """A service mail to the ticket's requester, in their language."""
    mail_send(
        kind=MailKind.SERVICE,
        user=ticket.user,
        to="" if ticket.user_id else ticket.email,
        language=ticket.language,
        template=f"support/email/{template}",
        context={"number": ticket.pk, **context},
    )


def ticket_receipt_send(ticket: Ticket, *, base_url: str) -> None:
    link = ""
    if ticket.user_id:
        link = absolute_url(ticket.get_absolute_url(), base_url=base_url)
    ticket_mail(ticket, template="received", context={"link": link})


def ticket_lock(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=ticket.pk)
    )
