"""Personal data of privacy's own models and of Django's and third-party apps
that no app of ours owns."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from compliance.models import (
    Breach,
    PolicyAcknowledgement,
    PolicyVersion,
    ProcessingActivity,
    Processor,
)
from privacy import personal_data_security  # noqa: F401  (registers on import)
from privacy.registry import (
    Action,
    Anonymise,
    LegalException,
    PersonalData,
    Retention,
    personal_data,
)

# --- The privacy policy -----------------------------------------------------------


@personal_data.register(PolicyAcknowledgement)
class PolicyAcknowledgementData(PersonalData):
    description = _(
        "When we e-mailed you about a significant change of this privacy policy "
        "and when you acknowledged the notice."
    )
    subject = "user"
    fields = {
        "version": Anonymise.keep(),
        "notified_at": Anonymise.keep(),
        "acknowledged_at": Anonymise.keep(),
    }
    retention = Retention(
        key="privacy.policyack.closed",
        purpose_ended="user__closed_at",
        action=Action.DELETE,
        description=_("Deleted 12 months after your account is closed."),
    )


personal_data.exempt(
    Processor,
    ProcessingActivity,
    PolicyVersion,
    reason="The processor register, the record of processing activities and the "
    "policy text: about the platform, not about people.",
)


# --- Breach register ---------------------------------------------------------------


@personal_data.register(Breach)
class BreachData(PersonalData):
    description = _(
        "For staff: the personal-data breaches you recorded in the breach "
        "register (the record names who recorded it)."
    )
    subject = "created_by"
    fields = {"reference": Anonymise.keep(), "created_at": Anonymise.keep()}
    legal_exceptions = (
        LegalException(
            key="privacy.breach.documented",
            reason="GDPR Art. 33(5) requires every breach to be documented so "
            "the supervisory authority can verify compliance; erasing the staff "
            "member who recorded it does not remove the record (the link then "
            "points at the anonymised account).",
            retention=Retention(
                key="privacy.breach.aged",
                purpose_ended="discovered_at",
                after=dt.timedelta(days=5 * 365),
                action=Action.DELETE,
                description=_(
                    "Breach records are deleted 5 years after the breach "
                    "was discovered."
                ),
            ),
        ),
    )
