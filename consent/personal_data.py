"""Consent's personal data: the consent records.

Records are deleted 12 months after they stop counting: after a newer choice
supersedes them, or, for a cookie consent never superseded, after it lapsed
(``CONSENT_MAX_AGE_DAYS`` after the choice; a browser that never returns would
otherwise keep its record forever).
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from consent.models import (
    COOKIE_PURPOSE_PREFIX,
    ConsentRecord,
    ConsentVersion,
    CookieDetails,
    EmailOpen,
    MarketingSuppression,
    Purpose,
    Source,
)
from consent.selectors import consent_current
from consent.services import consent_record, marketing_suppress
from privacy.registry import (
    Action,
    Anonymise,
    Event,
    Export,
    PersonalData,
    PersonalField,
    Retention,
    personal_data,
)


class ConsentPurposeEnded(models.Expression):
    """When a record stopped counting; NULL while it is still the current one.

    Built when the query is, so ``CONSENT_MAX_AGE_DAYS`` is read then and not
    at import time.
    """

    output_field = models.DateTimeField()

    def resolve_expression(self, *args, **kwargs):
        days = getattr(settings, "CONSENT_MAX_AGE_DAYS", 365)
        lapsed = models.ExpressionWrapper(
            models.F("decided_at") + models.Value(dt.timedelta(days=days)),
            output_field=models.DateTimeField(),
        )
        expression = Coalesce(
            models.F("superseded_at"),
            models.Case(
                models.When(purpose__startswith=COOKIE_PURPOSE_PREFIX, then=lapsed),
                default=None,
                output_field=models.DateTimeField(),
            ),
            output_field=models.DateTimeField(),
        )
        return expression.resolve_expression(*args, **kwargs)


def _shown(record: ConsentRecord) -> dict:
    version = record.version
    return {
        "version": version.digest,
        "text": version.text,
        "policy_version": version.policy_version,
        "cookie_list_version": version.cookie_list_version,
        "cookie_list": version.cookie_list,
    }


@personal_data.register(ConsentRecord)
class ConsentRecordData(PersonalData):
    description = _(
        "Your consent choices: for which purpose (cookie groups, publishing your "
        "photo, marketing e-mail, e-mail tracking), granted or withdrawn, the "
        "exact text you were shown and the policy version, where and when. "
        "Before you log in, choices are tied to a random browser id, never to "
        "your IP address."
    )
    subject = "user"
    fields = {
        "purpose": Anonymise.keep(),
        "granted": Anonymise.keep(),
        "source": Anonymise.keep(),
        "decided_at": Anonymise.keep(),
        "created_at": Anonymise.keep(),
        "superseded_at": Anonymise.keep(),
        "visitor_id": Anonymise.text(""),
        "version": PersonalField(
            name="version", anonymise=Anonymise.keep(), export=Export.using(_shown)
        ),
    }
    retention = Retention(
        key="consent.record.superseded",
        purpose_ended=ConsentPurposeEnded(),
        action=Action.DELETE,
        description=_(
            "Deleted 12 months after a newer choice replaces them (or a "
            "cookie choice lapses)."
        ),
    )


personal_data.exempt(
    "cookie_consent.CookieGroup",
    "cookie_consent.Cookie",
    reason="The catalogue of cookies (names of cookies and groups), not people.",
)
personal_data.exempt(
    "cookie_consent.LogItem",
    reason="Anonymous counts of accepted groups (switched off: consent records "
    "replace it).",
)
personal_data.exempt(
    CookieDetails,
    EmailOpen,
    reason="Vendors, purposes and durations of cookies: the catalogue, not people.",
)
personal_data.exempt(
    ConsentVersion,
    reason="The texts shown when asking for consent, shared by everyone shown them.",
)


personal_data.exempt(
    MarketingSuppression,
    reason="Keyed hashes (HMAC) of addresses that objected to marketing; kept "
    "after erasure so the objection holds (Art. 21(3)); not linked to an "
    "account and not reversible without the secret key.",
)


# --- Hooks for data-subject requests (privacy never imports consent) ----------


def _withdraw(*, user, actor, purposes=None) -> None:
    source = Source.REQUEST
    for purpose, record in consent_current(user=user).items():
        if record.granted and (purposes is None or purpose in purposes):
            consent_record(
                purpose=purpose, granted=False, source=source, user=user, actor=actor
            )


@personal_data.on(Event.WITHDRAW_CONSENTS)
def _withdraw_all_consents(*, user, actor, **context) -> None:
    """A consent-withdrawal request withdraws every consent the member gave."""
    _withdraw(user=user, actor=actor)


@personal_data.on(Event.OBJECT)
def _object_to_marketing(*, user, actor, email="", **context) -> None:
    """An objection to marketing suppresses the address objected under and the
    member's own, and withdraws the marketing consents at once."""
    marketing_suppress(emails=[email, getattr(user, "email", "")])
    if user is not None:
        _withdraw(
            user=user,
            actor=actor,
            purposes={
                Purpose.MARKETING_EMAIL,
                Purpose.OPPORTUNITY_EMAIL,
                Purpose.EMAIL_TRACKING,
            },
        )


# --- E-mail opens --------------------------------------------------------------------


@personal_data.register(EmailOpen)
class EmailOpenData(PersonalData):
    description = _(
        "Which of our e-mails you opened and when (the first time only), recorded "
        "only while you allow e-mail tracking; no IP address or device details."
    )
    subject = "user"
    fields = {"tag": Anonymise.keep(), "opened_at": Anonymise.keep()}
    retention = Retention(
        key="consent.email_open.recorded",
        purpose_ended="opened_at",
        action=Action.DELETE,
        description=_("Deleted 12 months after the e-mail was opened."),
    )
