from django.db import migrations

from privacy.schedules import schedule_task


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0003_account_activity"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        schedule_task(
            name="Warn members before unused accounts are anonymised",
            task="profiles.tasks.inactivity_warnings_send",
            minute="0",
            hour="9",
            description="Daily at 09:00 Copenhagen time.",
        )
    ]
