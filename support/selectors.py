"""Every read of tickets, and every "may this person see it" decision.

A member sees their own tickets only; anyone else (another member, staff on the
site, a visitor) gets 404, so ticket numbers cannot be probed. Staff work
tickets in the admin, which reads ``ticket_queue`` (verified tickets only).
Internal notes never leave through ``ticket_messages_for_member``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core.crypto import token_hash
from support.models import Ticket, TicketMessage


def ticket_list_for_user(*, user) -> QuerySet[Ticket]:
    if not getattr(user, "is_authenticated", False):
        return Ticket.objects.none()
    return Ticket.objects.filter(user=user, verified_at__isnull=False).order_by(
        "-last_activity_at", "-pk"
    )


def ticket_get_for_user(*, pk, user) -> Ticket:
    """The member's own ticket; 404 for everyone else."""
    ticket = ticket_list_for_user(user=user).filter(pk=pk).first()
    if ticket is None:
        raise Http404
    return ticket


def ticket_messages_for_member(*, ticket: Ticket) -> QuerySet[TicketMessage]:
    """What the member reads: their messages and staff replies, never notes."""
    return (
        TicketMessage.objects.filter(ticket=ticket)
        .visible_to_member()
        .order_by("created_at", "pk")
    )


def ticket_queue() -> QuerySet[Ticket]:
    """What staff see: tickets whose requester is verified."""
    return Ticket.objects.filter(verified_at__isnull=False)


def ticket_get_by_token(*, token: str) -> Ticket:
    """The unverified ticket a link is for, while the link is valid;
    ValidationError (shown on the page) when it is not."""
    ticket = None
    if token and len(token) <= 100 and "\x00" not in token:
        ticket = Ticket.objects.filter(
            token_hash=token_hash(token), verified_at__isnull=True
        ).first()
    if ticket is None:
        raise ValidationError(
            _("This link is not valid or was already used."), code="invalid_token"
        )
    if ticket.token_expires_at is None or ticket.token_expires_at <= timezone.now():
        raise ValidationError(
            _("This link has expired. Please send your question again."),
            code="expired_token",
        )
    return ticket
