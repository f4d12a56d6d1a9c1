from django.db import migrations

from privacy.schedules import schedule_task


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0011_durable_files_sessions_runs"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        schedule_task(
            name="Pending file deletions",
            task="privacy.tasks.file_deletions_retry",
            minute="*/15",
            hour="*",
            description="Every 15 minutes: delete the files that erasure, the "
            "purge or a profile edit recorded for deletion and that a crash or an "
            "error left on disk.",
        )
    ]
