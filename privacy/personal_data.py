"""Personal data of Django's and third-party apps that no app of ours owns."""

from django.contrib.admin.models import LogEntry

from .registry import Action, Anonymise, PersonalData, Retention, personal_data


@personal_data.register(LogEntry)
class AdminLogEntryData(PersonalData):
    description = "What staff members did in the admin (who, what, when)."
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
        description="Admin log entries are deleted 12 months after the action.",
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
