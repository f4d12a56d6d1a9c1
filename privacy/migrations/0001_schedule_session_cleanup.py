from django.db import migrations

from privacy.schedules import schedule_task


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        schedule_task(
            name="Delete expired sessions",
            task="privacy.tasks.sessions_clear_expired",
            minute="30",
            hour="3",
            description="Daily at 03:30 Copenhagen time.",
        )
    ]
