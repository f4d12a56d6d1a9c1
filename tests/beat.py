"""Beat's periodic-task rows, written as beat writes them at start-up."""

from django_celery_beat.schedulers import DatabaseScheduler

from worksome.celery import app


def beat_rows_write() -> None:
    """One row per ``CELERY_BEAT_SCHEDULE`` entry through django-celery-beat's
    ``ModelEntry.from_entry``, the call its DatabaseScheduler's
    ``update_from_dict`` makes (the scheduler itself is not built: its start-up
    closes the caller's database connection, a test's transaction included)."""
    for name, fields in app.conf.beat_schedule.items():
        DatabaseScheduler.Entry.from_entry(name, app=app, **fields)
