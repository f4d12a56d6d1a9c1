"""Working a ticket: the member's replies on the site; staff replies (mailed
and shown), internal notes (never shown or mailed), assignment and status.
Every staff action writes its audit event in the transaction of the change.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.mail import absolute_url
from support.models import Ticket, TicketMessage
from support.services.common import (
    message_clean,
    ticket_audit,
    ticket_lock,
    ticket_mail,
)

Status = Ticket.Status
Kind = TicketMessage.Kind


def _touch(ticket: Ticket, *, now, fields: list[str]) -> None:
    ticket.last_activity_at = now
    ticket.save(update_fields=[*fields, "last_activity_at"])


@transaction.atomic
def ticket_member_reply(*, ticket: Ticket, actor, body: str) -> TicketMessage:
    """The member answers on their ticket while it is open."""
    ticket = ticket_lock(ticket)
    if ticket.user_id is None or ticket.user_id != actor.pk:
        raise ValidationError(_("This is not your ticket."), code="not_owner")
    if ticket.status == Status.CLOSED:
        raise ValidationError(
            {"body": _("This ticket is closed. Write a new message instead.")},
            code="closed",
        )
    body = message_clean(body)
    now = timezone.now()
    message = TicketMessage.objects.create(
        ticket=ticket, kind=Kind.MEMBER, author=actor, body=body, created_at=now
    )
    fields = []
    if ticket.status == Status.WAITING:
        ticket.status = Status.OPEN
        fields.append("status")
    _touch(ticket, now=now, fields=fields)
    ticket_audit(ticket, actor=actor, action="member_replied")
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
    ticket = ticket_lock(ticket)
    _staff_require(ticket, actor)
    if ticket.status == Status.CLOSED:
        raise ValidationError(
            _("This ticket is closed; reopen it to reply."), code="closed"
        )
    body = message_clean(body)
    now = timezone.now()
    message = TicketMessage.objects.create(
        ticket=ticket, kind=Kind.REPLY, author=actor, body=body, created_at=now
    )
    ticket.status = Status.WAITING
    _touch(ticket, now=now, fields=["status"])
    ticket_audit(ticket, actor=actor, action="reply_sent")
    link = ""
    if ticket.user_id:
        link = absolute_url(ticket.get_absolute_url(), base_url=base_url)
    ticket_mail(ticket, template="reply", context={"link": link, "body": body})
    return message


@transaction.atomic
def ticket_note_add(*, ticket: Ticket, actor, body: str) -> TicketMessage:
    """An internal note for staff: never shown or mailed to the member."""
    ticket = ticket_lock(ticket)
    _staff_require(ticket, actor)
    body = message_clean(body)
    message = TicketMessage.objects.create(
        ticket=ticket, kind=Kind.NOTE, author=actor, body=body
    )
    ticket_audit(ticket, actor=actor, action="note_added")
    return message


@transaction.atomic
def ticket_assign(*, ticket: Ticket, actor, assignee) -> Ticket:
    """Give the ticket to a member of staff (or to nobody: ``assignee=None``)."""
    ticket = ticket_lock(ticket)
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
    ticket_audit(
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
    ticket = ticket_lock(ticket)
    _staff_require(ticket, actor)
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status.")}, code="status")
    if status == ticket.status:
        return ticket
    previous = ticket.status
    ticket.status = status
    ticket.closed_at = timezone.now() if status == Status.CLOSED else None
    ticket.save(update_fields=["status", "closed_at"])
    ticket_audit(
        ticket,
        actor=actor,
        action="closed" if status == Status.CLOSED else "status_changed",
        previous=previous,
        status=status,
    )
    return ticket


def ticket_close(*, ticket: Ticket, actor) -> Ticket:
    return ticket_status_set(ticket=ticket, actor=actor, status=Status.CLOSED)
