from django.db import migrations

from privacy.schedules import schedule_task


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0003_retention"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        schedule_task(
            name="Retention purge",
            task="privacy.tasks.retention_purge",
            minute="0",
            hour="3",
            description="Daily at 03:00 Copenhagen time: delete or anonymise "
            "personal data 12 months after its purpose ended.",
        )
    ]
