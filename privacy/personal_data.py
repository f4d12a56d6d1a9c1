"""Personal data of privacy's own models and of Django's and third-party apps
that no app of ours owns."""

import datetime as dt

from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.models import FileDeletion
from privacy import personal_data_security  # noqa: F401  (registers on import)
from privacy.models import AuditEvent, LegalHold, SessionOwner
from privacy.registry import (
    Action,
    Anonymise,
    LegalException,
    PersonalData,
    Retention,
    personal_data,
)


@personal_data.register(LogEntry)
class AdminLogEntryData(PersonalData):
    description = _("What staff members did in the admin (who, what, when).")
    subject = "user"
    fields = {
        "action_time": Anonymise.keep(),
        "object_repr": Anonymise.text(""),
        "change_message": Anonymise.text(""),
    }
    retention = Retention(
        key="admin.logentry.aged",
        purpose_ended="action_time",
        action=Action.DELETE,
        description=_("Admin log entries are deleted 12 months after the action."),
    )


@personal_data.register(Session)
class SessionData(PersonalData):
    description = _(
        "Your logged-in sessions (which browser is logged in as you, until when)."
    )
    subject = "owner__user"
    # Deleted, not anonymised: on erasure (in its transaction) and when expired.
    fields = {"expire_date": Anonymise.keep()}
    retention = Retention(
        key="sessions.session.expired",
        purpose_ended="expire_date",
        after=dt.timedelta(days=1),
        action=Action.DELETE,
        description=_(
            "Sessions end after 2 hours without use; the rows are deleted within a "
            "day of that, and at once when the account is erased."
        ),
    )

    def export_row(self, instance, *, fields=None) -> dict:
        # The primary key is the session key, a live credential: the export
        # says only that a session exists and until when.
        return {"expire_date": instance.expire_date.isoformat()}


personal_data.exempt(
    SessionOwner,
    reason="Which user a session belongs to (keys only); each row is deleted "
    "with its session, which is declared.",
)
personal_data.exempt(
    FileDeletion,
    reason="Random storage names of files waiting to be deleted; the rows go "
    "once the file is gone.",
)


personal_data.exempt(
    "auth.Group",
    "auth.Permission",
    reason="Names of roles and permissions, not of people.",
)
personal_data.exempt(
    "django_celery_beat.PeriodicTask",
    reason="Names of scheduled jobs.",
)


@personal_data.register(AuditEvent)
class AuditEventData(PersonalData):
    description = _(
        "A log of changes to your personal data and of who viewed protected "
        "data such as your CPR number (who, what, when; never the data itself)."
    )
    subject = "subject"
    fields = {"at": Anonymise.keep(), "action": Anonymise.keep()}
    retention = Retention(
        key="privacy.audit.aged",
        purpose_ended="at",
        action=Action.DELETE,
        description=_("Audit events are deleted 12 months after the event."),
    )
    legal_exceptions = (
        LegalException(
            key="privacy.audit.dsr",
            reason="Proof that data-subject requests were handled (GDPR Art. "
            "5(2) accountability), kept for the 3-year limitation period of "
            "claims (forældelsesloven § 3). Holds no personal data besides the "
            "link to the (anonymised) account.",
            keeps=Q(action__startswith="dsr."),
            retention=Retention(
                key="privacy.audit.dsr.aged",
                purpose_ended="at",
                after=dt.timedelta(days=3 * 365),
                action=Action.DELETE,
                description=_(
                    "Records of how your privacy requests were handled "
                    "are deleted 3 years after each step."
                ),
            ),
        ),
    )


@personal_data.register(LegalHold)
class LegalHoldData(PersonalData):
    description = _("Legal holds that keep your data beyond its usual retention.")
    subject = "subject"
    fields = {"reason": Anonymise.keep(), "until": Anonymise.keep()}
    retention = Retention(
        key="privacy.legalhold.ended",
        purpose_ended=Coalesce(F("released_at"), F("until")),
        action=Action.DELETE,
        description=_("Deleted 12 months after the hold ends."),
    )


# Data-subject requests declare theirs in privacy.requests.
import privacy.requests.personal_data  # noqa: E402,F401
