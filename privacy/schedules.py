"""Periodic tasks that data migrations create in django-celery-beat.

Every scheduled job of the platform is seeded the same way: one crontab in
Copenhagen time and one enabled PeriodicTask, found again by its name so the
migration can be reversed.
"""

from django.db import migrations

TIMEZONE = "Europe/Copenhagen"


def schedule_task(
    *, name: str, task: str, description: str, minute: str = "0", hour: str = "*"
) -> migrations.RunPython:
    """A RunPython operation that schedules ``task`` (and unschedules it back)."""

    def schedule(apps, schema_editor):
        CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=TIMEZONE,
        )
        PeriodicTask.objects.update_or_create(
            name=name,
            defaults={
                "task": task,
                "crontab": crontab,
                "enabled": True,
                "description": description,
            },
        )

    def unschedule(apps, schema_editor):
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
            name=name
        ).delete()

    return migrations.RunPython(schedule, unschedule)
