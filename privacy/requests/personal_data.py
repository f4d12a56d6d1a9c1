"""Personal data of privacy's own models and of Django's and third-party apps
that no app of ours owns."""

import datetime as dt

from django.db.models import Case, F, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from privacy import personal_data_security  # noqa: F401  (registers on import)
from privacy.models import DataSubjectRequest, ExportArchive
from privacy.registry import (
    Action,
    Anonymise,
    PersonalData,
    Retention,
    personal_data,
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
        "flagged_reason": Anonymise.keep(),
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
