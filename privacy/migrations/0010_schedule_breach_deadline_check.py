from django.db import migrations

from privacy.schedules import schedule_task


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0009_breach"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        schedule_task(
            name="Breach deadline check",
            task="privacy.tasks.breach_deadline_check",
            minute="5",
            hour="*",
            description="Hourly: e-mail staff once when a breach was discovered "
            "48 hours ago and the authority has not been notified (72-hour "
            "deadline, GDPR Art. 33(1)).",
        )
    ]
