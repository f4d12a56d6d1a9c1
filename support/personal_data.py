"""What customer service holds about people, and for how long.

- Tickets and their messages go 12 months after the ticket was closed, or
  after the member's account closed while it was still open (the purge
  deletes them, the attachment through the file-deletion outbox), and
  at once on erasure (the declarations' action is DELETE, so erasure deletes
  the member's tickets, messages with them, and schedules their files).
- A visitor's ticket that was never verified goes when its link expires
  (``support.services.ticket_unverified_purge``, daily in beat; the rule
  below is the backstop should beat not run).
- Internal notes about a person are personal data too: the access export
  includes every message of the member's tickets, notes included (Art. 15);
  who on the staff wrote each is not exported.

Whose rows they are: a member's ticket has the member (``user``) as its
subject. A visitor's ticket has no account (the registry's subject is a
user): it is held under its e-mail address. It counts as a member's too once
the member has a *verified* address equal to it and the ticket was verified
(both proved control of the address), so it is in that member's export and
goes with their erasure (``subject_q``). A visitor without an account asks
through a data-subject request verified by a link to the address: the
registry's address holders (``VisitorTickets`` below) put a copy of their
verified tickets in the reply to an access request, and delete every ticket
under the address on an erasure request.

Never: someone else's tickets in an export. An account whose address is not
verified gets only the tickets it filed itself, and a visitor's ticket whose
link was never opened belongs to no one.
"""

from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress
from django.db.models import Case, F, Q, When
from django.db.models.functions import Coalesce
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from privacy.registry import (
    Action,
    AddressHolding,
    Anonymise,
    PersonalData,
    Retention,
    personal_data,
)
from support.models import Ticket, TicketMessage

KEPT = dt.timedelta(days=365)


def visitor_tickets_q(user, prefix: str = "") -> Q:
    """Verified visitor tickets under the address ``user`` proved is theirs
    (``prefix``: the path to the ticket); matches nothing when the account's
    address is not verified."""
    email = (user.email or "").strip().lower()
    proved = (
        email
        and EmailAddress.objects.filter(
            user=user, email__iexact=email, verified=True
        ).exists()
    )
    if not proved:
        return Q(pk__in=[])
    return Q(
        **{
            f"{prefix}user__isnull": True,
            f"{prefix}verified_at__isnull": False,
            f"{prefix}email": email,
        }
    )


@personal_data.register(Ticket)
class TicketData(PersonalData):
    description = _(
        "Your questions to customer service: topic, status, when they were "
        "received and closed, the address we answer, and a file you attached."
    )
    subject = "user"

    def subject_q(self, user) -> Q:
        return Q(user=user) | visitor_tickets_q(user)

    fields = {
        "topic": Anonymise.keep(),
        "status": Anonymise.keep(),
        "email": Anonymise.unique_email(),
        "language": Anonymise.keep(),
        "created_at": Anonymise.keep(),
        "verified_at": Anonymise.keep(),
        "closed_at": Anonymise.keep(),
        "attachment": Anonymise.delete_file(),
        "attachment_content_type": Anonymise.keep(),
    }
    retention = Retention(
        key="support.ticket.closed",
        # Closed tickets end when closed; unverified ones when the link expires.
        # A member's ticket still open when the account closes ends with the
        # account: nobody is left to answer, and it would be kept for ever.
        purpose_ended=Case(
            When(verified_at__isnull=True, then=F("token_expires_at")),
            # An open ticket nobody closes (a visitor's, or an account that
            # stays open) ends with its last activity: never kept for ever.
            default=Coalesce(
                F("closed_at"), F("user__closed_at"), F("last_activity_at")
            ),
        ),
        after=KEPT,
        action=Action.DELETE,
        description=_(
            "Deleted with their messages and attachment 12 months after the "
            "ticket is closed or your account is closed (a ticket left open: 12 "
            "months after its last message), and at once if you ask "
            "for erasure. A message "
            "from a visitor that was never confirmed is deleted when its "
            "3-day link expires."
        ),
    )


@personal_data.register(TicketMessage)
class TicketMessageData(PersonalData):
    description = _(
        "The messages of your tickets: yours, customer service's answers and "
        "the notes customer service wrote about your question."
    )
    subject = "ticket__user"

    def subject_q(self, user) -> Q:
        return Q(ticket__user=user) | visitor_tickets_q(user, prefix="ticket__")

    fields = {
        "kind": Anonymise.keep(),
        "body": Anonymise.text(""),
        "created_at": Anonymise.keep(),
    }
    retention = Retention(
        key="support.message.closed",
        purpose_ended=Case(
            When(ticket__verified_at__isnull=True, then=F("ticket__token_expires_at")),
            default=Coalesce(
                F("ticket__closed_at"),
                F("ticket__user__closed_at"),
                F("ticket__last_activity_at"),
            ),
        ),
        after=KEPT,
        action=Action.DELETE,
        description=_("Deleted with their ticket."),
    )


class VisitorTickets:
    """Tickets a visitor filed without an account, held under their address
    (``Registry.address_holder``): the requester proved the address by the
    request's link. A copy includes only tickets whose own link was opened
    (someone else may have typed the address into an unverified one);
    erasure deletes them all."""

    def holdings(self, email: str) -> list[AddressHolding]:
        tickets = list(
            Ticket.objects.filter(
                user__isnull=True, email__iexact=(email or "").strip()
            )
            .exclude(verified_at__isnull=True)
            .prefetch_related("messages")
            .order_by("created_at", "pk")
        )
        if not tickets:
            return []
        copy = []
        for ticket in tickets:
            copy.append(
                f"{ticket.get_topic_display()}, "
                f"{formats.date_format(ticket.created_at, 'DATE_FORMAT')}, "
                f"{ticket.get_status_display()}"
            )
            for message in ticket.messages.all():
                when = formats.date_format(message.created_at, "DATE_FORMAT")
                copy.append(f"  {when}, {message.get_kind_display()}: {message.body}")
            if ticket.attachment:
                copy.append("  " + gettext("An attached file."))
        return [
            AddressHolding(
                name=gettext("Your messages to customer service"),
                rows=len(tickets),
                copy=copy,
            )
        ]

    def erase(self, email: str) -> int:
        from support.services import tickets_for_address_erase

        return tickets_for_address_erase(email=email)


personal_data.address_holder(VisitorTickets())
