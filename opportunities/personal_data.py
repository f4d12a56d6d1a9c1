"""What opportunities hold about people, and for how long.

- An opportunity is the company's content (title, description, competences,
  dates, rates): not personal while the company lives. Who posted it is:
  ``created_by`` is in the poster's export and nulled on their erasure, and
  nulled 12 months after the opportunity closed (the company keeps its post).
  A company that closes with its only member is anonymised as that person's
  data (``profiles``); its opportunities then close and lose their title and
  description with it: on that member's erasure, and in the purge batch that
  anonymises the company.
- An alert is the freelancer's choice: exported, deleted on erasure and 12
  months after the account closed or went unused.
- A delivery row records that an alert mail was sent to someone: exported,
  deleted on erasure and 12 months after it was made.
- An expression of interest (which opportunity, when, its inquiry thread):
  exported, deleted on erasure and 12 months after the opportunity closed.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import DateTimeField, Exists, F, OuterRef
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from opportunities.models import (
    Opportunity,
    OpportunityAlert,
    OpportunityDelivery,
    OpportunityInterest,
)
from opportunities.services import company_opportunities_anonymise
from privacy.registry import (
    Action,
    Anonymise,
    Event,
    PersonalData,
    Retention,
    personal_data,
)
from profiles.models import (
    Company,
    CompanyMembership,
    account_purpose_ended,
    account_retention_ready,
)

YEAR = dt.timedelta(days=365)


@personal_data.register(Opportunity)
class OpportunityData(PersonalData):
    description = _(
        "Opportunities you posted for your company: that you posted them. "
        "The post itself is the company's."
    )
    subject = "created_by"
    fields = {
        "created_by": Anonymise.null(),
        "title": Anonymise.keep(),
        "created_at": Anonymise.keep(),
    }
    retention = Retention(
        key="opportunities.opportunity.closed",
        purpose_ended=Coalesce(
            F("closed_at"), F("deadline"), output_field=DateTimeField()
        ),
        after=YEAR,
        action=Action.ANONYMISE,
        description=_(
            "Who posted an opportunity is removed 12 months after it closed or "
            "its deadline passed."
        ),
    )


@personal_data.register(OpportunityAlert)
class OpportunityAlertData(PersonalData):
    description = _(
        "Your opportunity alert: how often, which ways of working and which city."
    )
    subject = "user"
    fields = {
        "frequency": Anonymise.keep(),
        "onsite": Anonymise.keep(),
        "remote": Anonymise.keep(),
        "hybrid": Anonymise.keep(),
        "city": Anonymise.text(""),
        "updated_at": Anonymise.keep(),
    }
    retention = Retention(
        key="opportunities.alert.closed",
        purpose_ended=account_purpose_ended("user__"),
        condition=account_retention_ready("user__"),
        action=Action.DELETE,
        description=_(
            "Deleted 12 months after the account is closed or unused for 2 years."
        ),
    )


@personal_data.register(OpportunityDelivery)
class OpportunityDeliveryData(PersonalData):
    description = _("Which opportunity alerts were e-mailed to you, and when.")
    subject = "user"
    fields = {
        "opportunity": Anonymise.keep(),
        "digest": Anonymise.keep(),
        "created_at": Anonymise.keep(),
        "sent_at": Anonymise.keep(),
    }
    retention = Retention(
        key="opportunities.delivery.made",
        purpose_ended="created_at",
        after=YEAR,
        action=Action.DELETE,
        description=_("Deleted 12 months after the alert was made."),
    )


@personal_data.register(OpportunityInterest)
class OpportunityInterestData(PersonalData):
    description = _("Opportunities you said you were interested in, and when.")
    subject = "user"
    fields = {"opportunity": Anonymise.keep(), "created_at": Anonymise.keep()}
    retention = Retention(
        key="opportunities.interest.closed",
        purpose_ended=Coalesce(
            F("opportunity__closed_at"),
            F("opportunity__deadline"),
            output_field=DateTimeField(),
        ),
        after=YEAR,
        action=Action.DELETE,
        description=_(
            "Deleted 12 months after the opportunity closed or its deadline passed."
        ),
    )


# --- Hooks ----------


@personal_data.on(Event.ERASE)
def _anonymise_opportunities_of_closing_companies(*, user, actor, **context) -> None:
    """Erasure of a company's only member (no other member's account is open)
    anonymises the company: its opportunities go with it."""
    other_open = CompanyMembership.objects.filter(
        company=OuterRef("pk"),
        user__closed_at__isnull=True,
        user__anonymised_at__isnull=True,
    ).exclude(user=user)
    closing = Company.objects.filter(memberships__user=user).filter(~Exists(other_open))
    company_opportunities_anonymise(company_ids=closing.values("pk"))


@personal_data.after_purge_batch
def _anonymise_opportunities_of_anonymised_companies(*, model, now) -> None:
    """A purge batch that anonymised companies (12 months after they closed)
    anonymises their opportunities in the same transaction."""
    if model is Company:
        company_opportunities_anonymise(
            company_ids=Company.objects.filter(anonymised_at__isnull=False).values("pk")
        )
