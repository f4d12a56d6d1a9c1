"""Personal data of the security apps (django-axes, allauth's MFA).

Imported by privacy.personal_data so the registry sees it.
"""

import datetime as dt

from allauth.mfa.models import Authenticator
from django.utils.translation import gettext_lazy as _

from privacy.registry import Action, Anonymise, PersonalData, Retention, personal_data


@personal_data.register(Authenticator)
class MfaAuthenticatorData(PersonalData):
    description = _(
        "That you use two-factor authentication (an authenticator app or "
        "recovery codes), when it was set up and last used; never the secret."
    )
    subject = "user"
    # ``data`` holds the TOTP secret: deleted with the row, never exported.
    fields = {
        "type": Anonymise.keep(),
        "created_at": Anonymise.keep(),
        "last_used_at": Anonymise.keep(),
    }
    retention = Retention(
        key="mfa.authenticator.closed",
        purpose_ended="user__closed_at",
        after=dt.timedelta(days=1),
        action=Action.DELETE,
        description=_("Deleted, with its secret, a day after the account is closed."),
    )


personal_data.exempt(
    "axes.AccessAttempt",
    "axes.AccessAttemptExpiration",
    "axes.AccessLog",
    "axes.AccessFailureLog",
    reason="django-axes runs with its cache handler (AXES_HANDLER): failed "
    "log-ins are counted in the cache per address and IP and expire with the "
    "15-minute cool-off; these tables are never written. They hold no row to "
    "export, erase or purge. Should the handler change to the database, they "
    "must be declared here with a deletion rule.",
)
