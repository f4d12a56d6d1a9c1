from django.db import migrations

from privacy.schedules import schedule_task


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0005_data_subject_requests"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        schedule_task(
            name="Data-subject request digest",
            task="privacy.tasks.dsr_digest_send",
            minute="0",
            hour="7",
            description="Daily at 07:00 Copenhagen time: e-mail staff the "
            "overdue and due-soon data-subject requests.",
        )
    ]
