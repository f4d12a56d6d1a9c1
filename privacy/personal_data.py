"""Personal data of privacy's own models and of Django's and third-party apps
that no app of ours owns."""

import datetime as dt

from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.db.models import Case, F, Q, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from . import personal_data_security  # noqa: F401  (registers on import)
from .models import (
    AuditEvent,
    Breach,
    DataSubjectRequest,
    ExportArchive,
    FileDeletion,
    LegalHold,
    MarketingSuppression,
    PolicyAcknowledgement,
    PolicyVersion,
    ProcessingActivity,
    Processor,
    SessionOwner,
)
from .registry import (
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


@personal_data.register(DataSubjectRequest)
class DataSubjectRequestData(PersonalData):
    description = _(
        "Your privacy requests (access, correction, erasure, restriction, "
        "portability, objection, consent withdrawal): what you asked, the "
        "address we reply to, and how and when we handled it."
    )
    subject = "subject"
    fields = {
        "kind": Anonymise.keep(),
        "status": Anonymise.keep(),
        "email": Anonymise.unique_email(),
        "details": Anonymise.text(""),
        "received_at": Anonymise.keep(),
        "due_at": Anonymise.keep(),
        "extended_due_at": Anonymise.keep(),
        "extension_reason": Anonymise.keep(),
        "completed_at": Anonymise.keep(),
        "rejected_at": Anonymise.keep(),
        "rejection_reason": Anonymise.keep(),
        "legal_exceptions": Anonymise.keep(),
        "recipients_notified": Anonymise.keep(),
    }
    retention = Retention(
        key="privacy.dsr.closed",
        # Closed requests end when closed; unconfirmed ones when the link expires.
        purpose_ended=Case(
            When(status="received", then=F("token_expires_at")),
            default=Coalesce(F("completed_at"), F("rejected_at")),
        ),
        action=Action.ANONYMISE,
        description=_(
            "The reply address and your words are removed 12 months "
            "after the request is closed; what was done, and when, stays."
        ),
    )


@personal_data.register(ExportArchive)
class ExportArchiveData(PersonalData):
    description = _(
        "The copy of your data we prepared for you to download (a ZIP file); it "
        "is stored encrypted and decrypted only while you download it."
    )
    subject = "subject"
    fields = {
        "created_at": Anonymise.keep(),
        "expires_at": Anonymise.keep(),
        # The archive itself is not exported again inside a new archive.
        "file": Anonymise.delete_file(),
    }
    export_exclude = ("file",)
    retention = Retention(
        key="privacy.export.expired",
        # The purpose ends when the 7-day link expires: the row and its file
        # are deleted by the first purge after that (RetentionPolicy periods
        # are at least a day, hence the day subtracted here).
        purpose_ended=F("expires_at") - dt.timedelta(days=1),
        after=dt.timedelta(days=1),
        action=Action.DELETE,
        description=_("Deleted, with the file, when the 7-day download link expires."),
    )


personal_data.exempt(
    MarketingSuppression,
    reason="Keyed hashes (HMAC) of addresses that objected to marketing; kept "
    "after erasure so the objection holds (Art. 21(3)); not linked to an "
    "account and not reversible without the secret key.",
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
