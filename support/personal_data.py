"""What customer service holds about people, and for how long.

- Tickets and their messages go 12 months after the ticket was closed (the
  purge deletes them, the attachment through the file-deletion outbox), and
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
goes with their erasure (``subject_q``). A visitor without an account has no
export or erasure through the registry: their tickets follow the retention
rule, and staff answer such a request by hand.

Never: someone else's tickets in an export. An account whose address is not
verified gets only the tickets it filed itself, and a visitor's ticket whose
link was never opened belongs to no one.
"""

from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress
from django.db.models import Case, F, Q, When
from django.utils.translation import gettext_lazy as _

from privacy.registry import Action, Anonymise, PersonalData, Retention, personal_data
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
        purpose_ended=Case(
            When(verified_at__isnull=True, then=F("token_expires_at")),
            default=F("closed_at"),
        ),
        after=KEPT,
        action=Action.DELETE,
        description=_(
            "Deleted with their messages and attachment 12 months after the "
            "ticket is closed, and at once if you ask for erasure. A message "
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
            default=F("ticket__closed_at"),
        ),
        after=KEPT,
        action=Action.DELETE,
        description=_("Deleted with their ticket."),
    )
