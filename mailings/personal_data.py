"""What mailings hold about people, and for how long.

- Deliveries (which member was sent which message, in which language, when)
  are the record that a member got a message; they are deleted 12 months after
  the mail went out (or was claimed, for one whose sending was cut short),
  and at once on erasure. Members refused a marketing mail leave no row.
- A message names the staff members who wrote and sent it; those links are
  cleared 12 months after it was sent or cancelled, or when the staff member
  who wrote it is erased. The text itself is staff's, about no member.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from mailings.models import Mailing, MailingDelivery
from privacy.registry import (
    Action,
    Anonymise,
    Export,
    PersonalData,
    PersonalField,
    Retention,
    personal_data,
)

TWELVE_MONTHS = dt.timedelta(days=365)


def _message(delivery: MailingDelivery) -> dict:
    mailing = delivery.mailing
    return {
        "id": mailing.pk,
        "kind": mailing.kind,
        "subject": {"da": mailing.subject_da, "en": mailing.subject_en},
    }


@personal_data.register(MailingDelivery)
class MailingDeliveryData(PersonalData):
    description = _(
        "The service and marketing messages we sent you by e-mail: which message, "
        "in which language and when."
    )
    subject = "user"
    fields = {
        "mailing": PersonalField(
            name="mailing", anonymise=Anonymise.keep(), export=Export.using(_message)
        ),
        "state": Anonymise.keep(),
        "language": Anonymise.keep(),
        "created_at": Anonymise.keep(),
        "sent_at": Anonymise.keep(),
    }
    retention = Retention(
        key="mailings.delivery.sent",
        purpose_ended=Coalesce(
            "sent_at",
            "claimed_at",
            "mailing__cancelled_at",
            output_field=models.DateTimeField(),
        ),
        after=TWELVE_MONTHS,
        action=Action.DELETE,
        description=_(
            "Deleted 12 months after the message was sent, or at once on erasure."
        ),
    )


@personal_data.register(Mailing)
class MailingData(PersonalData):
    description = _(
        "For staff: the messages to members you wrote (the message records who "
        "wrote and sent it)."
    )
    subject = "created_by"
    fields = {
        "subject_en": Anonymise.keep(),
        "created_at": Anonymise.keep(),
        "created_by": Anonymise.null(),
        "sent_by": Anonymise.null(),
    }
    export_exclude = ("created_by", "sent_by")
    retention = Retention(
        key="mailings.mailing.staff",
        purpose_ended=Coalesce(
            "sent_at", "cancelled_at", output_field=models.DateTimeField()
        ),
        after=TWELVE_MONTHS,
        action=Action.ANONYMISE,
        description=_(
            "The names of the staff who wrote and sent a message are removed 12 "
            "months after it was sent."
        ),
    )
